//! `format=geojson`: a lookup answer as a plain RFC 7946 FeatureCollection, the document QGIS,
//! GDAL, Leaflet or OpenLayers open as is.
//!
//! One Feature per item found — the parcel, each zone, prescription, information, easement
//! assiette, risk zone and zoning zone — its `kind` property saying which (`parcel`, `zone`,
//! `prescription`, `information`, `servitude`, `risk`, `zoning`) and its other properties the
//! item's fields as the JSON answer writes them. An item's own `kind` (a risk's plan kind) is
//! renamed `plan_kind`, and a zoning zone gets its section's `theme`. Everything else of the
//! answer (position, status, document, coverage, summary, warnings…) is kept as top-level foreign
//! members (RFC 7946 §6.1): GIS software ignores them and draws the features, a web page reads
//! `summary` next to the layer it draws, as with the counts of `/api/layers/<layer>`.

use serde_json::{json, Map, Value};

use super::LookupAnswer;

/// The item lists of the answer and the `kind` of their features, in answer order.
const SECTIONS: [(&str, &str); 5] = [
    ("zones", "zone"),
    ("prescriptions", "prescription"),
    ("informations", "information"),
    ("servitudes", "servitude"),
    ("risks", "risk"),
];

/// `answer` as a FeatureCollection. Items carry the geometry the answer gives them: write the
/// answer with [`super::LookupOptions::geometry`] set, or its features have a `null` geometry.
///
/// # Errors
/// When the answer cannot be serialised (none of its types can fail to).
pub fn feature_collection(answer: &LookupAnswer) -> Result<Value, serde_json::Error> {
    let Value::Object(mut rest) = serde_json::to_value(answer)? else {
        return Ok(Value::Null);
    };
    let mut features = Vec::new();
    if let Some(Value::Object(parcel)) = rest.remove("parcel") {
        features.push(feature("parcel", parcel));
    }
    for (section, kind) in SECTIONS {
        if let Some(Value::Array(items)) = rest.remove(section) {
            features.extend(objects(items).map(|item| feature(kind, item)));
        }
    }
    // The zoning sections stay (theme, name, covered) without their zones, which become features.
    if let Some(Value::Array(sections)) = rest.get_mut("zonings") {
        for section in sections.iter_mut().filter_map(Value::as_object_mut) {
            let theme = section.get("theme").cloned().unwrap_or(Value::Null);
            if let Some(Value::Array(zones)) = section.remove("zones") {
                features.extend(objects(zones).map(|mut zone| {
                    zone.insert("theme".into(), theme.clone());
                    feature("zoning", zone)
                }));
            }
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("FeatureCollection"));
    out.insert("features".into(), Value::Array(features));
    out.extend(rest);
    Ok(Value::Object(out))
}

fn objects(items: Vec<Value>) -> impl Iterator<Item = Map<String, Value>> {
    items.into_iter().filter_map(|v| match v {
        Value::Object(m) => Some(m),
        _ => None,
    })
}

/// One item as a Feature of `kind`, its geometry taken out of its properties.
fn feature(kind: &str, mut properties: Map<String, Value>) -> Value {
    let geometry = properties.remove("geometry").unwrap_or(Value::Null);
    if let Some(own) = properties.remove("kind") {
        properties.insert("plan_kind".into(), own);
    }
    properties.insert("kind".into(), json!(kind));
    json!({ "type": "Feature", "geometry": geometry, "properties": properties })
}
