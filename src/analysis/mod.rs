//! Analysis of an area (a parcel or a project footprint) against a layer: which features meet it,
//! over what area and what share of it.
//!
//! Areas are computed in a local metric frame around the footprint (metres per degree of the WGS84
//! ellipsoid at its latitude): over a parcel this is within 10⁻⁵ of the true ground area, closer than
//! Lambert-93 itself, whose scale error reaches 10⁻³. Shares are ratios and do not depend on it.

pub mod area;

use geo::{BoundingRect, Coord, Geometry, Point, Rect};
use serde::Serialize;

use crate::index::{is_areal, point_segment_distance, HasGeometry, PreparedArea, SpatialLayer};

/// Below this share of the footprint an overlap is *marginal*: boundary noise between datasets
/// drawn from different cadastre editions rather than a rule that really applies. Reported, flagged.
pub const MARGINAL_SHARE: f64 = 0.02;

/// Metres per degree of latitude and of longitude on the WGS84 ellipsoid at latitude `lat` (degrees).
///
/// ```
/// let (ky, kx) = urbaclic::analysis::metres_per_degree(45.0);
/// assert!((ky - 111_132.0).abs() < 5.0 && (kx - 78_847.0).abs() < 5.0);
/// ```
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let p = lat.to_radians();
    let ky = 111_132.954 - 559.822 * (2.0 * p).cos() + 1.175 * (4.0 * p).cos();
    let kx = 111_412.84 * p.cos() - 93.5 * (3.0 * p).cos() + 0.118 * (5.0 * p).cos();
    (ky, kx)
}

/// A polygonal area to analyse, prepared once.
pub struct Footprint {
    pub geometry: Geometry<f64>,
    prepared: PreparedArea,
    rect: Rect<f64>,
    /// m² per square degree at the footprint's latitude.
    scale: f64,
    origin: Coord<f64>,
    kx: f64,
    ky: f64,
    /// The footprint's edges in the local metric frame, for distances to lines and points.
    edges_m: Vec<[Coord<f64>; 2]>,
    pub area_m2: f64,
}

/// How a feature meets a footprint.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Overlap {
    /// Overlapping area in m² (0 for lines and points).
    pub area_m2: f64,
    /// Share of the footprint covered, in percent (absent for lines and points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_pct: Option<f64>,
    /// True when the share is below [`MARGINAL_SHARE`].
    pub marginal: bool,
}

impl Footprint {
    /// Prepares a polygonal geometry; `None` when it has no area.
    pub fn new(geometry: Geometry<f64>) -> Option<Footprint> {
        if !is_areal(&geometry) {
            return None;
        }
        let rect = geometry.bounding_rect()?;
        let prepared = PreparedArea::new(&geometry);
        let c = rect.center();
        let (ky, kx) = metres_per_degree(c.y);
        let scale = kx * ky;
        let area_m2 = area::area(&prepared) * scale;
        if area_m2 <= 0.0 {
            return None;
        }
        let mut fp = Footprint {
            geometry,
            prepared,
            rect,
            scale,
            origin: c,
            kx,
            ky,
            edges_m: Vec::new(),
            area_m2,
        };
        fp.edges_m = fp
            .prepared
            .edges()
            .iter()
            .map(|&[e, f]| [fp.to_metres(e), fp.to_metres(f)])
            .collect();
        Some(fp)
    }

    /// Bounding box, for candidate searches.
    pub fn rect(&self) -> Rect<f64> {
        self.rect
    }

    /// Whether `p` is inside.
    pub fn contains(&self, p: Point<f64>) -> bool {
        self.prepared.contains(p)
    }

    fn to_metres(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.origin.x) * self.kx,
            y: (c.y - self.origin.y) * self.ky,
        }
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
            let (a, b) = (self.to_metres(a), self.to_metres(b));
            self.edges_m
                .iter()
                .any(|&[e, f]| segment_distance(a, b, e, f) <= tolerance_m)
        })
    }

    fn area_overlap(&self, z: &PreparedArea) -> Option<Overlap> {
        let a = area::intersection_area(&self.prepared, self.rect, z) * self.scale;
        let share = (a / self.area_m2).min(1.0);
        // Touching along a boundary gives an area of exactly zero: not an overlap.
        (a > 1e-6).then_some(Overlap {
            area_m2: round(a, 1),
            share_pct: Some(round(share * 100.0, 2)),
            marginal: share < MARGINAL_SHARE,
        })
    }

    /// Every feature of `layer` meeting the footprint, with its overlap, largest first.
    pub fn overlaps<'a, T: HasGeometry>(
        &self,
        layer: &'a SpatialLayer<T>,
        tolerance_m: f64,
    ) -> Vec<(usize, &'a T, Overlap)> {
        let dy = tolerance_m / self.ky;
        let dx = tolerance_m / self.kx;
        let search = Rect::new(
            Coord {
                x: self.rect.min().x - dx,
                y: self.rect.min().y - dy,
            },
            Coord {
                x: self.rect.max().x + dx,
                y: self.rect.max().y + dy,
            },
        );
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

/// Distance between segments `ab` and `ef` (0 when they cross).
fn segment_distance(a: Coord<f64>, b: Coord<f64>, e: Coord<f64>, f: Coord<f64>) -> f64 {
    let cross = |o: Coord<f64>, p: Coord<f64>, q: Coord<f64>| {
        (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x)
    };
    let (d1, d2) = (cross(e, f, a), cross(e, f, b));
    let (d3, d4) = (cross(a, b, e), cross(a, b, f));
    if (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0) {
        return 0.0;
    }
    // Distance from a point to a segment is the distance from the origin to the shifted segment.
    let ps = |p: Coord<f64>, s0: Coord<f64>, s1: Coord<f64>| point_segment_distance(s0 - p, s1 - p);
    ps(a, e, f)
        .min(ps(b, e, f))
        .min(ps(e, a, b))
        .min(ps(f, a, b))
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn square_footprint_area_in_metres() {
        // A 0.001° × 0.001° square at 45°N: 111.13 m × 78.85 m ≈ 8762 m².
        let sq = polygon![(x: 5.0, y: 45.0), (x: 5.001, y: 45.0), (x: 5.001, y: 45.001), (x: 5.0, y: 45.001)];
        let f = Footprint::new(Geometry::Polygon(sq)).unwrap();
        assert!((f.area_m2 - 8762.0).abs() < 5.0, "{}", f.area_m2);
    }
}
