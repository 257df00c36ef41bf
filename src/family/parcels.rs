//! Cadastral parcels, drawn on the map from [`PARCEL_MIN_ZOOM`] (the answer analyses the parcel
//! itself, see [`crate::lookup`]).

use geo::Rect;
use geojson::JsonObject;
use serde_json::json;

use super::{insert_label_at, props, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::parcels::ParcelLayer;
use crate::model::Parcel;

/// Below this zoom no parcel is sent (a parcel is then a few pixels wide at most).
pub const PARCEL_MIN_ZOOM: f64 = 16.0;

/// The parcels family.
pub struct Parcels;

impl Family for Parcels {
    type Feature = Parcel;
    type Layer = ParcelLayer;

    fn info(&self, _: &Dataset) -> LayerInfo {
        LayerInfo {
            min_zoom: Some(PARCEL_MIN_ZOOM),
            ..LayerInfo::new("parcels", "Parcelles cadastrales", "parcels")
        }
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d ParcelLayer {
        &data.parcels
    }

    fn map_properties(&self, _: &Dataset, p: &Parcel, view: Rect<f64>) -> JsonObject {
        let mut out = props(json!({
            "id": p.id, "commune": p.commune, "section": p.section,
            "numero": p.numero, "contenance": p.contenance,
        }));
        // Where the map writes the parcel's number at high zoom (a point inside the parcel).
        insert_label_at(&mut out, &p.geometry, view);
        out
    }
}
