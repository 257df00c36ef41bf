//! The one earth model: the WGS84 ellipsoid, linearised around a point.
//!
//! Every tolerance in metres, every distance to a feature and every area is measured in a local
//! frame whose scales are the ellipsoid's metres per degree at the frame's latitude. Over the
//! extents measured (a parcel, a footprint, a tolerance of a few metres) this is within 10⁻⁵ of the
//! true ground measure, closer than Lambert-93 itself, whose scale error reaches 10⁻³.

use geo::{Coord, Point, Rect};

use super::expand;

/// Metres per degree of latitude and of longitude on the WGS84 ellipsoid at latitude `lat`
/// (degrees), as `(ky, kx)`.
///
/// The flattening matters at the tolerances used: a mean sphere of 111,320 m per degree is off by
/// 0.1 % north–south and 0.2 % east–west across France.
///
/// ```
/// let (ky, kx) = urbaclic::geometry::metres_per_degree(45.0);
/// assert!((ky - 111_132.0).abs() < 5.0 && (kx - 78_847.0).abs() < 5.0);
/// ```
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let p = lat.to_radians();
    let ky = 111_132.954 - 559.822 * (2.0 * p).cos() + 1.175 * (4.0 * p).cos();
    let kx = 111_412.84 * p.cos() - 93.5 * (3.0 * p).cos() + 0.118 * (5.0 * p).cos();
    (ky, kx)
}

/// East and north offsets in metres from an origin, at the ellipsoid's scales there.
///
/// One frame serves a whole footprint or a whole tolerance test, so the scales are computed once
/// and every coordinate costs two multiplications.
///
/// ```
/// use geo::coord;
/// use urbaclic::geometry::LocalFrame;
/// let frame = LocalFrame::at(coord! { x: 2.35, y: 48.85 });
/// // 0.001° north of the origin is about 111.2 m.
/// let m = frame.to_metres(coord! { x: 2.35, y: 48.851 });
/// assert!(m.x.abs() < 1e-9 && (m.y - 111.2).abs() < 0.1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LocalFrame {
    origin: Coord<f64>,
    ky: f64,
    kx: f64,
}

impl LocalFrame {
    /// The frame centred on `origin` (WGS84 degrees).
    pub fn at(origin: Coord<f64>) -> LocalFrame {
        let (ky, kx) = metres_per_degree(origin.y);
        LocalFrame { origin, ky, kx }
    }

    /// `c` in metres east and north of the origin.
    pub fn to_metres(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.origin.x) * self.kx,
            y: (c.y - self.origin.y) * self.ky,
        }
    }

    /// Square metres per square degree: areas are computed in degrees, then scaled once.
    ///
    /// ```
    /// use geo::coord;
    /// use urbaclic::geometry::LocalFrame;
    /// let frame = LocalFrame::at(coord! { x: 5.0, y: 45.0 });
    /// // A 0.001° × 0.001° square at 45°N: 111.13 m × 78.85 m.
    /// assert!((1e-6 * frame.square_metres_per_square_degree() - 8762.0).abs() < 1.0);
    /// ```
    pub fn square_metres_per_square_degree(&self) -> f64 {
        self.kx * self.ky
    }

    /// `rect` grown by `metres` on every side: the box within which anything closer than `metres`
    /// must lie, for an envelope search before the exact test.
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use urbaclic::geometry::LocalFrame;
    /// let frame = LocalFrame::at(coord! { x: 5.0, y: 45.0 });
    /// let r = frame.grow(Rect::new(coord! { x: 5.0, y: 45.0 }, coord! { x: 5.001, y: 45.001 }), 111.132);
    /// assert!((r.min().y - 44.999).abs() < 1e-7 && (r.max().y - 45.002).abs() < 1e-7);
    /// ```
    pub fn grow(&self, rect: Rect<f64>, metres: f64) -> Rect<f64> {
        // Near the poles a degree of longitude shrinks to nothing: cap the box at a hundred times
        // its height rather than divide by zero.
        let kx = self.kx.max(0.01 * self.ky);
        expand(rect, metres / kx, metres / self.ky)
    }
}

/// A rectangle `metres` around `p`, in the frame at `p`.
///
/// ```
/// use geo::Point;
/// let w = urbaclic::geometry::window(Point::new(2.35, 48.85), 5.0);
/// // 5 m is about 4.5e-5° of latitude and 6.8e-5° of longitude in Paris.
/// assert!((w.height() - 2.0 * 4.496e-5).abs() < 1e-8);
/// assert!((w.width() - 2.0 * 6.813e-5).abs() < 1e-8);
/// ```
pub fn window(p: Point<f64>, metres: f64) -> Rect<f64> {
    LocalFrame::at(p.0).grow(Rect::new(p.0, p.0), metres)
}
