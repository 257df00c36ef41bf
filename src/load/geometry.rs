//! Geometry hygiene at load: what to repair, what to skip.
//!
//! Repairs are the ones that cannot change the meaning of a feature: dropping repeated vertices and
//! degenerate rings (fewer than three distinct points). Open rings need no repair: `geo` closes them. A feature with non-finite coordinates or
//! nothing left after that is skipped; the caller records a warning naming file and feature.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};

use super::LayerReport;
use crate::crs::Crs;

/// The polygonal part of a geometry as a multipolygon, `None` for lines and points.
pub fn as_multipolygon(g: Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::MultiPolygon(mp) => Some(mp),
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        _ => None,
    }
}

/// Usable features of a file: (feature number, attributes, WGS84 geometry).
pub type Features<A> = Vec<(usize, A, Geometry<f64>)>;

/// The one path every reader's geometries take: sanitise, reproject to WGS84, and record a
/// warning naming the file and feature for each repair or skip. Items are (feature number in the
/// file, attributes, geometry); `label` names the file in warnings.
pub fn collect<A>(
    items: impl Iterator<Item = (usize, A, Result<Geometry<f64>, String>)>,
    crs: &Crs,
    label: &str,
    report: &mut LayerReport,
) -> Features<A> {
    let mut out = Vec::new();
    for (i, attrs, geometry) in items {
        let prepared = geometry.and_then(|g| sanitize(g).map_err(|e| e.to_string()));
        let prepared = prepared.and_then(|mut s| {
            let first = first_coord(&s.geometry);
            crs.geometry_to_wgs84(&mut s.geometry)
                .map_err(|e| e.to_string())?;
            check_round_trip(crs, first, first_coord(&s.geometry))?;
            check_wgs84_range(&s.geometry)?;
            Ok(s)
        });
        match prepared {
            Ok(s) => {
                if let Some(note) = s.repaired {
                    report
                        .warnings
                        .push(format!("{label} entité {i} : géométrie réparée ({note})"));
                }
                out.push((i, attrs, s.geometry));
            }
            Err(reason) => {
                report.skip(label, i, reason);
            }
        }
    }
    report.features = out.len();
    out
}

/// Outcome of [`sanitize`]: the usable geometry and what was repaired, if anything.
pub struct Sanitized {
    pub geometry: Geometry<f64>,
    pub repaired: Option<String>,
}

/// Why a geometry must be skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidGeometry {
    #[error("coordonnées non finies")]
    NonFinite,
    #[error("géométrie vide")]
    Empty,
    /// Nothing was left once degenerate parts were dropped (`repairs` lists them).
    #[error("géométrie vide après réparation ({repairs})")]
    EmptyAfterRepair { repairs: String },
}

/// Checks and repairs a geometry; `Err` says why it must be skipped.
pub fn sanitize(geometry: Geometry<f64>) -> Result<Sanitized, InvalidGeometry> {
    let mut notes = Vec::new();
    let geometry = match geometry {
        Geometry::Polygon(p) => Geometry::MultiPolygon(fix_polygons(vec![p], &mut notes)),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(fix_polygons(mp.0, &mut notes)),
        other => other,
    };
    if !all_finite(&geometry) {
        return Err(InvalidGeometry::NonFinite);
    }
    if is_empty(&geometry) {
        return Err(if notes.is_empty() {
            InvalidGeometry::Empty
        } else {
            InvalidGeometry::EmptyAfterRepair {
                repairs: notes.join(", "),
            }
        });
    }
    Ok(Sanitized {
        geometry,
        repaired: (!notes.is_empty()).then(|| notes.join(", ")),
    })
}

fn fix_polygons(polygons: Vec<Polygon<f64>>, notes: &mut Vec<String>) -> MultiPolygon<f64> {
    let mut out = Vec::with_capacity(polygons.len());
    for polygon in polygons {
        let (exterior, interiors) = polygon.into_inner();
        let Some(exterior) = fix_ring(exterior, notes) else {
            notes.push("polygone dégénéré supprimé".into());
            continue;
        };
        let interiors = interiors
            .into_iter()
            .filter_map(|r| fix_ring(r, notes))
            .collect();
        out.push(Polygon::new(exterior, interiors));
    }
    MultiPolygon(out)
}

fn fix_ring(mut ring: LineString<f64>, notes: &mut Vec<String>) -> Option<LineString<f64>> {
    ring.0.dedup();
    if ring.0.len() < 4 {
        notes.push("anneau de moins de 3 points supprimé".into());
        return None;
    }
    Some(ring)
}

fn first_coord(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::CoordsIter;
    g.coords_iter().next()
}

/// A coordinate far outside a projection's domain (a garbage 1e300, a Lambert-93 file declared as
/// something else) can come out as a plausible-looking latitude such as −90°: going back must give
/// the same point, to within a metre, or the feature is skipped.
fn check_round_trip(
    crs: &Crs,
    before: Option<Coord<f64>>,
    after: Option<Coord<f64>>,
) -> Result<(), String> {
    if crs.is_wgs84() {
        return Ok(());
    }
    let (Some(b), Some(a)) = (before, after) else {
        return Ok(());
    };
    let back = crs.from_wgs84(a.x, a.y).map_err(|e| e.to_string())?;
    if !(a.y.abs() <= 90.0 && a.x.abs() <= 180.0) || (back.0 - b.x).hypot(back.1 - b.y) > 1.0 {
        return Err(format!(
            "coordonnées ({}, {}) hors du domaine de {}",
            b.x, b.y, crs.name
        ));
    }
    Ok(())
}

/// Every coordinate, once in WGS84, must be a longitude and a latitude: a file in metres declared
/// as WGS84 (or a typo such as lon 500) would otherwise be indexed off the globe and answer a
/// commune tens of kilometres away.
fn check_wgs84_range(g: &Geometry<f64>) -> Result<(), String> {
    use geo::CoordsIter;
    match g
        .coords_iter()
        .find(|c| !(c.x.abs() <= 180.0 && c.y.abs() <= 90.0))
    {
        Some(c) => Err(format!(
            "coordonnées ({}, {}) hors du domaine de WGS 84 (longitude −180 à 180, latitude −90 à 90)",
            c.x, c.y
        )),
        None => Ok(()),
    }
}

fn all_finite(geometry: &Geometry<f64>) -> bool {
    use geo::CoordsIter;
    geometry
        .coords_iter()
        .all(|c: Coord<f64>| c.x.is_finite() && c.y.is_finite())
}

fn is_empty(geometry: &Geometry<f64>) -> bool {
    use geo::CoordsIter;
    geometry.coords_iter().next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, Point};

    #[test]
    fn degenerate_hole_is_dropped_and_reported() {
        let p = Polygon::new(
            line_string![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            vec![line_string![(x: 1.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 1.0)]],
        );
        let s = sanitize(Geometry::Polygon(p)).unwrap();
        assert!(s.repaired.unwrap().contains("moins de 3 points"));
        let Geometry::MultiPolygon(mp) = s.geometry else {
            panic!("polygons come out as multipolygons")
        };
        assert!(mp.0[0].interiors().is_empty());
    }

    #[test]
    fn coordinates_outside_the_projection_are_skipped() {
        let crs = Crs::from_epsg(2154).unwrap();
        let mut report = LayerReport::default();
        let items = vec![
            (
                0,
                (),
                Ok(Geometry::Point(Point::new(652_000.0, 6_862_000.0))),
            ),
            (1, (), Ok(Geometry::Point(Point::new(1e300, 1e300)))),
        ];
        let kept = collect(items.into_iter(), &crs, "f.shp", &mut report);
        assert_eq!(kept.len(), 1);
        assert_eq!(report.skipped, 1);
        assert!(
            report.warnings[0].contains("f.shp entité 1 ignorée"),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn wgs84_coordinates_out_of_range_are_skipped() {
        let mut report = LayerReport::default();
        let items = vec![
            (0, (), Ok(Geometry::Point(Point::new(2.35, 48.89)))),
            (1, (), Ok(Geometry::Point(Point::new(500.0, 48.89)))),
            (
                2,
                (),
                Ok(Geometry::Point(Point::new(652_000.0, 6_862_000.0))),
            ),
        ];
        let kept = collect(items.into_iter(), &Crs::wgs84(), "f.geojson", &mut report);
        assert_eq!(kept.len(), 1);
        assert_eq!(report.skipped, 2);
        assert!(
            report.warnings[0].contains("f.geojson entité 1 ignorée"),
            "{:?}",
            report.warnings
        );
        assert!(
            report.warnings[0].contains("hors du domaine de WGS 84"),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn degenerate_and_nan_are_skipped() {
        let flat = Polygon::new(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)], vec![]);
        assert!(sanitize(Geometry::Polygon(flat)).is_err());
        assert!(sanitize(Geometry::Point(Point::new(f64::NAN, 1.0))).is_err());
    }
}
