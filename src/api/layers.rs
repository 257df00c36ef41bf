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
//! fractional), `layers=communes,parcels,zones,…` (the names of [`crate::family::map_layers`],
//! zoning themes included; default: the layers drawn when the page opens). `GET /api/catalog` lists
//! them, so the map page builds its legend from the data. Answer:
//!
//! ```json
//! { "bbox": [..], "zoom": 16, "tolerance_deg": 0.000005,
//!   "layers": { "zones": { "type": "FeatureCollection", "features": [..],
//!                          "total": 12, "returned": 12, "capped": false, "simplified": true } } }
//! ```

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo::{
    BoundingRect, Coord, CoordsIter, Geometry, LineString, MultiPolygon, Polygon, Rect, Simplify,
};
use geojson::Feature;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::params::Params;
use super::{ApiError, AppState, ErrorBody};
use crate::dataset::Dataset;
use crate::family::{map_layers, Family, LayerInfo, MapLayer, Visitor};
use crate::geometry::rounded;
use crate::index::{HasGeometry, Layer};

/// Highest zoom accepted (Leaflet's usual maximum plus some room).
const MAX_ZOOM: f64 = 22.0;

/// From this zoom on geometries are sent as loaded: a pixel is then a few centimetres.
const NO_SIMPLIFY_ZOOM: f64 = 19.0;

/// Most features sent per layer. Sized so that the densest staged view (Paris 18e parcels at
/// zoom 16 on a large screen) fits, while a forged huge bbox stays a bounded answer.
fn max_features(info: &LayerInfo) -> usize {
    match info.style {
        "parcels" => 3000,
        "communes" | "zones" => 2000,
        _ => 1500,
    }
}

/// The routes of this module, merged into [`super::router`]. Answers are gzip-compressed when the
/// client accepts it: GeoJSON shrinks about tenfold.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_layers))
        .routes(routes!(get_layer))
}

/// `GET /api/catalog`: every layer the map can draw, bottom first, with its legend label and style,
/// and the configured raster basemaps it may draw under them (none by default).
#[utoipa::path(
    get,
    path = "/api/catalog",
    summary = "Catalogue des couches de la carte",
    description = "Chaque couche que la carte peut dessiner, de bas en haut, avec sa légende et son style, et les fonds de carte configurés (aucun par défaut).",
    tag = "carte",
    responses((status = 200, description = "Les couches (`layers`) et les fonds de carte (`basemaps`)",
               body = inline(Catalog)))
)]
pub async fn get_catalog(State(state): State<AppState>) -> Json<Value> {
    let data = state.dataset();
    let layers: Vec<LayerInfo> = map_layers(&data).into_iter().map(|(_, i)| i).collect();
    Json(json!({ "layers": layers, "basemaps": &*state.basemaps }))
}

/// The answer of [`get_catalog`], described for the document (the handler writes it with `json!`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a description only
struct Catalog {
    /// Every layer the map can draw, bottom first.
    layers: Vec<LayerInfo>,
    /// The configured raster basemaps (`[[basemap]]` of the configuration).
    basemaps: Vec<Value>,
}

/// A validated request.
#[derive(Debug, Clone)]
struct LayersQuery {
    bbox: Rect<f64>,
    zoom: f64,
    layers: Vec<(MapLayer, LayerInfo)>,
}

/// The layers of a map view, each one a FeatureCollection capped and simplified for the zoom.
#[utoipa::path(
    get,
    path = "/api/layers",
    summary = "Couches de la carte dans une vue",
    description = "Les objets chargés dans une vue de carte, en GeoJSON : chaque couche plafonnée en nombre d'objets et simplifiée pour le zoom ; la réponse dit quand elle l'a fait. Les parcelles ne sont envoyées qu'à partir du zoom 16.",
    tag = "carte",
    params(
        ("bbox" = String, Query, description = "minlon,minlat,maxlon,maxlat (degrés WGS84)"),
        ("zoom" = f64, Query, description = "Niveau de zoom de la carte, 0 à 22"),
        ("layers" = Option<String>, Query, description = "Couches, séparées par des virgules (noms de /api/catalog) ; par défaut celles affichées à l'ouverture"),
    ),
    responses(
        (status = 200, description = "Une FeatureCollection par couche", body = ref("#/components/schemas/MapLayers")),
        (status = 400, description = "bbox, zoom ou couche invalide", body = ErrorBody),
    )
)]
async fn get_layers(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let data = state.dataset();
    let query = parse_query(&Params::parse(raw.as_deref())?, &data)?;
    // Simplifying and serialising thousands of polygons takes milliseconds: keep it off the
    // async workers so lookups are not held up behind a map pan.
    let answer = state
        .workers
        .run(move || Ok::<_, ApiError>(answer(&data, &query)))
        .await??;
    Ok(Json(answer))
}

/// `GET /api/layers/{layer}?bbox=…&zoom=…`: that one layer as a plain RFC 7946
/// FeatureCollection (`application/geo+json`), the document GDAL, QGIS, Leaflet or OpenLayers open
/// as is; its counts (`total`, `returned`, `capped`…) are foreign members.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}",
    summary = "Une couche en GeoJSON simple",
    description = "Une couche en FeatureCollection RFC 7946 (application/geo+json), le document que GDAL, QGIS, Leaflet ou OpenLayers ouvrent tel quel ; ses compteurs (total, returned, capped…) sont des membres étrangers.",
    tag = "carte",
    params(
        ("layer" = String, Path, description = "Nom de la couche (voir /api/catalog)"),
        ("bbox" = String, Query, description = "minlon,minlat,maxlon,maxlat (degrés WGS84)"),
        ("zoom" = f64, Query, description = "Niveau de zoom de la carte, 0 à 22"),
    ),
    responses(
        (status = 200, description = "La couche en FeatureCollection RFC 7946",
         content_type = "application/geo+json", body = ref("#/components/schemas/GeoJsonFeatureCollection")),
        (status = 400, description = "bbox, zoom ou couche invalide", body = ErrorBody),
    )
)]
async fn get_layer(
    State(state): State<AppState>,
    Path(layer): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let data = state.dataset();
    let mut params = Params::parse(raw.as_deref())?;
    params.set("layers", &layer);
    let mut query = parse_query(&params, &data)?;
    // The layer asked for even when it is off by default or past its zoom: a GIS client wants
    // the data, not the map page's choice.
    let answer = state
        .workers
        .run(move || {
            let (layer, info) = query.layers.remove(0);
            Ok::<_, ApiError>(layer.visit(Collect {
                data: &data,
                bbox: query.bbox,
                tolerance: tolerance_deg(
                    query.zoom,
                    (query.bbox.min().y + query.bbox.max().y) / 2.0,
                ),
                cap: max_features(&info),
            }))
        })
        .await??;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(answer),
    )
        .into_response())
}

fn parse_query(params: &Params, data: &Dataset) -> Result<LayersQuery, ApiError> {
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
    let layers = select_layers(params.get("layers"), map_layers(data))?;
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

/// The layers named in `list` (case-insensitive, repeats ignored), or the default ones.
fn select_layers(
    list: Option<&str>,
    available: Vec<(MapLayer, LayerInfo)>,
) -> Result<Vec<(MapLayer, LayerInfo)>, ApiError> {
    let Some(list) = list else {
        return Ok(available
            .into_iter()
            .filter(|(_, i)| i.default_on)
            .collect());
    };
    let names = || {
        available
            .iter()
            .map(|(_, i)| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out: Vec<(MapLayer, LayerInfo)> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = available
            .iter()
            .find(|(_, i)| i.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "unknown_layer",
                    format!(
                        "couche inconnue « {name} » ; couches disponibles : {}",
                        names()
                    ),
                )
            })?;
        if !out.iter().any(|(l, _)| *l == known.0) {
            out.push(known.clone());
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "unknown_layer",
            format!("« layers » est vide ; couches disponibles : {}", names()),
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
    for (layer, info) in &q.layers {
        let collection = match info.min_zoom {
            Some(min) if q.zoom < min => skipped_for_zoom(min),
            _ => layer.visit(Collect {
                data,
                bbox: q.bbox,
                tolerance,
                cap: max_features(info),
            }),
        };
        layers.insert(info.name.clone(), collection);
    }
    json!({
        "bbox": [q.bbox.min().x, q.bbox.min().y, q.bbox.max().x, q.bbox.max().y],
        "zoom": q.zoom,
        "tolerance_deg": tolerance,
        "parcel_min_zoom": crate::family::parcels::PARCEL_MIN_ZOOM,
        "layers": layers,
    })
}

/// An empty collection saying why it is empty, so the page can tell the user to zoom in.
fn skipped_for_zoom(min_zoom: f64) -> Value {
    json!({
        "type": "FeatureCollection", "features": [], "total": 0, "returned": 0,
        "capped": false, "simplified": false, "skipped": "zoom", "min_zoom": min_zoom,
    })
}

/// Collects one family's features in view.
struct Collect<'a> {
    data: &'a Dataset,
    bbox: Rect<f64>,
    tolerance: f64,
    cap: usize,
}

impl Visitor for Collect<'_> {
    type Out = Value;
    fn visit<F: Family>(self, family: &F) -> Value {
        collect(family, self.data, self.bbox, self.tolerance, self.cap)
    }
}

/// The features of `family` whose envelope meets `bbox`, capped and simplified, as a collection.
fn collect<F: Family>(
    family: &F,
    data: &Dataset,
    bbox: Rect<f64>,
    tolerance: f64,
    cap: usize,
) -> Value {
    let mut hits: Vec<(usize, &F::Feature)> = family
        .layer(data)
        .in_envelope(bbox)
        .into_iter()
        .filter(|(_, f)| family.includes(f))
        .collect();
    let total = hits.len();
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
                geometry: Some(geojson::Geometry::from(&rounded(&geometry))),
                id: Some(geojson::feature::Id::Number(i.into())),
                properties: Some(family.map_properties(data, f, bbox)),
                foreign_members: None,
            }
        })
        .collect();
    let returned = features.len();
    // Written out rather than with `FeatureCollection::new`, which computes a `bbox` (invalid,
    // empty, for no features); the counts are foreign members.
    json!({
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "returned": returned,
        "capped": capped,
        "max_features": cap,
        "simplified": simplified,
    })
}

fn envelope_area(g: &Geometry<f64>) -> f64 {
    g.bounding_rect()
        .map(|r| r.width() * r.height())
        .unwrap_or(0.0)
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
        let available = || map_layers(&Dataset::build(Default::default(), Default::default()));
        let names =
            |v: Vec<(MapLayer, LayerInfo)>| v.into_iter().map(|(_, i)| i.name).collect::<Vec<_>>();
        assert_eq!(
            names(select_layers(Some("zones, Parcels,zones"), available()).unwrap()),
            vec!["zones", "parcels"]
        );
        assert!(select_layers(Some("zones,roads"), available()).is_err());
        assert!(select_layers(Some(" , "), available()).is_err());
        assert!(!names(select_layers(None, available()).unwrap())
            .contains(&"prescriptions".to_string()));
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
