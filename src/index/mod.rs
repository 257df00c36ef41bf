//! Spatial layers: one bulk-loaded `rstar` R-tree per layer over feature envelopes, with the exact
//! test of [`crate::geometry`] after the envelope filter.
//!
//! Each feature's shape is prepared once at load: polygons as a [`PreparedArea`] (which analyses
//! reuse, see [`SpatialLayer::prepared`]), long lines as an R-tree of their segments. Lines and
//! points are matched within a tolerance in metres.

use geo::{BoundingRect, Coord, Geometry, Point, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

pub mod packed;
pub mod parcels;

use crate::geometry::{
    aabb, is_areal, point_segment_distance_m, segment_meets, visit_segments, window, PreparedArea,
    EDGE_INDEX_THRESHOLD,
};

/// Anything stored in a [`SpatialLayer`].
pub trait HasGeometry {
    /// The feature's geometry, WGS84.
    fn geometry(&self) -> &Geometry<f64>;
}

/// What is asked of any layer by code that works on every family (map drawing, API Carto): its
/// features by place and by number. [`SpatialLayer`] and the parcels'
/// [`parcels::ParcelLayer`] implement it.
pub trait Layer<T> {
    /// Features at `p` (polygons containing it, lines and points within `tolerance_m` metres),
    /// in load order.
    fn at_point(&self, p: Point<f64>, tolerance_m: f64) -> Vec<(usize, &T)>;
    /// Features whose envelope meets `rect`, in load order.
    fn in_envelope(&self, rect: Rect<f64>) -> Vec<(usize, &T)>;
    /// Feature `i`.
    fn feature(&self, i: usize) -> Option<&T>;
    /// Number of features.
    fn count(&self) -> usize;
}

impl<T: HasGeometry> Layer<T> for SpatialLayer<T> {
    fn at_point(&self, p: Point<f64>, tolerance_m: f64) -> Vec<(usize, &T)> {
        let mut hits: Vec<_> = self.at(p, tolerance_m).collect();
        hits.sort_unstable_by_key(|(i, _)| *i);
        hits
    }

    fn in_envelope(&self, rect: Rect<f64>) -> Vec<(usize, &T)> {
        let mut hits: Vec<_> = self.in_rect(rect).collect();
        hits.sort_unstable_by_key(|(i, _)| *i);
        hits
    }

    fn feature(&self, i: usize) -> Option<&T> {
        self.get(i)
    }

    fn count(&self) -> usize {
        self.len()
    }
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
                Rectangle::from_corners([a.x, a.y], [b.x, b.y]),
                [a, b],
            ));
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
                _ => self.any_segment_near(i, rect, |a, b| {
                    point_segment_distance_m(p, a, b) <= tolerance_m
                }),
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
                .locate_in_envelope_intersecting(&aabb(rect))
                .any(|s| test(s.data[0], s.data[1])),
            _ => {
                let mut hit = false;
                visit_segments(self.features[i].geometry(), &mut |a, b| {
                    if !hit && segment_meets(&rect, a, b) {
                        hit = test(a, b);
                    }
                });
                hit
            }
        }
    }

    /// Features whose envelope intersects `rect` (no exact test).
    pub fn in_rect(&self, rect: Rect<f64>) -> impl Iterator<Item = (usize, &T)> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&aabb(rect))
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

    /// Feature `i`, in load order.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.features.get(i)
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the layer has no feature.
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
    use geo::line_string;

    struct F(Geometry<f64>);
    impl HasGeometry for F {
        fn geometry(&self) -> &Geometry<f64> {
            &self.0
        }
    }

    #[test]
    fn lines_match_within_tolerance_in_metres() {
        // A meridian segment at lon 2.0; 1e-4° of longitude at lat 48.85 is ≈ 7.34 m.
        let line = Geometry::LineString(line_string![(x: 2.0, y: 48.84), (x: 2.0, y: 48.86)]);
        let layer = SpatialLayer::new(vec![F(line)]);
        assert_eq!(layer.at(Point::new(2.0001, 48.85), 8.0).count(), 1);
        assert_eq!(layer.at(Point::new(2.0001, 48.85), 7.0).count(), 0);
    }
}
