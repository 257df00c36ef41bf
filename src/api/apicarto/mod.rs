//! API Carto compatibility: IGN's « GPU » (urbanisme) and « cadastre » modules, answered from the
//! loaded dataset, so that a client written for `apicarto.ign.fr` works unchanged.
//!
//! Routes, parameters and answer shapes follow IGN's OpenAPI specifications (`doc/gpu.yml`,
//! `doc/cadastre.yml` of `IGNF/apicarto`), its controllers and its user guides
//! (`doc/pdf/docUser_moduleUrbanisme.pdf`, `docUser_moduleCadastre.pdf`): GeoJSON
//! FeatureCollections with `totalFeatures`, features `<table>.<gid>` whose properties carry the
//! GPU / Parcellaire Express attribute names. A field the loaded data does not hold is `null`,
//! never made up; `docs/api.md` « Compatibilité API Carto » lists what differs from IGN's.
//!
//! - [`gpu`]: `/api/gpu/*`, one table per route, and `/api/gpu/all`;
//! - [`cadastre`]: `/api/cadastre/parcelle` and `/api/cadastre/commune`;
//! - [`params`]: the parameters, from the query string or a POST JSON body;
//! - [`geometry`]: the `geom` parameter and the features it meets.

mod cadastre;
mod geometry;
mod gpu;
mod params;

use std::borrow::Cow;

use axum::body::Body;
use axum::Json;
use geo::{BoundingRect, Geometry, Rect};
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;

use super::{ApiError, AppState};
use crate::dataset::Dataset;
use params::{CartoParams, Page};

/// The routes of both modules, merged into [`super::router`]; answers are gzip-compressed when
/// the client accepts it (parcels and zones are large GeoJSON).
pub fn routes() -> OpenApiRouter<AppState> {
    gpu::routes().merge(cadastre::routes())
}

/// Every route's handler: reads the parameters (query and POST body), then runs `work` on the
/// current dataset off the async workers, within the time budget — a page of a thousand parcels
/// or zones is milliseconds of serialising.
pub(crate) async fn answer(
    state: AppState,
    raw: Option<String>,
    body: Body,
    work: impl FnOnce(&Dataset, &CartoParams) -> Result<Value, ApiError> + Send + 'static,
) -> Result<Json<Value>, ApiError> {
    let params = CartoParams::read(raw.as_deref(), body).await?;
    let data = state.dataset();
    let value = state.workers.run(move || work(&data, &params)).await??;
    Ok(Json(value))
}

/// One feature before paging: its key, its geometry as loaded (or none, for tables without one)
/// and its properties.
pub(crate) struct Item<'d> {
    /// The feature's key in its layer (`gid`).
    pub gid: usize,
    /// Its geometry, WGS84: a feature's own, or built for the answer (a document's territory).
    pub geometry: Option<Cow<'d, Geometry<f64>>>,
    /// Its properties, in IGN's attribute names.
    pub properties: Map<String, Value>,
}

/// A GeoJSON FeatureCollection as IGN answers it: the features of `page` among `items`, with
/// `totalFeatures`/`numberMatched` (all matching) and `numberReturned`, a `bbox` on the collection
/// and on each located feature, and the WFS `crs` member
/// IGN's answers carry (`urn:ogc:def:crs:EPSG::4326`, longitude/latitude order as written).
pub(crate) fn collection(table: &str, items: Vec<Item<'_>>, page: Page) -> Value {
    let total = items.len();
    let mut bbox: Option<Rect<f64>> = None;
    let features: Vec<Value> = items
        .into_iter()
        .skip(page.start)
        .take(page.limit)
        .map(|item| {
            let rect = item.geometry.as_ref().and_then(|g| g.bounding_rect());
            let geometry = item
                .geometry
                .map(|g| geojson::Geometry::from(&geometry::as_multi(&g)));
            let mut feature = json!({
                "type": "Feature",
                "id": format!("{table}.{}", item.gid),
                "geometry": geometry,
                "geometry_name": "the_geom",
                "properties": item.properties,
            });
            if let Some(r) = rect {
                feature["bbox"] = bbox_of(r);
                bbox = Some(bbox.map_or(r, |b| union(b, r)));
            }
            feature
        })
        .collect();
    let returned = features.len();
    let mut out = json!({
        "type": "FeatureCollection",
        "features": features,
        "totalFeatures": total,
        "numberMatched": total,
        "numberReturned": returned,
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::4326" } },
    });
    if let Some(b) = bbox {
        out["bbox"] = bbox_of(b);
    }
    out
}

/// An RFC 7946 `bbox`: west, south, east, north.
fn bbox_of(r: Rect<f64>) -> Value {
    json!([r.min().x, r.min().y, r.max().x, r.max().y])
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        geo::Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// Communes split into municipal arrondissements: the INSEE code of the commune and the range of
/// its arrondissements' codes (INSEE, Code officiel géographique: Paris 75101–75120, Lyon
/// 69381–69389, Marseille 13201–13216). The cadastre is kept per arrondissement.
const ARRONDISSEMENTS: [(&str, &str, &str); 3] = [
    ("75056", "75101", "75120"),
    ("69123", "69381", "69389"),
    ("13055", "13201", "13216"),
];

/// Whether commune `insee` is the one asked for as `code`: the same code, or an arrondissement
/// of the commune `code` (75056 finds 75101–75120).
pub(crate) fn commune_matches(code: &str, insee: &str) -> bool {
    code.eq_ignore_ascii_case(insee)
        || ARRONDISSEMENTS
            .iter()
            .any(|(city, first, last)| code == *city && (*first..=*last).contains(&insee))
}

/// The arrondissement number of `insee` (`118` for 75118), `000` outside Paris, Lyon and
/// Marseille: Parcellaire Express's `code_arr`.
pub(crate) fn code_arr(insee: &str) -> &str {
    let is_arrondissement = ARRONDISSEMENTS
        .iter()
        .any(|(_, first, last)| (*first..=*last).contains(&insee));
    match insee.get(2..) {
        Some(arr) if is_arrondissement => arr,
        _ => "000",
    }
}

/// `insee` split as the cadastre does: département (2 characters, 3 overseas: 971–976) and
/// commune number.
pub(crate) fn dep_com(insee: &str) -> (&str, &str) {
    let cut = if insee.starts_with("97") { 3 } else { 2 };
    match (insee.get(..cut), insee.get(cut..)) {
        (Some(d), Some(c)) => (d, c),
        _ => (insee, ""),
    }
}

/// `v`'s members (properties are written with `json!`).
pub(crate) fn props(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// An ISO date `yyyy-mm-dd` as the GPU writes dates (`AAAAMMJJ`).
pub(crate) fn gpu_date(iso: Option<&str>) -> Value {
    iso.map_or(Value::Null, |d| Value::String(d.replace('-', "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrondissements_are_found_from_the_city_code() {
        // Ranges from the INSEE Code officiel géographique (by hand).
        assert!(commune_matches("75056", "75118"));
        assert!(commune_matches("75118", "75118"));
        assert!(!commune_matches("75056", "75121"));
        assert!(commune_matches("2a004", "2A004"));
        assert_eq!(code_arr("75118"), "118");
        assert_eq!(code_arr("69385"), "385");
        assert_eq!(code_arr("91216"), "000");
        assert_eq!(dep_com("97411"), ("974", "11"));
        assert_eq!(dep_com("2A004"), ("2A", "004"));
        assert_eq!(gpu_date(Some("2017-10-13")), json!("20171013"));
    }
}
