//! Exact area of the intersection of two polygons: the clipping behind every overlap share.

use geo::{Coord, Rect, Vector2DOps};

use super::{expand, point_segment_distance, segment_meets, shoelace_term, PreparedArea};

/// Coordinates closer than this (in the data's units, degrees here: about 0.1 mm) are the same.
const EPS: f64 = 1e-9;

/// Parameters along `ab` (0 and 1 included) where it meets any of `others`, sorted and deduplicated.
fn split_params(a: Coord<f64>, b: Coord<f64>, others: &[[Coord<f64>; 2]]) -> Vec<f64> {
    let r = b - a;
    let rr = r.magnitude_squared();
    let mut ts = vec![0.0, 1.0];
    if rr == 0.0 {
        return ts;
    }
    let len = rr.sqrt();
    let tol_t = EPS / len;
    for &[c, d] in others {
        let s = d - c;
        let denom = r.wedge_product(s);
        let qp = c - a;
        let slen = s.magnitude();
        if denom.abs() > 1e-12 * len * slen {
            let t = qp.wedge_product(s) / denom;
            let u = qp.wedge_product(r) / denom;
            let tol_u = if slen > 0.0 { EPS / slen } else { 0.0 };
            if t > -tol_t && t < 1.0 + tol_t && u > -tol_u && u < 1.0 + tol_u {
                ts.push(t.clamp(0.0, 1.0));
            }
        } else if qp.wedge_product(r).abs() / len < EPS {
            // Collinear: the overlap's ends split the edge.
            for p in [c, d] {
                let t = (p - a).dot_product(r) / rr;
                if (0.0..=1.0).contains(&t) {
                    ts.push(t);
                }
            }
        }
    }
    ts.sort_by(f64::total_cmp);
    ts.dedup_by(|x, y| (*x - *y).abs() <= tol_t);
    ts
}

/// The box of segment `ab`, widened by the coincidence tolerance.
fn segment_rect(a: Coord<f64>, b: Coord<f64>) -> Rect<f64> {
    expand(Rect::new(a, b), EPS, EPS)
}

/// Area of `p ∩ z` (in squared coordinate units), without building the intersection polygon.
///
/// By Green's theorem the area of `P ∩ Z` is the shoelace sum over its boundary, and that boundary
/// is made of the pieces of `∂P` inside `Z` and the pieces of `∂Z` inside `P`. Only the edges of `Z`
/// near `P` are ever looked at (through the edge R-tree of [`PreparedArea`]), so a parcel against a
/// 16,000-vertex zone costs a few dozen edge tests, where a general polygon clipper would walk every
/// vertex. Boundaries that run along each other (a zone drawn on the parcel lines) are counted once,
/// from `P`'s side, when they bound the intersection on the same side.
///
/// `p` should therefore be the small one (a parcel, a footprint): all its edges are visited, while
/// only the edges of `z` within `p_rect` (the bounding box of `p`) are.
///
/// ```
/// use geo::{polygon, Geometry, Rect, coord};
/// use urbaclic::geometry::{intersection_area, PreparedArea};
/// let square = |x0: f64, y0: f64, s: f64| PreparedArea::new(&Geometry::Polygon(polygon![
///     (x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]));
/// let p = square(0.0, 0.0, 2.0);
/// let rect = Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 2.0, y: 2.0 });
/// // A 2×2 square overlapping a 10×10 square by a 1×2 strip.
/// let z = square(1.0, -4.0, 10.0);
/// assert!((intersection_area(&p, rect, &z) - 2.0).abs() < 1e-12);
/// ```
pub fn intersection_area(p: &PreparedArea, p_rect: Rect<f64>, z: &PreparedArea) -> f64 {
    let o = p_rect.min();
    let z_near = z.edges_in(expand(p_rect, EPS, EPS));
    // No edge of Z near P: P is wholly inside Z or wholly outside — the usual case, decided by one test.
    if z_near.is_empty() {
        return match p.edges().first() {
            Some(&[a, _]) if z.contains(a.into()) => p.area(),
            _ => 0.0,
        };
    }
    let mut twice = 0.0;
    // Pieces of ∂P inside Z (or along ∂Z, bounding the same side).
    let mut near = Vec::with_capacity(z_near.len());
    for &[a, b] in p.edges() {
        // Z's edges near P were fetched once; each edge of P only needs those near itself.
        let rect = segment_rect(a, b);
        near.clear();
        near.extend(z_near.iter().filter(|[c, d]| segment_meets(&rect, *c, *d)));
        let ts = split_params(a, b, &near);
        let r = b - a;
        for w in ts.windows(2) {
            let (p0, p1) = (a + r * w[0], a + r * w[1]);
            let m = (p0 + p1) * 0.5;
            let along = near
                .iter()
                .find(|&&[c, d]| point_segment_distance(m, c, d) < EPS);
            let inside = match along {
                Some(&[c, d]) => (d - c).dot_product(r) > 0.0,
                None => z.contains(m.into()),
            };
            if inside {
                twice += shoelace_term(o, p0, p1);
            }
        }
    }
    // Pieces of ∂Z strictly inside P.
    let p_edges = p.edges();
    for &[c, d] in &z_near {
        let ts = split_params(c, d, p_edges);
        let s = d - c;
        for w in ts.windows(2) {
            let (p0, p1) = (c + s * w[0], c + s * w[1]);
            let m = (p0 + p1) * 0.5;
            let on_p = p_edges
                .iter()
                .any(|&[e, f]| point_segment_distance(m, e, f) < EPS);
            if !on_p && p.contains(m.into()) {
                twice += shoelace_term(o, p0, p1);
            }
        }
    }
    (twice / 2.0).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;
    use geo::{coord, polygon, BooleanOps, BoundingRect, Geometry, Polygon};

    fn prep(p: &Polygon<f64>) -> PreparedArea {
        PreparedArea::new(&Geometry::Polygon(p.clone()))
    }

    fn check_against_geo(p: Polygon<f64>, z: Polygon<f64>) {
        let expected = p.intersection(&z).unsigned_area();
        let rect = p.bounding_rect().unwrap();
        let got = intersection_area(&prep(&p), rect, &prep(&z));
        // geo's BooleanOps (i_overlay) snaps to an integer grid, so it is itself only good to ~1e-8.
        assert!(
            (got - expected).abs() <= 1e-6 * expected.max(1.0),
            "got {got}, geo's BooleanOps says {expected}"
        );
    }

    #[test]
    fn contained_disjoint_and_straddling() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 3.0), (x: 0.0, y: 3.0)];
        check_against_geo(
            p.clone(),
            polygon![(x: -1.0, y: -1.0), (x: 9.0, y: -1.0), (x: 9.0, y: 9.0), (x: -1.0, y: 9.0)],
        );
        check_against_geo(
            p.clone(),
            polygon![(x: 10.0, y: 10.0), (x: 11.0, y: 10.0), (x: 11.0, y: 11.0)],
        );
        check_against_geo(
            p.clone(),
            polygon![(x: 2.0, y: -5.0), (x: 9.0, y: -5.0), (x: 9.0, y: 9.0), (x: 3.0, y: 9.0)],
        );
        // Z inside P.
        check_against_geo(
            p,
            polygon![(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0)],
        );
    }

    #[test]
    fn shared_boundaries_count_once() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
        // Same left half: shares three edges with P.
        let half = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 4.0), (x: 0.0, y: 4.0)];
        let got = intersection_area(&prep(&p), p.bounding_rect().unwrap(), &prep(&half));
        assert!((got - 8.0).abs() < 1e-12, "{got}");
        // Identical polygons.
        let got = intersection_area(&prep(&p), p.bounding_rect().unwrap(), &prep(&p));
        assert!((got - 16.0).abs() < 1e-12, "{got}");
        // Neighbour touching along an edge: no area.
        let right =
            polygon![(x: 4.0, y: 0.0), (x: 8.0, y: 0.0), (x: 8.0, y: 4.0), (x: 4.0, y: 4.0)];
        let got = intersection_area(&prep(&p), p.bounding_rect().unwrap(), &prep(&right));
        assert!(got.abs() < 1e-12, "{got}");
    }

    #[test]
    fn holes_and_clockwise_input() {
        // Clockwise exterior (as in shapefiles) with a hole.
        let z = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.0, y: 10.0), (x: 10.0, y: 10.0), (x: 10.0, y: 0.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 2.0, y: 4.0)]],
        );
        let p = polygon![(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)];
        check_against_geo(p, z);
    }

    #[test]
    fn many_random_triangles_match_geo() {
        // Deterministic pseudo-random triangles against a star-shaped many-vertex polygon, so both the
        // edge-tree path and general-position crossings are exercised.
        let n = 400;
        let star: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = if i % 2 == 0 { 10.0 } else { 6.0 };
                coord! { x: r * a.cos(), y: r * a.sin() }
            })
            .collect();
        let z = Polygon::new(star.into(), vec![]);
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) * 24.0 - 12.0
        };
        for _ in 0..200 {
            let p = polygon![(x: rnd(), y: rnd()), (x: rnd(), y: rnd()), (x: rnd(), y: rnd())];
            if p.unsigned_area() < 1e-3 {
                continue;
            }
            check_against_geo(p, z.clone());
        }
    }
}
