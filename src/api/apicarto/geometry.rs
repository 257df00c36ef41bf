//! The `geom` parameter of API Carto: a GeoJSON geometry in WGS84, checked with the footprint
//! limits of `POST /api/lookup`, and the features of a layer it meets.
//!
//! IGN answers features *intersecting* the geometry (a WFS `INTERSECTS` filter, see
//! `IGNF/apicarto` `controllers/gpu/index.js`): a point inside a zone, on a line or on a point
//! feature, a polygon touching it. A point is answered through the layer's prepared polygons
//! ([`SpatialLayer::at`]), any other geometry by the `geo` intersection test on the candidates of
//! its bounding box.

use geo::{BoundingRect, CoordsIter, Geometry, Intersects, MultiPolygon, Point, Rect};

use super::super::lookup::{check_extent, read_geojson, MAX_PARTS, MAX_VERTICES};
use super::super::ApiError;
use crate::geometry::first_invalidity;
use crate::index::{HasGeometry, Layer, SpatialLayer};
use crate::lookup::Position;

/// A checked `geom`.
#[derive(Debug, Clone)]
pub(crate) enum QueryGeometry {
    /// A point: answered by point-in-polygon on the prepared features.
    Point(Point<f64>),
    /// Any other geometry, with its bounding box.
    Shape(Geometry<f64>, Rect<f64>),
}

fn bad(message: String) -> ApiError {
    ApiError::bad_request(
        "invalid_geometry",
        format!("paramètre « geom » : {message}"),
    )
}

impl QueryGeometry {
    /// Reads `geom` from a JSON value: the geometry itself (a POST body) or a string holding it
    /// (the query string). A Feature is accepted for its geometry.
    pub(crate) fn from_json(value: &serde_json::Value) -> Result<QueryGeometry, ApiError> {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (geometry, open_ring) = read_geojson(&text, bad, "une seule géométrie attendue")?;
        if matches!(geometry, Geometry::GeometryCollection(_)) {
            return Err(bad(
                "Point, LineString, Polygon ou leurs variantes Multi attendus, pas une GeometryCollection".into(),
            ));
        }
        let vertices = geometry.coords_count();
        if vertices > MAX_VERTICES {
            return Err(bad(format!(
                "géométrie trop détaillée : {vertices} sommets (maximum {MAX_VERTICES})"
            )));
        }
        for c in geometry.coords_iter() {
            Position::new(c.x, c.y)?;
        }
        let parts: Vec<geo::Polygon<f64>> = match &geometry {
            Geometry::Polygon(p) => vec![p.clone()],
            Geometry::MultiPolygon(MultiPolygon(ps)) => ps.clone(),
            _ => Vec::new(),
        };
        if parts.len() > MAX_PARTS {
            return Err(bad(format!(
                "géométrie trop morcelée : {} parties (maximum {MAX_PARTS})",
                parts.len()
            )));
        }
        if let Some(invalid) = open_ring.or_else(|| first_invalidity(&parts)) {
            return Err(bad(format!("géométrie invalide : {invalid}")));
        }
        if let Geometry::Point(p) = geometry {
            return Ok(QueryGeometry::Point(p));
        }
        let rect = geometry
            .bounding_rect()
            .ok_or_else(|| bad("géométrie vide".into()))?;
        // The work is bounded by what the box holds, as for a lookup footprint.
        check_extent(rect)?;
        Ok(QueryGeometry::Shape(geometry, rect))
    }

    /// The features of `layer` the geometry meets, in load order, with their index.
    pub(crate) fn meets<'d, T: HasGeometry>(
        &self,
        layer: &'d impl Layer<T>,
    ) -> Vec<(usize, &'d T)> {
        match self {
            QueryGeometry::Point(p) => layer.at_point(*p, 0.0),
            QueryGeometry::Shape(g, rect) => layer
                .in_envelope(*rect)
                .into_iter()
                .filter(|(_, f)| g.intersects(f.geometry()))
                .collect(),
        }
    }
}

/// The features of `layer` met by `geom`, or all of them without one, in load order.
pub(crate) fn select<'d, T: HasGeometry>(
    layer: &'d SpatialLayer<T>,
    geom: Option<&QueryGeometry>,
) -> Vec<(usize, &'d T)> {
    match geom {
        Some(g) => g.meets(layer),
        None => layer.features().iter().enumerate().collect(),
    }
}

/// The GPU's geometry kinds: each layer family comes in `surf`/`s`, `lin`/`l` and `pct`/`p`
/// tables by the dimension of its features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dimension {
    /// Polygons.
    Surface,
    /// Lines.
    Line,
    /// Points.
    Point,
}

impl Dimension {
    /// The dimension of `g` (a collection by its first member).
    pub(crate) fn of(g: &Geometry<f64>) -> Option<Dimension> {
        match g {
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => Some(Dimension::Surface),
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => {
                Some(Dimension::Line)
            }
            Geometry::Point(_) | Geometry::MultiPoint(_) => Some(Dimension::Point),
            Geometry::GeometryCollection(gc) => gc.0.first().and_then(Dimension::of),
        }
    }
}

/// `g` as IGN writes it: always a multi-geometry (`MultiPolygon`, `MultiLineString`,
/// `MultiPoint`), as the GPU and Parcellaire Express tables store them.
pub(crate) fn as_multi(g: &Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p.clone()])),
        Geometry::LineString(l) => Geometry::MultiLineString(geo::MultiLineString(vec![l.clone()])),
        Geometry::Point(p) => Geometry::MultiPoint(geo::MultiPoint(vec![*p])),
        other => other.clone(),
    }
}
