//! Request ids: every request gets one (the client's `X-Request-Id` when it is a sane token, else
//! a new one), answered in the `X-Request-Id` header and in every JSON error body, and carried by
//! the request's log span, so that a user's report, an error body and a log line name the same
//! request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header a request id travels in, both ways.
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-given id kept; a longer one is replaced (ids end up in logs).
const MAX_CLIENT_ID: usize = 64;

tokio::task_local! {
    /// The id of the request the current task is answering; read by `ApiError` for its body.
    static CURRENT: String;
}

/// The id of the request being answered, when called within one.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A client id is kept when it is a short token of letters, digits and `-_.:`; anything else
/// (spaces, quotes, control characters) could forge log lines.
///
/// ```
/// # use urbaclic::api::request_id::is_acceptable;
/// assert!(is_acceptable("3f2a-77b1.instructeur:42"));
/// assert!(!is_acceptable("a b"));
/// assert!(!is_acceptable(""));
/// ```
pub fn is_acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// A new id: a per-process prefix (start time) and a counter, unique across restarts and cheap.
fn fresh() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        // Seconds and sub-second nanoseconds folded: two processes started in the same second
        // still differ.
        (t.as_secs() as u32) ^ t.subsec_nanos().rotate_left(16)
    });
    format!("{prefix:08x}-{:06x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The middleware: picks the id, runs the request in its span and task-local, answers the header
/// and logs one line per request (`debug` when it succeeded, `info` for a client error, `warn`
/// for a server error).
pub async fn middleware(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_acceptable(v))
        .map_or_else(fresh, str::to_string);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    let span = tracing::info_span!("requête", id = %id, method = %req.method(), route = %route);
    let start = Instant::now();
    let mut response = CURRENT
        .scope(id.clone(), next.run(req).instrument(span.clone()))
        .await;
    let status = response.status().as_u16();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    span.in_scope(|| match status {
        500.. => tracing::warn!(status, ms, "réponse"),
        400.. => tracing::info!(status, ms, "réponse"),
        _ => tracing::debug!(status, ms, "réponse"),
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER.clone(), value);
    }
    response
}
