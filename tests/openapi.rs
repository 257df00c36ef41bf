//! The OpenAPI 3.1 document (`/api/openapi.json`) and its page (`/api/docs`), through the whole
//! router on the embedded data in `data/`.
//!
//! The document is validated by a real validator (`openapi-spec-validator` from PyPI) and real
//! answers against its schemas by Python's `jsonschema`, both run by
//! `tests/fixtures/openapi/check_openapi.py` (installed by `.ci/run`). The routes of the document
//! and of the router are compared both ways: every documented operation is probed on the router,
//! and every route of the router is registered with its description (`routes!`: the source of
//! `src/api/` holds no `.route(` call that would serve a route undocumented).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            AppState::new(urbaclic::load::load_dir(&root().join("data")).expect("data loads"))
        })
        .clone()
}

/// Status, content type and body of `req`.
async fn send(req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res = router(state())
        .oneshot(req)
        .await
        .expect("the router answers");
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, content_type, body)
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(Request::get(uri).body(Body::empty()).unwrap()).await;
    let v = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{uri}: {status}, not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, v)
}

async fn document() -> Value {
    let (status, doc) = get_json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Runs check_openapi.py on `doc` (and `answers`); returns its exit status and output.
fn check(doc: &Value, answers: Option<&[Value]>, tag: &str) -> (bool, String) {
    let dir = std::env::temp_dir();
    let stem = format!("urbaclic-openapi-{}-{tag}", std::process::id());
    let doc_file = dir.join(format!("{stem}-doc.json"));
    std::fs::write(&doc_file, serde_json::to_vec(doc).unwrap()).unwrap();
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("tests/fixtures/openapi/check_openapi.py"))
        .arg(&doc_file);
    let answers_file = dir.join(format!("{stem}-answers.json"));
    if let Some(a) = answers {
        std::fs::write(&answers_file, serde_json::to_vec(a).unwrap()).unwrap();
        cmd.arg(&answers_file);
    }
    let out = cmd
        .output()
        .expect("python3 runs (openapi-spec-validator and jsonschema: see .ci/run)");
    if std::env::var_os("KEEP_DOC").is_none() {
        let _ = std::fs::remove_file(&doc_file);
    }
    let _ = std::fs::remove_file(&answers_file);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The operations of the document: (method, path).
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                ops.push((method.clone(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn the_document_validates_as_openapi_3_1() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let (ok, report) = check(&doc, None, "valid");
    assert!(ok, "{report}");
    // The validator can fail: a path parameter the operation does not declare.
    let mut broken = doc.clone();
    let item = broken["paths"]["/api/layers/{layer}"].clone();
    broken["paths"]["/api/layers/{layer}/{extra}"] = item;
    let (ok, report) = check(&broken, None, "broken");
    assert!(!ok, "{report}");
    assert!(report.contains("extra"), "{report}");
}

/// The routes named by issue 15 §2 and the brief (every route of `src/api/mod.rs` and the
/// `routes()` it merges), written here by hand from them: the document must hold each.
#[tokio::test]
async fn the_document_lists_every_route_of_the_api() {
    let doc = document().await;
    let ops = operations(&doc);
    let expected = [
        ("get", "/api/lookup"),
        ("post", "/api/lookup"),
        ("get", "/api/catalog"),
        ("get", "/api/layers"),
        ("get", "/api/layers/{layer}"),
        ("get", "/api/servitudes/categories"),
        ("get", "/api/cua"),
        ("get", "/api/parcels"),
        ("post", "/api/lookup/csv/"),
        ("post", "/api/lookup/csv"),
        ("get", "/api/reglement"),
        ("get", "/api/pieces/{path}"),
        ("post", "/admin/reload"),
        ("get", "/search/"),
        ("get", "/search"),
        ("get", "/reverse/"),
        ("get", "/reverse"),
        ("post", "/search/csv/"),
        ("post", "/reverse/csv/"),
        ("get", "/api/gpu/zone-urba"),
        ("post", "/api/gpu/zone-urba"),
        ("get", "/api/gpu/generateur-sup-s"),
        ("get", "/api/gpu/all"),
        ("get", "/api/cadastre/parcelle"),
        ("post", "/api/cadastre/parcelle"),
        ("get", "/api/cadastre/commune"),
        ("get", "/health"),
        ("get", "/metrics"),
        ("get", "/api/openapi.json"),
        ("get", "/api/docs"),
    ];
    for (method, path) in expected {
        assert!(
            ops.contains(&(method.to_string(), path.to_string())),
            "{method} {path} missing from the document"
        );
    }
    // API Carto's GPU module: its 17 tables and /all (gpu.yml of IGN).
    let gpu = ops
        .iter()
        .filter(|(m, p)| m == "get" && p.starts_with("/api/gpu/"))
        .count();
    assert_eq!(gpu, 18);
    // Every operation documents its errors: a JSON error body for 500.
    for (method, path) in &ops {
        let responses = &doc["paths"][path][method]["responses"];
        assert!(responses["500"].is_object(), "{method} {path}: {responses}");
        assert!(responses["200"].is_object(), "{method} {path}: {responses}");
    }
}

/// A value for a path parameter, so that the probe reaches the route.
fn sample(path: &str) -> String {
    path.replace("{layer}", "zones")
        .replace("{file}", "init.js")
        .replace("{path}", "absente.pdf")
}

/// Every operation of the document is served by the router: no probe falls through to the
/// fallback's 404 (« aucune ressource ») or to a 405. The converse is by construction — the
/// router is built from the same `routes!` calls as the document — and checked below.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let doc = document().await;
    let ops = operations(&doc);
    assert!(ops.len() > 40, "{}", ops.len());
    // The fallback's answer, to recognise it.
    let (status, v) = get_json("/api/pas-de-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unrouted = v["message"]
        .as_str()
        .unwrap()
        .split(" /")
        .next()
        .unwrap()
        .to_string();
    assert!(unrouted.starts_with("aucune ressource"), "{unrouted}");
    for (method, path) in ops {
        let uri = sample(&path);
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(req).await;
        let text = String::from_utf8_lossy(&body);
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {text}"
        );
        assert!(
            !(status == StatusCode::NOT_FOUND && text.contains(&unrouted)),
            "{method} {uri} is documented but not routed: {text}"
        );
    }
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The router's routes are all registered through `routes!` (or a `UtoipaMethodRouter` built
/// from a handler's description), which documents them: axum's own registrations, which would
/// not, appear nowhere in the API's source. The check is on the text: this test refuses the
/// usual forms; a registration at a path held in a variable would escape it.
#[test]
fn every_route_is_registered_with_its_description() {
    let mut files = Vec::new();
    sources(&root().join("src/api"), &mut files);
    assert!(files.len() > 10);
    let mut registrations = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // `.route(` with a literal or a borrowed path: a registration (`Table::route()` is not).
        for forbidden in [
            ".route(\"",
            ".route(&",
            ".route_service(",
            ".nest(",
            ".nest_service(",
        ] {
            assert!(
                !text.contains(forbidden),
                "{}: `{forbidden}` serves a route the document does not describe; use \
                 `.routes(routes!(handler))` (see src/api/openapi.rs)",
                file.display()
            );
        }
        registrations += text.matches(".routes(").count();
    }
    assert!(registrations > 15, "{registrations}");
}

/// One answer to check: its request, status and body.
async fn answer(method: &str, uri: &str, body: Option<Value>) -> Value {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let (status, _, bytes) = send(req).await;
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    let path = uri.split('?').next().unwrap();
    json!({ "path": path, "method": method.to_lowercase(), "status": status.as_u16(), "answer": answer })
}

/// The point of the issue's acceptance line, in zone Ucp of Arpaillargues (30014).
const UCP: (f64, f64) = (4.36968, 43.99982);

#[tokio::test]
async fn real_answers_match_the_document_schemas() {
    let doc = document().await;
    let (lon, lat) = UCP;
    let geom = r#"{"type":"Point","coordinates":[4.36968,43.99982]}"#;
    let geom_q: String = serde_urlencoded::to_string([("geom", geom)]).unwrap();
    let answers = vec![
        answer("GET", &format!("/api/lookup?lon={lon}&lat={lat}"), None).await,
        // The parcel of the issue's acceptance line (data/cadastre-etalab-91216).
        answer("GET", "/api/lookup?parcel=91216000AB0037", None).await,
        answer(
            "POST",
            "/api/lookup",
            Some(json!({"type": "Polygon", "coordinates": [[
                [4.3696, 43.9998], [4.3698, 43.9998], [4.3698, 43.9999],
                [4.3696, 43.9999], [4.3696, 43.9998]]]})),
        )
        .await,
        answer("GET", "/api/lookup?lat=98&lon=2", None).await,
        answer("GET", "/api/lookup?parcel=91216000ZZ9999", None).await,
        answer("GET", "/api/parcels?q=91216%20AB%2037", None).await,
        answer("GET", "/api/catalog", None).await,
        answer("GET", "/api/servitudes/categories", None).await,
        answer(
            "GET",
            "/api/layers?bbox=4.36,43.99,4.38,44.01&zoom=16",
            None,
        )
        .await,
        answer(
            "GET",
            "/api/layers/zones?bbox=4.36,43.99,4.38,44.01&zoom=16",
            None,
        )
        .await,
        answer("GET", "/search/?q=rue%20ordener&limit=3", None).await,
        answer("GET", "/reverse/?lon=2.35&lat=48.89", None).await,
        answer("GET", "/search/?q=a", None).await,
        answer("GET", &format!("/api/gpu/zone-urba?{geom_q}"), None).await,
        answer("GET", &format!("/api/gpu/all?{geom_q}"), None).await,
        answer(
            "GET",
            "/api/cadastre/parcelle?code_insee=91216&section=AB&numero=0037",
            None,
        )
        .await,
        answer("GET", "/api/reglement", None).await,
        answer("GET", "/health", None).await,
    ];
    let mut answers = answers;
    answers[9]["path"] = json!("/api/layers/{layer}");
    let statuses: Vec<u64> = answers
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            200, 200, 200, 400, 404, 200, 200, 200, 200, 200, 200, 200, 400, 200, 200, 200, 200,
            200
        ]
    );
    // Not vacuous: the lookups found their zone and parcel.
    assert_eq!(answers[0]["answer"]["zones"][0]["libelle"], "Ucp");
    assert_eq!(answers[1]["answer"]["parcel"]["id"], "91216000AB0037");
    let (ok, report) = check(&doc, Some(&answers), "answers");
    assert!(ok, "{report}");
    // And the check can fail: a latitude written as text, an error without its message.
    let mut broken = vec![answers[0].clone(), answers[3].clone()];
    broken[0]["answer"]["lat"] = json!("43.99982");
    broken[1]["answer"]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let (ok, report) = check(&doc, Some(&broken), "broken-answers");
    assert!(!ok, "{report}");
    assert!(
        report.contains("/lat") && report.contains("message"),
        "{report}"
    );
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let (status, content_type, page) =
        send(Request::get("/api/docs").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = String::from_utf8(page).unwrap();
    // No CDN: every script and style sheet is ours.
    assert!(!page.contains("http"), "{page}");
    for (file, kind) in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("init.js", "text/javascript"),
    ] {
        assert!(page.contains(&format!("/api/docs/{file}")), "{page}");
        let (status, content_type, bytes) = send(
            Request::get(format!("/api/docs/{file}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert!(content_type.starts_with(kind), "{file}: {content_type}");
        let on_disk = std::fs::read(root().join("src/api/docs").join(file)).unwrap();
        assert_eq!(bytes, on_disk, "{file}");
    }
    let (status, v) = get_json("/api/docs/absent.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "not_found");
}
