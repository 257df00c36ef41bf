//! The BAN API over the real router: `/search/` and `/reverse/` (with and without the trailing
//! slash) answer BAN-shaped GeoJSON, and bad parameters get a 400 a BAN client understands.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::{Dataset, DatasetParts};
use urbaclic::geocode::AddressIndex;
use urbaclic::report::LoadReport;

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

fn multipart(parts: &[(&str, &str)]) -> (String, String) {
    let boundary = "urbaclic-test-boundary";
    let mut body = String::new();
    for (name, value) in parts {
        let file = if *name == "data" {
            "; filename=\"adresses.csv\"\r\nContent-Type: text/csv"
        } else {
            ""
        };
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post(app: &axum::Router, uri: &str, parts: &[(&str, &str)]) -> (StatusCode, String) {
    let (ct, body) = multipart(parts);
    let req = Request::post(uri)
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn batch_csv_like_the_ban_api() {
    let app = app();
    let csv = "nom,adresse,cp\nA,6 rue emile duploy,75018\nB,zzzz,\n";
    let (status, out) = post(
        &app,
        "/search/csv/",
        &[("data", csv), ("columns", "adresse"), ("postcode", "cp")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("nom,adresse,cp,latitude,longitude,result_label,result_score"));
    assert!(
        lines[1].contains("6 Rue Emile Duployé 75018 Paris"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(",ok"));
    assert!(lines[2].ends_with(",not-found"));

    let (status, out) = post(
        &app,
        "/reverse/csv",
        &[("data", "lat;lon\n48.8917;2.3437\n")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(out.contains("71 Rue du Mont Cenis 75018 Paris"), "{out}");

    let (status, _) = post(&app, "/search/csv/", &[("columns", "adresse")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(
        &app,
        "/search/csv/",
        &[("data", csv), ("columns", "absente")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// addok's forms of the parameters (issue 15 §4): several values per filter, repeated or
/// separated by spaces, the `lng` alias, falcon's booleans, and code filters on `/reverse/`.
/// Point: 71 Rue du Mont Cenis, `grep '^75118_6467_00071;' data/ban-adresses-75118/adresses-75118.csv`
/// → lon 2.343792, lat 48.891725.
#[tokio::test]
async fn filters_and_aliases_as_addok_reads_them() {
    let app = app();
    let (status, v) = get(&app, "/search/?q=rue+de+la+chapelle&postcode=75018+75017").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v["filters"]["postcode"],
        serde_json::json!(["75018", "75017"])
    );
    assert!(!v["features"].as_array().unwrap().is_empty());
    let (_, v) = get(&app, "/search/?q=rue+de+la+chapelle&postcode=75017").await;
    assert!(v["features"].as_array().unwrap().is_empty());
    let (_, v) = get(
        &app,
        "/search/?q=12+rue+de+la+chapelle&type=street&type=locality",
    )
    .await;
    assert_eq!(
        v["filters"]["type"],
        serde_json::json!(["street", "locality"])
    );
    let feats = v["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    assert!(feats
        .iter()
        .all(|f| f["properties"]["type"] != "housenumber"));
    let (status, v) = get(
        &app,
        "/search/?q=chapelle&lng=2.36&lat=48.89&autocomplete=yes",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["center"], serde_json::json!([2.36, 48.89]));

    let at = "/reverse/?lon=2.343792&lat=48.891725";
    let label = |v: &Value| v["features"][0]["properties"]["label"].clone();
    let (_, v) = get(&app, &format!("{at}&citycode=75118")).await;
    assert_eq!(label(&v), "71 Rue du Mont Cenis 75018 Paris");
    assert_eq!(v["filters"]["citycode"], serde_json::json!(["75118"]));
    let (_, v) = get(&app, &format!("{at}&citycode=31555")).await;
    assert!(v["features"].as_array().unwrap().is_empty());
    let (_, v) = get(&app, &format!("{at}&postcode=75017")).await;
    assert!(v["features"].as_array().unwrap().is_empty());
    let (_, v) = get(
        &app,
        "/reverse/?lng=2.343792&lat=48.891725&postcode=75017+75018",
    )
    .await;
    assert_eq!(label(&v), "71 Rue du Mont Cenis 75018 Paris");
}

/// `/reverse/csv/` with addok-csv's columns (`result_latitude`, `result_longitude`,
/// `result_label`, `result_distance`, `result_type`, `result_id`, `result_housenumber`, then
/// the properties), a one-column file, and the `lat`/`lon`/`type` form fields. Points: 71 Rue
/// du Mont Cenis (above) and 6 Rue Ordener (`grep '^75118_6918_00006;' …` → 2.358844,
/// 48.890382).
#[tokio::test]
async fn reverse_csv_like_addok_csv() {
    let app = app();
    let (status, out) = post(
        &app,
        "/reverse/csv/",
        &[("data", "lat,lon\n48.891725,2.343792\n")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "lat,lon,result_latitude,result_longitude,result_label,result_distance,result_type,\
         result_id,result_housenumber,result_name,result_street,result_postcode,result_city,\
         result_context,result_citycode,result_oldcitycode,result_oldcity,result_district,\
         result_status"
    );
    assert!(
        lines[1].starts_with(
            "48.891725,2.343792,48.891725,2.343792,71 Rue du Mont Cenis 75018 Paris,0,housenumber,75118_6467_00071,71,"
        ),
        "{}",
        lines[1]
    );
    // Coordinates in other columns, named by the form; a type for every row.
    let csv = "y;x;nom\n48.890382;2.358844;A\n";
    let (status, out) = post(
        &app,
        "/reverse/csv/",
        &[
            ("data", csv),
            ("lat", "y"),
            ("lon", "x"),
            ("type", "street"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let row: Vec<&str> = out.lines().nth(1).unwrap().split(';').collect();
    assert_eq!(
        (row[7], row[5]),
        ("street", "Rue Ordener 75018 Paris"),
        "{out}"
    );
    // A one-column file (nothing to detect a delimiter from) comes back comma-separated.
    let (status, out) = post(
        &app,
        "/search/csv/",
        &[
            ("data", "adresse\n6 rue ordener 75018 paris\n"),
            ("result_columns", "result_id"),
            ("result_columns", "result_label"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        out,
        "adresse,result_id,result_label\n6 rue ordener 75018 paris,75118_6918_00006,6 Rue Ordener 75018 Paris\n"
    );
    // `type` naming neither a column nor a type is a 400.
    let (status, _) = post(&app, "/reverse/csv/", &[("data", csv), ("type", "ville")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
