//! GeoJSON geometries into `geo` ones, refusing what the `geojson` crate's own conversion would
//! panic on.
//!
//! RFC 7946 §3.1.1 requires every position to have at least two numbers; `geojson`'s
//! `TryFrom<Geometry>` indexes `[0]` and `[1]` without checking, so a `[[4],[5]]` from a client or a
//! data file would abort the thread. Every position is checked here first.

use geo::Geometry;
use geojson::{GeometryValue, Position};

use super::RingRef;

/// Why a GeoJSON geometry cannot be converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GeoJsonGeometryError {
    /// A position has fewer than two numbers (longitude and latitude).
    #[error("position à {0} nombre(s) : il en faut au moins deux (longitude, latitude)")]
    ShortPosition(usize),
    /// The conversion itself failed (the `geojson` crate's message).
    #[error("{0}")]
    Unreadable(String),
}

/// The `geo` geometry of `g`, every position checked first.
///
/// ```
/// use urbaclic::geometry::geometry_from_geojson;
/// let g: geojson::Geometry = r#"{"type":"LineString","coordinates":[[4],[5]]}"#.parse().unwrap();
/// assert!(geometry_from_geojson(g).is_err());
/// let g: geojson::Geometry = r#"{"type":"Point","coordinates":[4, 5]}"#.parse().unwrap();
/// assert!(geometry_from_geojson(g).is_ok());
/// ```
pub fn geometry_from_geojson(g: geojson::Geometry) -> Result<Geometry<f64>, GeoJsonGeometryError> {
    check_positions(&g.value)?;
    Geometry::<f64>::try_from(g).map_err(|e| GeoJsonGeometryError::Unreadable(e.to_string()))
}

/// The first ring of a Polygon or MultiPolygon whose last position does not repeat its first. OGC
/// rings are closed; `geo` would close an open one silently, drawing an edge the client never sent.
///
/// ```
/// use urbaclic::geometry::{first_open_ring, RingRef};
/// let g: geojson::Geometry = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.2,0.2]]]}"#.parse().unwrap();
/// assert_eq!(first_open_ring(&g.value), Some(RingRef { part: 0, ring: 1 }));
/// ```
pub fn first_open_ring(value: &GeometryValue) -> Option<RingRef> {
    let open = |ring: &Vec<Position>| match (ring.first(), ring.last()) {
        (Some(a), Some(b)) => a.as_slice().get(..2) != b.as_slice().get(..2),
        // An empty ring is refused for its number of points.
        _ => false,
    };
    let parts: Vec<&Vec<Vec<Position>>> = match value {
        GeometryValue::Polygon { coordinates } => vec![coordinates],
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        _ => Vec::new(),
    };
    parts.iter().enumerate().find_map(|(part, rings)| {
        rings
            .iter()
            .position(open)
            .map(|ring| RingRef { part, ring })
    })
}

fn check_positions(value: &GeometryValue) -> Result<(), GeoJsonGeometryError> {
    let check = |p: &Position| match p.len() {
        n if n < 2 => Err(GeoJsonGeometryError::ShortPosition(n)),
        _ => Ok(()),
    };
    match value {
        GeometryValue::Point { coordinates } => check(coordinates),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.iter().try_for_each(check)
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().flatten().try_for_each(check)
        }
        GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().flatten().flatten().try_for_each(check)
        }
        GeometryValue::GeometryCollection { geometries } => geometries
            .iter()
            .try_for_each(|g| check_positions(&g.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> geojson::Geometry {
        s.parse().unwrap()
    }

    #[test]
    fn short_positions_are_refused_in_every_kind() {
        for s in [
            r#"{"type":"LineString","coordinates":[[4],[5]]}"#,
            r#"{"type":"Polygon","coordinates":[[[4],[5],[6],[4]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1],[0,0]]]]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[7],[8]]}]}"#,
        ] {
            assert!(
                matches!(
                    geometry_from_geojson(parse(s)),
                    Err(GeoJsonGeometryError::ShortPosition(_))
                ),
                "{s}"
            );
        }
    }

    #[test]
    fn extra_numbers_are_accepted() {
        let g = parse(r#"{"type":"Point","coordinates":[4, 5, 120]}"#);
        assert!(geometry_from_geojson(g).is_ok());
    }
}
