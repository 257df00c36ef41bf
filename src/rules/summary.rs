//! The synthetic summary: ordered plain-French sentences, most decisive first, each traceable to the
//! features it comes from.
//!
//! Order ([`SentenceKind`]): the place → the planning regime and zones → what forbids building →
//! what conditions it → easements → zoning maps → information → marginal overlaps → what the data
//! does not cover. Each family's items word their own sentences ([`Finding`]); this module only
//! places them, adds the place and what was not checked, and merges repeats.

use super::facts::Facts;
use super::finding::{Context, Finding, ScopeKind, SourceRef};
use super::sentence::{french_number, Sentence, SentenceKind};
use super::status::PlanningStatus;
use crate::model::spaced_parcel_id;

/// Builds the summary from the facts, the status and every family's findings (in family order:
/// within a kind, sentences keep that order).
pub fn summarise(
    facts: &Facts<'_>,
    status: &PlanningStatus,
    findings: &[&dyn Finding],
) -> Vec<Sentence> {
    let ctx = Context {
        scope: facts.scope,
        document: facts.document,
    };
    let mut out = vec![Sentence::new(
        SentenceKind::Location,
        location(facts),
        Vec::new(),
    )];
    if !facts.has_zones {
        out.push(Sentence::new(
            SentenceKind::Planning,
            status.label.clone(),
            Vec::new(),
        ));
    }
    let mut found: Vec<Sentence> = findings.iter().flat_map(|f| f.sentences(&ctx)).collect();
    // Stable: within a kind, family order (risks before prescriptions among bans, say) is kept.
    found.sort_by_key(|s| s.kind);
    out.extend(found);
    let marginal: Vec<(String, SourceRef)> = findings.iter().flat_map(|f| f.marginal()).collect();
    if !marginal.is_empty() {
        out.push(marginal_sentence(marginal));
    }
    out.extend(not_checked(facts));
    merge_duplicates(out)
}

/// The first sentence: the parcel, the footprint or the point, and the commune.
fn location(facts: &Facts<'_>) -> String {
    let place = facts
        .commune
        .map(|c| format!(" à {}", c.name))
        .unwrap_or_default();
    match (facts.parcel, facts.scope) {
        (Some(p), _) => {
            let area = p
                .contenance
                .map(|c| format!(" ({} m²)", c as i64))
                .unwrap_or_default();
            format!("Parcelle {}{area}{place}.", spaced_parcel_id(&p.id))
        }
        (None, ScopeKind::Footprint) => format!(
            "Emprise de projet de {} m²{place}.",
            facts.area_m2.map(|x| x.round() as i64).unwrap_or(0)
        ),
        (None, _) if facts.covered.cadastre => match facts.nearest_parcel {
            Some(n) => format!(
                "Point{place} situé hors de toute parcelle (voirie ou domaine non cadastré) ; parcelle la plus proche : {} à {} m.",
                spaced_parcel_id(&n.id),
                french_number(n.distance_m)
            ),
            None => format!("Point{place} situé hors de toute parcelle cadastrale."),
        },
        (None, _) => format!("Point{place} : cadastre non chargé ici."),
    }
}

/// Marginal overlaps, named so nobody wonders where they went.
fn marginal_sentence(marginal: Vec<(String, SourceRef)>) -> Sentence {
    let names: Vec<&str> = marginal.iter().map(|(n, _)| n.as_str()).collect();
    Sentence::new(
        SentenceKind::Marginal,
        format!(
            "Chevauchements marginaux (moins de {} % de la surface, souvent un simple décalage entre cadastre et plan ; à vérifier sur place) : {}.",
            (crate::analysis::MARGINAL_SHARE * 100.0) as i64,
            names.join(", ")
        ),
        marginal.into_iter().map(|(_, s)| s).collect(),
    )
}

/// Hazards Géorisques maps nationally that no risk plan covers, each with the zoning theme key
/// (`urbaclic.toml` `theme`) whose map, when loaded and covering the place, checks it.
pub const GEORISQUES_HAZARDS: [(&str, &str); 4] = [
    ("sismicite", "zonage sismique"),
    ("argiles", "retrait-gonflement des argiles"),
    ("radon", "potentiel radon"),
    ("cavites", "cavités souterraines"),
];

/// What was checked and what was not: a risk check only covers the hazards of the plans loaded
/// here, so the summary names them and lists the national hazard maps that are not loaded.
fn not_checked(facts: &Facts<'_>) -> Vec<Sentence> {
    let mut out = Vec::new();
    let coverage = |text: String| Sentence::new(SentenceKind::Coverage, text, Vec::new());
    if !facts.covered.servitudes {
        out.push(coverage("Aucune donnée de servitudes d'utilité publique n'est chargée ici : elles n'ont pas été vérifiées.".into()));
    }
    if let Some(d) = facts.document {
        out.extend(undelivered_layers(d).into_iter().map(coverage));
    }
    let plans = facts.risk_plans.join(", ");
    if !facts.covered.risks {
        out.push(coverage("Aucun plan de prévention des risques n'est chargé ici : les risques réglementés par un PPR n'ont pas été vérifiés (voir Géorisques).".into()));
    } else if !facts.has_risks {
        out.push(coverage(format!("Hors de toute zone réglementée des plans de risques chargés qui couvrent ce lieu ; seuls leurs risques ont été vérifiés : {plans}.")));
    } else {
        out.push(coverage(format!(
            "Risques vérifiés : seulement ceux des plans chargés qui couvrent ce lieu : {plans}."
        )));
    }
    let unchecked: Vec<&str> = GEORISQUES_HAZARDS
        .iter()
        .filter(|(theme, _)| !facts.zoning_themes.iter().any(|t| t == theme))
        .map(|(_, hazard)| *hazard)
        .collect();
    if !unchecked.is_empty() {
        out.push(coverage(format!(
            "Non vérifiés, faute de données chargées ici (voir Géorisques) : {}.",
            unchecked.join(", ")
        )));
    }
    out
}

/// The layers of the applicable document that its delivery did not give or that could not be
/// read: what was not checked, said so rather than "none here".
fn undelivered_layers(d: &crate::model::PlanDocument) -> Vec<String> {
    use crate::model::LayerDelivery;
    let words = super::status::document_words(&d.typedoc);
    let name = super::status::typedoc_name(&d.typedoc);
    [
        (
            d.layers.zones,
            "Le zonage",
            "livré",
            "lu",
            "la zone applicable n'est pas connue ici",
        ),
        (
            d.layers.prescriptions,
            "Les prescriptions",
            "livrées",
            "lues",
            "elles n'ont pas été vérifiées",
        ),
        (
            d.layers.informations,
            "Les informations",
            "livrées",
            "lues",
            "elles n'ont pas été vérifiées",
        ),
    ]
    .into_iter()
    .filter_map(|(state, what, delivered, read, so)| match state {
        LayerDelivery::Delivered => None,
        LayerDelivery::NotDelivered => Some(format!(
            "{what} {} {name} ne {} pas {delivered} avec ses données : {so}.",
            words.of_the,
            if what.starts_with("Les") {
                "sont"
            } else {
                "est"
            }
        )),
        LayerDelivery::Unreadable => Some(format!(
            "{what} {} {name} n'{} pas pu être {read} (voir check-data) : {so}.",
            words.of_the,
            if what.starts_with("Les") { "ont" } else { "a" }
        )),
    })
    .collect()
}

/// Several features can say the same thing (a linear prescription drawn in pieces): one sentence,
/// all their sources.
fn merge_duplicates(sentences: Vec<Sentence>) -> Vec<Sentence> {
    let mut out: Vec<Sentence> = Vec::with_capacity(sentences.len());
    for s in sentences {
        match out
            .iter_mut()
            .find(|o| o.kind == s.kind && o.text == s.text)
        {
            Some(o) => o.sources.extend(s.sources),
            None => out.push(s),
        }
    }
    out
}
