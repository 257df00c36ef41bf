//! The segments of any geometry.

use geo::{Coord, Geometry};

use super::polygons_of;

/// Calls `f` on every segment of a geometry, polygon rings included (a point is a zero-length
/// segment): distances to a feature of any kind reduce to distances to its segments.
///
/// ```
/// use geo::{line_string, polygon, Geometry, GeometryCollection, Point};
/// let g = Geometry::GeometryCollection(GeometryCollection(vec![
///     Geometry::Point(Point::new(9.0, 9.0)),
///     Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]),
///     Geometry::Polygon(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)]),
/// ]));
/// let mut n = 0;
/// urbaclic::geometry::visit_segments(&g, &mut |_, _| n += 1);
/// assert_eq!(n, 1 + 2 + 3);
/// ```
pub fn visit_segments(geometry: &Geometry<f64>, f: &mut impl FnMut(Coord<f64>, Coord<f64>)) {
    match geometry {
        Geometry::Point(pt) => f(pt.0, pt.0),
        Geometry::MultiPoint(mp) => mp.0.iter().for_each(|pt| f(pt.0, pt.0)),
        Geometry::Line(l) => f(l.start, l.end),
        Geometry::LineString(ls) => ls.lines().for_each(|l| f(l.start, l.end)),
        Geometry::MultiLineString(mls) => mls
            .0
            .iter()
            .flat_map(geo::LineString::lines)
            .for_each(|l| f(l.start, l.end)),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            for poly in polygons_of(geometry) {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    ring.lines().for_each(|l| f(l.start, l.end));
                }
            }
        }
        Geometry::GeometryCollection(gc) => gc.0.iter().for_each(|g| visit_segments(g, f)),
        Geometry::Rect(r) => visit_segments(&Geometry::Polygon(r.to_polygon()), f),
        Geometry::Triangle(t) => visit_segments(&Geometry::Polygon(t.to_polygon()), f),
    }
}
