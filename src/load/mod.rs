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

pub mod dbf;
mod describe;
mod geojson_file;
mod geometry;
mod gpkg;
pub mod manifest;
pub mod normalise;
mod plu;
mod ppr;
mod scan;
mod shp;
mod sup;
mod user_layer;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::crs::CrsError;
use crate::dataset::{Dataset, DatasetParts};
use crate::geocode::GeocodeError;

pub use describe::describe_unrecognised;
pub use scan::SourceKind;

/// Why a dataset could not be loaded. Always names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: fichier invalide : {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Missing { path: PathBuf, reason: String },
    #[error("{path}: système de coordonnées : {source}")]
    Crs { path: PathBuf, source: CrsError },
    #[error("{path}: manifeste invalide : {reason}")]
    Manifest { path: PathBuf, reason: String },
    /// A BAN address file could not be read (the message names the file).
    #[error(transparent)]
    Geocoder(#[from] GeocodeError),
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

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::Corrupt { path, .. }
            | LoadError::Missing { path, .. }
            | LoadError::Crs { path, .. }
            | LoadError::Manifest { path, .. } => path,
            LoadError::Geocoder(e) => e.path(),
        }
    }
}

/// What was read from one file.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LayerReport {
    /// Path relative to the data folder.
    pub file: String,
    /// What the file was recognised as (`ZONE_URBA`, `cadastre`, `PPR zonage réglementaire`…).
    pub layer: String,
    pub features: usize,
    pub skipped: usize,
    pub crs: Option<String>,
    pub encoding: Option<String>,
    pub warnings: Vec<String>,
}

impl LayerReport {
    /// The report of an attribute table (no geometry, no CRS).
    pub(crate) fn for_table(root: &Path, file: &Path, layer: &str, table: &dbf::DbfTable) -> Self {
        LayerReport {
            file: relative(root, file),
            layer: layer.into(),
            features: table.records.len(),
            encoding: Some(table.encoding.clone()),
            ..Default::default()
        }
    }
}

/// What a whole load did: per file, timing and memory.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LoadReport {
    pub root: String,
    pub layers: Vec<LayerReport>,
    /// Files below the root that were not recognised (kept for `check-data`).
    pub ignored: Vec<String>,
    pub load_ms: u128,
    /// Resident memory of the process after loading, in MiB (Linux `/proc`), if known.
    pub memory_mib: Option<f64>,
}

impl LoadReport {
    pub fn warning_count(&self) -> usize {
        self.layers.iter().map(|l| l.warnings.len()).sum()
    }
}

/// Layer name of BAN address files in reports.
pub(crate) const BAN_LAYER: &str = "adresses BAN";

/// Loads a data folder (with or without manifest) into an indexed [`Dataset`].
pub fn load_dir(root: &Path) -> Result<Dataset, LoadError> {
    let start = Instant::now();
    if !root.is_dir() {
        return Err(LoadError::Missing {
            path: root.to_path_buf(),
            reason: "dossier de données introuvable".into(),
        });
    }
    let mut parts = DatasetParts::default();
    let sources = match manifest::Manifest::find(root)? {
        Some(m) => {
            parts.planning_complete_communes = m.planning_complete_communes.clone();
            m.sources(root)?
        }
        None => scan::scan(root)?,
    };
    let mut report = LoadReport {
        root: root.display().to_string(),
        ..Default::default()
    };
    for source in &sources {
        scan::load_source(root, source, &mut parts, &mut report)?;
    }
    report.ignored = scan::ignored_files(root, &sources);
    let mut dataset = Dataset::build(parts, report);
    if !dataset.ban_files.is_empty() {
        let index =
            crate::geocode::AddressIndex::build(&dataset.ban_files, &dataset.commune_entries())?;
        let stats = index.stats();
        if let Some(r) = dataset
            .report
            .layers
            .iter_mut()
            .find(|l| l.layer == BAN_LAYER)
        {
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
        dataset.addresses = Some(index);
    }
    dataset.report.load_ms = start.elapsed().as_millis();
    dataset.report.memory_mib = resident_memory_mib();
    Ok(dataset)
}

/// Path of `path` relative to `root`, for reports.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn resident_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}
