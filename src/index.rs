//! Spatial index: one bulk-loaded `rstar` R-tree per layer, with exact tests after the envelope filter.
//!
//! Polygons are "prepared" once at load: their edges go into an R-tree of their own when they are
//! large, so a point-in-polygon test on a 16,000-vertex zone only looks at the few edges that cross
//! the test ray instead of all of them. Lines and points are matched within a tolerance in metres.

use geo::{BoundingRect, Coord, Geometry, LineString, Point, Polygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Above this many edges a polygon gets its own edge R-tree.
const EDGE_INDEX_THRESHOLD: usize = 64;

/// Metres per degree of latitude (mean), for tolerances expressed in metres.
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// Anything stored in a [`SpatialLayer`].
pub trait HasGeometry {
    fn geometry(&self) -> &Geometry<f64>;
}

/// A polygonal area prepared for fast point-in-polygon tests (even–odd rule over all rings).
#[derive(Debug, Clone)]
pub struct PreparedArea {
    edges: Vec<[Coord<f64>; 2]>,
    edge_tree: Option<RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>>,
}

impl PreparedArea {
    /// Prepares the rings of every polygon in `geometry` (non-polygonal parts are ignored).
    ///
    /// ```
    /// use geo::{polygon, Geometry, Point};
    /// use urbaclic::index::PreparedArea;
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
    /// let area = PreparedArea::new(&Geometry::Polygon(square));
    /// assert!(area.contains(Point::new(1.0, 1.0)));
    /// assert!(!area.contains(Point::new(3.0, 1.0)));
    /// ```
    pub fn new(geometry: &Geometry<f64>) -> PreparedArea {
        let mut edges = Vec::new();
        for polygon in polygons_of(geometry) {
            push_ring(polygon.exterior(), true, &mut edges);
            for ring in polygon.interiors() {
                push_ring(ring, false, &mut edges);
            }
        }
        let edge_tree = (edges.len() > EDGE_INDEX_THRESHOLD).then(|| {
            RTree::bulk_load(
                edges
                    .iter()
                    .enumerate()
                    .map(|(i, [a, b])| {
                        GeomWithData::new(
                            Rectangle::from_corners(
                                [a.x.min(b.x), a.y.min(b.y)],
                                [a.x.max(b.x), a.y.max(b.y)],
                            ),
                            i as u32,
                        )
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

    /// Number of edges (for memory reports).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every oriented edge (exterior rings counter-clockwise, holes clockwise).
    pub fn edges(&self) -> &[[Coord<f64>; 2]] {
        &self.edges
    }

    /// The oriented edges whose bounding box meets `rect`, through the edge R-tree when there is one.
    pub fn edges_in(&self, rect: Rect<f64>) -> Vec<[Coord<f64>; 2]> {
        let (min, max) = (rect.min(), rect.max());
        match &self.edge_tree {
            Some(tree) => tree
                .locate_in_envelope_intersecting(&AABB::from_corners(
                    [min.x, min.y],
                    [max.x, max.y],
                ))
                .map(|e| self.edges[e.data as usize])
                .collect(),
            None => self
                .edges
                .iter()
                .filter(|[a, b]| {
                    a.x.max(b.x) >= min.x
                        && a.x.min(b.x) <= max.x
                        && a.y.max(b.y) >= min.y
                        && a.y.min(b.y) <= max.y
                })
                .copied()
                .collect(),
        }
    }
}

/// Appends a ring's edges oriented the mathematical way — exterior counter-clockwise, holes
/// clockwise — so that boundary integrals over them ([`crate::analysis::area`]) give positive areas.
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

fn push_ring(ring: &LineString<f64>, exterior: bool, edges: &mut Vec<[Coord<f64>; 2]>) {
    let mut ring_edges: Vec<[Coord<f64>; 2]> = ring.0.windows(2).map(|w| [w[0], w[1]]).collect();
    // Rings that are not explicitly closed still bound an area.
    if let (Some(first), Some(last)) = (ring.0.first(), ring.0.last()) {
        if first != last {
            ring_edges.push([*last, *first]);
        }
    }
    let twice_area: f64 = ring_edges.iter().map(|[a, b]| a.x * b.y - b.x * a.y).sum();
    if (twice_area > 0.0) != exterior {
        ring_edges.reverse();
        for e in &mut ring_edges {
            e.swap(0, 1);
        }
    }
    edges.extend(ring_edges);
}

/// Every polygon in a geometry, flattening multi-polygons and collections.
pub fn polygons_of(geometry: &Geometry<f64>) -> Vec<&Polygon<f64>> {
    match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(polygons_of).collect(),
        _ => Vec::new(),
    }
}

/// Distance in metres from `p` to the nearest segment of a geometry (a polygon's boundary), using
/// a local equirectangular frame — exact to well under 1 % over the distances used (metres).
pub fn distance_m(p: Point<f64>, geometry: &Geometry<f64>) -> f64 {
    let mut best = f64::INFINITY;
    visit_segments(geometry, &mut |a, b| {
        best = best.min(segment_distance_m(p, a, b))
    });
    best
}

/// A rectangle `tolerance_m` metres around `p`.
pub fn window(p: Point<f64>, tolerance_m: f64) -> Rect<f64> {
    let dy = tolerance_m / METRES_PER_DEGREE;
    let dx = dy / p.y().to_radians().cos().max(0.01);
    Rect::new(
        Coord {
            x: p.x() - dx,
            y: p.y() - dy,
        },
        Coord {
            x: p.x() + dx,
            y: p.y() + dy,
        },
    )
}

fn meets(rect: &Rect<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.max(b.x) >= rect.min().x
        && a.x.min(b.x) <= rect.max().x
        && a.y.max(b.y) >= rect.min().y
        && a.y.min(b.y) <= rect.max().y
}

/// Distance in metres from `p` to segment `ab` (local equirectangular frame at `p`).
pub fn segment_distance_m(p: Point<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let kx = METRES_PER_DEGREE * p.y().to_radians().cos();
    let to_m = |c: Coord<f64>| Coord {
        x: (c.x - p.x()) * kx,
        y: (c.y - p.y()) * METRES_PER_DEGREE,
    };
    point_segment_distance(to_m(a), to_m(b))
}

/// The segments of a long line feature in an R-tree, so that a test near one spot of a line that
/// crosses a whole territory (thousands of vertices) looks at a few of them.
#[derive(Debug, Clone)]
pub struct SegmentIndex(RTree<Segment>);

/// A segment in an R-tree: its box, and its ends.
type Segment = GeomWithData<Rectangle<[f64; 2]>, [Coord<f64>; 2]>;

impl SegmentIndex {
    fn new(geometry: &Geometry<f64>) -> Option<SegmentIndex> {
        let mut segments = Vec::new();
        visit_segments(geometry, &mut |a, b| {
            segments.push(GeomWithData::new(
                Rectangle::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]),
                [a, b],
            ))
        });
        (segments.len() > EDGE_INDEX_THRESHOLD).then(|| SegmentIndex(RTree::bulk_load(segments)))
    }
}

/// How a feature is tested: a prepared polygon, an indexed long line, or its plain geometry.
#[derive(Debug, Clone)]
enum Shape {
    Area(PreparedArea),
    Lines(SegmentIndex),
    Plain,
}

/// Calls `f` on every segment of a geometry (a point is a zero-length segment).
pub fn visit_segments(geometry: &Geometry<f64>, f: &mut impl FnMut(Coord<f64>, Coord<f64>)) {
    match geometry {
        Geometry::Point(pt) => f(pt.0, pt.0),
        Geometry::MultiPoint(mp) => mp.0.iter().for_each(|pt| f(pt.0, pt.0)),
        Geometry::Line(l) => f(l.start, l.end),
        Geometry::LineString(ls) => ls.lines().for_each(|l| f(l.start, l.end)),
        Geometry::MultiLineString(mls) => mls
            .0
            .iter()
            .flat_map(|ls| ls.lines())
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

/// Distance from the origin to segment `ab`.
pub fn point_segment_distance(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.x * d.x + a.y * d.y) / len2).clamp(0.0, 1.0)
    };
    let c = a + d * t;
    c.x.hypot(c.y)
}

/// Whether a geometry is polygonal (tested by containment) or not (tested by distance).
pub fn is_areal(geometry: &Geometry<f64>) -> bool {
    matches!(
        geometry,
        Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_)
    ) || matches!(geometry, Geometry::GeometryCollection(gc) if gc.0.iter().any(is_areal))
}

/// A layer of features with its R-tree over feature envelopes.
#[derive(Debug, Clone)]
pub struct SpatialLayer<T> {
    features: Vec<T>,
    shapes: Vec<Shape>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl<T> Default for SpatialLayer<T> {
    fn default() -> Self {
        SpatialLayer {
            features: Vec::new(),
            shapes: Vec::new(),
            tree: RTree::new(),
        }
    }
}

impl<T: HasGeometry> SpatialLayer<T> {
    /// Bulk-loads the R-tree; features without a bounding box (empty geometries) are kept but never hit.
    pub fn new(features: Vec<T>) -> SpatialLayer<T> {
        let shapes = features
            .iter()
            .map(|f| {
                let g = f.geometry();
                if is_areal(g) {
                    Shape::Area(PreparedArea::new(g))
                } else {
                    SegmentIndex::new(g).map_or(Shape::Plain, Shape::Lines)
                }
            })
            .collect();
        let entries = features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.geometry().bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        SpatialLayer {
            features,
            shapes,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Features at `p`: polygons containing it, lines and points within `tolerance_m` metres.
    pub fn at(&self, p: Point<f64>, tolerance_m: f64) -> impl Iterator<Item = (usize, &T)> + '_ {
        let rect = window(p, tolerance_m);
        self.in_rect(rect)
            .filter(move |&(i, _)| match &self.shapes[i] {
                Shape::Area(area) => area.contains(p),
                _ => self
                    .any_segment_near(i, rect, |a, b| segment_distance_m(p, a, b) <= tolerance_m),
            })
    }

    /// Whether `test` holds for a segment of (non-polygonal) feature `i` meeting `rect`; only the
    /// segments whose box meets `rect` are tested.
    pub fn any_segment_near(
        &self,
        i: usize,
        rect: Rect<f64>,
        mut test: impl FnMut(Coord<f64>, Coord<f64>) -> bool,
    ) -> bool {
        match &self.shapes[i] {
            Shape::Lines(index) => index
                .0
                .locate_in_envelope_intersecting(&AABB::from_corners(
                    [rect.min().x, rect.min().y],
                    [rect.max().x, rect.max().y],
                ))
                .any(|s| test(s.data[0], s.data[1])),
            _ => {
                let mut hit = false;
                visit_segments(self.features[i].geometry(), &mut |a, b| {
                    if !hit && meets(&rect, a, b) {
                        hit = test(a, b);
                    }
                });
                hit
            }
        }
    }

    /// Features whose envelope intersects `rect` (no exact test).
    pub fn in_rect(&self, rect: Rect<f64>) -> impl Iterator<Item = (usize, &T)> + '_ {
        let envelope =
            AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data as usize)
            .map(|i| (i, &self.features[i]))
    }

    /// Features whose envelope lies within `max_m` metres of `p`, nearest envelope first.
    pub fn near(&self, p: Point<f64>, max_m: f64) -> Vec<(usize, &T)> {
        self.in_rect(window(p, max_m)).collect()
    }

    /// All features, in load order.
    pub fn features(&self) -> &[T] {
        &self.features
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.features.get(i)
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The prepared polygon of feature `i`, if it is areal.
    pub fn prepared(&self, i: usize) -> Option<&PreparedArea> {
        match self.shapes.get(i)? {
            Shape::Area(a) => Some(a),
            _ => None,
        }
    }

    /// Total number of polygon edges prepared, a proxy for memory use.
    pub fn edge_count(&self) -> usize {
        self.shapes
            .iter()
            .map(|s| match s {
                Shape::Area(a) => a.edge_count(),
                _ => 0,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    struct F(Geometry<f64>);
    impl HasGeometry for F {
        fn geometry(&self) -> &Geometry<f64> {
            &self.0
        }
    }

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
    }

    #[test]
    fn lines_match_within_tolerance_in_metres() {
        // A meridian segment at lon 2.0; 1e-4° of longitude at lat 48.85 is ≈ 7.3 m.
        let line = Geometry::LineString(line_string![(x: 2.0, y: 48.84), (x: 2.0, y: 48.86)]);
        let layer = SpatialLayer::new(vec![F(line)]);
        assert_eq!(layer.at(Point::new(2.0001, 48.85), 8.0).count(), 1);
        assert_eq!(layer.at(Point::new(2.0001, 48.85), 7.0).count(), 0);
    }
}
