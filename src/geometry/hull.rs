//! Convex hull of a set of geometries.

use geo::{ConvexHull, CoordsIter, Geometry, MultiPoint, Point, Polygon};

/// The convex hull of every vertex of some geometries: the territory of last resort when a source
/// does not say what it covers (its features' envelope), or a commune has no boundary file (its
/// parcels' envelope).
///
/// ```
/// use geo::{line_string, Area, Geometry};
/// let lines = [
///     Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0)]),
///     Geometry::LineString(line_string![(x: 0.0, y: 2.0), (x: 2.0, y: 2.0), (x: 1.0, y: 1.0)]),
/// ];
/// let hull = urbaclic::geometry::convex_hull(&lines);
/// assert_eq!(hull.unsigned_area(), 4.0);
/// ```
pub fn convex_hull<'a>(geometries: impl IntoIterator<Item = &'a Geometry<f64>>) -> Polygon<f64> {
    let points: MultiPoint<f64> = geometries
        .into_iter()
        .flat_map(|g| g.coords_iter().map(Point::from))
        .collect();
    points.convex_hull()
}
