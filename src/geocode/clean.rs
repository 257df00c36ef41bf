//! Query clean-up, before words are matched: what people type around an address that is not
//! the address. Ported from the ideas of addok-france's processors (`clean_query`,
//! `extract_address`, `glue_ordinal`, `flag_housenumber`), as named steps on folded tokens:
//!
//! 1. [`drop_postal_boxes`]: `BP 12`, `CS 30001`, `TSA 12345`, `CIDEX 12` (postal delivery
//!    codes, not part of the address; a 5-digit CS number must not become the postcode);
//! 2. [`drop_cedex`]: `CEDEX [n]`, and the CEDEX code with it (a distribution code, not a
//!    postcode: addok-france keeps only its département);
//! 3. [`drop_floors`]: `3eme etage`, `etage 3`, `rdc`;
//! 4. [`drop_complements`]: a building, staircase or flat and its identifier (`bat A`,
//!    `appt 12`, `esc 2`): the flat number must not become the house number;
//! 5. [`glue_ordinals`]: `57 b rue pajol` → `57b rue pajol`, `12 ter` → `12ter`;
//! 6. [`mark_context`]: what comes before the address proper (`paris 18` in
//!    `paris 18 63 rue montcalm`, `residence les lilas` in `residence les lilas 6 rue …`) and a
//!    trailing `residence …` complement are *context*: they still match a commune or a name
//!    but weigh little, and their numbers are never the house number.
//!
//! Each step only removes what it recognises with its identifier (`bat` alone stays): a street
//! really named with one of these words is still found.

use super::normalize::{expand_abbreviation, is_stopword, is_street_type};

/// A cleaned query token.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanToken {
    /// The folded token (ordinal suffixes glued: `57b`).
    pub text: String,
    /// Before the address proper, or a trailing complement: matched, but weighs little and is
    /// never the house number.
    pub context: bool,
}

/// Runs every step, in order, on folded tokens.
///
/// ```
/// use urbaclic::geocode::clean::clean_tokens;
/// let t = clean_tokens(&["appt", "12", "6", "b", "rue", "ordener", "bat", "a", "75018"]);
/// let texts: Vec<_> = t.iter().map(|t| t.text.as_str()).collect();
/// assert_eq!(texts, ["6b", "rue", "ordener", "75018"]);
/// ```
pub fn clean_tokens(tokens: &[&str]) -> Vec<CleanToken> {
    let mut t: Vec<String> = tokens.iter().map(|s| (*s).to_string()).collect();
    drop_postal_boxes(&mut t);
    drop_cedex(&mut t);
    drop_floors(&mut t);
    drop_complements(&mut t);
    glue_ordinals(&mut t);
    let context = mark_context(&t);
    t.into_iter()
        .zip(context)
        .map(|(text, context)| CleanToken { text, context })
        .collect()
}

fn is_digits(t: &str, max: usize) -> bool {
    !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
}

/// `n`, `no`, `num` between a marker and its number (`BP n° 12` folds to `bp n 12`).
fn is_number_sign(t: &str) -> bool {
    matches!(t, "n" | "no" | "num" | "numero")
}

/// Removes `tokens[i..i + len]`.
fn cut(tokens: &mut Vec<String>, i: usize, len: usize) {
    tokens.drain(i..(i + len).min(tokens.len()));
}

/// Length of `marker [n°] <token satisfying id>` starting at `i`, if it is there.
fn marked(
    tokens: &[String],
    i: usize,
    marker_len: usize,
    id: impl Fn(&str) -> bool,
) -> Option<usize> {
    let mut j = i + marker_len;
    if tokens.get(j).is_some_and(|t| is_number_sign(t)) {
        j += 1;
    }
    tokens.get(j).filter(|t| id(t)).map(|_| j + 1 - i)
}

/// Drops postal boxes: `bp 12`, `b p 12`, `cs 30001`, `tsa 12345`, `cidex 12`.
///
/// ```
/// use urbaclic::geocode::clean::drop_postal_boxes;
/// let mut t: Vec<String> = ["cs", "30001", "6", "rue", "ordener"].map(String::from).to_vec();
/// drop_postal_boxes(&mut t);
/// assert_eq!(t, ["6", "rue", "ordener"]);
/// ```
pub fn drop_postal_boxes(tokens: &mut Vec<String>) {
    let mut i = 0;
    while i < tokens.len() {
        let marker_len = match tokens[i].as_str() {
            "bp" | "cs" | "tsa" | "cidex" => 1,
            "b" if tokens.get(i + 1).is_some_and(|t| t == "p") => 2,
            _ => 0,
        };
        match (marker_len > 0)
            .then(|| marked(tokens, i, marker_len, |t| is_digits(t, 6)))
            .flatten()
        {
            Some(len) => cut(tokens, i, len),
            None => i += 1,
        }
    }
}

/// Drops `cedex` and its office number, and the 5-digit CEDEX code: it names a delivery
/// office, not the address's postcode.
///
/// ```
/// use urbaclic::geocode::clean::drop_cedex;
/// let mut t: Vec<String> = ["6", "rue", "ordener", "75883", "paris", "cedex", "18"].map(String::from).to_vec();
/// drop_cedex(&mut t);
/// assert_eq!(t, ["6", "rue", "ordener", "paris"]);
/// ```
pub fn drop_cedex(tokens: &mut Vec<String>) {
    let Some(i) = tokens.iter().position(|t| t == "cedex") else {
        return;
    };
    let len = if tokens.get(i + 1).is_some_and(|t| is_digits(t, 3)) {
        2
    } else {
        1
    };
    cut(tokens, i, len);
    if let Some(pc) = tokens[..i]
        .iter()
        .rposition(|t| is_digits(t, 5) && t.len() == 5)
    {
        tokens.remove(pc);
    }
}

/// An ordinal as typed before `etage`: `3`, `3e`, `3eme`, `3ieme`, `1er`, `1ere`.
fn is_floor_ordinal(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits)
        && matches!(
            &t[digits..],
            "" | "e" | "eme" | "ieme" | "em" | "me" | "er" | "ere" | "ier" | "iere"
        )
}

/// Drops the floor: `3eme etage`, `1er etage`, `etage 3`, `rdc`, `rez de chaussee`.
///
/// ```
/// use urbaclic::geocode::clean::drop_floors;
/// let mut t: Vec<String> = ["6", "rue", "ordener", "3eme", "etage"].map(String::from).to_vec();
/// drop_floors(&mut t);
/// assert_eq!(t, ["6", "rue", "ordener"]);
/// ```
pub fn drop_floors(tokens: &mut Vec<String>) {
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        let next = tokens.get(i + 1).map(String::as_str);
        let len = match (t, next) {
            (_, Some("etage" | "etg")) if is_floor_ordinal(t) => 2,
            ("etage" | "etg", Some(n)) if is_floor_ordinal(n) => 2,
            ("rdc", _) => 1,
            ("rez", Some("de")) if tokens.get(i + 2).is_some_and(|t| t == "chaussee") => 3,
            _ => 0,
        };
        if len > 0 {
            cut(tokens, i, len);
        } else {
            i += 1;
        }
    }
}

/// Words naming a part of a building, always followed by its identifier.
fn is_complement_marker(t: &str) -> bool {
    matches!(
        t,
        "bat"
            | "batiment"
            | "bt"
            | "bloc"
            | "appt"
            | "appart"
            | "appartement"
            | "apt"
            | "app"
            | "esc"
            | "escalier"
            | "log"
            | "logement"
            | "lgt"
    )
}

/// An identifier of a building part: a number, a letter, or a short code (`a2`, `12b`).
fn is_complement_id(t: &str) -> bool {
    t.len() <= 4
        && t.bytes().all(|b| b.is_ascii_alphanumeric())
        && (t.len() == 1 || t.bytes().any(|b| b.is_ascii_digit()))
}

/// Drops a building part with its identifier: `bat a`, `batiment 2`, `appt 12`, `apt n 3`,
/// `esc b`. A marker without an identifier stays (a street named "Impasse du Bloc").
///
/// ```
/// use urbaclic::geocode::clean::drop_complements;
/// let mut t: Vec<String> = ["appt", "12", "6", "rue", "ordener", "bat", "a"].map(String::from).to_vec();
/// drop_complements(&mut t);
/// assert_eq!(t, ["6", "rue", "ordener"]);
/// ```
pub fn drop_complements(tokens: &mut Vec<String>) {
    let mut i = 0;
    while i < tokens.len() {
        let len = is_complement_marker(&tokens[i])
            .then(|| marked(tokens, i, 1, is_complement_id))
            .flatten()
            // Unless the identifier starts the address: "bat 6 rue x" keeps "6 rue".
            .filter(|&len| !starts_street(tokens, i + len - 1));
        match len {
            Some(len) => cut(tokens, i, len),
            None => i += 1,
        }
    }
}

/// Whether `tokens[i]` is followed by a street-type word (`12 rue`, `12 r`, `12b av`).
fn starts_street(tokens: &[String], i: usize) -> bool {
    tokens
        .get(i + 1)
        .is_some_and(|t| is_street_type(expand_abbreviation(t).split(' ').next().unwrap_or("")))
}

/// Suffixes of a repeated number that may be typed apart from it (addok-france's list).
fn is_ordinal_word(t: &str) -> bool {
    matches!(t, "bis" | "ter" | "quater" | "quinquies" | "sexies")
}

/// Glues a suffix typed apart to its number: `12 bis`/`12 ter` anywhere, and a single letter
/// (`57 b rue pajol`, `8 q rue …`) when a street type or the end of the query follows, as
/// addok-france's `glue_ordinal` does (elsewhere a letter is more likely a word: `12 a paris`).
///
/// ```
/// use urbaclic::geocode::clean::glue_ordinals;
/// let mut t: Vec<String> = ["57", "b", "rue", "pajol"].map(String::from).to_vec();
/// glue_ordinals(&mut t);
/// assert_eq!(t, ["57b", "rue", "pajol"]);
/// ```
pub fn glue_ordinals(tokens: &mut Vec<String>) {
    let mut i = 0;
    while i + 1 < tokens.len() {
        let next = tokens[i + 1].as_str();
        let letter = next.len() == 1 && next.bytes().all(|b| b.is_ascii_lowercase());
        let glue = is_digits(&tokens[i], 4)
            && (is_ordinal_word(next)
                || (letter && (i + 2 == tokens.len() || starts_street(tokens, i + 1))));
        if glue {
            let suffix = tokens.remove(i + 1);
            tokens[i].push_str(&suffix);
        }
        i += 1;
    }
}

/// A house number as it starts an address: 1 to 4 digits, optionally a one-letter or
/// bis/ter suffix (glued by [`glue_ordinals`]).
fn is_house_number(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let rep = &t[digits..];
    (1..=4).contains(&digits)
        && (rep.is_empty()
            || (rep.len() == 1 && rep.bytes().all(|b| b.is_ascii_lowercase()))
            || is_ordinal_word(rep))
}

/// Words that introduce the name of a building or an estate, not of the street.
fn is_estate_marker(t: &str) -> bool {
    matches!(
        t,
        "residence" | "res" | "resid" | "immeuble" | "imm" | "domaine"
    )
}

/// Which tokens are context (see the module doc): those before the first `number street-type`
/// that is not at the start (addok-france's `extract_address`), and a trailing estate name
/// after the address (`… rue ordener residence les lilas`).
///
/// ```
/// use urbaclic::geocode::clean::mark_context;
/// let t: Vec<String> = ["paris", "18", "63", "rue", "montcalm"].map(String::from).to_vec();
/// assert_eq!(mark_context(&t), [true, true, false, false, false]);
/// ```
pub fn mark_context(tokens: &[String]) -> Vec<bool> {
    let mut context = vec![false; tokens.len()];
    let start = (1..tokens.len())
        .find(|&i| is_house_number(&tokens[i]) && starts_street(tokens, i))
        // A number at the very start is the usual order: nothing before it; nor is a range of
        // numbers ("12-14 rue …", "12 et 14 rue …"), whose first is the house number.
        .filter(|&i| {
            let usual_order = is_house_number(&tokens[0]) && starts_street(tokens, 0);
            let range = tokens[..i]
                .iter()
                .all(|t| is_house_number(t) || is_stopword(t));
            !(usual_order || range)
        });
    let start = start.unwrap_or(0);
    context[..start].fill(true);
    // "… 6 rue ordener residence les lilas": an estate named after the street, as long as
    // it is not the street's own name ("12 rue de la residence").
    let street_at = if start > 0 || tokens.first().is_some_and(|t| is_house_number(t)) {
        Some(start)
    } else {
        None
    };
    if let Some(s) = street_at {
        let trailing = (s + 2..tokens.len()).find(|&j| {
            is_estate_marker(&tokens[j])
                && !is_stopword(&tokens[j - 1])
                && tokens[j + 1..]
                    .iter()
                    .any(|t| !is_stopword(t) && !is_street_type(t))
        });
        if let Some(j) = trailing {
            context[j..].fill(true);
        }
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(q: &str) -> Vec<String> {
        let toks: Vec<&str> = q.split(' ').collect();
        clean_tokens(&toks).into_iter().map(|t| t.text).collect()
    }

    fn ctx(q: &str) -> Vec<bool> {
        let toks: Vec<&str> = q.split(' ').collect();
        clean_tokens(&toks).into_iter().map(|t| t.context).collect()
    }

    #[test]
    fn postal_boxes_go_with_their_number_only() {
        assert_eq!(
            texts("6 rue ordener bp 12 75018 paris"),
            ["6", "rue", "ordener", "75018", "paris"]
        );
        assert_eq!(texts("b p n 4 6 rue ordener"), ["6", "rue", "ordener"]);
        assert_eq!(texts("tsa 70011 6 rue ordener"), ["6", "rue", "ordener"]);
        // No number: not a postal box.
        assert_eq!(texts("rue cs"), ["rue", "cs"]);
    }

    #[test]
    fn cedex_takes_its_code_with_it() {
        assert_eq!(
            texts("6 rue ordener 75018 paris cedex"),
            ["6", "rue", "ordener", "paris"]
        );
        assert_eq!(
            texts("6 rue ordener paris"),
            ["6", "rue", "ordener", "paris"]
        );
    }

    #[test]
    fn floors_and_building_parts_are_dropped() {
        assert_eq!(texts("6 rue ordener 1er etage"), ["6", "rue", "ordener"]);
        assert_eq!(texts("etage 2 6 rue ordener"), ["6", "rue", "ordener"]);
        assert_eq!(texts("rdc 6 rue ordener"), ["6", "rue", "ordener"]);
        assert_eq!(
            texts("bat a2 esc 3 appt n 12 6 rue ordener"),
            ["6", "rue", "ordener"]
        );
        // A marker without identifier, or whose "identifier" starts the street, stays.
        assert_eq!(texts("impasse du bloc"), ["impasse", "du", "bloc"]);
        assert_eq!(texts("bat 6 rue ordener"), ["bat", "6", "rue", "ordener"]);
    }

    #[test]
    fn ordinals_glue_before_a_street_type_or_at_the_end() {
        assert_eq!(texts("57 b rue pajol"), ["57b", "rue", "pajol"]);
        assert_eq!(texts("8 q r pajol"), ["8q", "r", "pajol"]);
        assert_eq!(texts("rue pajol 57 b"), ["rue", "pajol", "57b"]);
        assert_eq!(texts("rue pajol 57 bis"), ["rue", "pajol", "57bis"]);
        // A letter followed by a word that is not a street type is a word.
        assert_eq!(texts("12 a paris"), ["12", "a", "paris"]);
    }

    #[test]
    fn what_comes_before_the_address_is_context() {
        assert_eq!(
            ctx("paris 18 63 rue montcalm"),
            [true, true, false, false, false]
        );
        assert_eq!(
            ctx("75018 paris 12 rue hermel"),
            [true, true, false, false, false]
        );
        assert_eq!(
            ctx("residence les lilas 6 rue ordener"),
            [true, true, true, false, false, false]
        );
        // The usual order, and numbers inside a name, change nothing.
        assert_eq!(ctx("12 rue hermel paris"), [false; 4]);
        assert_eq!(ctx("12 1p3 villa damremont"), [false; 4]);
        assert_eq!(ctx("rue du 8 mai 1945"), [false; 5]);
        assert_eq!(ctx("12 14 rue ordener"), [false; 4]);
        assert_eq!(ctx("12 et 14 rue ordener"), [false; 5]);
    }

    #[test]
    fn a_trailing_estate_is_context_unless_it_names_the_street() {
        assert_eq!(
            ctx("6 rue ordener residence les lilas"),
            [false, false, false, true, true, true]
        );
        assert_eq!(ctx("12 rue de la residence"), [false; 5]);
        assert_eq!(ctx("12 residence les pins"), [false; 4]);
    }
}
