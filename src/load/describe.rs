//! Describing files the loader did not recognise, so that `check-data` helps write the manifest
//! entry for them: feature count, CRS, encoding and field names.

use std::path::Path;

use super::{geojson_file, gpkg::GeoPackage, relative, shp, LayerReport};

const UNRECOGNISED: &str = "non reconnu : à déclarer dans le manifeste (rôle et champs)";

/// A report for each geodata file among `files` (paths relative to `root`); other files are skipped.
pub fn describe_unrecognised(root: &Path, files: &[String]) -> Vec<LayerReport> {
    files
        .iter()
        .filter_map(|f| describe(root, &root.join(f)))
        .collect()
}

fn describe(root: &Path, path: &Path) -> Option<LayerReport> {
    let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
    let label = relative(root, path);
    let described = match ext.as_str() {
        "shp" => shp::read(path, &label, UNRECOGNISED).map(|l| {
            let mut r = l.report;
            r.warnings
                .insert(0, format!("champs : {}", l.table.fields.join(", ")));
            r
        }),
        "geojson" | "json" => {
            geojson_file::read(path, &label, UNRECOGNISED).map(|(features, mut r)| {
                let mut keys: Vec<&String> =
                    features.iter().flat_map(|(_, p, _)| p.keys()).collect();
                keys.sort();
                keys.dedup();
                let keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
                r.warnings
                    .insert(0, format!("propriétés : {}", keys.join(", ")));
                r
            })
        }
        "gpkg" => GeoPackage::open(path)
            .and_then(|g| g.tables())
            .map(|tables| LayerReport {
                file: label.clone(),
                layer: UNRECOGNISED.into(),
                warnings: vec![format!("tables : {}", tables.join(", "))],
                ..Default::default()
            }),
        _ => return None,
    };
    Some(described.unwrap_or_else(|e| LayerReport {
        file: label,
        layer: UNRECOGNISED.into(),
        warnings: vec![format!("illisible : {e}")],
        ..Default::default()
    }))
}
