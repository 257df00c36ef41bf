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
    /// The file SQLite opened: a temporary copy for a GeoPackage inside an archive, removed
    /// when this is dropped (after the connection, declared before it).
    _local: super::archive::LocalFile,
}

impl GeoPackage {
    /// Opens read-only; a file that is not an SQLite GeoPackage is a [`LoadError::Corrupt`].
    pub fn open(path: &Path) -> Result<GeoPackage, LoadError> {
        if !super::archive::exists(path) {
            return Err(LoadError::io(
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let local = super::archive::local_file(path)?;
        let conn = Connection::open_with_flags(local.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| LoadError::corrupt(path, e.to_string()))?;
        let gpkg = GeoPackage {
            conn,
            path: path.to_path_buf(),
            _local: local,
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
        let items = rows
            .into_iter()
            .zip(blobs)
            .enumerate()
            .map(|(i, (attrs, blob))| {
                let geometry = blob
                    .ok_or_else(|| "géométrie nulle".to_string())
                    .and_then(|b| {
                        check_gpkg_blob(&b).map_err(|e| e.to_string())?;
                        GpkgWkb(b).to_geo().map_err(|e| e.to_string())
                    });
                (i, attrs, geometry)
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

/// Why a GeoPackage geometry blob is refused before decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorruptBlob {
    #[error("géométrie GeoPackage corrompue : en-tête GP absent")]
    MissingHeader,
    #[error("géométrie GeoPackage corrompue : indicateur d'enveloppe invalide")]
    BadEnvelope,
    #[error("géométrie GeoPackage corrompue : tronquée")]
    Truncated,
    /// A WKB byte-order byte other than 0 (big-endian) or 1 (little-endian), or one that is not
    /// the blob header's: the decoder would read counts this check never saw.
    #[error("géométrie GeoPackage corrompue : ordre des octets WKB invalide ou différent de l'en-tête ({0})")]
    ByteOrder(u8),
    #[error("géométrie GeoPackage corrompue : imbrication trop profonde")]
    TooDeep,
    /// A count that cannot fit in the bytes left (`left`), even with the smallest items.
    #[error("géométrie GeoPackage corrompue : {count} éléments annoncés pour {left} octets")]
    Count { count: usize, left: usize },
    #[error("géométrie GeoPackage corrompue : type de géométrie WKB non pris en charge ({0})")]
    UnsupportedType(u32),
}

/// Deepest nesting of WKB collections accepted.
const MAX_WKB_DEPTH: u32 = 8;

/// Checks a GeoPackage geometry blob's structure before decoding it: every count it declares must
/// fit in the bytes that remain. The decoder trusts counts and would try to allocate whatever a
/// corrupt blob says (4 billion points is an abort, not an error).
pub fn check_gpkg_blob(blob: &[u8]) -> Result<(), CorruptBlob> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(CorruptBlob::MissingHeader);
    }
    let envelope = match (blob[3] >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return Err(CorruptBlob::BadEnvelope),
    };
    let wkb = blob.get(8 + envelope..).ok_or(CorruptBlob::Truncated)?;
    // The decoder reads the outer geometry's counts in the header's byte order (flag bit 0), not
    // in the WKB's own: both must agree for this check to see the counts the decoder will use.
    let header_order = blob[3] & 1;
    match wkb.first() {
        Some(&order) if order != header_order => return Err(CorruptBlob::ByteOrder(order)),
        _ => {}
    }
    let mut pos = 0;
    check_wkb(wkb, &mut pos, 0)
}

/// Checks plain WKB (as PostGIS's `ST_AsBinary` writes it) the same way: every count must fit.
pub(super) fn check_wkb_bytes(wkb: &[u8]) -> Result<(), CorruptBlob> {
    let mut pos = 0;
    check_wkb(wkb, &mut pos, 0)
}

fn check_wkb(b: &[u8], pos: &mut usize, depth: u32) -> Result<(), CorruptBlob> {
    if depth > MAX_WKB_DEPTH {
        return Err(CorruptBlob::TooDeep);
    }
    let little = match *b.get(*pos).ok_or(CorruptBlob::Truncated)? {
        0 => false,
        1 => true,
        other => return Err(CorruptBlob::ByteOrder(other)),
    };
    *pos += 1;
    let u32_at = |p: usize| -> Result<u32, CorruptBlob> {
        let bytes: [u8; 4] = b
            .get(p..p + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or(CorruptBlob::Truncated)?;
        Ok(if little {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    };
    let code = u32_at(*pos)?;
    *pos += 4;
    // ISO codes only (1000 Z, 2000 M, 3000 ZM), as GeoPackage writes them and as the decoder
    // reads them: it knows no EWKB flags, so a code carrying them is refused here.
    let (kind, dims) = (code % 1000, code / 1000);
    if dims > 3 {
        return Err(CorruptBlob::UnsupportedType(code));
    }
    let coord = 8 * (2 + usize::from(dims == 1 || dims == 3) + usize::from(dims >= 2));
    let count = |pos: &mut usize, min_item: usize| -> Result<usize, CorruptBlob> {
        let n = u32_at(*pos)? as usize;
        *pos += 4;
        let left = b.len().saturating_sub(*pos);
        if n.saturating_mul(min_item) > left {
            return Err(CorruptBlob::Count { count: n, left });
        }
        Ok(n)
    };
    match kind {
        1 => *pos += coord,
        2 => *pos += count(pos, coord)? * coord,
        3 => {
            for _ in 0..count(pos, 4)? {
                let n = count(pos, coord)?;
                *pos += n * coord;
            }
        }
        4..=7 => {
            for _ in 0..count(pos, 5)? {
                check_wkb(b, pos, depth + 1)?;
            }
        }
        other => return Err(CorruptBlob::UnsupportedType(other)),
    }
    if *pos > b.len() {
        return Err(CorruptBlob::Truncated);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob header: "GP", version 0, flags (little-endian, no envelope), SRS id 0.
    const HEADER: &[u8] = b"GP\0\x01\0\0\0\0";

    #[test]
    fn counts_larger_than_the_blob_are_refused() {
        // A WKB linestring announcing 4 294 967 295 points, with no byte left for them.
        let blob = [HEADER, &[1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]].concat();
        let e = check_gpkg_blob(&blob).unwrap_err();
        assert_eq!(
            e.to_string(),
            "géométrie GeoPackage corrompue : 4294967295 éléments annoncés pour 0 octets"
        );
    }

    /// Found by `tests/properties.rs`: byte order 7 read as big-endian here gave a small count,
    /// while the decoder, which takes any non-zero byte for little-endian (and reads the outer
    /// counts in the header's order), read 2.3 billion points and aborted on allocating them.
    #[test]
    fn a_byte_order_other_than_0_or_1_is_refused() {
        let blob = [HEADER, &[7, 0, 0, 0, 2, 0, 0, 0, 1], &[0; 16]].concat();
        assert_eq!(check_gpkg_blob(&blob), Err(CorruptBlob::ByteOrder(7)));
        // Big-endian throughout is fine; a big-endian WKB under a little-endian header is not
        // (the decoder would read its counts little-endian).
        let big: &[u8] = b"GP\0\0\0\0\0\0";
        let blob = [big, &[0, 0, 0, 0, 2, 0, 0, 0, 1], &[0; 16]].concat();
        assert_eq!(check_gpkg_blob(&blob), Ok(()));
        let mixed = [HEADER, &[0, 0, 0, 0, 2, 0, 0, 0, 1], &[0; 16]].concat();
        assert_eq!(check_gpkg_blob(&mixed), Err(CorruptBlob::ByteOrder(0)));
    }

    #[test]
    fn a_point_passes_and_junk_is_named() {
        let point = [HEADER, &[1, 1, 0, 0, 0], &[0; 16]].concat();
        assert_eq!(check_gpkg_blob(&point), Ok(()));
        assert_eq!(
            check_gpkg_blob(b"XX\0\x01\0\0\0\0"),
            Err(CorruptBlob::MissingHeader)
        );
        let unknown = [HEADER, &[1, 99, 0, 0, 0]].concat();
        assert_eq!(
            check_gpkg_blob(&unknown).unwrap_err().to_string(),
            "géométrie GeoPackage corrompue : type de géométrie WKB non pris en charge (99)"
        );
    }
}
