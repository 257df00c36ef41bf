//! Structured regulations (CNIG SRU niveau 1), JSON (`json.rs`) or XML (`xml.rs`), into
//! [`crate::reglement::Reglement`]s. A file is recognised by its name (`…_reglement….json|xml`,
//! as the CNIG tools name them), in a folder or listed in the manifest.

mod json;
mod xml;

use std::path::Path;

use super::scan::Source;
use super::LoadError;
use crate::dataset::DatasetParts;
use crate::reglement::Reglement;
use crate::report::{LayerReport, LoadReport};

/// The layer name in reports.
pub const REGLEMENT_LAYER: &str = "règlement structuré (CNIG SRU)";

/// Largest regulation file read (a PLUi's whole written rules are a few megabytes).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Reads every regulation file of `source`.
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    for file in &source.files {
        let reglement = read_file(root, file)?;
        report.layers.push(LayerReport {
            file: super::relative(root, file),
            layer: REGLEMENT_LAYER.into(),
            features: reglement.titres.len(),
            encoding: Some("UTF-8".into()),
            warnings: empty_zone_warnings(&reglement),
            ..Default::default()
        });
        parts.reglements.push(reglement);
    }
    Ok(())
}

/// Reads one regulation, JSON or XML by its extension.
pub fn read_file(root: &Path, file: &Path) -> Result<Reglement, LoadError> {
    let size = super::archive::size(file)?;
    if size > MAX_BYTES {
        return Err(LoadError::corrupt(
            file,
            format!("{size} octets, plus que les {MAX_BYTES} admis pour un règlement"),
        ));
    }
    let text = super::archive::read_to_string(file)?;
    let relative = super::relative(root, file);
    let is_xml = super::archive::without_gz(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    let parsed = if is_xml {
        xml::parse(&text, relative)
    } else {
        json::parse(&text, relative)
    };
    parsed.map_err(|reason| LoadError::corrupt(file, reason))
}

/// A regulation whose sections name no zone cannot be joined to any zone: say so.
fn empty_zone_warnings(r: &Reglement) -> Vec<String> {
    let mut w = Vec::new();
    if r.zones().is_empty() {
        w.push(format!(
            "le règlement de « {} » ne rattache aucune section à une zone (idZone) : seules les dispositions générales seront présentées",
            r.id_urba
        ));
    }
    if r.titres.is_empty() {
        w.push(format!("le règlement de « {} » n'a aucun titre", r.id_urba));
    }
    w
}
