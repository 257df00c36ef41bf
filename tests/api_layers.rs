//! `GET /api/layers` and the embedded map page, through the whole router (`tower::ServiceExt::oneshot`)
//! on the embedded data in `data/`.

use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

/// One state for the whole binary: loading the data takes about a second.
fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
            AppState::new(urbaclic::load::load_dir(&dir).expect("the embedded data loads"))
        })
        .clone()
}

async fn get(uri: &str) -> (StatusCode, String, Vec<u8>) {
    let res = router(state())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, ctype, body)
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = get(uri).await;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, json)
}

/// Arpaillargues (30014): PLU zones, prescriptions; the view of [arp_ua] in tests/real_data.rs.
const ARPAILLARGUES: &str = "4.36,43.99,4.39,44.01";
/// A corner of Paris 18e with parcels and the former-quarry sectors.
const PARIS_18: &str = "2.330,48.888,2.338,48.894";

#[tokio::test]
async fn zones_come_as_geojson_with_colour_family_and_label_point() {
    let (status, v) = get_json(&format!(
        "/api/layers?bbox={ARPAILLARGUES}&layers=zones&zoom=15"
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let zones = &v["layers"]["zones"];
    assert_eq!(zones["type"], "FeatureCollection");
    let features = zones["features"].as_array().unwrap();
    assert!(!features.is_empty());
    assert_eq!(zones["returned"].as_u64().unwrap() as usize, features.len());
    assert_eq!(zones["capped"], false);
    let ua = features
        .iter()
        .find(|f| f["properties"]["libelle"] == "Ua")
        .expect("zone Ua of Arpaillargues is in the view");
    assert_eq!(ua["properties"]["typezone"], "U");
    assert_eq!(ua["properties"]["family"], "U");
    assert!(matches!(
        ua["geometry"]["type"].as_str(),
        Some("Polygon") | Some("MultiPolygon")
    ));
    let at = ua["properties"]["label_at"].as_array().unwrap();
    assert_eq!(at.len(), 2);
    // Only the asked-for layer is answered.
    assert!(v["layers"].get("communes").is_none());
}

#[tokio::test]
async fn default_layers_and_parcels_only_from_their_zoom() {
    let (status, v) = get_json(&format!("/api/layers?bbox={PARIS_18}&zoom=14")).await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "communes",
        "zones",
        "servitudes",
        "risks",
        "carrieres",
        "parcels",
    ] {
        assert_eq!(v["layers"][name]["type"], "FeatureCollection", "{name}");
    }
    let parcels = &v["layers"]["parcels"];
    assert_eq!(parcels["skipped"], "zoom");
    assert_eq!(parcels["features"].as_array().unwrap().len(), 0);
    // The former-quarry sectors under the 18e, a zoning theme of the manifest.
    assert!(!v["layers"]["carrieres"]["features"]
        .as_array()
        .unwrap()
        .is_empty());

    let (_, v) = get_json(&format!(
        "/api/layers?bbox={PARIS_18}&zoom=17&layers=parcels"
    ))
    .await;
    let parcels = v["layers"]["parcels"]["features"].as_array().unwrap();
    assert!(parcels.len() > 10, "{} parcels", parcels.len());
    let ai8 = parcels
        .iter()
        .find(|f| f["properties"]["id"] == "75118000AI0008")
        .expect("parcel AI 8 of [paris_parcel] is in the view");
    assert_eq!(ai8["properties"]["section"], "AI");
}

#[tokio::test]
async fn caps_and_simplification_are_flagged() {
    // All of the Cher PLUi's zones at a low zoom: the 16 000-vertex zone is simplified.
    let (status, v) = get_json("/api/layers?bbox=2.7,46.7,3.1,46.95&layers=zones&zoom=10").await;
    assert_eq!(status, StatusCode::OK);
    let zones = &v["layers"]["zones"];
    assert_eq!(zones["simplified"], true);
    let vertices: usize = zones["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["geometry"].to_string().matches('[').count())
        .sum();
    assert!(vertices < 16_354, "simplified to {vertices} brackets");

    // Every parcel of Paris 18e at once is more than the cap: capped, and said so.
    let (_, v) = get_json("/api/layers?bbox=2.3,48.87,2.4,48.91&layers=parcels&zoom=18").await;
    let parcels = &v["layers"]["parcels"];
    assert_eq!(parcels["capped"], true);
    assert!(parcels["total"].as_u64().unwrap() > parcels["returned"].as_u64().unwrap());
    assert_eq!(
        parcels["returned"].as_u64().unwrap(),
        parcels["max_features"].as_u64().unwrap()
    );

    // From zoom 19 on, nothing is simplified.
    let (_, v) = get_json(&format!(
        "/api/layers?bbox={PARIS_18}&zoom=19&layers=parcels"
    ))
    .await;
    assert_eq!(v["layers"]["parcels"]["simplified"], false);
    assert_eq!(v["tolerance_deg"], 0.0);
}

#[tokio::test]
async fn risks_and_servitudes_carry_what_the_legend_needs() {
    // [pprn] of tests/real_data.rs: Le Bourg-d'Oisans, zone RA,T3, typereg 03 (ban).
    let (_, v) = get_json("/api/layers?bbox=6.05,45.01,6.065,45.025&layers=risks&zoom=16").await;
    let risks = v["layers"]["risks"]["features"].as_array().unwrap();
    let ra = risks
        .iter()
        .find(|f| f["properties"]["zone_code"] == "RA,T3")
        .expect("zone RA,T3");
    assert_eq!(ra["properties"]["effect"], "ban");
    assert_eq!(ra["properties"]["kind"], "PPRN");

    // [ac1]: Hôtel Les Roches Rouges, Piana (2A212).
    let (_, v) = get_json("/api/layers?bbox=8.63,42.23,8.65,42.25&layers=servitudes&zoom=15").await;
    let sups = v["layers"]["servitudes"]["features"].as_array().unwrap();
    assert!(sups.iter().any(|f| f["properties"]["categorie"] == "AC1"
        && f["properties"]["name"] == "Hôtel Les Roches Rouges"));
}

#[tokio::test]
async fn bad_requests_are_json_400s() {
    for (uri, code) in [
        ("/api/layers?zoom=15", "missing_parameter"),
        ("/api/layers?bbox=1,2,3&zoom=15", "invalid_bbox"),
        ("/api/layers?bbox=a,b,c,d&zoom=15", "invalid_bbox"),
        ("/api/layers?bbox=3,44,2,45&zoom=15", "invalid_bbox"),
        ("/api/layers?bbox=2,44,3,95&zoom=15", "out_of_range"),
        (&format!("/api/layers?bbox={PARIS_18}"), "missing_parameter"),
        (
            &format!("/api/layers?bbox={PARIS_18}&zoom=30"),
            "out_of_range",
        ),
        (
            &format!("/api/layers?bbox={PARIS_18}&zoom=abc"),
            "invalid_parameter",
        ),
        (
            &format!("/api/layers?bbox={PARIS_18}&zoom=15&layers=zones,roads"),
            "unknown_layer",
        ),
        (
            &format!("/api/layers?bbox={PARIS_18}&zoom=15&layers=%2C%20"),
            "unknown_layer",
        ),
    ] {
        let (status, v) = get_json(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["error"], code, "{uri}: {v}");
        assert!(v["message"].as_str().unwrap().len() > 10, "{uri}: {v}");
    }
}

#[tokio::test]
async fn the_map_page_is_embedded() {
    // No frontend folder is configured in `state()`: everything comes from the binary.
    let (status, ctype, body) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    for asset in ["js/app.js", "css/app.css", "vendor/leaflet/leaflet.js"] {
        assert!(html.contains(asset), "{asset} referenced");
        let (status, ctype, body) = get(&format!("/{asset}")).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(!body.is_empty() && !ctype.is_empty(), "{asset}");
    }
    let (_, ctype, _) = get("/js/app.js").await;
    assert!(ctype.starts_with("text/javascript"), "{ctype}");
    let (status, _, body) = get("/vendor/leaflet/LICENSE").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("Agafonkin"));
    // Unknown paths stay JSON 404s, also under /api.
    let (status, v) = get_json("/nope.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "not_found");
    let (status, _) = get_json("/api/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_frontend_folder_overrides_the_embedded_page() {
    let dir = std::env::temp_dir().join(format!("urbaclic-frontend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>dev</p>").unwrap();
    let mut st = state();
    st.frontend_dir = Some(dir.clone());
    let res = router(st.clone())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"<p>dev</p>");
    // A file the folder lacks still comes from the binary.
    let res = router(st)
        .oneshot(Request::get("/js/app.js").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn zone_labels_stay_in_the_view() {
    // Rennes' zone UB2 reaches far beyond this small view (tests/real_data.rs, region rennes): its
    // label point must still be on screen.
    let (minx, miny, maxx, maxy) = (-1.677, 48.093, -1.674, 48.095);
    let (_, v) = get_json(&format!(
        "/api/layers?bbox={minx},{miny},{maxx},{maxy}&zoom=18&layers=zones"
    ))
    .await;
    let zones = v["layers"]["zones"]["features"].as_array().unwrap();
    let ub2 = zones
        .iter()
        .find(|f| f["properties"]["libelle"] == "UB2")
        .expect("zone UB2 in view");
    let at = ub2["properties"]["label_at"].as_array().unwrap();
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    assert!(
        (minx..=maxx).contains(&x) && (miny..=maxy).contains(&y),
        "{x}, {y}"
    );
}

#[tokio::test]
async fn zoning_labels_are_inside_their_zone_and_the_view() {
    // The former-quarry sectors of the 18e, a zoning theme, are labelled as planning zones are:
    // at a point in the view that a lookup places in that very zone.
    let (minx, miny, maxx, maxy) = (2.330, 48.888, 2.338, 48.894);
    let (_, v) = get_json(&format!(
        "/api/layers?bbox={minx},{miny},{maxx},{maxy}&zoom=16&layers=carrieres"
    ))
    .await;
    let features = v["layers"]["carrieres"]["features"].as_array().unwrap();
    assert!(!features.is_empty(), "{v}");
    for f in features {
        let at = f["properties"]["label_at"]
            .as_array()
            .unwrap_or_else(|| panic!("no label_at: {}", f["properties"]));
        let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        assert!(
            (minx..=maxx).contains(&x) && (miny..=maxy).contains(&y),
            "{x}, {y}"
        );
        let (_, a) = get_json(&format!("/api/lookup?lon={x}&lat={y}")).await;
        let zones = a["zonings"][0]["zones"].as_array().unwrap();
        assert!(
            zones
                .iter()
                .any(|z| z["code"] == f["properties"]["code"] && z["at_point"] == true),
            "label of sector {} at {x}, {y}: {}",
            f["properties"]["code"],
            a["zonings"]
        );
    }
}

/// Twice the signed area of a ring (shoelace): positive when counter-clockwise.
fn signed_area2(ring: &Value) -> f64 {
    let pts: Vec<(f64, f64)> = ring
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    pts.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

/// The polygons (lists of rings) of a GeoJSON geometry.
fn polygons(g: &Value) -> Vec<&Vec<Value>> {
    match g["type"].as_str() {
        Some("Polygon") => vec![g["coordinates"].as_array().unwrap()],
        Some("MultiPolygon") => g["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_array().unwrap())
            .collect(),
        _ => Vec::new(),
    }
}

/// One URL per layer answers a plain RFC 7946 FeatureCollection, typed `application/geo+json`,
/// with exterior rings counter-clockwise and holes clockwise (§3.1.6), whatever the winding of
/// the source files (shapefiles wind exteriors clockwise).
#[tokio::test]
async fn one_layer_is_a_plain_rfc_7946_feature_collection() {
    let uri = format!("/api/layers/zones?bbox={ARPAILLARGUES}&zoom=16");
    let (status, ctype, body) = get(&uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype, "application/geo+json");
    let fc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    // The same features as the map page's view of that layer.
    let (_, page) = get_json(&format!(
        "/api/layers?bbox={ARPAILLARGUES}&layers=zones&zoom=16"
    ))
    .await;
    assert_eq!(
        features.len(),
        page["layers"]["zones"]["features"]
            .as_array()
            .unwrap()
            .len()
    );
    let (mut exteriors, mut holes) = (0, 0);
    for f in features {
        assert_eq!(f["type"], "Feature");
        for rings in polygons(&f["geometry"]) {
            for (i, ring) in rings.iter().enumerate() {
                let a = signed_area2(ring);
                assert!(a != 0.0, "zero-area ring in {}", f["properties"]);
                if i == 0 {
                    assert!(a > 0.0, "exterior ring clockwise in {}", f["properties"]);
                    exteriors += 1;
                } else {
                    assert!(a < 0.0, "hole counter-clockwise in {}", f["properties"]);
                    holes += 1;
                }
            }
        }
    }
    assert!(exteriors > 0);
    let _ = holes;

    // An unknown layer names those there are.
    let (status, v) = get_json(&format!("/api/layers/rien?bbox={ARPAILLARGUES}&zoom=16")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("zones"), "{v}");
}

/// GDAL (the library QGIS and ogrinfo use) opens the per-layer answer as is, with every feature
/// and the GeoJSON driver (run by `.ci/run` with `--features gdal`).
#[cfg(feature = "gdal")]
#[tokio::test]
async fn gdal_opens_one_layer_as_is() {
    use gdal::vector::LayerAccess;
    let (status, _, body) = get(&format!("/api/layers/zones?bbox={ARPAILLARGUES}&zoom=16")).await;
    assert_eq!(status, StatusCode::OK);
    let features = serde_json::from_slice::<Value>(&body).unwrap()["features"]
        .as_array()
        .unwrap()
        .len();
    let path = std::env::temp_dir().join(format!("urbaclic-layer-{}.geojson", std::process::id()));
    std::fs::write(&path, &body).unwrap();
    let dataset = gdal::Dataset::open(&path).expect("GDAL opens the answer");
    assert_eq!(dataset.driver().short_name(), "GeoJSON");
    let mut layer = dataset.layer(0).unwrap();
    assert_eq!(layer.feature_count() as usize, features);
    assert!(layer
        .features()
        .all(|f| f.geometry().is_some_and(|g| g.is_valid())));
    let _ = std::fs::remove_file(path);
}
