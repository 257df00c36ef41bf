//! The shape of an answer, as serialised to JSON (documented in `docs/api.md`): written once, at
//! the end of a lookup, from the facts, the families' items, the status and the summary.

use serde::Serialize;

use crate::dataset::{Coverage, CoverageLayer};
use crate::family::risks::RiskOut;
use crate::family::servitudes::ServitudeOut;
use crate::family::urba::UrbaFeatureOut;
use crate::family::zones::ZoneOut;
use crate::family::zoning::ZoningSection;
use crate::model::{Commune, Parcel, PlanDocument};
use crate::rules::{Covered, NearestParcel, PlanningStatus, ScopeKind, Sentence};

/// The analysed area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scope {
    /// Point, parcel or footprint.
    pub kind: ScopeKind,
    /// Area analysed in m² (parcel or footprint), computed from the geometry.
    pub area_m2: Option<f64>,
}

/// The full answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LookupAnswer {
    /// Reference point (the one asked, or a point inside the parcel or footprint), WGS84.
    pub lon: f64,
    /// Latitude of the reference point.
    pub lat: f64,
    /// When the lookup started from an address: what the geocoder found.
    pub location: Option<Location>,
    /// When that match is uncertain (low score or a close runner-up): the other candidates.
    pub alternatives: Vec<Location>,
    /// What was analysed.
    pub scope: Scope,
    /// The commune at the point.
    pub commune: Option<CommuneOut>,
    /// The parcel analysed, or the one under the point.
    pub parcel: Option<ParcelOut>,
    /// When the point is on no parcel: the nearest one within [`super::NEAREST_PARCEL_MAX_M`].
    pub nearest_parcel: Option<NearestParcel>,
    /// Which planning rules apply in the commune (PLU, PLUi, CC, RNU…, or unknown).
    pub status: PlanningStatus,
    /// The document that applies, when one is loaded.
    pub document: Option<DocumentOut>,
    /// Planning zones met.
    pub zones: Vec<ZoneOut>,
    /// Prescriptions met.
    pub prescriptions: Vec<UrbaFeatureOut>,
    /// Informations met.
    pub informations: Vec<UrbaFeatureOut>,
    /// Easements met.
    pub servitudes: Vec<ServitudeOut>,
    /// Risk-plan zones met.
    pub risks: Vec<RiskOut>,
    /// One section per zoning theme loaded (seismic zoning, noise plan…), covered here or not.
    pub zonings: Vec<ZoningSection>,
    /// Whether the loaded data covers the place, per layer family.
    pub coverage: CoverageOut,
    /// Plain-French sentences, most decisive first.
    pub summary: Vec<Sentence>,
    /// Things the user should know about the answer itself (geocoding doubts, upstream failures…).
    pub warnings: Vec<String>,
    /// Tolerance used for line and point features, in metres.
    pub tolerance_m: f64,
}

/// A commune as answered (its outline stays in the dataset).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommuneOut {
    /// INSEE code.
    pub insee: String,
    /// Official name.
    pub name: String,
    /// True when no boundary file was loaded for it and its outline is the hull of its parcels.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

impl From<&Commune> for CommuneOut {
    fn from(c: &Commune) -> Self {
        CommuneOut {
            insee: c.insee.clone(),
            name: c.name.clone(),
            approximate: c.approximate,
        }
    }
}

/// A parcel as answered (the model's fields but its geometry: see [`crate::family::zones::ZoneOut`]
/// for why answer types list their fields).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParcelOut {
    /// 14-character id: INSEE (5) + prefix (3) + section (2) + number (4).
    pub id: String,
    /// INSEE code of the commune.
    pub commune: String,
    /// Cadastral prefix, 3 digits (`000` in most communes).
    pub prefixe: String,
    /// Cadastral section, 2 characters (`0A`, `AB`).
    pub section: String,
    /// Number in the section, 4 digits.
    pub numero: String,
    /// Declared area in m² (`contenance`), when the source gives one.
    pub contenance: Option<f64>,
    /// The parcel's whole geometry (WGS84, 6 decimals, RFC 7946 winding), only when the lookup
    /// is asked with `geometry=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
}

impl From<&Parcel> for ParcelOut {
    fn from(p: &Parcel) -> Self {
        ParcelOut {
            id: p.id.clone(),
            commune: p.commune.clone(),
            prefixe: p.prefixe.clone(),
            section: p.section.clone(),
            numero: p.numero.clone(),
            contenance: p.contenance,
            geometry: None,
        }
    }
}

/// A geocoded address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Location {
    /// Full label, as the geocoder writes it.
    pub label: String,
    /// Relevance, 0–1.
    pub score: f64,
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// BAN type: `housenumber`, `street`, `locality`, `municipality`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `local` (embedded index) or `upstream` (configured remote geocoder).
    pub source: String,
    /// The number is not in the BAN and its position was interpolated.
    pub interpolated: bool,
}

/// A planning document as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentOut {
    /// The document's CNIG fields.
    #[serde(flatten)]
    pub document: PlanDocument,
    /// Regulation text: `urlreg` when the data gives one, else the file name.
    pub reglement: Option<String>,
    /// Graphic regulation (plan): `urlplan`, else the file name.
    pub plan: Option<String>,
}

impl From<&PlanDocument> for DocumentOut {
    fn from(d: &PlanDocument) -> Self {
        DocumentOut {
            reglement: d.urlreg.clone().or_else(|| d.nomreg.clone()),
            plan: d.urlplan.clone().or_else(|| d.nomplan.clone()),
            document: d.clone(),
        }
    }
}

/// Whether the loaded data covers the place, per layer family, and which sources do.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct CoverageOut {
    /// Whether a commune boundary is loaded at the place.
    pub commune: bool,
    /// Whether cadastral parcels are loaded there.
    pub cadastre: bool,
    /// Whether a planning document's data covers it.
    pub planning: bool,
    /// Whether easement data covers it.
    pub servitudes: bool,
    /// Whether risk data covers it.
    pub risks: bool,
    /// For the planning document that applies: which of its layers its delivery gave
    /// (`delivered`, `not_delivered`, `unreadable`), so that no prescription here is told from
    /// prescriptions not delivered.
    pub planning_layers: Option<crate::model::DeliveredLayers>,
    /// The sources whose coverage includes the place.
    pub sources: Vec<CoverageSource>,
}

impl CoverageOut {
    /// The flags as decided, with the document's layers and the sources behind them.
    pub fn new(
        c: Covered,
        planning_layers: Option<crate::model::DeliveredLayers>,
        sources: Vec<CoverageSource>,
    ) -> Self {
        CoverageOut {
            planning_layers,
            commune: c.commune,
            cadastre: c.cadastre,
            planning: c.planning,
            servitudes: c.servitudes,
            risks: c.risks,
            sources,
        }
    }
}

/// A source whose coverage includes the place.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageSource {
    /// The layer family.
    pub layer: CoverageLayer,
    /// The source's name (delivery folder, procedure code…).
    pub source: String,
    /// What it covers within its family (a SUP category, a zoning theme key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// How its coverage was established (`commune 30014`, `périmètre du plan`…).
    pub basis: String,
}

impl From<&Coverage> for CoverageSource {
    fn from(c: &Coverage) -> Self {
        CoverageSource {
            layer: c.layer,
            source: c.source.clone(),
            scope: c.scope.clone(),
            basis: c.basis.clone(),
        }
    }
}
