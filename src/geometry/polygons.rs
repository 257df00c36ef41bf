//! Which geometries bound an area, and their polygons.

use geo::{Geometry, Polygon};

/// Every polygon in a geometry, flattening multi-polygons and collections.
///
/// ```
/// use geo::{polygon, Geometry, GeometryCollection, MultiPolygon, Point};
/// use urbaclic::geometry::polygons_of;
/// let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
/// let g = Geometry::GeometryCollection(GeometryCollection(vec![
///     Geometry::MultiPolygon(MultiPolygon(vec![p.clone(), p.clone()])),
///     Geometry::Point(Point::new(5.0, 5.0)),
/// ]));
/// assert_eq!(polygons_of(&g).len(), 2);
/// ```
pub fn polygons_of(geometry: &Geometry<f64>) -> Vec<&Polygon<f64>> {
    match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(polygons_of).collect(),
        _ => Vec::new(),
    }
}

/// Whether a geometry is polygonal: a feature is then met by containment (a zone), otherwise by
/// distance within a tolerance (a linear prescription, a point easement).
///
/// ```
/// use geo::{line_string, polygon, Geometry};
/// use urbaclic::geometry::is_areal;
/// assert!(is_areal(&Geometry::Polygon(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)])));
/// assert!(!is_areal(&Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)])));
/// ```
pub fn is_areal(geometry: &Geometry<f64>) -> bool {
    matches!(
        geometry,
        Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_)
    ) || matches!(geometry, Geometry::GeometryCollection(gc) if gc.0.iter().any(is_areal))
}
