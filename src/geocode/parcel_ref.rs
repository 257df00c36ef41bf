//! Reads a cadastral parcel reference typed in the search box, in the forms people write them:
//! the 14-character id (`91216000AB0037`, also spaced as the cadastre prints it,
//! `91216 000 AB 0037`), « INSEE section numéro » (`91216 AB 37`) and « section numéro commune »
//! (`AB 37 Épinay`, the commune's name before or after).
//!
//! Parsing only: [`super::parcel_search`] finds the parcels a reference designates.

use super::normalize::{fold, tokens};

/// What a query designates, when it reads as a parcel reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParcelRef {
    /// A whole 14-character id, upper-cased.
    Id(String),
    /// The start of an id (at least the INSEE code and the prefix, 8 characters), upper-cased:
    /// what the box holds while an id is being typed.
    IdPrefix(String),
    /// A section and a number, with the commune given by its INSEE code, by its name, or not at all.
    Reference {
        /// INSEE code of the commune, when typed (`91216`, `2A004`).
        insee: Option<String>,
        /// The commune's name as typed, folded (`epinay`), when typed.
        commune: Option<String>,
        /// Cadastral prefix (3 digits), when typed between the INSEE code and the section.
        prefixe: Option<String>,
        /// Section, upper-cased and left-padded with `0` to 2 characters (`0A`, `AB`).
        section: String,
        /// Parcel number within the section.
        numero: u32,
    },
}

/// Words people write around a reference and that designate nothing (« section AB numéro 37 »).
const FILLER: [&str; 5] = ["parcelle", "cadastrale", "section", "numero", "no"];
/// Length of a parcel id: INSEE (5) + prefix (3) + section (2) + number (4).
const ID_LEN: usize = 14;
/// Shortest id start read as [`ParcelRef::IdPrefix`]: the INSEE code and the prefix.
const MIN_PREFIX: usize = 8;

/// Reads `q` as a parcel reference; `None` when it does not read as one (an address, say).
///
/// ```
/// use urbaclic::geocode::parcel_ref::{parse, ParcelRef};
/// assert_eq!(parse("91216000ab0037"), Some(ParcelRef::Id("91216000AB0037".into())));
/// assert_eq!(parse("91216 000 AB 0037"), Some(ParcelRef::Id("91216000AB0037".into())));
/// assert_eq!(parse("91216000AB"), Some(ParcelRef::IdPrefix("91216000AB".into())));
/// let Some(ParcelRef::Reference { insee, commune, section, numero, .. }) = parse("AB 37 Épinay") else {
///     panic!("a reference");
/// };
/// assert_eq!((insee, commune.as_deref(), section.as_str(), numero), (None, Some("epinay"), "AB", 37));
/// assert_eq!(parse("12 rue Ordener"), None);
/// ```
pub fn parse(q: &str) -> Option<ParcelRef> {
    let folded = fold(q);
    let words: Vec<&str> = tokens(&folded).filter(|w| !FILLER.contains(w)).collect();
    let joined: String = words.concat().to_ascii_uppercase();
    if !is_id_start(&joined) {
        return reference(&words);
    }
    if joined.len() == ID_LEN {
        return Some(ParcelRef::Id(joined));
    }
    // "75118 000 BT 107" also reads as an id start: the spaced reference is what was meant.
    reference(&words).or(Some(ParcelRef::IdPrefix(joined)))
}

/// « [INSEE [prefix]] section numéro [commune] » or « commune section numéro ».
fn reference(words: &[&str]) -> Option<ParcelRef> {
    // The section is the first short token holding a letter and followed by a number; an address
    // never reads so ("12 rue ordener": the number comes first, the word after it is no number).
    let at = (0..words.len().saturating_sub(1))
        .find(|&i| is_section(words[i]) && is_numero(words[i + 1]))?;
    let section = format!("{:0>2}", words[at].to_ascii_uppercase());
    let numero = words[at + 1].parse().ok()?;
    let mut before = &words[..at];
    let mut insee = None;
    let mut prefixe = None;
    if let [rest @ .., code, pre] = before {
        if is_insee(code) && is_prefixe(pre) {
            insee = Some(code.to_ascii_uppercase());
            prefixe = Some((*pre).to_string());
            before = rest;
        }
    }
    if insee.is_none() {
        if let [rest @ .., code] = before {
            if is_insee(code) {
                insee = Some(code.to_ascii_uppercase());
                before = rest;
            }
        }
    }
    let name: Vec<&str> = before.iter().chain(&words[at + 2..]).copied().collect();
    let commune = (!name.is_empty()).then(|| name.join(" "));
    Some(ParcelRef::Reference {
        insee,
        commune,
        prefixe,
        section,
        numero,
    })
}

/// True when `s` (upper-cased, no blanks) is an id or the start of one of at least
/// [`MIN_PREFIX`] characters: INSEE (5 alphanumerics, digits but for Corsica's `2A`/`2B`), prefix
/// (3 digits), section (2 alphanumerics), number (4 digits).
fn is_id_start(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < MIN_PREFIX || b.len() > ID_LEN || !is_insee(&s[..5]) {
        return false;
    }
    b.iter().enumerate().skip(5).all(|(i, c)| match i {
        5..=7 | 10..=13 => c.is_ascii_digit(),
        _ => c.is_ascii_alphanumeric(),
    })
}

/// An INSEE commune code: 5 digits, or `2A`/`2B` and 3 digits (Corsica).
fn is_insee(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[0] == b'2' && matches!(b[1], b'a' | b'b' | b'A' | b'B'))
                && b[2..].iter().all(u8::is_ascii_digit))
}

fn is_prefixe(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|c| c.is_ascii_digit())
}

/// A section: one or two alphanumerics, at least one a letter (`A`, `0A`, `AB`).
fn is_section(s: &str) -> bool {
    (1..=2).contains(&s.len())
        && s.bytes().all(|c| c.is_ascii_alphanumeric())
        && s.bytes().any(|c| c.is_ascii_alphabetic())
}

/// A parcel number: 1 to 4 digits, not 0.
fn is_numero(s: &str) -> bool {
    (1..=4).contains(&s.len())
        && s.bytes().all(|c| c.is_ascii_digit())
        && s.bytes().any(|c| c != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(
        insee: Option<&str>,
        commune: Option<&str>,
        prefixe: Option<&str>,
        section: &str,
        numero: u32,
    ) -> Option<ParcelRef> {
        Some(ParcelRef::Reference {
            insee: insee.map(Into::into),
            commune: commune.map(Into::into),
            prefixe: prefixe.map(Into::into),
            section: section.into(),
            numero,
        })
    }

    #[test]
    fn the_three_forms_of_the_issue() {
        // Issue 14: "75118000BT0107", "91216 AB 37", "AB 37 Épinay".
        assert_eq!(
            parse("75118000BT0107"),
            Some(ParcelRef::Id("75118000BT0107".into()))
        );
        assert_eq!(
            parse("91216 AB 37"),
            reference(Some("91216"), None, None, "AB", 37)
        );
        assert_eq!(
            parse("AB 37 Épinay"),
            reference(None, Some("epinay"), None, "AB", 37)
        );
    }

    #[test]
    fn commune_before_or_after_prefix_and_short_sections() {
        assert_eq!(
            parse("Épinay-sur-Orge AB 0037"),
            reference(None, Some("epinay sur orge"), None, "AB", 37)
        );
        assert_eq!(
            parse("75118 000 bt 107"),
            reference(Some("75118"), None, Some("000"), "BT", 107)
        );
        assert_eq!(
            parse("2A004 a 12"),
            reference(Some("2A004"), None, None, "0A", 12)
        );
        assert_eq!(
            parse("parcelle 91216, section AB numéro 37"),
            reference(Some("91216"), None, None, "AB", 37)
        );
    }

    #[test]
    fn ids_being_typed_and_what_is_no_parcel() {
        assert_eq!(
            parse("2a004000"),
            Some(ParcelRef::IdPrefix("2A004000".into()))
        );
        assert_eq!(parse("9121600"), None, "shorter than INSEE + prefix");
        assert_eq!(parse("91216000AB00370"), None, "longer than an id");
        assert_eq!(parse("40 boulevard barbes"), None);
        assert_eq!(parse("18 rue ordener 75018 paris"), None);
        assert_eq!(parse("AB 0"), None, "no parcel has number 0");
        assert_eq!(parse(""), None);
    }
}
