//! Layer families: each kind of layer is one type implementing [`Family`] (which layer of the
//! dataset it is, how it is drawn on the map) and, when it is answered by a lookup, [`Answered`]
//! (what a hit says: its answer item, which speaks in the summary through
//! [`crate::rules::Finding`], most simply by implementing [`crate::rules::HitFinding`]: its
//! sentence and its name among marginal overlaps).
//!
//! [`map_layers`] is the one list of families a map can draw, in drawing order: `/api/layers`, the
//! layer catalogue the map page builds its legend from (`/api/catalog`) and the validation of
//! layer names all read it. Zoning themes declared in the manifest join it without code.

pub mod communes;
pub mod parcels;
pub mod risks;
pub mod servitudes;
pub mod urba;
pub mod zones;
pub mod zoning;

use geo::{BooleanOps, BoundingRect, Contains, Geometry, InteriorPoint, Point, Rect};
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use crate::dataset::Dataset;
use crate::index::{HasGeometry, Layer, SpatialLayer};
use crate::model::Origin;
use crate::rules::{Finding, Hit, SourceRef};

/// Tolerance, in metres, within which line and point features (linear prescriptions, SUP assiettes
/// L/P) count as meeting a point: about the accuracy of a click on a 1:1000 map.
pub const LINE_TOLERANCE_M: f64 = 5.0;

/// A kind of layer: which features it indexes and how the map draws them.
pub trait Family {
    /// The features of the family.
    type Feature: HasGeometry;

    /// The layer holding them: a [`SpatialLayer`] for all but the parcels.
    type Layer: Layer<Self::Feature>;

    /// Its map layer: name, legend label, style.
    fn info(&self, data: &Dataset) -> LayerInfo;

    /// The layer holding its features.
    fn layer<'d>(&self, data: &'d Dataset) -> &'d Self::Layer;

    /// Whether a feature of [`Family::layer`] belongs to this family (several zoning themes share
    /// one layer).
    fn includes(&self, _feature: &Self::Feature) -> bool {
        true
    }

    /// The properties of a feature drawn on the map (`view` is the map's extent, for label points).
    fn map_properties(
        &self,
        data: &Dataset,
        feature: &Self::Feature,
        view: Rect<f64>,
    ) -> JsonObject;
}

/// A family a lookup answers: what a hit on one of its features says. Its features are in a
/// [`SpatialLayer`], whose prepared shapes the analysis of an area reuses.
pub trait Answered: Family<Layer = SpatialLayer<<Self as Family>::Feature>> {
    /// The answer item of one hit; it words its own summary sentences.
    type Item: Serialize + Finding;

    /// Lines and points within this many metres count as meeting a point or an area.
    const TOLERANCE_M: f64 = LINE_TOLERANCE_M;

    /// The answer item for `feature`, met as `hit`.
    fn item(&self, data: &Dataset, feature: &Self::Feature, hit: Hit) -> Self::Item;
}

/// A map layer as the map page learns it (`/api/catalog`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LayerInfo {
    /// Name in `/api/layers?layers=` and in the answer.
    pub name: String,
    /// Legend label (French).
    pub label: String,
    /// Which style the page draws it with (`communes`, `zones`, `prescriptions`, `servitudes`,
    /// `risks`, `parcels`, `zoning`).
    pub style: &'static str,
    /// Drawn when the page opens.
    pub default_on: bool,
    /// Not sent below this zoom (features would be specks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_zoom: Option<f64>,
    /// The layer's colour, for styles shared by several layers (zoning themes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<&'static str>,
}

impl LayerInfo {
    /// A layer drawn when the page opens, at every zoom, in its style's own colours.
    pub fn new(name: impl Into<String>, label: impl Into<String>, style: &'static str) -> Self {
        LayerInfo {
            name: name.into(),
            label: label.into(),
            style,
            default_on: true,
            min_zoom: None,
            colour: None,
        }
    }
}

/// Code that works on any family: `/api/layers` collects features through it.
pub trait Visitor {
    /// What the visit returns.
    type Out;
    /// Called with the family.
    fn visit<F: Family>(self, family: &F) -> Self::Out;
}

/// One map layer of a dataset: a family, by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLayer {
    /// Commune boundaries.
    Communes,
    /// Planning zones.
    Zones,
    /// Prescriptions of the planning documents.
    Prescriptions,
    /// Informations of the planning documents.
    Informations,
    /// Easement assiettes.
    Servitudes,
    /// Risk-plan zones.
    Risks,
    /// A zoning theme (index into [`Dataset::zoning_themes`]).
    Zoning(usize),
    /// Cadastral parcels.
    Parcels,
}

impl MapLayer {
    /// Calls `v` with the family this layer is.
    pub fn visit<V: Visitor>(self, v: V) -> V::Out {
        match self {
            MapLayer::Communes => v.visit(&communes::Communes),
            MapLayer::Zones => v.visit(&zones::Zones),
            MapLayer::Prescriptions => v.visit(&urba::PRESCRIPTIONS),
            MapLayer::Informations => v.visit(&urba::INFORMATIONS),
            MapLayer::Servitudes => v.visit(&servitudes::Servitudes),
            MapLayer::Risks => v.visit(&risks::Risks),
            MapLayer::Zoning(theme) => v.visit(&zoning::Zoning { theme }),
            MapLayer::Parcels => v.visit(&parcels::Parcels),
        }
    }

    /// Its catalogue entry.
    fn info(self, data: &Dataset) -> LayerInfo {
        struct Info<'d>(&'d Dataset);
        impl Visitor for Info<'_> {
            type Out = LayerInfo;
            fn visit<F: Family>(self, family: &F) -> LayerInfo {
                family.info(self.0)
            }
        }
        self.visit(Info(data))
    }
}

/// Every layer a map can draw from `data`, bottom first, with its catalogue entry.
pub fn map_layers(data: &Dataset) -> Vec<(MapLayer, LayerInfo)> {
    let mut layers = vec![
        MapLayer::Communes,
        MapLayer::Zones,
        MapLayer::Prescriptions,
        MapLayer::Informations,
        MapLayer::Servitudes,
        MapLayer::Risks,
    ];
    layers.extend((0..data.zoning_themes.len()).map(MapLayer::Zoning));
    layers.push(MapLayer::Parcels);
    layers.into_iter().map(|l| (l, l.info(data))).collect()
}

/// The answer's reference to a feature.
pub(crate) fn source(layer: &'static str, origin: &Origin) -> SourceRef {
    SourceRef {
        layer,
        id: origin.id(),
    }
}

pub(crate) use crate::geometry::round6;

/// `v` as a JSON object (map properties are written with `json!`).
pub(crate) fn props(v: serde_json::Value) -> JsonObject {
    match v {
        serde_json::Value::Object(m) => m,
        _ => JsonObject::new(),
    }
}

/// Writes `label_at`, the `[lon, lat]` where the map writes a polygon's label, into its map
/// properties: a point inside the polygon (a centroid can fall outside a U-shape) and inside the
/// view, so that a big zone crossing the screen is still named. Nothing for an empty geometry.
pub(crate) fn insert_label_at(p: &mut JsonObject, g: &Geometry<f64>, view: Rect<f64>) {
    if let Some(pt) = label_point(g, view) {
        p.insert("label_at".into(), json!([round6(pt.x()), round6(pt.y())]));
    }
}

/// A point inside `g` and, when `g` reaches beyond `view`, inside the visible part of it.
fn label_point(g: &Geometry<f64>, view: Rect<f64>) -> Option<Point<f64>> {
    let within_view = g.bounding_rect().is_some_and(|r| view.contains(&r));
    let clip = view.to_polygon();
    let visible = match g {
        _ if within_view => None,
        Geometry::Polygon(p) => Some(p.intersection(&clip)),
        Geometry::MultiPolygon(mp) => Some(mp.intersection(&clip)),
        _ => None,
    };
    visible
        .and_then(|v| v.interior_point())
        .or_else(|| g.interior_point())
}
