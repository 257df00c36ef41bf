//! What the map page reads from the service for its basemap (issue 14): the configured raster
//! basemaps in `GET /api/catalog`, and where each parcel writes its number (`label_at` of the
//! `parcels` layer), through the whole router on the embedded data.

use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geo::{Contains, Geometry, Point};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::config::ServerConfig;

fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
            AppState::new(urbaclic::load::load_dir(&dir).expect("the embedded data loads"))
        })
        .clone()
}

async fn get_json(state: AppState, uri: &str) -> Value {
    let res = router(state)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn the_catalogue_has_no_basemap_by_default() {
    let catalog = get_json(state(), "/api/catalog").await;
    assert_eq!(catalog["basemaps"], json!([]));
}

#[tokio::test]
async fn the_catalogue_publishes_the_configured_basemaps_in_order() {
    let config = ServerConfig::parse(
        r#"
[[basemap]]
name = "Orthophotos IGN"
url = "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/jpeg&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}"
attribution = "© IGN – BD ORTHO"
max_zoom = 19

[[basemap]]
name = "Plan local"
url = "http://127.0.0.1:9/{z}/{x}/{y}.png"
attribution = "Tuiles locales"
max_zoom = 16
"#,
        Path::new("."),
    )
    .unwrap();
    let mut state = state();
    state.basemaps = config.basemaps.into();
    let catalog = get_json(state, "/api/catalog").await;
    assert_eq!(
        catalog["basemaps"],
        json!([
            { "name": "Orthophotos IGN",
              "url": "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/jpeg&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
              "attribution": "© IGN – BD ORTHO", "max_zoom": 19 },
            { "name": "Plan local", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png",
              "attribution": "Tuiles locales", "max_zoom": 16 },
        ])
    );
    // The data layers are listed as before.
    assert!(catalog["layers"].as_array().unwrap().len() >= 7);
}

#[tokio::test]
async fn every_parcel_on_the_map_writes_its_number_inside_itself() {
    // A corner of Paris 18e around boulevard Barbès, at the zoom the page writes numbers from.
    let data = get_json(
        state(),
        "/api/layers?bbox=2.3475,48.8855,2.3520,48.8880&zoom=18&layers=parcels",
    )
    .await;
    let features = data["layers"]["parcels"]["features"].as_array().unwrap();
    assert!(features.len() > 50, "{} parcels", features.len());
    for f in features {
        let at = &f["properties"]["label_at"];
        let point = Point::new(at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        let geometry: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        let geometry: Geometry<f64> = geometry.try_into().unwrap();
        // Inside the parcel drawn (label_at is rounded to 1e-6°, ~0.1 m: a sliver could lose it).
        assert!(
            geometry.contains(&point) || parcel_width_m(&geometry) < 1.0,
            "{} writes its number outside itself at {at}",
            f["properties"]["id"]
        );
    }
}

#[tokio::test]
async fn every_commune_on_the_map_writes_its_name_inside_itself_and_the_view() {
    // Around Arpaillargues (30014) at zoom 13: communes crossing the view edge are named in the view.
    let (w, s, e, n) = (4.30, 43.96, 4.44, 44.04);
    let data = get_json(
        state(),
        &format!("/api/layers?bbox={w},{s},{e},{n}&zoom=13&layers=communes"),
    )
    .await;
    let features = data["layers"]["communes"]["features"].as_array().unwrap();
    assert!(features.len() > 5, "{} communes", features.len());
    for f in features {
        let at = &f["properties"]["label_at"];
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        let geometry: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        let geometry: Geometry<f64> = geometry.try_into().unwrap();
        let name = &f["properties"]["name"];
        assert!(
            geometry.contains(&Point::new(x, y)),
            "{name} named outside itself"
        );
        assert!(
            (w..=e).contains(&x) && (s..=n).contains(&y),
            "{name} named outside the view"
        );
    }
}

/// Rough width of a parcel (its bounding box's smaller side), in metres.
fn parcel_width_m(g: &Geometry<f64>) -> f64 {
    use geo::BoundingRect;
    let r = g.bounding_rect().unwrap();
    (r.width() * 73_000.0).min(r.height() * 111_000.0)
}
