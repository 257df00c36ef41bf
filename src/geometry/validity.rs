//! OGC validity of a (multi)polygon, as a spatial database checks it (`ST_IsValid`): simple rings,
//! rings that do not cross, holes inside their shell and apart from each other, parts that neither
//! overlap nor share an edge.
//!
//! An invalid footprint gets wrong figures rather than an error from the area algorithms (a bowtie's
//! lobes cancel out, a repeated part counts twice), so the API refuses one and says what is wrong.
//!
//! Cost: edges are paired through an R-tree of their boxes, so a footprint of `n` edges costs about
//! `n log n` unless its edges really do crowd each other; containment then tests one vertex per
//! ring or part against the other's boundary, which is valid once no two edges cross.

use std::fmt;

use geo::coordinate_position::CoordPos;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{BoundingRect, Coord, CoordinatePosition, Intersects, Line, LineString, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

/// A ring of a footprint: `part` and `ring` count from 0; ring 0 is the shell, ring `h` hole `h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingRef {
    /// The part (polygon) of the footprint, from 0.
    pub part: usize,
    /// The ring of that part: 0 the shell, `h` hole `h`.
    pub ring: usize,
}

impl fmt::Display for RingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ring {
            0 => write!(f, "l'anneau extérieur de la partie {}", self.part + 1),
            h => write!(f, "le trou {h} de la partie {}", self.part + 1),
        }
    }
}

/// Why a (multi)polygon is not valid. Messages are in French, for the API's answers; places are
/// given as (longitude, latitude) so that a user can find them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalidity {
    /// A ring whose last point is not its first.
    #[error("{0} n'est pas fermé : son dernier point doit répéter le premier")]
    OpenRing(RingRef),
    /// A ring of fewer than 3 distinct points.
    #[error("{0} a moins de 3 points distincts")]
    TooFewPoints(RingRef),
    /// A ring that crosses or touches itself.
    #[error("{ring} se recoupe ou revient sur lui-même près de ({}, {})", at.x, at.y)]
    SelfIntersection {
        /// The ring.
        ring: RingRef,
        /// Where, in WGS84.
        at: Coord<f64>,
    },
    /// Two rings that cross or share an edge.
    #[error("{a} et {b} se croisent ou se touchent le long d'un côté près de ({}, {})", at.x, at.y)]
    RingsCross {
        /// One ring.
        a: RingRef,
        /// The other.
        b: RingRef,
        /// Where, in WGS84.
        at: Coord<f64>,
    },
    /// A hole not inside its part's shell.
    #[error("le trou {hole} de la partie {} n'est pas à l'intérieur de son anneau extérieur", part + 1)]
    HoleOutsideShell {
        /// The part, from 0.
        part: usize,
        /// The hole, from 1.
        hole: usize,
    },
    /// Two holes of a part that overlap.
    #[error("les trous {a} et {b} de la partie {} se chevauchent", part + 1)]
    HolesOverlap {
        /// The part, from 0.
        part: usize,
        /// One hole, from 1.
        a: usize,
        /// The other.
        b: usize,
    },
    /// The same part twice.
    #[error("les parties {} et {} sont identiques", a + 1, b + 1)]
    DuplicatePart {
        /// One part, from 0.
        a: usize,
        /// The other.
        b: usize,
    },
    /// Two parts that overlap (a MultiPolygon's parts may only touch at points).
    #[error("les parties {} et {} se chevauchent : réunissez-les en un seul polygone", a + 1, b + 1)]
    PartsOverlap {
        /// One part, from 0.
        a: usize,
        /// The other.
        b: usize,
    },
}

/// The first validity problem of `parts` (the polygons of a multipolygon), if any.
///
/// ```
/// use geo::polygon;
/// use urbaclic::geometry::{first_invalidity, Invalidity};
/// let square = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
/// assert_eq!(first_invalidity(&[square.clone()]), None);
/// let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
/// assert!(matches!(first_invalidity(&[bowtie]), Some(Invalidity::SelfIntersection { .. })));
/// assert_eq!(first_invalidity(&[square.clone(), square]), Some(Invalidity::DuplicatePart { a: 0, b: 1 }));
/// ```
pub fn first_invalidity(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    too_few_points(parts)
        .or_else(|| duplicate_parts(parts))
        .or_else(|| crossing_edges(parts))
        .or_else(|| holes_misplaced(parts))
        .or_else(|| overlapping_parts(parts))
}

fn rings(p: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(p.exterior()).chain(p.interiors())
}

fn too_few_points(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    parts.iter().enumerate().find_map(|(part, p)| {
        rings(p).enumerate().find_map(|(ring, r)| {
            let mut distinct: Vec<Coord<f64>> = r.0.clone();
            distinct.dedup();
            // A closed ring repeats its first point last.
            (distinct.len() < 4).then_some(Invalidity::TooFewPoints(RingRef { part, ring }))
        })
    })
}

fn duplicate_parts(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    let keys: Vec<Vec<(u64, u64)>> = parts
        .iter()
        .map(|p| {
            let mut k: Vec<_> = p
                .exterior()
                .0
                .iter()
                .map(|c| (c.x.to_bits(), c.y.to_bits()))
                .collect();
            k.sort_unstable();
            k.dedup();
            k
        })
        .collect();
    (0..parts.len()).find_map(|a| {
        (a + 1..parts.len())
            .find(|&b| keys[a] == keys[b])
            .map(|b| Invalidity::DuplicatePart { a, b })
    })
}

/// One edge: its ring, its index in the ring and the ring's edge count (to tell neighbours).
type Edge = GeomWithData<Rectangle<[f64; 2]>, (RingRef, usize, usize, Line<f64>)>;

fn crossing_edges(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    let mut edges: Vec<Edge> = Vec::new();
    for (part, p) in parts.iter().enumerate() {
        for (ring, r) in rings(p).enumerate() {
            let mut coords = r.0.clone();
            coords.dedup();
            let n = coords.len().saturating_sub(1);
            for (i, w) in coords.windows(2).enumerate() {
                let line = Line::new(w[0], w[1]);
                let rect = Rectangle::from_corners([w[0].x, w[0].y], [w[1].x, w[1].y]);
                edges.push(GeomWithData::new(
                    rect,
                    (RingRef { part, ring }, i, n, line),
                ));
            }
        }
    }
    let tree = RTree::bulk_load(edges);
    tree.intersection_candidates_with_other_tree(&tree)
        .filter(|(e, f)| {
            (e.data.0.part, e.data.0.ring, e.data.1) < (f.data.0.part, f.data.0.ring, f.data.1)
        })
        .find_map(|(e, f)| edge_pair_problem(&e.data, &f.data))
}

fn edge_pair_problem(
    &(ra, i, n, a): &(RingRef, usize, usize, Line<f64>),
    &(rb, j, _, b): &(RingRef, usize, usize, Line<f64>),
) -> Option<Invalidity> {
    let meeting = line_intersection(a, b)?;
    let at = match meeting {
        LineIntersection::SinglePoint { intersection, .. } => intersection,
        LineIntersection::Collinear { intersection } => intersection.start,
    };
    let collinear = matches!(meeting, LineIntersection::Collinear { intersection } if intersection.start != intersection.end);
    if ra == rb {
        // Consecutive edges share their common vertex; anything more (folding back on each other)
        // is a spike. Any other contact makes the ring non-simple.
        let neighbours = j == i + 1 || (i == 0 && j + 1 == n);
        if neighbours && !collinear {
            return None;
        }
        return Some(Invalidity::SelfIntersection { ring: ra, at });
    }
    // Distinct rings may touch at a point, not cross nor share a stretch of boundary.
    (meeting.is_proper() || collinear).then_some(Invalidity::RingsCross { a: ra, b: rb, at })
}

/// Where the boundary of `ring` lies relative to `area`: once no edges cross, the first vertex not
/// on the area's boundary tells for the whole ring.
fn ring_position(ring: &LineString<f64>, area: &Polygon<f64>) -> CoordPos {
    ring.0
        .iter()
        .map(|c| area.coordinate_position(c))
        .find(|&pos| pos != CoordPos::OnBoundary)
        .unwrap_or(CoordPos::OnBoundary)
}

fn holes_misplaced(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    parts.iter().enumerate().find_map(|(part, p)| {
        let shell = Polygon::new(p.exterior().clone(), vec![]);
        let holes: Vec<Polygon<f64>> = p
            .interiors()
            .iter()
            .map(|h| Polygon::new(h.clone(), vec![]))
            .collect();
        for (h, hole) in holes.iter().enumerate() {
            if ring_position(hole.exterior(), &shell) == CoordPos::Outside {
                return Some(Invalidity::HoleOutsideShell { part, hole: h + 1 });
            }
            for (k, other) in holes.iter().enumerate().skip(h + 1) {
                if boxes_meet(hole, other)
                    && (ring_position(hole.exterior(), other) == CoordPos::Inside
                        || ring_position(other.exterior(), hole) == CoordPos::Inside)
                {
                    return Some(Invalidity::HolesOverlap {
                        part,
                        a: h + 1,
                        b: k + 1,
                    });
                }
            }
        }
        None
    })
}

fn overlapping_parts(parts: &[Polygon<f64>]) -> Option<Invalidity> {
    (0..parts.len()).find_map(|a| {
        (a + 1..parts.len()).find_map(|b| {
            let (p, q) = (&parts[a], &parts[b]);
            (boxes_meet(p, q)
                && (ring_position(p.exterior(), q) == CoordPos::Inside
                    || ring_position(q.exterior(), p) == CoordPos::Inside))
                .then_some(Invalidity::PartsOverlap { a, b })
        })
    })
}

fn boxes_meet(p: &Polygon<f64>, q: &Polygon<f64>) -> bool {
    match (p.bounding_rect(), q.bounding_rect()) {
        (Some(a), Some(b)) => a.intersects(&b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, side: f64) -> LineString<f64> {
        LineString::from(vec![
            (x, y),
            (x + side, y),
            (x + side, y + side),
            (x, y + side),
            (x, y),
        ])
    }

    #[test]
    fn valid_shapes_pass() {
        let with_hole = Polygon::new(square(0.0, 0.0, 4.0), vec![square(1.0, 1.0, 1.0)]);
        let island_in_hole = Polygon::new(square(1.2, 1.2, 0.5), vec![]);
        let touching_corner = Polygon::new(square(4.0, 4.0, 1.0), vec![]);
        assert_eq!(
            first_invalidity(&[with_hole, island_in_hole, touching_corner]),
            None
        );
    }

    #[test]
    fn each_problem_is_named() {
        let p = |r: LineString<f64>| Polygon::new(r, vec![]);
        let hole_outside = Polygon::new(square(0.0, 0.0, 1.0), vec![square(5.0, 5.0, 1.0)]);
        assert_eq!(
            first_invalidity(&[hole_outside]),
            Some(Invalidity::HoleOutsideShell { part: 0, hole: 1 })
        );
        let nested = Polygon::new(
            square(0.0, 0.0, 4.0),
            vec![square(1.0, 1.0, 2.0), square(1.5, 1.5, 0.5)],
        );
        assert_eq!(
            first_invalidity(&[nested]),
            Some(Invalidity::HolesOverlap {
                part: 0,
                a: 1,
                b: 2
            })
        );
        let overlap = [p(square(0.0, 0.0, 2.0)), p(square(1.0, 1.0, 2.0))];
        assert!(matches!(
            first_invalidity(&overlap),
            Some(Invalidity::RingsCross { .. })
        ));
        let inside = [p(square(0.0, 0.0, 4.0)), p(square(1.0, 1.0, 1.0))];
        assert_eq!(
            first_invalidity(&inside),
            Some(Invalidity::PartsOverlap { a: 0, b: 1 })
        );
        let shared_edge = [p(square(0.0, 0.0, 1.0)), p(square(1.0, 0.0, 1.0))];
        assert!(matches!(
            first_invalidity(&shared_edge),
            Some(Invalidity::RingsCross { .. })
        ));
        let spike = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 3.0), (x: 2.0, y: 1.0), (x: 0.0, y: 2.0)];
        assert!(matches!(
            first_invalidity(&[spike]),
            Some(Invalidity::SelfIntersection { .. })
        ));
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0)];
        assert!(matches!(
            first_invalidity(&[flat]),
            Some(Invalidity::TooFewPoints(_))
        ));
    }
}
