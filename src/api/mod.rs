//! HTTP API (axum): shared state, the router and thin handlers.
//!
//! Handlers only parse and validate parameters, then call the library ([`crate::lookup`],
//! [`crate::geocode`]) on the current dataset of the [`AppState`]; all errors go through
//! [`ApiError`], always answered as JSON. Every route is registered in [`api_routes`] with its
//! OpenAPI description ([`openapi`]).

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
pub mod openapi;
mod params;
mod parcels;
mod reglement;
pub mod request_id;
mod servitudes;
mod static_files;

pub use error::{ApiError, ErrorBody};
pub use limits::{apply_limits, RequestLimits};
pub use params::Params;

use axum::{Json, Router};
use serde_json::json;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

/// Every route of the API with its OpenAPI description: one `.routes(routes!(handler))` per route
/// (see [`openapi`] for adding one). [`router_with`] serves them, [`openapi::document`] describes
/// them.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(metrics::get_metrics))
        .routes(routes!(lookup::get_lookup, lookup::post_lookup))
        .routes(routes!(layers::get_catalog))
        .routes(routes!(servitudes::get_categories))
        .routes(routes!(cua::get_cua))
        .routes(routes!(parcels::get_parcels))
        .routes(routes!(openapi::get_openapi))
        .routes(routes!(openapi::get_docs))
        .routes(routes!(openapi::get_docs_file))
        .merge(layers::routes())
        .merge(ban::routes())
        .merge(lookup_csv::routes())
        .merge(reglement::routes())
        .merge(admin::routes())
        .merge(apicarto::routes())
}

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
    let (app, _) = api_routes().split_for_parts();
    let mut app = app
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

/// Whether the service is up, and what it serves: counts per layer, addresses, load time,
/// conformity of the CNIG deliveries, the last reload.
#[utoipa::path(
    get,
    path = "/health",
    summary = "État du service",
    description = "Le service répond : nombre d'objets par couche, adresses, durée du chargement, conformité des livraisons CNIG, dernier rechargement, adresse publique.",
    tag = "exploitation",
    responses((status = 200, description = "Le service répond", body = serde_json::Value))
)]
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
