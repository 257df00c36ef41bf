//! Zones of planning documents (CNIG `ZONE_URBA`, and `SECTEUR_CC` for a carte communale).

use geo::Rect;
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use super::{insert_label_at, props, source, Answered, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use std::sync::Arc;

use crate::model::ZoneUrba;
use crate::nomenclature::{destdomi_label, typesect_label, typezone_label, zone_family};
use crate::reglement::ZoneReglement;
use crate::rules::{
    french_date, share_text,
    status::{document_words, typedoc_name},
    Context, Hit, HitFinding, Sentence, SentenceKind, SourceRef,
};

/// The planning zones family.
pub struct Zones;

/// A zone as answered, with the meaning of its codes.
///
/// Its fields are the public JSON (`docs/api.md`), kept apart from the model's on purpose: the
/// model's internal links (origin, geometry, table indices) stay out, labels and the hit come in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ZoneOut {
    /// Short zone code (`LIBELLE`, e.g. `UA`, `1AUb`).
    pub libelle: String,
    /// Long zone name (`LIBELONG`).
    pub libelong: Option<String>,
    /// A carte communale sector (`SECTEUR_CC`) rather than a PLU zone.
    pub sector: bool,
    /// Zone type (`TYPEZONE`: `U`, `AUc`, `AUs`, `A`, `N`; `01`–`03` for a carte communale sector).
    pub typezone: String,
    /// Meaning of `typezone` in words; `None` for a code outside the CNIG list.
    pub typezone_label: Option<&'static str>,
    /// Dominant use (`DESTDOMI`, 2014 standard), two digits.
    pub destdomi: Option<String>,
    /// Meaning of `destdomi` in the CNIG list.
    pub destdomi_label: Option<&'static str>,
    /// File name of the zone's regulation (`NOMFIC`).
    pub nomfic: Option<String>,
    /// Link to the zone's regulation (`URLFIC`).
    pub urlfic: Option<String>,
    /// The regulation to read: `urlfic` when given, else `nomfic`.
    pub reglement: Option<String>,
    /// A link to open it: `urlfic` (or the document's `urlreg`) when a web address, else the
    /// delivered file under `/api/pieces/` with its `#page=`; `None` when neither is available.
    pub reglement_url: Option<String>,
    /// `IDURBA` of the document the zone belongs to.
    pub idurba: Option<String>,
    /// The zone's rules from the structured regulation (CNIG SRU) of its plan, when one is
    /// loaded: sections (text only; `/api/reglement` adds their HTML) and key rules.
    #[serde(serialize_with = "crate::reglement::serialize_text_only")]
    // Described as an object: `/api/reglement` documents the sections and key rules it carries.
    #[schema(value_type = Option<Object>)]
    pub regulation: Option<Arc<ZoneReglement>>,
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
}

impl Family for Zones {
    type Feature = ZoneUrba;
    type Layer = SpatialLayer<ZoneUrba>;

    fn info(&self, _: &Dataset) -> LayerInfo {
        LayerInfo::new("zones", "Zones du PLU", "zones")
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<ZoneUrba> {
        &data.zones
    }

    fn map_properties(&self, _: &Dataset, z: &ZoneUrba, view: Rect<f64>) -> JsonObject {
        let mut p = props(json!({
            "libelle": z.libelle, "libelong": z.libelong, "typezone": z.typezone,
            // U, AU, A or N: the colour family, so every client colours zones alike.
            "family": zone_family(&z.typezone),
            "idurba": z.idurba,
        }));
        insert_label_at(&mut p, &z.geometry, view);
        p
    }
}

impl Answered for Zones {
    type Item = ZoneOut;
    // A zone is a polygon: a point meets it inside, not near it.
    const TOLERANCE_M: f64 = 0.0;

    fn item(&self, data: &Dataset, z: &ZoneUrba, hit: Hit) -> ZoneOut {
        let document = z.document.and_then(|d| data.documents.get(d));
        let regulation = z
            .reglement_idurba(&data.documents)
            .and_then(|idurba| data.reglements.zone(idurba, &z.libelle));
        ZoneOut {
            sector: z.sector,
            libelle: z.libelle.clone(),
            libelong: z.libelong.clone(),
            typezone: z.typezone.clone(),
            typezone_label: if z.sector {
                typesect_label(&z.typezone)
            } else {
                typezone_label(&z.typezone)
            },
            destdomi: z.destdomi.clone(),
            destdomi_label: z.destdomi.as_deref().and_then(destdomi_label),
            nomfic: z.nomfic.clone(),
            urlfic: z.urlfic.clone(),
            reglement: z.urlfic.clone().or_else(|| z.nomfic.clone()),
            reglement_url: reglement_url(data, z, document),
            idurba: z.idurba.clone(),
            regulation,
            hit,
            source: source("zone_urba", &z.origin),
            geometry: None,
        }
    }
}

impl HitFinding for ZoneOut {
    fn hit(&self) -> &Hit {
        &self.hit
    }

    fn source(&self) -> &SourceRef {
        &self.source
    }

    fn marginal_name(&self) -> String {
        let kind = if self.sector { "secteur" } else { "zone" };
        format!("{kind} {}", self.libelle)
    }

    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String) {
        let doc_phrase = ctx.document.map(|d| {
            let words = document_words(&d.typedoc);
            let mut s = format!("{} {}", words.of_the, typedoc_name(&d.typedoc));
            if let Some(date) = &d.datappro {
                s.push_str(&format!(" {} le {}", words.approved, french_date(date)));
            }
            s
        });
        let mut text = format!(
            "{} {} {}{}",
            if self.sector { "Secteur" } else { "Zone" },
            self.libelle,
            doc_phrase.as_deref().unwrap_or("(document non identifié)"),
            share_text(self.hit.share_pct(), ctx.scope)
        );
        let long = self
            .libelong
            .as_deref()
            .filter(|l| !l.eq_ignore_ascii_case(&self.libelle));
        match (self.typezone_label, long) {
            (Some(m), Some(l)) => text.push_str(&format!(" : {m} — {l}")),
            (Some(m), None) => text.push_str(&format!(" : {m}")),
            (None, Some(l)) => text.push_str(&format!(" : {l}")),
            (None, None) => {}
        }
        text.push('.');
        let document_reglement = ctx
            .document
            .and_then(|d| d.urlreg.as_ref().or(d.nomreg.as_ref()));
        if let Some(r) = self.reglement.as_ref().or(document_reglement) {
            text.push_str(&format!(" Règlement : {r}."));
        }
        if self.regulation.is_none() {
            text.push_str(
                " Les règles de la zone ne sont pas chargées ici (pas de règlement structuré) : elles se lisent dans le règlement.",
            );
        }
        (SentenceKind::Planning, text)
    }

    fn following(&self) -> Vec<Sentence> {
        self.regulation
            .as_deref()
            .map(|r| vec![key_rules_sentence(r)])
            .unwrap_or_default()
    }
}

/// « Zone UB — règles clés lues dans le règlement : hauteur maximale 9 m au faîtage
/// (habitation) ; … Non trouvé dans le règlement : … », citing each section read.
fn key_rules_sentence(r: &ZoneReglement) -> Sentence {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut sources: Vec<SourceRef> = Vec::new();
    for rule in &r.key_rules {
        if rule.values.is_empty() {
            missing.push(rule.label.to_lowercase());
            continue;
        }
        let values: Vec<String> = rule.values.iter().map(|v| v.short.clone()).collect();
        found.push(format!(
            "{} {}",
            rule.label.to_lowercase(),
            values.join(", ")
        ));
        for v in &rule.values {
            let id = format!("{}#{}", r.about.file, v.section_id);
            if !sources.iter().any(|s| s.id == id) {
                sources.push(SourceRef {
                    layer: "reglement",
                    id,
                });
            }
        }
    }
    let mut text = format!(
        "Zone {} — règles clés lues dans le règlement structuré (chaque valeur avec sa phrase dans la réponse ; à lire dans le texte, qui prévoit des exceptions)",
        r.about.zone
    );
    if found.is_empty() {
        text.push_str(" : aucune hauteur, emprise, distance, place de stationnement ni part d'espaces verts chiffrée");
    } else {
        text.push_str(&format!(" : {}", found.join(" ; ")));
    }
    text.push('.');
    if !missing.is_empty() && !found.is_empty() {
        text.push_str(&format!(
            " Non trouvé dans le règlement : {}.",
            missing.join(", ")
        ));
    }
    Sentence::new(SentenceKind::Planning, text, sources)
}

/// A link to the zone's regulation: a web address from the data, else the delivered file.
fn reglement_url(
    data: &Dataset,
    z: &ZoneUrba,
    document: Option<&crate::model::PlanDocument>,
) -> Option<String> {
    let web = |u: &String| {
        let l = u.trim().to_ascii_lowercase();
        (l.starts_with("https://") || l.starts_with("http://")).then(|| u.trim().to_string())
    };
    let delivered = |name: &String| document.and_then(|d| data.piece_link(&d.source, name));
    z.urlfic
        .as_ref()
        .and_then(web)
        .or_else(|| z.nomfic.as_ref().and_then(delivered))
        .or_else(|| document?.urlreg.as_ref().and_then(web))
        .or_else(|| document?.nomreg.as_ref().and_then(delivered))
}
