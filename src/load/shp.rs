//! Shapefile reading: geometry from `.shp` (Z and M dropped), attributes from `.dbf`
//! ([`super::dbf`]), CRS from `.prj`. Sibling files are found whatever the case of their extension.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use geo::Geometry;
use shapefile::{Shape, ShapeReader};

use super::dbf::{DbfTable, Record};
use super::geometry::sanitize;
use super::{LayerReport, LoadError};
use crate::crs::Crs;

/// A shapefile read and reprojected to WGS84: (feature number, attributes, geometry) for every
/// usable feature; skipped ones are only in the report's warnings.
pub struct ShpLayer {
    pub table: DbfTable,
    pub features: Vec<(usize, Record, Geometry<f64>)>,
    pub report: LayerReport,
}

/// The sibling of `path` with extension `ext`, in lower or upper case.
pub fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.exists())
}

/// Reads the CRS of a shapefile from its `.prj`; a shapefile without one is an error, since guessing
/// Lambert-93 or WGS84 silently would misplace every feature if wrong.
pub fn read_prj(shp: &Path) -> Result<Crs, LoadError> {
    let prj = sibling(shp, "prj").ok_or_else(|| LoadError::Missing {
        path: shp.with_extension("prj"),
        reason: "fichier .prj absent : système de coordonnées inconnu".into(),
    })?;
    let wkt = std::fs::read_to_string(&prj).map_err(|e| LoadError::io(&prj, e))?;
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
    let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, e))?;
    let mut reader = ShapeReader::new(Cursor::new(bytes))
        .map_err(|e| LoadError::corrupt(path, e.to_string()))?;
    let mut shapes = Vec::new();
    for shape in reader.iter_shapes() {
        shapes.push(shape.map_err(|e| {
            LoadError::corrupt(path, format!("forme n° {} illisible : {e}", shapes.len()))
        })?);
    }
    if shapes.len() != table.records.len() + table.deleted {
        return Err(LoadError::corrupt(
            path,
            format!(
                "{} formes mais {} enregistrements dans {}",
                shapes.len(),
                table.records.len() + table.deleted,
                dbf_path.display()
            ),
        ));
    }
    let mut report = LayerReport {
        file: file_label.to_string(),
        layer: layer.to_string(),
        crs: Some(crs.name.clone()),
        encoding: Some(table.encoding.clone()),
        ..Default::default()
    };
    let mut features = Vec::with_capacity(shapes.len());
    for (i, (shape, record)) in shapes.into_iter().zip(table.records.iter()).enumerate() {
        match to_wgs84(shape, &crs) {
            Ok((geometry, repaired)) => {
                if let Some(note) = repaired {
                    report.warnings.push(format!(
                        "{file_label} entité {i} : géométrie réparée ({note})"
                    ));
                }
                features.push((i, record.clone(), geometry));
            }
            Err(reason) => {
                report.skipped += 1;
                report
                    .warnings
                    .push(format!("{file_label} entité {i} ignorée : {reason}"));
            }
        }
    }
    report.features = features.len();
    Ok(ShpLayer {
        table,
        features,
        report,
    })
}

fn to_wgs84(shape: Shape, crs: &Crs) -> Result<(Geometry<f64>, Option<String>), String> {
    if matches!(shape, Shape::NullShape) {
        return Err("géométrie nulle".into());
    }
    let geometry = Geometry::<f64>::try_from(shape).map_err(|e| e.to_string())?;
    let mut s = sanitize(geometry)?;
    crs.geometry_to_wgs84(&mut s.geometry)
        .map_err(|e| e.to_string())?;
    Ok((s.geometry, s.repaired))
}
