//! HTTP API (axum): shared state, the router and thin handlers.
//!
//! Handlers only parse and validate parameters, then call the library ([`crate::lookup`],
//! [`crate::geocode`]) on the current [`Dataset`]; all errors go through [`ApiError`].

mod ban;
mod error;
mod layers;
mod lookup;
mod params;
mod static_files;

pub use error::ApiError;
pub use lookup::{cadastre_id, lookup_address};
pub use params::{Coordinates, Params};

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::dataset::Dataset;

/// State shared by every request.
///
/// The dataset sits behind an [`ArcSwap`]: a request takes a snapshot (`Arc<Dataset>`) and keeps
/// it for its whole life, so a reload can swap in a new dataset atomically while requests keep flowing.
#[derive(Clone)]
pub struct AppState {
    data: Arc<ArcSwap<Dataset>>,
    /// Folder of the static map page served at `/`.
    pub frontend_dir: Option<PathBuf>,
    /// Folder the dataset was loaded from, for reloads.
    pub data_dir: Option<PathBuf>,
    reload: Arc<Mutex<ReloadStatus>>,
}

/// Outcome of the last reload, shown by `/health`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReloadStatus {
    /// Successful reloads since start.
    pub reloads: u64,
    /// The error of the last failed reload, if it failed: the previous data is still served.
    pub last_error: Option<String>,
}

impl AppState {
    /// State serving `dataset`.
    pub fn new(dataset: Dataset) -> Self {
        AppState {
            data: Arc::new(ArcSwap::from_pointee(dataset)),
            frontend_dir: None,
            data_dir: None,
            reload: Arc::default(),
        }
    }

    /// Reloads [`AppState::data_dir`] and swaps it in. On failure the error is kept for `/health`
    /// and returned, and the previous dataset stays in service untouched.
    pub fn reload(&self) -> Result<(), crate::load::LoadError> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        let result = crate::load::load_dir(dir);
        let mut status = self.reload.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(mut dataset) => {
                dataset.upstream = self.dataset().upstream.clone();
                self.replace_dataset(dataset);
                status.reloads += 1;
                status.last_error = None;
                Ok(())
            }
            Err(e) => {
                status.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// The outcome of reloads so far.
    pub fn reload_status(&self) -> ReloadStatus {
        self.reload
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The dataset as it is now; hold on to it for the whole request.
    pub fn dataset(&self) -> Arc<Dataset> {
        self.data.load_full()
    }

    /// Replaces the dataset; requests already running keep the one they started with.
    pub fn replace_dataset(&self, dataset: Dataset) {
        self.data.store(Arc::new(dataset));
    }
}

/// Builds the whole HTTP router; tests call it with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    let frontend = state.frontend_dir.clone();
    let mut app = Router::new()
        .route("/health", get(health))
        .route(
            "/api/lookup",
            get(lookup::get_lookup).post(lookup::post_lookup),
        )
        .merge(layers::routes())
        .merge(ban::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    app = static_files::with_frontend(app, frontend);
    app.layer(tower_http::cors::CorsLayer::permissive())
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<serde_json::Value> {
    let data = state.dataset();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "layers": data.summary_counts(),
        "addresses": data.addresses.as_ref().map(|a| a.len()),
        "load_ms": data.report.load_ms,
        "reload": state.reload_status(),
    }))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("méthode {method} non acceptée pour {}", uri.path()))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("aucune ressource à l'adresse {}", uri.path()))
}
