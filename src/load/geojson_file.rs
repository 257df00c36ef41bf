//! GeoJSON FeatureCollections (Etalab cadastre, commune boundaries, user layers), in WGS84 as
//! RFC 7946 requires; a legacy `crs` member naming another CRS is honoured.

use std::path::Path;

use serde_json::{Map, Value};

use super::geometry::{collect, Features};
use super::{LayerReport, LoadError};
use crate::crs::Crs;
use crate::geometry::{geometry_from_geojson, GeoJsonGeometryError};

/// Feature properties.
pub type Properties = Map<String, Value>;

/// Reads a FeatureCollection: (feature number, properties, geometry) for each usable feature.
pub fn read(
    path: &Path,
    file_label: &str,
    layer: &str,
) -> Result<(Features<Properties>, LayerReport), LoadError> {
    let text = super::archive::read_to_string(path)?;
    // A FeatureCollection is the norm; a lone Feature (e.g. one département) is accepted too.
    let fc = match text
        .parse::<geojson::GeoJson>()
        .map_err(|e| LoadError::corrupt(path, format!("GeoJSON invalide : {e}")))?
    {
        geojson::GeoJson::FeatureCollection(fc) => fc,
        geojson::GeoJson::Feature(f) => geojson::FeatureCollection {
            bbox: None,
            features: vec![f],
            foreign_members: None,
        },
        geojson::GeoJson::Geometry(_) => {
            return Err(LoadError::corrupt(
                path,
                "géométrie GeoJSON nue : une Feature ou une FeatureCollection est attendue",
            ))
        }
    };
    let crs = legacy_crs(&fc).map_err(|e| LoadError::crs(path, e))?;
    let mut report = LayerReport {
        file: file_label.to_string(),
        layer: layer.to_string(),
        crs: Some(crs.name.clone()),
        encoding: Some("UTF-8".into()),
        ..Default::default()
    };
    let mut items = Vec::with_capacity(fc.features.len());
    for (i, feature) in fc.features.into_iter().enumerate() {
        let geometry = match feature.geometry.map(geometry_from_geojson) {
            None => Err("géométrie nulle".to_string()),
            Some(Ok(g)) => Ok(g),
            // A position without two numbers breaks RFC 7946 itself: the file is malformed, like
            // unparsable JSON, not one odd feature to skip.
            Some(Err(e @ GeoJsonGeometryError::ShortPosition(_))) => {
                return Err(LoadError::corrupt(path, format!("entité {i} : {e}")))
            }
            Some(Err(e)) => Err(e.to_string()),
        };
        items.push((i, feature.properties.unwrap_or_default(), geometry));
    }
    let out = collect(items.into_iter(), &crs, file_label, &mut report);
    Ok((out, report))
}

/// The CRS named by a pre-RFC 7946 `crs` member (`urn:ogc:def:crs:EPSG::2154`), else WGS84.
fn legacy_crs(fc: &geojson::FeatureCollection) -> Result<Crs, crate::crs::CrsError> {
    let name = fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(Value::as_str);
    match name.and_then(|n| n.rsplit(':').next()?.parse::<u32>().ok()) {
        Some(code) if code != 84 => Crs::from_epsg(code),
        _ => Ok(Crs::wgs84()),
    }
}

/// A property as text (numbers and strings alike), `None` when absent, null or blank.
pub fn prop(props: &Properties, key: &str) -> Option<String> {
    let v = props
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)?;
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}
