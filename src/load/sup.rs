//! CNIG SUP deliveries (standard 2016): assiettes joined to their générateur, servitude and act.
//!
//! A plot is affected by an easement where it meets an *assiette*; the join
//! assiette → générateur (`IdGen`) → servitude (`IdSup`) → act (`SERVITUDE_ACTE_SUP`) gives the
//! category code (from the servitude table), the names and the legal reference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::cnig_layer::{self, text, Attributes, CnigLayer, CnigTable};
use super::conformity::sup::{ReadSup, SupRow as ReadRow, SupStandard, SupTable};
use super::normalise::iso_date;
use super::scan::Source;
use super::{relative, LoadError, LoadReport};
use crate::dataset::{hull, CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use crate::model::{ActeSup, Generateur, Origin, Servitude};

struct SupRow {
    categorie: Option<String>,
    nom: Option<String>,
    nom_litt: Option<String>,
}

struct GenRow {
    id_sup: Option<String>,
    id_gaspar: Option<String>,
    nom: Option<String>,
    typ: Option<String>,
}

/// The tables an assiette is joined to, by id.
#[derive(Default)]
struct Joins {
    /// `IdSup` → servitude.
    servitudes: HashMap<String, SupRow>,
    /// `IdActe` → act.
    actes: HashMap<String, ActeSup>,
    /// `IdSup` → its first `IdActe`.
    acte_of_sup: HashMap<String, String>,
    /// `IdGen` → générateur.
    generateurs: HashMap<String, GenRow>,
}

impl Joins {
    fn servitude_of(&self, gen: Option<&GenRow>) -> Option<&SupRow> {
        gen.and_then(|g| g.id_sup.as_ref())
            .and_then(|s| self.servitudes.get(s))
    }

    fn acte_of(&self, id_sup: Option<&String>) -> Option<ActeSup> {
        id_sup
            .and_then(|s| self.acte_of_sup.get(s))
            .and_then(|a| self.actes.get(a))
            .cloned()
    }
}

fn upper_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default()
}

fn is_shp(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp"))
}

/// The files of the delivery whose upper-case name satisfies `pred`.
fn files<'a>(
    source: &'a Source,
    pred: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = &'a PathBuf> {
    source.files.iter().filter(move |f| pred(&upper_name(f)))
}

/// A SUP delivery as read, from files or database tables, before the joins: each table's rows
/// keyed by lower-case field name.
pub(super) struct SupInput {
    /// The delivery's name (`<SIREN>_<CAT>_<territory>_<date>`).
    pub name: String,
    /// The standard it follows.
    pub standard: SupStandard,
    /// `SERVITUDE` tables.
    pub servitudes: Vec<CnigTable>,
    /// `ACTE_SUP` tables.
    pub actes: Vec<CnigTable>,
    /// `SERVITUDE_ACTE_SUP` tables.
    pub links: Vec<CnigTable>,
    /// `GENERATEUR_SUP_S/L/P` layers: joined to the assiettes by their attributes, and drawn.
    pub generateurs: Vec<SupLayer>,
    /// `ASSIETTE_SUP_S/L/P` layers.
    pub assiettes: Vec<SupLayer>,
}

/// One générateur or assiette layer and what its name says.
pub(super) struct SupLayer {
    /// The category its name starts with (`AC1_ASSIETTE_SUP_S`), if any.
    pub category: Option<String>,
    /// `S`, `L` or `P`, from its name.
    pub geometry_kind: Option<char>,
    /// Its features.
    pub layer: CnigLayer,
}

/// The category prefix and the geometry letter of a générateur or assiette file or table name
/// (`PM3_ASSIETTE_SUP_S_028` → `PM3`, `S`; `assiette_sup_p` → none, `P`).
fn name_parts(name: &str, table: &str) -> (Option<String>, Option<char>) {
    let upper = name.to_ascii_uppercase();
    let category = upper
        .split(&format!("_{table}"))
        .next()
        .filter(|p| *p != upper && !p.is_empty() && !p.contains('_'))
        .map(str::to_string);
    let kind = upper
        .split(&format!("{table}_"))
        .nth(1)
        .and_then(|s| s.chars().next());
    (category, kind)
}

/// Loads one SUP delivery: the join tables first, then the assiettes, then the coverage; then
/// checks what was read against the standard ([`super::conformity::sup`]).
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let input = read(root, source)?;
    load_read(input, parts, report);
    Ok(())
}

/// Reads the delivery's files: its tables (`.dbf`) and its générateur and assiette shapefiles.
fn read(root: &Path, source: &Source) -> Result<SupInput, LoadError> {
    let tables = |pred: fn(&str) -> bool, layer: &str| -> Result<Vec<CnigTable>, LoadError> {
        files(source, pred)
            .map(|f| cnig_layer::read_table(f, &relative(root, f), layer))
            .collect()
    };
    let mut input = SupInput {
        name: source.name.clone(),
        standard: standard(source),
        servitudes: tables(
            |n| n.contains("SERVITUDE") && !n.contains("ACTE"),
            "SERVITUDE",
        )?,
        actes: tables(
            |n| n.contains("ACTE_SUP") && !n.contains("SERVITUDE"),
            "ACTE_SUP",
        )?,
        links: tables(|n| n.contains("SERVITUDE_ACTE_SUP"), "SERVITUDE_ACTE_SUP")?,
        generateurs: Vec::new(),
        assiettes: Vec::new(),
    };
    for f in files(source, |n| n.contains("GENERATEUR_SUP_")).filter(|f| is_shp(f)) {
        let (category, geometry_kind) = name_parts(&upper_name(f), "GENERATEUR_SUP");
        input.generateurs.push(SupLayer {
            category,
            geometry_kind,
            layer: cnig_layer::read_layer(f, &relative(root, f), "GENERATEUR_SUP")?,
        });
    }
    for f in files(source, |n| n.contains("ASSIETTE_SUP_")).filter(|f| is_shp(f)) {
        let (category, geometry_kind) = name_parts(&upper_name(f), "ASSIETTE_SUP");
        input.assiettes.push(SupLayer {
            category,
            geometry_kind,
            layer: cnig_layer::read_layer(f, &relative(root, f), "ASSIETTE_SUP")?,
        });
    }
    Ok(input)
}

/// Loads a SUP delivery once read, from files or database tables.
pub(super) fn load_read(input: SupInput, parts: &mut DatasetParts, report: &mut LoadReport) {
    let mut read = ReadSup {
        standard: input.standard,
        rows: Vec::new(),
    };
    let joins = joins(&input, report, &mut read.rows);
    let folder_category = folder_token(&input.name, 1);
    draw_generateurs(
        &input.generateurs,
        &input.name,
        &joins,
        folder_category.as_deref(),
        parts,
    );
    let first_servitude = parts.servitudes.len();
    for a in input.assiettes {
        let rows = load_assiettes(
            a,
            &input.name,
            &joins,
            folder_category.as_deref(),
            parts,
            report,
        );
        read.rows.extend(rows);
    }
    push_coverage(&input.name, first_servitude, folder_category, parts);
    report
        .conformity
        .push(super::conformity::check_sup(&input.name, &read));
}

/// The standard the delivery's metadata declares (« CNIG SUP v2013 » or « v2016 »; the current
/// one when it says neither).
fn standard(source: &Source) -> SupStandard {
    match super::metadata::declared_version(&source.files, &["SUP"]) {
        Some(2013) => SupStandard::V2013,
        _ => SupStandard::V2016,
    }
}

/// A row of `table` for the conformity checks, its own id read from `id_field`.
fn read_row(table: SupTable, file: &str, row: usize, a: &Attributes, id_field: &str) -> ReadRow {
    ReadRow {
        table,
        file: file.to_string(),
        row,
        category: None,
        geometry: None,
        id: text(a, id_field),
        id_gen: None,
        id_sup: None,
        type_ass: None,
        mode_geo_ass: None,
    }
}

/// Joins the delivery's servitude, act, servitude–act and générateur tables by id, reporting
/// each table and keeping its rows for the conformity checks.
fn joins(input: &SupInput, report: &mut LoadReport, rows: &mut Vec<ReadRow>) -> Joins {
    let mut j = Joins::default();
    for t in &input.servitudes {
        for (i, a) in &t.rows {
            rows.push(read_row(
                SupTable::Servitude,
                &t.report.file,
                *i,
                a,
                "IDSUP",
            ));
            if let Some(id) = text(a, "IDSUP") {
                let row = SupRow {
                    categorie: text(a, "CATEGORIE"),
                    nom: text(a, "NOMSUP"),
                    nom_litt: text(a, "NOMSUPLITT"),
                };
                j.servitudes.insert(id, row);
            }
        }
        report.layers.push(t.report.clone());
    }
    for t in &input.actes {
        for (i, a) in &t.rows {
            rows.push(read_row(SupTable::Acte, &t.report.file, *i, a, "IDACTE"));
            if let Some(id) = text(a, "IDACTE") {
                let row = ActeSup {
                    nom: text(a, "NOMACTE"),
                    reference: text(a, "REFERENCE").filter(|v| v != "inconnu"),
                    type_acte: text(a, "TYPEACTE"),
                    fichier: text(a, "FICHIER"),
                    date_decision: text(a, "DATEDECIS").and_then(|d| iso_date(&d)),
                };
                j.actes.insert(id, row);
            }
        }
        report.layers.push(t.report.clone());
    }
    for t in &input.links {
        for (_, a) in &t.rows {
            if let (Some(sup), Some(acte)) = (text(a, "IDSUP"), text(a, "IDACTE")) {
                j.acte_of_sup.entry(sup).or_insert(acte);
            }
        }
        report.layers.push(t.report.clone());
    }
    for g in &input.generateurs {
        let t = &g.layer;
        for (i, a, _) in &t.features {
            rows.push(ReadRow {
                id_sup: text(a, "IDSUP"),
                ..read_row(SupTable::Generateur, &t.report.file, *i, a, "IDGEN")
            });
            if let Some(id) = text(a, "IDGEN") {
                let row = GenRow {
                    id_sup: text(a, "IDSUP"),
                    id_gaspar: text(a, "ID_GASPAR").or_else(|| text(a, "IDGASPAR")),
                    nom: text(a, "NOMGEN"),
                    typ: text(a, "TYPEGEN"),
                };
                j.generateurs.insert(id, row);
            }
        }
        report.layers.push(t.report.clone());
    }
    j
}

/// The générateurs drawn, each with its category from its servitude (`IdSup`), else from its
/// layer's or the delivery's name as for the assiettes; one with none is not drawn (its attributes
/// still serve the assiettes' joins).
fn draw_generateurs(
    layers: &[SupLayer],
    delivery: &str,
    joins: &Joins,
    folder_category: Option<&str>,
    parts: &mut DatasetParts,
) {
    for g in layers {
        for (i, a, geometry) in &g.layer.features {
            let t = |f: &str| text(a, f);
            let id_sup = t("IDSUP");
            let categorie = id_sup
                .as_ref()
                .and_then(|s| joins.servitudes.get(s))
                .and_then(|s| s.categorie.clone())
                .or_else(|| g.category.clone())
                .or_else(|| folder_category.map(str::to_string));
            let Some(categorie) = categorie else { continue };
            parts.generateurs.push(Generateur {
                categorie: normalise_category(&categorie),
                id_gen: t("IDGEN"),
                nom_gen: t("NOMGEN"),
                type_gen: t("TYPEGEN"),
                mode_genere: t("MODEGENERE"),
                src_geo_gen: t("SRCGEOGEN"),
                date_src_gen: t("DATESRCGEN"),
                fichier: joins.acte_of(id_sup.as_ref()).and_then(|a| a.fichier),
                source: delivery.to_string(),
                origin: Origin {
                    file: g.layer.report.file.clone(),
                    feature: *i,
                },
                geometry: geometry.clone(),
            });
        }
    }
}

/// Loads one assiette layer, each feature joined to its générateur, servitude and act.
///
/// The category comes from the servitude; when the join fails, from the layer name's prefix
/// (`AC1_ASSIETTE_SUP_S`), then from the delivery's name, with a warning; a feature with none is
/// skipped.
fn load_assiettes(
    assiettes: SupLayer,
    delivery: &str,
    joins: &Joins,
    folder_category: Option<&str>,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Vec<ReadRow> {
    let mut rows = Vec::new();
    let SupLayer {
        category: file_category,
        geometry_kind,
        layer,
    } = assiettes;
    let mut r = layer.report;
    let label = r.file.clone();
    let before = parts.servitudes.len();
    for (i, a, geometry) in layer.features {
        let t = |f: &str| text(&a, f);
        rows.push(ReadRow {
            category: file_category
                .clone()
                .or_else(|| folder_category.map(str::to_string)),
            geometry: geometry_kind,
            id_gen: t("IDGEN"),
            type_ass: t("TYPEASS"),
            mode_geo_ass: t("MODEGEOASS"),
            ..read_row(SupTable::Assiette, &label, i, &a, "IDASS")
        });
        let id_gen = t("IDGEN");
        let gen = id_gen.as_ref().and_then(|g| joins.generateurs.get(g));
        let sup = joins.servitude_of(gen);
        let categorie = sup
            .and_then(|s| s.categorie.clone())
            .or_else(|| file_category.clone())
            .or_else(|| folder_category.map(str::to_string));
        let Some(categorie) = categorie else {
            r.skip(&label, i, "catégorie de servitude introuvable");
            continue;
        };
        if sup.is_none() {
            r.warnings.push(format!(
                "{label} entité {i} : servitude non trouvée par IdGen/IdSup, catégorie {categorie} prise du nom de fichier"
            ));
        }
        let id_sup = gen.and_then(|g| g.id_sup.clone());
        parts.servitudes.push(Servitude {
            categorie: normalise_category(&categorie),
            id_ass: t("IDASS").unwrap_or_else(|| format!("{label}#{i}")),
            nom_ass: t("NOMASS"),
            type_ass: t("TYPEASS"),
            id_gen,
            nom_gen: gen.and_then(|g| g.nom.clone()),
            type_gen: gen.and_then(|g| g.typ.clone()),
            nom_sup: sup.and_then(|s| s.nom.clone()),
            nom_sup_litt: sup.and_then(|s| s.nom_litt.clone()),
            acte: joins.acte_of(id_sup.as_ref()),
            id_sup,
            id_gaspar: gen.and_then(|g| g.id_gaspar.clone()),
            source: delivery.to_string(),
            origin: Origin {
                file: label.clone(),
                feature: i,
            },
            geometry,
        });
    }
    r.features = parts.servitudes.len() - before;
    report.layers.push(r);
    rows
}

/// The territory named by the delivery, when its boundary is loaded; the hull of its features
/// (from `first` on) in any case.
fn push_coverage(
    delivery: &str,
    first: usize,
    folder_category: Option<String>,
    parts: &mut DatasetParts,
) {
    let hull = hull(parts.servitudes[first..].iter().map(|s| &s.geometry));
    for area in territory(delivery).into_iter().chain([hull]) {
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Servitudes,
            source: delivery.to_string(),
            scope: folder_category.clone(),
            area,
        });
    }
}

/// `Int1` → `INT1`; codes are upper-case in the nomenclature except the `bis` suffix.
fn normalise_category(c: &str) -> String {
    let upper = c.trim().to_ascii_uppercase();
    match upper.strip_suffix("BIS") {
        Some(base) => format!("{base}bis"),
        None => upper,
    }
}

/// Token `n` of a delivery name `<SIREN>_<CAT>_<territory>_<date>`.
fn folder_token(name: &str, n: usize) -> Option<String> {
    let tokens: Vec<&str> = name.split('_').collect();
    (tokens.len() == 4).then(|| tokens[n].to_string())
}

/// The territory a SUP delivery covers, from its name: a département (`2A`, `028`) or a commune (`83044`).
fn territory(name: &str) -> Option<CoverageArea> {
    match folder_token(name, 2) {
        Some(t) if t.len() == 5 => Some(CoverageArea::Communes(vec![t])),
        Some(t) if (2..=3).contains(&t.len()) => {
            let code = if t.len() == 3 && t.starts_with('0') {
                t[1..].to_string()
            } else {
                t
            };
            Some(CoverageArea::Departement(code))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_from_delivery_name() {
        assert!(
            matches!(territory("172014607_AC1_2A_20180130"), Some(CoverageArea::Departement(d)) if d == "2A")
        );
        assert!(
            matches!(territory("123456789_A5_088_20200313"), Some(CoverageArea::Departement(d)) if d == "88")
        );
        assert!(
            matches!(territory("213000896_INT1_83044_20160130"), Some(CoverageArea::Communes(c)) if c == ["83044"])
        );
        assert!(territory("whatever").is_none());
    }

    #[test]
    fn categories_normalised() {
        assert_eq!(normalise_category("Int1"), "INT1");
        assert_eq!(normalise_category("I1bis"), "I1bis");
    }
}
