//! Structured planning regulations (CNIG « Structuration du Règlement d'Urbanisme », niveau 1):
//! the written rules of a plan, as titled sections tagged with the zones they apply to.
//!
//! [`crate::load`] reads them (JSON or XML) into [`Reglement`]s; [`Reglements`] indexes them by
//! the plan's `IDURBA` and builds, once per zone, the [`ZoneReglement`] an answer carries: the
//! sections that apply to that zone (with the general provisions), their text, and the key rules
//! read from it ([`crate::rules::key_rules`]).

pub mod html;
mod scope;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::rules::key_rules::{extract_key_rules, KeyRule, SectionText as RuleSource};
use html::HtmlNode;
pub use scope::ZoneScope;

/// A structured regulation (SRU `ReglementDU`).
#[derive(Debug, Clone)]
pub struct Reglement {
    /// The plan it belongs to (`IDURBA` of the CNIG delivery, e.g. `60668_PLU_20201207`).
    pub id_urba: String,
    /// Its title (`nom`).
    pub nom: String,
    /// Where the producer publishes it (`lien`).
    pub lien: Option<String>,
    /// `PLU` or `PLUI`.
    pub type_doc: Option<String>,
    /// File it was read from, relative to the data folder.
    pub file: String,
    /// Every section, in document order (a section's parent comes before it).
    pub titres: Vec<Titre>,
}

/// A titled section (SRU `Titre`).
#[derive(Debug, Clone)]
pub struct Titre {
    /// Its identifier in the regulation (`idTitre` / `id`), the anchor answers cite.
    pub id: String,
    /// Depth, 1 for the top titles.
    pub niveau: u32,
    /// Its number as written (`II`, `Sous-section I`…).
    pub numero: Option<String>,
    /// Its title.
    pub intitule: String,
    /// The zones it applies to.
    pub zones: ZoneScope,
    /// Index of the enclosing section.
    pub parent: Option<usize>,
    /// Its content blocks.
    pub contenus: Vec<Contenu>,
}

/// A block of content (SRU `Contenu`), which may narrow the zones of its section.
#[derive(Debug, Clone)]
pub struct Contenu {
    /// Its identifier (`idContenu` / `id`).
    pub id: Option<String>,
    /// The zones it applies to.
    pub zones: ZoneScope,
    /// Its elements.
    pub nodes: Vec<HtmlNode>,
}

/// The regulation of one zone, as `/api/reglement` answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneReglement {
    /// Which regulation and zone.
    #[serde(flatten)]
    pub about: ReglementRef,
    /// The sections that apply to the zone, general provisions included, in document order.
    pub sections: Vec<Section>,
    /// Height, footprint, setbacks, parking, green space: each found with its sentence, or not.
    pub key_rules: Vec<KeyRule>,
}

/// Which regulation a view is of.
#[derive(Debug, Clone, Serialize)]
pub struct ReglementRef {
    /// The plan (`IDURBA`).
    pub idurba: String,
    /// The zone asked (`LIBELLE` of `ZONE_URBA`).
    pub zone: String,
    /// The regulation's title.
    pub document: String,
    /// Where the producer publishes it.
    pub lien: Option<String>,
    /// The file it was read from, relative to the data folder.
    pub file: String,
}

/// A section that applies to a zone: its text, and its HTML.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Its title and text.
    #[serde(flatten)]
    pub text: SectionText,
    /// The blocks that apply to the zone, as sanitised HTML.
    pub html: String,
}

/// A section as a lookup answer carries it (its HTML is left to `/api/reglement`).
#[derive(Debug, Clone, Serialize)]
pub struct SectionText {
    /// Its identifier in the regulation (the anchor to cite).
    pub id: String,
    /// Depth, 1 for the top titles.
    pub niveau: u32,
    /// Its number as written.
    pub numero: Option<String>,
    /// Its title.
    pub intitule: String,
    /// True for the general provisions (`dispositionGenerale`, `porteeGenerale`).
    pub general: bool,
    /// The blocks that apply to the zone, one line per paragraph.
    pub text: String,
}

/// Why a regulation view could not be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReglementError {
    /// No structured regulation with that `IDURBA` is loaded.
    #[error("aucun règlement structuré chargé pour le document « {0} »")]
    UnknownDocument(String),
    /// The regulation names no such zone (nor the zone it is a sector of).
    #[error("le règlement de « {idurba} » ne nomme pas la zone « {zone} » (zones : {known})")]
    UnknownZone {
        /// The plan.
        idurba: String,
        /// The zone asked.
        zone: String,
        /// The zones it names, comma-separated.
        known: String,
    },
}

impl Reglement {
    /// The zone codes its sections and blocks name, sorted.
    pub fn zones(&self) -> BTreeSet<&str> {
        self.titres
            .iter()
            .flat_map(|t| {
                t.zones
                    .codes()
                    .chain(t.contenus.iter().flat_map(|c| c.zones.codes()))
            })
            .collect()
    }

    /// Whether some section or block applies to `zone` in particular (not only as general
    /// provisions).
    pub fn names_zone(&self, zone: &str) -> bool {
        self.titres
            .iter()
            .any(|t| t.zones.names(zone) || t.contenus.iter().any(|c| c.zones.names(zone)))
    }

    /// The regulation of `zone`: the sections that apply to it and the key rules read from them.
    pub fn for_zone(&self, zone: &str) -> ZoneReglement {
        let mut sections = Vec::new();
        for t in &self.titres {
            if !t.zones.applies_to(zone) {
                continue;
            }
            let nodes: Vec<HtmlNode> = t
                .contenus
                .iter()
                .filter(|c| c.zones.applies_to(zone))
                .flat_map(|c| c.nodes.iter().cloned())
                .collect();
            sections.push(Section {
                text: SectionText {
                    id: t.id.clone(),
                    niveau: t.niveau,
                    numero: t.numero.clone(),
                    intitule: t.intitule.clone(),
                    general: t.zones.is_general(),
                    text: html::plain_text(&nodes),
                },
                html: html::sanitised_html(&nodes),
            });
        }
        let read: Vec<RuleSource<'_>> = sections
            .iter()
            .map(|s| RuleSource {
                id: &s.text.id,
                title: &s.text.intitule,
                text: &s.text.text,
                general: s.text.general,
            })
            .collect();
        let key_rules = extract_key_rules(&read);
        ZoneReglement {
            about: ReglementRef {
                idurba: self.id_urba.clone(),
                zone: zone.to_string(),
                document: self.nom.clone(),
                lien: self.lien.clone(),
                file: self.file.clone(),
            },
            sections,
            key_rules,
        }
    }
}

/// Serialises a zone's regulation without the HTML of its sections: an answer carries the text,
/// `/api/reglement` both.
pub fn serialize_text_only<S: serde::Serializer>(
    r: &Option<Arc<ZoneReglement>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct TextOnly<'a> {
        #[serde(flatten)]
        about: &'a ReglementRef,
        sections: Vec<&'a SectionText>,
        key_rules: &'a [KeyRule],
    }
    r.as_deref()
        .map(|r| TextOnly {
            about: &r.about,
            sections: r.sections.iter().map(|x| &x.text).collect(),
            key_rules: &r.key_rules,
        })
        .serialize(s)
}

/// The loaded regulations, by `IDURBA`, with each zone's view built once.
#[derive(Debug, Default)]
pub struct Reglements {
    by_idurba: HashMap<String, Reglement>,
    views: HashMap<(String, String), Arc<ZoneReglement>>,
}

impl Reglements {
    /// Indexes `reglements` and builds the view of every zone they name and of every zone in
    /// `zones` (`IDURBA`, zone code pairs of the loaded zone layers), so that answers only clone
    /// an `Arc`. A later regulation of the same `IDURBA` replaces an earlier one.
    pub fn build<'a>(
        reglements: Vec<Reglement>,
        zones: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Reglements {
        let by_idurba: HashMap<String, Reglement> = reglements
            .into_iter()
            .map(|r| (r.id_urba.clone(), r))
            .collect();
        let mut wanted: BTreeSet<(String, String)> = by_idurba
            .values()
            .flat_map(|r| {
                r.zones()
                    .into_iter()
                    .map(|z| (r.id_urba.clone(), z.to_string()))
            })
            .collect();
        wanted.extend(
            zones
                .into_iter()
                .filter(|(idurba, _)| by_idurba.contains_key(*idurba))
                .map(|(i, z)| (i.to_string(), z.to_string())),
        );
        let views = wanted
            .into_iter()
            .filter_map(|(idurba, zone)| {
                let r = by_idurba.get(&idurba)?;
                r.names_zone(&zone)
                    .then(|| ((idurba, zone.clone()), Arc::new(r.for_zone(&zone))))
            })
            .collect();
        Reglements { by_idurba, views }
    }

    /// How many regulations are loaded.
    pub fn len(&self) -> usize {
        self.by_idurba.len()
    }

    /// Whether none is loaded.
    pub fn is_empty(&self) -> bool {
        self.by_idurba.is_empty()
    }

    /// The loaded regulations, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Reglement> {
        self.by_idurba.values()
    }

    /// The regulation of `zone` in plan `idurba`, when one is loaded and names that zone.
    pub fn zone(&self, idurba: &str, zone: &str) -> Option<Arc<ZoneReglement>> {
        self.views
            .get(&(idurba.to_string(), zone.to_string()))
            .cloned()
    }

    /// Like [`Reglements::zone`], saying why there is none, and building the view of a sector
    /// that no loaded zone has (`UGc` of a regulation naming `UG`).
    pub fn lookup(&self, idurba: &str, zone: &str) -> Result<Arc<ZoneReglement>, ReglementError> {
        let r = self
            .by_idurba
            .get(idurba)
            .ok_or_else(|| ReglementError::UnknownDocument(idurba.to_string()))?;
        if let Some(view) = self.zone(idurba, zone) {
            return Ok(view);
        }
        if r.names_zone(zone) {
            return Ok(Arc::new(r.for_zone(zone)));
        }
        Err(ReglementError::UnknownZone {
            idurba: idurba.to_string(),
            zone: zone.to_string(),
            known: r.zones().into_iter().collect::<Vec<_>>().join(", "),
        })
    }
}
