//! Risk-prevention plans: CNIG PPR 2023 GeoPackages (`*_zonereglementaireurba_s`,
//! `*_zonereglementairefoncier_s`, `*_perimetre_s`, `*_procedure`, `*_referenceinternet`) and
//! COVADIS PPR shapefiles (`N_ZONE_REG_PPRx_*`, `N_PERIMETRE_PPRx_*`).

use std::path::Path;

use super::geometry::as_multipolygon;
use super::gpkg::GeoPackage;
use super::normalise::{iso_date, two_digits};
use super::scan::Source;
use super::{relative, shp, LoadError, LoadReport};
use crate::dataset::{CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use crate::model::{Origin, RiskPlan, RiskPlanKind, RiskZone, RiskZoneKind};

/// `PPRT`, `PPRN`, `PPRI`, `PPRM`… → the plan kind (flood plans are natural-hazard plans).
pub fn plan_kind(text: &str) -> Option<RiskPlanKind> {
    let t = text.to_ascii_uppercase();
    if t.contains("PPRT") {
        Some(RiskPlanKind::Pprt)
    } else if t.contains("PPRM") {
        Some(RiskPlanKind::Pprm)
    } else if t.contains("PPRN") || t.contains("PPRI") || t.contains("PPRL") || t.contains("PPRIF")
    {
        Some(RiskPlanKind::Pprn)
    } else {
        None
    }
}

/// Loads a CNIG PPR 2023 GeoPackage; a GeoPackage without PPR tables is reported and skipped.
pub fn load_gpkg(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    for file in &source.files {
        let label = relative(root, file);
        let gpkg = GeoPackage::open(file)?;
        let tables = gpkg.tables()?;
        let find = |suffix: &str| {
            tables
                .iter()
                .find(|t| t.to_ascii_lowercase().ends_with(suffix))
        };
        let Some(zone_table) = find("_zonereglementaireurba_s") else {
            report.layers.push(super::LayerReport::warning(
                label.clone(),
                "GeoPackage",
                "pas de table *_zonereglementaireurba_s (standard CNIG PPR), ignoré",
            ));
            continue;
        };
        let procedure = match find("_procedure") {
            Some(t) => gpkg.rows(t)?.into_iter().next().unwrap_or_default(),
            None => Default::default(),
        };
        let url = match find("_referenceinternet") {
            Some(t) => gpkg
                .rows(t)?
                .into_iter()
                .find_map(|r| r.get("adresseref").cloned()),
            None => None,
        };
        let mut perimeter = None;
        let mut date = None;
        let mut state = None;
        let mut code = procedure.get("codeprocedure").cloned();
        if let Some(t) = find("_perimetre_s") {
            let (features, r) = gpkg.features(t, &label, "PPR périmètre")?;
            for (_, attrs, g) in features {
                date = date.or_else(|| attrs.get("dateetat").and_then(|d| iso_date(d)));
                state = state.or_else(|| attrs.get("etatprocedure").map(|e| state_words(e)));
                code = code.or_else(|| attrs.get("codeprocedure").cloned());
                perimeter = as_multipolygon(g).or(perimeter);
            }
            report.layers.push(r);
        }
        let code = code.unwrap_or_else(|| source.name.clone());
        let type_text = procedure
            .get("typeprocedure")
            .cloned()
            .unwrap_or_else(|| label.clone());
        let plan_index = parts.risk_plans.len();
        parts.risk_plans.push(RiskPlan {
            kind: plan_kind(&type_text).unwrap_or(RiskPlanKind::Pprn),
            name: procedure
                .get("libelleprocedure")
                .cloned()
                .unwrap_or_else(|| code.clone()),
            code: code.clone(),
            date,
            state,
            url,
            perimeter,
        });
        // The land-measure zoning (secteurs de délaissement / d'expropriation of a PPRT) is a
        // table of its own with its own `typereglement` list; both are answered as risk zones.
        let zonings = [
            (
                Some(zone_table),
                RiskZoneKind::Urba,
                "PPR zonage réglementaire",
            ),
            (
                find("_zonereglementairefoncier_s"),
                RiskZoneKind::Foncier,
                "PPR zonage réglementaire foncier",
            ),
        ];
        for (table, kind, what) in zonings {
            let Some(table) = table else { continue };
            let (features, r) = gpkg.features(table, &label, what)?;
            for (i, attrs, geometry) in features {
                parts.risk_zones.push(RiskZone {
                    plan: plan_index,
                    code: attrs.get("codezonereglement").cloned().unwrap_or_default(),
                    label: attrs
                        .get("libellezonereglement")
                        .cloned()
                        .unwrap_or_default(),
                    kind,
                    regulation: attrs.get("typereglement").map(|c| two_digits(c)),
                    url: None,
                    origin: Origin {
                        file: format!("{label}:{table}"),
                        feature: i,
                    },
                    geometry,
                });
            }
            report.layers.push(r);
        }
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Risks,
            source: code,
            scope: None,
            area: CoverageArea::Perimeter(plan_index),
        });
    }
    Ok(())
}

/// Loads COVADIS PPR shapefiles of one folder (one procedure).
pub fn load_covadis(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default()
    };
    let mut plan_index = None;
    // Perimeter first, so zones can refer to their plan.
    let mut files: Vec<_> = source.files.iter().collect();
    files.sort_by_key(|f| !name(f).starts_with("N_PERIMETRE"));
    for file in files {
        let label = relative(root, file);
        let kind = plan_kind(&name(file)).unwrap_or(RiskPlanKind::Pprn);
        if name(file).starts_with("N_PERIMETRE") {
            let layer = shp::read(file, &label, "PPR périmètre (COVADIS)")?;
            for (_, rec, g) in layer.features.iter().cloned() {
                let t = |f: &str| layer.table.text(&rec, f);
                let code = t("ID_GASPAR").unwrap_or_else(|| source.name.clone());
                plan_index = Some(parts.risk_plans.len());
                parts.risk_plans.push(RiskPlan {
                    name: format!("{} {}", kind_label(kind), code),
                    code,
                    kind,
                    date: t("DATEVALID").and_then(|d| iso_date(&d)),
                    state: None,
                    url: None,
                    perimeter: as_multipolygon(g),
                });
            }
            report.layers.push(layer.report);
        } else {
            let layer = shp::read(file, &label, "PPR zonage réglementaire (COVADIS)")?;
            let plan = match plan_index {
                Some(p) => p,
                None => {
                    let code = layer
                        .features
                        .first()
                        .and_then(|(_, r, _)| layer.table.text(r, "ID_GASPAR"))
                        .unwrap_or_else(|| source.name.clone());
                    parts.risk_plans.push(RiskPlan {
                        name: format!("{} {}", kind_label(kind), code),
                        code,
                        kind,
                        date: None,
                        state: None,
                        url: None,
                        perimeter: None,
                    });
                    *plan_index.insert(parts.risk_plans.len() - 1)
                }
            };
            for (i, rec, geometry) in layer.features {
                let t = |f: &str| layer.table.text(&rec, f);
                let url = t("URLFIC");
                if parts.risk_plans[plan].url.is_none() {
                    parts.risk_plans[plan].url = url.clone();
                }
                parts.risk_zones.push(RiskZone {
                    plan,
                    code: t("CODEZONE").unwrap_or_default(),
                    // Some plans write "-" for "no label".
                    label: t("NOM")
                        .filter(|n| n.chars().any(char::is_alphanumeric))
                        .unwrap_or_default(),
                    kind: RiskZoneKind::Urba,
                    regulation: t("TYPEREG").map(|c| two_digits(&c)),
                    url,
                    origin: Origin {
                        file: label.clone(),
                        feature: i,
                    },
                    geometry,
                });
            }
            report.layers.push(layer.report);
        }
    }
    if let Some(p) = plan_index {
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Risks,
            source: parts.risk_plans[p].code.clone(),
            scope: None,
            area: CoverageArea::Perimeter(p),
        });
    }
    Ok(())
}

/// The CNIG PPR `etatprocedure` value in words: the two states seen in the staged plans are
/// worded, any other is kept as written (lower-cased, `_` as spaces) rather than guessed.
fn state_words(etat: &str) -> String {
    match etat.trim().to_ascii_uppercase().as_str() {
        "APPROUVE" => "approuvé".into(),
        "PRESCRIT" => "prescrit".into(),
        other => other.to_lowercase().replace('_', " "),
    }
}

fn kind_label(kind: RiskPlanKind) -> &'static str {
    match kind {
        RiskPlanKind::Pprn => "PPRN",
        RiskPlanKind::Pprt => "PPRT",
        RiskPlanKind::Pprm => "PPRM",
        RiskPlanKind::Other => "Plan de risques",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn states_in_words() {
        // `APPROUVE`: etatprocedure of both staged CNIG PPR GeoPackages (perimetre_s).
        assert_eq!(super::state_words("APPROUVE"), "approuvé");
        assert_eq!(super::state_words("EN_REVISION"), "en revision");
    }
}
