//! Distances between points and segments: planar, and in metres through the earth model.

use geo::{Coord, Geometry, Point, Vector2DOps};

use super::{visit_segments, LocalFrame};

/// Distance from `p` to segment `ab`, in the coordinates' own units.
///
/// ```
/// use geo::coord;
/// use urbaclic::geometry::point_segment_distance;
/// let (a, b) = (coord! { x: 0.0, y: 0.0 }, coord! { x: 4.0, y: 0.0 });
/// assert_eq!(point_segment_distance(coord! { x: 1.0, y: 3.0 }, a, b), 3.0);
/// // Beyond an end, the distance is to that end.
/// assert_eq!(point_segment_distance(coord! { x: 7.0, y: 4.0 }, a, b), 5.0);
/// ```
pub fn point_segment_distance(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let d = b - a;
    let len2 = d.magnitude_squared();
    let t = if len2 == 0.0 {
        0.0
    } else {
        ((p - a).dot_product(d) / len2).clamp(0.0, 1.0)
    };
    (p - (a + d * t)).magnitude()
}

/// Distance between segments `ab` and `ef`, in the coordinates' own units (0 when they cross).
///
/// ```
/// use geo::coord;
/// use urbaclic::geometry::segment_segment_distance;
/// let c = |x, y| coord! { x: x, y: y };
/// assert_eq!(segment_segment_distance(c(0.0, 0.0), c(2.0, 2.0), c(0.0, 2.0), c(2.0, 0.0)), 0.0);
/// assert_eq!(segment_segment_distance(c(0.0, 0.0), c(2.0, 0.0), c(1.0, 1.0), c(1.0, 5.0)), 1.0);
/// ```
pub fn segment_segment_distance(a: Coord<f64>, b: Coord<f64>, e: Coord<f64>, f: Coord<f64>) -> f64 {
    // Each segment's ends on opposite sides of the other's line: they cross.
    let side = |o: Coord<f64>, p: Coord<f64>, q: Coord<f64>| (p - o).wedge_product(q - o) > 0.0;
    if side(e, f, a) != side(e, f, b) && side(a, b, e) != side(a, b, f) {
        return 0.0;
    }
    // Otherwise the nearest pair of points involves an end of one of them.
    point_segment_distance(a, e, f)
        .min(point_segment_distance(b, e, f))
        .min(point_segment_distance(e, a, b))
        .min(point_segment_distance(f, a, b))
}

/// Distance in metres from `p` to segment `ab` (WGS84 degrees), in the frame at `p`.
///
/// ```
/// use geo::{coord, Point};
/// // A meridian segment at lon 2.0; 1e-4° of longitude at lat 48.85 is 7.34 m.
/// let d = urbaclic::geometry::point_segment_distance_m(
///     Point::new(2.0001, 48.85), coord! { x: 2.0, y: 48.84 }, coord! { x: 2.0, y: 48.86 });
/// assert!((d - 7.34).abs() < 0.01, "{d}");
/// ```
pub fn point_segment_distance_m(p: Point<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    origin_distance_m(&LocalFrame::at(p.0), a, b)
}

/// Distance in metres from `p` to the nearest segment of a geometry (a polygon's boundary, not its
/// inside), in the frame at `p`: the "nearest parcel" of a point on the street.
///
/// ```
/// use geo::{polygon, Geometry, Point};
/// let square = Geometry::Polygon(polygon![
///     (x: 2.0, y: 48.0), (x: 2.001, y: 48.0), (x: 2.001, y: 48.001), (x: 2.0, y: 48.001)]);
/// // 0.0001° south of the square: 11.1 m.
/// let d = urbaclic::geometry::distance_m(Point::new(2.0005, 47.9999), &square);
/// assert!((d - 11.12).abs() < 0.01, "{d}");
/// ```
pub fn distance_m(p: Point<f64>, geometry: &Geometry<f64>) -> f64 {
    // One frame for every segment: its scales cost five cosines.
    let frame = LocalFrame::at(p.0);
    let mut best = f64::INFINITY;
    visit_segments(geometry, &mut |a, b| {
        best = best.min(origin_distance_m(&frame, a, b));
    });
    best
}

/// Distance in metres from the origin of `frame` to segment `ab`.
fn origin_distance_m(frame: &LocalFrame, a: Coord<f64>, b: Coord<f64>) -> f64 {
    point_segment_distance(Coord::zero(), frame.to_metres(a), frame.to_metres(b))
}
