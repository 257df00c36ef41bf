//! Per-request limits and protections, as layers around the router: load shedding beyond a
//! number of requests in flight, a deadline on the request body and on the whole request, panics
//! answered as JSON 500, and the security headers of the map page.
//!
//! Every rejection made here is an [`ApiError`], so it has the same JSON shape as a handler's.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::ApiError;

/// Request-level limits (see docs/configuration.md, `[limits]`).
#[derive(Debug, Clone)]
pub struct RequestLimits {
    /// Requests handled at once; beyond, 503 with `Retry-After` rather than a queue that only
    /// makes every client wait longer.
    pub max_in_flight: usize,
    /// Time a client has to send its whole request body.
    pub body_timeout: Duration,
    /// Time from the request head to the answer's head.
    pub request_timeout: Duration,
}

impl Default for RequestLimits {
    /// 256 requests at once, 10 s for a body, 30 s for a whole request.
    fn default() -> Self {
        RequestLimits {
            max_in_flight: 256,
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Content-Security-Policy of every answer: the page loads its own scripts and styles only;
/// images may come from a base map the user configured (any `http:`/`https:` tile server, as
/// `frontend/js/config.js` accepts); nothing may
/// frame it. Leaflet positions its panes with inline styles, hence `'unsafe-inline'` for styles.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: http: https:; connect-src 'self'; object-src 'none'; \
                   base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Wraps `app` in the limits; `/health` is exempt from shedding so that a monitor still sees a
/// saturated service as alive.
pub fn apply_limits(app: Router, limits: &RequestLimits) -> Router {
    let slots = Arc::new(Semaphore::new(limits.max_in_flight));
    let deadline = limits.request_timeout;
    let headers: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    let mut app = app
        .layer(middleware::from_fn_with_state(deadline, request_deadline))
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(middleware::from_fn_with_state(slots, shed))
        .layer(CatchPanicLayer::custom(panic_response));
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app
}

async fn shed(State(slots): State<Arc<Semaphore>>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/health" {
        return next.run(req).await;
    }
    let Ok(_slot) = slots.try_acquire_owned() else {
        return ApiError::Busy(
            "service saturé : trop de requêtes en cours, réessayez dans un instant".into(),
        )
        .into_response();
    };
    next.run(req).await
}

async fn request_deadline(State(deadline): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(format!(
            "délai de traitement dépassé ({} ms)",
            deadline.as_millis()
        ))
        .into_response(),
    }
}

/// A handler that panicked: the detail is logged, the client gets the generic JSON 500.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(std::string::ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panique sans message".into());
    ApiError::Internal(format!("panique : {detail}")).into_response()
}
