//! Validators for caches on `/api/…`: a successful `GET` answer carries a weak `ETag` naming the
//! dataset it was computed from and the request's URI, and a request whose `If-None-Match`
//! holds that tag gets `304 Not Modified` without the work. An answer depends on nothing else —
//! the dataset is immutable until the next reload — so a browser or a proxy may keep it until
//! then.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

/// The tag of `uri`'s answer from the dataset of `generation` in this process (the process's
/// start time tells a restarted server's datasets apart).
fn tag(generation: u64, uri: &str) -> String {
    static STARTED: OnceLock<u64> = OnceLock::new();
    let started = STARTED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let mut h = DefaultHasher::new();
    uri.hash(&mut h);
    format!("W/\"{started:x}-{generation}-{:016x}\"", h.finish())
}

/// Whether `If-None-Match` names `tag` (or is `*`).
fn matches(req: &Request, tag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == tag || t.trim() == "*")
}

/// The middleware.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let uri = req.uri().to_string();
    let before = tag(state.reloads(), &uri);
    if matches(&req, &before) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        if let Ok(v) = HeaderValue::from_str(&before) {
            not_modified.headers_mut().insert(header::ETAG, v);
        }
        return not_modified;
    }
    let mut response = next.run(req).await;
    if response.status() == StatusCode::OK {
        // Read again: a reload during the request means the answer is the new dataset's.
        let after = tag(state.reloads(), &uri);
        if let Ok(v) = HeaderValue::from_str(&after) {
            response.headers_mut().insert(header::ETAG, v);
        }
    }
    response
}
