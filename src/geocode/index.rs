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
use super::normalize::name_words;
use super::vocab::Vocab;

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

/// A `type` that is none of the BAN result types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("type « {0} » inconnu (housenumber, street, locality ou municipality)")]
pub struct UnknownPlaceType(pub String);

/// ```
/// use urbaclic::geocode::PlaceType;
/// assert_eq!("street".parse(), Ok(PlaceType::Street));
/// let e = "city".parse::<PlaceType>().unwrap_err();
/// assert_eq!(e.to_string(), "type « city » inconnu (housenumber, street, locality ou municipality)");
/// ```
impl std::str::FromStr for PlaceType {
    type Err = UnknownPlaceType;
    fn from_str(s: &str) -> Result<Self, UnknownPlaceType> {
        match s {
            "housenumber" => Ok(PlaceType::Housenumber),
            "street" => Ok(PlaceType::Street),
            "locality" => Ok(PlaceType::Locality),
            "municipality" => Ok(PlaceType::Municipality),
            _ => Err(UnknownPlaceType(s.to_string())),
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
    use crate::geocode::numbers::{find_number, NumberMatch};

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
        let find = |n, rep| find_number(&street.numbers, n, rep);
        assert_eq!(find(3, "bis"), Some((2, NumberMatch::Exact)));
        assert_eq!(find(3, "bz"), Some((2, NumberMatch::Loose)));
        assert_eq!(find(3, "t"), Some((1, NumberMatch::BareForRep)));
        assert_eq!(find(3, ""), Some((1, NumberMatch::Exact)));
        assert_eq!(find(1, "b"), Some((0, NumberMatch::BareForRep)));
        assert_eq!(find_number(&street.numbers, 5, ""), None);
    }

    #[test]
    fn nom_ld_gives_a_searchable_locality() {
        let mut a = row("31555_x_00001", 1, "", "Chemin du Moulin", 1.40, 43.60);
        let mut b = row("31555_x_00003", 3, "", "Chemin du Moulin", 1.402, 43.60);
        for r in [&mut a, &mut b] {
            r.nom_ld = "Le Grand Pré".into();
            r.code_insee = "31555".into();
            r.nom_commune = "Toulouse".into();
            r.code_postal = "31000".into();
        }
        let idx = AddressIndex::from_rows(vec![a, b], &[]);
        assert_eq!(idx.stats().localities, 1);
        let hits = idx.search(&crate::geocode::SearchQuery::new("le grand pre toulouse"));
        let p = &hits[0].properties;
        assert_eq!(p.kind, PlaceType::Locality);
        assert_eq!(p.label, "Le Grand Pré 31000 Toulouse");
        assert!((hits[0].lon - 1.401).abs() < 1e-9, "mean of its rows");
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
