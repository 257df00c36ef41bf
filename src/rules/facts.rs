//! The facts the rules decide from: what was analysed, the place, the planning document and what
//! the loaded data covers. [`crate::lookup`] establishes them from the dataset; the rules never see
//! the dataset or the answer.

use crate::model::{Commune, Parcel, PlanDocument};

use super::finding::ScopeKind;

/// Whether the loaded data covers the place, per layer family ("no zone here" is not "no data here").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Covered {
    /// A commune boundary is loaded at the place.
    pub commune: bool,
    /// Cadastral parcels are loaded there.
    pub cadastre: bool,
    /// A planning document's data covers it.
    pub planning: bool,
    /// Easement data covers it.
    pub servitudes: bool,
    /// Risk data covers it.
    pub risks: bool,
}

/// The parcel nearest to a point that lies on none.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct NearestParcel {
    /// Its 14-character id.
    pub id: String,
    /// Distance from the point to the parcel's edge, in metres.
    pub distance_m: f64,
}

/// Everything the status and the summary are decided from.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Point, parcel or footprint.
    pub scope: ScopeKind,
    /// Area analysed in m² (parcel or footprint).
    pub area_m2: Option<f64>,
    /// The commune at the place.
    pub commune: Option<&'a Commune>,
    /// The parcel analysed or under the point.
    pub parcel: Option<&'a Parcel>,
    /// When the point is on no parcel: the nearest one.
    pub nearest_parcel: Option<&'a NearestParcel>,
    /// The planning document that applies, if one is loaded here.
    pub document: Option<&'a PlanDocument>,
    /// The manifest declares the planning data complete for this commune: no document means RNU.
    pub planning_declared_complete: bool,
    /// What the loaded data covers.
    pub covered: Covered,
    /// Whether any planning zone meets the place.
    pub has_zones: bool,
    /// Whether any risk zone meets the place.
    pub has_risks: bool,
    /// The risk plans covering the place, named with their hazards (`PPRT … (risques
    /// technologiques)`): what the risk check covered.
    pub risk_plans: &'a [String],
    /// Keys of the zoning themes whose maps cover the place (`sismicite`, `carrieres`…).
    pub zoning_themes: &'a [String],
}
