//! Forward geocoding: a free-text query → ranked BAN-shaped hits.
//!
//! Steps: parse the query ([`super::normalize::parse_query`]); look each word up in the
//! vocabulary (exact, then prefix for the last word in autocomplete mode, then one typo, or
//! two on long words);
//! gather candidate places as addok does: those holding every discriminant word (not articles
//! nor street types) in their own name or their commune's, rarest word first, the commune's words
//! filtering the streets (else all the words but one, else the places of the rarest words); score
//! each candidate by how much of the query it explains and how much of
//! its own name the query covers; then resolve the house number on streets (exact, loose
//! suffix, or interpolated between neighbours on the same side). Hits under [`MIN_SCORE`]
//! are dropped so junk gets nothing rather than a random street.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::filters::Filters;
use super::index::{AddressIndex, Place, PlaceType, Pos};
use super::lambert::haversine_m;
use super::normalize::{is_stopword, is_street_type, parse_query, QueryWord};
use super::numbers::{find_number, interpolate, NumberMatch};
use super::vocab::{word_weight, Vocab, STREET_TYPE_WEIGHT};

/// Hits scoring below this are not returned.
pub const MIN_SCORE: f64 = 0.4;

/// A search request, with the BAN API's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The query text as typed.
    pub q: String,
    /// Maximum number of hits (BAN default 5).
    pub limit: usize,
    /// Treat the last word as an unfinished prefix.
    pub autocomplete: bool,
    /// Bias towards this point (both must be given).
    pub lon: Option<f64>,
    /// Latitude of the bias point, WGS84.
    pub lat: Option<f64>,
    /// Only hits of these types, postcodes and communes (`type=`, `postcode=`, `citycode=`).
    pub filters: Filters,
}

impl SearchQuery {
    /// A full-address query (no autocomplete) asking for 5 hits.
    pub fn new(q: impl Into<String>) -> Self {
        SearchQuery {
            q: q.into(),
            limit: 5,
            autocomplete: false,
            lon: None,
            lat: None,
            filters: Filters::default(),
        }
    }
}

/// BAN feature properties, in the BAN API's field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HitProperties {
    /// Full label (`12 Rue Ordener 75018 Paris`).
    pub label: String,
    /// Relevance, 0–1.
    pub score: f64,
    /// House number with its repetition index (`12bis`), for `housenumber` hits.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub housenumber: Option<String>,
    /// BAN id of the address, street or commune.
    #[serde(default)]
    pub id: String,
    /// Label without the commune (`12 Rue Ordener`, or the commune's name).
    #[serde(default)]
    pub name: String,
    /// Postcode.
    #[serde(default)]
    pub postcode: String,
    /// INSEE code of the commune.
    #[serde(default)]
    pub citycode: String,
    /// Easting, Lambert-93 (EPSG:2154), metres.
    #[serde(default)]
    pub x: f64,
    /// Northing, Lambert-93 (EPSG:2154), metres.
    #[serde(default)]
    pub y: f64,
    /// Commune name.
    #[serde(default)]
    pub city: String,
    /// Arrondissement of Paris, Lyon or Marseille, when the commune is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub district: Option<String>,
    /// Département number, département and region names (`75, Paris, Île-de-France`).
    #[serde(default)]
    pub context: String,
    /// `housenumber`, `street`, `locality` or `municipality`.
    #[serde(rename = "type")]
    pub kind: PlaceType,
    /// Weight of the place, 0–1, from how many house numbers it holds (log scale, 1 from 1,000
    /// on); `null` on municipalities, whose BAN importance (from population and rank) is not
    /// in the loaded data.
    #[serde(default)]
    pub importance: Option<f64>,
    /// Population of a municipality: absent on other hits, `null` when the loaded data has
    /// none (the BAN address files and commune outlines carry no population). Kept from a
    /// remote BAN answer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub population: Option<Option<u64>>,
    /// Street name, for `housenumber` hits.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub street: Option<String>,
    /// Metres from the query point (reverse only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance: Option<u32>,
    /// The number is not in the BAN: its position is interpolated between its neighbours on
    /// the same side of the street (or taken from the nearest one). Not a BAN field.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub interpolated: bool,
}

/// One result; serialises as a GeoJSON `Feature` with a `Point` geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// The BAN properties.
    pub properties: HitProperties,
}

impl SearchHit {
    /// The hit's relevance, 0–1.
    pub fn score(&self) -> f64 {
        self.properties.score
    }
    /// The hit's full label.
    pub fn label(&self) -> &str {
        &self.properties.label
    }
}

impl Serialize for SearchHit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Point {
            #[serde(rename = "type")]
            kind: &'static str,
            coordinates: [f64; 2],
        }
        let mut st = s.serialize_struct("Feature", 3)?;
        st.serialize_field("type", "Feature")?;
        st.serialize_field(
            "geometry",
            &Point {
                kind: "Point",
                coordinates: [self.lon, self.lat],
            },
        )?;
        st.serialize_field("properties", &self.properties)?;
        st.end()
    }
}

/// Whether the best hit should not be trusted alone, so a user should be offered the others:
/// no hit, a best score under 0.6, or a runner-up (another label) within 0.05 of the best.
///
/// ```
/// use urbaclic::geocode::is_uncertain;
/// assert!(is_uncertain(&[]));
/// ```
pub fn is_uncertain(hits: &[SearchHit]) -> bool {
    let Some(best) = hits.first() else {
        return true;
    };
    best.score() < 0.6
        || hits
            .iter()
            .skip(1)
            .any(|h| h.label() != best.label() && h.score() >= best.score() - 0.05)
}

/// A word in more places than this does not open candidates when rarer words already did.
const FREQUENT_POSTINGS: usize = 1_000;

/// Longest query or name (in words) that is matched word by word.
const MAX_WORDS: usize = 32;

/// Query words weighing this much identify a place (rarer than articles and street types).
const DISCRIMINANT: f32 = 1.0;
/// Quality of a bare number read as an arrondissement ("18" for "18e").
const ARRONDISSEMENT_QUALITY: f32 = 0.9;
/// Weight factor of context words (typed before the address proper, or a trailing estate name:
/// see [`super::clean`]): they may confirm the commune, they must not decide the street.
const CONTEXT_WEIGHT: f32 = 0.2;
/// Weight of a second number nothing explains ("12-14 rue …", "12 et 14"): common and harmless.
const STRAY_NUMBER_WEIGHT: f32 = 0.2;
/// Weight of the query's postcode in the query coverage, and the credit of a postcode that is
/// only in the same département.
const POSTCODE_WEIGHT: f32 = 1.0;
const SAME_DEPARTEMENT_CREDIT: f32 = 0.5;
/// The text score is `qcov² × (TEXT_BASE + NAME_COVERAGE_SHARE × lcov)`: mostly how much of the
/// query the place explains (`qcov`), a little how much of its name the query covers (`lcov`).
const TEXT_BASE: f64 = 0.7;
const NAME_COVERAGE_SHARE: f64 = 0.3;
/// Score factor of a street hit when the query's house number is not on it (or not asked for).
const UNEXPLAINED_NUMBER_FACTOR: f64 = 0.85;

/// A candidate place with its score, before it is turned into a [`SearchHit`] (only the
/// kept ones are, which saves formatting labels for hundreds of candidates).
struct Scored {
    score: f64,
    pos: Pos,
    number: Option<NumberPick>,
}

/// Which house number a hit designates.
enum NumberPick {
    /// An index into the street's numbers.
    Existing(usize),
    /// A number not in the data (interpolated or borrowed from a neighbour).
    MadeUp { n: u32, rep: String },
}

/// Vocabulary matches of one query word.
struct WordMatches {
    word: QueryWord,
    weight: f32,
    /// (word id, quality 0–1).
    ids: Vec<(u32, f32)>,
}

const PREFIX_CAP: usize = 400;
/// A candidate is probed in the postings of a query word matching at most this many vocabulary
/// words; past it, its own words are looked up among the matched ones instead.
const PROBED_POSTINGS: usize = 4;
const FUZZY_QUALITY: f32 = 0.8;
/// Quality of a street type standing for another one ("avenue" for "rue").
const TYPE_SLIP_QUALITY: f32 = 0.6;
/// Typed words at least this long may be a long word (8+ letters) with two typos.
const TWO_TYPOS_LEN: usize = 6;

/// Matches one query word against the vocabulary, in the steps addok takes: the word comes
/// normalised ([`parse_query`]); its candidate words are gathered from the surest kind of match
/// to the loosest (exact, then prefixes while typing, then typos), each with a quality; the word
/// is then given its weight in the query.
fn match_word(index: &AddressIndex, w: &QueryWord, autocomplete: bool) -> WordMatches {
    let vocab = &index.vocab;
    let is_prefix = autocomplete && w.last;
    let mut ids = WordIds::default();
    exact_matches(vocab, w, is_prefix, &mut ids);
    if is_prefix {
        prefix_matches(vocab, w, &mut ids);
    }
    if ids.0.is_empty() && w.number.is_none() && w.text.len() >= 4 {
        one_typo_matches(vocab, w, is_prefix, &mut ids);
    }
    let exact_or_prefix = ids.0.iter().any(|&(_, q)| q > FUZZY_QUALITY);
    if !exact_or_prefix && w.number.is_none() && w.text.len() >= TWO_TYPOS_LEN {
        two_typo_matches(vocab, w, &mut ids);
    }
    WordMatches {
        word: w.clone(),
        weight: query_word_weight(w, is_prefix),
        ids: ids.sorted(),
    }
}

/// Candidate word ids of one query word with their quality (1 = exact), in the order found.
#[derive(Default)]
struct WordIds(Vec<(u32, f32)>);

impl WordIds {
    /// Adds `id` unless an earlier (surer) step found it already.
    fn add_new(&mut self, id: u32, quality: f32) {
        if self.0.iter().all(|&(i, _)| i != id) {
            self.0.push((id, quality));
        }
    }

    /// Sorted by word id for binary search while scoring, each id once with its best quality.
    fn sorted(mut self) -> Vec<(u32, f32)> {
        self.0
            .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        self.0.dedup_by_key(|&mut (id, _)| id);
        self.0
    }
}

/// The word itself, and the abbreviation as typed when it is also a word of its own.
fn exact_matches(vocab: &Vocab, w: &QueryWord, is_prefix: bool, ids: &mut WordIds) {
    if let Some(id) = vocab.exact(&w.text) {
        // While typing, an abbreviation ("ste") is as likely the start of a word
        // ("stephenson") as the word it stands for ("sainte"): no bonus for the expansion.
        let expanded = w.text != w.raw;
        ids.0
            .push((id, if is_prefix && expanded { 0.9 } else { 1.0 }));
    }
    if w.number.is_none() && w.text != w.raw {
        // An abbreviation that is also a word of its own ("mar", "pas").
        if let Some(id) = vocab.exact(&w.raw) {
            ids.0.push((id, 1.0));
        }
    }
}

/// While typing, the words the last query word (as typed, or expanded) begins.
fn prefix_matches(vocab: &Vocab, w: &QueryWord, ids: &mut WordIds) {
    for p in [w.raw.as_str(), w.text.as_str()] {
        // One letter alone is too little to be a prefix (junk like "a"); after other
        // words ("bd b") it narrows their matches, and a number ("1" for "1p3") is fine.
        if p.len() < 2 && w.number.is_none() && w.pos == 0 {
            continue;
        }
        for id in vocab.prefixed(p, PREFIX_CAP) {
            let len = vocab.words[id as usize].len() as f32;
            // Longer prefixes are surer, but only slightly: the house number and
            // the other words should decide between "chappe" and "championnet".
            ids.add_new(id, 0.85 + 0.1 * (p.len() as f32 / len).min(1.0));
        }
    }
}

/// Words one edit away, for a word that matched nothing; while typing, also the completions of
/// the prefix with one typo.
fn one_typo_matches(vocab: &Vocab, w: &QueryWord, is_prefix: bool, ids: &mut WordIds) {
    ids.0.extend(
        vocab
            .fuzzy(&w.text)
            .into_iter()
            .map(|id| (id, FUZZY_QUALITY)),
    );
    if is_prefix && w.text.len() >= 5 {
        // A typo in an unfinished word: one edit on the prefix, then complete it.
        for id in vocab.fuzzy(&w.text[..w.text.len() - 1]) {
            ids.add_new(id, FUZZY_QUALITY * 0.9);
        }
        let mut extra = Vec::new();
        for &(id, q) in &ids.0 {
            for pid in vocab.prefixed(&vocab.words[id as usize], 20) {
                extra.push((pid, q * 0.9));
            }
        }
        for (id, q) in extra {
            ids.add_new(id, q);
        }
    }
}

/// Words two edits away, for a long word that matched nothing surer.
fn two_typo_matches(vocab: &Vocab, w: &QueryWord, ids: &mut WordIds) {
    // Long words also get two edits ("chaple" is one edit from "chappe" but meant
    // "chapelle": the other words decide), looked for among the words with the same
    // first letter (people rarely get that one wrong), which keeps the scan short.
    for id in vocab.fuzzy2(&w.text) {
        ids.add_new(id, FUZZY_QUALITY * 0.9);
    }
}

/// How much the word counts in the query's coverage.
fn query_word_weight(w: &QueryWord, is_prefix: bool) -> f32 {
    let weight = own_word_weight(w, is_prefix);
    if w.context {
        weight * CONTEXT_WEIGHT
    } else {
        weight
    }
}

/// Weight of a word typed as part of the address proper.
fn own_word_weight(w: &QueryWord, is_prefix: bool) -> f32 {
    if w.number.is_some() || (is_prefix && !is_stopword(&w.raw)) {
        // An unfinished word may be the start of any name word ("rue" → "ruelle"): it can
        // be what identifies the place.
        1.0
    } else {
        word_weight(&w.text)
    }
}

impl AddressIndex {
    /// Ranked hits for a query, best first, at most `q.limit`.
    ///
    /// ```no_run
    /// use urbaclic::geocode::{AddressIndex, SearchQuery};
    /// let index = AddressIndex::build(&["data/ban-adresses-75118/adresses-75118.csv".into()], &[]).unwrap();
    /// let hits = index.search(&SearchQuery::new("12 rue ordenr paris"));
    /// println!("{}", hits[0].properties.label);
    /// ```
    pub fn search(&self, q: &SearchQuery) -> Vec<SearchHit> {
        if q.limit == 0 || q.q.len() > 1000 {
            return Vec::new();
        }
        let parsed = parse_query(&q.q);
        let words: Vec<WordMatches> = parsed
            .words
            .iter()
            .map(|w| match_word(self, w, q.autocomplete))
            .collect();
        let candidates = self.candidates(&words);
        let bias = q.lon.zip(q.lat);
        let mut scored: Vec<(f64, usize, u32, Scored)> = Vec::new();
        for pi in candidates {
            let place = &self.places[pi as usize];
            if !self.passes_filters(place, q) {
                continue;
            }
            if let Some(sc) = self.score_place(place, &words, parsed.postcode.as_deref(), q) {
                // The bias reorders good matches; it never lifts junk over the threshold.
                if sc.score < MIN_SCORE {
                    continue;
                }
                let mut score = sc.score;
                if let Some((lon, lat)) = bias {
                    let d = haversine_m(lon, lat, sc.pos.lon, sc.pos.lat);
                    score = score * 0.9 + 0.1 / (1.0 + d / 1000.0);
                }
                if score >= MIN_SCORE {
                    scored.push((score, place.numbers.len(), pi, sc));
                }
            }
        }
        // Best score first; ties go to the bigger street (more numbers), then to index order
        // so answers are stable.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        scored
            .into_iter()
            .take(q.limit)
            .map(|(score, _, pi, sc)| {
                let score = (score * 10_000.0).round() / 10_000.0;
                self.materialize(&self.places[pi as usize], &sc, score)
            })
            .collect()
    }

    /// Candidate places, in the steps addok takes: the places holding every discriminant word
    /// of the query (in their own name or their commune's, so the commune's words filter the
    /// streets), else those holding all of them but one, else (a query with stray words still
    /// finds something) the places of the rarest words; and the names made only of street-type
    /// words. Like addok, the looser steps run only when the stricter ones found nothing: a
    /// street word of thousands of places is then not scored place by place.
    fn candidates(&self, words: &[WordMatches]) -> Vec<u32> {
        let mut chosen: Vec<&WordMatches> = words
            .iter()
            .filter(|m| self.is_discriminant(m))
            .filter(|m| m.word.number.is_none() || !is_plain_number(&m.word.text))
            .collect();
        if chosen.is_empty() {
            chosen = words.iter().filter(|m| self.is_discriminant(m)).collect();
        }
        let mut places: Vec<WordPlaces> = chosen.into_iter().map(|m| self.word_places(m)).collect();
        places.sort_by_key(WordPlaces::len);
        let chosen: Vec<&WordPlaces> = places.iter().collect();
        let mut out = holding_all(&chosen);
        if out.is_empty() && chosen.len() > 2 {
            out = holding_all_but_one(&chosen);
        }
        if out.is_empty() {
            out = of_rarest_words(&chosen);
        }
        out.append(&mut self.type_words_candidates(words));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a query word identifies places: it weighs enough and matched a word that does
    /// (an unfinished "ru" brings the places with "ruisseau", not every "rue" of the index).
    fn is_discriminant(&self, m: &WordMatches) -> bool {
        let useful = |&(id, _): &(u32, f32)| self.vocab.weight[id as usize] >= DISCRIMINANT;
        m.weight >= DISCRIMINANT && m.ids.iter().any(useful)
    }

    /// The places a query word is in, through the words it matched that identify something.
    fn word_places(&self, m: &WordMatches) -> WordPlaces<'_> {
        // `m.ids` is sorted by id, so these are too.
        let ids: Vec<u32> = m
            .ids
            .iter()
            .map(|&(id, _)| id)
            .filter(|&id| self.vocab.weight[id as usize] >= DISCRIMINANT)
            .collect();
        let postings: Vec<&[u32]> = ids
            .iter()
            .map(|&id| self.vocab.postings[id as usize].as_slice())
            .collect();
        // Municipalities come last in the index (see `AddressIndex::from_rows`) and postings are
        // sorted: the communes whose name holds the word are at the tail of its postings.
        let mut cities: Vec<u32> = postings
            .iter()
            .flat_map(|ps| {
                ps.iter().rev().map_while(|&pi| {
                    let place = &self.places[pi as usize];
                    (place.kind == PlaceType::Municipality).then_some(place.city)
                })
            })
            .collect();
        cities.sort_unstable();
        cities.dedup();
        WordPlaces {
            ids,
            postings,
            cities,
            places: &self.places,
        }
    }

    /// For names made only of street-type words ("Passage Ruelle", "Rue du Pont"): the places
    /// holding, for every query word that matches street-type words of the vocabulary, one of
    /// those, when the query has at least two such words ("25 rue" alone is too vague).
    /// Discriminant words ("paris" of the commune) do not narrow it: the name has none.
    fn type_words_candidates(&self, words: &[WordMatches]) -> Vec<u32> {
        let is_type_word = |id: u32| is_street_type(&self.vocab.words[id as usize]);
        let mut typed: Vec<Vec<u32>> = words
            .iter()
            .filter(|m| m.word.number.is_none() && !m.word.context)
            .map(|m| {
                m.ids
                    .iter()
                    .map(|&(id, _)| id)
                    .filter(|&id| is_type_word(id))
                    .collect::<Vec<u32>>()
            })
            .filter(|ids| !ids.is_empty())
            .collect();
        if typed.len() < 2 {
            return Vec::new();
        }
        let postings = |id: &u32| &self.vocab.postings[*id as usize];
        // Start from the rarest word; the others are only probed (postings are sorted), so a
        // word in every other place ("rue") costs a binary search per candidate, no copy.
        typed.sort_by_key(|ids| ids.iter().map(|id| postings(id).len()).sum::<usize>());
        let mut out: Vec<u32> = typed[0].iter().flat_map(postings).copied().collect();
        out.sort_unstable();
        out.dedup();
        for ids in &typed[1..] {
            out.retain(|p| ids.iter().any(|id| postings(id).binary_search(p).is_ok()));
        }
        out
    }

    fn passes_filters(&self, place: &Place, q: &SearchQuery) -> bool {
        let f = &q.filters;
        self.in_codes(place, f)
            // A street can give a house number hit.
            && (f.accepts_kind(place.kind)
                || (place.kind == PlaceType::Street && f.accepts_kind(PlaceType::Housenumber)))
    }

    /// Scores one place against the query; `None` when it explains too little of it.
    ///
    /// A pipeline of named steps: match the query words to the place's name then its commune,
    /// set the house number aside, let a wrong street type and a bare arrondissement number
    /// match, check that the place's own name was hit, then score the text and the number.
    fn score_place(
        &self,
        place: &Place,
        words: &[WordMatches],
        postcode: Option<&str>,
        q: &SearchQuery,
    ) -> Option<Scored> {
        let city = &self.cities[place.city as usize];
        let mut m = Matching::new(words, &place.words, &city.words);
        m.match_name_and_city();
        m.set_house_number_aside();
        m.match_street_type_slips(&self.vocab.words);
        m.match_arrondissements(&self.vocab.words);
        if !m.explains(place.kind, &self.vocab.weight) {
            return None;
        }
        let qcov = m.query_coverage(postcode, &place.postcode)?;
        let lcov = m.name_coverage(&self.vocab.weight);
        let text = qcov * qcov * (TEXT_BASE + NAME_COVERAGE_SHARE * lcov);
        self.with_house_number(place, text, m.house_number(), &q.filters)
    }

    /// The final score of a place whose text scored `text`, given the house number of the query
    /// (if any) and the type asked for; `None` when a number was required and is not there.
    fn with_house_number(
        &self,
        place: &Place,
        text: f64,
        number: Option<&(u32, String)>,
        filters: &Filters,
    ) -> Option<Scored> {
        let want_street_only = filters.no_numbers();
        let want_number = filters.only_numbers();
        let plain = |score: f64| {
            Some(Scored {
                score,
                pos: place.pos,
                number: None,
            })
        };
        match number {
            Some((n, rep)) if !want_street_only && place.kind == PlaceType::Street => {
                match self.number_hit(place, *n, rep) {
                    Some((pos, pick, factor)) => Some(Scored {
                        score: text * factor,
                        pos,
                        number: Some(pick),
                    }),
                    None if want_number => None,
                    None => plain(text * UNEXPLAINED_NUMBER_FACTOR),
                }
            }
            _ if want_number => None,
            Some(_) if !want_street_only => plain(text * UNEXPLAINED_NUMBER_FACTOR),
            _ => plain(text),
        }
    }

    /// Position of number `n` (suffix `rep`) on a street, which number it is, and a score
    /// factor (lower when the number is not in the data).
    fn number_hit(&self, place: &Place, n: u32, rep: &str) -> Option<(Pos, NumberPick, f64)> {
        let made_up = |rep: &str| NumberPick::MadeUp {
            n,
            rep: rep.to_string(),
        };
        if let Some((i, how)) = find_number(&place.numbers, n, rep) {
            let pos = place.numbers[i].pos;
            return Some(match how {
                NumberMatch::Exact => (pos, NumberPick::Existing(i), 1.0),
                NumberMatch::Loose => (pos, NumberPick::Existing(i), 0.97),
                // "12b" asked, only "12" known: same building plot, nearly always.
                NumberMatch::BareForRep => (pos, made_up(rep), 0.95),
                // "96" asked, only "96a" known: a suffixed number is often another
                // building further in; the neighbours on the same side say more.
                NumberMatch::SuffixedForBare => match interpolate(&place.numbers, n) {
                    Some((p, factor)) => (p, made_up(""), factor),
                    None => (pos, NumberPick::Existing(i), 0.95),
                },
            });
        }
        let (pos, factor) = interpolate(&place.numbers, n)?;
        Some((pos, made_up(rep), factor))
    }

    /// The hit for a scored place.
    fn materialize(&self, place: &Place, sc: &Scored, score: f64) -> SearchHit {
        match &sc.number {
            None => self.hit(place, sc.pos, score, None, place.id.clone()),
            Some(NumberPick::Existing(i)) => {
                let h = &place.numbers[*i];
                let hn = format!("{}{}", h.number, h.rep);
                self.hit(place, h.pos, score, Some(hn), h.id.to_string())
            }
            Some(NumberPick::MadeUp { n, rep }) => {
                // The BAN id scheme: <street id>_<number on 5 digits>[_<suffix>].
                let id = if rep.is_empty() {
                    format!("{}_{n:05}", place.id)
                } else {
                    format!("{}_{n:05}_{rep}", place.id)
                };
                let mut h = self.hit(place, sc.pos, score, Some(format!("{n}{rep}")), id);
                h.properties.interpolated = true;
                h
            }
        }
    }

    /// Builds a hit for a place (and a number on it when `housenumber` is given).
    pub(crate) fn hit(
        &self,
        place: &Place,
        pos: Pos,
        score: f64,
        housenumber: Option<String>,
        id: String,
    ) -> SearchHit {
        let city = &self.cities[place.city as usize];
        let (kind, name, label, street) = match (&housenumber, place.kind) {
            (Some(hn), _) => (
                PlaceType::Housenumber,
                format!("{hn} {}", place.name),
                format!("{hn} {} {} {}", place.name, place.postcode, city.city),
                Some(place.name.clone()),
            ),
            (None, PlaceType::Municipality) => (
                PlaceType::Municipality,
                place.name.clone(),
                place.name.clone(),
                None,
            ),
            (None, k) => (
                k,
                place.name.clone(),
                format!("{} {} {}", place.name, place.postcode, city.city),
                (k == PlaceType::Street).then(|| place.name.clone()),
            ),
        };
        let importance = ((place.numbers.len() as f64 + 1.0).ln() / 1000f64.ln()).min(1.0);
        let municipality = kind == PlaceType::Municipality;
        SearchHit {
            lon: pos.lon,
            lat: pos.lat,
            properties: HitProperties {
                label: label.trim().replace("  ", " "),
                score: score.clamp(0.0, 1.0),
                housenumber,
                id,
                name,
                postcode: place.postcode.clone(),
                citycode: city.insee.clone(),
                x: pos.x,
                y: pos.y,
                city: city.city.clone(),
                district: city.district.clone(),
                context: city.context.clone(),
                kind,
                importance: (!municipality).then(|| (importance * 10_000.0).round() / 10_000.0),
                population: municipality.then_some(None),
                street,
                distance: None,
                interpolated: false,
            },
        }
    }
}

/// The places one discriminant query word is in: the postings of the vocabulary words it
/// matched, and the communes whose name holds one of them (their places hold the word through
/// their commune: the commune's words act as a filter, as addok's do).
struct WordPlaces<'a> {
    /// The matched vocabulary words that identify something, sorted.
    ids: Vec<u32>,
    /// Their postings, in the same order.
    postings: Vec<&'a [u32]>,
    /// Sorted city ids.
    cities: Vec<u32>,
    places: &'a [Place],
}

impl WordPlaces<'_> {
    /// How many places hold the word in their own name.
    fn len(&self) -> usize {
        self.postings.iter().map(|ps| ps.len()).sum()
    }

    /// Whether place `pi` holds the word, in its own name or its commune's.
    fn holds(&self, pi: u32) -> bool {
        // A word with few matches is probed in its postings, without reading the place; one
        // with many (a prefix while typing: up to `PREFIX_CAP` words) through the place's words.
        let few = self.postings.len() <= PROBED_POSTINGS;
        if few && self.postings.iter().any(|ps| ps.binary_search(&pi).is_ok()) {
            return true;
        }
        let Some(place) = self.places.get(pi as usize) else {
            return false;
        };
        (!few
            && place
                .words
                .iter()
                .any(|w| self.ids.binary_search(w).is_ok()))
            || self.cities.binary_search(&place.city).is_ok()
    }
}

/// The places holding every word of `chosen` (rarest first), in their own name or in their
/// commune's: addok's intersection of postings, the commune's words acting as a filter.
///
/// Only postings are opened (the index keeps no list of a commune's places): those of the
/// rarest word, then of the next ones while the word just opened also names a commune (the
/// places holding it through their commune are not in its postings). Once a word that names no
/// commune is opened, every place holding all the words was met. So a street name found in
/// thousands of communes costs one pass over its postings, each probed in the other words'
/// postings and communes, instead of being skipped as too frequent.
fn holding_all(chosen: &[&WordPlaces]) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, w) in chosen.iter().enumerate() {
        let in_all_others = |pi: &u32| {
            chosen
                .iter()
                .enumerate()
                .all(|(j, other)| j == i || other.holds(*pi))
        };
        for ps in &w.postings {
            out.extend(ps.iter().copied().filter(in_all_others));
        }
        if w.cities.is_empty() {
            break;
        }
    }
    out
}

/// addok's "reduce tokens" step, for a query with one wrong or extra word: the places holding
/// all the chosen words but one, each word left out in turn.
fn holding_all_but_one(chosen: &[&WordPlaces]) -> Vec<u32> {
    let mut out = Vec::new();
    for left_out in 0..chosen.len() {
        let others: Vec<&WordPlaces> = chosen
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != left_out)
            .map(|(_, w)| *w)
            .collect();
        out.append(&mut holding_all(&others));
    }
    out
}

/// Places holding at least one of the chosen words (rarest first), stopping once enough are
/// found, so a frequent word ("saint") does not drag in every place of the country.
fn of_rarest_words(chosen: &[&WordPlaces]) -> Vec<u32> {
    let mut opened: Vec<u32> = Vec::new();
    for w in chosen {
        // Once rarer words have found places, a much more frequent word ("saint" in a national
        // index) would only add noise and time: it still scores, it does not open candidates.
        let len = w.len();
        if !opened.is_empty() && len > FREQUENT_POSTINGS && len > 8 * opened.len() {
            break;
        }
        for ps in &w.postings {
            opened.extend_from_slice(ps);
        }
    }
    opened
}

/// How the words of a query match one place, filled in step by step by
/// [`AddressIndex::score_place`].
///
/// Fixed-size scratch space: no allocation per candidate. Words past [`MAX_WORDS`] (in a name
/// or a query) are simply not matched.
struct Matching<'a> {
    words: &'a [WordMatches],
    place_words: &'a [u32],
    city_words: &'a [u32],
    /// Per query word: the quality of its match, `None` while unmatched.
    matched: [Option<f32>; MAX_WORDS],
    /// Per name word: the quality it was matched with, 0 while unmatched.
    name_used: [f32; MAX_WORDS],
    /// A discriminant query word matched the place's own name (not only its commune).
    name_hit: bool,
    /// The query word taken as the house number.
    house_number: Option<usize>,
}

impl<'a> Matching<'a> {
    fn new(words: &'a [WordMatches], place_words: &'a [u32], city_words: &'a [u32]) -> Self {
        let cap = |w: &'a [u32]| &w[..w.len().min(MAX_WORDS)];
        Matching {
            words: &words[..words.len().min(MAX_WORDS)],
            place_words: cap(place_words),
            city_words: cap(city_words),
            matched: [None; MAX_WORDS],
            name_used: [0.0; MAX_WORDS],
            name_hit: false,
            house_number: None,
        }
    }

    /// Each query word takes the best free word of the place's name, else of its commune's.
    fn match_name_and_city(&mut self) {
        let mut city_used = [false; MAX_WORDS];
        let words = self.words;
        for (i, m) in words.iter().enumerate() {
            let free_name = |j: usize| self.name_used[j] == 0.0;
            if let Some((j, q)) = best_free(m, self.place_words, free_name) {
                self.name_used[j] = q;
                self.matched[i] = Some(q);
                self.name_hit |= m.weight >= DISCRIMINANT;
            } else if let Some((j, q)) = best_free(m, self.city_words, |j| !city_used[j]) {
                city_used[j] = true;
                self.matched[i] = Some(q);
            }
        }
    }

    /// The house number: the first number-like word nothing else explained, context aside
    /// (the "18" of "paris 18 63 rue montcalm" is the arrondissement).
    fn set_house_number_aside(&mut self) {
        self.house_number = self
            .words
            .iter()
            .enumerate()
            .find(|(i, m)| self.matched[*i].is_none() && m.word.number.is_some() && !m.word.context)
            .map(|(i, _)| i);
    }

    /// A wrong street type ("avenue ordener" for "Rue Ordener") is a common slip: an unmatched
    /// type word of the query half-matches an unmatched type word of the name.
    fn match_street_type_slips(&mut self, vocab: &[String]) {
        let words = self.words;
        for (i, m) in words.iter().enumerate() {
            if self.matched[i].is_some() || m.word.number.is_some() || !is_street_type(&m.word.text)
            {
                continue;
            }
            let slot = self.place_words.iter().enumerate().position(|(j, &wid)| {
                self.name_used[j] == 0.0 && is_street_type(&vocab[wid as usize])
            });
            if let Some(j) = slot {
                self.name_used[j] = TYPE_SLIP_QUALITY;
                self.matched[i] = Some(TYPE_SLIP_QUALITY);
            }
        }
    }

    /// Other bare numbers may be an arrondissement written "18" for "18e".
    fn match_arrondissements(&mut self, vocab: &[String]) {
        let words = self.words;
        for (i, m) in words.iter().enumerate() {
            if self.matched[i].is_some() || Some(i) == self.house_number {
                continue;
            }
            let Some((n, rep)) = &m.word.number else {
                continue;
            };
            if !rep.is_empty() {
                continue;
            }
            let ordinals = [format!("{n}e"), format!("{n}er")];
            if self
                .city_words
                .iter()
                .any(|&w| ordinals.contains(&vocab[w as usize]))
            {
                self.matched[i] = Some(ARRONDISSEMENT_QUALITY);
            }
        }
    }

    /// Whether the query is about this place at all: its own name was hit (a municipality: any
    /// discriminant word matched, the commune's words being its name), or, for a name made
    /// only of street-type words and articles ("Passage Ruelle", "Rue du Pont"), all its
    /// street-type words were.
    fn explains(&self, kind: PlaceType, weights: &[f32]) -> bool {
        if kind != PlaceType::Municipality {
            return self.name_hit || self.type_words_name_covered(weights);
        }
        self.words
            .iter()
            .zip(&self.matched)
            .any(|(m, q)| q.is_some() && m.weight >= DISCRIMINANT)
    }

    /// The name has no discriminant word and every street-type word of it was matched.
    fn type_words_name_covered(&self, weights: &[f32]) -> bool {
        let weight = |wid: u32| weights[wid as usize];
        !self.place_words.is_empty()
            && self.place_words.iter().all(|&w| weight(w) < DISCRIMINANT)
            && self
                .place_words
                .iter()
                .zip(&self.name_used)
                .all(|(&w, &used)| weight(w) < STREET_TYPE_WEIGHT || used > 0.0)
    }

    /// How much of the query (and its postcode, if any) the place explains, 0–1; `None` when
    /// nothing of the query counts.
    fn query_coverage(&self, postcode: Option<&str>, place_postcode: &str) -> Option<f64> {
        let (mut num, mut den) = (0f32, 0f32);
        for (i, m) in self.words.iter().enumerate() {
            if Some(i) == self.house_number {
                continue;
            }
            let weight = if m.word.number.is_some() && self.matched[i].is_none() {
                STRAY_NUMBER_WEIGHT
            } else {
                m.weight
            };
            den += weight;
            num += weight * self.matched[i].unwrap_or(0.0);
        }
        if let Some(pc) = postcode {
            den += POSTCODE_WEIGHT;
            if pc == place_postcode {
                num += POSTCODE_WEIGHT;
            } else if pc.get(..2) == place_postcode.get(..2) {
                num += POSTCODE_WEIGHT * SAME_DEPARTEMENT_CREDIT;
            }
        }
        (den != 0.0).then(|| (num / den) as f64)
    }

    /// How much of the place's name (by word weight) the query covers, 0–1.
    fn name_coverage(&self, weights: &[f32]) -> f64 {
        let (mut num, mut den) = (0f32, 0f32);
        for (j, &wid) in self.place_words.iter().enumerate() {
            let w = weights[wid as usize];
            den += w;
            num += w * self.name_used[j];
        }
        if den > 0.0 {
            (num / den) as f64
        } else {
            0.0
        }
    }

    /// The (number, suffix) of the query word set aside as the house number.
    fn house_number(&self) -> Option<&'a (u32, String)> {
        let words = self.words;
        self.house_number
            .and_then(|i| words[i].word.number.as_ref())
    }
}

/// The free word of `candidates` (as `free` says by position) that `m` matches best, with the
/// quality of the match.
fn best_free(
    m: &WordMatches,
    candidates: &[u32],
    free: impl Fn(usize) -> bool,
) -> Option<(usize, f32)> {
    let quality = |wid: u32| {
        let k = m.ids.binary_search_by_key(&wid, |&(id, _)| id).ok()?;
        Some(m.ids[k].1)
    };
    candidates
        .iter()
        .enumerate()
        .filter(|(j, _)| free(*j))
        .filter_map(|(j, &wid)| quality(wid).map(|q| (j, q)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn is_plain_number(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}
