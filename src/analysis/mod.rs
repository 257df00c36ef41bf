//! Analysis of an area (a parcel or a project footprint) against a layer: which features meet it,
//! over what area and what share of it.
//!
//! Areas are computed in degrees and scaled by the local frame of the footprint
//! ([`crate::geometry::LocalFrame`], the WGS84 ellipsoid at its centre); shares are ratios and do
//! not depend on it.

use std::borrow::Cow;

use geo::{BoundingRect, Coord, Geometry, Rect};
use serde::Serialize;

use crate::geometry::{intersection_area, segment_segment_distance, LocalFrame, PreparedArea};
use crate::index::{HasGeometry, SpatialLayer};

/// Below this share of the footprint an overlap is *marginal*: boundary noise between datasets
/// drawn from different cadastre editions rather than a rule that really applies. Reported, flagged.
pub const MARGINAL_SHARE: f64 = 0.02;

/// A polygonal area to analyse, prepared once.
///
/// A client's footprint owns its polygon (`Footprint<'static>`, see [`Footprint::new`]); a parcel's
/// borrows the polygon its layer prepared at load ([`Footprint::prepared`]), so that analysing a
/// parcel does not prepare it again.
pub struct Footprint<'a> {
    /// The footprint's polygon, WGS84.
    pub geometry: Cow<'a, Geometry<f64>>,
    prepared: Cow<'a, PreparedArea>,
    rect: Rect<f64>,
    frame: LocalFrame,
    /// The footprint's edges in the local metric frame, for distances to lines and points.
    edges_m: Vec<[Coord<f64>; 2]>,
    /// Its area in m², measured in the local metric frame.
    pub area_m2: f64,
}

/// How a feature meets a footprint.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Overlap {
    /// Overlapping area in m² (0 for lines and points).
    pub area_m2: f64,
    /// Share of the footprint covered, in percent (absent for lines and points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    /// True when the share is below [`MARGINAL_SHARE`].
    pub marginal: bool,
}

impl Footprint<'static> {
    /// Prepares a polygonal geometry; `None` when it has no area.
    ///
    /// ```
    /// use geo::{polygon, Geometry};
    /// use urbaclic::analysis::Footprint;
    /// // A 0.001° × 0.001° square at 45°N: 111.13 m × 78.85 m.
    /// let sq = polygon![(x: 5.0, y: 45.0), (x: 5.001, y: 45.0), (x: 5.001, y: 45.001), (x: 5.0, y: 45.001)];
    /// let fp = Footprint::new(Geometry::Polygon(sq)).unwrap();
    /// assert!((fp.area_m2 - 8762.0).abs() < 1.0, "{}", fp.area_m2);
    /// ```
    pub fn new(geometry: Geometry<f64>) -> Option<Footprint<'static>> {
        let prepared = PreparedArea::new(&geometry);
        Footprint::build(Cow::Owned(geometry), Cow::Owned(prepared))
    }
}

impl<'a> Footprint<'a> {
    /// The footprint of `geometry` from `area`, the polygon already prepared from it (a parcel's, by
    /// [`SpatialLayer::prepared`]); `None` when it has no area.
    ///
    /// ```
    /// use geo::{polygon, Geometry};
    /// use urbaclic::analysis::Footprint;
    /// use urbaclic::geometry::PreparedArea;
    /// let sq = Geometry::Polygon(polygon![
    ///     (x: 5.0, y: 45.0), (x: 5.001, y: 45.0), (x: 5.001, y: 45.001), (x: 5.0, y: 45.001)]);
    /// let area = PreparedArea::new(&sq);
    /// let fp = Footprint::prepared(&sq, &area).unwrap();
    /// assert_eq!(fp.area_m2, Footprint::new(sq.clone()).unwrap().area_m2);
    /// ```
    pub fn prepared(geometry: &'a Geometry<f64>, area: &'a PreparedArea) -> Option<Footprint<'a>> {
        Footprint::build(Cow::Borrowed(geometry), Cow::Borrowed(area))
    }

    fn build(
        geometry: Cow<'a, Geometry<f64>>,
        prepared: Cow<'a, PreparedArea>,
    ) -> Option<Footprint<'a>> {
        let rect = geometry.bounding_rect()?;
        let frame = LocalFrame::at(rect.center());
        let area_m2 = prepared.area() * frame.square_metres_per_square_degree();
        if area_m2 <= 0.0 {
            return None;
        }
        let edges_m = prepared
            .edges()
            .iter()
            .map(|&[e, f]| [frame.to_metres(e), frame.to_metres(f)])
            .collect();
        Some(Footprint {
            geometry,
            prepared,
            rect,
            frame,
            edges_m,
            area_m2,
        })
    }

    /// The footprint's bounding box.
    pub fn rect(&self) -> Rect<f64> {
        self.rect
    }

    /// Whether non-polygonal feature `i` of `layer` comes within `tolerance_m` metres of the
    /// footprint (inside counts). Only its segments near the footprint's box are measured.
    fn line_within_m<T: HasGeometry>(
        &self,
        layer: &SpatialLayer<T>,
        i: usize,
        search: Rect<f64>,
        tolerance_m: f64,
    ) -> bool {
        layer.any_segment_near(i, search, |a, b| {
            if self.prepared.contains(a.into()) {
                return true;
            }
            let (a, b) = (self.frame.to_metres(a), self.frame.to_metres(b));
            self.edges_m
                .iter()
                .any(|&[e, f]| segment_segment_distance(a, b, e, f) <= tolerance_m)
        })
    }

    fn area_overlap(&self, z: &PreparedArea) -> Option<Overlap> {
        let a = intersection_area(&self.prepared, self.rect, z)
            * self.frame.square_metres_per_square_degree();
        let share = (a / self.area_m2).min(1.0);
        // Touching along a boundary gives an area of exactly zero: not an overlap.
        (a > 1e-6).then_some(Overlap {
            area_m2: round(a, 1),
            share_pct: Some(round(share * 100.0, 2)),
            marginal: share < MARGINAL_SHARE,
        })
    }

    /// Every feature of `layer` meeting the footprint, with its overlap, largest first.
    pub fn overlaps<'l, T: HasGeometry>(
        &self,
        layer: &'l SpatialLayer<T>,
        tolerance_m: f64,
    ) -> Vec<(usize, &'l T, Overlap)> {
        let search = self.frame.grow(self.rect, tolerance_m);
        let mut out: Vec<_> = layer
            .in_rect(search)
            .filter_map(|(i, f)| {
                let o = match layer.prepared(i) {
                    Some(z) => self.area_overlap(z)?,
                    None => self
                        .line_within_m(layer, i, search, tolerance_m)
                        .then_some(Overlap {
                            area_m2: 0.0,
                            share_pct: None,
                            marginal: false,
                        })?,
                };
                Some((i, f, o))
            })
            .collect();
        out.sort_by(|a, b| b.2.area_m2.total_cmp(&a.2.area_m2).then(a.0.cmp(&b.0)));
        out
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}
