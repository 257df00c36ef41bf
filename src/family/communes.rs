//! Commune boundaries, drawn on the map (the answer names the commune from [`crate::rules::Facts`]).

use geo::Rect;
use geojson::JsonObject;
use serde_json::json;

use super::{insert_label_at, props, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use crate::model::Commune;

/// The communes family.
pub struct Communes;

impl Family for Communes {
    type Feature = Commune;
    type Layer = SpatialLayer<Commune>;

    fn info(&self, _: &Dataset) -> LayerInfo {
        LayerInfo::new("communes", "Limites communales", "communes")
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<Commune> {
        &data.communes
    }

    fn map_properties(&self, _: &Dataset, c: &Commune, view: Rect<f64>) -> JsonObject {
        let mut p =
            props(json!({ "insee": c.insee, "name": c.name, "approximate": c.approximate }));
        // Where the map writes the commune's name, with no basemap to name places.
        insert_label_at(&mut p, &c.geometry, view);
        p
    }
}
