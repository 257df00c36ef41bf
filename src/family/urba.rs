//! Prescriptions and informations of planning documents (CNIG `PRESCRIPTION_SURF/LIN/PCT`,
//! `INFO_SURF/LIN/PCT`): one family type, two layers.

use geo::Rect;
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use super::{props, source, Answered, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use crate::model::{UrbaFeature, UrbaFeatureKind};
use crate::nomenclature::nomenclature;
use crate::rules::{share_text, Context, Hit, HitFinding, SentenceKind, SourceRef};

/// The prescriptions or the informations of planning documents.
pub struct Urba(pub UrbaFeatureKind);

/// The prescriptions family.
pub const PRESCRIPTIONS: Urba = Urba(UrbaFeatureKind::Prescription);
/// The informations family.
pub const INFORMATIONS: Urba = Urba(UrbaFeatureKind::Information);

/// A prescription or information as answered.
///
/// Its fields are the public JSON (`docs/api.md`), kept apart from the model's on purpose: the
/// model's internal links (origin, geometry, table indices) stay out, labels and the hit come in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UrbaFeatureOut {
    /// Prescription or information (the answer lists them apart).
    #[serde(skip)]
    pub kind: UrbaFeatureKind,
    /// Type code (`TYPEPSC`/`TYPEINF`) and sub-type.
    pub code: String,
    /// Sub-type code (`STYPEPSC`/`STYPEINF`), absent in the 2014 standard.
    pub subcode: Option<String>,
    /// Label of the type in the CNIG code list.
    pub label: Option<&'static str>,
    /// Its name as the document writes it (`LIBELLE`).
    pub libelle: String,
    /// Free text (`TXT`).
    pub txt: Option<String>,
    /// File name of its regulation (`NOMFIC`).
    pub nomfic: Option<String>,
    /// Link to its regulation (`URLFIC`).
    pub urlfic: Option<String>,
    /// The regulation to read: `urlfic` when given, else `nomfic`.
    pub reglement: Option<String>,
    /// What the type means for a project (`plu_effets.csv`, or "read the regulation").
    pub effect: String,
    /// The articles the effect rests on.
    pub legal_basis: String,
    /// What the wording of `effect` was written from.
    pub effect_source: String,
    /// At the point, or area and share on a parcel/footprint.
    #[serde(flatten)]
    pub hit: Hit,
    /// The feature's layer and `file#feature`.
    pub source: SourceRef,
    /// The feature's whole geometry (WGS84, 6 decimals, RFC 7946 winding), only when the lookup
    /// is asked with `geometry=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
}

/// The CNIG label of a prescription or information type.
fn type_label(f: &UrbaFeature) -> Option<&'static str> {
    let n = nomenclature();
    match f.kind {
        UrbaFeatureKind::Prescription => n.prescription(&f.code, f.subcode.as_deref()),
        UrbaFeatureKind::Information => n.information(&f.code, f.subcode.as_deref()),
    }
}

impl Family for Urba {
    type Feature = UrbaFeature;
    type Layer = SpatialLayer<UrbaFeature>;

    fn info(&self, _: &Dataset) -> LayerInfo {
        let (name, label) = match self.0 {
            UrbaFeatureKind::Prescription => ("prescriptions", "Prescriptions du PLU"),
            UrbaFeatureKind::Information => ("informations", "Informations du PLU"),
        };
        LayerInfo {
            // Many small symbols: drawn on demand.
            default_on: false,
            ..LayerInfo::new(name, label, name)
        }
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<UrbaFeature> {
        match self.0 {
            UrbaFeatureKind::Prescription => &data.prescriptions,
            UrbaFeatureKind::Information => &data.informations,
        }
    }

    fn map_properties(&self, _: &Dataset, f: &UrbaFeature, _: Rect<f64>) -> JsonObject {
        props(json!({
            "code": f.code, "subcode": f.subcode, "libelle": f.libelle, "label": type_label(f),
        }))
    }
}

impl Answered for Urba {
    type Item = UrbaFeatureOut;

    fn item(&self, _: &Dataset, f: &UrbaFeature, hit: Hit) -> UrbaFeatureOut {
        let layer = match f.kind {
            UrbaFeatureKind::Prescription => "prescription",
            UrbaFeatureKind::Information => "information",
        };
        let meaning = nomenclature().urba_meaning(
            f.kind == UrbaFeatureKind::Information,
            &f.code,
            f.subcode.as_deref(),
        );
        UrbaFeatureOut {
            kind: f.kind,
            code: f.code.clone(),
            subcode: f.subcode.clone(),
            label: type_label(f),
            libelle: f.libelle.clone(),
            txt: f.txt.clone(),
            nomfic: f.nomfic.clone(),
            urlfic: f.urlfic.clone(),
            reglement: f.urlfic.clone().or_else(|| f.nomfic.clone()),
            effect: meaning.effect,
            legal_basis: meaning.legal_basis,
            effect_source: meaning.source,
            hit,
            source: source(layer, &f.origin),
            geometry: None,
        }
    }
}

impl UrbaFeatureOut {
    /// Prescription types that forbid building or reserve the land rather than condition it (CNIG
    /// TYPEPSC-STYPEPSC): 01 espace boisé classé, 02-01 secteur d'interdiction de constructibilité,
    /// 05 emplacement réservé (including 05-07, secteur en attente de projet).
    fn is_restrictive(&self) -> bool {
        match self.code.as_str() {
            "01" | "05" => true,
            "02" => self.subcode.as_deref() == Some("01"),
            _ => false,
        }
    }

    /// `{what} : {type label} — {libelle}`: the CNIG label first, the plan's own wording after.
    fn heading(&self, what: &str) -> String {
        let label = self.label.unwrap_or(&self.libelle);
        let mut text = format!("{what} : {label}");
        if !self.libelle.is_empty() && self.libelle != label {
            text.push_str(&format!(" — {}", self.libelle));
        }
        text
    }

    /// ` Effet : … (base légale).`, and for a reserved site what the data says of it: the CNIG
    /// fields carry its purpose in LIBELLE/TXT (shown in the heading) but no beneficiary.
    fn meaning(&self) -> String {
        let mut text = format!(" Effet : {} ({}).", self.effect, self.legal_basis);
        if self.kind == UrbaFeatureKind::Prescription && self.code == "05" {
            text.push_str(" Bénéficiaire : non porté par les données (voir la liste des emplacements réservés du document).");
        }
        text
    }
}

impl HitFinding for UrbaFeatureOut {
    fn hit(&self) -> &Hit {
        &self.hit
    }

    fn source(&self) -> &SourceRef {
        &self.source
    }

    fn marginal_name(&self) -> String {
        self.libelle.clone()
    }

    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String) {
        let share = share_text(self.hit.share_pct(), ctx.scope);
        match self.kind {
            UrbaFeatureKind::Prescription => {
                let mut text = self.heading("Prescription");
                if let Some(t) = &self.txt {
                    text.push_str(&format!(" ({t})"));
                }
                text.push_str(&share);
                text.push('.');
                text.push_str(&self.meaning());
                if let Some(r) = &self.reglement {
                    text.push_str(&format!(" Document : {r}."));
                }
                let kind = if self.is_restrictive() {
                    SentenceKind::Ban
                } else {
                    SentenceKind::Condition
                };
                (kind, text)
            }
            UrbaFeatureKind::Information => (
                SentenceKind::Information,
                format!("{}{share}.{}", self.heading("Information"), self.meaning()),
            ),
        }
    }
}
