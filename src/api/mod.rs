//! HTTP API (axum): shared state, the router and thin handlers.
//!
//! Handlers only parse and validate parameters, then call the library ([`crate::lookup`],
//! [`crate::geocode`]) on the current dataset of the [`AppState`]; all errors go through
//! [`ApiError`], always answered as JSON.

mod admin;
mod apicarto;
mod ban;
mod cua;
mod error;
mod etag;
mod layers;
mod limits;
mod lookup;
mod lookup_csv;
pub mod metrics;
mod params;
mod parcels;
mod reglement;
pub mod request_id;
mod servitudes;
mod static_files;

pub use error::ApiError;
pub use limits::{apply_limits, RequestLimits};
pub use params::Params;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;

/// Builds the whole HTTP router under the default [`RequestLimits`]; tests call it with
/// `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    router_with(state, &RequestLimits::default())
}

/// [`router`] under `limits` (from the server configuration).
pub fn router_with(state: AppState, limits: &RequestLimits) -> Router {
    let frontend = state.frontend_dir.clone();
    let metrics = state.metrics.clone();
    let etag_state = state.clone();
    let mut app = Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics::get_metrics))
        .route(
            "/api/lookup",
            get(lookup::get_lookup).post(lookup::post_lookup),
        )
        .route("/api/catalog", get(layers::get_catalog))
        .route(
            "/api/servitudes/categories",
            get(servitudes::get_categories),
        )
        .route("/api/cua", get(cua::get_cua))
        .route("/api/parcels", get(parcels::get_parcels))
        .merge(layers::routes())
        .merge(ban::routes())
        .merge(lookup_csv::routes())
        .merge(reglement::routes())
        .merge(admin::routes())
        .merge(apicarto::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    app = static_files::with_frontend(app, frontend);
    // gzip for every answer a client accepts it for (GeoJSON and lookups shrink about tenfold);
    // inside the validators, so that a 304 costs nothing.
    app = app
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            etag_state,
            etag::middleware,
        ));
    let app = apply_limits(app.layer(tower_http::cors::CorsLayer::permissive()), limits);
    // Outermost: every answer, a shed or timed-out one included, is counted and carries its id.
    app.layer(axum::middleware::from_fn_with_state(
        metrics,
        metrics::middleware,
    ))
    .layer(axum::middleware::from_fn(request_id::middleware))
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<serde_json::Value> {
    let data = state.dataset();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "layers": data.summary_counts(),
        "addresses": data.addresses.as_ref().map(super::geocode::index::AddressIndex::len),
        "load_ms": data.report.load_ms,
        // Per CNIG delivery, its non-conformities by severity (`check-data --json` lists them).
        "conformity": data.report.conformity.iter().map(|c| json!({
            "delivery": c.delivery, "errors": c.errors, "warnings": c.warnings, "infos": c.infos,
        })).collect::<Vec<_>>(),
        "reload": state.reload_status(),
        // The configured public address, for the links the map page prints (not 127.0.0.1).
        "public_url": state.public_url,
    }))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("méthode {method} non acceptée pour {}", uri.path()))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("aucune ressource à l'adresse {}", uri.path()))
}
