//! GeoPackage reading (SQLite + GPKG geometry blobs), as used by the CNIG PPR 2023 standard.
//!
//! Read with `rusqlite` (bundled SQLite) and `geozero` for the blobs: no GDAL.

use std::collections::HashMap;
use std::path::Path;

use geozero::wkb::GpkgWkb;
use geozero::ToGeo;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::geometry::{collect, Features};
use super::{LayerReport, LoadError};
use crate::crs::Crs;

/// Attributes of a row, keyed by lower-case column name.
pub type Attributes = HashMap<String, String>;

/// An open GeoPackage.
pub struct GeoPackage {
    conn: Connection,
    path: std::path::PathBuf,
}

impl GeoPackage {
    /// Opens read-only; a file that is not an SQLite GeoPackage is a [`LoadError::Corrupt`].
    pub fn open(path: &Path) -> Result<GeoPackage, LoadError> {
        if !path.exists() {
            return Err(LoadError::io(
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| LoadError::corrupt(path, e.to_string()))?;
        let gpkg = GeoPackage {
            conn,
            path: path.to_path_buf(),
        };
        // Reading the contents table is what proves this is a GeoPackage.
        gpkg.tables()?;
        Ok(gpkg)
    }

    fn err(&self, e: impl std::fmt::Display) -> LoadError {
        LoadError::corrupt(&self.path, e.to_string())
    }

    /// Table names listed in `gpkg_contents`.
    pub fn tables(&self) -> Result<Vec<String>, LoadError> {
        let mut stmt = self
            .conn
            .prepare("SELECT table_name FROM gpkg_contents")
            .map_err(|e| self.err(format!("pas un GeoPackage ({e})")))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(names)
    }

    /// Reads every row of an attribute (non-spatial) table.
    pub fn rows(&self, table: &str) -> Result<Vec<Attributes>, LoadError> {
        let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        // rusqlite's `column_name(s)` panic on a name that is not UTF-8 (a corrupt schema): read the
        // names as values from `PRAGMA table_info`, whose order is the order of `SELECT *`.
        let columns = self.column_names(table)?;
        if columns.len() != stmt.column_count() {
            return Err(self.err(format!("table {table} : colonnes incohérentes")));
        }
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let mut attrs = Attributes::new();
            for (i, c) in columns.iter().enumerate() {
                if let Some(v) = row.get_ref(i).ok().and_then(value_text) {
                    attrs.insert(c.clone(), v);
                }
            }
            out.push(attrs);
        }
        Ok(out)
    }

    /// Lower-case column names of `table`; a name that is not UTF-8 is an error, not a panic.
    fn column_names(&self, table: &str) -> Result<Vec<String>, LoadError> {
        let sql = format!("PRAGMA table_info(\"{}\")", table.replace('"', "\"\""));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut names = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let name = match row.get_ref(1).map_err(|e| self.err(e))? {
                ValueRef::Text(t) => std::str::from_utf8(t)
                    .map_err(|_| {
                        self.err(format!(
                            "table {table} : nom de colonne illisible (UTF-8 invalide)"
                        ))
                    })?
                    .to_ascii_lowercase(),
                _ => return Err(self.err(format!("table {table} : nom de colonne illisible"))),
            };
            names.push(name);
        }
        Ok(names)
    }

    /// Reads a feature table, reprojecting its geometries to WGS84.
    pub fn features(
        &self,
        table: &str,
        file_label: &str,
        layer: &str,
    ) -> Result<(Features<Attributes>, LayerReport), LoadError> {
        let (column, srs_id): (String, i64) = self
            .conn
            .query_row(
                "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
                [table],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(format!("table {table} sans colonne géométrique ({e})")))?;
        let crs = self.crs(srs_id)?;
        let mut report = LayerReport {
            file: format!("{file_label}:{table}"),
            layer: layer.to_string(),
            crs: Some(crs.name.clone()),
            encoding: Some("UTF-8 (SQLite)".into()),
            ..Default::default()
        };
        let rows = self.rows(table)?;
        let blobs = self.geometry_blobs(table, &column)?;
        let label = format!("{file_label}:{table}");
        let items = rows.into_iter().zip(blobs).map(|(attrs, blob)| {
            let geometry = blob
                .ok_or_else(|| "géométrie nulle".to_string())
                .and_then(|b| GpkgWkb(b).to_geo().map_err(|e| e.to_string()));
            (attrs, geometry)
        });
        let out = collect(items, &crs, &label, &mut report);
        Ok((out, report))
    }

    fn geometry_blobs(&self, table: &str, column: &str) -> Result<Vec<Option<Vec<u8>>>, LoadError> {
        let sql = format!(
            "SELECT \"{}\" FROM \"{}\"",
            column.replace('"', "\"\""),
            table.replace('"', "\"\"")
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let blobs = stmt
            .query_map([], |r| r.get::<_, Option<Vec<u8>>>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(blobs)
    }

    fn crs(&self, srs_id: i64) -> Result<Crs, LoadError> {
        let found: Option<(String, i64, String)> = self
            .conn
            .query_row(
                "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
                [srs_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let result = match found {
            Some((org, code, _)) if org.eq_ignore_ascii_case("EPSG") => Crs::from_epsg(code as u32),
            Some((_, _, wkt)) => Crs::from_wkt(&wkt),
            None => Crs::from_epsg(srs_id as u32),
        };
        result.map_err(|e| LoadError::crs(&self.path, e))
    }
}

fn value_text(v: ValueRef<'_>) -> Option<String> {
    let s = match v {
        ValueRef::Null | ValueRef::Blob(_) => return None,
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
    };
    (!s.is_empty()).then_some(s)
}
