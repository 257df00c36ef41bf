//! The in-memory address index: places (streets, localities, municipalities) with their house
//! numbers, a word vocabulary with postings, prefix and one-typo lookups, and an R-tree of
//! numbers for reverse geocoding.
//!
//! Built once at load from BAN rows ([`super::ban_csv`]) and commune centroids, then read-only
//! (shared between requests without locks). Search and reverse live in their own modules.

use std::collections::HashMap;
use std::path::PathBuf;

use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

use super::ban_csv::{read_ban_file, BanRow, GeocodeError};
use super::context::context_for;
use super::lambert::to_lambert93;
use super::normalize::{canonical_rep, is_stopword, is_street_type, name_words};

/// A commune known from the boundary layer: INSEE code, name and centroid (WGS84).
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneEntry {
    pub insee: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// BAN result types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceType {
    Housenumber,
    Street,
    Locality,
    Municipality,
}

impl PlaceType {
    /// The BAN spelling (`housenumber`, `street`, `locality`, `municipality`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceType::Housenumber => "housenumber",
            PlaceType::Street => "street",
            PlaceType::Locality => "locality",
            PlaceType::Municipality => "municipality",
        }
    }
}

impl std::str::FromStr for PlaceType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "housenumber" => Ok(PlaceType::Housenumber),
            "street" => Ok(PlaceType::Street),
            "locality" => Ok(PlaceType::Locality),
            "municipality" => Ok(PlaceType::Municipality),
            _ => Err(format!(
                "type « {s} » inconnu (housenumber, street, locality ou municipality)"
            )),
        }
    }
}

/// A position in WGS84 and Lambert-93.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Pos {
    pub lon: f64,
    pub lat: f64,
    pub x: f64,
    pub y: f64,
}

impl Pos {
    pub fn lerp(a: Pos, b: Pos, t: f64) -> Pos {
        let l = |u: f64, v: f64| u + (v - u) * t;
        Pos {
            lon: l(a.lon, b.lon),
            lat: l(a.lat, b.lat),
            x: (l(a.x, b.x) * 100.0).round() / 100.0,
            y: (l(a.y, b.y) * 100.0).round() / 100.0,
        }
    }
}

/// A commune as it appears in labels.
#[derive(Debug, Clone)]
pub(crate) struct City {
    pub insee: String,
    /// Display name: "Paris" for "Paris 18e Arrondissement", like the BAN API.
    pub city: String,
    /// Arrondissement name for Paris, Lyon and Marseille.
    pub district: Option<String>,
    pub context: String,
    /// Normalised words of the full commune name.
    pub words: Vec<u32>,
}

/// A house number on a street.
#[derive(Debug, Clone)]
pub(crate) struct HouseNumber {
    pub number: u32,
    pub rep: Box<str>,
    pub id: Box<str>,
    pub pos: Pos,
}

/// A searchable name: street, locality or municipality.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub kind: PlaceType,
    pub name: String,
    pub words: Vec<u32>,
    pub city: u32,
    pub postcode: String,
    pub id: String,
    pub pos: Pos,
    /// Sorted by (number, rep); empty except for streets.
    pub numbers: Vec<HouseNumber>,
}

/// Words of every name, with postings and the structures for prefix and typo lookups.
#[derive(Debug, Default)]
pub(crate) struct Vocab {
    pub ids: HashMap<String, u32>,
    pub words: Vec<String>,
    /// Word ids sorted by text, for prefix ranges.
    pub sorted: Vec<u32>,
    /// One-deletion variants of words of 4+ letters → word ids (symmetric-delete typo lookup).
    pub deletes: HashMap<String, Vec<u32>>,
    /// Word id → places whose name holds it.
    pub postings: Vec<Vec<u32>>,
    /// Word id → weight in scores (articles and street types weigh less).
    pub weight: Vec<f32>,
}

/// Weight of a normalised word in coverage scores.
pub(crate) fn word_weight(w: &str) -> f32 {
    if is_stopword(w) {
        0.2
    } else if is_street_type(w) {
        0.5
    } else {
        1.0
    }
}

impl Vocab {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(w.to_string(), id);
        self.words.push(w.to_string());
        self.postings.push(Vec::new());
        self.weight.push(word_weight(w));
        id
    }

    fn finish(&mut self) {
        let mut sorted: Vec<u32> = (0..self.words.len() as u32).collect();
        sorted.sort_by(|&a, &b| self.words[a as usize].cmp(&self.words[b as usize]));
        self.sorted = sorted;
        for (id, w) in self.words.iter().enumerate() {
            if w.len() >= 4 {
                for d in deletions(w) {
                    self.deletes.entry(d).or_default().push(id as u32);
                }
            }
        }
        for p in &mut self.postings {
            p.sort_unstable();
            p.dedup();
            p.shrink_to_fit();
        }
    }

    pub fn exact(&self, w: &str) -> Option<u32> {
        self.ids.get(w).copied()
    }

    /// Word ids starting with `prefix` (in text order), at most `cap`.
    pub fn prefixed(&self, prefix: &str, cap: usize) -> Vec<u32> {
        let start = self
            .sorted
            .partition_point(|&id| self.words[id as usize].as_str() < prefix);
        self.sorted[start..]
            .iter()
            .take_while(|&&id| self.words[id as usize].starts_with(prefix))
            .take(cap)
            .copied()
            .collect()
    }

    /// Word ids within one edit (insertion, deletion, substitution or transposition) of `w`.
    pub fn fuzzy(&self, w: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut consider = |ids: &[u32]| {
            for &id in ids {
                if !out.contains(&id) && strsim::osa_distance(&self.words[id as usize], w) == 1 {
                    out.push(id);
                }
            }
        };
        // w lacks a letter: w is a deletion of a vocabulary word.
        if let Some(ids) = self.deletes.get(w) {
            consider(ids);
        }
        for d in deletions(w) {
            // w has an extra letter.
            if let Some(&id) = self.ids.get(&d) {
                consider(&[id]);
            }
            // Substitution or transposition: both lose a letter to the same string.
            if let Some(ids) = self.deletes.get(&d) {
                consider(ids);
            }
        }
        out
    }
}

impl Vocab {
    /// Words of 8+ letters within two edits of `w` that share its first letter; a linear
    /// scan of that letter's words, for the rare long word typed with two typos.
    pub fn fuzzy2(&self, w: &str) -> Vec<u32> {
        let Some(first) = w.get(..1) else {
            return Vec::new();
        };
        let start = self
            .sorted
            .partition_point(|&id| self.words[id as usize].as_str() < first);
        self.sorted[start..]
            .iter()
            .take_while(|&&id| self.words[id as usize].starts_with(first))
            .filter(|&&id| {
                let v = &self.words[id as usize];
                v.len() >= 8 && v.len().abs_diff(w.len()) <= 2 && strsim::osa_distance(v, w) <= 2
            })
            .copied()
            .collect()
    }
}

/// All strings obtained by deleting one character (ASCII input).
fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    (0..w.len())
        .filter(|&i| w.is_char_boundary(i) && w.is_char_boundary(i + 1))
        .map(move |i| {
            let mut s = String::with_capacity(w.len() - 1);
            s.push_str(&w[..i]);
            s.push_str(&w[i + 1..]);
            s
        })
}

/// Counts for `check-data` and the bench.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct IndexStats {
    pub housenumbers: usize,
    pub streets: usize,
    pub localities: usize,
    pub municipalities: usize,
    pub words: usize,
    /// Rows skipped because malformed (see the build warnings for line numbers).
    pub skipped_rows: usize,
    /// Rough heap size of the index, in bytes.
    pub memory_bytes: usize,
}

pub(crate) type NumberPoint = GeomWithData<[f64; 2], (u32, u32)>;

/// Scale applied to longitudes in the R-tree so degrees are roughly isotropic in France
/// (cos 46.5°); exact distances are recomputed with haversine on the few nearest.
pub(crate) const LON_SCALE: f64 = 0.688;

/// The address index. Cheap to share (`Arc`), read-only after [`AddressIndex::build`].
#[derive(Debug)]
pub struct AddressIndex {
    pub(crate) places: Vec<Place>,
    pub(crate) cities: Vec<City>,
    pub(crate) vocab: Vocab,
    pub(crate) numbers_tree: RTree<NumberPoint>,
    pub(crate) stats: IndexStats,
    /// Warnings about skipped rows, one per file with any.
    pub warnings: Vec<String>,
}

/// Sums of lon, lat, x, y, the row count and the first postcode of a `nom_ld`.
type LocalityAcc = (f64, f64, f64, f64, usize, String);

#[derive(Default)]
struct StreetAcc {
    name: String,
    city: u32,
    postcode: String,
    id: String,
    numbers: Vec<HouseNumber>,
    kind_locality: bool,
}

impl AddressIndex {
    /// Reads BAN CSV files (`.csv` or `.csv.gz`) and indexes them with the given communes.
    ///
    /// Rows that do not parse are skipped and counted in [`AddressIndex::stats`] and
    /// [`AddressIndex::warnings`]; a file that cannot be read or lacks a column is an error.
    pub fn build(csv_files: &[PathBuf], communes: &[CommuneEntry]) -> Result<Self, GeocodeError> {
        let mut rows = Vec::new();
        let mut warnings = Vec::new();
        let mut skipped = 0;
        for path in csv_files {
            let f = read_ban_file(path)?;
            if f.skipped > 0 {
                warnings.push(format!(
                    "{}: {} ligne(s) ignorée(s), dont les lignes {:?}",
                    path.display(),
                    f.skipped,
                    f.first_skipped_lines
                ));
            }
            skipped += f.skipped;
            rows.extend(f.rows);
        }
        let mut index = Self::from_rows(rows, communes);
        index.stats.skipped_rows = skipped;
        index.warnings = warnings;
        Ok(index)
    }

    /// Indexes rows already read (used by [`AddressIndex::build`] and tests).
    pub fn from_rows(rows: Vec<BanRow>, communes: &[CommuneEntry]) -> Self {
        let mut vocab = Vocab::default();
        let mut cities: Vec<City> = Vec::new();
        let mut city_of: HashMap<String, u32> = HashMap::new();
        // Per city: sum of positions and postcode counts, for derived municipalities.
        let mut city_acc: Vec<(f64, f64, usize, HashMap<String, usize>)> = Vec::new();
        let mut add_city = |insee: &str, name: &str, vocab: &mut Vocab, cities: &mut Vec<City>| {
            if let Some(&c) = city_of.get(insee) {
                return c;
            }
            let (city, district) = split_district(name);
            let words = name_words(name).iter().map(|w| vocab.intern(w)).collect();
            cities.push(City {
                insee: insee.to_string(),
                city,
                district,
                context: context_for(insee),
                words,
            });
            let id = cities.len() as u32 - 1;
            city_of.insert(insee.to_string(), id);
            id
        };
        for c in communes {
            add_city(&c.insee, &c.name, &mut vocab, &mut cities);
        }

        let mut streets: Vec<StreetAcc> = Vec::new();
        let mut street_of: HashMap<(u32, String, bool), usize> = HashMap::new();
        let mut ld_acc: HashMap<(u32, String), LocalityAcc> = HashMap::new();
        for r in rows {
            let city = add_city(&r.code_insee, &r.nom_commune, &mut vocab, &mut cities);
            if city_acc.len() <= city as usize {
                city_acc.resize_with(city as usize + 1, Default::default);
            }
            let acc = &mut city_acc[city as usize];
            acc.0 += r.lon;
            acc.1 += r.lat;
            acc.2 += 1;
            *acc.3.entry(r.code_postal.clone()).or_default() += 1;
            let pos = Pos {
                lon: r.lon,
                lat: r.lat,
                x: r.x,
                y: r.y,
            };
            if !r.nom_ld.is_empty() {
                let e = ld_acc.entry((city, r.nom_ld.clone())).or_insert((
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0,
                    r.code_postal.clone(),
                ));
                e.0 += r.lon;
                e.1 += r.lat;
                e.2 += r.x;
                e.3 += r.y;
                e.4 += 1;
            }
            // BAN writes toponyms without a number as numero 99999: a locality.
            let locality = r.numero == 99999;
            let key = (city, r.nom_voie.clone(), locality);
            let s = *street_of.entry(key).or_insert_with(|| {
                streets.push(StreetAcc {
                    name: r.nom_voie.clone(),
                    city,
                    postcode: r.code_postal.clone(),
                    id: street_id(&r.id),
                    numbers: Vec::new(),
                    kind_locality: locality,
                });
                streets.len() - 1
            });
            streets[s].numbers.push(HouseNumber {
                number: r.numero,
                rep: r.rep.into_boxed_str(),
                id: r.id.into_boxed_str(),
                pos,
            });
        }

        let mut places: Vec<Place> = Vec::with_capacity(streets.len() + cities.len());
        for s in streets {
            let mut numbers = s.numbers;
            numbers.sort_by(|a, b| (a.number, &a.rep).cmp(&(b.number, &b.rep)));
            numbers.dedup_by(|a, b| a.number == b.number && a.rep == b.rep);
            let pos = medoid(&numbers);
            let kind = if s.kind_locality {
                numbers.clear();
                PlaceType::Locality
            } else {
                PlaceType::Street
            };
            places.push(Place {
                kind,
                name: s.name,
                words: Vec::new(),
                city: s.city,
                postcode: s.postcode,
                id: s.id,
                pos,
                numbers,
            });
        }
        let mut lds: Vec<_> = ld_acc.into_iter().collect();
        lds.sort_by(|a, b| a.0.cmp(&b.0));
        for ((city, name), (lon, lat, x, y, n, postcode)) in lds {
            let n = n as f64;
            places.push(Place {
                kind: PlaceType::Locality,
                id: format!("{}_{}", cities[city as usize].insee, slug(&name)),
                name,
                words: Vec::new(),
                city,
                postcode,
                pos: Pos {
                    lon: lon / n,
                    lat: lat / n,
                    x: x / n,
                    y: y / n,
                },
                numbers: Vec::new(),
            });
        }
        let by_insee: HashMap<&str, &CommuneEntry> =
            communes.iter().map(|c| (c.insee.as_str(), c)).collect();
        for (ci, city) in cities.iter().enumerate() {
            let acc = city_acc.get(ci);
            let postcode = acc
                .and_then(|a| a.3.iter().max_by_key(|(p, n)| (**n, std::cmp::Reverse(*p))))
                .map(|(p, _)| p.clone())
                .unwrap_or_default();
            let (lon, lat) = match (by_insee.get(city.insee.as_str()), acc) {
                (Some(c), _) => (c.lon, c.lat),
                (None, Some(a)) if a.2 > 0 => (a.0 / a.2 as f64, a.1 / a.2 as f64),
                _ => continue,
            };
            let (x, y) = to_lambert93(lon, lat);
            places.push(Place {
                kind: PlaceType::Municipality,
                name: city.district.clone().unwrap_or_else(|| city.city.clone()),
                words: city.words.clone(),
                city: ci as u32,
                postcode,
                id: city.insee.clone(),
                pos: Pos { lon, lat, x, y },
                numbers: Vec::new(),
            });
        }
        for (pi, p) in places.iter_mut().enumerate() {
            if p.kind != PlaceType::Municipality {
                p.words = name_words(&p.name)
                    .iter()
                    .map(|w| vocab.intern(w))
                    .collect();
            }
            for &w in &p.words {
                vocab.postings[w as usize].push(pi as u32);
            }
        }
        vocab.finish();

        let points: Vec<NumberPoint> = places
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| {
                p.numbers.iter().enumerate().map(move |(ni, n)| {
                    GeomWithData::new([n.pos.lon * LON_SCALE, n.pos.lat], (pi as u32, ni as u32))
                })
            })
            .collect();
        let numbers_tree = RTree::bulk_load(points);

        let mut index = AddressIndex {
            places,
            cities,
            vocab,
            numbers_tree,
            stats: IndexStats::default(),
            warnings: Vec::new(),
        };
        index.stats = index.compute_stats();
        index
    }

    fn compute_stats(&self) -> IndexStats {
        let count = |k| self.places.iter().filter(|p| p.kind == k).count();
        let housenumbers: usize = self.places.iter().map(|p| p.numbers.len()).sum();
        let mut mem = 0usize;
        for p in &self.places {
            mem += std::mem::size_of::<Place>() + p.name.capacity() + p.id.capacity();
            mem += p.postcode.capacity() + p.words.capacity() * 4;
            for n in &p.numbers {
                mem += std::mem::size_of::<HouseNumber>() + n.rep.len() + n.id.len();
            }
        }
        let v = &self.vocab;
        for w in &v.words {
            // Text twice (list and map key), map slot, sorted slot, weight.
            mem += 2 * (w.capacity() + 24) + 8 + 4 + 4;
        }
        mem += v
            .postings
            .iter()
            .map(|p| p.capacity() * 4 + 24)
            .sum::<usize>();
        mem += v
            .deletes
            .iter()
            .map(|(k, ids)| k.capacity() + 48 + ids.capacity() * 4)
            .sum::<usize>();
        mem += housenumbers * (std::mem::size_of::<NumberPoint>() + 8);
        IndexStats {
            housenumbers,
            streets: count(PlaceType::Street),
            localities: count(PlaceType::Locality),
            municipalities: count(PlaceType::Municipality),
            words: v.words.len(),
            skipped_rows: 0,
            memory_bytes: mem,
        }
    }

    /// Number of addressable entries: house numbers plus streets, localities, municipalities.
    pub fn len(&self) -> usize {
        self.stats.housenumbers + self.places.len()
    }

    /// True when nothing was indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counts per type, skipped rows and a memory estimate.
    pub fn stats(&self) -> IndexStats {
        self.stats.clone()
    }

    /// Finds the number `n`/`rep` in a sorted number list, matching the suffix loosely: exact,
    /// then canonical (`bis` = `b`), then the longest known suffix that starts the asked one
    /// (`bz` for `bzz`), then the same first letter; failing that, the bare number for an
    /// unknown suffix, or a suffixed number when the bare one is missing.
    pub(crate) fn find_number(
        numbers: &[HouseNumber],
        n: u32,
        rep: &str,
    ) -> Option<(usize, NumberMatch)> {
        let start = numbers.partition_point(|h| h.number < n);
        let same: Vec<usize> = (start..numbers.len())
            .take_while(|&i| numbers[i].number == n)
            .collect();
        let first = *same.first()?;
        let rep_of = |i: usize| &*numbers[i].rep;
        if let Some(&i) = same.iter().find(|&&i| rep_of(i) == rep) {
            return Some((i, NumberMatch::Exact));
        }
        if rep.is_empty() {
            return Some((first, NumberMatch::SuffixedForBare));
        }
        let canonical = same
            .iter()
            .find(|&&i| canonical_rep(rep_of(i)) == canonical_rep(rep));
        if let Some(&i) = canonical {
            return Some((i, NumberMatch::Exact));
        }
        let longest_prefix = same
            .iter()
            .filter(|&&i| !rep_of(i).is_empty() && rep.starts_with(rep_of(i)))
            .max_by_key(|&&i| rep_of(i).len());
        let first_letter = || {
            same.iter()
                .find(|&&i| rep_of(i).chars().next() == rep.chars().next())
        };
        if let Some(&i) = longest_prefix.or_else(first_letter) {
            return Some((i, NumberMatch::Loose));
        }
        let bare = same
            .iter()
            .find(|&&i| rep_of(i).is_empty())
            .unwrap_or(&first);
        Some((*bare, NumberMatch::BareForRep))
    }
}

/// How a number found by [`AddressIndex::find_number`] relates to the one asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberMatch {
    /// Same number and suffix (or its usual form: `bis` = `b`).
    Exact,
    /// Same number, a suffix close to the one asked (`bz` for `bzz`, `b` for `bx`).
    Loose,
    /// The suffix asked is unknown: the bare number (or another suffix) is returned.
    BareForRep,
    /// No suffix asked and the bare number is missing: a suffixed one is returned.
    SuffixedForBare,
}

/// "Paris 18e Arrondissement" → ("Paris", Some(full)); other names unchanged.
fn split_district(name: &str) -> (String, Option<String>) {
    for base in ["Paris", "Lyon", "Marseille"] {
        if let Some(rest) = name.strip_prefix(base) {
            if rest
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
                && rest.contains("rrondissement")
            {
                return (base.to_string(), Some(name.to_string()));
            }
        }
    }
    (name.to_string(), None)
}

/// Street id from a number id: `75118_t2ofi0_00001_p3` → `75118_t2ofi0`.
fn street_id(id: &str) -> String {
    let mut parts = id.split('_');
    match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}_{b}"),
        _ => id.to_string(),
    }
}

fn slug(s: &str) -> String {
    super::normalize::fold(s).replace(' ', "-")
}

/// The number closest to the mean position: a point on the street, unlike the mean itself
/// (which falls inside blocks for curved streets).
fn medoid(numbers: &[HouseNumber]) -> Pos {
    if numbers.is_empty() {
        return Pos::default();
    }
    let n = numbers.len() as f64;
    let (mx, my) = numbers
        .iter()
        .fold((0.0, 0.0), |(x, y), h| (x + h.pos.x / n, y + h.pos.y / n));
    numbers
        .iter()
        .min_by(|a, b| {
            let da = (a.pos.x - mx).powi(2) + (a.pos.y - my).powi(2);
            let db = (b.pos.x - mx).powi(2) + (b.pos.y - my).powi(2);
            da.total_cmp(&db)
        })
        .map(|h| h.pos)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(id: &str, n: u32, rep: &str, voie: &str, lon: f64, lat: f64) -> BanRow {
        let (x, y) = to_lambert93(lon, lat);
        BanRow {
            id: id.into(),
            numero: n,
            rep: rep.into(),
            nom_voie: voie.into(),
            code_postal: "75018".into(),
            code_insee: "75118".into(),
            nom_commune: "Paris 18e Arrondissement".into(),
            nom_ld: String::new(),
            lon,
            lat,
            x,
            y,
        }
    }

    #[test]
    fn builds_places_and_numbers() {
        let rows = vec![
            row("75118_a_00001", 1, "", "Rue Ordener", 2.35, 48.89),
            row("75118_a_00003", 3, "", "Rue Ordener", 2.351, 48.89),
            row("75118_a_00003_b", 3, "b", "Rue Ordener", 2.351, 48.89),
            row("75118_a_00003_b", 3, "b", "Rue Ordener", 2.351, 48.89),
            row(
                "75118_c_99999",
                99999,
                "",
                "Les Grandes Carrières",
                2.33,
                48.89,
            ),
        ];
        let idx = AddressIndex::from_rows(rows, &[]);
        let s = idx.stats();
        assert_eq!(
            (s.housenumbers, s.streets, s.localities, s.municipalities),
            (3, 1, 1, 1)
        );
        assert_eq!(idx.len(), 6);
        let street = &idx.places[0];
        assert_eq!(street.id, "75118_a");
        assert_eq!(idx.cities[0].city, "Paris");
        assert_eq!(
            idx.cities[0].district.as_deref(),
            Some("Paris 18e Arrondissement")
        );
        let find = |n, rep| AddressIndex::find_number(&street.numbers, n, rep);
        assert_eq!(find(3, "bis"), Some((2, NumberMatch::Exact)));
        assert_eq!(find(3, "bz"), Some((2, NumberMatch::Loose)));
        assert_eq!(find(3, "t"), Some((1, NumberMatch::BareForRep)));
        assert_eq!(find(3, ""), Some((1, NumberMatch::Exact)));
        assert_eq!(find(1, "b"), Some((0, NumberMatch::BareForRep)));
        assert_eq!(AddressIndex::find_number(&street.numbers, 5, ""), None);
    }

    #[test]
    fn vocab_prefix_and_fuzzy() {
        let mut v = Vocab::default();
        for w in ["ordener", "orsel", "marcadet", "rue", "or"] {
            v.intern(w);
        }
        v.finish();
        let words = |ids: Vec<u32>| -> Vec<String> {
            let mut w: Vec<String> = ids.iter().map(|&i| v.words[i as usize].clone()).collect();
            w.sort();
            w
        };
        assert_eq!(words(v.prefixed("or", 10)), ["or", "ordener", "orsel"]);
        assert_eq!(words(v.fuzzy("ordenr")), ["ordener"]);
        assert_eq!(words(v.fuzzy("orddener")), ["ordener"]);
        assert_eq!(words(v.fuzzy("odrener")), ["ordener"]);
        assert_eq!(words(v.fuzzy("ordemer")), ["ordener"]);
        assert!(v.fuzzy("xxxxxxx").is_empty());
        assert_eq!(words(v.fuzzy2("marcadot")), ["marcadet"]);
        assert_eq!(words(v.fuzzy2("mrcadeet")), ["marcadet"]);
        assert!(v.fuzzy2("narcadet").is_empty(), "first letter kept");
    }

    #[test]
    fn commune_entries_give_municipalities() {
        let communes = vec![CommuneEntry {
            insee: "31555".into(),
            name: "Toulouse".into(),
            lon: 1.43,
            lat: 43.6,
        }];
        let idx = AddressIndex::from_rows(Vec::new(), &communes);
        assert_eq!(idx.stats().municipalities, 1);
        assert_eq!(idx.places[0].name, "Toulouse");
        assert!(idx.places[0].pos.x > 500_000.0);
    }
}
