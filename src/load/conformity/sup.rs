//! The rules over a CNIG SUP delivery, named like IGN's validator codes: identifiers repeated
//! (`CNIG_SUP_IDASS_NOT_UNIQUE`, `CNIG_SUP_IDGEN_NOT_UNIQUE` over the merged S/L/P tables as the
//! validator checks them, `ATTRIBUTE_NOT_UNIQUE` for `IDSUP` and `IDACTE`), references that name
//! no row (`CNIG_SUP_IDGEN_NOT_FOUND`; `SUP_IDSUP_NOT_FOUND`, which the validator does not
//! check), and `TYPEASS`/`MODEGEOASS` outside the lists of the delivery's standard
//! (`ATTRIBUTE_UNEXPECTED_VALUE`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{DeliveryConformity, Issue, Severity};

/// The CNIG SUP standard a delivery follows (its metadata says `CNIG SUP v2013` or `v2016`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupStandard {
    /// CNIG SUP of 19/04/2013.
    V2013,
    /// CNIG SUP of 01/07/2016, the current one (assumed when the metadata does not say).
    #[default]
    V2016,
}

impl SupStandard {
    fn key(self) -> &'static str {
        match self {
            SupStandard::V2013 => "2013",
            SupStandard::V2016 => "2016",
        }
    }
}

/// Which table of the delivery a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupTable {
    /// `SERVITUDE` (`IDSUP`).
    Servitude,
    /// `ACTE_SUP` (`IDACTE`).
    Acte,
    /// `GENERATEUR_SUP_S/L/P` (`IDGEN`, `IDSUP`).
    Generateur,
    /// `ASSIETTE_SUP_S/L/P` (`IDASS`, `IDGEN`, `TYPEASS`, `MODEGEOASS`).
    Assiette,
}

/// One row as read, with the fields the rules look at.
#[derive(Debug, Clone)]
pub struct SupRow {
    /// Its table.
    pub table: SupTable,
    /// The file, relative to the data folder.
    pub file: String,
    /// Row number in the file (0-based).
    pub row: usize,
    /// The category the file is of (`AC1`), from its name or the delivery's.
    pub category: Option<String>,
    /// `S`, `L` or `P` for a générateur or assiette file.
    pub geometry: Option<char>,
    /// The row's own id: `IDSUP`, `IDACTE`, `IDGEN` or `IDASS` after its table.
    pub id: Option<String>,
    /// `IDGEN` of an assiette.
    pub id_gen: Option<String>,
    /// `IDSUP` of a générateur.
    pub id_sup: Option<String>,
    /// `TYPEASS` of an assiette.
    pub type_ass: Option<String>,
    /// `MODEGEOASS` of an assiette.
    pub mode_geo_ass: Option<String>,
}

/// A SUP delivery as read: its standard and its rows.
#[derive(Debug, Clone, Default)]
pub struct ReadSup {
    /// The standard its metadata declares.
    pub standard: SupStandard,
    /// Every row of its servitude, act, générateur and assiette tables.
    pub rows: Vec<SupRow>,
}

/// Every rule over a SUP delivery.
pub fn check(name: &str, d: &ReadSup) -> DeliveryConformity {
    let mut issues = Vec::new();
    not_unique(d, &mut issues);
    not_found(d, &mut issues);
    lists(d, &mut issues);
    DeliveryConformity::new(name, issues)
}

fn rows(d: &ReadSup, table: SupTable) -> impl Iterator<Item = &SupRow> {
    d.rows.iter().filter(move |r| r.table == table)
}

/// Repeated ids: every row after the first of an id is reported.
fn not_unique(d: &ReadSup, out: &mut Vec<Issue>) {
    for (table, rule, field, effect) in [
        (SupTable::Assiette, "CNIG_SUP_IDASS_NOT_UNIQUE", "IDASS",
            "deux assiettes répondues sous le même identifiant"),
        (SupTable::Generateur, "CNIG_SUP_IDGEN_NOT_UNIQUE", "IDGEN",
            "les assiettes de cet IDGEN sont rattachées à un seul des générateurs (le dernier lu) : nom et type du générateur peuvent être faux"),
        (SupTable::Servitude, "ATTRIBUTE_NOT_UNIQUE", "IDSUP",
            "les générateurs de cet IDSUP sont rattachés à une seule des servitudes (la dernière lue) : catégorie et nom peuvent être faux"),
        (SupTable::Acte, "ATTRIBUTE_NOT_UNIQUE", "IDACTE",
            "un seul des actes de cet IDACTE (le dernier lu) est cité dans les réponses"),
    ] {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in rows(d, table) {
            let Some(id) = r.id.as_deref() else { continue };
            let n = seen.entry(id).or_default();
            *n += 1;
            if *n > 1 {
                out.push(Issue {
                    rule: rule.into(),
                    severity: Severity::Warning,
                    file: r.file.clone(),
                    row: Some(r.row),
                    message: format!("{field} {id} déjà porté par une autre ligne"),
                    effect: effect.into(),
                });
            }
        }
    }
}

/// References that name no row: an assiette's `IDGEN`, a générateur's `IDSUP`.
fn not_found(d: &ReadSup, out: &mut Vec<Issue>) {
    let ids = |t| -> HashSet<&str> { rows(d, t).filter_map(|r| r.id.as_deref()).collect() };
    let (generateurs, servitudes) = (ids(SupTable::Generateur), ids(SupTable::Servitude));
    for (table, known, rule, field) in [
        (
            SupTable::Assiette,
            &generateurs,
            "CNIG_SUP_IDGEN_NOT_FOUND",
            "IDGEN",
        ),
        (
            SupTable::Generateur,
            &servitudes,
            "SUP_IDSUP_NOT_FOUND",
            "IDSUP",
        ),
    ] {
        for r in rows(d, table) {
            let reference = match table {
                SupTable::Assiette => r.id_gen.as_deref(),
                _ => r.id_sup.as_deref(),
            };
            let Some(reference) = reference.filter(|id| !known.contains(id)) else {
                continue;
            };
            out.push(Issue {
                rule: rule.into(),
                severity: Severity::Warning,
                file: r.file.clone(),
                row: Some(r.row),
                message: format!("{field} {reference} ne désigne aucune ligne de la livraison"),
                effect: "servitude répondue sans son générateur, sa servitude ni son acte ; catégorie prise du nom du fichier".into(),
            });
        }
    }
}

/// `TYPEASS` and `MODEGEOASS` outside the lists of the delivery's standard for the file's
/// category and geometry (a field with no list in that standard is not checked).
fn lists(d: &ReadSup, out: &mut Vec<Issue>) {
    for r in rows(d, SupTable::Assiette) {
        let (Some(category), Some(geometry)) = (r.category.as_deref(), r.geometry) else {
            continue;
        };
        for (field, value) in [("TYPEASS", &r.type_ass), ("MODEGEOASS", &r.mode_geo_ass)] {
            let Some(value) = value.as_deref() else {
                continue;
            };
            let Some(allowed) = value_list(d.standard, category, geometry, field) else {
                continue;
            };
            if !allowed.iter().any(|a| a == value) {
                out.push(Issue {
                    rule: "ATTRIBUTE_UNEXPECTED_VALUE".into(),
                    severity: Severity::Info,
                    file: r.file.clone(),
                    row: Some(r.row),
                    message: format!(
                        "{field} « {value} » hors de la liste CNIG SUP {} de {category} ({})",
                        d.standard.key(),
                        allowed.join(", ")
                    ),
                    effect: "aucun : la valeur est répondue telle que livrée".into(),
                });
            }
        }
    }
}

/// The validator's lists (`data/nomenclatures-cnig/sup_assiette_listes.csv`, see its SOURCE.md),
/// by standard, category (upper-case), geometry and field.
type Lists = HashMap<(String, String, char, String), Vec<String>>;

fn value_list(
    standard: SupStandard,
    category: &str,
    geometry: char,
    field: &str,
) -> Option<&'static Vec<String>> {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    let lists = LISTS.get_or_init(|| {
        let text = include_str!("../../../data/nomenclatures-cnig/sup_assiette_listes.csv");
        let mut lists = Lists::new();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records().flatten() {
            if let [std, cat, geom, field, value] = record.iter().collect::<Vec<_>>()[..] {
                let Some(geom) = geom.chars().next() else {
                    continue;
                };
                lists
                    .entry((std.into(), cat.to_ascii_uppercase(), geom, field.into()))
                    .or_default()
                    .push(value.into());
            }
        }
        lists
    });
    lists.get(&(
        standard.key().to_string(),
        category.to_ascii_uppercase(),
        geometry,
        field.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Synthetic rows (no staged delivery has a générateur naming a missing servitude).
    #[test]
    fn a_generateur_naming_no_servitude_is_reported() {
        let row = |table, id: &str, id_sup: Option<&str>| SupRow {
            table,
            file: "synthetic.dbf".into(),
            row: 0,
            category: None,
            geometry: None,
            id: Some(id.into()),
            id_gen: None,
            id_sup: id_sup.map(Into::into),
            type_ass: None,
            mode_geo_ass: None,
        };
        let d = ReadSup {
            standard: SupStandard::V2016,
            rows: vec![
                row(SupTable::Servitude, "S1", None),
                row(SupTable::Generateur, "G1", Some("S1")),
                row(SupTable::Generateur, "G2", Some("S9")),
            ],
        };
        let c = check("synthetic", &d);
        let rules: Vec<_> = c
            .issues
            .iter()
            .map(|i| (i.rule.as_ref(), i.message.as_str()))
            .collect();
        assert_eq!(
            rules,
            [(
                "SUP_IDSUP_NOT_FOUND",
                "IDSUP S9 ne désigne aucune ligne de la livraison"
            )]
        );
    }

    #[test]
    fn lists_follow_the_standard() {
        // sup_assiette_listes.csv rows `2016,AC1,S,TYPEASS,Périmètre des abords` and
        // `2013,AC1,S,MODEGEOASS,Egal au générateur`; no TYPEASS list in 2013.
        let l = |s, f| value_list(s, "AC1", 'S', f);
        assert!(l(SupStandard::V2016, "TYPEASS")
            .is_some_and(|v| v.contains(&"Périmètre des abords".to_string())));
        assert!(l(SupStandard::V2013, "TYPEASS").is_none());
        assert!(l(SupStandard::V2013, "MODEGEOASS")
            .is_some_and(|v| v.contains(&"Egal au générateur".to_string())));
    }
}
