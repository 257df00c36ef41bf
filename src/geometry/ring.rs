//! Ring orientation and area, by the shoelace formula (Green's theorem on straight edges).

use geo::{Coord, LineString, Vector2DOps};

/// Twice the signed area of triangle `o, a, b`: the shoelace term of edge `a → b` seen from `o`.
/// Summed over a closed boundary it gives twice the area enclosed, whatever `o`; summed over the
/// pieces of a boundary it gives the area they enclose (see [`super::intersection_area`]).
///
/// ```
/// use geo::coord;
/// let o = coord! { x: 0.0, y: 0.0 };
/// let term = urbaclic::geometry::shoelace_term(o, coord! { x: 1.0, y: 0.0 }, coord! { x: 0.0, y: 1.0 });
/// assert_eq!(term, 1.0);
/// ```
pub fn shoelace_term(o: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a - o).wedge_product(b - o)
}

/// Signed area of closed oriented edges, positive when they turn counter-clockwise.
///
/// Measured from the first vertex rather than from (0, 0): around (2°, 48°) each term taken from the
/// origin is about 100 square degrees while a parcel is 10⁻⁸, and the cancellation would eat most
/// of the digits.
///
/// ```
/// use geo::coord;
/// let c = |x, y| coord! { x: x, y: y };
/// let ccw = [[c(0.0, 0.0), c(2.0, 0.0)], [c(2.0, 0.0), c(2.0, 1.0)], [c(2.0, 1.0), c(0.0, 0.0)]];
/// assert_eq!(urbaclic::geometry::signed_area(&ccw), 1.0);
/// ```
pub fn signed_area(edges: &[[Coord<f64>; 2]]) -> f64 {
    let Some(&[o, _]) = edges.first() else {
        return 0.0;
    };
    edges
        .iter()
        .map(|&[a, b]| shoelace_term(o, a, b))
        .sum::<f64>()
        / 2.0
}

/// The edges of a ring, closed if it is not, oriented the mathematical way: counter-clockwise for
/// an exterior, clockwise for a hole. Sources wind their rings either way (shapefiles clockwise,
/// GeoJSON counter-clockwise); oriented, the boundary integrals of every ring add up to the area,
/// holes subtracted.
///
/// ```
/// use geo::line_string;
/// use urbaclic::geometry::{oriented_edges, signed_area};
/// // Clockwise and not closed.
/// let ring = line_string![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)];
/// assert_eq!(signed_area(&oriented_edges(&ring, true)), 1.0);
/// assert_eq!(signed_area(&oriented_edges(&ring, false)), -1.0);
/// ```
pub fn oriented_edges(ring: &LineString<f64>, exterior: bool) -> Vec<[Coord<f64>; 2]> {
    let mut edges: Vec<[Coord<f64>; 2]> = ring.0.windows(2).map(|w| [w[0], w[1]]).collect();
    if let (Some(first), Some(last)) = (ring.0.first(), ring.0.last()) {
        if first != last {
            edges.push([*last, *first]);
        }
    }
    if (signed_area(&edges) > 0.0) != exterior {
        edges.reverse();
        for e in &mut edges {
            e.swap(0, 1);
        }
    }
    edges
}
