//! Zoning maps: any national or local map made of polygons with a code and a label (seismic
//! zoning, airport noise plans, clay-shrinkage hazard, former quarries…). Declared in the manifest
//! with `role = "zoning"` and a `theme`; each theme is a map layer and an answer section of its
//! own, with no code to write.

use geo::Rect;
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use super::{insert_label_at, props, source, Answered, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use crate::model::ZoningZone;
use crate::rules::{
    share_text, Context, Finding, Hit, HitFinding, Sentence, SentenceKind, SourceRef,
};

/// Colours given to themes in manifest order, distinct from the other layers' (planning zones use
/// red/orange/yellow/green, easements purple, risks red/blue/teal).
const THEME_COLOURS: [&str; 6] = [
    "#795548", "#3949ab", "#c2185b", "#7cb342", "#5d4037", "#00acc1",
];

/// The zoning maps of one theme (index into [`Dataset::zoning_themes`]).
pub struct Zoning {
    /// Index of the theme in [`Dataset::zoning_themes`].
    pub theme: usize,
}

/// One theme as answered: whether its maps cover the place, and its zones there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ZoningSection {
    /// Theme key (`sismicite`…), also the name of its map layer.
    pub theme: String,
    /// Theme name (`Zonage sismique`).
    pub name: String,
    /// Whether the theme's maps cover the place ("no zone here" rather than "no map here").
    pub covered: bool,
    /// The theme's zones at the place (empty: none, or no map here; see `covered`).
    pub zones: Vec<ZoningZoneOut>,
}

/// A zone of a zoning map as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ZoningZoneOut {
    /// The zone's code as the source writes it (`3`, `C`, `fort`…).
    pub code: String,
    /// The zone's label, from the manifest's field mapping.
    pub label: String,
    /// A link to the text behind the map, when the mapping gives one.
    pub url: Option<String>,
    /// At the point, or area and share on a parcel/footprint.
    #[serde(flatten)]
    pub hit: Hit,
    /// The zone's layer and `file#feature`.
    pub source: SourceRef,
    /// The feature's whole geometry (WGS84, 6 decimals, RFC 7946 winding), only when the lookup
    /// is asked with `geometry=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
    /// The theme's name, to word sentences.
    #[serde(skip)]
    theme_name: String,
}

impl Family for Zoning {
    type Feature = ZoningZone;
    type Layer = SpatialLayer<ZoningZone>;

    fn info(&self, data: &Dataset) -> LayerInfo {
        let theme = &data.zoning_themes[self.theme];
        LayerInfo {
            colour: Some(THEME_COLOURS[self.theme % THEME_COLOURS.len()]),
            ..LayerInfo::new(theme.key.clone(), theme.name.clone(), "zoning")
        }
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<ZoningZone> {
        &data.zoning
    }

    fn includes(&self, z: &ZoningZone) -> bool {
        z.theme == self.theme
    }

    fn map_properties(&self, data: &Dataset, z: &ZoningZone, view: Rect<f64>) -> JsonObject {
        let mut p = props(json!({
            "theme": data.zoning_themes[z.theme].key, "code": z.code, "label": z.label,
        }));
        insert_label_at(&mut p, &z.geometry, view);
        p
    }
}

impl Answered for Zoning {
    type Item = ZoningZoneOut;
    // Zoning maps are polygons.
    const TOLERANCE_M: f64 = 0.0;

    fn item(&self, data: &Dataset, z: &ZoningZone, hit: Hit) -> ZoningZoneOut {
        ZoningZoneOut {
            code: z.code.clone(),
            label: z.label.clone(),
            url: z.url.clone(),
            hit,
            source: source("zonage", &z.origin),
            geometry: None,
            theme_name: data.zoning_themes[z.theme].name.clone(),
        }
    }
}

impl ZoningZoneOut {
    /// The zone's label, or its code when the mapping gives no label.
    fn named(&self) -> String {
        if self.label == self.code {
            format!("zone {}", self.code)
        } else {
            self.label.clone()
        }
    }
}

impl HitFinding for ZoningZoneOut {
    fn hit(&self) -> &Hit {
        &self.hit
    }

    fn source(&self) -> &SourceRef {
        &self.source
    }

    fn marginal_name(&self) -> String {
        format!("{} : {}", self.theme_name, self.named())
    }

    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String) {
        let mut text = format!(
            "{} : {}{}.",
            self.theme_name,
            self.named(),
            share_text(self.hit.share_pct(), ctx.scope)
        );
        if let Some(u) = &self.url {
            text.push_str(&format!(" Texte : {u}."));
        }
        (SentenceKind::Zoning, text)
    }
}

impl Finding for ZoningSection {
    fn sentences(&self, ctx: &Context<'_>) -> Vec<Sentence> {
        if self.covered && self.zones.is_empty() {
            return vec![Sentence::new(
                SentenceKind::Zoning,
                format!(
                    "{} : hors des zones de cette carte (chargée pour ce territoire).",
                    self.name
                ),
                Vec::new(),
            )];
        }
        self.zones.iter().flat_map(|z| z.sentences(ctx)).collect()
    }

    fn marginal(&self) -> Vec<(String, SourceRef)> {
        self.zones.iter().flat_map(Finding::marginal).collect()
    }
}
