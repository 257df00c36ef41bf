//! Operations (issue 12): request ids in headers, error bodies and logs; `/metrics` in the
//! Prometheus text format, read back with an independent parser (the `prometheus-parse` crate).

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::load::load_dir;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The embedded data, loaded afresh: each test has its own state, hence its own counters.
fn dataset() -> urbaclic::dataset::Dataset {
    load_dir(&data_dir()).expect("the embedded data loads")
}

async fn get(
    app: &axum::Router,
    uri: &str,
    id: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut req = Request::get(uri);
    if let Some(id) = id {
        req = req.header("x-request-id", id);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let header = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, header, body)
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_error_bodies_repeat_it() {
    let app = router(AppState::new(dataset()));
    let (status, header, body) = get(&app, "/api/lookup?lat=91&lon=2", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let header = header.expect("an X-Request-Id header");
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["request_id"], header.as_str(), "{json}");

    // Two requests, two ids.
    let (_, second, _) = get(&app, "/health", None).await;
    assert_ne!(second.unwrap(), header);

    // A client's own id is kept (a frontend or a proxy correlates with it)…
    let (_, kept, body) = get(&app, "/api/lookup?lat=91&lon=2", Some("poste-12.demande-7")).await;
    assert_eq!(kept.as_deref(), Some("poste-12.demande-7"));
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["request_id"], "poste-12.demande-7");
    // …unless it could forge a log line.
    let (_, replaced, _) = get(&app, "/health", Some("a\"b c")).await;
    assert_ne!(replaced.as_deref(), Some("a\"b c"));
    assert!(replaced.is_some());
}

/// The value of the sample `name` whose labels include all of `labels`.
fn sample(
    samples: &[prometheus_parse::Sample],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(h) => h.last().map_or(0.0, |b| b.count),
            prometheus_parse::Value::Summary(_) => f64::NAN,
        })
}

async fn scrape(app: &axum::Router) -> prometheus_parse::Scrape {
    let (status, _, body) = get(app, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    prometheus_parse::Scrape::parse(lines).expect("the text format parses")
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_describe_the_data() {
    let data = dataset();
    let parcels = data.parcels.len() as f64;
    let app = router(AppState::new(data));
    for _ in 0..3 {
        get(&app, "/api/lookup?lat=43.99982&lon=4.36968", None).await;
    }
    get(&app, "/api/lookup?lat=91&lon=2", None).await;
    get(&app, "/nulle-part", None).await;

    let scrape = scrape(&app).await;
    let s = &scrape.samples;
    assert_eq!(
        sample(
            s,
            "urbaclic_http_requests_total",
            &[("route", "/api/lookup"), ("status", "200")]
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            s,
            "urbaclic_http_requests_total",
            &[("route", "/api/lookup"), ("status", "400")]
        ),
        Some(1.0)
    );
    // Paths that match no route share one series, whatever a scanner tries.
    assert_eq!(
        sample(
            s,
            "urbaclic_http_requests_total",
            &[("route", "autre"), ("status", "404")]
        ),
        Some(1.0)
    );
    // The histogram's +Inf bucket and count agree with the counters: 4 lookups.
    assert_eq!(
        sample(
            s,
            "urbaclic_http_request_duration_seconds_count",
            &[("route", "/api/lookup")]
        ),
        Some(4.0)
    );
    assert_eq!(
        sample(s, "urbaclic_http_requests_in_flight", &[]),
        Some(1.0),
        "the scrape itself"
    );
    assert_eq!(
        sample(s, "urbaclic_layer_features", &[("layer", "parcels")]),
        Some(parcels)
    );
    assert_eq!(sample(s, "urbaclic_dataset_generation", &[]), Some(1.0));
    assert_eq!(
        sample(s, "urbaclic_reloads_total", &[("outcome", "refused")]),
        Some(0.0)
    );
    assert!(sample(s, "urbaclic_dataset_load_seconds", &[]).unwrap() > 0.0);
}

#[tokio::test]
async fn metrics_count_reload_outcomes() {
    let dir = std::env::temp_dir().join(format!("urbaclic-operations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cadastre")).unwrap();
    let file = dir.join("cadastre/cadastre-91216-parcelles.json");
    std::fs::copy(
        data_dir().join("cadastre-etalab-91216/cadastre-91216-parcelles.json"),
        &file,
    )
    .unwrap();
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir.clone());
    let app = router(state.clone());

    state.reload().unwrap();
    std::fs::write(&file, b"{ pas du JSON").unwrap();
    assert!(state.reload().is_err());

    let scrape = scrape(&app).await;
    let s = &scrape.samples;
    assert_eq!(
        sample(s, "urbaclic_reloads_total", &[("outcome", "ok")]),
        Some(1.0)
    );
    assert_eq!(
        sample(s, "urbaclic_reloads_total", &[("outcome", "refused")]),
        Some(1.0)
    );
    assert_eq!(sample(s, "urbaclic_dataset_generation", &[]), Some(2.0));
    let _ = std::fs::remove_dir_all(&dir);
}

async fn get_with(
    app: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> axum::response::Response {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

/// Answers carry a validator naming the dataset: the same request again with it is a 304 with
/// no body, and after a reload the tag changes (the answer may have).
#[tokio::test]
async fn api_answers_have_an_etag_that_changes_with_the_dataset() {
    let mut state = AppState::new(dataset());
    state.data_dir = Some(data_dir());
    let app = router(state.clone());
    let uri = "/api/lookup?lat=43.99982&lon=4.36968";
    let first = get_with(&app, uri, &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with("W/\""), "{tag}");
    // Another URI, another tag.
    let other = get_with(&app, "/api/lookup?lat=43.9999&lon=4.36968", &[]).await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), tag);

    let again = get_with(&app, uri, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .is_empty());

    state.reload().unwrap();
    let after = get_with(&app, uri, &[("if-none-match", &tag)]).await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "a reload invalidates the tag"
    );
    assert_ne!(after.headers()["etag"].to_str().unwrap(), tag);
    // `/health` changes without a reload: never tagged.
    assert!(get_with(&app, "/health", &[])
        .await
        .headers()
        .get("etag")
        .is_none());
}

/// Every JSON route is gzip-compressed for a client that accepts it.
#[tokio::test]
async fn json_answers_are_gzipped_when_accepted() {
    let app = router(AppState::new(dataset()));
    for uri in [
        "/api/lookup?lat=43.99982&lon=4.36968",
        "/api/catalog",
        "/search/?q=rue%20ordener%20paris",
    ] {
        let res = get_with(&app, uri, &[("accept-encoding", "gzip")]).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{uri}"
        );
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        let _: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
}
