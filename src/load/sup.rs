//! CNIG SUP deliveries (standard 2016): assiettes joined to their générateur, servitude and act.
//!
//! A plot is affected by an easement where it meets an *assiette*; the join
//! assiette → générateur (`IdGen`) → servitude (`IdSup`) → act (`SERVITUDE_ACTE_SUP`) gives the
//! category code (from the servitude table), the names and the legal reference. The générateurs
//! are also kept whole, drawn, with the same category ([`Generateur`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::conformity::sup::{ReadSup, SupRow as ReadRow, SupStandard, SupTable};
use super::dbf::{DbfTable, Record};
use super::normalise::iso_date;
use super::scan::Source;
use super::{relative, shp, LayerReport, LoadError, LoadReport};
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

/// Loads one SUP delivery: the join tables first, then the assiettes, then the coverage; then
/// checks what was read against the standard ([`super::conformity::sup`]).
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let mut read = ReadSup {
        standard: standard(source),
        rows: Vec::new(),
    };
    let folder_category = folder_token(&source.name, 1);
    let (joins, generateurs) = read_joins(
        root,
        source,
        folder_category.as_deref(),
        report,
        &mut read.rows,
    )?;
    parts.generateurs.extend(generateurs);
    let first_servitude = parts.servitudes.len();
    for f in files(source, |n| n.contains("ASSIETTE_SUP_")).filter(|f| is_shp(f)) {
        let rows = load_assiettes(
            root,
            f,
            source,
            &joins,
            folder_category.as_deref(),
            parts,
            report,
        )?;
        read.rows.extend(rows);
    }
    push_coverage(source, first_servitude, folder_category, parts);
    report
        .conformity
        .push(super::conformity::check_sup(&source.name, &read));
    Ok(())
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
fn read_row(
    table: SupTable,
    file: &str,
    row: usize,
    t: &DbfTable,
    r: &Record,
    id_field: &str,
) -> ReadRow {
    ReadRow {
        table,
        file: file.to_string(),
        row,
        category: None,
        geometry: None,
        id: t.text(r, id_field),
        id_gen: None,
        id_sup: None,
        type_ass: None,
        mode_geo_ass: None,
    }
}

/// Reads the delivery's servitude, act, servitude–act and générateur tables; returns the joins
/// and the générateurs drawn.
fn read_joins(
    root: &Path,
    source: &Source,
    folder_category: Option<&str>,
    report: &mut LoadReport,
    rows: &mut Vec<ReadRow>,
) -> Result<(Joins, Vec<Generateur>), LoadError> {
    let mut j = Joins::default();
    let servitude = |n: &str| n.contains("SERVITUDE") && !n.contains("ACTE");
    let checked = Some((SupTable::Servitude, "IDSUP"));
    let servitudes = read_tables(
        root,
        source,
        servitude,
        "SERVITUDE",
        report,
        checked,
        |t, r| {
            if let Some(id) = t.text(r, "IDSUP") {
                let row = SupRow {
                    categorie: t.text(r, "CATEGORIE"),
                    nom: t.text(r, "NOMSUP"),
                    nom_litt: t.text(r, "NOMSUPLITT"),
                };
                j.servitudes.insert(id, row);
            }
        },
    )?;
    let acte = |n: &str| n.contains("ACTE_SUP") && !n.contains("SERVITUDE");
    let checked = Some((SupTable::Acte, "IDACTE"));
    let actes = read_tables(root, source, acte, "ACTE_SUP", report, checked, |t, r| {
        if let Some(id) = t.text(r, "IDACTE") {
            let row = ActeSup {
                nom: t.text(r, "NOMACTE"),
                reference: t.text(r, "REFERENCE").filter(|v| v != "inconnu"),
                type_acte: t.text(r, "TYPEACTE"),
                fichier: t.text(r, "FICHIER"),
                date_decision: t.text(r, "DATEDECIS").and_then(|d| iso_date(&d)),
            };
            j.actes.insert(id, row);
        }
    })?;
    let link = |n: &str| n.contains("SERVITUDE_ACTE_SUP");
    read_tables(
        root,
        source,
        link,
        "SERVITUDE_ACTE_SUP",
        report,
        None,
        |t, r| {
            if let (Some(sup), Some(acte)) = (t.text(r, "IDSUP"), t.text(r, "IDACTE")) {
                j.acte_of_sup.entry(sup).or_insert(acte);
            }
        },
    )?;
    rows.extend(servitudes.into_iter().chain(actes));
    let (generateurs, drawn) = read_generateurs(root, source, &j, folder_category, report, rows)?;
    j.generateurs = generateurs;
    Ok((j, drawn))
}

/// Reads each attribute table whose name satisfies `pred`, passing every record to `row` and
/// reporting the table as `layer`; returns the records as rows of `checked` (table, id field)
/// for the conformity checks, when given.
fn read_tables(
    root: &Path,
    source: &Source,
    pred: impl Fn(&str) -> bool,
    layer: &str,
    report: &mut LoadReport,
    checked: Option<(SupTable, &str)>,
    mut row: impl FnMut(&DbfTable, &Record),
) -> Result<Vec<ReadRow>, LoadError> {
    let mut rows = Vec::new();
    for f in files(source, pred) {
        let t = DbfTable::read(f)?;
        let label = relative(root, f);
        for (i, r) in t.records.iter().enumerate() {
            row(&t, r);
            if let Some((table, id)) = checked {
                rows.push(read_row(table, &label, i, &t, r, id));
            }
        }
        report
            .layers
            .push(LayerReport::for_table(root, f, layer, &t));
    }
    Ok(rows)
}

/// The générateurs (shapefiles): their attributes by `IdGen`, for the assiettes, and each drawn,
/// its category from its servitude (`IdSup`), else from the file or delivery name as for the
/// assiettes; one with none is skipped.
fn read_generateurs(
    root: &Path,
    source: &Source,
    joins: &Joins,
    folder_category: Option<&str>,
    report: &mut LoadReport,
    rows: &mut Vec<ReadRow>,
) -> Result<(HashMap<String, GenRow>, Vec<Generateur>), LoadError> {
    let mut generateurs = HashMap::new();
    let mut drawn = Vec::new();
    for f in files(source, |n| n.contains("GENERATEUR_SUP_")).filter(|f| is_shp(f)) {
        let label = relative(root, f);
        let mut layer = shp::read(f, &label, "GENERATEUR_SUP")?;
        let t = &layer.table;
        let from_file = file_category(f, "_GENERATEUR");
        for (i, r, geometry) in &layer.features {
            let id_sup = t.text(r, "IDSUP");
            let categorie = id_sup
                .as_ref()
                .and_then(|s| joins.servitudes.get(s))
                .and_then(|s| s.categorie.clone())
                .or_else(|| from_file.clone())
                .or_else(|| folder_category.map(str::to_string));
            match categorie {
                Some(c) => drawn.push(Generateur {
                    categorie: normalise_category(&c),
                    id_gen: t.text(r, "IDGEN"),
                    nom_gen: t.text(r, "NOMGEN"),
                    type_gen: t.text(r, "TYPEGEN"),
                    mode_genere: t.text(r, "MODEGENERE"),
                    src_geo_gen: t.text(r, "SRCGEOGEN"),
                    date_src_gen: t.text(r, "DATESRCGEN"),
                    fichier: joins.acte_of(id_sup.as_ref()).and_then(|a| a.fichier),
                    source: source.name.clone(),
                    origin: Origin {
                        file: label.clone(),
                        feature: *i,
                    },
                    geometry: geometry.clone(),
                }),
                None => layer
                    .report
                    .skip(&label, *i, "catégorie de servitude introuvable"),
            }
            rows.push(ReadRow {
                id_sup: t.text(r, "IDSUP"),
                ..read_row(SupTable::Generateur, &label, *i, t, r, "IDGEN")
            });
            if let Some(id) = t.text(r, "IDGEN") {
                let row = GenRow {
                    id_sup: t.text(r, "IDSUP"),
                    id_gaspar: t.get_any(r, &["ID_GASPAR", "IDGASPAR"]).map(str::to_string),
                    nom: t.text(r, "NOMGEN"),
                    typ: t.text(r, "TYPEGEN"),
                };
                generateurs.insert(id, row);
            }
        }
        report.layers.push(layer.report);
    }
    Ok((generateurs, drawn))
}

/// The category a file name starts with, before `marker` (`AC1_ASSIETTE_SUP_S.shp`).
fn file_category(file: &Path, marker: &str) -> Option<String> {
    upper_name(file)
        .split(marker)
        .next()
        .filter(|p| !p.is_empty() && !p.contains('_'))
        .map(str::to_string)
}

/// Loads one assiette shapefile, each feature joined to its générateur, servitude and act.
///
/// The category comes from the servitude; when the join fails, from the file name's prefix
/// (`AC1_ASSIETTE_SUP_S`), then from the delivery's name, with a warning; a feature with none is
/// skipped.
fn load_assiettes(
    root: &Path,
    file: &Path,
    source: &Source,
    joins: &Joins,
    folder_category: Option<&str>,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<Vec<ReadRow>, LoadError> {
    let mut rows = Vec::new();
    let label = relative(root, file);
    let shp::ShpLayer {
        table,
        features,
        report: mut r,
    } = shp::read(file, &label, "ASSIETTE_SUP")?;
    let file_category = file_category(file, "_ASSIETTE");
    let geometry_kind = upper_name(file)
        .split("ASSIETTE_SUP_")
        .nth(1)
        .and_then(|s| s.chars().next());
    for (i, rec, geometry) in features {
        rows.push(ReadRow {
            category: file_category
                .clone()
                .or_else(|| folder_category.map(str::to_string)),
            geometry: geometry_kind,
            id_gen: table.text(&rec, "IDGEN"),
            type_ass: table.text(&rec, "TYPEASS"),
            mode_geo_ass: table.text(&rec, "MODEGEOASS"),
            ..read_row(SupTable::Assiette, &label, i, &table, &rec, "IDASS")
        });
        let id_gen = table.text(&rec, "IDGEN");
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
            id_ass: table
                .text(&rec, "IDASS")
                .unwrap_or_else(|| format!("{label}#{i}")),
            nom_ass: table.text(&rec, "NOMASS"),
            type_ass: table.text(&rec, "TYPEASS"),
            id_gen,
            nom_gen: gen.and_then(|g| g.nom.clone()),
            type_gen: gen.and_then(|g| g.typ.clone()),
            nom_sup: sup.and_then(|s| s.nom.clone()),
            nom_sup_litt: sup.and_then(|s| s.nom_litt.clone()),
            acte: joins.acte_of(id_sup.as_ref()),
            id_sup,
            id_gaspar: gen.and_then(|g| g.id_gaspar.clone()),
            source: source.name.clone(),
            origin: Origin {
                file: label.clone(),
                feature: i,
            },
            geometry,
        });
    }
    r.features = parts
        .servitudes
        .iter()
        .filter(|s| s.origin.file == label)
        .count();
    report.layers.push(r);
    Ok(rows)
}

/// The territory named by the delivery, when its boundary is loaded; the hull of its features
/// (from `first` on) in any case.
fn push_coverage(
    source: &Source,
    first: usize,
    folder_category: Option<String>,
    parts: &mut DatasetParts,
) {
    let hull = hull(parts.servitudes[first..].iter().map(|s| &s.geometry));
    for area in territory(&source.name).into_iter().chain([hull]) {
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Servitudes,
            source: source.name.clone(),
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
