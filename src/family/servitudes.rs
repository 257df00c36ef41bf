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
use crate::rules::{
    french_date, share_text, Context, Finding, Hit, HitFinding, Sentence, SentenceKind, SourceRef,
};

/// What is said of a category the national nomenclature does not describe (the codes of the SHP
/// list missing from the category table): its own act is the only source.
const UNKNOWN_EFFECT: &str = "Catégorie absente de la nomenclature nationale des servitudes : effet à lire dans l'acte instituant la servitude";
const UNKNOWN_CONSULT: &str = "Gestionnaire de la servitude (voir l'acte)";
const UNKNOWN_BASIS: &str = "Acte instituant la servitude";

/// The easements family.
pub struct Servitudes;

/// An easement as answered.
///
/// Its fields are the public JSON (`docs/api.md`), kept apart from the model's on purpose: the
/// model's internal links (origin, geometry, table indices) stay out, labels and the hit come in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// What the category means for a building project (`sup_effets.csv`).
    pub effect: &'static str,
    /// Who is consulted or must agree.
    pub consult: &'static str,
    /// The code and articles that found the category.
    pub legal_basis: &'static str,
    /// At the point, or area and share on a parcel/footprint.
    #[serde(flatten)]
    pub hit: Hit,
    /// The assiette's layer and `file#feature`.
    pub source: SourceRef,
    /// The feature's whole geometry (WGS84, 6 decimals, RFC 7946 winding), only when the lookup
    /// is asked with `geometry=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
}

impl Family for Servitudes {
    type Feature = Servitude;
    type Layer = SpatialLayer<Servitude>;

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
        let entry = nomenclature().sup_entry(&s.categorie);
        ServitudeOut {
            categorie: s.categorie.clone(),
            categorie_label: entry.map(|c| c.label.as_str()),
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
            effect: entry.map_or(UNKNOWN_EFFECT, |c| c.effect.as_str()),
            consult: entry.map_or(UNKNOWN_CONSULT, |c| c.consult.as_str()),
            legal_basis: entry.map_or(UNKNOWN_BASIS, |c| c.legal_basis.as_str()),
            hit,
            source: source("assiette_sup", &s.origin),
            geometry: None,
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
        let mut text = format!("Servitude {}", self.category());
        if let Some(w) = self.what() {
            text.push_str(&format!(" : {w}"));
        }
        text.push_str(&self.assiette_kind());
        text.push_str(&share_text(self.hit.share_pct(), ctx.scope));
        if let Some(acte) = &self.acte {
            text.push_str(&format!(". Acte : {}", act_text(acte)));
        }
        text.push_str(&format!(". {}", self.meaning()));
        (SentenceKind::Servitude, text)
    }
}

impl ServitudeOut {
    /// `AC1 (Servitude relative aux monuments historiques…)`.
    fn category(&self) -> String {
        format!(
            "{} ({})",
            self.categorie,
            self.categorie_label
                .unwrap_or("catégorie sans libellé dans la nomenclature")
        )
    }

    /// What the easement protects, by the most specific name the data gives.
    fn what(&self) -> Option<&str> {
        self.nom_sup_litt
            .as_deref()
            .or(self.nom_gen.as_deref())
            .or(self.nom_ass.as_deref())
    }

    /// ` — périmètre de protection`, or nothing.
    fn assiette_kind(&self) -> String {
        self.type_ass
            .as_ref()
            .map(|t| format!(" — {}", t.to_lowercase()))
            .unwrap_or_default()
    }

    /// What it means for a project, who to consult and on what basis, as one closing passage.
    fn meaning(&self) -> String {
        format!(
            "Effet : {}. Consultation : {}. Base légale : {}.",
            self.effect, self.consult, self.legal_basis
        )
    }
}

/// The easements speak as a whole: repeated assiettes of one category and kind (fifteen
/// perimeters of historic monuments) make one sentence naming their générateurs, where one
/// sentence each would bury the rest of the summary. The answer's list stays one item per assiette.
impl Finding for Vec<ServitudeOut> {
    fn sentences(&self, ctx: &Context<'_>) -> Vec<Sentence> {
        let mut groups: Vec<Vec<&ServitudeOut>> = Vec::new();
        for s in self.iter().filter(|s| !s.hit.is_marginal()) {
            let same = |g: &&mut Vec<&ServitudeOut>| {
                g[0].categorie == s.categorie && g[0].type_ass == s.type_ass
            };
            match groups.iter_mut().find(same) {
                Some(g) => g.push(s),
                None => groups.push(vec![s]),
            }
        }
        groups
            .into_iter()
            .flat_map(|g| match g.as_slice() {
                [one] => one.sentences(ctx),
                many => vec![group_sentence(many)],
            })
            .collect()
    }

    fn marginal(&self) -> Vec<(String, SourceRef)> {
        self.iter().flat_map(Finding::marginal).collect()
    }
}

/// `10 assiettes de la servitude AC1 (…) — périmètre de protection : A, B, Maison (2) . Effet : …`
fn group_sentence(group: &[&ServitudeOut]) -> Sentence {
    let first = group[0];
    // Names in order of appearance, a repeated name counted once with its number.
    let mut names: Vec<(&str, usize)> = Vec::new();
    for s in group {
        let name = s.what().unwrap_or("sans nom");
        match names.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => names.push((name, 1)),
        }
    }
    let names: Vec<String> = names
        .into_iter()
        .map(|(n, count)| match count {
            1 => n.to_string(),
            c => format!("{n} ({c})"),
        })
        .collect();
    let text = format!(
        "{} assiettes de la servitude {}{} : {}. {}",
        group.len(),
        first.category(),
        first.assiette_kind(),
        names.join(", "),
        first.meaning()
    );
    Sentence::new(
        SentenceKind::Servitude,
        text,
        group.iter().map(|s| s.source.clone()).collect(),
    )
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
