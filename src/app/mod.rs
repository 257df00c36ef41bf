//! Application state: the dataset being served, the upstream geocoder, and reloads.
//!
//! The HTTP API ([`crate::api`]) answers from an [`AppState`]; `urbaclic serve` ([`crate::cli`])
//! builds it and reloads it on SIGHUP. Both front doors call the same [`crate::lookup`] functions.

pub mod loader;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::Semaphore;

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
    /// The service's public address (`public_url` of the configuration), for links printed in
    /// documents; requests' `Host` is used when it is not set.
    pub public_url: Option<String>,
    /// Raster basemaps the map page offers (`[[basemap]]` of the configuration; none by default),
    /// published by `GET /api/catalog`.
    pub basemaps: Arc<[crate::config::Basemap]>,
    /// Where footprint, parcel and map-layer analyses run.
    pub workers: Workers,
    /// Token of `POST /admin/reload` (`[admin] token`); the route is off without one.
    pub admin_token: Option<Arc<str>>,
    /// Largest share (0–1) of any file's features a reload may lose; beyond, the reload is
    /// refused as a probable broken delivery.
    pub reload_max_loss: f64,
    /// Request counters and latency histograms of `/metrics`.
    pub metrics: Arc<crate::api::metrics::Metrics>,
    /// Streamed CSV answers running at once (`POST /api/lookup/csv/`): each keeps its file (up to
    /// 50 MiB) until its last row is sent, after its request slot is given back, so they are
    /// counted on their own; one more is refused with a 503.
    pub csv_streams: Arc<tokio::sync::Semaphore>,
    reload: Arc<Mutex<ReloadStatus>>,
}

/// Default number of [`AppState::csv_streams`]: two per core (a stream waits on its client as
/// much as it computes), at least four.
pub fn default_csv_streams() -> usize {
    (2 * cores()).max(4)
}

/// The cores this process may use (2 when the system does not say).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// Default of [`AppState::reload_max_loss`]: a file may lose half its features in one reload.
pub const DEFAULT_RELOAD_MAX_LOSS: f64 = 0.5;

/// Why a reload was refused (the old data keeps serving).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The folder did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// It loaded, but a file lost more than the allowed share of its features.
    #[error("{file}: rechargement refusé, {before} entités avant, {after} maintenant (perte de plus de {max_pct} %)")]
    Shrunk {
        /// The file, relative to the data folder.
        file: String,
        /// Its features before the reload.
        before: usize,
        /// Its features now.
        after: usize,
        /// The largest loss allowed, in percent.
        max_pct: u32,
    },
}

impl ReloadError {
    /// The message, files named relative to the data folder `root`.
    pub fn relative_to(&self, root: &std::path::Path) -> String {
        match self {
            ReloadError::Load(e) => e.relative_to(root),
            // Report files are already relative to the data folder.
            other => other.to_string(),
        }
    }
}

/// The first file of `old` whose feature count `new` cuts by more than `max_loss` (a share), a
/// file gone included.
fn shrunk_file(old: &Dataset, new: &Dataset, max_loss: f64) -> Option<ReloadError> {
    old.report.layers.iter().find_map(|was| {
        let after = new
            .report
            .layers
            .iter()
            .filter(|l| l.file == was.file)
            .map(|l| l.features)
            .sum::<usize>();
        let floor = was.features as f64 * (1.0 - max_loss);
        ((after as f64) < floor).then(|| ReloadError::Shrunk {
            file: was.file.clone(),
            before: was.features,
            after,
            max_pct: (max_loss * 100.0).round() as u32,
        })
    })
}

/// Outcome of the last reload, shown by `/health`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReloadStatus {
    /// Successful reloads since start.
    pub reloads: u64,
    /// Refused reloads since start (the data then served did not change).
    pub failed: u64,
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
            public_url: None,
            basemaps: Arc::new([]),
            workers: Workers::default(),
            admin_token: None,
            reload_max_loss: DEFAULT_RELOAD_MAX_LOSS,
            metrics: Arc::default(),
            csv_streams: Arc::new(tokio::sync::Semaphore::new(default_csv_streams())),
            reload: Arc::default(),
        }
    }

    /// Reloads [`AppState::data_dir`] and swaps it in. On failure the error is kept for `/health`
    /// and returned, and the previous dataset stays in service untouched.
    pub fn reload(&self) -> Result<(), ReloadError> {
        let Some(dir) = &self.data_dir else {
            return Ok(());
        };
        // A reader bug that panics must not leave `/health` saying all is well: it is recorded as a
        // failed reload like any other, and the old data keeps serving.
        let path = dir.clone();
        let result = std::panic::catch_unwind(|| {
            loader::run(move || {
                std::panic::catch_unwind(|| crate::load::load_dir(&path))
                    .unwrap_or(Err(LoadError::Panicked { path }))
            })
        })
        .unwrap_or_else(|_| Err(LoadError::Panicked { path: dir.clone() }));
        let result = result.map_err(ReloadError::from).and_then(|new| {
            match shrunk_file(&self.dataset(), &new, self.reload_max_loss) {
                Some(e) => Err(e),
                None => Ok(new),
            }
        });
        let mut status = self
            .reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match result {
            Ok(dataset) => {
                self.replace_dataset(dataset);
                status.reloads += 1;
                status.last_error = None;
                Ok(())
            }
            Err(e) => {
                // `/health` is public: name the file inside the data folder, not where that
                // folder sits on the server's disk.
                status.last_error = Some(e.relative_to(dir));
                status.failed += 1;
                Err(e)
            }
        }
    }

    /// The outcome of reloads so far.
    pub fn reload_status(&self) -> ReloadStatus {
        self.reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Successful reloads so far: which dataset is being served (0 for the one loaded at start),
    /// without copying the rest of [`AppState::reload_status`].
    pub fn reloads(&self) -> u64 {
        self.reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .reloads
    }

    /// The dataset as it is now; hold on to it for the whole request.
    pub fn dataset(&self) -> Arc<Dataset> {
        self.data.load_full()
    }

    /// Replaces the dataset; requests already running keep the one they started with.
    pub fn replace_dataset(&self, dataset: Dataset) {
        loader::retire(self.data.swap(Arc::new(dataset)));
    }
}

/// The bounded pool heavy analyses (footprints, parcels, map layers) run on: at most `workers` at
/// once on tokio's blocking threads, each answered within `budget`. The async workers thus stay
/// free for `/health` and point lookups while worst-case footprints are computed.
///
/// A job that overruns its budget is answered 504 but runs to its end (a computation cannot be
/// interrupted) and keeps its place until then, so the pool's size bounds the CPU really in use.
#[derive(Clone, Debug)]
pub struct Workers {
    size: usize,
    permits: Arc<Semaphore>,
    budget: Duration,
}

/// Why a job of [`Workers::run`] gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkError {
    /// Every worker stayed busy for the whole budget.
    #[error("service saturé : trop d'analyses en cours, réessayez dans un instant")]
    Busy,
    /// The job did not finish within the budget (in milliseconds).
    #[error("analyse trop longue : abandonnée après {0} ms")]
    TimedOut(u128),
    /// The job panicked (a bug): the detail is logged, not answered.
    #[error("analyse interrompue : {0}")]
    Failed(String),
}

/// Default time budget of one analysis, waiting for a worker included.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

impl Default for Workers {
    /// One worker per core, [`DEFAULT_BUDGET`].
    fn default() -> Self {
        Workers::new(cores(), DEFAULT_BUDGET)
    }
}

impl Workers {
    /// A pool of `workers` jobs at once, each within `budget`.
    pub fn new(workers: usize, budget: Duration) -> Workers {
        Workers {
            size: workers,
            permits: Arc::new(Semaphore::new(workers)),
            budget,
        }
    }

    /// How many jobs run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `job` on a worker and returns its result, or why there is none.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use std::time::Duration;
    /// use urbaclic::app::{WorkError, Workers};
    /// let pool = Workers::new(1, Duration::from_millis(20));
    /// assert_eq!(pool.run(|| Ok::<_, ()>(2 + 2)).await, Ok(Ok(4)));
    /// let slow = pool.run(|| { std::thread::sleep(Duration::from_millis(200)); Ok::<_, ()>(()) });
    /// assert_eq!(slow.await, Err(WorkError::TimedOut(20)));
    /// // The slow job still holds the only worker.
    /// assert_eq!(pool.run(|| Ok::<_, ()>(())).await, Err(WorkError::Busy));
    /// # });
    /// ```
    pub async fn run<T, E>(
        &self,
        job: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, WorkError>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let deadline = tokio::time::Instant::now() + self.budget;
        let permit = tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| WorkError::Busy)?
            .map_err(|e| WorkError::Failed(e.to_string()))?;
        let task = tokio::task::spawn_blocking(move || {
            let result = job();
            drop(permit);
            result
        });
        match tokio::time::timeout_at(deadline, task).await {
            Err(_) => Err(WorkError::TimedOut(self.budget.as_millis())),
            Ok(Err(e)) => Err(WorkError::Failed(e.to_string())),
            Ok(Ok(result)) => Ok(result),
        }
    }
}
