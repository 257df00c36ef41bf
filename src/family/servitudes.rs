//! Public-utility easements (CNIG SUP: an assiette joined to its générateur, servitude and act).

use geo::Rect;
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use super::{props, source, Answered, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use crate::model::{ActeSup, Servitude};
use crate::nomenclature::nomenclature;
use crate::rules::{french_date, share_text, Context, Hit, HitFinding, SentenceKind, SourceRef};

/// The easements family.
pub struct Servitudes;

/// An easement as answered.
///
/// Its fields are the public JSON (`docs/api.md`), kept apart from the model's on purpose: the
/// model's internal links (origin, geometry, table indices) stay out, labels and the hit come in.
#[derive(Debug, Clone, Serialize)]
pub struct ServitudeOut {
    /// SUP category code (`AC1`, `PM3`, `INT1`…).
    pub categorie: String,
    /// Label from the CNIG list; absent for the few codes it does not name.
    pub categorie_label: Option<&'static str>,
    /// Id of the assiette (`IdAss`).
    pub id_ass: String,
    /// Name of the assiette (`nomAss`).
    pub nom_ass: Option<String>,
    /// Type of the assiette (`typeAss`).
    pub type_ass: Option<String>,
    /// Id of the générateur (`IdGen`): the monument, pipe, line… protected.
    pub id_gen: Option<String>,
    /// Name of the générateur (`nomGen`).
    pub nom_gen: Option<String>,
    /// Type of the générateur (`typeGen`).
    pub type_gen: Option<String>,
    /// Id of the servitude (`IdSup`).
    pub id_sup: Option<String>,
    /// Name of the servitude (`nomSup`).
    pub nom_sup: Option<String>,
    /// Plain-language name of the servitude (`nomSupLitt`).
    pub nom_sup_litt: Option<String>,
    /// The act that instituted it, when the delivery links one.
    pub acte: Option<ActeSup>,
    /// At the point, or area and share on a parcel/footprint.
    #[serde(flatten)]
    pub hit: Hit,
    /// The assiette's layer and `file#feature`.
    pub source: SourceRef,
}

impl Family for Servitudes {
    type Feature = Servitude;

    fn info(&self, _: &Dataset) -> LayerInfo {
        LayerInfo::new("servitudes", "Servitudes d'utilité publique", "servitudes")
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<Servitude> {
        &data.servitudes
    }

    fn map_properties(&self, _: &Dataset, s: &Servitude, _: Rect<f64>) -> JsonObject {
        props(json!({
            "categorie": s.categorie,
            "categorie_label": nomenclature().sup_category(&s.categorie),
            "name": s.nom_sup_litt.as_ref().or(s.nom_gen.as_ref()).or(s.nom_ass.as_ref()),
            "id_ass": s.id_ass,
        }))
    }
}

impl Answered for Servitudes {
    type Item = ServitudeOut;

    fn item(&self, _: &Dataset, s: &Servitude, hit: Hit) -> ServitudeOut {
        ServitudeOut {
            categorie: s.categorie.clone(),
            categorie_label: nomenclature().sup_category(&s.categorie),
            id_ass: s.id_ass.clone(),
            nom_ass: s.nom_ass.clone(),
            type_ass: s.type_ass.clone(),
            id_gen: s.id_gen.clone(),
            nom_gen: s.nom_gen.clone(),
            type_gen: s.type_gen.clone(),
            id_sup: s.id_sup.clone(),
            nom_sup: s.nom_sup.clone(),
            nom_sup_litt: s.nom_sup_litt.clone(),
            acte: s.acte.clone(),
            hit,
            source: source("assiette_sup", &s.origin),
        }
    }
}

impl HitFinding for ServitudeOut {
    fn hit(&self) -> &Hit {
        &self.hit
    }

    fn source(&self) -> &SourceRef {
        &self.source
    }

    fn marginal_name(&self) -> String {
        format!("servitude {}", self.categorie)
    }

    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String) {
        let mut text = format!(
            "Servitude {} ({})",
            self.categorie,
            self.categorie_label
                .unwrap_or("catégorie sans libellé dans la nomenclature")
        );
        let what = self
            .nom_sup_litt
            .as_deref()
            .or(self.nom_gen.as_deref())
            .or(self.nom_ass.as_deref());
        if let Some(w) = what {
            text.push_str(&format!(" : {w}"));
        }
        if let Some(t) = &self.type_ass {
            text.push_str(&format!(" — {}", t.to_lowercase()));
        }
        text.push_str(&share_text(self.hit.share_pct(), ctx.scope));
        if let Some(acte) = &self.acte {
            text.push_str(&format!(". Acte : {}", act_text(acte)));
        }
        text.push('.');
        (SentenceKind::Servitude, text)
    }
}

/// `arrêté 2003-12 du 01/02/2003`: the act's type, reference and date, as far as the data says.
fn act_text(acte: &ActeSup) -> String {
    let mut act = acte.type_acte.clone().unwrap_or_else(|| "acte".into());
    if let Some(r) = &acte.reference {
        act.push_str(&format!(" {r}"));
    }
    if let Some(d) = &acte.date_decision {
        act.push_str(&format!(" du {}", french_date(d)));
    }
    act
}
