//! Finds the loaded parcels a [`ParcelRef`] designates, for the search box's suggestions
//! (`GET /api/parcels?q=`): id, commune, section, number and a point inside each parcel.

use geo::InteriorPoint;
use serde::Serialize;

use super::normalize::{fold, tokens};
use super::parcel_ref::ParcelRef;
use crate::dataset::Dataset;
use crate::model::Parcel;

/// One parcel offered for a reference.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ParcelCandidate {
    /// 14-character id (`91216000AB0037`).
    pub id: String,
    /// INSEE code of the commune.
    pub insee: String,
    /// The commune's name, when the communes layer or the address files give one.
    pub commune: Option<String>,
    /// Cadastral prefix (`000` but for absorbed communes).
    pub prefixe: String,
    /// Section, as the cadastre writes it (`AB`, `0A`).
    pub section: String,
    /// Number within the section, without its leading zeros.
    pub numero: u32,
    /// Declared area in m², when the source gives one.
    pub contenance: Option<f64>,
    /// What the search box shows: « Parcelle AB 37 — Épinay-sur-Orge ».
    pub label: String,
    /// Longitude of a point inside the parcel (WGS84): where a click on the suggestion lands.
    pub lon: f64,
    /// Latitude of that point.
    pub lat: f64,
}

/// The parcels `r` designates, in id order, at most `limit`; and how many there are in all.
///
/// ```
/// use urbaclic::geocode::parcel_ref::parse;
/// use urbaclic::geocode::parcel_search::find;
/// let data = urbaclic::load::load_dir("data".as_ref())?;
/// let (found, total) = find(&data, &parse("91216000AB0037").unwrap(), 10);
/// assert_eq!((found[0].label.as_str(), total), ("Parcelle AB 37 — Épinay-sur-Orge", 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find(data: &Dataset, r: &ParcelRef, limit: usize) -> (Vec<ParcelCandidate>, usize) {
    if let ParcelRef::Id(id) = r {
        // The common case, and the acceptance one: a hash lookup, no scan.
        let found: Vec<_> = data
            .parcel(id)
            .map(|p| candidate(data, p))
            .into_iter()
            .collect();
        let total = found.len();
        return (found, total);
    }
    let communes = named_communes(data, r);
    let mut hits: Vec<&Parcel> = data
        .parcels
        .scan(|p| designates(r, p, communes.as_deref()))
        .into_iter()
        .filter_map(|i| data.parcels.get(i))
        .collect();
    hits.sort_by(|a, b| a.id.cmp(&b.id));
    let total = hits.len();
    let found = hits
        .into_iter()
        .take(limit)
        .map(|p| candidate(data, p))
        .collect();
    (found, total)
}

/// The INSEE codes of the communes whose name the reference gives (each word typed starts a word
/// of the name: « epinay » → Épinay-sur-Orge and Épinay-sous-Sénart); `None` when it names none.
fn named_communes(data: &Dataset, r: &ParcelRef) -> Option<Vec<String>> {
    let ParcelRef::Reference {
        commune: Some(name),
        ..
    } = r
    else {
        return None;
    };
    let typed: Vec<&str> = tokens(name).collect();
    Some(
        data.communes
            .features()
            .iter()
            .filter(|c| {
                let folded = fold(&c.name);
                let words: Vec<&str> = tokens(&folded).collect();
                typed.iter().all(|t| words.iter().any(|w| w.starts_with(t)))
            })
            .map(|c| c.insee.clone())
            .collect(),
    )
}

/// True when parcel `p` is one `r` designates; `communes`: the INSEE codes its name matches.
fn designates(r: &ParcelRef, p: &Parcel, communes: Option<&[String]>) -> bool {
    match r {
        ParcelRef::Id(id) => p.id == *id,
        ParcelRef::IdPrefix(start) => p.id.starts_with(start.as_str()),
        ParcelRef::Reference {
            insee,
            prefixe,
            section,
            numero,
            ..
        } => {
            number(p) == Some(*numero)
                && format!("{:0>2}", p.section.to_ascii_uppercase()) == *section
                && insee.as_ref().is_none_or(|i| p.commune == *i)
                && prefixe.as_ref().is_none_or(|x| p.prefixe == *x)
                && communes.is_none_or(|c| c.contains(&p.commune))
        }
    }
}

/// The parcel's number; sources write it padded (`0037`) or not (`37`).
fn number(p: &Parcel) -> Option<u32> {
    p.numero.trim().parse().ok()
}

fn candidate(data: &Dataset, p: &Parcel) -> ParcelCandidate {
    let commune = data
        .communes
        .features()
        .iter()
        .find(|c| c.insee == p.commune)
        .map(|c| c.name.clone());
    let numero = number(p).unwrap_or_default();
    let section = p.section.trim_start_matches('0');
    let label = match &commune {
        Some(name) => format!("Parcelle {section} {numero} — {name}"),
        None => format!("Parcelle {section} {numero} — commune {}", p.commune),
    };
    // A point inside (not the centroid, which can fall outside a bent parcel), so that the lookup
    // of that point answers this very parcel.
    let at = p.geometry.interior_point();
    ParcelCandidate {
        id: p.id.clone(),
        insee: p.commune.clone(),
        commune,
        prefixe: p.prefixe.clone(),
        section: p.section.clone(),
        numero,
        contenance: p.contenance,
        label,
        lon: at.map_or(f64::NAN, geo::Point::x),
        lat: at.map_or(f64::NAN, geo::Point::y),
    }
}
