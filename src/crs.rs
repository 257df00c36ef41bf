//! Reprojection of source coordinates to WGS84 longitude/latitude.
//!
//! Uses `proj4rs` (a pure-Rust port of PROJ) with EPSG definitions from `crs-definitions`, and
//! `proj4wkt` to read `.prj` files. The `proj` crate would need a system PROJ ≥ 9.2 or a long C++
//! build plus `proj.db` at run time; proj4rs matches PROJ to micrometres on Lambert-93 without either.

use geo::{Coord, Geometry, MapCoordsInPlace};
use proj4rs::proj::Proj;

/// A coordinate reference system a layer is read in, able to convert to WGS84 degrees.
pub struct Crs {
    /// Human-readable name (`EPSG:2154`, or the WKT's name) for reports.
    pub name: String,
    /// `None` when the source is already WGS84 longitude/latitude in degrees.
    proj: Option<Proj>,
    wgs84: Proj,
}

/// Why a CRS could not be understood.
#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    /// An EPSG code outside the definitions built in.
    #[error("système de coordonnées inconnu : EPSG:{0}")]
    UnknownEpsg(u32),
    /// A `.prj` whose WKT could not be parsed.
    #[error("fichier .prj illisible ({0})")]
    BadWkt(String),
    /// A coordinate that the projection could not transform.
    #[error("reprojection impossible : {0}")]
    Transform(String),
}

impl std::fmt::Debug for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crs").field("name", &self.name).finish()
    }
}

#[expect(
    clippy::expect_used,
    reason = "a constant definition, parsed by every test that reprojects"
)]
fn wgs84() -> Proj {
    Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").expect("static WGS84 definition")
}

impl Crs {
    /// WGS84 longitude/latitude: coordinates are kept as they are.
    pub fn wgs84() -> Crs {
        Crs {
            name: "EPSG:4326".into(),
            proj: None,
            wgs84: wgs84(),
        }
    }

    /// A CRS from its EPSG code.
    ///
    /// ```
    /// let crs = urbaclic::crs::Crs::from_epsg(2154).unwrap();
    /// let (lon, lat) = crs.to_wgs84(700000.0, 6600000.0).unwrap();
    /// assert!((lon - 3.0).abs() < 1e-9 && (lat - 46.5).abs() < 1e-9);
    /// ```
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        if code == 4326 || code == 4171 {
            // RGF93 geographic is WGS84 to well under a centimetre.
            return Ok(Crs {
                name: format!("EPSG:{code}"),
                ..Crs::wgs84()
            });
        }
        let proj = u16::try_from(code)
            .ok()
            .and_then(|c| Proj::from_epsg_code(c).ok())
            .ok_or(CrsError::UnknownEpsg(code))?;
        Ok(Crs {
            name: format!("EPSG:{code}"),
            proj: Some(proj),
            wgs84: wgs84(),
        })
    }

    /// A CRS from the WKT of a `.prj` file (ESRI or OGC flavour).
    ///
    /// Lambert-93 is recognised by name and mapped to the EPSG:2154 definition, which carries the exact
    /// parameters; other WKTs go through `proj4wkt`.
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        if let Some(code) = known_epsg(wkt) {
            return Crs::from_epsg(code);
        }
        let projstring =
            proj4wkt::wkt_to_projstring(wkt).map_err(|e| CrsError::BadWkt(e.to_string()))?;
        let proj = Proj::from_proj_string(&projstring)
            .map_err(|e| CrsError::BadWkt(format!("{e:?} ({projstring})")))?;
        if proj.is_latlong() {
            return Ok(Crs {
                name: wkt_name(wkt).unwrap_or_else(|| "WGS84".into()),
                ..Crs::wgs84()
            });
        }
        Ok(Crs {
            name: wkt_name(wkt).unwrap_or(projstring),
            proj: Some(proj),
            wgs84: wgs84(),
        })
    }

    /// Whether coordinates need converting at all.
    pub fn is_wgs84(&self) -> bool {
        self.proj.is_none()
    }

    /// Converts one coordinate pair to (longitude, latitude) in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let Some(proj) = &self.proj else {
            return Ok((x, y));
        };
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(proj, &self.wgs84, &mut p)
            .map_err(|e| CrsError::Transform(format!("{e:?} en ({x}, {y})")))?;
        Ok((p.0.to_degrees(), p.1.to_degrees()))
    }

    /// Converts (longitude, latitude) in degrees into this CRS (the inverse of [`Crs::to_wgs84`]).
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        let Some(proj) = &self.proj else {
            return Ok((lon, lat));
        };
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.wgs84, proj, &mut p)
            .map_err(|e| CrsError::Transform(format!("{e:?} en ({lon}, {lat})")))?;
        Ok((p.0, p.1))
    }

    /// Reprojects a geometry in place; fails on the first coordinate that cannot be converted.
    pub fn geometry_to_wgs84(&self, geometry: &mut Geometry<f64>) -> Result<(), CrsError> {
        if self.is_wgs84() {
            return Ok(());
        }
        // map_coords_in_place wants a `Copy` closure: record the first failure through a shared cell.
        let failure = std::cell::RefCell::new(None);
        let failure_ref = &failure;
        geometry.map_coords_in_place(|c: Coord<f64>| match self.to_wgs84(c.x, c.y) {
            Ok((x, y)) => Coord { x, y },
            Err(e) => {
                failure_ref.borrow_mut().get_or_insert(e);
                c
            }
        });
        match failure.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// EPSG codes recognisable from a WKT without a full parse: an explicit EPSG authority, or the
/// French projections by their usual names.
fn known_epsg(wkt: &str) -> Option<u32> {
    let upper = wkt.to_ascii_uppercase();
    // The outermost AUTHORITY is the last one in WKT1; an EPSG one further in (a unit's, a
    // datum's) says nothing of the whole (GDAL's IGNF `LAMB93` carries only such).
    if let Some(pos) = upper
        .rfind("AUTHORITY[")
        .filter(|p| upper[*p..].starts_with("AUTHORITY[\"EPSG\",\""))
    {
        let rest = &upper[pos + 18..];
        let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(code) = code.parse::<u32>() {
            if upper.starts_with("PROJCS") || upper.starts_with("GEOGCS") {
                return Some(code);
            }
        }
    }
    let name = wkt_name(wkt)?.to_ascii_uppercase().replace(['-', ' '], "_");
    if name.contains("LAMBERT_93") || name.contains("LAMBERT93") {
        return Some(2154);
    }
    if upper.starts_with("GEOGCS") && (name.contains("WGS_1984") || name.contains("WGS84")) {
        return Some(4326);
    }
    None
}

/// The name of the outermost WKT node, e.g. `RGF93_Lambert_93`.
fn wkt_name(wkt: &str) -> Option<String> {
    let start = wkt.find('"')? + 1;
    let end = start + wkt[start..].find('"')?;
    Some(wkt[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GDAL's WKT for an IGNF `LAMB93` `.qpj` (as `ogr2ogr` writes it into PostGIS's
    /// `spatial_ref_sys`): its only EPSG authorities are its unit's and datum's, not its own.
    #[test]
    fn inner_epsg_authority_is_not_the_crs() {
        let wkt = r#"PROJCS["RGF93 Lambert 93",GEOGCS["RGF93 geographiques (dms)",DATUM["Reseau_Geodesique_Francais_1993_v1",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["IGNF","RGF93G"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["standard_parallel_1",44],PARAMETER["standard_parallel_2",49],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["IGNF","LAMB93"]]"#;
        assert_eq!(known_epsg(wkt), Some(2154));
        assert_eq!(Crs::from_wkt(wkt).unwrap().name, "EPSG:2154");
    }

    #[test]
    fn esri_lambert93_wkt_is_recognised() {
        let wkt = r#"PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",44.0],PARAMETER["Standard_Parallel_2",49.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(wkt).unwrap().name, "EPSG:2154");
    }

    #[test]
    fn wgs84_wkt_is_identity() {
        let wkt = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        let crs = Crs::from_wkt(wkt).unwrap();
        assert!(crs.is_wgs84());
        assert_eq!(crs.to_wgs84(2.35, 48.85).unwrap(), (2.35, 48.85));
    }

    #[test]
    fn garbage_wkt_is_an_error() {
        assert!(Crs::from_wkt("not a wkt").is_err());
        assert!(matches!(
            Crs::from_epsg(99999),
            Err(CrsError::UnknownEpsg(99999))
        ));
    }

    #[test]
    fn round_trip_lambert93() {
        let crs = Crs::from_epsg(2154).unwrap();
        let (lon, lat) = crs.to_wgs84(652_000.0, 6_862_000.0).unwrap();
        let (x, y) = crs.from_wgs84(lon, lat).unwrap();
        assert!(
            // 10 µm: the inverse projection is iterative.
            (x - 652_000.0).abs() < 1e-5 && (y - 6_862_000.0).abs() < 1e-5,
            "{lon} {lat} -> {x} {y}"
        );
    }
}
