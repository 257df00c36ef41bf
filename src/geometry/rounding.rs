//! Coordinates to 6 decimals (about 10 cm) as answers send them, geometries kept valid: rounding
//! can flatten a sliver or fold a spike, and RFC 7946 §3.1.6 wants rings wound one way.

use geo::orient::{Direction, Orient};
use geo::{
    Area, BoundingRect, Coord, Geometry, LineString, MapCoords, MultiPolygon, Polygon, Rect,
    RemoveRepeatedPoints,
};

use super::first_invalidity;

/// One step of the grid answers are written on, in degrees.
const STEP: f64 = 1e-6;

/// `x` to 6 decimals: finer digits only make answers bigger.
///
/// ```
/// assert_eq!(urbaclic::geometry::round6(4.369_684_9), 4.369_685);
/// ```
#[must_use]
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `g` to 6 decimals, as sent, or to the fewest more (up to 9) that keep it valid: snapping
/// vertices 10 cm apart to the grid can flatten a sliver or fold a narrow spike onto itself, and
/// a GIS refuses such a ring (shapely's `is_valid` on the staged zones found both).
/// Polygons are wound as RFC 7946 §3.1.6 wants, exteriors counter-clockwise and holes clockwise.
/// A geometry invalid as loaded is sent at 6 decimals, its rings without area dropped (a polygon
/// with none left is sent as a one-step square, a dot, so that no feature vanishes).
///
/// ```
/// use geo::{polygon, Geometry};
/// use urbaclic::geometry::rounded;
/// // A sliver 1e-8° wide, flat at 6 decimals: sent at the 8 that keep its area.
/// let sliver = polygon![(x: 1.0, y: 0.0), (x: 1.000_000_01, y: 0.0), (x: 1.0, y: 0.5)];
/// let Geometry::Polygon(p) = rounded(&Geometry::Polygon(sliver)) else { panic!() };
/// assert_eq!(p.exterior().0[1].x, 1.000_000_01);
/// ```
#[must_use]
pub fn rounded(g: &Geometry<f64>) -> Geometry<f64> {
    for decimals in 6..=MAX_DECIMALS {
        let r = wound(snapped(g, decimals));
        if is_drawable(&r) {
            return r;
        }
    }
    without_flat_rings(g)
}

/// The most decimals [`rounded`] writes: about 0.1 mm, past what any survey measures.
const MAX_DECIMALS: i32 = 9;

fn snapped(g: &Geometry<f64>, decimals: i32) -> Geometry<f64> {
    let scale = 10f64.powi(decimals);
    let g = g.map_coords(|c| Coord {
        x: (c.x * scale).round() / scale,
        y: (c.y * scale).round() / scale,
    });
    // Vertices snapped onto one another are one: GEOS reads a ring [a, a, b, a] as too short.
    match g {
        Geometry::LineString(l) => Geometry::LineString(l.remove_repeated_points()),
        Geometry::MultiLineString(l) => Geometry::MultiLineString(l.remove_repeated_points()),
        Geometry::Polygon(p) => Geometry::Polygon(p.remove_repeated_points()),
        Geometry::MultiPolygon(p) => Geometry::MultiPolygon(p.remove_repeated_points()),
        other => other,
    }
}

fn wound(g: Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(Direction::Default)),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp.orient(Direction::Default)),
        Geometry::GeometryCollection(gc) => {
            Geometry::GeometryCollection(gc.0.into_iter().map(wound).collect())
        }
        other => other,
    }
}

/// Valid as OGC and GIS software see it: polygons as [`first_invalidity`] checks them (in
/// `n log n`: `geo`'s own validation takes seconds on a zone of a few thousand vertices), every
/// ring with area, every line with two distinct points.
fn is_drawable(g: &Geometry<f64>) -> bool {
    let has_area = |p: &Polygon<f64>| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .all(|r| Polygon::new(r.clone(), vec![]).signed_area() != 0.0)
    };
    let line_ok = |l: &LineString<f64>| l.0.iter().any(|c| Some(c) != l.0.first());
    match g {
        Geometry::Polygon(p) => has_area(p) && first_invalidity(std::slice::from_ref(p)).is_none(),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter().all(has_area) && first_invalidity(&mp.0).is_none()
        }
        Geometry::LineString(l) => line_ok(l),
        Geometry::MultiLineString(ml) => ml.0.iter().all(line_ok),
        Geometry::GeometryCollection(gc) => gc.0.iter().all(is_drawable),
        _ => true,
    }
}

/// `g` at 6 decimals, its rings left without area dropped (a polygon with none left is a dot).
fn without_flat_rings(g: &Geometry<f64>) -> Geometry<f64> {
    let has_area = |ring: &LineString<f64>| Polygon::new(ring.clone(), vec![]).signed_area() != 0.0;
    let keep = |p: Polygon<f64>| -> Option<Polygon<f64>> {
        let (exterior, interiors) = p.into_inner();
        has_area(&exterior).then(|| {
            Polygon::new(exterior, interiors.into_iter().filter(has_area).collect())
                .orient(Direction::Default)
        })
    };
    match snapped(g, 6) {
        Geometry::Polygon(p) => keep(p).map_or_else(|| dot(g), Geometry::Polygon),
        Geometry::MultiPolygon(mp) => {
            let parts: Vec<Polygon<f64>> = mp.0.into_iter().filter_map(keep).collect();
            if parts.is_empty() {
                dot(g)
            } else {
                Geometry::MultiPolygon(MultiPolygon(parts))
            }
        }
        other => wound(other),
    }
}

/// A polygon too small for 6 decimals: the smallest square of that grid holding its corner.
fn dot(g: &Geometry<f64>) -> Geometry<f64> {
    let Some(r) = g.bounding_rect() else {
        return g.clone();
    };
    let (x, y) = (round6(r.min().x), round6(r.min().y));
    Geometry::Polygon(
        Rect::new(
            Coord { x, y },
            Coord {
                x: x + STEP,
                y: y + STEP,
            },
        )
        .to_polygon()
        .orient(Direction::Default),
    )
}
