//! The certificate's content: the sections of the CERFA 13410 certificat d'urbanisme
//! d'information, in its order, written from lookup answers as format-neutral blocks of French
//! text that the HTML and PDF writers only typeset.
//!
//! Everything said comes from an answer (or from several, for a land unit of several parcels:
//! areas summed, shares of the whole unit, items listed once), with its source; what the data
//! does not hold is said to be missing, never filled in: a zone's key rules come with the
//! sentence of its structured regulation they were read from, an easement's effect with its
//! legal basis, as the answer's items carry them.

use std::collections::BTreeMap;

use super::qr::Qr;
use super::{Origin, Subject};
use crate::family::servitudes::ServitudeOut;
use crate::family::urba::UrbaFeatureOut;
use crate::family::zones::ZoneOut;
use crate::lookup::LookupAnswer;
use crate::model::spaced_parcel_id;
use crate::rules::key_rules::{KeyRule, NOT_FOUND};
use crate::rules::status::typedoc_name;
use crate::rules::{french_date, french_number, SentenceKind, SourceRef};

/// The heading of every certificate (and the mark on each printed page).
pub const TITLE: &str = "Certificat d'urbanisme d'information — PROJET — document non opposable";

/// The notice under the heading.
pub const NOTICE: &str = "Projet établi automatiquement à partir de données ouvertes (cadastre, \
documents d'urbanisme, servitudes d'utilité publique, plans de prévention des risques) telles \
qu'elles sont chargées dans le service. Il ne vaut pas certificat d'urbanisme au sens de \
l'article L410-1 a du code de l'urbanisme : chaque mention doit être vérifiée par le service \
instructeur avant toute délivrance.";

/// The draft certificate of one place.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Its heading, with the « projet — non opposable » mark.
    pub title: String,
    /// What it is made from and what the service must check.
    pub notice: String,
    /// The place in one line (`Parcelle 75118 000 BT 0107`, `Parcelles … et …`, `Point …`).
    pub reference: String,
    /// File name stem: `cua-<parcel id>` (ids joined by `-` for several).
    pub file_stem: String,
    /// Sections 1 to 8, in the CERFA's order.
    pub sections: Vec<Section>,
    /// `14/05/2026 à 10:32 UTC`.
    pub generated: String,
    /// The same, for document metadata.
    pub generated_at: time::OffsetDateTime,
    /// The live answer on the map page: a full URL when the service's address is known, else a
    /// path.
    pub permalink: String,
    /// The permalink as a QR code, when it fits in one.
    pub qr: Option<Qr>,
}

/// A numbered section.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its number, 1 to 8.
    pub number: u8,
    /// Its title.
    pub title: String,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// A piece of a section, typeset the same way in every format.
#[derive(Debug, Clone)]
pub enum Block {
    /// Running text.
    Text(String),
    /// What the data does not say, or what the service must complete: set apart.
    Note(String),
    /// Label–value rows.
    Fields(Vec<Field>),
    /// A titled item (a zone, a category of easements, a risk zone) with its details.
    Entry {
        /// The item's name.
        title: String,
        /// Its details.
        blocks: Vec<Block>,
    },
    /// A sentence quoted from a source, with where it was read.
    Quote {
        /// The sentence, as written.
        text: String,
        /// Where it was read (section, file).
        from: Option<String>,
    },
    /// A bulleted list.
    List(Vec<String>),
}

/// One label–value row; `url` makes the value a link.
#[derive(Debug, Clone)]
pub struct Field {
    /// What the value is.
    pub label: String,
    /// The value.
    pub value: String,
    /// A link for the value.
    pub url: Option<String>,
}

impl Field {
    fn new(label: &str, value: impl Into<String>) -> Field {
        Field {
            label: label.to_string(),
            value: value.into(),
            url: None,
        }
    }

    /// A document reference: a link when it is a web address, its name otherwise.
    fn reference(label: &str, reference: &str) -> Field {
        Field {
            label: label.to_string(),
            value: reference.to_string(),
            url: link_target(reference),
        }
    }
}

/// `reference` as a link target: web addresses and the service's own paths only, so that no
/// `javascript:` or `file:` URL from a data file ever becomes a link.
pub(super) fn link_target(reference: &str) -> Option<String> {
    let r = reference.trim();
    let web = r.starts_with("https://") || r.starts_with("http://");
    let own_path = r.starts_with('/') && !r.starts_with("//");
    (web || own_path).then(|| r.to_string())
}

impl Certificate {
    /// The certificate of `subject` from its answers (one per parcel, or the point's).
    pub fn new(answers: &[LookupAnswer], subject: &Subject, origin: &Origin) -> Certificate {
        let land = Land::new(answers);
        let parcel_ids: Vec<String> = answers
            .iter()
            .filter_map(|a| a.parcel.as_ref().map(|p| p.id.clone()))
            .collect();
        let reference = match parcel_ids.as_slice() {
            [] => match answers.first() {
                Some(a) => format!("Point {:.6}, {:.6} (lat, lon)", a.lat, a.lon),
                None => "Lieu non déterminé".to_string(),
            },
            [one] => format!("Parcelle {}", spaced_parcel_id(one)),
            many => format!(
                "Parcelles {}",
                many.iter()
                    .map(|id| spaced_parcel_id(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let file_stem = if parcel_ids.is_empty() {
            "cua-point".to_string()
        } else {
            format!("cua-{}", parcel_ids.join("-"))
        };
        let path = match subject {
            Subject::Parcels(ids) => match ids.as_slice() {
                [one] => format!("/?parcelle={one}"),
                _ => format!("/api/cua?parcel={}", ids.join(",")),
            },
            Subject::Point(p) => format!("/?lat={:.6}&lon={:.6}", p.lat, p.lon),
        };
        let permalink = match &origin.base_url {
            Some(base) => format!("{base}{path}"),
            None => path,
        };
        let sections = vec![
            land_section(answers, &land),
            planning_section(answers, &land),
            servitudes_section(answers),
            risks_section(answers, &land),
            preemption_section(answers, &land),
            Section {
                number: 6,
                title: "Taxes et participations".into(),
                blocks: vec![Block::Note(
                    "À compléter par le service : les taxes et participations exigibles \
                     (taxe d'aménagement, participations d'urbanisme…) ne figurent pas dans les \
                     données chargées."
                        .into(),
                )],
            },
            not_checked_section(answers, &land),
            sources_section(answers, &permalink, origin),
        ];
        Certificate {
            title: TITLE.into(),
            notice: NOTICE.into(),
            reference,
            file_stem,
            sections,
            generated: generation_date(origin.generated),
            generated_at: origin.generated,
            qr: Qr::new(&permalink),
            permalink,
        }
    }
}

/// How one answer's item meets its parcel: overlap area (m²) and share (%), when areal.
type Overlaps = (Option<f64>, Option<f64>);

/// The analysed land as a whole: the parcels' computed areas summed (the base of every share).
struct Land {
    /// Total computed area, m², when every answer analysed an area.
    area_m2: Option<f64>,
    /// More than one parcel: shares are "du terrain", merged over the parcels.
    several: bool,
}

impl Land {
    fn new(answers: &[LookupAnswer]) -> Land {
        let areas: Option<Vec<f64>> = answers.iter().map(|a| a.scope.area_m2).collect();
        Land {
            area_m2: areas.map(|a| a.iter().sum()),
            several: answers.len() > 1,
        }
    }

    /// The share of the land covered by items of one kind found in several answers: each
    /// answer's overlap area summed over the total area. With one answer, its share as computed.
    fn share(&self, overlaps: &[Overlaps]) -> Option<f64> {
        if !self.several {
            return overlaps.first().and_then(|(_, share)| *share);
        }
        let total = self.area_m2.filter(|t| *t > 0.0)?;
        let area: f64 = overlaps.iter().filter_map(|(a, _)| *a).sum();
        (area > 0.0).then(|| (area / total * 100.0).min(100.0))
    }
}

/// ` (49 % du terrain)`, or nothing when no share is known.
fn share_text(share: Option<f64>) -> String {
    match share {
        Some(s) if s >= 99.95 => " (100 % du terrain)".to_string(),
        Some(s) => format!(" ({} % du terrain)", french_number(s)),
        None => String::new(),
    }
}

/// `10 334 m²`, `312,8 m²`: thousands grouped, a decimal only when there is one.
fn area_text(m2: f64) -> String {
    let tenths = (m2 * 10.0).round() as i64;
    let (whole, decimal) = (tenths / 10, tenths % 10);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    if decimal == 0 {
        format!("{grouped} m²")
    } else {
        format!("{grouped},{decimal} m²")
    }
}

fn generation_date(t: time::OffsetDateTime) -> String {
    format!(
        "{:02}/{:02}/{} à {:02}:{:02} UTC",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

// ---- 1. Terrain ------------------------------------------------------------------------------

fn land_section(answers: &[LookupAnswer], land: &Land) -> Section {
    let mut blocks = Vec::new();
    let mut fields = Vec::new();
    if let Some(c) = answers.iter().find_map(|a| a.commune.as_ref()) {
        // A commune known only from its parcels has its INSEE code for a name.
        let name = if c.name == c.insee {
            format!("commune INSEE {}", c.insee)
        } else {
            format!("{} (INSEE {})", c.name, c.insee)
        };
        fields.push(Field::new("Commune", name));
    } else {
        fields.push(Field::new(
            "Commune",
            "non déterminée (limites communales non chargées ici)",
        ));
    }
    let addresses: Vec<&str> = unique(
        answers
            .iter()
            .filter_map(|a| a.location.as_ref())
            .map(|l| l.label.as_str()),
    );
    if !addresses.is_empty() {
        fields.push(Field::new("Adresse", addresses.join(" ; ")));
    }
    blocks.push(Block::Fields(fields));
    for a in answers {
        match &a.parcel {
            Some(p) => {
                let mut rows = vec![
                    Field::new("Section", p.section.clone()),
                    Field::new("Numéro", p.numero.clone()),
                    Field::new(
                        "Contenance cadastrale",
                        p.contenance
                            .map(area_text)
                            .unwrap_or_else(|| "non renseignée dans le cadastre chargé".into()),
                    ),
                ];
                if let Some(m2) = a.scope.area_m2 {
                    rows.push(Field::new(
                        "Surface calculée",
                        format!("{} (d'après le plan cadastral)", area_text(m2)),
                    ));
                }
                blocks.push(Block::Entry {
                    title: format!("Parcelle {}", spaced_parcel_id(&p.id)),
                    blocks: vec![Block::Fields(rows)],
                });
            }
            None => {
                let mut text = format!(
                    "Point interrogé : {:.6}, {:.6} (latitude, longitude) ; il n'est dans aucune \
                     parcelle du cadastre chargé",
                    a.lat, a.lon
                );
                if !a.coverage.cadastre {
                    text = format!(
                        "Point interrogé : {:.6}, {:.6} (latitude, longitude) ; le cadastre n'est \
                         pas chargé ici",
                        a.lat, a.lon
                    );
                }
                match &a.nearest_parcel {
                    Some(n) => text.push_str(&format!(
                        " (parcelle la plus proche : {}, à {} m).",
                        spaced_parcel_id(&n.id),
                        french_number(n.distance_m)
                    )),
                    None => text.push('.'),
                }
                blocks.push(Block::Text(text));
            }
        }
    }
    if land.several {
        let declared: Option<f64> = answers
            .iter()
            .map(|a| a.parcel.as_ref().and_then(|p| p.contenance))
            .sum();
        let mut rows = vec![Field::new("Nombre de parcelles", answers.len().to_string())];
        if let Some(c) = declared {
            rows.push(Field::new("Contenance cadastrale totale", area_text(c)));
        }
        if let Some(m2) = land.area_m2 {
            rows.push(Field::new("Surface calculée totale", area_text(m2)));
        }
        blocks.push(Block::Entry {
            title: "Unité foncière".into(),
            blocks: vec![Block::Fields(rows)],
        });
    }
    Section {
        number: 1,
        title: "Terrain".into(),
        blocks,
    }
}

// ---- 2. Dispositions d'urbanisme -------------------------------------------------------------

fn planning_section(answers: &[LookupAnswer], land: &Land) -> Section {
    let mut blocks = Vec::new();
    for label in unique(answers.iter().map(|a| a.status.label.as_str())) {
        blocks.push(Block::Text(label.to_string()));
    }
    let documents = unique_by(answers.iter().filter_map(|a| a.document.as_ref()), |d| {
        d.document.idurba.clone()
    });
    for d in &documents {
        let doc = &d.document;
        let mut rows = vec![Field::new(
            "Document",
            format!("{} — {}", typedoc_name(&doc.typedoc), doc.idurba),
        )];
        if let Some(date) = &doc.datappro {
            rows.push(Field::new("Approuvé le", french_date(date)));
        }
        if let Some(r) = &d.reglement {
            rows.push(Field::reference("Règlement", r));
        }
        if let Some(p) = &d.plan {
            rows.push(Field::reference("Plan de zonage", p));
        }
        if let Some(w) = &doc.siteweb {
            rows.push(Field::reference("Site", w));
        }
        blocks.push(Block::Fields(rows));
    }
    if documents.is_empty() {
        blocks.push(Block::Note(
            "Aucun document d'urbanisme n'est identifié dans les données chargées pour ce terrain."
                .into(),
        ));
    }
    // Zones, merged over the parcels by code and document.
    let mut zones: Vec<(String, Vec<Overlaps>, &ZoneOut)> = Vec::new();
    for z in answers.iter().flat_map(|a| &a.zones) {
        let key = format!("{}\u{0}{}", z.libelle, z.idurba.as_deref().unwrap_or(""));
        let overlap = (z.hit.overlap.map(|o| o.area_m2), z.hit.share_pct());
        match zones.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, overlaps, _)) => overlaps.push(overlap),
            None => zones.push((key, vec![overlap], z)),
        }
    }
    let mut covered_share = 0.0;
    for (_, overlaps, z) in &zones {
        let share = land.share(overlaps);
        covered_share += share.unwrap_or(0.0);
        let mut title = format!("Zone {}", z.libelle);
        if let Some(t) = z.typezone_label {
            title.push_str(&format!(" — {t}"));
        }
        title.push_str(&share_text(share));
        let mut rows = Vec::new();
        if let Some(l) = &z.libelong {
            rows.push(Field::new("Libellé", l.clone()));
        }
        if let Some(d) = z.destdomi_label.or(z.destdomi.as_deref()) {
            rows.push(Field::new("Destination dominante", d));
        }
        if let Some(r) = z.reglement_url.as_ref().or(z.reglement.as_ref()) {
            rows.push(Field::reference("Règlement de la zone", r));
        }
        rows.push(Field::new("Source", source_text(&z.source)));
        let mut entry = vec![Block::Fields(rows)];
        entry.extend(regulation_blocks(z));
        blocks.push(Block::Entry {
            title,
            blocks: entry,
        });
    }
    if !zones.is_empty() && land.area_m2.is_some() && covered_share < 99.5 {
        blocks.push(Block::Note(format!(
            "{} % du terrain n'est couvert par aucune zone des données chargées.",
            french_number(100.0 - covered_share)
        )));
    }
    if zones.is_empty() {
        blocks.push(Block::Note(
            "Aucune zone d'urbanisme des données chargées ne couvre ce terrain.".into(),
        ));
    }
    let prescriptions = urba_entries(answers, land, |a| &a.prescriptions, |_| true);
    if !prescriptions.is_empty() {
        blocks.push(Block::Text(
            "Prescriptions du document d'urbanisme :".into(),
        ));
        blocks.extend(prescriptions);
    }
    // The pre-emption right has its own section (5).
    let informations = urba_entries(answers, land, |a| &a.informations, |code| code != DPU);
    if !informations.is_empty() {
        blocks.push(Block::Text("Informations du document d'urbanisme :".into()));
        blocks.extend(informations);
    }
    Section {
        number: 2,
        title: "Dispositions d'urbanisme".into(),
        blocks,
    }
}

/// `TYPEINF` of the urban pre-emption right (droit de préemption urbain).
const DPU: &str = "04";

/// Prescriptions or informations of every answer, once each, those whose code passes `keep`.
fn urba_entries(
    answers: &[LookupAnswer],
    land: &Land,
    items: impl Fn(&LookupAnswer) -> &Vec<UrbaFeatureOut>,
    keep: impl Fn(&str) -> bool,
) -> Vec<Block> {
    let mut seen: BTreeMap<String, Vec<Overlaps>> = BTreeMap::new();
    let mut order = Vec::new();
    for a in answers {
        for f in items(a).iter().filter(|f| keep(&f.code)) {
            let key = format!("{}\u{0}{}\u{0}{}", f.code, f.libelle, f.source.id);
            let overlap = (f.hit.overlap.map(|o| o.area_m2), f.hit.share_pct());
            let slot = seen.entry(key).or_default();
            if slot.is_empty() {
                order.push(f);
            }
            slot.push(overlap);
        }
    }
    order
        .into_iter()
        .map(|f| {
            let key = format!("{}\u{0}{}\u{0}{}", f.code, f.libelle, f.source.id);
            let share = seen.get(&key).and_then(|o| land.share(o));
            let mut rows = Vec::new();
            if let Some(l) = f.label.filter(|l| *l != f.libelle) {
                rows.push(Field::new("Type", format!("{l} (code {})", f.code)));
            } else {
                rows.push(Field::new("Code", f.code.clone()));
            }
            if let Some(t) = &f.txt {
                rows.push(Field::new("Texte", t.clone()));
            }
            if let Some(r) = &f.reglement {
                rows.push(Field::reference("Règlement", r));
            }
            rows.push(Field::new("Source", source_text(&f.source)));
            Block::Entry {
                title: format!("{}{}", f.libelle, share_text(share)),
                blocks: vec![Block::Fields(rows)],
            }
        })
        .collect()
}

/// A zone's key rules from its structured regulation, each value with the sentence it was read
/// from, and the link to the zone's text; without one, the plain statement that they are not
/// loaded.
fn regulation_blocks(zone: &ZoneOut) -> Vec<Block> {
    let Some(r) = zone.regulation.as_deref() else {
        return vec![Block::Note(
            "Les règles de la zone ne sont pas chargées (pas de règlement structuré) : se \
             reporter au règlement."
                .into(),
        )];
    };
    let mut out = vec![
        Block::Fields(vec![Field::reference(
            "Règlement structuré",
            &format!(
                "/api/reglement?{}",
                serde_urlencoded::to_string([("idurba", &r.about.idurba), ("zone", &r.about.zone)])
                    .unwrap_or_default()
            ),
        )]),
        Block::Text(format!(
            "Règles principales lues dans « {} » (à vérifier dans le texte, qui prévoit des \
             exceptions) :",
            r.about.document
        )),
    ];
    out.extend(r.key_rules.iter().flat_map(key_rule_blocks));
    out
}

/// One entry per value of a key rule, `Hauteur maximale : 9 m au faîtage (habitation)` with its
/// quoted sentence, or `… : non trouvé dans le règlement`.
fn key_rule_blocks(rule: &KeyRule) -> Vec<Block> {
    if rule.values.is_empty() {
        return vec![Block::Entry {
            title: format!("{} : {}", rule.label, rule.not_found.unwrap_or(NOT_FOUND)),
            blocks: Vec::new(),
        }];
    }
    rule.values
        .iter()
        .map(|v| Block::Entry {
            title: format!("{} : {}", rule.label, v.short),
            blocks: vec![Block::Quote {
                text: match &v.lead_in {
                    Some(lead) => format!("{lead} {}", v.sentence),
                    None => v.sentence.clone(),
                },
                from: Some(format!(
                    "règlement, section « {} » ({})",
                    v.section, v.section_id
                )),
            }],
        })
        .collect()
}

// ---- 3. Servitudes ---------------------------------------------------------------------------

fn servitudes_section(answers: &[LookupAnswer]) -> Section {
    let mut blocks = Vec::new();
    // By category, in the order met; each assiette once.
    let mut groups: Vec<(String, Vec<&ServitudeOut>)> = Vec::new();
    for s in answers.iter().flat_map(|a| &a.servitudes) {
        match groups.iter_mut().find(|(c, _)| *c == s.categorie) {
            Some((_, list)) => {
                if !list.iter().any(|o| o.id_ass == s.id_ass) {
                    list.push(s);
                }
            }
            None => groups.push((s.categorie.clone(), vec![s])),
        }
    }
    for (code, list) in &groups {
        let Some(first) = list.first() else { continue };
        let label = first.categorie_label.unwrap_or("catégorie sans libellé");
        let title = if list.len() > 1 {
            format!("{code} — {label} ({} assiettes)", list.len())
        } else {
            format!("{code} — {label}")
        };
        let rows = vec![
            Field::new("Effet sur un projet", first.effect),
            Field::new("Consultation", first.consult),
            Field::new("Base légale", first.legal_basis),
        ];
        let mut entry = Vec::new();
        if !rows.is_empty() {
            entry.push(Block::Fields(rows));
        }
        entry.push(Block::List(
            list.iter().map(|s| servitude_line(s)).collect(),
        ));
        blocks.push(Block::Entry {
            title,
            blocks: entry,
        });
    }
    if groups.is_empty() {
        if answers.iter().all(|a| a.coverage.servitudes) {
            blocks.push(Block::Text(
                "Le terrain n'est grevé d'aucune servitude d'utilité publique des données chargées."
                    .into(),
            ));
        } else {
            blocks.push(Block::Note(
                "Aucune donnée de servitudes d'utilité publique n'est chargée pour ce terrain : \
                 non vérifié."
                    .into(),
            ));
        }
    }
    Section {
        number: 3,
        title: "Limitations administratives au droit de propriété".into(),
        blocks,
    }
}

/// `Maison Peraldi (Monument) — périmètre AC1_Abords… ; arrêté ministériel du 06/09/1985`.
fn servitude_line(s: &ServitudeOut) -> String {
    let mut line = s
        .nom_sup_litt
        .clone()
        .or_else(|| s.nom_gen.clone())
        .or_else(|| s.nom_sup.clone())
        .unwrap_or_else(|| s.id_ass.clone());
    if let Some(t) = &s.type_gen {
        line.push_str(&format!(" ({t})"));
    }
    let assiette = match (&s.type_ass, &s.nom_ass) {
        (Some(t), Some(n)) => Some(format!("{t} {n}")),
        (Some(t), None) => Some(t.clone()),
        (None, Some(n)) => Some(n.clone()),
        (None, None) => None,
    };
    if let Some(a) = assiette {
        line.push_str(&format!(" — {a}"));
    }
    if let Some(acte) = &s.acte {
        let kind = acte.type_acte.as_deref().unwrap_or("acte");
        match &acte.date_decision {
            Some(d) => line.push_str(&format!(" ; {kind} du {}", french_date(d))),
            None => line.push_str(&format!(" ; {kind}")),
        }
    }
    if let Some(share) = s.hit.share_pct() {
        line.push_str(&share_text(Some(share)));
    }
    line
}

// ---- 4. Risques ------------------------------------------------------------------------------

fn risks_section(answers: &[LookupAnswer], land: &Land) -> Section {
    let mut blocks = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for a in answers {
        for r in &a.risks {
            let key = format!("{}\u{0}{}", r.procedure, r.zone_code);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            let overlaps: Vec<_> = answers
                .iter()
                .flat_map(|a| &a.risks)
                .filter(|o| format!("{}\u{0}{}", o.procedure, o.zone_code) == key)
                .map(|o| (o.hit.overlap.map(|v| v.area_m2), o.hit.share_pct()))
                .collect();
            let mut rows = vec![Field::new("Zone", r.zone_label.clone())];
            if let Some(d) = &r.plan_date {
                rows.push(Field::new("Plan du", french_date(d)));
            }
            if let Some(l) = r.regulation_label.or(r.regulation.as_deref()) {
                rows.push(Field::new("Type de règlement", l));
            }
            rows.push(Field::new("Aléa", r.hazard));
            if let Some(state) = &r.plan_state {
                rows.push(Field::new("État du plan", state.clone()));
            }
            rows.push(Field::new("Conséquence pour un projet", r.meaning));
            if let Some(basis) = r.legal_basis {
                rows.push(Field::new("Base légale", basis));
            }
            if let Some(s) = &r.also_servitude {
                rows.push(Field::new(
                    "Servitude",
                    format!("publié aussi comme servitude {s}"),
                ));
            }
            if let Some(u) = &r.url {
                rows.push(Field::reference("Règlement du plan", u));
            }
            rows.push(Field::new("Source", source_text(&r.source)));
            blocks.push(Block::Entry {
                title: format!(
                    "{} — zone {}{}",
                    r.plan,
                    r.zone_code,
                    share_text(land.share(&overlaps))
                ),
                blocks: vec![Block::Fields(rows)],
            });
        }
    }
    if seen.is_empty() {
        if answers.iter().all(|a| a.coverage.risks) {
            blocks.push(Block::Text(
                "Le terrain n'est dans aucune zone réglementée des plans de prévention des \
                 risques chargés."
                    .into(),
            ));
        } else {
            blocks.push(Block::Note(
                "Aucun plan de prévention des risques n'est chargé pour ce terrain : non vérifié."
                    .into(),
            ));
        }
    }
    // Zoning maps (seismic zoning, former quarries…), those that cover the place.
    let mut themes: Vec<&str> = Vec::new();
    for section in answers.iter().flat_map(|a| &a.zonings) {
        if !section.covered || themes.contains(&section.theme.as_str()) {
            continue;
        }
        themes.push(&section.theme);
        let mut lines = Vec::new();
        let mut codes: Vec<&str> = Vec::new();
        for z in answers
            .iter()
            .flat_map(|a| &a.zonings)
            .filter(|s| s.theme == section.theme)
            .flat_map(|s| &s.zones)
        {
            if codes.contains(&z.code.as_str()) {
                continue;
            }
            codes.push(&z.code);
            let overlaps: Vec<_> = answers
                .iter()
                .flat_map(|a| &a.zonings)
                .filter(|s| s.theme == section.theme)
                .flat_map(|s| &s.zones)
                .filter(|o| o.code == z.code)
                .map(|o| (o.hit.overlap.map(|v| v.area_m2), o.hit.share_pct()))
                .collect();
            let mut line = format!(
                "{} (code {}){}",
                z.label,
                z.code,
                share_text(land.share(&overlaps))
            );
            if let Some(u) = &z.url {
                line.push_str(&format!(" — {u}"));
            }
            line.push_str(&format!(" — source : {}", source_text(&z.source)));
            lines.push(line);
        }
        let body = if lines.is_empty() {
            Block::Text("Hors des zones de cette carte.".into())
        } else {
            Block::List(lines)
        };
        blocks.push(Block::Entry {
            title: section.name.clone(),
            blocks: vec![body],
        });
    }
    Section {
        number: 4,
        title: "Risques".into(),
        blocks,
    }
}

// ---- 5. Droit de préemption ------------------------------------------------------------------

fn preemption_section(answers: &[LookupAnswer], land: &Land) -> Section {
    let mut blocks = urba_entries(answers, land, |a| &a.informations, |code| code == DPU);
    if blocks.is_empty() {
        blocks.push(Block::Note(
            "Droit de préemption : non renseigné dans les données chargées (aucune information \
             de type 04, droit de préemption urbain, sur ce terrain)."
                .into(),
        ));
    } else {
        blocks.insert(
            0,
            Block::Text(
                "Le document d'urbanisme signale un périmètre de droit de préemption sur le \
                 terrain :"
                    .into(),
            ),
        );
    }
    Section {
        number: 5,
        title: "Droit de préemption".into(),
        blocks,
    }
}

// ---- 7. Ce qui n'a pas été vérifié -----------------------------------------------------------

fn not_checked_section(answers: &[LookupAnswer], land: &Land) -> Section {
    let mut items: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !items.contains(&s) {
            items.push(s);
        }
    };
    for a in answers {
        for s in a
            .summary
            .iter()
            .filter(|s| s.kind == SentenceKind::Coverage)
        {
            push(s.text.clone());
        }
        for z in a.zonings.iter().filter(|z| !z.covered) {
            push(format!(
                "La carte « {} » est chargée mais ne couvre pas ce terrain.",
                z.name
            ));
        }
        if !a.coverage.planning && a.document.is_none() && a.zones.is_empty() {
            push("Aucune donnée d'urbanisme (PLU, PLUi, carte communale) n'est chargée ici : les dispositions d'urbanisme n'ont pas été vérifiées.".into());
        }
        for w in &a.warnings {
            push(w.clone());
        }
    }
    if land.area_m2.is_none() {
        push("Aucune parcelle n'a été analysée : les mentions valent pour le point interrogé seulement.".into());
    }
    let mut blocks = vec![Block::Text(
        "Les couches suivantes n'ont pas pu être vérifiées avec les données chargées ; l'absence \
         de mention dans les sections précédentes ne vaut pas absence de contrainte :"
            .into(),
    )];
    if items.is_empty() {
        blocks = vec![Block::Text(
            "Toutes les couches interrogées (urbanisme, servitudes, risques) sont couvertes par \
             les données chargées ici ; d'autres contraintes (Géorisques, archéologie, \
             réseaux…) peuvent exister hors de ces données."
                .into(),
        )];
    } else {
        blocks.push(Block::List(items));
    }
    Section {
        number: 7,
        title: "Ce qui n'a pas été vérifié".into(),
        blocks,
    }
}

// ---- 8. Sources ------------------------------------------------------------------------------

fn sources_section(answers: &[LookupAnswer], permalink: &str, origin: &Origin) -> Section {
    let mut lines: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !lines.contains(&s) {
            lines.push(s);
        }
    };
    for a in answers {
        for c in &a.coverage.sources {
            push(format!("{} — couverture : {}", c.source, c.basis));
        }
        if let Some(d) = &a.document {
            let date = d
                .document
                .datappro
                .as_deref()
                .map(|x| format!(", approuvé le {}", french_date(x)))
                .unwrap_or_default();
            push(format!(
                "{} {}{date} (livraison {})",
                d.document.typedoc, d.document.idurba, d.document.source
            ));
        }
        for r in &a.risks {
            let date = r
                .plan_date
                .as_deref()
                .map(|x| format!(" du {}", french_date(x)))
                .unwrap_or_default();
            push(format!("{}{date}", r.plan));
        }
        for s in &a.servitudes {
            if let Some(acte) = &s.acte {
                let name = acte.nom.as_deref().unwrap_or(&s.categorie);
                let date = acte
                    .date_decision
                    .as_deref()
                    .map(|x| format!(" du {}", french_date(x)))
                    .unwrap_or_default();
                push(format!("Servitude {} : acte {name}{date}", s.categorie));
            }
        }
    }
    let mut files: Vec<String> = Vec::new();
    for r in answers.iter().flat_map(answer_sources) {
        let file = r.id.split('#').next().unwrap_or(&r.id).to_string();
        if !files.contains(&file) {
            files.push(file);
        }
    }
    let mut blocks = Vec::new();
    if !lines.is_empty() {
        blocks.push(Block::Text(
            "Données et documents (avec leur date quand elles la donnent) :".into(),
        ));
        blocks.push(Block::List(lines));
    }
    if !files.is_empty() {
        blocks.push(Block::Text(
            "Fichiers dont proviennent les mentions ci-dessus :".into(),
        ));
        blocks.push(Block::List(files));
    }
    // The generation date and the permalink with its QR code close the section (renderers).
    if origin.base_url.is_none() {
        blocks.push(Block::Note(format!(
            "Adresse du service non connue lors de la génération : ouvrir {permalink} sur le \
             service."
        )));
    }
    Section {
        number: 8,
        title: "Sources des données".into(),
        blocks,
    }
}

/// Every source an answer's items and sentences cite.
fn answer_sources(a: &LookupAnswer) -> Vec<&SourceRef> {
    let mut out: Vec<&SourceRef> = Vec::new();
    out.extend(a.zones.iter().map(|z| &z.source));
    out.extend(a.prescriptions.iter().map(|p| &p.source));
    out.extend(a.informations.iter().map(|i| &i.source));
    out.extend(a.servitudes.iter().map(|s| &s.source));
    out.extend(a.risks.iter().map(|r| &r.source));
    out.extend(a.zonings.iter().flat_map(|z| &z.zones).map(|z| &z.source));
    out.extend(a.summary.iter().flat_map(|s| &s.sources));
    out
}

/// `fichier.shp, entité 12`.
fn source_text(r: &SourceRef) -> String {
    match r.id.rsplit_once('#') {
        Some((file, n)) => format!("{file}, entité {n}"),
        None => r.id.clone(),
    }
}

/// Distinct values, first occurrence first.
fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Distinct items by a key, first occurrence first.
fn unique_by<T, K: PartialEq>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut keys = Vec::new();
    let mut out = Vec::new();
    for i in items {
        let k = key(&i);
        if !keys.contains(&k) {
            keys.push(k);
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_written_the_french_way() {
        assert_eq!(area_text(10334.0), "10\u{202f}334 m²");
        assert_eq!(area_text(312.84), "312,8 m²");
        assert_eq!(area_text(1_234_567.0), "1\u{202f}234\u{202f}567 m²");
    }

    #[test]
    fn only_web_addresses_and_own_paths_are_links() {
        assert!(link_target("https://example.fr/r.pdf#page=3").is_some());
        assert!(link_target("/api/cua?parcel=1").is_some());
        assert!(link_target("javascript:alert(1)").is_none());
        assert!(link_target("//evil.example").is_none());
        assert!(link_target("30014_reglement_20171013.pdf#page=12").is_none());
    }

    #[test]
    fn key_rules_are_quoted_or_said_missing() {
        use crate::rules::key_rules::{measure::Unit, RuleKind, RuleValue};
        let value = RuleValue {
            value: 40.0,
            unit: Unit::Percent,
            measured_at: None,
            condition: Some("habitation".into()),
            per: None,
            sentence: "ne doit pas dépasser 40 % de la surface totale du terrain.".into(),
            lead_in: Some("L'emprise au sol :".into()),
            section_id: "ub-1".into(),
            section: "Emprise au sol".into(),
            short: "40 % (habitation)".into(),
        };
        let found = KeyRule {
            kind: RuleKind::EmpriseSol,
            label: RuleKind::EmpriseSol.label(),
            values: vec![value],
            not_found: None,
        };
        let text = format!("{:?}", key_rule_blocks(&found));
        assert!(
            text.contains("Emprise au sol maximale : 40 % (habitation)"),
            "{text}"
        );
        assert!(
            text.contains("L'emprise au sol : ne doit pas dépasser 40 %"),
            "{text}"
        );
        assert!(text.contains("section « Emprise au sol » (ub-1)"), "{text}");
        let missing = KeyRule {
            kind: RuleKind::Stationnement,
            label: RuleKind::Stationnement.label(),
            values: Vec::new(),
            not_found: Some(NOT_FOUND),
        };
        let text = format!("{:?}", key_rule_blocks(&missing));
        assert!(
            text.contains("Stationnement : non trouvé dans le règlement"),
            "{text}"
        );
    }
}
