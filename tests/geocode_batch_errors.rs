//! The batch routes (`POST /search/csv/`, `/reverse/csv/`) never answer plain text: whatever is
//! wrong with the request, the body is JSON with `error` and `message`, and the status says
//! whose fault it is.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::{Dataset, DatasetParts};
use urbaclic::report::LoadReport;

const BOUNDARY: &str = "urbaclic-test-boundary";

fn app() -> axum::Router {
    router(AppState::new(Dataset::build(
        DatasetParts::default(),
        LoadReport::default(),
    )))
}

/// Posts `body` with `content_type` (none when `None`) and returns the status and JSON body,
/// failing when the answer is not JSON.
async fn post(uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> (StatusCode, Value) {
    let mut req = Request::post(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let resp = app().oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = resp.status();
    let ct = resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        ct,
        "application/json",
        "{uri}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v["error"].is_string(), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert_eq!(v["code"], status.as_u16(), "{v}");
    (status, v)
}

fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

fn form_with_data(csv: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    )
}

#[tokio::test]
async fn a_json_body_or_no_content_type_is_415() {
    for uri in ["/search/csv/", "/reverse/csv/", "/search/csv"] {
        let (status, v) = post(uri, Some("application/json"), r#"{"q": "8 bd du port"}"#).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(v["error"], "unsupported_media_type");
        assert!(
            v["message"].as_str().unwrap().contains("application/json"),
            "{v}"
        );
        let (status, _) = post(uri, None, "adresse\n1 rue x\n").await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}

#[tokio::test]
async fn malformed_forms_are_400() {
    // No boundary in the content type.
    let (status, v) = post("/search/csv/", Some("multipart/form-data"), "x").await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_form"))
    );
    // A body that is not the announced form, and one cut short.
    for body in [
        "pas un formulaire".to_string(),
        form_with_data("adresse\n1 rue x")[..60].to_string(),
    ] {
        let (status, v) = post("/search/csv/", Some(&form_type()), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["error"], "invalid_form");
    }
}

#[tokio::test]
async fn a_file_over_50_mib_is_413() {
    let csv = format!(
        "adresse\n{}",
        "1 rue de la paix\n".repeat(51 * 1024 * 1024 / 17 + 1)
    );
    let (status, v) = post("/search/csv/", Some(&form_type()), form_with_data(&csv)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "too_large");
}

#[tokio::test]
async fn bad_csv_and_missing_file_are_400() {
    let (status, v) = post("/search/csv/", Some(&form_type()), form_with_data("")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_csv"))
    );
    let (status, v) = post(
        "/reverse/csv/",
        Some(&form_type()),
        form_with_data("a,b\n1,2"),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_csv"))
    );
    assert_eq!(v["message"], "colonne « lat » ou « latitude » absente");
    let (status, v) = post(
        "/search/csv/",
        Some(&form_type()),
        format!("--{BOUNDARY}--\r\n"),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_parameter"))
    );
}
