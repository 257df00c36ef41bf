//! A sentence of the summary and its kind, and the small French wording helpers the families share.

use serde::Serialize;

use super::finding::{ScopeKind, SourceRef};

/// What a sentence is about, so a client can style or filter it. The order of the variants is the
/// order of the summary: the place, the planning regime and zones, what forbids building, what
/// conditions it, easements, zoning maps, information, marginal overlaps, what was not checked.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// The place: commune, parcel, nearest parcel.
    Location,
    /// The planning regime and zones.
    Planning,
    /// What forbids building (risk-plan ban zones, forbidding prescriptions).
    Ban,
    /// What allows building only under conditions.
    Condition,
    /// An easement.
    Servitude,
    /// A zone of a zoning map (seismic zoning, noise plan…).
    Zoning,
    /// An information of the planning document.
    Information,
    /// An overlap too small to be more than boundary noise.
    Marginal,
    /// What the loaded data does not cover.
    Coverage,
}

/// One sentence of the summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sentence {
    /// What the sentence is about (its place in the summary).
    pub kind: SentenceKind,
    /// The sentence, in French.
    pub text: String,
    /// The features the sentence comes from.
    pub sources: Vec<SourceRef>,
}

impl Sentence {
    /// A sentence of `kind`.
    pub fn new(kind: SentenceKind, text: impl Into<String>, sources: Vec<SourceRef>) -> Sentence {
        Sentence {
            kind,
            text: text.into(),
            sources,
        }
    }
}

/// ` (42 % de la parcelle)`, or nothing for a point or a line.
///
/// ```
/// use urbaclic::rules::{share_text, ScopeKind};
/// assert_eq!(share_text(Some(42.4), ScopeKind::Parcel), " (42 % de la parcelle)");
/// assert_eq!(share_text(Some(3.27), ScopeKind::Footprint), " (3,3 % de l'emprise)");
/// assert_eq!(share_text(Some(99.96), ScopeKind::Parcel), " (100 % de la parcelle)");
/// assert_eq!(share_text(None, ScopeKind::Point), "");
/// ```
pub fn share_text(share: Option<f64>, scope: ScopeKind) -> String {
    let of = match scope {
        ScopeKind::Footprint => "de l'emprise",
        _ => "de la parcelle",
    };
    match share {
        Some(s) if s >= 99.95 => format!(" (100 % {of})"),
        Some(s) => format!(" ({} % {of})", french_number(s)),
        None => String::new(),
    }
}

/// A number the French way: no decimals from 10 on, one below, a comma for the point.
///
/// ```
/// assert_eq!(urbaclic::rules::french_number(12.6), "13");
/// assert_eq!(urbaclic::rules::french_number(4.24), "4,2");
/// ```
pub fn french_number(s: f64) -> String {
    let rounded = if s >= 10.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    };
    rounded.replace('.', ",")
}

/// `2017-10-13` → `13/10/2017`, the way dates are written in French documents.
///
/// ```
/// assert_eq!(urbaclic::rules::french_date("2017-10-13"), "13/10/2017");
/// assert_eq!(urbaclic::rules::french_date("n/a"), "n/a");
/// ```
pub fn french_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}
