//! Axis-aligned boxes: the cheap filter in front of every exact test, in `geo` and `rstar` forms.

use geo::{Coord, Rect};
use rstar::AABB;

/// `rect` grown by `dx` and `dy` (in its own units) on each side.
///
/// ```
/// use geo::{coord, Rect};
/// let r = urbaclic::geometry::expand(Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 1.0, y: 1.0 }), 0.5, 2.0);
/// assert_eq!((r.min(), r.max()), (coord! { x: -0.5, y: -2.0 }, coord! { x: 1.5, y: 3.0 }));
/// ```
pub fn expand(rect: Rect<f64>, dx: f64, dy: f64) -> Rect<f64> {
    Rect::new(
        Coord {
            x: rect.min().x - dx,
            y: rect.min().y - dy,
        },
        Coord {
            x: rect.max().x + dx,
            y: rect.max().y + dy,
        },
    )
}

/// Whether the bounding box of segment `ab` meets `rect`: only such segments can come closer to a
/// point of `rect` than the margin it was grown by, so only they are measured.
///
/// ```
/// use geo::{coord, Rect};
/// use urbaclic::geometry::segment_meets;
/// let r = Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 1.0, y: 1.0 });
/// assert!(segment_meets(&r, coord! { x: -1.0, y: 0.5 }, coord! { x: 2.0, y: 0.5 }));
/// assert!(!segment_meets(&r, coord! { x: 2.0, y: 0.0 }, coord! { x: 3.0, y: 1.0 }));
/// ```
pub fn segment_meets(rect: &Rect<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.max(b.x) >= rect.min().x
        && a.x.min(b.x) <= rect.max().x
        && a.y.max(b.y) >= rect.min().y
        && a.y.min(b.y) <= rect.max().y
}

/// `rect` as an `rstar` envelope, to query an R-tree with.
///
/// ```
/// use geo::{coord, Rect};
/// let e = urbaclic::geometry::aabb(Rect::new(coord! { x: 1.0, y: 2.0 }, coord! { x: 3.0, y: 4.0 }));
/// assert_eq!((e.lower(), e.upper()), ([1.0, 2.0], [3.0, 4.0]));
/// ```
pub fn aabb(rect: Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y])
}
