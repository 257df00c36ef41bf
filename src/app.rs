//! Application state: the dataset being served, the upstream geocoder, and reloads.
//!
//! The HTTP API ([`crate::api`]) answers from an [`AppState`]; `urbaclic serve` ([`crate::cli`])
//! builds it and reloads it on SIGHUP. Both front doors call the same [`crate::lookup`] functions.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::dataset::Dataset;
use crate::geocode::UpstreamConfig;
use crate::load::LoadError;

/// State shared by every request.
///
/// The dataset sits behind an [`ArcSwap`]: a request takes a snapshot (`Arc<Dataset>`) and keeps
/// it for its whole life, so a reload can swap in a new dataset atomically while requests keep
/// flowing. What does not come from the data folder (the upstream geocoder, the folders) is held
/// here, so a reload replaces the dataset and nothing else.
#[derive(Clone)]
pub struct AppState {
    data: Arc<ArcSwap<Dataset>>,
    /// Optional remote BAN-compatible geocoder, from the server configuration.
    pub upstream: Option<UpstreamConfig>,
    /// Folder of the static map page served at `/` (default: the copy built into the binary).
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
            upstream: None,
            frontend_dir: None,
            data_dir: None,
            reload: Arc::default(),
        }
    }

    /// Reloads [`AppState::data_dir`] and swaps it in. On failure the error is kept for `/health`
    /// and returned, and the previous dataset stays in service untouched.
    pub fn reload(&self) -> Result<(), LoadError> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        // A reader bug that panics must not leave `/health` saying all is well: it is recorded as a
        // failed reload like any other, and the old data keeps serving.
        let result = std::panic::catch_unwind(|| crate::load::load_dir(dir)).unwrap_or_else(|_| {
            Err(LoadError::Panicked {
                path: dir.to_path_buf(),
            })
        });
        let mut status = self.reload.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(dataset) => {
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
