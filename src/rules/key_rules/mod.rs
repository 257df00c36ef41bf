//! Key rules read from a zone's regulation text: maximum height, emprise au sol, setbacks from
//! the street and from the boundaries, parking, green space — each value with the sentence and
//! the section it was read from, or "not found".
//!
//! A pipeline of small named steps, like a geocoder's: the text is cut into sentences
//! ([`sentences()`]), each sentence is folded for matching ([`folded`]), classified by its
//! keywords ([`RuleKind::of`]), and its quantities in that kind's unit are read ([`measure`]),
//! with how a height is measured and the constructions the sentence is about. Nothing is
//! inferred beyond the sentence: a value always comes with the words it was read from, and a rule
//! the text does not state is reported as not found.

pub mod folded;
pub mod measure;
pub mod sentences;

use serde::Serialize;

use folded::Folded;
use measure::{quantities, Unit};
use sentences::{sentences, Sentence};

/// What the extraction reads a section from.
#[derive(Debug, Clone, Copy)]
pub struct SectionText<'a> {
    /// The section's id in the regulation.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its text, one paragraph per line.
    pub text: &'a str,
    /// Whether it is a general provision (rules read there count only when the zone's own
    /// sections state none of that kind).
    pub general: bool,
}

/// The kinds of key rules, in the order an instructor reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Maximum height of constructions.
    HauteurMax,
    /// Maximum emprise au sol, in % of the plot.
    EmpriseSol,
    /// Setback from streets and public spaces.
    ReculVoie,
    /// Setback from the plot's boundaries.
    ReculLimites,
    /// Parking spaces required.
    Stationnement,
    /// Minimum green or unsealed space, in % of the plot.
    EspacesVerts,
}

/// Every kind, in answer order.
pub const RULE_KINDS: [RuleKind; 6] = [
    RuleKind::HauteurMax,
    RuleKind::EmpriseSol,
    RuleKind::ReculVoie,
    RuleKind::ReculLimites,
    RuleKind::Stationnement,
    RuleKind::EspacesVerts,
];

/// What is said of a kind the text does not state.
pub const NOT_FOUND: &str = "non trouvé dans le règlement";

/// Words that make a height or a distance about something else than a building.
const NOT_BUILDINGS: [&str; 6] = [
    "cloture",
    "haie",
    "portail",
    "mur de soutenement",
    "mur bahut",
    "muret",
];
/// Words saying a height is a ceiling.
const CEILING: [&str; 9] = [
    "maxim",
    "ne doit pas depasser",
    "ne peut depasser",
    "ne pourra depasser",
    "ne doit pas exceder",
    "ne peut exceder",
    "ne pourra exceder",
    "limitee",
    "n'excede",
];
/// Words of the distance between buildings of one plot (its own article, not a setback).
const SAME_PLOT: [&str; 5] = [
    "meme unite fonciere",
    "meme propriete",
    "les unes par rapport aux autres",
    "entre deux constructions",
    "entre deux batiments",
];
const STREET: [&str; 4] = [
    "voie",
    "emprise publique",
    "emprises publiques",
    "alignement",
];
const DISTANCE: [&str; 5] = ["recul", "retrait", "distance", "implant", "ecart"];
const BOUNDARY: [&str; 6] = [
    "limite separative",
    "limites separatives",
    "limite laterale",
    "limites laterales",
    "fond de parcelle",
    "limite de fond",
];
/// Words of a minimum of green or unsealed space (a cap on sealed surfaces is another rule).
const GREEN: [&str; 8] = [
    "espaces verts",
    "espace vert",
    "pleine terre",
    "non impermeabilis",
    "eco-amenageable",
    "vegetalis",
    "espaces libres",
    "biotope",
];

/// How heights are measured, as the regulation words it: folded keyword, label.
const MEASURED_AT: [(&str, &str); 3] = [
    ("faitage", "faîtage"),
    ("egout", "égout du toit"),
    ("acrotere", "acrotère"),
];

/// The constructions a sentence is about: folded keyword, label.
const CONDITIONS: [(&str, &str); 11] = [
    ("habitation", "habitation"),
    ("annexe", "annexes"),
    ("autres constructions", "autres constructions"),
    ("activite", "activités"),
    ("agricole", "constructions agricoles"),
    ("equipement", "équipements"),
    ("extension", "extensions"),
    ("terrasse", "toit en terrasse"),
    ("commerce", "commerces"),
    ("bureau", "bureaux"),
    ("logement", "logements"),
];

impl RuleKind {
    /// Its name in French.
    pub fn label(self) -> &'static str {
        match self {
            RuleKind::HauteurMax => "Hauteur maximale",
            RuleKind::EmpriseSol => "Emprise au sol maximale",
            RuleKind::ReculVoie => "Recul par rapport aux voies et emprises publiques",
            RuleKind::ReculLimites => "Recul par rapport aux limites séparatives",
            RuleKind::Stationnement => "Stationnement",
            RuleKind::EspacesVerts => "Espaces verts ou de pleine terre",
        }
    }

    /// The units its values are read in.
    pub fn units(self) -> &'static [Unit] {
        match self {
            // A height is a number of metres or of storeys above the ground floor (R+1).
            RuleKind::HauteurMax => &[Unit::Metre, Unit::Storeys],
            RuleKind::ReculVoie | RuleKind::ReculLimites => &[Unit::Metre],
            RuleKind::EmpriseSol | RuleKind::EspacesVerts => &[Unit::Percent],
            RuleKind::Stationnement => &[Unit::Places],
        }
    }

    /// Kinds whose numbers, under a heading about fences or walls, are about those instead.
    fn is_about_buildings_only(self) -> bool {
        matches!(
            self,
            RuleKind::HauteurMax | RuleKind::ReculVoie | RuleKind::ReculLimites
        )
    }

    /// The kind a folded sentence states, by its keywords (boundaries before streets before the
    /// rest: a setback sentence often mentions the height it is proportional to).
    ///
    /// ```
    /// use urbaclic::rules::key_rules::{folded::Folded, RuleKind};
    /// let of = |s| RuleKind::of(&Folded::new(s));
    /// assert_eq!(of("La hauteur maximale est limitée à 9 m."), Some(RuleKind::HauteurMax));
    /// assert_eq!(of("Un retrait de H/2 des limites séparatives, minimum 3 m."), Some(RuleKind::ReculLimites));
    /// assert_eq!(of("La hauteur des clôtures est limitée à 1,80 m."), None);
    /// ```
    pub fn of(s: &Folded<'_>) -> Option<RuleKind> {
        let fence = s.has_any(&NOT_BUILDINGS);
        let same_plot = s.has_any(&SAME_PLOT);
        if !fence && !same_plot && s.has_any(&BOUNDARY) {
            Some(RuleKind::ReculLimites)
        } else if !fence
            && !same_plot
            && s.has_any(&STREET)
            && s.has_any(&DISTANCE)
            && !s.text.contains("bande")
        {
            // A « bande de 35 m » from the street bounds how deep one may build, not a setback.
            Some(RuleKind::ReculVoie)
        } else if s.text.contains("emprise au sol") {
            Some(RuleKind::EmpriseSol)
        } else if s.has_any(&GREEN) {
            Some(RuleKind::EspacesVerts)
        } else if s.text.contains("stationnement") || s.text.contains("place") {
            Some(RuleKind::Stationnement)
        } else if !fence && !same_plot && s.text.contains("hauteur") && s.has_any(&CEILING) {
            Some(RuleKind::HauteurMax)
        } else {
            None
        }
    }
}

/// A value read from the regulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleValue {
    /// The number as written.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// For a height: where it is measured to (faîtage, égout du toit, acrotère), when the
    /// sentence says.
    pub measured_at: Option<&'static str>,
    /// The constructions the sentence is about (« habitation », « annexes »…), when it names
    /// them; `None` when it states a rule for every construction.
    pub condition: Option<String>,
    /// For parking: what the number of places is per (« par logement »).
    pub per: Option<String>,
    /// The sentence it was read from, as written.
    pub sentence: String,
    /// The lead-in that sentence completes (« Les constructions doivent être implantées : »
    /// before a list item), as written.
    pub lead_in: Option<String>,
    /// The section's id in the regulation.
    pub section_id: String,
    /// The section's title.
    pub section: String,
    /// The value in a few words, as [`RuleValue::describe`] writes it (for clients).
    pub short: String,
}

/// A key rule of a zone: the values the text states, or [`NOT_FOUND`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyRule {
    /// What rule.
    pub kind: RuleKind,
    /// Its name in French.
    pub label: &'static str,
    /// The values read, each with its sentence; empty when the text states none.
    pub values: Vec<RuleValue>,
    /// [`NOT_FOUND`] when `values` is empty.
    pub not_found: Option<&'static str>,
}

impl RuleValue {
    /// The value in a few words: `9 m au faîtage (habitation)`.
    ///
    /// ```
    /// use urbaclic::rules::key_rules::{RuleValue, measure::Unit};
    /// let v = RuleValue { value: 3.5, unit: Unit::Metre, measured_at: Some("égout du toit"),
    ///     condition: Some("annexes".into()), per: None, sentence: String::new(), lead_in: None,
    ///     section_id: String::new(), section: String::new(), short: String::new() };
    /// assert_eq!(v.describe(), "3,5 m à l'égout du toit (annexes)");
    /// ```
    pub fn describe(&self) -> String {
        let number = format!("{}", self.value).replace('.', ",");
        let mut s = match self.unit {
            Unit::Metre => format!("{number} m"),
            Unit::Percent => format!("{number} %"),
            Unit::Places if self.value <= 1.0 => format!("{number} place"),
            Unit::Places => format!("{number} places"),
            Unit::Storeys => format!("R+{number}"),
        };
        if let Some(m) = self.measured_at {
            match m {
                "faîtage" => s.push_str(" au faîtage"),
                other => s.push_str(&format!(" à l'{other}")),
            }
        }
        if let Some(p) = &self.per {
            s.push_str(&format!(" {p}"));
        }
        if let Some(c) = &self.condition {
            s.push_str(&format!(" ({c})"));
        }
        s
    }
}

/// The key rules of a zone, read from the sections that apply to it. Rules read in the general
/// provisions count for a kind only when the zone's own sections state none.
pub fn extract_key_rules(sections: &[SectionText<'_>]) -> Vec<KeyRule> {
    let own: Vec<(RuleKind, RuleValue)> = sections
        .iter()
        .filter(|s| !s.general)
        .flat_map(read_section)
        .collect();
    let general: Vec<(RuleKind, RuleValue)> = sections
        .iter()
        .filter(|s| s.general)
        .flat_map(read_section)
        .collect();
    RULE_KINDS
        .iter()
        .map(|&kind| {
            let pick = |from: &[(RuleKind, RuleValue)]| -> Vec<RuleValue> {
                from.iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let mut values = pick(&own);
            if values.is_empty() {
                values = pick(&general);
            }
            KeyRule {
                kind,
                label: kind.label(),
                not_found: values.is_empty().then_some(NOT_FOUND),
                values,
            }
        })
        .collect()
}

fn read_section(section: &SectionText<'_>) -> Vec<(RuleKind, RuleValue)> {
    let mut out: Vec<(RuleKind, RuleValue)> = Vec::new();
    for s in sentences(section.text, section.title) {
        for (kind, value) in read_sentence(&s, section) {
            if !out.iter().any(|(k, v)| *k == kind && *v == value) {
                out.push((kind, value));
            }
        }
    }
    out
}

/// The values a sentence states: classified by its own words, else with its lead-in, else
/// under its heading; values are read from the sentence itself only.
fn read_sentence(s: &Sentence<'_>, section: &SectionText<'_>) -> Vec<(RuleKind, RuleValue)> {
    let own = Folded::new(s.text);
    let with_lead = s.lead.map(|l| format!("{l} {}", s.text));
    let with_topic = format!(
        "{} {} {}",
        s.within.unwrap_or_default(),
        s.topic,
        with_lead.as_deref().unwrap_or(s.text)
    );
    let kind = RuleKind::of(&own)
        .or_else(|| {
            with_lead
                .as_deref()
                .and_then(|t| RuleKind::of(&Folded::new(t)))
        })
        .or_else(|| RuleKind::of(&Folded::new(&with_topic)));
    let Some(kind) = kind else {
        return Vec::new();
    };
    // « Elles ne peuvent excéder 1,80 m » under a « Clôtures » heading is about fences.
    if kind.is_about_buildings_only() && Folded::new(&with_topic).has_any(&NOT_BUILDINGS) {
        return Vec::new();
    }
    let context = Folded::new(with_lead.as_deref().unwrap_or(s.text));
    let condition = conditions(&context);
    let found: Vec<_> = quantities(&own)
        .into_iter()
        .filter(|q| kind.units().contains(&q.unit))
        .collect();
    // « 9 m au faîtage, soit R + C ou R + 1 »: the storeys only illustrate the metres.
    let has_metres = found.iter().any(|q| q.unit == Unit::Metre);
    found
        .into_iter()
        .filter(|q| !(has_metres && q.unit == Unit::Storeys))
        .filter_map(|q| {
            let per = (kind == RuleKind::Stationnement)
                .then(|| per(&own, q.end))
                .flatten();
            // A parking requirement is a number of places per something; « la suppression
            // d'une place » or « plus de 12 places » are not requirements.
            if kind == RuleKind::Stationnement && per.is_none() {
                return None;
            }
            let mut value = RuleValue {
                value: q.value,
                unit: q.unit,
                measured_at: (q.unit == Unit::Metre && kind == RuleKind::HauteurMax)
                    .then(|| measured_at(&own, q.start))
                    .flatten(),
                condition: condition.clone(),
                per,
                sentence: s.text.to_string(),
                lead_in: s.lead.map(str::to_string),
                section_id: section.id.to_string(),
                section: section.title.to_string(),
                short: String::new(),
            };
            value.short = value.describe();
            Some((kind, value))
        })
        .collect()
}

/// The measuring point named nearest to the number.
fn measured_at(s: &Folded<'_>, at: usize) -> Option<&'static str> {
    MEASURED_AT
        .iter()
        .filter_map(|(word, label)| {
            s.text
                .match_indices(word)
                .map(|(i, _)| i.abs_diff(at))
                .min()
                .map(|d| (d, *label))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, label)| label)
}

/// The constructions named in the sentence, in the order of [`CONDITIONS`].
fn conditions(s: &Folded<'_>) -> Option<String> {
    let named: Vec<&str> = CONDITIONS
        .iter()
        .filter(|(word, _)| s.text.contains(word))
        .map(|(_, label)| *label)
        .collect();
    (!named.is_empty()).then(|| named.join(", "))
}

/// « par logement », « par tranche de 60 m² de surface de plancher »: the `par …` phrase right
/// after a number of places, as written, up to the next punctuation or clause.
fn per(s: &Folded<'_>, after: usize) -> Option<String> {
    let rest = s.text.get(after..)?;
    let start = rest.find("par ").filter(|&i| i <= PER_WITHIN)?;
    let phrase = &rest[start..];
    let mut len = phrase
        .find([',', '.', ';', ':', '(', ')'])
        .unwrap_or(phrase.len());
    for clause in PER_ENDS {
        if let Some(i) = phrase.find(clause) {
            len = len.min(i);
        }
    }
    Some(
        s.original(after + start, after + start + len)
            .trim()
            .to_string(),
    )
}

/// How far after the number « par » may come (« 2 places de stationnement par logement »).
const PER_WITHIN: usize = 40;

/// Words that start another clause after a `par …` phrase.
const PER_ENDS: [&str; 6] = [
    " avec ",
    " pour ",
    " et ",
    " dont ",
    " sauf ",
    " a l'exception",
];
