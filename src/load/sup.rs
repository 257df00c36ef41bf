//! CNIG SUP deliveries (standard 2016): assiettes joined to their générateur, servitude and act.
//!
//! A plot is affected by an easement where it meets an *assiette*; the join
//! assiette → générateur (`IdGen`) → servitude (`IdSup`) → act (`SERVITUDE_ACTE_SUP`) gives the
//! category code (from the servitude table), the names and the legal reference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::dbf::DbfTable;
use super::normalise::iso_date;
use super::scan::Source;
use super::{relative, shp, LayerReport, LoadError, LoadReport};
use crate::dataset::{hull, CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use crate::model::{ActeSup, Origin, Servitude};

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

fn upper_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default()
}

fn is_shp(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp"))
}

/// Loads one SUP delivery.
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let files = |pred: &dyn Fn(&str) -> bool| -> Vec<&PathBuf> {
        source
            .files
            .iter()
            .filter(|f| pred(&upper_name(f)))
            .collect()
    };
    let mut servitudes: HashMap<String, SupRow> = HashMap::new();
    for f in files(&|n| n.contains("SERVITUDE") && !n.contains("ACTE")) {
        let t = DbfTable::read(f)?;
        for r in &t.records {
            if let Some(id) = t.text(r, "IDSUP") {
                servitudes.insert(
                    id,
                    SupRow {
                        categorie: t.text(r, "CATEGORIE"),
                        nom: t.text(r, "NOMSUP"),
                        nom_litt: t.text(r, "NOMSUPLITT"),
                    },
                );
            }
        }
        report
            .layers
            .push(LayerReport::for_table(root, f, "SERVITUDE", &t));
    }
    let mut actes: HashMap<String, ActeSup> = HashMap::new();
    for f in files(&|n| n.contains("ACTE_SUP") && !n.contains("SERVITUDE")) {
        let t = DbfTable::read(f)?;
        for r in &t.records {
            if let Some(id) = t.text(r, "IDACTE") {
                actes.insert(
                    id,
                    ActeSup {
                        nom: t.text(r, "NOMACTE"),
                        reference: t.text(r, "REFERENCE").filter(|v| v != "inconnu"),
                        type_acte: t.text(r, "TYPEACTE"),
                        fichier: t.text(r, "FICHIER"),
                        date_decision: t.text(r, "DATEDECIS").and_then(|d| iso_date(&d)),
                    },
                );
            }
        }
        report
            .layers
            .push(LayerReport::for_table(root, f, "ACTE_SUP", &t));
    }
    let mut acte_of_sup: HashMap<String, String> = HashMap::new();
    for f in files(&|n| n.contains("SERVITUDE_ACTE_SUP")) {
        let t = DbfTable::read(f)?;
        for r in &t.records {
            if let (Some(sup), Some(acte)) = (t.text(r, "IDSUP"), t.text(r, "IDACTE")) {
                acte_of_sup.entry(sup).or_insert(acte);
            }
        }
        report
            .layers
            .push(LayerReport::for_table(root, f, "SERVITUDE_ACTE_SUP", &t));
    }
    let mut generateurs: HashMap<String, GenRow> = HashMap::new();
    for f in files(&|n| n.contains("GENERATEUR_SUP_")) {
        if !is_shp(f) {
            continue;
        }
        let label = relative(root, f);
        let layer = shp::read(f, &label, "GENERATEUR_SUP")?;
        for (_, r, _) in &layer.features {
            if let Some(id) = layer.table.text(r, "IDGEN") {
                generateurs.insert(
                    id,
                    GenRow {
                        id_sup: layer.table.text(r, "IDSUP"),
                        id_gaspar: layer
                            .table
                            .get_any(r, &["ID_GASPAR", "IDGASPAR"])
                            .map(str::to_string),
                        nom: layer.table.text(r, "NOMGEN"),
                        typ: layer.table.text(r, "TYPEGEN"),
                    },
                );
            }
        }
        report.layers.push(layer.report);
    }
    let folder_category = folder_token(&source.name, 1);
    let first_servitude = parts.servitudes.len();
    for f in files(&|n| n.contains("ASSIETTE_SUP_")) {
        if !is_shp(f) {
            continue;
        }
        let label = relative(root, f);
        let shp::ShpLayer {
            table,
            features,
            report: mut r,
        } = shp::read(f, &label, "ASSIETTE_SUP")?;
        // The category prefix of the file name (`AC1_ASSIETTE_SUP_S`) is the fallback when the join fails.
        let file_category = upper_name(f)
            .split("_ASSIETTE")
            .next()
            .filter(|p| !p.is_empty() && !p.contains('_'))
            .map(str::to_string);
        for (i, rec, geometry) in features {
            let id_gen = table.text(&rec, "IDGEN");
            let gen = id_gen.as_ref().and_then(|g| generateurs.get(g));
            let id_sup = gen.and_then(|g| g.id_sup.clone());
            let sup = id_sup.as_ref().and_then(|s| servitudes.get(s));
            let categorie = sup
                .and_then(|s| s.categorie.clone())
                .or_else(|| file_category.clone())
                .or_else(|| folder_category.clone());
            let Some(categorie) = categorie else {
                r.skipped += 1;
                r.warnings.push(format!(
                    "{label} entité {i} ignorée : catégorie de servitude introuvable"
                ));
                continue;
            };
            if sup.is_none() {
                r.warnings.push(format!(
                    "{label} entité {i} : servitude non trouvée par IdGen/IdSup, catégorie {categorie} prise du nom de fichier"
                ));
            }
            let acte = id_sup
                .as_ref()
                .and_then(|s| acte_of_sup.get(s))
                .and_then(|a| actes.get(a))
                .cloned();
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
                id_sup,
                acte,
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
    }
    // The territory named by the delivery, when its boundary is loaded; the features' hull in any case.
    let areas = territory(&source.name)
        .into_iter()
        .chain(std::iter::once(hull(
            parts.servitudes[first_servitude..]
                .iter()
                .map(|s| &s.geometry),
        )));
    for area in areas.collect::<Vec<_>>() {
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Servitudes,
            source: source.name.clone(),
            scope: folder_category.clone(),
            area,
        });
    }
    Ok(())
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
