//! Text normalisation shared by the index and the queries, as small steps each tested on its own:
//! [`fold`] (lowercase, accents and punctuation out, non-Latin scripts dropped), [`tokens`],
//! [`expand_abbreviation`], [`split_number`] / [`canonical_rep`] for house numbers, and
//! [`parse_query`] which puts them together for a user query typed in any order.
//!
//! Both sides (BAN names at build time, user text at query time) go through the same steps, so
//! `"Rue Ordener"`, `"r. ordener"` and `"RUE ORDENER"` all become the tokens `rue ordener`.

/// Lowercases, strips accents and replaces punctuation with spaces; characters of non-Latin
/// scripts are dropped (a French address is written in Latin letters, and transliterating
/// e.g. Chinese would turn junk into plausible words).
///
/// ```
/// use urbaclic::geocode::normalize::fold;
/// assert_eq!(fold("Rue de l'Évangile"), "rue de l evangile");
/// assert_eq!(fold("  Voie Bk/18 "), "voie bk 18");
/// assert_eq!(fold("Cloÿs — œuvre"), "cloys oeuvre");
/// assert_eq!(fold("北京 Москва"), "");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let push = |out: &mut String, c: char, pending: &mut bool| {
        if c.is_ascii_alphanumeric() {
            if *pending && !out.is_empty() {
                out.push(' ');
            }
            *pending = false;
            out.push(c.to_ascii_lowercase());
        } else {
            *pending = true;
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(&mut out, c, &mut pending_space);
        } else if matches!(c as u32, 0x0300..=0x036F) {
            // Combining accents of decomposed text ("e\u{301}"): dropped, the letter stays.
        } else if is_latin(c) {
            // deunicode gives ASCII for Latin letters ("é" → "e", "œ" → "oe", "ß" → "ss").
            for d in deunicode::deunicode_char(c).unwrap_or(" ").chars() {
                push(&mut out, d, &mut pending_space);
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// Latin letters outside ASCII: Latin-1 supplement, Latin Extended-A/B and Additional.
fn is_latin(c: char) -> bool {
    // Also ligatures (U+FB00–FB06) and full-width ASCII (U+FF01–FF5E), which deunicode maps.
    matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF | 0xFB00..=0xFB06 | 0xFF01..=0xFF5E)
        && c != '×'
        && c != '÷'
}

/// Splits folded text on spaces.
pub fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|t| !t.is_empty())
}

/// Expands a common French address abbreviation (`av` → `avenue`, `st` → `saint`…); other
/// tokens are returned unchanged. The result may hold two words (`nd` → `notre dame`).
///
/// ```
/// use urbaclic::geocode::normalize::expand_abbreviation;
/// assert_eq!(expand_abbreviation("bd"), "boulevard");
/// assert_eq!(expand_abbreviation("ste"), "sainte");
/// assert_eq!(expand_abbreviation("ordener"), "ordener");
/// ```
pub fn expand_abbreviation(token: &str) -> &str {
    match token {
        "r" => "rue",
        "av" | "ave" | "aven" | "avn" => "avenue",
        "bd" | "bld" | "blvd" | "bvd" | "boul" | "bv" => "boulevard",
        "st" => "saint",
        "ste" => "sainte",
        "sts" => "saints",
        "ch" | "chem" | "che" => "chemin",
        "pl" => "place",
        "imp" => "impasse",
        "rte" => "route",
        "fg" | "fbg" | "faub" => "faubourg",
        "all" | "al" => "allee",
        "sq" => "square",
        "pas" | "pass" | "psg" => "passage",
        "crs" => "cours",
        "vla" => "villa",
        "res" | "resid" => "residence",
        "ham" => "hameau",
        "pte" => "porte",
        "prom" => "promenade",
        "esp" | "espl" => "esplanade",
        "sent" => "sentier",
        "trav" => "traverse",
        "mte" => "montee",
        "rpt" | "rdpt" => "rond point",
        "gal" | "gen" | "gl" | "gnl" => "general",
        "mal" | "mrl" => "marechal",
        "pdt" | "pres" | "prs" => "president",
        "dr" | "doct" => "docteur",
        "pr" | "prof" => "professeur",
        "cdt" | "cmdt" | "cmt" => "commandant",
        "lt" | "ltn" => "lieutenant",
        "cpt" | "cne" | "capt" => "capitaine",
        "mgr" => "monseigneur",
        "nd" => "notre dame",
        "arr" | "arrdt" | "arrt" => "arrondissement",
        _ => token,
    }
}

/// Articles, prepositions and address filler: matched when present but they weigh little.
pub fn is_stopword(token: &str) -> bool {
    matches!(
        token,
        "de" | "du" | "des" | "la" | "le" | "les" | "l" | "d" | "et" | "a" | "au" | "aux" | "en"
            // Often appended to a full address, never what identifies it.
            | "france" | "cedex"
    )
}

/// Street-type words: they help rank (`rue` vs `impasse`) but do not identify a street.
pub fn is_street_type(token: &str) -> bool {
    matches!(
        token,
        "rue"
            | "avenue"
            | "boulevard"
            | "place"
            | "impasse"
            | "chemin"
            | "route"
            | "allee"
            | "square"
            | "passage"
            | "cours"
            | "quai"
            | "villa"
            | "cite"
            | "sentier"
            | "voie"
            | "faubourg"
            | "hameau"
            | "residence"
            | "porte"
            | "pont"
            | "parvis"
            | "promenade"
            | "esplanade"
            | "jardin"
            | "parc"
            | "galerie"
            | "cour"
            | "ruelle"
            | "sente"
            | "traverse"
            | "montee"
            | "chaussee"
            | "lieu"
            | "dit"
            | "rond"
            | "point"
    )
}

/// Splits a house-number token into its number and suffix (`rep`): `"23bz"` → `(23, "bz")`.
/// Returns `None` when the token does not start with 1 to 5 digits or has a long suffix.
///
/// ```
/// use urbaclic::geocode::normalize::split_number;
/// assert_eq!(split_number("12"), Some((12, "")));
/// assert_eq!(split_number("152ap"), Some((152, "ap")));
/// assert_eq!(split_number("rue"), None);
/// ```
pub fn split_number(token: &str) -> Option<(u32, &str)> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 5 {
        return None;
    }
    let (num, rep) = token.split_at(digits);
    if rep.len() > 8 || !rep.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((num.parse().ok()?, rep))
}

/// The usual short form of a number suffix: `bis` → `b`, `ter` → `t`, `quater` → `q`,
/// `quinquies` → `c`; anything else is kept as is.
pub fn canonical_rep(rep: &str) -> &str {
    match rep {
        "bis" | "bs" => "b",
        "ter" | "tr" => "t",
        "quater" | "qua" | "qt" => "q",
        "quinquies" | "quinq" => "c",
        "sexies" => "s",
        _ => rep,
    }
}

/// Ordinals: `18eme`, `18ieme` → `18e` (the form used in commune names such as
/// "Paris 18e Arrondissement").
fn normalize_ordinal(token: &str) -> Option<String> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    match &token[digits..] {
        "eme" | "ieme" | "em" | "me" => Some(format!("{}e", &token[..digits])),
        _ => None,
    }
}

/// Normalised words of a name as stored in the index: folded, abbreviations expanded.
///
/// ```
/// use urbaclic::geocode::normalize::name_words;
/// assert_eq!(name_words("Bd de la Chapelle"), vec!["boulevard", "de", "la", "chapelle"]);
/// ```
pub fn name_words(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut out = Vec::new();
    for t in tokens(&folded) {
        if let Some(o) = normalize_ordinal(t) {
            out.push(o);
            continue;
        }
        for w in expand_abbreviation(t).split(' ') {
            out.push(w.to_string());
        }
    }
    out
}

/// One word of a parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    /// Normalised form (abbreviation expanded).
    pub text: String,
    /// Folded form as typed, used for prefix matching of the last word in autocomplete.
    pub raw: String,
    /// The word parses as a house number (`12`, `23bz`): (number, canonical suffix).
    pub number: Option<(u32, String)>,
    /// Position in the query (0-based), numbers included.
    pub pos: usize,
    /// Last word of the query (may be an unfinished prefix in autocomplete mode).
    pub last: bool,
    /// Typed around the address proper (`paris 18` before `63 rue montcalm`): it may match
    /// the commune or a name but weighs little, and is never the house number.
    pub context: bool,
}

/// A query split into words, with the postcode pulled out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    /// The words, in query order, postcode left out.
    pub words: Vec<QueryWord>,
    /// A 5-digit token, taken as a postcode.
    pub postcode: Option<String>,
}

/// Parses a free-text query: folds it, cleans it ([`super::clean::clean_tokens`]: postal
/// boxes, floors, flats out, suffixes typed apart glued, context before the address marked),
/// pulls out a 5-digit postcode and marks house-number-like words. Words can come in any order;
/// deciding which number is the house number is left to the search, which knows the streets.
///
/// ```
/// use urbaclic::geocode::normalize::parse_query;
/// let q = parse_query("12 bis av. de St-Ouen 75018");
/// assert_eq!(q.postcode.as_deref(), Some("75018"));
/// assert_eq!(q.words[0].number, Some((12, "b".to_string())));
/// let texts: Vec<_> = q.words.iter().map(|w| w.text.as_str()).collect();
/// assert_eq!(texts, ["12b", "avenue", "de", "saint", "ouen"]);
/// ```
pub fn parse_query(q: &str) -> ParsedQuery {
    let folded = fold(q);
    let mut parsed = ParsedQuery::default();
    let raw: Vec<&str> = tokens(&folded).take(64).collect();
    let cleaned = super::clean::clean_tokens(&raw);
    let n_tokens = cleaned.len();
    for (i, tok) in cleaned.into_iter().enumerate() {
        let (t, context) = (tok.text.as_str(), tok.context);
        let is_last = i + 1 == n_tokens;
        if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) && parsed.postcode.is_none() {
            parsed.postcode = Some(t.to_string());
            continue;
        }
        let pos = parsed.words.len();
        if let Some(ord) = normalize_ordinal(t) {
            parsed
                .words
                .push(word(ord.clone(), ord, None, pos, is_last, context));
        } else if let Some((n, rep)) = split_number(t) {
            let rep = canonical_rep(rep);
            // "12bis" is matched as "12b", the BAN's form.
            let text = format!("{n}{rep}");
            let number = Some((n, rep.to_string()));
            parsed
                .words
                .push(word(text, t.to_string(), number, pos, is_last, context));
        } else {
            let expanded = expand_abbreviation(t);
            let parts: Vec<&str> = expanded.split(' ').collect();
            let n_parts = parts.len();
            for (k, p) in parts.into_iter().enumerate() {
                let pos = parsed.words.len();
                let last = is_last && k + 1 == n_parts;
                parsed
                    .words
                    .push(word(p.to_string(), t.to_string(), None, pos, last, context));
            }
        }
    }
    parsed
}

fn word(
    text: String,
    raw: String,
    number: Option<(u32, String)>,
    pos: usize,
    last: bool,
    context: bool,
) -> QueryWord {
    QueryWord {
        text,
        raw,
        number,
        pos,
        last,
        context,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_accents_and_punctuation() {
        assert_eq!(fold("Rue de l'Église"), "rue de l eglise");
        assert_eq!(
            fold("Boulevard Barbès-Rochechouart"),
            "boulevard barbes rochechouart"
        );
        assert_eq!(fold("<script>alert(1)</script>"), "script alert 1 script");
        assert_eq!(fold("ÇA ÿ Æ ß"), "ca y ae ss");
        assert_eq!(fold("12’ rue"), "12 rue");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn fold_survives_odd_unicode() {
        let odd = [
            "\u{0}\u{200b}\u{feff}",
            "e\u{301}cole", // combining acute
            "🏠 12 rue 🙂",
            "\u{202e}eur",
            "ﬁ ﬂ ＡＢＣ",
            "𝕽𝖚𝖊",
            "\u{10FFFF}\u{D7FF}",
            "ǅ ǈ Ǳ",
        ];
        for s in odd {
            let f = fold(s);
            assert!(f.is_ascii(), "{s:?} -> {f:?}");
            assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
            let _ = parse_query(s);
        }
        assert_eq!(fold("e\u{301}cole"), "ecole");
        assert_eq!(fold("ﬁn ＡＢＣ"), "fin abc");
    }

    #[test]
    fn abbreviations_expand() {
        assert_eq!(expand_abbreviation("av"), "avenue");
        assert_eq!(expand_abbreviation("r"), "rue");
        assert_eq!(expand_abbreviation("st"), "saint");
        assert_eq!(expand_abbreviation("ch"), "chemin");
        assert_eq!(expand_abbreviation("pl"), "place");
        assert_eq!(expand_abbreviation("imp"), "impasse");
        assert_eq!(expand_abbreviation("rte"), "route");
        assert_eq!(expand_abbreviation("fg"), "faubourg");
        assert_eq!(
            name_words("ND des Champs"),
            ["notre", "dame", "des", "champs"]
        );
    }

    #[test]
    fn numbers_and_suffixes() {
        assert_eq!(split_number("23bz"), Some((23, "bz")));
        assert_eq!(split_number("2bs"), Some((2, "bs")));
        assert_eq!(split_number("123456"), None);
        assert_eq!(split_number("99999999999999999999"), None);
        assert_eq!(canonical_rep("bis"), "b");
        assert_eq!(canonical_rep("ter"), "t");
        assert_eq!(canonical_rep("bz"), "bz");
        let q = parse_query("rue ordener 12 ter");
        assert_eq!(q.words[2].number, Some((12, "t".into())));
        assert_eq!(q.words.len(), 3);
    }

    #[test]
    fn ordinals_and_postcode() {
        let q = parse_query("Paris 18ème 75018 rue Marcadet");
        assert_eq!(q.postcode.as_deref(), Some("75018"));
        assert_eq!(q.words[1].text, "18e");
        assert!(q.words.last().unwrap().last);
        assert_eq!(
            name_words("Paris 18e Arrondissement"),
            ["paris", "18e", "arrondissement"]
        );
    }

    #[test]
    fn last_word_keeps_raw_form_for_prefixes() {
        let q = parse_query("12 rue de la chap");
        let last = q.words.last().unwrap();
        assert!(last.last);
        assert_eq!(last.raw, "chap");
        let q = parse_query("18 bd");
        assert_eq!(q.words.last().unwrap().text, "boulevard");
        assert_eq!(q.words.last().unwrap().raw, "bd");
    }
}
