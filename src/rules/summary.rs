//! The synthetic summary: ordered plain-French sentences, most decisive first, each traceable to the
//! features it comes from.
//!
//! Order: the place → the planning regime and zones → what forbids building → what conditions it →
//! easements → information → marginal overlaps → what the data does not cover.

use serde::Serialize;

use super::french_date;
use super::status::typedoc_name;
use crate::lookup::{LookupAnswer, ScopeKind, SourceRef};
use crate::nomenclature::RegulationEffect;

/// What a sentence is about, so a client can style or filter it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    Location,
    Planning,
    Ban,
    Condition,
    Servitude,
    Information,
    Marginal,
    Coverage,
}

/// One sentence of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct Sentence {
    pub kind: SentenceKind,
    pub text: String,
    pub sources: Vec<SourceRef>,
}

fn sentence(kind: SentenceKind, text: String, sources: Vec<SourceRef>) -> Sentence {
    Sentence {
        kind,
        text,
        sources,
    }
}

/// Prescription types that forbid building or reserve the land rather than condition it (CNIG
/// TYPEPSC-STYPEPSC): 01 espace boisé classé, 02-01 secteur d'interdiction de constructibilité,
/// 05 emplacement réservé (including 05-07, secteur en attente de projet).
fn is_restrictive(p: &crate::lookup::UrbaFeatureOut) -> bool {
    match p.code.as_str() {
        "01" | "05" => true,
        "02" => p.subcode.as_deref() == Some("01"),
        _ => false,
    }
}

fn share_text(share: Option<f64>, scope: ScopeKind) -> String {
    let of = match scope {
        ScopeKind::Footprint => "de l'emprise",
        _ => "de la parcelle",
    };
    match share {
        Some(s) if s >= 99.95 => format!(" (100 % {of})"),
        Some(s) => format!(" ({} % {of})", format_pct(s)),
        None => String::new(),
    }
}

fn format_pct(s: f64) -> String {
    let rounded = if s >= 10.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    };
    rounded.replace('.', ",")
}

/// `91216000AB0037` → `91216 000 AB 0037`, as the cadastre writes references.
fn spaced_parcel_id(id: &str) -> String {
    if id.len() == 14 && id.is_ascii() {
        format!("{} {} {} {}", &id[..5], &id[5..8], &id[8..10], &id[10..])
    } else {
        id.to_string()
    }
}

/// Builds the summary of an answer.
pub fn summarise(a: &LookupAnswer) -> Vec<Sentence> {
    let mut out = Vec::new();
    let is_marginal = |h: &crate::lookup::Hit| h.overlap.is_some_and(|o| o.marginal);
    let share = |h: &crate::lookup::Hit| h.overlap.and_then(|o| o.share_pct);
    let scope = a.scope.kind;

    // The place.
    let place = a
        .commune
        .as_ref()
        .map(|c| format!(" à {}", c.name))
        .unwrap_or_default();
    let location = match (&a.parcel, scope) {
        (Some(p), _) => {
            let area = p
                .contenance
                .map(|c| format!(" ({} m²)", c as i64))
                .unwrap_or_default();
            format!("Parcelle {}{area}{place}.", spaced_parcel_id(&p.id))
        }
        (None, ScopeKind::Footprint) => format!(
            "Emprise de projet de {} m²{place}.",
            a.scope.area_m2.map(|x| x.round() as i64).unwrap_or(0)
        ),
        (None, _) if a.coverage.cadastre => match &a.nearest_parcel {
            Some(n) => format!(
                "Point{place} situé hors de toute parcelle (voirie ou domaine non cadastré) ; parcelle la plus proche : {} à {} m.",
                spaced_parcel_id(&n.id),
                format_pct(n.distance_m)
            ),
            None => format!("Point{place} situé hors de toute parcelle cadastrale."),
        },
        (None, _) => format!("Point{place} : cadastre non chargé ici."),
    };
    out.push(sentence(SentenceKind::Location, location, Vec::new()));

    // Planning regime and zones.
    let doc_phrase = a.document.as_ref().map(|d| {
        let mut s = format!("du {}", typedoc_name(&d.document.typedoc));
        if let Some(date) = &d.document.datappro {
            s.push_str(&format!(" approuvé le {}", french_date(date)));
        }
        s
    });
    if a.zones.is_empty() {
        out.push(sentence(
            SentenceKind::Planning,
            a.status.label.clone(),
            Vec::new(),
        ));
    }
    for z in a.zones.iter().filter(|z| !is_marginal(&z.hit)) {
        let mut text = format!(
            "Zone {} {}{}",
            z.libelle,
            doc_phrase.as_deref().unwrap_or("(document non identifié)"),
            share_text(share(&z.hit), scope)
        );
        let meaning = z.typezone_label.map(str::to_string);
        let long = z
            .libelong
            .clone()
            .filter(|l| !l.eq_ignore_ascii_case(&z.libelle));
        match (meaning, long) {
            (Some(m), Some(l)) => text.push_str(&format!(" : {m} — {l}")),
            (Some(m), None) => text.push_str(&format!(" : {m}")),
            (None, Some(l)) => text.push_str(&format!(" : {l}")),
            (None, None) => {}
        }
        text.push('.');
        if let Some(r) = z
            .reglement
            .as_ref()
            .or(a.document.as_ref().and_then(|d| d.reglement.as_ref()))
        {
            text.push_str(&format!(" Règlement : {r}."));
        }
        out.push(sentence(
            SentenceKind::Planning,
            text,
            vec![z.source.clone()],
        ));
    }

    // Risks: bans first, then conditions.
    let risk_sentence = |r: &crate::lookup::RiskOut| {
        let mut text = format!("{} — zone {}", r.plan, r.zone_code);
        if let Some(date) = &r.plan_date {
            text.push_str(&format!(" (plan du {})", french_date(date)));
        }
        text.push_str(&share_text(share(&r.hit), scope));
        if !r.zone_label.is_empty() {
            text.push_str(&format!(" : {}", r.zone_label));
        }
        if let Some(l) = r.regulation_label {
            text.push_str(&format!(" [{l}]"));
        }
        if let Some(sup) = &r.also_servitude {
            text.push_str(&format!(" (également servitude {sup})"));
        }
        text.push('.');
        if let Some(u) = &r.url {
            text.push_str(&format!(" Règlement : {u}."));
        }
        text
    };
    // What forbids building first, then what conditions it; within each, risks then prescriptions.
    for (kind, forbids) in [(SentenceKind::Ban, true), (SentenceKind::Condition, false)] {
        for r in a
            .risks
            .iter()
            .filter(|r| (r.effect == RegulationEffect::Ban) == forbids && !is_marginal(&r.hit))
        {
            out.push(sentence(kind, risk_sentence(r), vec![r.source.clone()]));
        }
        for p in a
            .prescriptions
            .iter()
            .filter(|p| is_restrictive(p) == forbids && !is_marginal(&p.hit))
        {
            out.push(sentence(
                kind,
                prescription_text(p, scope),
                vec![p.source.clone()],
            ));
        }
    }

    // Easements.
    for s in a.servitudes.iter().filter(|s| !is_marginal(&s.hit)) {
        let mut text = format!(
            "Servitude {} ({})",
            s.categorie,
            s.categorie_label
                .unwrap_or("catégorie sans libellé dans la nomenclature")
        );
        let what = s
            .nom_sup_litt
            .as_deref()
            .or(s.nom_gen.as_deref())
            .or(s.nom_ass.as_deref());
        if let Some(w) = what {
            text.push_str(&format!(" : {w}"));
        }
        if let Some(t) = &s.type_ass {
            text.push_str(&format!(" — {}", t.to_lowercase()));
        }
        text.push_str(&share_text(share(&s.hit), scope));
        if let Some(acte) = &s.acte {
            let mut act = acte.type_acte.clone().unwrap_or_else(|| "acte".into());
            if let Some(r) = &acte.reference {
                act.push_str(&format!(" {r}"));
            }
            if let Some(d) = &acte.date_decision {
                act.push_str(&format!(" du {}", french_date(d)));
            }
            text.push_str(&format!(". Acte : {act}"));
        }
        text.push('.');
        out.push(sentence(
            SentenceKind::Servitude,
            text,
            vec![s.source.clone()],
        ));
    }

    // Information.
    for i in a.informations.iter().filter(|i| !is_marginal(&i.hit)) {
        let label = i.label.unwrap_or(&i.libelle);
        let mut text = format!("Information : {label}");
        if !i.libelle.is_empty() && i.libelle != label {
            text.push_str(&format!(" — {}", i.libelle));
        }
        text.push_str(&share_text(share(&i.hit), scope));
        text.push('.');
        out.push(sentence(
            SentenceKind::Information,
            text,
            vec![i.source.clone()],
        ));
    }

    // Marginal overlaps, named so nobody wonders where they went.
    let marginal: Vec<(String, SourceRef)> = a
        .zones
        .iter()
        .filter(|z| is_marginal(&z.hit))
        .map(|z| (format!("zone {}", z.libelle), z.source.clone()))
        .chain(a.risks.iter().filter(|r| is_marginal(&r.hit)).map(|r| {
            (
                format!("zone {} du {}", r.zone_code, r.plan),
                r.source.clone(),
            )
        }))
        .chain(
            a.prescriptions
                .iter()
                .chain(&a.informations)
                .filter(|p| is_marginal(&p.hit))
                .map(|p| (p.libelle.clone(), p.source.clone())),
        )
        .chain(
            a.servitudes
                .iter()
                .filter(|s| is_marginal(&s.hit))
                .map(|s| (format!("servitude {}", s.categorie), s.source.clone())),
        )
        .collect();
    if !marginal.is_empty() {
        let names: Vec<&str> = marginal.iter().map(|(n, _)| n.as_str()).collect();
        out.push(sentence(
            SentenceKind::Marginal,
            format!(
                "Chevauchements marginaux (moins de {} % de la surface, souvent un simple décalage entre cadastre et plan ; à vérifier sur place) : {}.",
                (crate::analysis::MARGINAL_SHARE * 100.0) as i64,
                names.join(", ")
            ),
            marginal.into_iter().map(|(_, s)| s).collect(),
        ));
    }

    // What the data does not say.
    let c = &a.coverage;
    if !c.servitudes {
        out.push(sentence(
            SentenceKind::Coverage,
            "Aucune donnée de servitudes d'utilité publique n'est chargée ici : elles n'ont pas été vérifiées.".into(),
            Vec::new(),
        ));
    }
    if !c.risks {
        out.push(sentence(
            SentenceKind::Coverage,
            "Aucun plan de prévention des risques n'est chargé ici : les risques n'ont pas été vérifiés (voir Géorisques).".into(),
            Vec::new(),
        ));
    } else if a.risks.is_empty() {
        out.push(sentence(
            SentenceKind::Coverage,
            "Dans le territoire couvert par les plans de risques chargés, hors de toute zone réglementée.".into(),
            Vec::new(),
        ));
    }
    merge_duplicates(out)
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

fn prescription_text(p: &crate::lookup::UrbaFeatureOut, scope: ScopeKind) -> String {
    let label = p.label.unwrap_or(&p.libelle);
    let mut text = format!("Prescription : {label}");
    if !p.libelle.is_empty() && p.libelle != label {
        text.push_str(&format!(" — {}", p.libelle));
    }
    if let Some(t) = &p.txt {
        text.push_str(&format!(" ({t})"));
    }
    text.push_str(&share_text(p.hit.overlap.and_then(|o| o.share_pct), scope));
    text.push('.');
    if let Some(r) = &p.reglement {
        text.push_str(&format!(" Document : {r}."));
    }
    text
}
