//! The seam between the readers and the dataset: a [`DataSource`] reads features of one or more
//! layer families into [`DatasetParts`] and says, file by file, what it read.
//!
//! The built-in readers (CNIG deliveries, PPR, Etalab cadastre, boundaries, BAN, layers declared in
//! the manifest) are one `scan::Source` each, picked by the folder scan or the manifest; other kinds of
//! source (a built snapshot, a spatial database) implement the same trait and go through
//! [`super::load_sources`].

use std::path::{Path, PathBuf};

use super::scan::{Source, SourceKind};
use super::LoadError;
use crate::dataset::DatasetParts;
use crate::report::{LayerReport, LoadReport};

/// A source of features.
pub trait DataSource {
    /// Its name in reports (a delivery folder, a file, a declared name).
    fn name(&self) -> &str;

    /// The files it reads (`check-data` lists the others as unrecognised).
    fn files(&self) -> &[PathBuf];

    /// Reads its features into `parts`, appending one report per file read to `report`. A file
    /// that cannot be read is an error naming it; a bad feature is skipped with a warning.
    fn load(
        &self,
        root: &Path,
        parts: &mut DatasetParts,
        report: &mut LoadReport,
    ) -> Result<(), LoadError>;
}

impl DataSource for Source {
    fn name(&self) -> &str {
        &self.name
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn load(
        &self,
        root: &Path,
        parts: &mut DatasetParts,
        report: &mut LoadReport,
    ) -> Result<(), LoadError> {
        match &self.kind {
            SourceKind::PluDelivery => super::plu::load(root, self, parts, report),
            SourceKind::SupDelivery => super::sup::load(root, self, parts, report),
            SourceKind::PprGeoPackage => super::ppr::load_gpkg(root, self, parts, report),
            SourceKind::CovadisPpr => super::ppr::load_covadis(root, self, parts, report),
            SourceKind::Cadastre => super::user_layer::load_cadastre(root, self, parts, report),
            SourceKind::Communes | SourceKind::Departements => {
                super::user_layer::load_boundaries(root, self, parts, report)
            }
            SourceKind::Ban => load_ban(root, self, parts, report),
            SourceKind::Reglement => super::reglement::load(root, self, parts, report),
            SourceKind::ScotDelivery => {
                super::scot::report(root, self, report);
                Ok(())
            }
            SourceKind::UserLayer(spec) => super::user_layer::load(root, self, spec, parts, report),
        }
    }
}

/// BAN address files, read once: their commune names now (to name communes without a boundary
/// file), their rows for the address index once the dataset is built (it needs the communes).
fn load_ban(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    for file in &source.files {
        let ban = crate::geocode::ban_csv::read_ban_file(file)?;
        parts.commune_names.extend(ban.commune_names.clone());
        parts.ban_files.push(ban);
        report.layers.push(LayerReport {
            file: super::relative(root, file),
            layer: super::BAN_LAYER.into(),
            encoding: Some("UTF-8".into()),
            crs: Some("EPSG:4326 (lon/lat)".into()),
            ..Default::default()
        });
    }
    Ok(())
}
