//! Polygons prepared once for many point-in-polygon tests and boundary queries.
//!
//! A polygon's edges go into an R-tree of their own when it is large, so that testing a point in a
//! 16,000-vertex zone only looks at the few edges that cross the test ray instead of all of them.

use geo::{Coord, Geometry, Point, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use super::{aabb, oriented_edges, polygons_of, segment_meets, signed_area};

/// Above this many edges a polygon (or a line) gets an R-tree of its edges: below it, scanning them
/// all is faster than walking a tree.
pub const EDGE_INDEX_THRESHOLD: usize = 64;

/// A polygonal area prepared for fast point-in-polygon tests (even–odd rule over all rings) and for
/// the boundary integrals of [`super::intersection_area`].
///
/// ```
/// use geo::{polygon, Geometry, Point};
/// use urbaclic::geometry::PreparedArea;
/// let square = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
/// let area = PreparedArea::new(&Geometry::Polygon(square));
/// assert!(area.contains(Point::new(1.0, 1.0)));
/// assert!(!area.contains(Point::new(3.0, 1.0)));
/// assert_eq!(area.area(), 4.0);
/// ```
#[derive(Debug, Clone)]
pub struct PreparedArea {
    edges: Vec<[Coord<f64>; 2]>,
    edge_tree: Option<RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>>,
}

impl PreparedArea {
    /// Prepares the rings of every polygon in `geometry` (non-polygonal parts are ignored).
    pub fn new(geometry: &Geometry<f64>) -> PreparedArea {
        let mut edges = Vec::new();
        for polygon in polygons_of(geometry) {
            edges.extend(oriented_edges(polygon.exterior(), true));
            for ring in polygon.interiors() {
                edges.extend(oriented_edges(ring, false));
            }
        }
        let edge_tree = (edges.len() > EDGE_INDEX_THRESHOLD).then(|| {
            RTree::bulk_load(
                edges
                    .iter()
                    .enumerate()
                    .map(|(i, [a, b])| {
                        GeomWithData::new(Rectangle::from_corners([a.x, a.y], [b.x, b.y]), i as u32)
                    })
                    .collect(),
            )
        });
        PreparedArea { edges, edge_tree }
    }

    /// Whether `p` lies inside (boundary points may go either way, as in any ray-casting test).
    pub fn contains(&self, p: Point<f64>) -> bool {
        let (x, y) = (p.x(), p.y());
        let Some(tree) = &self.edge_tree else {
            return crossings_east(self.edges.iter().copied(), x, y);
        };
        // Cast the ray towards the nearest side of the polygon's box: on a large polygon it then
        // meets a handful of edges instead of hundreds.
        let env = tree.root().envelope();
        let (lo, hi) = (env.lower(), env.upper());
        let sides = [hi[0] - x, x - lo[0], hi[1] - y, y - lo[1]];
        let nearest = (0..4)
            .min_by(|&a, &b| sides[a].total_cmp(&sides[b]))
            .unwrap_or(0);
        let ray = match nearest {
            0 => AABB::from_corners([x, y], [f64::INFINITY, y]),
            1 => AABB::from_corners([f64::NEG_INFINITY, y], [x, y]),
            2 => AABB::from_corners([x, y], [x, f64::INFINITY]),
            _ => AABB::from_corners([x, f64::NEG_INFINITY], [x, y]),
        };
        let edges = tree
            .locate_in_envelope_intersecting(&ray)
            .map(|e| &self.edges[e.data as usize]);
        // Every direction reduces to "east" by a reflection or a transposition of coordinates.
        let flip = |c: &Coord<f64>| match nearest {
            0 => *c,
            1 => Coord { x: -c.x, y: c.y },
            2 => Coord { x: c.y, y: c.x },
            _ => Coord { x: -c.y, y: c.x },
        };
        let q = flip(&Coord { x, y });
        crossings_east(edges.map(|[a, b]| [flip(a), flip(b)]), q.x, q.y)
    }

    /// Area enclosed, in squared coordinate units (holes subtracted).
    pub fn area(&self) -> f64 {
        signed_area(&self.edges)
    }

    /// Number of edges (for memory reports).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every oriented edge (exterior rings counter-clockwise, holes clockwise).
    pub fn edges(&self) -> &[[Coord<f64>; 2]] {
        &self.edges
    }

    /// The oriented edges whose bounding box meets `rect`, through the edge R-tree when there is one.
    ///
    /// ```
    /// use geo::{coord, polygon, Geometry, Rect};
    /// use urbaclic::geometry::PreparedArea;
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
    /// let area = PreparedArea::new(&Geometry::Polygon(square));
    /// // The lower-left corner meets the bottom and the left edges.
    /// let near = area.edges_in(Rect::new(coord! { x: -0.1, y: -0.1 }, coord! { x: 0.1, y: 0.1 }));
    /// assert_eq!(near.len(), 2);
    /// ```
    pub fn edges_in(&self, rect: Rect<f64>) -> Vec<[Coord<f64>; 2]> {
        match &self.edge_tree {
            Some(tree) => tree
                .locate_in_envelope_intersecting(&aabb(rect))
                .map(|e| self.edges[e.data as usize])
                .collect(),
            None => self
                .edges
                .iter()
                .filter(|[a, b]| segment_meets(&rect, *a, *b))
                .copied()
                .collect(),
        }
    }
}

/// Even–odd ray casting towards +x; the half-open rule on y counts a vertex on the ray once.
fn crossings_east(edges: impl Iterator<Item = [Coord<f64>; 2]>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for [a, b] in edges {
        if (a.y > y) != (b.y > y) {
            let cross_x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
            if cross_x > x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, LineString, Polygon};

    /// A many-sided polygon (circle) so the edge R-tree path is taken; compared with geo's own test.
    #[test]
    fn big_polygon_matches_geo_contains() {
        use geo::Contains;
        let n = 5000;
        let ring: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                // A wobbly circle so that many edges are not trivially ordered.
                let r = 1.0 + 0.3 * (7.0 * a).sin();
                (r * a.cos(), r * a.sin())
            })
            .collect();
        let poly = Polygon::new(LineString::from(ring), vec![]);
        let area = PreparedArea::new(&Geometry::Polygon(poly.clone()));
        assert!(area.edge_tree.is_some());
        for i in 0..2000 {
            let p = Point::new(
                (i as f64 * 0.618).sin() * 1.4,
                (i as f64 * 0.331).cos() * 1.4,
            );
            assert_eq!(area.contains(p), poly.contains(&p), "at {p:?}");
        }
    }

    #[test]
    fn holes_are_outside() {
        let poly = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        );
        let area = PreparedArea::new(&Geometry::Polygon(poly));
        assert!(area.contains(Point::new(2.0, 2.0)));
        assert!(!area.contains(Point::new(5.0, 5.0)));
        assert_eq!(area.area(), 96.0);
    }
}
