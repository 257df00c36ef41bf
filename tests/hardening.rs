//! Issue 12 (under load, faults and hostile input): each finding's regression test, through the
//! whole router (`tower::ServiceExt::oneshot`) or the library, on the embedded data or on small
//! folders written here.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::load::load_dir;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// One state for the whole binary (loading takes about a second).
fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| AppState::new(load_dir(&data_dir()).expect("the embedded data loads")))
        .clone()
}

async fn call_with(state: AppState, req: Request<Body>) -> (StatusCode, Value) {
    let res = router(state)
        .oneshot(req)
        .await
        .expect("the router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}

async fn post_footprint(body: &str) -> (StatusCode, Value) {
    let req = Request::post("/api/lookup")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    call_with(state(), req).await
}

/// A 400 `invalid_geometry` whose message contains `needle`.
async fn assert_invalid_footprint(body: &str, needle: &str) {
    let (status, v) = post_footprint(body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
    assert_eq!(v["error"], "invalid_geometry", "{body}: {v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "{body}: « {needle} » not in {message}"
    );
}

/// A scratch folder under the system's temporary folder, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("urbaclic-hardening-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A data folder holding one copy of the Épinay-sur-Orge cadastre, as `serve --data` would read.
fn cadastre_folder(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("cadastre")).unwrap();
    std::fs::copy(
        data_dir().join("cadastre-etalab-91216/cadastre-91216-parcelles.json"),
        dir.join("cadastre/cadastre-91216-parcelles.json"),
    )
    .unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// Finding 1: one-element positions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn one_element_positions_are_a_400_not_a_dropped_connection() {
    for body in [
        r#"{"type":"LineString","coordinates":[[4],[5]]}"#,
        r#"{"type":"Polygon","coordinates":[[[4],[5],[6],[4]]]}"#,
        r#"{"type":"MultiPolygon","coordinates":[[[[2.35,48.89],[2.36],[2.36,48.9],[2.35,48.89]]]]}"#,
        r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[4],[5],[6],[4]]]}}"#,
    ] {
        assert_invalid_footprint(body, "position").await;
    }
}

#[test]
fn one_element_position_in_a_data_file_is_an_error_naming_the_file() {
    let dir = cadastre_folder("short-position");
    let file = dir.join("cadastre/cadastre-91216-parcelles.json");
    let mut fc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    fc["features"][3]["geometry"] =
        serde_json::json!({"type": "Polygon", "coordinates": [[[2.3], [2.31], [2.32], [2.3]]]});
    let good = load_dir(&dir).err();
    assert!(good.is_none(), "the untouched copy loads: {good:?}");

    // A server on the good copy, then the file breaks and a reload is asked.
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir.clone());
    let parcels_before = state.dataset().summary_counts();
    std::fs::write(&file, serde_json::to_vec(&fc).unwrap()).unwrap();

    let e = load_dir(&dir).err().expect("a short position is refused");
    let text = e.to_string();
    assert!(text.contains("cadastre-91216-parcelles.json"), "{text}");
    assert!(text.contains("entité 3"), "{text}");

    assert!(state.reload().is_err());
    let status = state.reload_status();
    let last = status.last_error.expect("the failed reload is reported");
    assert!(last.contains("cadastre-91216-parcelles.json"), "{last}");
    assert_eq!(
        state.dataset().summary_counts(),
        parcels_before,
        "old data kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Findings 2 and 3: invalid and sprawling footprints
// ---------------------------------------------------------------------------------------------

/// A square of `side` degrees at (`x`, `y`), as a GeoJSON polygon's rings.
fn square(x: f64, y: f64, side: f64) -> Value {
    serde_json::json!([[
        [x, y],
        [x + side, y],
        [x + side, y + side],
        [x, y + side],
        [x, y]
    ]])
}

#[tokio::test]
async fn invalid_footprints_are_refused_naming_the_problem() {
    let sq = square(2.35, 48.89, 0.001);
    let cases = [
        // The same square twice: its shares would be counted twice.
        (
            serde_json::json!({"type": "MultiPolygon", "coordinates": [sq, sq]}),
            "identiques",
        ),
        // A bowtie: its lobes' signed areas cancel out.
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[2.35, 48.89], [2.351, 48.891], [2.351, 48.89], [2.35, 48.891], [2.35, 48.89]]]}),
            "se recoupe",
        ),
        // A hole outside its shell.
        (
            serde_json::json!({"type": "Polygon", "coordinates": [sq[0], square(2.36, 48.89, 0.0005)[0]]}),
            "trou 1",
        ),
        // Parts overlapping without being equal.
        (
            serde_json::json!({"type": "MultiPolygon", "coordinates": [sq, square(2.3505, 48.8905, 0.001)]}),
            "se croisent",
        ),
        // A ring that does not come back to its first point.
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[2.35, 48.89], [2.351, 48.89], [2.351, 48.891], [2.35, 48.891]]]}),
            "n'est pas fermé",
        ),
    ];
    for (body, needle) in cases {
        assert_invalid_footprint(&body.to_string(), needle).await;
    }
}

#[tokio::test]
async fn sprawling_footprints_are_refused_before_any_analysis() {
    // 2,000 one-metre squares across France: small in bytes, vertices and area.
    let parts: Vec<Value> = (0..2000)
        .map(|i| {
            square(
                -4.0 + (i % 50) as f64 * 0.2,
                43.0 + (i / 50) as f64 * 0.1,
                0.00001,
            )
        })
        .collect();
    let body = serde_json::json!({"type": "MultiPolygon", "coordinates": parts}).to_string();
    assert_invalid_footprint(&body, "trop morcelée").await;

    // Two squares 100 km apart.
    let body = serde_json::json!({"type": "MultiPolygon",
        "coordinates": [square(2.35, 48.89, 0.0001), square(3.70, 48.89, 0.0001)]});
    assert_invalid_footprint(&body.to_string(), "trop étendue").await;
}

#[tokio::test]
async fn a_valid_footprint_still_gets_its_answer() {
    let body = serde_json::json!({"type": "MultiPolygon",
        "coordinates": [square(2.35, 48.89, 0.0005), square(2.352, 48.89, 0.0005)]});
    let (status, v) = post_footprint(&body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scope"]["kind"], "footprint");
}

#[tokio::test]
async fn saturated_workers_answer_503_with_retry_after() {
    let mut state = state();
    state.workers = urbaclic::app::Workers::new(0, std::time::Duration::from_millis(20));
    let body = serde_json::json!({"type": "Polygon", "coordinates": square(2.35, 48.89, 0.0005)});
    let req = Request::post("/api/lookup")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router(state).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "1");
    let v: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["error"], "busy", "{v}");
    assert!(v["message"].is_string());
}
