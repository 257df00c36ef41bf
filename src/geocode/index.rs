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

use super::ban_csv::{read_ban_file, BanFile, BanRow, GeocodeError};
use super::context::context_for;
use super::lambert::to_lambert93;
use super::normalize::name_words;
use super::vocab::Vocab;

/// A commune known from the boundary layer: INSEE code, name and centroid (WGS84).
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneEntry {
    /// INSEE code.
    pub insee: String,
    /// Official name.
    pub name: String,
    /// Centroid longitude, WGS84.
    pub lon: f64,
    /// Centroid latitude, WGS84.
    pub lat: f64,
}

/// BAN result types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PlaceType {
    /// A house number on a street.
    Housenumber,
    /// A street (`nom_voie`).
    Street,
    /// A named place without street (`lieu-dit`).
    Locality,
    /// A commune.
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
    /// Addresses with a number.
    pub housenumbers: usize,
    /// Distinct streets.
    pub streets: usize,
    /// Distinct named places.
    pub localities: usize,
    /// Communes.
    pub municipalities: usize,
    /// Distinct words in the vocabulary.
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

/// BAN writes toponyms without a number as `numero` 99999: a locality, not a house number.
const NUMBERLESS: u32 = 99999;

/// The communes met while indexing, with the running sums their municipality is derived from.
#[derive(Default)]
struct CityTable {
    cities: Vec<City>,
    by_insee: HashMap<String, u32>,
    sums: Vec<CitySums>,
}

/// Sum of row positions and postcode counts of one commune.
#[derive(Default)]
struct CitySums {
    lon: f64,
    lat: f64,
    rows: usize,
    postcodes: HashMap<String, usize>,
}

impl CityTable {
    /// The id of the commune `insee`, added (its name's words interned) when new.
    fn intern(&mut self, insee: &str, name: &str, vocab: &mut Vocab) -> u32 {
        if let Some(&c) = self.by_insee.get(insee) {
            return c;
        }
        let (city, district) = split_district(name);
        let words = name_words(name).iter().map(|w| vocab.intern(w)).collect();
        self.cities.push(City {
            insee: insee.to_string(),
            city,
            district,
            context: context_for(insee),
            words,
        });
        self.sums.push(CitySums::default());
        let id = self.cities.len() as u32 - 1;
        self.by_insee.insert(insee.to_string(), id);
        id
    }

    fn count_row(&mut self, city: u32, r: &BanRow) {
        let s = &mut self.sums[city as usize];
        s.lon += r.lon;
        s.lat += r.lat;
        s.rows += 1;
        *s.postcodes.entry(r.code_postal.clone()).or_default() += 1;
    }
}

/// Sums of the positions of the rows of one `nom_ld`, and the postcode of its first row.
struct LocalitySums {
    lon: f64,
    lat: f64,
    x: f64,
    y: f64,
    rows: usize,
    postcode: String,
}

#[derive(Default)]
struct StreetAcc {
    name: String,
    city: u32,
    postcode: String,
    id: String,
    numbers: Vec<HouseNumber>,
    kind_locality: bool,
}

/// Rows grouped by street (or numberless toponym), and by `nom_ld`.
#[derive(Default)]
struct Groups {
    streets: Vec<StreetAcc>,
    localities: HashMap<(u32, String), LocalitySums>,
}

impl Groups {
    /// Groups the rows, registering their communes in `cities`.
    fn of_rows(rows: Vec<BanRow>, cities: &mut CityTable, vocab: &mut Vocab) -> Groups {
        let mut groups = Groups::default();
        let mut street_of: HashMap<(u32, String, bool), usize> = HashMap::new();
        for r in rows {
            let city = cities.intern(&r.code_insee, &r.nom_commune, vocab);
            cities.count_row(city, &r);
            if !r.nom_ld.is_empty() {
                groups.add_to_locality(city, &r);
            }
            let locality = r.numero == NUMBERLESS;
            let streets = &mut groups.streets;
            let s = *street_of
                .entry((city, r.nom_voie.clone(), locality))
                .or_insert_with(|| {
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
            let pos = Pos {
                lon: r.lon,
                lat: r.lat,
                x: r.x,
                y: r.y,
            };
            streets[s].numbers.push(HouseNumber {
                number: r.numero,
                rep: r.rep.into_boxed_str(),
                id: r.id.into_boxed_str(),
                pos,
            });
        }
        groups
    }

    fn add_to_locality(&mut self, city: u32, r: &BanRow) {
        let e = self
            .localities
            .entry((city, r.nom_ld.clone()))
            .or_insert_with(|| LocalitySums {
                lon: 0.0,
                lat: 0.0,
                x: 0.0,
                y: 0.0,
                rows: 0,
                postcode: r.code_postal.clone(),
            });
        e.lon += r.lon;
        e.lat += r.lat;
        e.x += r.x;
        e.y += r.y;
        e.rows += 1;
    }
}

/// A street (numbers sorted and deduplicated, placed at their medoid), or a numberless toponym
/// as a locality.
fn street_place(s: StreetAcc) -> Place {
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
    Place {
        kind,
        name: s.name,
        words: Vec::new(),
        city: s.city,
        postcode: s.postcode,
        id: s.id,
        pos,
        numbers,
    }
}

/// The localities of `nom_ld` values, at the mean of their rows, in (commune, name) order.
fn locality_places(
    localities: HashMap<(u32, String), LocalitySums>,
    cities: &[City],
) -> Vec<Place> {
    let mut lds: Vec<_> = localities.into_iter().collect();
    lds.sort_by(|a, b| a.0.cmp(&b.0));
    lds.into_iter()
        .map(|((city, name), s)| {
            let n = s.rows as f64;
            Place {
                kind: PlaceType::Locality,
                id: format!("{}_{}", cities[city as usize].insee, slug(&name)),
                name,
                words: Vec::new(),
                city,
                postcode: s.postcode,
                pos: Pos {
                    lon: s.lon / n,
                    lat: s.lat / n,
                    x: s.x / n,
                    y: s.y / n,
                },
                numbers: Vec::new(),
            }
        })
        .collect()
}

/// One municipality per commune: at the boundary layer's centroid when known, else at the mean
/// of its rows (none without either); its postcode is the most frequent one of its rows.
fn municipality_places(table: &CityTable, communes: &[CommuneEntry]) -> Vec<Place> {
    let by_insee: HashMap<&str, &CommuneEntry> =
        communes.iter().map(|c| (c.insee.as_str(), c)).collect();
    let mut places = Vec::new();
    for (ci, (city, sums)) in table.cities.iter().zip(&table.sums).enumerate() {
        let postcode = sums
            .postcodes
            .iter()
            .max_by_key(|(p, n)| (**n, std::cmp::Reverse(*p)))
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        let (lon, lat) = match by_insee.get(city.insee.as_str()) {
            Some(c) => (c.lon, c.lat),
            None if sums.rows > 0 => (sums.lon / sums.rows as f64, sums.lat / sums.rows as f64),
            None => continue,
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
    places
}

/// Interns the words of every place's name (municipalities have their commune's already) and
/// fills the postings.
fn index_words(places: &mut [Place], vocab: &mut Vocab) {
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
}

/// The R-tree of every house number, for reverse geocoding.
pub(crate) fn numbers_tree(places: &[Place]) -> RTree<NumberPoint> {
    let points: Vec<NumberPoint> = places
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.numbers.iter().enumerate().map(move |(ni, n)| {
                GeomWithData::new([n.pos.lon * LON_SCALE, n.pos.lat], (pi as u32, ni as u32))
            })
        })
        .collect();
    RTree::bulk_load(points)
}

impl AddressIndex {
    /// Reads BAN CSV files (`.csv` or `.csv.gz`) and indexes them with the given communes.
    ///
    /// Rows that do not parse are skipped and counted in [`AddressIndex::stats`] and
    /// [`AddressIndex::warnings`]; a file that cannot be read or lacks a column is an error.
    pub fn build(csv_files: &[PathBuf], communes: &[CommuneEntry]) -> Result<Self, GeocodeError> {
        let files = csv_files
            .iter()
            .map(|path| read_ban_file(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_files(files, communes))
    }

    /// Indexes BAN files already read, with a warning for each file that had rows skipped.
    pub fn from_files(files: Vec<BanFile>, communes: &[CommuneEntry]) -> Self {
        let mut rows = Vec::new();
        let mut warnings = Vec::new();
        let mut skipped = 0;
        for f in files {
            if f.skipped > 0 {
                warnings.push(format!(
                    "{}: {} ligne(s) ignorée(s), dont les lignes {:?}",
                    f.path.display(),
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
        index
    }

    /// Indexes rows already read (used by [`AddressIndex::build`] and tests).
    ///
    /// Places come in a fixed order (streets as first met, then `nom_ld` localities, then
    /// municipalities), so word ids and tie-breaks are stable from one build to the next.
    pub fn from_rows(rows: Vec<BanRow>, communes: &[CommuneEntry]) -> Self {
        let mut vocab = Vocab::default();
        let mut cities = CityTable::default();
        for c in communes {
            cities.intern(&c.insee, &c.name, &mut vocab);
        }
        let groups = Groups::of_rows(rows, &mut cities, &mut vocab);
        let mut places: Vec<Place> = Vec::with_capacity(groups.streets.len() + cities.cities.len());
        places.extend(groups.streets.into_iter().map(street_place));
        places.extend(locality_places(groups.localities, &cities.cities));
        places.extend(municipality_places(&cities, communes));
        index_words(&mut places, &mut vocab);
        let mut index = AddressIndex {
            numbers_tree: numbers_tree(&places),
            places,
            cities: cities.cities,
            vocab,
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
