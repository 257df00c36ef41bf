//! `GET /api/layers`: the dataset's own features in a map view, as GeoJSON, for the map page.
//!
//! The page draws its layers from the data itself so that it works offline, with no basemap. A map
//! view can hold a lot (all of Paris 18e's parcels, a département's communes), so each layer is
//! **capped** in feature count (largest features kept, since they are the ones a reader sees) and
//! **simplified** to about half a screen pixel at the requested zoom (sub-pixel parts dropped or
//! drawn as a dot); the answer says when it did
//! either. Parcels are only sent from [`PARCEL_MIN_ZOOM`]: below it they are specks.
//!
//! Query: `bbox=minlon,minlat,maxlon,maxlat` (WGS84, required), `zoom=Z` (0–22, required, may be
//! fractional), `layers=communes,parcels,zones,servitudes,risks,prescriptions` (default: all but
//! prescriptions). Answer:
//!
//! ```json
//! { "bbox": [..], "zoom": 16, "tolerance_deg": 0.000005,
//!   "layers": { "zones": { "type": "FeatureCollection", "features": [..],
//!                          "total": 12, "returned": 12, "capped": false, "simplified": true } } }
//! ```

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use geo::{
    BooleanOps, BoundingRect, Contains, Coord, CoordsIter, Geometry, InteriorPoint, LineString,
    MapCoords, MultiPolygon, Polygon, Rect, Simplify,
};
use geojson::{Feature, FeatureCollection, JsonObject};
use serde_json::{json, Value};

use super::params::Params;
use super::{ApiError, AppState};
use crate::dataset::Dataset;
use crate::index::{HasGeometry, SpatialLayer};
use crate::nomenclature::{nomenclature, regulation, zone_family};

/// Below this zoom no parcel is sent (a parcel is then a few pixels wide at most).
pub const PARCEL_MIN_ZOOM: f64 = 16.0;

/// Highest zoom accepted (Leaflet's usual maximum plus some room).
const MAX_ZOOM: f64 = 22.0;

/// From this zoom on geometries are sent as loaded: a pixel is then a few centimetres.
const NO_SIMPLIFY_ZOOM: f64 = 19.0;

/// Every layer the endpoint knows, in drawing order (bottom first).
pub const LAYER_NAMES: [&str; 6] = [
    "communes",
    "zones",
    "prescriptions",
    "servitudes",
    "risks",
    "parcels",
];

/// Layers sent when `layers` is absent: prescriptions are many small symbols, asked for explicitly.
const DEFAULT_LAYERS: [&str; 5] = ["communes", "zones", "servitudes", "risks", "parcels"];

/// Most features sent per layer. Sized so that the densest staged view (Paris 18e parcels at
/// zoom 16 on a large screen) fits, while a forged huge bbox stays a bounded answer (~1 MB).
fn max_features(layer: &str) -> usize {
    match layer {
        "parcels" => 3000,
        "communes" => 2000,
        "zones" => 2000,
        _ => 1500,
    }
}

/// The routes of this module, merged into [`super::router`]. Answers are gzip-compressed when the
/// client accepts it: GeoJSON shrinks about tenfold.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/layers", get(get_layers))
        .layer(tower_http::compression::CompressionLayer::new())
}

/// A validated request.
#[derive(Debug, Clone)]
struct LayersQuery {
    bbox: Rect<f64>,
    zoom: f64,
    layers: Vec<&'static str>,
}

async fn get_layers(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = parse_query(&Params::parse(raw.as_deref())?)?;
    let data = state.dataset();
    // Simplifying and serialising thousands of polygons takes milliseconds: keep it off the
    // async workers so lookups are not held up behind a map pan.
    let answer = tokio::task::spawn_blocking(move || answer(&data, &query))
        .await
        .map_err(|e| ApiError::Unavailable(format!("calcul des couches interrompu : {e}")))?;
    Ok(Json(answer))
}

fn parse_query(params: &Params) -> Result<LayersQuery, ApiError> {
    let bbox = parse_bbox(params.get("bbox"))?;
    let zoom = match params.number("zoom")? {
        None => {
            return Err(ApiError::bad_request(
                "missing_parameter",
                "paramètre « zoom » requis (niveau de zoom de la carte, 0 à 22)",
            ))
        }
        Some(z) if !(0.0..=MAX_ZOOM).contains(&z) => {
            return Err(ApiError::bad_request(
                "out_of_range",
                format!("zoom hors limites (0 à 22) : {z}"),
            ))
        }
        Some(z) => z,
    };
    let layers = match params.get("layers") {
        None => DEFAULT_LAYERS.to_vec(),
        Some(list) => parse_layers(list)?,
    };
    Ok(LayersQuery { bbox, zoom, layers })
}

fn parse_bbox(raw: Option<&str>) -> Result<Rect<f64>, ApiError> {
    let raw = raw.ok_or_else(|| {
        ApiError::bad_request(
            "missing_parameter",
            "paramètre « bbox » requis : minlon,minlat,maxlon,maxlat (degrés WGS84)",
        )
    })?;
    let numbers: Vec<f64> = raw
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()
        .filter(|v: &Vec<f64>| v.len() == 4 && v.iter().all(|x| x.is_finite()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_bbox",
                format!(
                    "« bbox » doit être quatre nombres minlon,minlat,maxlon,maxlat, reçu « {raw} »"
                ),
            )
        })?;
    let [minx, miny, maxx, maxy] = [numbers[0], numbers[1], numbers[2], numbers[3]];
    let in_range = |x: f64, y: f64| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y);
    if !in_range(minx, miny) || !in_range(maxx, maxy) {
        return Err(ApiError::bad_request(
            "out_of_range",
            format!("« bbox » hors limites (longitudes -180 à 180, latitudes -90 à 90) : {raw}"),
        ));
    }
    if minx >= maxx || miny >= maxy {
        return Err(ApiError::bad_request(
            "invalid_bbox",
            format!(
                "« bbox » vide ou inversée (il faut minlon < maxlon et minlat < maxlat) : {raw}"
            ),
        ));
    }
    Ok(Rect::new(
        Coord { x: minx, y: miny },
        Coord { x: maxx, y: maxy },
    ))
}

fn parse_layers(list: &str) -> Result<Vec<&'static str>, ApiError> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = LAYER_NAMES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "unknown_layer",
                    format!(
                        "couche inconnue « {name} » ; couches disponibles : {}",
                        LAYER_NAMES.join(", ")
                    ),
                )
            })?;
        if !out.contains(known) {
            out.push(*known);
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "unknown_layer",
            format!(
                "« layers » est vide ; couches disponibles : {}",
                LAYER_NAMES.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Simplification tolerance in degrees: half a screen pixel at `zoom` (256-pixel Web Mercator
/// tiles), measured along a parallel at the view's latitude so that it is also at most half a
/// pixel north–south. Zero from [`NO_SIMPLIFY_ZOOM`] on.
pub fn tolerance_deg(zoom: f64, lat: f64) -> f64 {
    if zoom >= NO_SIMPLIFY_ZOOM {
        return 0.0;
    }
    let deg_per_px = 360.0 / (256.0 * 2f64.powf(zoom.floor()));
    0.5 * deg_per_px * lat.to_radians().cos().abs()
}

fn answer(data: &Dataset, q: &LayersQuery) -> Value {
    let centre_lat = (q.bbox.min().y + q.bbox.max().y) / 2.0;
    let tolerance = tolerance_deg(q.zoom, centre_lat);
    let mut layers = serde_json::Map::new();
    for &name in &q.layers {
        let collection = match name {
            "communes" => collect(&data.communes, q.bbox, name, tolerance, |_, c| {
                props(json!({ "insee": c.insee, "name": c.name, "approximate": c.approximate }))
            }),
            "parcels" if q.zoom < PARCEL_MIN_ZOOM => skipped_for_zoom(),
            "parcels" => collect(&data.parcels, q.bbox, name, tolerance, |_, p| {
                props(json!({
                    "id": p.id, "commune": p.commune, "section": p.section,
                    "numero": p.numero, "contenance": p.contenance,
                }))
            }),
            "zones" => collect(&data.zones, q.bbox, name, tolerance, |_, z| {
                let mut p = props(json!({
                    "libelle": z.libelle, "libelong": z.libelong, "typezone": z.typezone,
                    // U, AU, A or N: the colour family, so every client colours zones alike.
                    "family": zone_family(&z.typezone),
                    "idurba": z.idurba,
                }));
                // Labels go at a point inside the zone (a centroid can fall outside a U-shape),
                // and inside the view, so that a big zone crossing the screen is still named.
                if let Some(pt) = label_point(&z.geometry, q.bbox) {
                    p.insert("label_at".into(), json!([round6(pt.x()), round6(pt.y())]));
                }
                p
            }),
            "prescriptions" => collect(&data.prescriptions, q.bbox, name, tolerance, |_, f| {
                props(json!({
                    "code": f.code, "subcode": f.subcode, "libelle": f.libelle,
                    "label": nomenclature().prescription(&f.code, f.subcode.as_deref()),
                }))
            }),
            "servitudes" => collect(&data.servitudes, q.bbox, name, tolerance, |_, s| {
                props(json!({
                    "categorie": s.categorie,
                    "categorie_label": nomenclature().sup_category(&s.categorie),
                    "name": s.nom_sup_litt.as_ref().or(s.nom_gen.as_ref()).or(s.nom_ass.as_ref()),
                    "id_ass": s.id_ass,
                }))
            }),
            "risks" => collect(&data.risk_zones, q.bbox, name, tolerance, |_, z| {
                let plan = data.risk_plans.get(z.plan);
                let (reg_label, effect) = z.regulation.as_deref().map(regulation).unzip();
                props(json!({
                    "procedure": plan.map(|p| &p.code), "kind": plan.map(|p| p.kind),
                    "plan": plan.map(|p| &p.name), "zone_code": z.code, "zone_label": z.label,
                    "regulation": z.regulation, "regulation_label": reg_label, "effect": effect,
                }))
            }),
            _ => unreachable!("layer names are validated in parse_layers"),
        };
        layers.insert(name.to_string(), collection);
    }
    json!({
        "bbox": [q.bbox.min().x, q.bbox.min().y, q.bbox.max().x, q.bbox.max().y],
        "zoom": q.zoom,
        "tolerance_deg": tolerance,
        "parcel_min_zoom": PARCEL_MIN_ZOOM,
        "layers": layers,
    })
}

/// A point inside `g` and, when `g` reaches beyond `view`, inside the visible part of it.
fn label_point(g: &Geometry<f64>, view: Rect<f64>) -> Option<geo::Point<f64>> {
    let within_view = g.bounding_rect().is_some_and(|r| view.contains(&r));
    let clip = view.to_polygon();
    let visible = match g {
        _ if within_view => None,
        Geometry::Polygon(p) => Some(p.intersection(&clip)),
        Geometry::MultiPolygon(mp) => Some(mp.intersection(&clip)),
        _ => None,
    };
    visible
        .and_then(|v| v.interior_point())
        .or_else(|| g.interior_point())
}

fn props(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => JsonObject::new(),
    }
}

/// An empty collection saying why it is empty, so the page can tell the user to zoom in.
fn skipped_for_zoom() -> Value {
    json!({
        "type": "FeatureCollection", "features": [], "total": 0, "returned": 0,
        "capped": false, "simplified": false, "skipped": "zoom", "min_zoom": PARCEL_MIN_ZOOM,
    })
}

/// The features of `layer` whose envelope meets `bbox`, capped and simplified, as a collection.
fn collect<T: HasGeometry>(
    layer: &SpatialLayer<T>,
    bbox: Rect<f64>,
    name: &str,
    tolerance: f64,
    properties: impl Fn(usize, &T) -> JsonObject,
) -> Value {
    let mut hits: Vec<(usize, &T)> = layer.in_rect(bbox).collect();
    let total = hits.len();
    let cap = max_features(name);
    let capped = total > cap;
    if capped {
        // Keep the largest: they are what a reader sees at this zoom, the rest are specks.
        hits.sort_by(|a, b| {
            envelope_area(b.1.geometry()).total_cmp(&envelope_area(a.1.geometry()))
        });
        hits.truncate(cap);
    }
    // Stable order (load order) so that repeated answers draw identically.
    hits.sort_by_key(|(i, _)| *i);
    let mut simplified = false;
    let features: Vec<Feature> = hits
        .into_iter()
        .map(|(i, f)| {
            let (geometry, reduced) = simplify(f.geometry(), tolerance);
            simplified |= reduced;
            Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::from(&geometry.map_coords(|c| Coord {
                    x: round6(c.x),
                    y: round6(c.y),
                }))),
                id: Some(geojson::feature::Id::Number(i.into())),
                properties: Some(properties(i, f)),
                foreign_members: None,
            }
        })
        .collect();
    let returned = features.len();
    // Built by hand: `FeatureCollection::new` would compute a `bbox`, empty (invalid) for no features.
    let fc = FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    let mut fc = serde_json::to_value(fc).expect("a feature collection always serialises");
    if let Value::Object(m) = &mut fc {
        m.insert("total".into(), json!(total));
        m.insert("returned".into(), json!(returned));
        m.insert("capped".into(), json!(capped));
        m.insert("max_features".into(), json!(cap));
        m.insert("simplified".into(), json!(simplified));
    }
    fc
}

fn envelope_area(g: &Geometry<f64>) -> f64 {
    g.bounding_rect()
        .map(|r| r.width() * r.height())
        .unwrap_or(0.0)
}

/// Six decimals of a degree are about 10 cm: finer digits only make the answer bigger.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Douglas–Peucker at `tolerance` degrees for lines and polygons; points are kept. Returns the
/// geometry and whether it lost vertices. Parts under two pixels are dropped (holes, parts of a
/// multipolygon) or drawn as their bounding box (a feature that is a speck as a whole), so that no
/// feature vanishes from the map.
fn simplify(g: &Geometry<f64>, tolerance: f64) -> (Geometry<f64>, bool) {
    if tolerance <= 0.0 {
        return (g.clone(), false);
    }
    let out = match g {
        Geometry::LineString(l) => Geometry::LineString(l.simplify(tolerance)),
        Geometry::MultiLineString(l) => Geometry::MultiLineString(l.simplify(tolerance)),
        Geometry::Polygon(p) if is_speck(p.exterior(), tolerance) => speck(g),
        Geometry::Polygon(p) => Geometry::Polygon(drop_specks(p.simplify(tolerance), tolerance)),
        Geometry::MultiPolygon(mp) => {
            let parts: Vec<Polygon<f64>> =
                mp.0.iter()
                    .filter(|p| !is_speck(p.exterior(), tolerance))
                    .map(|p| drop_specks(p.simplify(tolerance), tolerance))
                    .collect();
            if parts.is_empty() {
                speck(g)
            } else {
                Geometry::MultiPolygon(MultiPolygon(parts))
            }
        }
        Geometry::GeometryCollection(gc) => Geometry::GeometryCollection(geo::GeometryCollection(
            gc.0.iter().map(|g| simplify(g, tolerance).0).collect(),
        )),
        other => return (other.clone(), false),
    };
    let before = g.coords_count();
    let after = out.coords_count();
    if after == 0 && before > 0 {
        return (g.clone(), false);
    }
    (out, after < before)
}

/// A ring smaller than two pixels both ways: a dot at this zoom. Replacing these is most of the
/// saving on fragmented risk zonings.
fn is_speck(ring: &LineString<f64>, tolerance: f64) -> bool {
    ring.bounding_rect()
        .is_none_or(|r| r.width() < 4.0 * tolerance && r.height() < 4.0 * tolerance)
}

/// A sub-pixel polygon drawn as its bounding box: the same dot on screen, five vertices. (Douglas–
/// Peucker never takes a ring below four vertices, so it returns such rings whole.)
fn speck(g: &Geometry<f64>) -> Geometry<f64> {
    match g.bounding_rect() {
        Some(r) => Geometry::Polygon(r.to_polygon()),
        None => g.clone(),
    }
}

fn drop_specks(p: Polygon<f64>, tolerance: f64) -> Polygon<f64> {
    let (exterior, interiors) = p.into_inner();
    let interiors = interiors
        .into_iter()
        .filter(|r| !is_speck(r, tolerance))
        .collect();
    Polygon::new(exterior, interiors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_half_a_pixel() {
        // Zoom 0: one 256-px tile spans 360°, so a pixel is 1.40625° of longitude at the equator.
        assert!((tolerance_deg(0.0, 0.0) - 0.703125).abs() < 1e-12);
        // Each zoom level halves it; latitude shrinks it by cos(lat).
        assert!((tolerance_deg(1.0, 60.0) - 0.703125 / 2.0 * 0.5).abs() < 1e-9);
        assert_eq!(tolerance_deg(19.0, 45.0), 0.0);
    }

    #[test]
    fn layers_are_validated() {
        assert_eq!(
            parse_layers("zones, Parcels,zones").unwrap(),
            vec!["zones", "parcels"]
        );
        assert!(parse_layers("zones,roads").is_err());
        assert!(parse_layers(" , ").is_err());
    }

    #[test]
    fn bbox_is_validated() {
        assert!(parse_bbox(Some("2.3,48.8,2.4,48.9")).is_ok());
        for bad in [
            "2.3,48.8,2.4",
            "a,b,c,d",
            "2.4,48.8,2.3,48.9",
            "2,48,2,49",
            "2,48,200,49",
            "NaN,1,2,3",
        ] {
            assert!(parse_bbox(Some(bad)).is_err(), "{bad}");
        }
        assert!(parse_bbox(None).is_err());
    }

    #[test]
    fn a_tiny_polygon_is_never_lost() {
        let ring = vec![
            (0.0, 0.0),
            (1e-7, 0.0),
            (1e-7, 1e-7),
            (0.0, 1e-7),
            (0.0, 0.0),
        ];
        let square = Polygon::new(LineString::from(ring), vec![]);
        let (g, _) = simplify(&Geometry::Polygon(square), 1.0);
        assert!(g.coords_count() >= 4);
    }

    #[test]
    fn specks_are_dropped_or_drawn_as_dots() {
        let square = |x: f64, size: f64| {
            let ring = vec![
                (x, 0.0),
                (x + size, 0.0),
                (x + size, size),
                (x, size),
                (x, 0.0),
            ];
            Polygon::new(LineString::from(ring), vec![])
        };
        // A big part and a sub-pixel one: the speck goes.
        let mp = MultiPolygon(vec![square(0.0, 10.0), square(20.0, 0.001)]);
        let (g, simplified) = simplify(&Geometry::MultiPolygon(mp), 0.01);
        assert!(simplified);
        assert!(matches!(g, Geometry::MultiPolygon(ref m) if m.0.len() == 1));
        // Only specks: the feature stays, as its bounding box.
        let mp = MultiPolygon(vec![square(0.0, 0.001), square(0.002, 0.001)]);
        let (g, _) = simplify(&Geometry::MultiPolygon(mp), 0.01);
        assert_eq!(g.coords_count(), 5);
    }
}
