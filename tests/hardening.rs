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

// ---------------------------------------------------------------------------------------------
// Findings 4 and 8: timeouts, limits, panics, shutdown, headers, paths in /health
// ---------------------------------------------------------------------------------------------

use std::time::Duration;

use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use urbaclic::api::{apply_limits, router_with, RequestLimits};
use urbaclic::server::{serve, ConnectionLimits};

async fn json_of(res: axum::response::Response) -> (StatusCode, axum::http::HeaderMap, Value) {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, headers, v)
}

#[tokio::test]
async fn the_page_carries_security_headers() {
    let res = router(state())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn beyond_max_in_flight_requests_are_shed_but_health_answers() {
    let limits = RequestLimits {
        max_in_flight: 0,
        ..RequestLimits::default()
    };
    let app = router_with(state(), &limits);
    let res = app
        .clone()
        .oneshot(
            Request::get("/api/lookup?lat=48.89&lon=2.35")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let (status, headers, v) = json_of(res).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(v["error"], "busy");
    let res = app
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Size of the answer of the test route `/big`.
const BIG_ANSWER: usize = 32 << 20;

/// A router of test routes (a panic, a slow answer, a big one) under the real limits.
fn test_app(limits: &RequestLimits) -> axum::Router {
    let routes = axum::Router::new()
        .route("/panic", get(|| async { panic!("boom") as &'static str }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                "done"
            }),
        )
        // 32 MiB at once: far more than the kernel buffers for a client that does not read.
        .route("/big", get(|| async { vec![b'x'; BIG_ANSWER] }));
    apply_limits(routes, limits)
}

#[tokio::test]
async fn a_panicking_handler_is_a_json_500() {
    let res = test_app(&RequestLimits::default())
        .oneshot(Request::get("/panic").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, _, v) = json_of(res).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(v["error"], "internal");
    assert!(
        !v["message"].as_str().unwrap().contains("boom"),
        "the detail is logged, not answered"
    );
}

#[tokio::test]
async fn a_request_over_its_deadline_is_a_json_504() {
    let limits = RequestLimits {
        request_timeout: Duration::from_millis(50),
        ..RequestLimits::default()
    };
    let res = test_app(&limits)
        .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, _, v) = json_of(res).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(v["error"], "timeout");
}

#[tokio::test]
async fn a_body_that_stops_coming_is_a_json_408() {
    let limits = RequestLimits {
        body_timeout: Duration::from_millis(50),
        ..RequestLimits::default()
    };
    let req = Request::post("/api/lookup")
        .header("content-type", "application/json")
        .body(Body::from_stream(Stalled(Some(b"{\"type\":"))))
        .unwrap();
    let res = tokio::time::timeout(
        Duration::from_secs(5),
        router_with(state(), &limits).oneshot(req),
    )
    .await
    .expect("answered within the body timeout")
    .unwrap();
    let (status, _, v) = json_of(res).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{v}");
    assert_eq!(v["error"], "request_timeout");
}

/// A body that sends `{"type":` then nothing, forever.
struct Stalled(Option<&'static [u8]>);

impl futures_core::Stream for Stalled {
    type Item = Result<&'static [u8], std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.0.take() {
            Some(chunk) => std::task::Poll::Ready(Some(Ok(chunk))),
            None => std::task::Poll::Pending,
        }
    }
}

#[test]
fn a_failed_reload_names_the_file_relative_to_the_data_folder() {
    let dir = cadastre_folder("relative-path");
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir.clone());
    std::fs::write(
        dir.join("cadastre/cadastre-91216-parcelles.json"),
        "{ not json",
    )
    .unwrap();
    assert!(state.reload().is_err());
    let last = state.reload_status().last_error.unwrap();
    assert!(
        last.contains("cadastre/cadastre-91216-parcelles.json"),
        "{last}"
    );
    assert!(
        !last.contains(&*dir.to_string_lossy()),
        "absolute path shown: {last}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server on a loopback port with `limits`, serving `app` until the returned sender fires.
async fn loopback(
    app: axum::Router,
    limits: ConnectionLimits,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve(listener, app, &limits, async {
            let _ = stopped.await;
        })
        .await;
    });
    (addr, stop, task)
}

fn short_limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_millis(300),
        max_connections: 4,
        max_header_bytes: 16 * 1024,
        write_timeout: Duration::from_millis(500),
        shutdown_grace: Duration::from_secs(5),
    }
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> String {
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_and_the_cap_holds() {
    let (addr, stop, task) = loopback(router(state()), short_limits()).await;
    let bounded = Duration::from_secs(5);
    // A client that connects and sends nothing is dropped after the header timeout.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::timeout(bounded, read_to_close(&mut silent))
        .await
        .expect("silent client closed");
    // A client that sends half a head, then stalls: same.
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::timeout(bounded, read_to_close(&mut half))
        .await
        .expect("stalled head closed");
    // A kept-alive connection is closed once idle for the same time.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = tokio::time::timeout(bounded, read_to_close(&mut idle))
        .await
        .expect("idle closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // Four connections held open: the fifth is closed at once, and served again once they go.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut extra = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = extra
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let refused = tokio::time::timeout(bounded, read_to_close(&mut extra))
        .await
        .expect("closed");
    assert!(refused.is_empty(), "over the cap, no answer: {refused}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = tokio::net::TcpStream::connect(addr).await.unwrap();
    again
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = tokio::time::timeout(bounded, read_to_close(&mut again))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let _ = stop.send(());
    tokio::time::timeout(bounded, task)
        .await
        .expect("server stops")
        .unwrap();
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    let (addr, stop, task) = loopback(test_app(&RequestLimits::default()), short_limits()).await;
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = stop.send(());
    let answer = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut client))
        .await
        .expect("answered before the grace period");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("server stops")
        .unwrap();
    // Nobody listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

// ---------------------------------------------------------------------------------------------
// Finding 6: every rejection is JSON {error, message}
// ---------------------------------------------------------------------------------------------

async fn assert_json_error(app: axum::Router, req: Request<Body>, expected: StatusCode) -> Value {
    let what = format!("{} {}", req.method(), req.uri());
    let (status, _, v) = json_of(app.oneshot(req).await.unwrap()).await;
    assert_eq!(status, expected, "{what}: {v}");
    assert!(
        v["error"].is_string() && v["message"].is_string(),
        "{what}: {v}"
    );
    v
}

#[tokio::test]
async fn a_frontend_folder_serves_regular_files_only_and_answers_json() {
    let dir = scratch("frontend");
    std::fs::write(dir.join("index.html"), "<p>dev</p>").unwrap();
    let outside = scratch("outside");
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), dir.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("linked")).unwrap();
    let mut st = state();
    st.frontend_dir = Some(dir.clone());
    let app = router(st);

    let res = app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for uri in ["/link.txt", "/linked/secret.txt"] {
        let v = assert_json_error(
            app.clone(),
            Request::get(uri).body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(v["error"], "not_found");
    }
    let long = format!("/{}", "a".repeat(300));
    assert_json_error(
        app.clone(),
        Request::get(long.as_str()).body(Body::empty()).unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_json_error(
        app.clone(),
        Request::post("/index.html").body(Body::empty()).unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    // An embedded file the folder lacks: same answers.
    assert_json_error(
        app,
        Request::post("/js/app.js").body(Body::empty()).unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}

#[tokio::test]
async fn a_json_body_on_the_batch_route_is_a_json_415() {
    let req = Request::post("/search/csv/")
        .header("content-type", "application/json")
        .body(Body::from("{\"q\": \"x\"}"))
        .unwrap();
    assert_json_error(router(state()), req, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn a_malformed_chunked_body_is_a_json_400() {
    let (addr, stop, task) = loopback(router(state()), short_limits()).await;
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"POST /api/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut client))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"error\":\"invalid_body\""), "{answer}");
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("server stops")
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Bad-input corpus: every route, hostile values; no 5xx, every error JSON with code and message
// ---------------------------------------------------------------------------------------------

/// (method, uri, content type, body) of every request of the corpus.
fn corpus() -> Vec<(&'static str, String, &'static str, Vec<u8>)> {
    let numbers = [
        "",
        "abc",
        "NaN",
        "inf",
        "-inf",
        "1e309",
        "-0",
        "0x10",
        "1,5",
        "%00",
        "%FF%FE",
        "999",
        "-91",
        "180.0000001",
        "48.89",
        "2.35",
        "1e-320",
        "+2",
        " 2",
        "2 ",
        "٣",
    ];
    let mut out = Vec::new();
    let get = |uri: String| ("GET", uri, "", Vec::new());
    for lat in numbers {
        for lon in ["2.35", "abc", "1e309", "-181"] {
            out.push(get(format!("/api/lookup?lat={lat}&lon={lon}")));
        }
    }
    for q in [
        "",
        "%",
        "%%",
        "a%ZZ",
        "lat",
        "lat=1&lat=2&lon=3",
        "q=",
        "q=%00",
        "q=rue%20de%20%E2%80%AE",
    ] {
        out.push(get(format!("/api/lookup?{q}")));
        out.push(get(format!("/search/?{q}")));
        out.push(get(format!("/reverse/?{q}")));
    }
    out.push(get(format!("/api/lookup?q={}", "a".repeat(5000))));
    out.push(get(format!("/search/?q={}", "é".repeat(3000))));
    for parcel in [
        "",
        "1",
        "91216000AB003",
        "91216000AB00377",
        "9121600%00B0037",
        "ZZZZZZZZZZZZZZ",
        "91216000AB9999",
    ] {
        out.push(get(format!("/api/lookup?parcel={parcel}")));
    }
    for (insee, section, numero) in [
        ("91216", "", "37"),
        ("x", "AB", "37"),
        ("91216", "ABC", "37"),
        ("91216", "AB", "-1"),
        ("91216", "AB", "99999"),
    ] {
        out.push(get(format!(
            "/api/lookup?insee={insee}&section={section}&numero={numero}"
        )));
    }
    for bbox in [
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "3,4,1,2",
        "-200,0,0,1",
        "0,-95,1,1",
        "NaN,0,1,1",
        "-180,-90,180,90",
        "2.3,48.8,2.4,48.9",
    ] {
        for zoom in ["", "abc", "-1", "23", "16", "1e9"] {
            out.push(get(format!("/api/layers?bbox={bbox}&zoom={zoom}")));
        }
        out.push(get(format!(
            "/api/layers?bbox={bbox}&zoom=16&layers=nope,parcels"
        )));
    }
    for lon in ["2.35", "abc", "400"] {
        out.push(get(format!("/reverse/?lon={lon}&lat=48.89")));
    }
    for path in [
        "/nope",
        "/api",
        "/api/",
        "/api/lookup/",
        "/%2e%2e/etc/passwd",
        "/../Cargo.toml",
        "/js/../../Cargo.toml",
        "/index.html%00",
        "/css/",
        "/vendor/leaflet/",
    ] {
        out.push(get(path.to_string()));
    }
    out.push(get(format!("/{}", "a".repeat(300))));
    // The regulation, written-piece and draft-certificate routes (issue 10).
    for q in [
        "",
        "idurba=",
        "zone=UB",
        "idurba=%00&zone=UB",
        "idurba=60668_PLU_20201207&zone=",
        "idurba=60668_PLU_20201207&zone=%E2%80%AE",
        "idurba=60668_PLU_20201207&zone=ZZ",
    ] {
        out.push(get(format!("/api/reglement?{q}")));
    }
    for piece in [
        "..",
        "../Cargo.toml",
        "%2e%2e/%2e%2e/etc/passwd",
        "a%00b.pdf",
        "Pieces_ecrites/",
    ] {
        out.push(get(format!("/api/pieces/{piece}")));
    }
    for q in [
        "",
        "parcel=",
        "parcel=abc",
        "parcel=75118000BT0107&format=exe",
        "parcel=75118000BT0107,35238000BW0825",
        "parcel=75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107,75118000BT0107",
        "lat=abc&lon=2",
        "lat=91&lon=2&format=pdf",
    ] {
        out.push(get(format!("/api/cua?{q}")));
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        for uri in [
            "/health",
            "/api/lookup",
            "/api/layers",
            "/api/catalog",
            "/search/",
            "/search/csv/",
            "/index.html",
        ] {
            out.push((method, uri.to_string(), "", Vec::new()));
        }
    }
    let footprints = [
        "", "null", "[]", "{}", "not json", "{\"type\":\"Polygon\"}", "{\"type\":\"Polygon\",\"coordinates\":null}",
        "{\"type\":\"Polygon\",\"coordinates\":[]}", "{\"type\":\"Polygon\",\"coordinates\":[[]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[2.35,48.89]]]}", "{\"type\":\"Polygon\",\"coordinates\":[[[2.35],[2.36],[2.37],[2.35]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[\"a\",1],[2,3],[4,5],[\"a\",1]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[1e309,1],[2,3],[4,5],[1e309,1]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}", "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[4],[5]]]]}",
        "{\"type\":\"GeometryCollection\",\"geometries\":[]}", "{\"type\":\"LineString\",\"coordinates\":[[4],[5]]}",
        "{\"type\":\"Point\",\"coordinates\":[2.35,48.89]}", "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{}}",
        "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[4],[5],[6],[4]]]},\"properties\":{}}",
        "{\"type\":\"FeatureCollection\",\"features\":[]}", "\u{feff}{}", "{\"type\":\"Polygon\",\"coordinates\":[[[2.35,48.89],[2.351,48.891],[2.351,48.89],[2.35,48.891],[2.35,48.89]]]}",
    ];
    for body in footprints {
        for ct in ["application/json", "text/plain", ""] {
            out.push((
                "POST",
                "/api/lookup".to_string(),
                ct,
                body.as_bytes().to_vec(),
            ));
        }
    }
    out.push((
        "POST",
        "/api/lookup".to_string(),
        "application/json",
        vec![0xff, 0xfe, 0x00],
    ));
    out.push((
        "POST",
        "/api/lookup".to_string(),
        "application/json",
        vec![b'['; 100_000],
    ));
    let boundary = "multipart/form-data; boundary=X";
    for body in [
        "", "--X--", "--X\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n\r\n--X--\r\n",
        "--X\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n\r\n\u{0}\u{1}\r\n--X--\r\n",
        "--X\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n\r\nq\r\n12 rue\r\n--X\r\nContent-Disposition: form-data; name=\"columns\"\r\n\r\nnope\r\n--X--\r\n",
        "--X\r\nContent-Disposition: form-data; name=\"nodata\"\r\n\r\nx\r\n--X--\r\n",
        "--Y\r\nbroken",
    ] {
        for (uri, ct) in [("/search/csv/", boundary), ("/reverse/csv/", boundary), ("/search/csv/", "application/json"), ("/reverse/csv", "")] {
            out.push(("POST", uri.to_string(), ct, body.as_bytes().to_vec()));
        }
    }
    out
}

#[tokio::test]
async fn the_bad_input_corpus_gets_no_5xx_and_only_json_errors() {
    let corpus = corpus();
    assert!(corpus.len() >= 300, "{} requests", corpus.len());
    let app = router(state());
    for (method, uri, ct, body) in corpus {
        // Spaces and non-ASCII are sent percent-encoded, as a client must.
        let uri: String = uri
            .chars()
            .map(|c| match c.is_ascii_graphic() {
                true => c.to_string(),
                false => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
            })
            .collect();
        let mut req = Request::builder().method(method).uri(uri.as_str());
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let req = req.body(Body::from(body)).unwrap();
        let res = tokio::time::timeout(Duration::from_secs(30), app.clone().oneshot(req))
            .await
            .unwrap_or_else(|_| panic!("{method} {uri}: no answer within 30 s"))
            .unwrap();
        let status = res.status();
        assert!(!status.is_server_error(), "{method} {uri}: {status}");
        if status.is_client_error() {
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{method} {uri}: {status} not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            assert!(
                v["error"].is_string() && v["message"].is_string(),
                "{method} {uri}: {v}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 7: reloads that would silently lose data
// ---------------------------------------------------------------------------------------------

#[test]
fn a_reload_emptying_a_file_is_refused_and_named() {
    let dir = cadastre_folder("emptied");
    let file = dir.join("cadastre/cadastre-91216-parcelles.json");
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir.clone());
    let before = state.dataset().summary_counts();
    assert!(before["parcels"].as_u64().unwrap() > 100, "{before}");
    std::fs::write(&file, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();

    let e = state.reload().expect_err("refused");
    let last = state.reload_status().last_error.unwrap();
    assert_eq!(last, e.to_string());
    assert!(
        last.contains("cadastre/cadastre-91216-parcelles.json"),
        "{last}"
    );
    assert!(last.contains("0 maintenant"), "{last}");
    assert_eq!(state.dataset().summary_counts(), before, "old data kept");

    // An operator who means it raises the share.
    state.reload_max_loss = 1.0;
    state.reload().unwrap();
    assert_eq!(state.dataset().summary_counts()["parcels"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn admin_reload_needs_the_token_and_answers_the_outcome() {
    let dir = cadastre_folder("admin");
    let mut st = AppState::new(load_dir(&dir).unwrap());
    st.data_dir = Some(dir.clone());
    let reload = |auth: Option<&str>| {
        let mut req = Request::post("/admin/reload");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.body(Body::empty()).unwrap()
    };
    // No token configured: the route is off.
    let v = assert_json_error(
        router(st.clone()),
        reload(Some("Bearer x")),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(v["error"], "not_found");

    st.admin_token = Some("0123456789abcdef-token".into());
    for auth in [None, Some("Bearer wrong"), Some("0123456789abcdef-token")] {
        let v = assert_json_error(router(st.clone()), reload(auth), StatusCode::UNAUTHORIZED).await;
        assert_eq!(v["error"], "unauthorized");
    }
    let good = Some("Bearer 0123456789abcdef-token");
    let (status, _, v) = json_of(router(st.clone()).oneshot(reload(good)).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["reload"]["reloads"], 1);

    std::fs::write(
        dir.join("cadastre/cadastre-91216-parcelles.json"),
        "{ not json",
    )
    .unwrap();
    let v = assert_json_error(router(st.clone()), reload(good), StatusCode::CONFLICT).await;
    assert_eq!(v["error"], "reload_refused");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("cadastre/cadastre-91216-parcelles.json"),
        "{message}"
    );
    assert!(!message.contains(&*dir.to_string_lossy()), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Finding 7: the same parcel id twice (a file loaded twice, a broken export) is reported with the
/// ids, and `?parcel=` answers the first parcel read.
#[test]
fn repeated_parcel_ids_are_reported() {
    let dir = cadastre_folder("repeated-ids");
    // The same file a second time, under another name: every id of Épinay-sur-Orge twice.
    std::fs::copy(
        dir.join("cadastre/cadastre-91216-parcelles.json"),
        dir.join("cadastre/copie-cadastre-91216-parcelles.json"),
    )
    .unwrap();
    let data = load_dir(&dir).unwrap();
    let warning = data
        .report
        .layers
        .iter()
        .flat_map(|l| &l.warnings)
        .find(|w| w.contains("identifiant(s) de parcelle en double"))
        .expect("a warning naming the repeated ids");
    assert!(warning.contains("91216000"), "{warning}");
    let single = load_dir(&cadastre_folder("single-ids")).unwrap();
    assert!(!single
        .report
        .layers
        .iter()
        .flat_map(|l| &l.warnings)
        .any(|w| w.contains("en double")));
}

/// A copy of the Arpaillargues PLU delivery (shapefiles with `.cpg`) in a scratch data folder.
fn arpaillargues_folder(name: &str) -> PathBuf {
    let dir = scratch(name);
    let src = data_dir().join("plu-cnig-30014-arpaillargues/30014_PLU_20171013");
    let dst = dir.join("30014_PLU_20171013");
    copy_tree(&src, &dst);
    dir
}

fn copy_tree(src: &std::path::Path, dst: &std::path::Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

fn all_warnings(data: &urbaclic::dataset::Dataset) -> Vec<String> {
    data.report
        .layers
        .iter()
        .flat_map(|l| l.warnings.clone())
        .collect()
}

/// Finding 7: a `.cpg` naming no known encoding is reported with the file; the table is still
/// read (its encoding guessed from the content, as without a `.cpg`).
#[test]
fn an_unknown_cpg_encoding_is_reported_with_the_file() {
    let dir = arpaillargues_folder("unknown-cpg");
    let geo = dir.join("30014_PLU_20171013/Donnees_geographiques");
    let before = load_dir(&dir).unwrap();
    assert!(!all_warnings(&before)
        .iter()
        .any(|w| w.contains(".cpg inconnu")));
    std::fs::write(geo.join("30014_ZONE_URBA_20171013.cpg"), "KLINGON-9").unwrap();
    let data = load_dir(&dir).unwrap();
    let warnings = all_warnings(&data);
    let w = warnings
        .iter()
        .find(|w| w.contains("« KLINGON-9 » du .cpg inconnu"))
        .unwrap_or_else(|| panic!("no .cpg warning in {warnings:?}"));
    assert!(w.contains("30014_ZONE_URBA_20171013"), "{w}");
    assert_eq!(
        data.summary_counts()["zones"],
        before.summary_counts()["zones"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Finding 7: a manifest template naming a field the file lacks (`{LIBELE}` for `LIBELLE`) is a
/// warning naming the key, the field and the fields the file has.
#[test]
fn a_manifest_template_naming_an_unknown_field_is_reported() {
    let dir = arpaillargues_folder("unknown-template-field");
    let shp = "30014_PLU_20171013/Donnees_geographiques/30014_ZONE_URBA_20171013.shp";
    let manifest = |libelle: &str| {
        format!(
            "[[source]]\npath = \"{shp}\"\nrole = \"zones\"\n[source.fields]\nlibelle = \"{libelle}\"\n"
        )
    };
    std::fs::write(dir.join("urbaclic.toml"), manifest("{LIBELLE}")).unwrap();
    let good = load_dir(&dir).unwrap();
    assert!(!all_warnings(&good)
        .iter()
        .any(|w| w.contains("[source.fields]")));

    std::fs::write(dir.join("urbaclic.toml"), manifest("{LIBELE}")).unwrap();
    let data = load_dir(&dir).unwrap();
    let warnings = all_warnings(&data);
    let w = warnings
        .iter()
        .find(|w| w.contains("[source.fields] libelle"))
        .unwrap_or_else(|| panic!("no template warning in {warnings:?}"));
    assert!(w.contains("« LIBELE », absent du fichier"), "{w}");
    assert!(
        w.contains("libelle"),
        "the fields the file has are listed: {w}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Finding 6: what hyper answers by itself (a head it cannot parse, a head over the buffer) has
/// the same JSON shape as every other error.
#[tokio::test]
async fn the_http_layer_s_own_errors_are_json() {
    let (addr, stop, _task) = loopback(router(state()), short_limits()).await;
    let long_header = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n",
        "a".repeat(40_000)
    );
    for (request, status, code) in [
        (
            "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_string(),
            "400",
            "bad_request",
        ),
        (
            "\u{1}\u{2} garbage\r\n\r\n".to_string(),
            "400",
            "bad_request",
        ),
        (long_header, "431", "headers_too_large"),
    ] {
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _ = client.write_all(request.as_bytes()).await;
        let answer = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut client))
            .await
            .expect("answered");
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{answer}"
        );
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let json: Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"], code, "{json}");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let _ = stop.send(());
}

/// Finding 5: a client that asks for a large answer and never reads it is disconnected after the
/// write timeout, so it holds neither its connection slot nor the unsent answer.
#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected() {
    let (addr, stop, _task) = loopback(test_app(&RequestLimits::default()), short_limits()).await;
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(addr).await.unwrap();
        s.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        stalled.push(s);
    }
    // The four slots are held by clients that read nothing; the write timeout (500 ms) frees them.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut probe = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = probe
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let answer = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut probe))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "slots freed: {answer}");
    // What a stalled client can still read is what the kernel had buffered, not the answer.
    for mut s in stalled {
        let rest = tokio::time::timeout(Duration::from_secs(10), read_to_close(&mut s))
            .await
            .expect("connection closed by the server");
        assert!(
            rest.len() < BIG_ANSWER,
            "a stalled client got the whole answer"
        );
    }
    let _ = stop.send(());
}

/// A loopback load test: four clients keep asking while the data is reloaded five times; every
/// request is answered (bounded: 5 reloads, the clients stop after them, 60 s at most).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_fail_no_request() {
    let dir = cadastre_folder("reload-under-load");
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir.clone());
    let limits = ConnectionLimits {
        max_connections: 64,
        ..short_limits()
    };
    let (addr, stop, _task) = loopback(router(state.clone()), limits).await;
    let client = reqwest::Client::new();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for k in 0..4 {
        let (client, done) = (client.clone(), done.clone());
        clients.push(tokio::spawn(async move {
            let urls = [
                "/api/lookup?parcel=91216000AB0037",
                "/api/lookup?lat=48.6685&lon=2.3245",
                "/health",
            ];
            let (mut sent, mut failed) = (0u32, Vec::new());
            while !done.load(std::sync::atomic::Ordering::Relaxed) && sent < 5_000 {
                let url = format!("http://{addr}{}", urls[(sent as usize + k) % urls.len()]);
                sent += 1;
                match client
                    .get(&url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        if r.bytes().await.is_err() {
                            failed.push(format!("{url}: body cut"));
                        }
                    }
                    Ok(r) => failed.push(format!("{url}: {}", r.status())),
                    Err(e) => failed.push(format!("{url}: {e}")),
                }
            }
            (sent, failed)
        }));
    }
    for _ in 0..5 {
        let s = state.clone();
        tokio::task::spawn_blocking(move || s.reload())
            .await
            .unwrap()
            .expect("the reload succeeds");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for c in clients {
        let (sent, failed) = tokio::time::timeout(Duration::from_secs(60), c)
            .await
            .expect("clients stop")
            .unwrap();
        assert!(failed.is_empty(), "failed requests: {failed:?}");
        total += sent;
    }
    assert!(
        total > 20,
        "the clients did ask during the reloads ({total})"
    );
    assert_eq!(state.reload_status().reloads, 5);
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}
