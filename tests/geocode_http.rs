//! The BAN API over the real router: `/search/` and `/reverse/` (with and without the trailing
//! slash) answer BAN-shaped GeoJSON, and bad parameters get a 400 a BAN client understands.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::{router, AppState};
use urbaclic::dataset::{Dataset, DatasetParts};
use urbaclic::geocode::AddressIndex;
use urbaclic::load::LoadReport;

fn app() -> axum::Router {
    let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/ban-adresses-75118/adresses-75118.csv");
    let mut data = Dataset::build(DatasetParts::default(), LoadReport::default());
    data.addresses = Some(AddressIndex::build(&[csv], &[]).unwrap());
    router(AppState::new(data))
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let resp = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn search_with_a_typo_lowercase_and_no_accents() {
    let app = app();
    for path in ["/search/", "/search"] {
        let (status, v) = get(
            &app,
            &format!("{path}?q=6%20rue%20emile%20duploy%20paris&limit=1"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(v["version"], "draft");
        assert_eq!(v["limit"], 1);
        let f = &v["features"][0];
        assert_eq!(f["properties"]["label"], "6 Rue Emile Duployé 75018 Paris");
        assert_eq!(f["properties"]["type"], "housenumber");
        assert_eq!(f["geometry"]["coordinates"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn reverse_returns_the_nearest_address() {
    let app = app();
    let (_, s) = get(&app, "/search/?q=71+rue+du+mont+cenis&limit=1").await;
    let c = &s["features"][0]["geometry"]["coordinates"];
    for path in ["/reverse/", "/reverse"] {
        let (status, v) = get(&app, &format!("{path}?lon={}&lat={}", c[0], c[1])).await;
        assert_eq!(status, StatusCode::OK);
        let p = &v["features"][0]["properties"];
        assert_eq!(p["label"], "71 Rue du Mont Cenis 75018 Paris");
        assert_eq!(p["distance"], 0);
    }
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_message() {
    let app = app();
    for uri in [
        "/search/",
        "/search/?q=",
        "/search/?q=ab",
        "/search/?q=rue&limit=0",
        "/search/?q=rue&limit=x",
        "/search/?q=rue&lat=91&lon=2",
        "/search/?q=rue&type=ville",
        "/reverse/",
        "/reverse/?lon=2.3",
        "/reverse/?lon=abc&lat=48.8",
        "/reverse/?lon=2.3&lat=48.8&limit=-1",
    ] {
        let (status, v) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(v["code"], 400, "{uri}");
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}"
        );
    }
    let long = format!("/search/?q={}", "a".repeat(201));
    assert_eq!(get(&app, &long).await.0, StatusCode::BAD_REQUEST);
}
