//! Loading: from files on disk to a [`Dataset`].
//!
//! Point it at a folder: a manifest (`urbaclic.toml`) lists its sources when present, otherwise every
//! file below is recognised by name, so a commune's GPU download loads as is. CNIG PLU/PLUi and SUP
//! deliveries, CNIG PPR GeoPackages, COVADIS PPR shapefiles, Etalab cadastre GeoJSON, commune
//! boundaries and BAN address files are recognised; layers outside these standards are declared in
//! the manifest with a role and a field mapping ([`manifest`]).
//!
//! A missing or corrupt file is a [`LoadError`] naming the file; a bad feature is skipped (or
//! repaired) with a warning naming the file and the feature, counted in the [`LoadReport`].

pub mod archive;
pub mod attribution;
mod cnig_layer;
pub mod conformity;
pub mod dbf;
mod describe;
mod gdal_layer;
mod geojson_file;
mod geometry;
mod gpkg;
pub mod manifest;
mod metadata;
pub mod normalise;
pub mod pieces;
pub mod plu;
pub mod postgis;
mod ppr;
mod progress;
pub mod reglement;
pub(crate) mod scan;
mod scot;
mod shp;
pub mod source;
mod sup;
mod user_layer;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::crs::CrsError;
use crate::dataset::{Dataset, DatasetParts};
use crate::geocode::GeocodeError;
use crate::report::{LayerReport, LoadReport};

pub use describe::describe_unrecognised;
pub use progress::Progress;
pub use scan::SourceKind;
pub use source::DataSource;

/// Why a dataset could not be loaded. Always names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file was read but is not what its name says.
    #[error("{path}: fichier invalide : {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, in French.
        reason: String,
    },
    /// A file the layer needs is absent (`.dbf` next to a `.shp`…).
    #[error("{path}: {reason}")]
    Missing {
        /// The file expected.
        path: PathBuf,
        /// What is missing, in French.
        reason: String,
    },
    /// A CRS that could not be read or applied.
    #[error("{path}: système de coordonnées : {source}")]
    Crs {
        /// The file.
        path: PathBuf,
        /// Why the CRS was refused.
        source: CrsError,
    },
    /// A file in a form this build cannot read (MapInfo without the `gdal` feature).
    #[error("{path}: {reason}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What it is and how to read it, in French.
        reason: String,
    },
    /// The manifest is not valid.
    #[error("{path}: manifeste invalide : {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, in French.
        reason: String,
    },
    /// The loader itself failed (a bug): the folder is named, the detail is in the panic message.
    #[error("{path}: chargement interrompu par une erreur interne")]
    Panicked {
        /// The data folder.
        path: PathBuf,
    },
    /// A database source could not be reached or one of its tables read (`location` names the
    /// database as `postgresql://host:port/base`, and the table; never the password).
    #[error("{location}: {reason}")]
    Database {
        /// The database, and the table when one is concerned.
        location: String,
        /// What went wrong, in French.
        reason: String,
    },
    /// A BAN address file could not be read (the message names the file).
    #[error(transparent)]
    Geocoder(#[from] GeocodeError),
}

impl From<archive::ArchiveError> for LoadError {
    fn from(e: archive::ArchiveError) -> Self {
        match e {
            archive::ArchiveError::Io { path, source } => LoadError::io(&path, source),
            archive::ArchiveError::Corrupt { path, reason } => LoadError::Corrupt { path, reason },
            archive::ArchiveError::Refused { path, reason } => LoadError::Unsupported {
                path,
                reason: format!("archive refusée : {reason}"),
            },
        }
    }
}

impl LoadError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> LoadError {
        if source.kind() == std::io::ErrorKind::NotFound {
            return LoadError::Missing {
                path: path.to_path_buf(),
                reason: "fichier introuvable".into(),
            };
        }
        LoadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> LoadError {
        LoadError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn crs(path: &Path, source: CrsError) -> LoadError {
        LoadError::Crs {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The message with the file named relative to `root` (the data folder), for answers that
    /// must not reveal the server's directory layout.
    ///
    /// ```
    /// use std::path::Path;
    /// let e = urbaclic::load::load_dir(Path::new("/nonexistent/data")).err().unwrap();
    /// assert!(!e.relative_to(Path::new("/nonexistent")).contains("/nonexistent"));
    /// ```
    pub fn relative_to(&self, root: &Path) -> String {
        let full = self.to_string();
        let path = self.path();
        match path.strip_prefix(root) {
            Ok(rel) => {
                let rel = match rel.as_os_str().is_empty() {
                    true => Path::new("."),
                    false => rel,
                };
                full.replacen(&path.display().to_string(), &rel.display().to_string(), 1)
            }
            Err(_) => full,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::Corrupt { path, .. }
            | LoadError::Missing { path, .. }
            | LoadError::Unsupported { path, .. }
            | LoadError::Crs { path, .. }
            | LoadError::Manifest { path, .. }
            | LoadError::Panicked { path } => path,
            LoadError::Database { location, .. } => Path::new(location),
            LoadError::Geocoder(e) => e.path(),
        }
    }
}

/// Layer name of BAN address files in reports.
pub(crate) const BAN_LAYER: &str = "adresses BAN";

/// Loads a data folder (with or without manifest), or a snapshot built by
/// [`crate::snapshot::build`], into an indexed [`Dataset`].
pub fn load_dir(root: &Path) -> Result<Dataset, LoadError> {
    if crate::snapshot::is_snapshot(root) {
        return crate::snapshot::open(root);
    }
    let (sources, parts) = plan(root)?;
    load_sources(root, parts, &sources)
}

/// The sources of a data folder (from its manifest, or recognised by file name) and the parts
/// the manifest sets, before anything is read.
pub fn plan(root: &Path) -> Result<(Vec<Box<dyn DataSource>>, DatasetParts), LoadError> {
    if !root.is_dir() {
        let reason = match root.is_file() {
            true => "ni un dossier de données ni un instantané urbaclic",
            false => "dossier de données introuvable",
        };
        return Err(LoadError::Missing {
            path: root.to_path_buf(),
            reason: reason.into(),
        });
    }
    let manifest = manifest::Manifest::find(root)?;
    let (files, planning_complete_communes): (Vec<scan::Source>, Vec<String>) = match &manifest {
        Some(m) => (m.sources(root)?, m.planning_complete_communes.clone()),
        None => (scan::scan(root)?, Vec::new()),
    };
    let mut sources: Vec<Box<dyn DataSource>> = files
        .into_iter()
        .map(|s| Box::new(s) as Box<dyn DataSource>)
        .collect();
    if let Some(m) = &manifest {
        for db in m.databases()? {
            sources.push(Box::new(db));
        }
    }
    let parts = DatasetParts {
        planning_complete_communes,
        ..Default::default()
    };
    Ok((sources, parts))
}

/// Loads `sources` (file names in reports relative to `root`) on top of `parts`, then indexes
/// everything: the dataset, its address index and the whole load report.
pub fn load_sources(
    root: &Path,
    mut parts: DatasetParts,
    sources: &[Box<dyn DataSource>],
) -> Result<Dataset, LoadError> {
    let start = Instant::now();
    let mut report = LoadReport {
        root: root.display().to_string(),
        ..Default::default()
    };
    let sizes: Vec<u64> = sources
        .iter()
        .map(|s| s.files().iter().filter_map(|f| archive::size(f).ok()).sum())
        .collect();
    let mut progress = Progress::start(
        sources.iter().map(|s| s.files().len()).sum(),
        sizes.iter().sum(),
    );
    for (source, bytes) in sources.iter().zip(sizes) {
        let before = features_read(&parts, &report);
        source.load(root, &mut parts, &mut report)?;
        let features = features_read(&parts, &report) - before;
        progress.source_done(source.files().len(), bytes, features);
    }
    progress.finish();
    report.ignored = scan::ignored_files(root, sources);
    // The written pieces a delivery links to are used too: answers link to them.
    report
        .ignored
        .retain(|f| !parts.pieces.iter().any(|p| p.path == f.replace('\\', "/")));
    // The address index needs the communes, which the dataset completes: it comes last.
    let ban_files = std::mem::take(&mut parts.ban_files);
    let mut dataset = Dataset::build(parts, report);
    if !ban_files.is_empty() {
        let index = crate::geocode::AddressIndex::from_files(ban_files, &dataset.commune_entries());
        report_addresses(&mut dataset.report, &index);
        dataset.addresses = Some(index);
    }
    dataset.report.load_ms = start.elapsed().as_millis();
    dataset.report.memory_mib = resident_memory_mib();
    Ok(dataset)
}

/// Features read so far: those the reports count, and the address rows (counted by the address
/// index only at the end).
fn features_read(parts: &DatasetParts, report: &LoadReport) -> u64 {
    let features: usize = report.layers.iter().map(|l| l.features).sum();
    let addresses: usize = parts.ban_files.iter().map(|b| b.rows.len()).sum();
    (features + addresses) as u64
}

/// The address index's figures, in the BAN layer's report line.
fn report_addresses(report: &mut LoadReport, index: &crate::geocode::AddressIndex) {
    let stats = index.stats();
    if let Some(r) = report.layers.iter_mut().find(|l| l.layer == BAN_LAYER) {
        r.features = stats.housenumbers;
        r.skipped = stats.skipped_rows;
        r.warnings.extend(index.warnings.iter().cloned());
        r.layer = format!(
            "{BAN_LAYER} : {} numéros, {} voies, {} lieux-dits, {} communes ; index ≈ {:.1} Mio",
            stats.housenumbers,
            stats.streets,
            stats.localities,
            stats.municipalities,
            stats.memory_bytes as f64 / (1 << 20) as f64
        );
    }
}

/// Path of `path` relative to `root`, for reports.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub(crate) fn resident_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}
