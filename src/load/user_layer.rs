//! GeoJSON sources (Etalab cadastre, commune and département boundaries) and
//! layers outside the standards declared in the manifest with a role and a field mapping.

use std::collections::HashMap;
use std::path::Path;

use geo::Geometry;

use super::geojson_file::{self, prop};
use super::geometry::as_multipolygon;
use super::geometry::Features;
use super::manifest::{fill_template, Role, UserLayerSpec};
use super::normalise::{iso_date, normalise_typedoc};
use super::scan::{Source, SourceKind};
use super::{relative, shp, LayerReport, LoadError, LoadReport};
use crate::dataset::{hull, CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use crate::model::{
    Commune, Origin, Parcel, PlanDocument, RiskPlan, RiskPlanKind, RiskZone, ZoneUrba, ZoningZone,
};

/// Etalab cadastre parcels.
pub fn load_cadastre(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    for file in &source.files {
        let label = relative(root, file);
        let (features, mut r) = geojson_file::read(file, &label, "cadastre (parcelles Etalab)")?;
        let before = parts.parcels.len();
        for (i, props, g) in features {
            match parcel(|k| prop(&props, k), g) {
                Ok(p) => parts.parcels.push(p),
                Err(why) => {
                    r.skipped += 1;
                    r.warnings
                        .push(format!("{label} entité {i} ignorée : {why}"));
                }
            }
        }
        r.features = parts.parcels.len() - before;
        report.layers.push(r);
        push_cadastre_coverage(parts, before, &label);
    }
    Ok(())
}

/// A parcel from its attributes (`id`, `commune`, `prefixe`, `section`, `numero`, `contenance`).
fn parcel(get: impl Fn(&str) -> Option<String>, g: Geometry<f64>) -> Result<Parcel, &'static str> {
    let id = get("id").ok_or("identifiant vide ou incomplet")?;
    let geometry = as_multipolygon(g).ok_or("géométrie non polygonale")?;
    Ok(Parcel {
        commune: get("commune").unwrap_or_else(|| crate::model::parcel_commune(&id)),
        prefixe: get("prefixe").unwrap_or_else(|| "000".into()),
        section: get("section").unwrap_or_default(),
        numero: get("numero").unwrap_or_default(),
        contenance: get("contenance").and_then(|c| c.parse().ok()),
        id,
        geometry: Geometry::MultiPolygon(geometry),
    })
}

/// Cadastre coverage is per commune: its boundary if loaded, else the hull of its parcels.
fn push_cadastre_coverage(parts: &mut DatasetParts, from: usize, source: &str) {
    let mut communes: Vec<String> = parts.parcels[from..]
        .iter()
        .map(|p| p.commune.clone())
        .collect();
    communes.sort();
    communes.dedup();
    parts.coverage_hints.push(CoverageHint {
        layer: CoverageLayer::Cadastre,
        source: source.to_string(),
        scope: None,
        area: CoverageArea::Communes(communes),
    });
}

/// Commune or département boundaries (`code`, `nom`).
pub fn load_boundaries(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let departements = matches!(source.kind, SourceKind::Departements);
    for file in &source.files {
        let label = relative(root, file);
        let layer = if departements {
            "limites de départements"
        } else {
            "limites de communes"
        };
        let (features, mut r) = geojson_file::read(file, &label, layer)?;
        for (i, props, g) in features {
            let (Some(code), Some(geometry)) = (
                prop(&props, "code").or_else(|| prop(&props, "insee")),
                as_multipolygon(g),
            ) else {
                r.skipped += 1;
                r.warnings.push(format!(
                    "{label} entité {i} ignorée : pas de code ou géométrie non polygonale"
                ));
                continue;
            };
            let c = Commune {
                insee: code,
                name: prop(&props, "nom").unwrap_or_default(),
                approximate: false,
                geometry: Geometry::MultiPolygon(geometry),
            };
            if departements {
                parts.departements.push(c);
            } else {
                parts.communes.push(c);
            }
        }
        r.features -= r.skipped.min(r.features);
        report.layers.push(r);
    }
    Ok(())
}

type Row = HashMap<String, String>;

/// Reads a user layer (shapefile or GeoJSON) as rows keyed by lower-case field name.
fn read_rows(
    file: &Path,
    label: &str,
    layer: &str,
) -> Result<(Features<Row>, LayerReport), LoadError> {
    let is_shp = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if is_shp {
        let l = shp::read(file, label, layer)?;
        let rows = l
            .features
            .into_iter()
            .map(|(i, rec, g)| {
                let row = l
                    .table
                    .fields
                    .iter()
                    .filter_map(|f| Some((f.to_ascii_lowercase(), l.table.text(&rec, f)?)))
                    .collect();
                (i, row, g)
            })
            .collect();
        Ok((rows, l.report))
    } else {
        let (features, r) = geojson_file::read(file, label, layer)?;
        let rows = features
            .into_iter()
            .map(|(i, props, g)| {
                let row = props
                    .keys()
                    .filter_map(|k| Some((k.to_ascii_lowercase(), prop(&props, k)?)))
                    .collect();
                (i, row, g)
            })
            .collect();
        Ok((rows, r))
    }
}

/// Loads a manifest-declared layer according to its role.
pub fn load(
    root: &Path,
    source: &Source,
    spec: &UserLayerSpec,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let file = &source.files[0];
    let label = relative(root, file);
    let layer_name = match spec.role {
        Role::Parcels => "parcelles (couche déclarée)",
        Role::Zones => "zones (couche déclarée)",
        Role::Risk => "risque (couche déclarée)",
        Role::Zoning => "zonage (couche déclarée)",
    };
    let (rows, mut r) = read_rows(file, &label, layer_name)?;
    let field = |row: &Row, key: &str| -> Option<String> {
        let template = spec.fields.get(key)?;
        fill_template(template, |f| row.get(&f.to_ascii_lowercase()).cloned())
    };
    let required = |key: &str| -> Result<(), LoadError> {
        if spec.fields.contains_key(key) {
            Ok(())
        } else {
            Err(LoadError::Manifest {
                path: file.clone(),
                reason: format!(
                    "le rôle {:?} demande le champ « {key} » dans [source.fields]",
                    spec.role
                ),
            })
        }
    };
    let mut kept = 0;
    let geometries: Vec<Geometry<f64>> = rows.iter().map(|(_, _, g)| g.clone()).collect();
    match spec.role {
        Role::Parcels => {
            required("id")?;
            let before = parts.parcels.len();
            for (i, row, g) in rows {
                match parcel(|k| field(&row, k), g) {
                    Ok(p) => {
                        parts.parcels.push(p);
                        kept += 1;
                    }
                    Err(why) => {
                        r.skipped += 1;
                        r.warnings
                            .push(format!("{label} entité {i} ignorée : {why}"));
                    }
                }
            }
            push_cadastre_coverage(parts, before, &source.name);
        }
        Role::Zones => {
            required("libelle")?;
            let document = spec.document.as_ref().map(|d| {
                parts.documents.push(PlanDocument {
                    idurba: d.idurba.clone(),
                    typedoc: normalise_typedoc(&d.typedoc),
                    datappro: d.datappro.as_deref().and_then(iso_date),
                    communes: d.communes.clone(),
                    urlreg: d.urlreg.clone(),
                    source: source.name.clone(),
                    ..Default::default()
                });
                parts.documents.len() - 1
            });
            for (i, row, geometry) in rows {
                let Some(libelle) = field(&row, "libelle") else {
                    r.skipped += 1;
                    r.warnings
                        .push(format!("{label} entité {i} ignorée : libellé vide"));
                    continue;
                };
                parts.zones.push(ZoneUrba {
                    libelle,
                    libelong: field(&row, "libelong"),
                    typezone: field(&row, "typezone").unwrap_or_default(),
                    destdomi: None,
                    nomfic: field(&row, "nomfic"),
                    urlfic: field(&row, "urlfic"),
                    idurba: spec.document.as_ref().map(|d| d.idurba.clone()),
                    insee: field(&row, "insee"),
                    datvalid: None,
                    document,
                    origin: Origin {
                        file: label.clone(),
                        feature: i,
                    },
                    geometry,
                });
                kept += 1;
            }
            push_coverage(
                parts,
                CoverageLayer::Planning,
                &source.name,
                None,
                spec,
                &geometries,
            );
        }
        Role::Risk => {
            let plan = spec.plan.as_ref().ok_or_else(|| LoadError::Manifest {
                path: file.clone(),
                reason: "rôle risk sans [source.plan]".into(),
            })?;
            let plan_index = parts.risk_plans.len();
            parts.risk_plans.push(RiskPlan {
                code: plan.code.clone(),
                kind: super::ppr::plan_kind(&plan.kind).unwrap_or(RiskPlanKind::Other),
                name: plan.name.clone(),
                date: plan.date.as_deref().and_then(iso_date),
                url: plan.url.clone(),
                perimeter: None,
            });
            for (i, row, geometry) in rows {
                parts.risk_zones.push(RiskZone {
                    plan: plan_index,
                    code: field(&row, "code").unwrap_or_default(),
                    label: field(&row, "label").unwrap_or_else(|| plan.name.clone()),
                    regulation: field(&row, "regulation"),
                    url: field(&row, "url").or_else(|| plan.url.clone()),
                    origin: Origin {
                        file: label.clone(),
                        feature: i,
                    },
                    geometry,
                });
                kept += 1;
            }
            push_coverage(
                parts,
                CoverageLayer::Risks,
                &plan.code,
                None,
                spec,
                &geometries,
            );
        }
        Role::Zoning => {
            required("code")?;
            let theme = spec.theme.as_ref().ok_or_else(|| LoadError::Manifest {
                path: file.clone(),
                reason: "rôle zoning sans « theme »".into(),
            })?;
            let index = match parts.zoning_themes.iter().position(|t| t.key == theme.key) {
                Some(i) => i,
                None => {
                    parts.zoning_themes.push(theme.clone());
                    parts.zoning_themes.len() - 1
                }
            };
            for (i, row, geometry) in rows {
                let Some(code) = field(&row, "code") else {
                    r.skipped += 1;
                    r.warnings
                        .push(format!("{label} entité {i} ignorée : code vide"));
                    continue;
                };
                parts.zoning_zones.push(ZoningZone {
                    theme: index,
                    label: field(&row, "label").unwrap_or_else(|| code.clone()),
                    code,
                    url: field(&row, "url"),
                    origin: Origin {
                        file: label.clone(),
                        feature: i,
                    },
                    geometry,
                });
                kept += 1;
            }
            push_coverage(
                parts,
                CoverageLayer::Zoning,
                &source.name,
                Some(theme.key.clone()),
                spec,
                &geometries,
            );
        }
    }
    r.features = kept;
    report.layers.push(r);
    Ok(())
}

/// A user layer covers the hull of its features, and the communes it declares (whose boundaries
/// may reach further, e.g. a Paris-wide layer declared for the loaded arrondissement).
fn push_coverage(
    parts: &mut DatasetParts,
    layer: CoverageLayer,
    source: &str,
    scope: Option<String>,
    spec: &UserLayerSpec,
    geometries: &[Geometry<f64>],
) {
    let communes = (!spec.coverage_communes.is_empty())
        .then(|| CoverageArea::Communes(spec.coverage_communes.clone()));
    for area in std::iter::once(hull(geometries.iter())).chain(communes) {
        parts.coverage_hints.push(CoverageHint {
            layer,
            source: source.to_string(),
            scope: scope.clone(),
            area,
        });
    }
}
