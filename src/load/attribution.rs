//! Which document of a delivery a feature belongs to, as the CNIG standards say.
//!
//! A feature's own `IDURBA` names its document when it matches a `DOC_URBA` row. Otherwise (the
//! 2014 standard has no `IDURBA` on features; some producers leave a stale one) the document is the
//! delivery's: the folder is named `<INSEE|SIREN>_<TYPE>_<DATAPPRO>` (and the 2017 files
//! `<INSEE|SIREN>_<LAYER>_<DATAPPRO>`), and the `DOC_URBA` row approved that day for that commune
//! or EPCI is the one. A feature carrying `INSEE` and `DATAPPRO` (2014 standard) names it too. A
//! delivery whose `DOC_URBA` extract lists other communes' documents must never lend them to its
//! features: when nothing matches, the feature has no document.

use super::normalise::{iso_date, normalise_typedoc};
use crate::model::PlanDocument;

/// What a delivery's names say it is: `200011781_PLUi_20180101` → id, type, approval date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryName {
    /// INSEE code of the commune (5 characters) or SIREN of the EPCI (9 digits).
    pub id: String,
    /// Document type when the name gives it (`PLU`, `PLUi`, `CC`, `POS`, `PSMV`).
    pub typedoc: Option<String>,
    /// Approval date, ISO `yyyy-mm-dd`.
    pub datappro: String,
}

/// Document types a delivery folder may name.
pub const TYPEDOCS: [&str; 5] = ["PLU", "PLUi", "CC", "POS", "PSMV"];

impl DeliveryName {
    /// Reads a folder name `<id>_<TYPE>_<yyyymmdd>` or a file stem `<id>_<LAYER…>_<yyyymmdd>`.
    ///
    /// ```
    /// # use urbaclic::load::attribution::DeliveryName;
    /// let n = DeliveryName::parse("200011781_PLUi_20180101").unwrap();
    /// assert_eq!((n.id.as_str(), n.typedoc.as_deref(), n.datappro.as_str()), ("200011781", Some("PLUi"), "2018-01-01"));
    /// let f = DeliveryName::parse("19182_SECTEUR_CC_20150517").unwrap();
    /// assert_eq!((f.id.as_str(), f.typedoc), ("19182", None));
    /// assert_eq!(DeliveryName::parse("ZONE_URBA"), None);
    /// ```
    pub fn parse(name: &str) -> Option<DeliveryName> {
        let (id, rest) = name.split_once('_')?;
        let (middle, date) = rest.rsplit_once('_')?;
        let id_ok = (id.len() == 5 && id.chars().all(|c| c.is_ascii_alphanumeric()))
            || (id.len() == 9 && id.chars().all(|c| c.is_ascii_digit()));
        if !id_ok || date.len() != 8 {
            return None;
        }
        let typedoc = normalise_typedoc(middle);
        Some(DeliveryName {
            id: id.to_ascii_uppercase(),
            typedoc: TYPEDOCS.contains(&typedoc.as_str()).then_some(typedoc),
            datappro: iso_date(date)?,
        })
    }

    /// The name of a delivery: its folder's, else the first of its file stems that has the form.
    pub fn of_delivery<'a>(
        folder: &str,
        file_stems: impl IntoIterator<Item = &'a str>,
    ) -> Option<DeliveryName> {
        DeliveryName::parse(folder).or_else(|| file_stems.into_iter().find_map(DeliveryName::parse))
    }

    /// The `DOC_URBA` row this name designates among `docs`, if exactly one fits best.
    pub fn document(&self, docs: &[PlanDocument]) -> Option<usize> {
        best_match(docs, |d| self.rank(d))
    }

    /// How well `doc` fits: `None` when it is another document; higher is better.
    fn rank(&self, doc: &PlanDocument) -> Option<u8> {
        if doc.datappro.as_deref() != Some(self.datappro.as_str()) {
            return None;
        }
        let compact_id: String = doc.idurba.chars().filter(|c| *c != '_').collect();
        let names_it = compact_id.to_ascii_uppercase().starts_with(&self.id)
            || doc.siren.as_deref() == Some(self.id.as_str())
            || doc
                .communes
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&self.id));
        if !names_it {
            return None;
        }
        let same_type = self.typedoc.as_deref().is_none_or(|t| t == doc.typedoc);
        Some(u8::from(same_type) * 4 + in_force_rank(doc))
    }
}

/// An opposable document (`ETAT` 03) without end date ranks above a replaced or ended one.
fn in_force_rank(doc: &PlanDocument) -> u8 {
    u8::from(doc.etat.as_deref() == Some("03")) * 2 + u8::from(doc.datefin.is_none())
}

/// The index of the single best-ranked document; `None` when none fits or two distinct
/// documents tie (an ambiguity is not resolved by file order).
fn best_match(docs: &[PlanDocument], rank: impl Fn(&PlanDocument) -> Option<u8>) -> Option<usize> {
    let mut ranked: Vec<(u8, usize)> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Some((rank(d)?, i)))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    match ranked.as_slice() {
        [] => None,
        [(_, i)] => Some(*i),
        [(r0, i0), (r1, i1), ..] => {
            (r0 > r1 || docs[*i0].idurba.eq_ignore_ascii_case(&docs[*i1].idurba)).then_some(*i0)
        }
    }
}

/// What a feature says of its document: its `IDURBA`, and (2014 standard) its `INSEE` and
/// `DATAPPRO`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureKeys<'a> {
    /// The feature's `IDURBA`.
    pub idurba: Option<&'a str>,
    /// The feature's `INSEE`.
    pub insee: Option<&'a str>,
    /// The feature's `DATAPPRO`, ISO.
    pub datappro: Option<&'a str>,
}

/// How a feature's document was found, for the conformity report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// By the feature's own `IDURBA`.
    Idurba(usize),
    /// The delivery's document (its names, its commune and date, or its only row).
    Delivery(usize),
    /// No document fits: the feature's document is unknown.
    Unknown,
}

impl Attribution {
    /// The document's index, when one was found.
    pub fn index(self) -> Option<usize> {
        match self {
            Attribution::Idurba(i) | Attribution::Delivery(i) => Some(i),
            Attribution::Unknown => None,
        }
    }
}

/// The document of a feature among the delivery's `docs`; `delivery` is the one its names
/// designate ([`DeliveryName::document`]).
pub fn attribute(
    docs: &[PlanDocument],
    delivery: Option<usize>,
    keys: FeatureKeys<'_>,
) -> Attribution {
    if let Some(i) = keys
        .idurba
        .and_then(|id| docs.iter().position(|d| d.idurba.eq_ignore_ascii_case(id)))
    {
        return Attribution::Idurba(i);
    }
    let of_commune = |d: &PlanDocument, insee: &str| {
        d.communes.is_empty() || d.communes.iter().any(|c| c.eq_ignore_ascii_case(insee))
    };
    // The delivery's document, unless the feature says it is of a commune that document does not cover.
    if let Some(i) = delivery.filter(|i| keys.insee.is_none_or(|c| of_commune(&docs[*i], c))) {
        return Attribution::Delivery(i);
    }
    if let (Some(insee), Some(date)) = (keys.insee, keys.datappro) {
        let name = DeliveryName {
            id: insee.to_ascii_uppercase(),
            typedoc: None,
            datappro: date.to_string(),
        };
        if let Some(i) = name.document(docs) {
            return Attribution::Delivery(i);
        }
    }
    match docs {
        [only] if keys.insee.is_none_or(|c| of_commune(only, c)) => Attribution::Delivery(0),
        _ => Attribution::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(idurba: &str, typedoc: &str, date: &str, etat: &str, communes: &[&str]) -> PlanDocument {
        PlanDocument {
            idurba: idurba.into(),
            typedoc: typedoc.into(),
            datappro: Some(date.into()),
            etat: Some(etat.into()),
            communes: communes.iter().map(|c| (*c).to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_cc_extract_of_many_communes_gives_the_delivery_its_own_document() {
        let docs = [
            doc("50001_20060117", "PLU", "2006-01-17", "03", &[]),
            doc("50545_20100702", "CC", "2010-07-02", "05", &[]),
            doc("50545_20130902", "CC", "2013-09-02", "03", &["50545"]),
        ];
        let name = DeliveryName::parse("50545_CC_20130902").unwrap();
        assert_eq!(name.document(&docs), Some(2));
        assert_eq!(
            attribute(&docs, None, FeatureKeys::default()),
            Attribution::Unknown
        );
    }

    #[test]
    fn commune_and_date_pick_the_opposable_document_of_the_day() {
        let docs = [
            doc("4411820150219", "PLU", "2015-02-19", "03", &["44118"]),
            doc("4411820051214", "POS", "2015-02-19", "05", &["44118"]),
        ];
        let keys = FeatureKeys {
            insee: Some("44118"),
            datappro: Some("2015-02-19"),
            ..Default::default()
        };
        assert_eq!(attribute(&docs, None, keys), Attribution::Delivery(0));
    }

    #[test]
    fn a_stale_idurba_falls_back_to_the_delivery_document() {
        let docs = [doc("30014_PLU_20171013", "PLU", "2017-10-13", "03", &[])];
        let keys = FeatureKeys {
            idurba: Some("30014_PLU_20100101"),
            ..Default::default()
        };
        assert_eq!(attribute(&docs, Some(0), keys), Attribution::Delivery(0));
        assert_eq!(
            attribute(
                &docs,
                Some(0),
                FeatureKeys {
                    idurba: Some("30014_plu_20171013"),
                    ..keys
                }
            ),
            Attribution::Idurba(0)
        );
    }
}
