//! GeoJSON sources (Etalab cadastre, commune and département boundaries) and
//! layers outside the standards declared in the manifest with a role and a field mapping.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::Geometry;

use super::geojson_file::{self, prop};
use super::geometry::as_multipolygon;
use super::geometry::Features;
use super::manifest::{fill_template, template_fields, Role, UserLayerSpec};
use super::normalise::{iso_date, normalise_typedoc};
use super::scan::{Source, SourceKind};
use super::{relative, shp, LayerReport, LoadError, LoadReport};
use crate::dataset::{hull, CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use crate::model::{
    Commune, Origin, Parcel, PlanDocument, RiskPlan, RiskPlanKind, RiskZone, RiskZoneKind,
    ZoneUrba, ZoningZone,
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
        push_parcels(features, prop, &mut r, parts);
        report.layers.push(r);
    }
    Ok(())
}

/// Etalab parcels from the features of a file or table (`get` reads an attribute), each unusable
/// one skipped with its reason in `r`; the cadastre's coverage follows their communes.
pub(super) fn push_parcels<A>(
    features: Features<A>,
    get: impl Fn(&A, &str) -> Option<String>,
    r: &mut LayerReport,
    parts: &mut DatasetParts,
) {
    let label = r.file.clone();
    let before = parts.parcels.len();
    for (i, attrs, g) in features {
        match parcel(|k| get(&attrs, k), g) {
            Ok(p) => parts.parcels.push(p),
            Err(why) => r.skip(&label, i, why),
        }
    }
    r.features = parts.parcels.len() - before;
    push_cadastre_coverage(parts, before, &label);
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
        let boundaries = boundaries(features, prop, &mut r);
        if departements {
            parts.departements.extend(boundaries);
        } else {
            parts.communes.extend(boundaries);
        }
        report.layers.push(r);
    }
    Ok(())
}

/// Commune or département boundaries (`code` or `insee`, `nom`) from the features of a file or
/// table (`get` reads an attribute), each unusable one skipped with its reason in `r`.
pub(super) fn boundaries<A>(
    features: Features<A>,
    get: impl Fn(&A, &str) -> Option<String>,
    r: &mut LayerReport,
) -> Vec<Commune> {
    let label = r.file.clone();
    let mut out = Vec::new();
    for (i, attrs, g) in features {
        let (Some(code), Some(geometry)) = (
            get(&attrs, "code").or_else(|| get(&attrs, "insee")),
            as_multipolygon(g),
        ) else {
            r.skip(&label, i, "pas de code ou géométrie non polygonale");
            continue;
        };
        out.push(Commune {
            insee: code,
            name: get(&attrs, "nom").unwrap_or_default(),
            approximate: false,
            geometry: Geometry::MultiPolygon(geometry),
        });
    }
    r.features = out.len();
    out
}

type Row = HashMap<String, String>;

/// Reads a user layer (shapefile or GeoJSON) as rows keyed by lower-case field name, with the
/// layer's field names (lower case, sorted; for a GeoJSON file, every property key met).
fn read_rows(
    file: &Path,
    label: &str,
    layer: &str,
) -> Result<(Features<Row>, LayerReport, Vec<String>), LoadError> {
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
        let mut fields: Vec<String> = l
            .table
            .fields
            .iter()
            .map(|f| f.to_ascii_lowercase())
            .collect();
        fields.sort();
        Ok((rows, l.report, fields))
    } else {
        let (features, r) = geojson_file::read(file, label, layer)?;
        let fields: std::collections::BTreeSet<String> = features
            .iter()
            .flat_map(|(_, props, _)| props.keys().map(|k| k.to_ascii_lowercase()))
            .collect();
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
        Ok((rows, r, fields.into_iter().collect()))
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
    let (rows, mut r, fields) = read_rows(file, &label, layer_name)?;
    warn_unknown_template_fields(&spec.fields, &fields, &mut r);
    let mut layer = Declared {
        spec,
        source,
        label,
        report: r,
        kept: 0,
    };
    match spec.role {
        Role::Parcels => layer.parcels(rows, parts)?,
        Role::Zones => layer.zones(rows, parts)?,
        Role::Risk => layer.risk_zones(rows, parts)?,
        Role::Zoning => layer.zoning_zones(rows, parts)?,
    }
    layer.report.features = layer.kept;
    report.layers.push(layer.report);
    Ok(())
}

/// A `[source.fields]` template naming a field the file does not have fills nothing: every
/// feature would lose that value (or be skipped, for an id) with no other sign of the typo.
/// `fields` are the layer's field names, lower case and sorted.
pub(super) fn warn_unknown_template_fields(
    mapping: &BTreeMap<String, String>,
    fields: &[String],
    r: &mut LayerReport,
) {
    for (key, template) in mapping {
        for f in template_fields(template) {
            if fields.binary_search(&f.to_ascii_lowercase()).is_err() {
                r.warnings.push(format!(
                    "{} : [source.fields] {key} = \"{template}\" nomme le champ « {f} », absent du \
                     fichier (champs : {})",
                    r.file,
                    fields.join(", ")
                ));
            }
        }
    }
}

/// A manifest-declared layer being read: its mapping, its report, the features kept.
struct Declared<'a> {
    spec: &'a UserLayerSpec,
    source: &'a Source,
    /// The file, relative to the data folder, for reports and feature origins.
    label: String,
    report: LayerReport,
    kept: usize,
}

impl Declared<'_> {
    /// The value of mapped field `key` for a row (`None` when unmapped or a referenced field is blank).
    fn field(&self, row: &Row, key: &str) -> Option<String> {
        let template = self.spec.fields.get(key)?;
        fill_template(template, |f| row.get(&f.to_ascii_lowercase()).cloned())
    }

    /// A manifest error about this layer.
    fn manifest_error(&self, reason: String) -> LoadError {
        LoadError::Manifest {
            path: self.source.files[0].clone(),
            reason,
        }
    }

    /// The role needs field `key` in `[source.fields]`.
    fn required(&self, key: &str) -> Result<(), LoadError> {
        if self.spec.fields.contains_key(key) {
            return Ok(());
        }
        Err(self.manifest_error(format!(
            "le rôle {:?} demande le champ « {key} » dans [source.fields]",
            self.spec.role
        )))
    }

    fn origin(&self, feature: usize) -> Origin {
        Origin {
            file: self.label.clone(),
            feature,
        }
    }

    /// The coverage of a layer: the hull of its features (every row, kept or not) and the
    /// communes it declares, whose boundaries may reach further (a Paris-wide layer declared for
    /// the loaded arrondissement).
    fn push_coverage(
        &self,
        parts: &mut DatasetParts,
        layer: CoverageLayer,
        source: &str,
        scope: Option<String>,
        hull_area: CoverageArea,
    ) {
        let communes = (!self.spec.coverage_communes.is_empty())
            .then(|| CoverageArea::Communes(self.spec.coverage_communes.clone()));
        for area in std::iter::once(hull_area).chain(communes) {
            parts.coverage_hints.push(CoverageHint {
                layer,
                source: source.to_string(),
                scope: scope.clone(),
                area,
            });
        }
    }

    fn parcels(&mut self, rows: Features<Row>, parts: &mut DatasetParts) -> Result<(), LoadError> {
        self.required("id")?;
        let before = parts.parcels.len();
        for (i, row, g) in rows {
            match parcel(|k| self.field(&row, k), g) {
                Ok(p) => {
                    parts.parcels.push(p);
                    self.kept += 1;
                }
                Err(why) => self.report.skip(&self.label, i, why),
            }
        }
        push_cadastre_coverage(parts, before, &self.source.name);
        Ok(())
    }

    fn zones(&mut self, rows: Features<Row>, parts: &mut DatasetParts) -> Result<(), LoadError> {
        self.required("libelle")?;
        let hull_area = hull(rows.iter().map(|(_, _, g)| g));
        let document = self.spec.document.as_ref().map(|d| {
            parts.documents.push(PlanDocument {
                idurba: d.idurba.clone(),
                typedoc: normalise_typedoc(&d.typedoc),
                datappro: d.datappro.as_deref().and_then(iso_date),
                communes: d.communes.clone(),
                urlreg: d.urlreg.clone(),
                source: self.source.name.clone(),
                layers: crate::model::DeliveredLayers {
                    zones: crate::model::LayerDelivery::Delivered,
                    ..Default::default()
                },
                ..Default::default()
            });
            parts.documents.len() - 1
        });
        for (i, row, geometry) in rows {
            let Some(libelle) = self.field(&row, "libelle") else {
                self.report.skip(&self.label, i, "libellé vide");
                continue;
            };
            parts.zones.push(ZoneUrba {
                libelle,
                libelong: self.field(&row, "libelong"),
                typezone: self.field(&row, "typezone").unwrap_or_default(),
                destdomi: None,
                nomfic: self.field(&row, "nomfic"),
                urlfic: self.field(&row, "urlfic"),
                idurba: self.spec.document.as_ref().map(|d| d.idurba.clone()),
                insee: self.field(&row, "insee"),
                datvalid: None,
                sector: false,
                document,
                origin: self.origin(i),
                geometry,
            });
            self.kept += 1;
        }
        let name = &self.source.name;
        self.push_coverage(parts, CoverageLayer::Planning, name, None, hull_area);
        Ok(())
    }

    fn risk_zones(
        &mut self,
        rows: Features<Row>,
        parts: &mut DatasetParts,
    ) -> Result<(), LoadError> {
        let plan = self
            .spec
            .plan
            .as_ref()
            .ok_or_else(|| self.manifest_error("rôle risk sans [source.plan]".into()))?;
        let hull_area = hull(rows.iter().map(|(_, _, g)| g));
        let plan_index = parts.risk_plans.len();
        parts.risk_plans.push(RiskPlan {
            code: plan.code.clone(),
            kind: super::ppr::plan_kind(&plan.kind).unwrap_or(RiskPlanKind::Other),
            name: plan.name.clone(),
            date: plan.date.as_deref().and_then(iso_date),
            state: None,
            url: plan.url.clone(),
            perimeter: None,
        });
        for (i, row, geometry) in rows {
            parts.risk_zones.push(RiskZone {
                plan: plan_index,
                code: self.field(&row, "code").unwrap_or_default(),
                label: self
                    .field(&row, "label")
                    .unwrap_or_else(|| plan.name.clone()),
                kind: RiskZoneKind::Urba,
                regulation: self.field(&row, "regulation"),
                url: self.field(&row, "url").or_else(|| plan.url.clone()),
                origin: self.origin(i),
                geometry,
            });
            self.kept += 1;
        }
        self.push_coverage(parts, CoverageLayer::Risks, &plan.code, None, hull_area);
        Ok(())
    }

    fn zoning_zones(
        &mut self,
        rows: Features<Row>,
        parts: &mut DatasetParts,
    ) -> Result<(), LoadError> {
        self.required("code")?;
        let theme = self
            .spec
            .theme
            .as_ref()
            .ok_or_else(|| self.manifest_error("rôle zoning sans « theme »".into()))?;
        let hull_area = hull(rows.iter().map(|(_, _, g)| g));
        // Several files may map one theme: they share its index.
        let index = match parts.zoning_themes.iter().position(|t| t.key == theme.key) {
            Some(i) => i,
            None => {
                parts.zoning_themes.push(theme.clone());
                parts.zoning_themes.len() - 1
            }
        };
        for (i, row, geometry) in rows {
            let Some(code) = self.field(&row, "code") else {
                self.report.skip(&self.label, i, "code vide");
                continue;
            };
            parts.zoning_zones.push(ZoningZone {
                theme: index,
                label: self.field(&row, "label").unwrap_or_else(|| code.clone()),
                code,
                url: self.field(&row, "url"),
                origin: self.origin(i),
                geometry,
            });
            self.kept += 1;
        }
        let (name, key) = (&self.source.name, Some(theme.key.clone()));
        self.push_coverage(parts, CoverageLayer::Zoning, name, key, hull_area);
        Ok(())
    }
}
