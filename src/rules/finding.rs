//! What the rules are given: how a feature meets what was analysed ([`Hit`]), where it comes from
//! ([`SourceRef`]), and the [`Finding`] trait through which each layer family's answer items speak in
//! the summary.

use serde::Serialize;

use crate::analysis::Overlap;
use crate::model::PlanDocument;

use super::sentence::{Sentence, SentenceKind};

/// What was analysed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// A point outside any parcel (or where no cadastre is loaded).
    Point,
    /// The parcel under the point, or the one asked for.
    Parcel,
    /// A project footprint sent by the client.
    Footprint,
}

/// How a feature meets what was analysed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hit {
    /// Whether the feature is under the point itself (the marker).
    pub at_point: bool,
    /// For parcels and footprints: area and share covered.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = overlap_if_any)]
    pub overlap: Option<Overlap>,
}

/// The schema of [`Hit::overlap`]: the fields of [`Overlap`], all absent at a point (utoipa would
/// describe a flattened `Option` as possibly `null`, which a flattened field never is).
fn overlap_if_any() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let mut schema = <Overlap as utoipa::PartialSchema>::schema();
    if let utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(o)) = &mut schema {
        o.required.clear();
    }
    schema
}

impl Hit {
    /// Whether the overlap is too small to be more than boundary noise (see
    /// [`crate::analysis::MARGINAL_SHARE`]).
    pub fn is_marginal(&self) -> bool {
        self.overlap.is_some_and(|o| o.marginal)
    }

    /// Share of the parcel or footprint covered, in percent, for areal features.
    pub fn share_pct(&self) -> Option<f64> {
        self.overlap.and_then(|o| o.share_pct)
    }
}

/// Where a piece of an answer comes from: the layer and the feature (`file#number`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SourceRef {
    /// The layer family (`zone_urba`, `assiette_sup`, `zone_risque`, `zonage`…).
    pub layer: &'static str,
    /// The feature: `file#number`, as [`crate::model::Origin::id`] writes it.
    pub id: String,
}

/// What every finding's sentence may need to know about the answer as a whole.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// What was analysed (shares read "de la parcelle" or "de l'emprise").
    pub scope: ScopeKind,
    /// The planning document that applies, if known (zones are named "du PLU approuvé le …").
    pub document: Option<&'a PlanDocument>,
}

/// An answer item that speaks in the summary: each layer family's item implements it, so the
/// summary orders sentences without knowing the families.
pub trait Finding {
    /// The sentences this item contributes (none when marginal), each with its kind, which fixes
    /// its place in the summary.
    fn sentences(&self, ctx: &Context<'_>) -> Vec<Sentence>;

    /// How to name this item in the sentence listing marginal overlaps, when it is one.
    fn marginal(&self) -> Vec<(String, SourceRef)>;
}

/// The answer item of one hit, as the summary sees it: most families' items. Marginal items say
/// nothing but their name in the marginal-overlaps sentence; the others say their sentence, which
/// cites the item. [`Finding`] follows from it.
pub trait HitFinding {
    /// How the item meets what was analysed.
    fn hit(&self) -> &Hit;

    /// The feature the item comes from.
    fn source(&self) -> &SourceRef;

    /// How the marginal-overlaps sentence names it (`zone Ua`, `servitude AC1`…).
    fn marginal_name(&self) -> String;

    /// Its sentence when it is not marginal: its kind (its place in the summary) and its text.
    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String);

    /// Sentences that follow it, citing other sources (a zone's key rules cite its regulation).
    fn following(&self) -> Vec<Sentence> {
        Vec::new()
    }
}

impl<T: HitFinding> Finding for T {
    fn sentences(&self, ctx: &Context<'_>) -> Vec<Sentence> {
        if self.hit().is_marginal() {
            return Vec::new();
        }
        let (kind, text) = self.sentence(ctx);
        let mut out = vec![Sentence::new(kind, text, vec![self.source().clone()])];
        out.extend(self.following());
        out
    }

    fn marginal(&self) -> Vec<(String, SourceRef)> {
        if self.hit().is_marginal() {
            vec![(self.marginal_name(), self.source().clone())]
        } else {
            Vec::new()
        }
    }
}
