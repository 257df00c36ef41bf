//! Shapefile reading: geometry from `.shp` (Z and M dropped), attributes from `.dbf`
//! ([`super::dbf`]), CRS from `.prj`. Sibling files are found whatever the case of their extension.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use geo::Geometry;
use shapefile::{Shape, ShapeReader};

use super::dbf::{DbfTable, Record};
use super::geometry::{collect, Features};
use super::{LayerReport, LoadError};
use crate::crs::Crs;

/// A shapefile read and reprojected to WGS84: (feature number, attributes, geometry) for every
/// usable feature; skipped ones are only in the report's warnings.
pub struct ShpLayer {
    pub table: DbfTable,
    pub features: Features<Record>,
    pub report: LayerReport,
}

/// The sibling of `path` with extension `ext`, in lower or upper case.
pub fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .iter()
        .map(|e| path.with_extension(e))
        .find(|p| super::archive::exists(p))
}

/// Reads the CRS of a shapefile from its `.prj`; a shapefile without one is an error, since guessing
/// Lambert-93 or WGS84 silently would misplace every feature if wrong.
pub fn read_prj(shp: &Path) -> Result<Crs, LoadError> {
    let prj = sibling(shp, "prj").ok_or_else(|| LoadError::Missing {
        path: shp.with_extension("prj"),
        reason: "fichier .prj absent : système de coordonnées inconnu".into(),
    })?;
    let wkt = super::archive::read_to_string(&prj)?;
    Crs::from_wkt(&wkt).map_err(|e| LoadError::crs(&prj, e))
}

/// Reads a whole shapefile. `file_label` is the name used in warnings (path relative to the data root).
pub fn read(path: &Path, file_label: &str, layer: &str) -> Result<ShpLayer, LoadError> {
    let crs = read_prj(path)?;
    let dbf_path = sibling(path, "dbf").ok_or_else(|| LoadError::Missing {
        path: path.with_extension("dbf"),
        reason: "table attributaire .dbf absente".into(),
    })?;
    let table = DbfTable::read(&dbf_path)?;
    let bytes = super::archive::read(path)?;
    let mut reader = ShapeReader::new(Cursor::new(bytes))
        .map_err(|e| LoadError::corrupt(path, e.to_string()))?;
    let mut shapes = Vec::new();
    for shape in reader.iter_shapes() {
        shapes.push(shape.map_err(|e| {
            LoadError::corrupt(path, format!("forme n° {} illisible : {e}", shapes.len()))
        })?);
    }
    if shapes.len() != table.records.len() + table.deleted_rows.len() {
        return Err(LoadError::corrupt(
            path,
            format!(
                "{} formes mais {} enregistrements dans {}",
                shapes.len(),
                table.records.len() + table.deleted_rows.len(),
                dbf_path.display()
            ),
        ));
    }
    let mut report = LayerReport {
        file: file_label.to_string(),
        layer: layer.to_string(),
        crs: Some(crs.name.clone()),
        ..Default::default()
    };
    report.note_encoding(&table);
    // Shapes of deleted DBF rows have no attributes: skipped, keeping the others aligned.
    let mut records = table.records.iter();
    let items = shapes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| table.deleted_rows.binary_search(i).is_err())
        .map(|(i, shape)| {
            let record = records.next().cloned().unwrap_or_default();
            (i, record, to_geometry(shape))
        });
    let features = collect(items, &crs, file_label, &mut report);
    Ok(ShpLayer {
        table,
        features,
        report,
    })
}

fn to_geometry(shape: Shape) -> Result<Geometry<f64>, String> {
    if matches!(shape, Shape::NullShape) {
        return Err("géométrie nulle".into());
    }
    Geometry::<f64>::try_from(shape).map_err(|e| e.to_string())
}
