//! The shape of an answer, as serialised to JSON (documented in `docs/api.md`).

use serde::Serialize;

use crate::analysis::Overlap;
use crate::dataset::{Coverage, CoverageLayer};
use crate::model::{ActeSup, Commune, Parcel, PlanDocument, RiskPlanKind};
use crate::nomenclature::RegulationEffect;
use crate::rules::status::PlanningStatus;
use crate::rules::summary::Sentence;

/// Where a piece of an answer comes from: the layer and the feature (`file#number`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceRef {
    pub layer: &'static str,
    pub id: String,
}

/// What was analysed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// A point outside any parcel (or where no cadastre is loaded).
    Point,
    /// The parcel under the point, or the one asked for.
    Parcel,
    /// A project footprint sent by the client.
    Footprint,
}

/// The analysed area.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub kind: ScopeKind,
    /// Area analysed in m² (parcel or footprint), computed from the geometry.
    pub area_m2: Option<f64>,
}

/// How a feature meets what was analysed.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Hit {
    /// Whether the feature is under the point itself (the marker).
    pub at_point: bool,
    /// For parcels and footprints: area and share covered.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<Overlap>,
}

/// The full answer.
#[derive(Debug, Clone, Serialize)]
pub struct LookupAnswer {
    /// Reference point (the one asked, or a point inside the parcel or footprint), WGS84.
    pub lon: f64,
    pub lat: f64,
    /// When the lookup started from an address: what the geocoder found.
    pub location: Option<Location>,
    /// When that match is uncertain (low score or a close runner-up): the other candidates.
    pub alternatives: Vec<Location>,
    pub scope: Scope,
    pub commune: Option<CommuneOut>,
    pub parcel: Option<ParcelOut>,
    /// When the point is on no parcel: the nearest one within [`super::NEAREST_PARCEL_MAX_M`].
    pub nearest_parcel: Option<NearestParcel>,
    /// Which planning rules apply in the commune (PLU, PLUi, CC, RNU…, or unknown).
    pub status: PlanningStatus,
    pub document: Option<DocumentOut>,
    pub zones: Vec<ZoneOut>,
    pub prescriptions: Vec<UrbaFeatureOut>,
    pub informations: Vec<UrbaFeatureOut>,
    pub servitudes: Vec<ServitudeOut>,
    pub risks: Vec<RiskOut>,
    pub coverage: CoverageOut,
    /// Plain-French sentences, most decisive first.
    pub summary: Vec<Sentence>,
    /// Things the user should know about the answer itself (geocoding doubts, upstream failures…).
    pub warnings: Vec<String>,
    /// Tolerance used for line and point features, in metres.
    pub tolerance_m: f64,
}

/// A commune as answered (its outline stays in the dataset).
#[derive(Debug, Clone, Serialize)]
pub struct CommuneOut {
    pub insee: String,
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

/// A parcel as answered.
#[derive(Debug, Clone, Serialize)]
pub struct ParcelOut {
    /// 14-character id: INSEE (5) + prefix (3) + section (2) + number (4).
    pub id: String,
    pub commune: String,
    pub prefixe: String,
    pub section: String,
    pub numero: String,
    /// Declared area in m² (`contenance`), when the source gives one.
    pub contenance: Option<f64>,
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
        }
    }
}

/// A geocoded address.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub label: String,
    pub score: f64,
    pub lon: f64,
    pub lat: f64,
    /// BAN type: `housenumber`, `street`, `locality`, `municipality`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `local` (embedded index) or `upstream` (configured remote geocoder).
    pub source: String,
    /// The number is not in the BAN and its position was interpolated.
    pub interpolated: bool,
}

/// The parcel nearest to a point that lies on none.
#[derive(Debug, Clone, Serialize)]
pub struct NearestParcel {
    pub id: String,
    pub distance_m: f64,
}

/// A planning document as answered.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentOut {
    #[serde(flatten)]
    pub document: PlanDocument,
    /// Regulation text: `urlreg` when the data gives one, else the file name.
    pub reglement: Option<String>,
    /// Graphic regulation (plan): `urlplan`, else the file name.
    pub plan: Option<String>,
}

/// A zone as answered, with the meaning of its codes.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneOut {
    pub libelle: String,
    pub libelong: Option<String>,
    pub typezone: String,
    pub typezone_label: Option<&'static str>,
    pub destdomi: Option<String>,
    pub destdomi_label: Option<&'static str>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    /// The regulation to read: `urlfic` when given, else `nomfic`.
    pub reglement: Option<String>,
    pub idurba: Option<String>,
    #[serde(flatten)]
    pub hit: Hit,
    pub source: SourceRef,
}

/// A prescription or information as answered.
#[derive(Debug, Clone, Serialize)]
pub struct UrbaFeatureOut {
    /// Type code (`TYPEPSC`/`TYPEINF`) and sub-type.
    pub code: String,
    pub subcode: Option<String>,
    /// Label of the type in the CNIG code list.
    pub label: Option<&'static str>,
    pub libelle: String,
    pub txt: Option<String>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    pub reglement: Option<String>,
    #[serde(flatten)]
    pub hit: Hit,
    pub source: SourceRef,
}

/// An easement as answered.
#[derive(Debug, Clone, Serialize)]
pub struct ServitudeOut {
    pub categorie: String,
    /// Label from the CNIG list; absent for the few codes it does not name.
    pub categorie_label: Option<&'static str>,
    pub id_ass: String,
    pub nom_ass: Option<String>,
    pub type_ass: Option<String>,
    pub id_gen: Option<String>,
    pub nom_gen: Option<String>,
    pub type_gen: Option<String>,
    pub id_sup: Option<String>,
    pub nom_sup: Option<String>,
    pub nom_sup_litt: Option<String>,
    pub acte: Option<ActeSup>,
    #[serde(flatten)]
    pub hit: Hit,
    pub source: SourceRef,
}

/// A risk-plan zone as answered.
#[derive(Debug, Clone, Serialize)]
pub struct RiskOut {
    pub procedure: String,
    pub kind: RiskPlanKind,
    pub plan: String,
    pub plan_date: Option<String>,
    pub zone_code: String,
    pub zone_label: String,
    pub regulation: Option<String>,
    pub regulation_label: Option<&'static str>,
    pub effect: RegulationEffect,
    pub url: Option<String>,
    /// SUP category under which the same plan is also published (PM1, PM3), shown here once.
    pub also_servitude: Option<String>,
    #[serde(flatten)]
    pub hit: Hit,
    pub source: SourceRef,
}

/// Whether the loaded data covers the place, per layer family, and which sources do.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CoverageOut {
    pub commune: bool,
    pub cadastre: bool,
    pub planning: bool,
    pub servitudes: bool,
    pub risks: bool,
    pub sources: Vec<CoverageSource>,
}

/// A source whose coverage includes the place.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageSource {
    pub layer: CoverageLayer,
    pub source: String,
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
