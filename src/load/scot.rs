//! SCoT deliveries (schémas de cohérence territoriale, CNIG SCoT standards 2013 and 2018):
//! recognised so that they are reported, not loaded. A SCoT sets orientations for the plans
//! below it; it carries no rule that applies to a parcel, so no answer reads it.

use std::path::Path;

use super::scan::Source;
use super::{relative, LoadReport};
use crate::report::LayerReport;

/// Why a SCoT's layers are not used, as `check-data`, `--json` and `/health` show it.
pub const NOT_USED: &str =
    "SCoT : non exploité par urbaclic (hors du champ des règles à la parcelle)";

/// One warning per table of the delivery (its perimeter, `DOC_URBA`, `DOC_URBA_COM`, the 2013
/// `SCOT` layer); its other files (companions, written pieces) are the delivery's, not unknown.
pub fn report(root: &Path, source: &Source, report: &mut LoadReport) {
    for file in source.files.iter().filter(|f| is_table(f)) {
        report.layers.push(LayerReport::warning(
            relative(root, file),
            "SCoT (schéma de cohérence territoriale)",
            NOT_USED,
        ));
    }
}

/// A table file: a shapefile, a bare `.dbf`, MapInfo, GeoJSON or GeoPackage.
fn is_table(file: &Path) -> bool {
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "dbf" => super::shp::sibling(file, "shp").is_none(),
        "shp" | "tab" | "mif" | "geojson" | "json" | "gpkg" => true,
        _ => false,
    }
}
