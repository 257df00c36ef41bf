//! The territory's geometry: communes on a square grid, parcels on a square grid inside each
//! commune, one 12-vertex star-shaped polygon per parcel cell. Everything is a pure function of
//! the indices and the seed, so any commune can be written alone and in any order.

use std::f64::consts::TAU;
use std::io;

use super::Spec;

/// Longitude of the territory's south-west corner (WGS84 degrees): south-west of Toulouse, the
/// Haute-Garonne of issue 13's scenario. Only a place on the map; nothing there is real.
const LON0: f64 = 1.0;
/// Latitude of the south-west corner.
const LAT0: f64 = 43.0;
/// Width of a parcel cell in degrees of longitude (about 33 m at 43°N).
const CELL_LON: f64 = 0.0004;
/// Height of a parcel cell in degrees of latitude (about 33 m).
const CELL_LAT: f64 = 0.0003;
/// Vertices of a parcel outline (before closing the ring), as a typical Etalab parcel.
const VERTICES: usize = 12;

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator, the same numbers on every
/// machine, so a seed gives byte-identical files.
pub struct Rng(u64);

impl Rng {
    /// A generator for item `index` of stream `seed`: each parcel and commune draws from its own
    /// stream, so the files do not depend on the order they are written in.
    pub fn for_item(seed: u64, index: u64) -> Rng {
        Rng(seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        // 53 random bits: the mantissa of an f64 in [0, 1).
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }
}

/// Where the communes lie: how many, how many parcels each, how they are numbered.
pub struct Layout {
    /// Parcels asked for, over the whole territory.
    parcels: u64,
    /// Parcels in a full commune.
    per_commune: u32,
    /// Communes per département (at most 999: the INSEE code has three digits for them).
    per_departement: u32,
    /// Parcel cells on a side of a commune.
    side: u32,
    /// Communes on a row of the commune grid.
    columns: u64,
    /// Communes in the territory.
    pub communes: u64,
}

impl Layout {
    /// The layout of `spec`, or why it cannot be laid out.
    pub fn new(spec: &Spec) -> io::Result<Layout> {
        let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, why.to_string());
        if spec.parcels == 0 || spec.parcels_per_commune == 0 {
            return Err(invalid("il faut au moins une parcelle par commune"));
        }
        if !(1..=999).contains(&spec.communes_per_departement) {
            return Err(invalid("de 1 à 999 communes par département"));
        }
        let communes = spec.parcels.div_ceil(u64::from(spec.parcels_per_commune));
        let departements = communes.div_ceil(u64::from(spec.communes_per_departement));
        // Codes 01 to 95 without 20 (Corsica is 2A/2B): 94 départements.
        if departements > 94 {
            return Err(invalid("plus de 94 départements : augmentez --communes-per-departement ou --parcels-per-commune"));
        }
        Ok(Layout {
            parcels: spec.parcels,
            per_commune: spec.parcels_per_commune,
            per_departement: spec.communes_per_departement,
            side: ceil_sqrt(u64::from(spec.parcels_per_commune)),
            columns: u64::from(ceil_sqrt(communes)),
            communes,
        })
    }

    /// Commune `k` (0-based) of the territory.
    pub fn commune(&self, k: u64) -> CommuneCell {
        let per_dep = u64::from(self.per_departement);
        let dep_number = k / per_dep + 1;
        let dep_number = if dep_number >= 20 {
            dep_number + 1
        } else {
            dep_number
        };
        let dep = format!("{dep_number:02}");
        let insee = format!("{dep}{:03}", k % per_dep + 1);
        let first = k * u64::from(self.per_commune);
        let parcels = (self.parcels - first).min(u64::from(self.per_commune));
        let side_deg = |cell: f64| f64::from(self.side) * cell;
        #[allow(clippy::cast_precision_loss)]
        let (col, row) = ((k % self.columns) as f64, (k / self.columns) as f64);
        CommuneCell {
            index: k,
            name: commune_name(k),
            insee,
            dep,
            lon0: LON0 + col * side_deg(CELL_LON),
            lat0: LAT0 + row * side_deg(CELL_LAT),
            // At most `per_commune`, a u32.
            parcels: u32::try_from(parcels).unwrap_or(self.per_commune),
            side: self.side,
            first_parcel: first,
        }
    }
}

/// First, middle and last syllables of the communes' invented names.
const SYLLABLES: [[&str; 20]; 3] = [
    [
        "Bra", "Cor", "Dal", "Esc", "Fon", "Gar", "Lau", "Mon", "Nar", "Pey", "Ros", "Sal", "Tar",
        "Val", "Ver", "Aur", "Bel", "Cas", "Lan", "Mir",
    ],
    [
        "be", "ca", "di", "fa", "go", "la", "mi", "no", "pe", "ri", "sa", "te", "vi", "zo", "lu",
        "ma", "re", "ti", "ba", "ne",
    ],
    [
        "nac", "rac", "zac", "lès", "gnan", "ville", "court", "mont", "val", "bourg", "ac", "an",
        "ès", "ot", "ieu", "ine", "ade", "eux", "ort", "ens",
    ],
];

/// An invented name for commune `k`, one of 8,000 three-syllable words (`Montrinac`), each
/// commune its own while there are fewer than 8,000 (then a number is added): distinct words, as
/// real commune names are, so the geocoder meets realistic commune tokens.
fn commune_name(k: u64) -> String {
    const WORDS: u64 = 8_000;
    // 2,741 is prime to 8,000: k ↦ k·2741 mod 8000 is a permutation, neighbours get unlike names.
    let w = usize::try_from(k % WORDS * 2_741 % WORDS).unwrap_or(0);
    let name = format!(
        "{}{}{}",
        SYLLABLES[0][w / 400],
        SYLLABLES[1][w / 20 % 20],
        SYLLABLES[2][w % 20]
    );
    match k / WORDS {
        0 => name,
        lap => format!("{name} {}", lap + 1),
    }
}

/// The smallest `s` with `s * s >= n`.
fn ceil_sqrt(n: u64) -> u32 {
    let mut s: u32 = 1;
    while u64::from(s) * u64::from(s) < n {
        s += 1;
    }
    s
}

/// One commune: a square of `side × side` parcel cells, the first `parcels` of them built.
pub struct CommuneCell {
    /// Its rank in the territory.
    pub index: u64,
    /// Its département code (`01`…).
    pub dep: String,
    /// Its INSEE code: département + three digits.
    pub insee: String,
    /// Its invented name (the files, folders and manifest say the territory is synthetic).
    pub name: String,
    /// Longitude of its south-west corner.
    lon0: f64,
    /// Latitude of its south-west corner.
    lat0: f64,
    /// Parcels it holds.
    pub parcels: u32,
    /// Parcel cells on a side.
    pub side: u32,
    /// Territory-wide rank of its first parcel (seeds the parcels' random streams).
    first_parcel: u64,
}

/// A parcel as the writers need it.
pub struct SynthParcel {
    /// 14-character id (INSEE, prefix, section, number).
    pub id: String,
    /// Cadastral section, two characters.
    pub section: String,
    /// Number in the section, without padding (as Etalab writes it).
    pub numero: String,
    /// Area in m² (Etalab's `contenance`).
    pub contenance: u64,
    /// Closed outer ring, counter-clockwise (RFC 7946), lon/lat.
    pub ring: Vec<(f64, f64)>,
    /// The centre of its cell: inside the polygon, where its address is put.
    pub centre: (f64, f64),
    /// Row of its cell in the commune (0 at the south): the street its address is on.
    pub row: u32,
    /// Column of its cell (0 at the west): its house number is `column + 1`.
    pub column: u32,
}

/// Parcels per cadastral section: a section is one block of numbers, as on a real sheet.
const PARCELS_PER_SECTION: u32 = 500;

impl CommuneCell {
    /// The commune's outline: its square, closed, counter-clockwise.
    pub fn outline(&self) -> Vec<(f64, f64)> {
        self.band(0, self.side)
    }

    /// The rectangle of cell rows `from..to` across the whole commune, closed, counter-clockwise:
    /// a planning zone. Zone edges run along cell edges, so no parcel straddles two zones.
    pub fn band(&self, from: u32, to: u32) -> Vec<(f64, f64)> {
        let (w, e) = (self.lon0, self.lon0 + f64::from(self.side) * CELL_LON);
        let (s, n) = (
            self.lat0 + f64::from(from) * CELL_LAT,
            self.lat0 + f64::from(to) * CELL_LAT,
        );
        vec![(w, s), (e, s), (e, n), (w, n), (w, s)]
    }

    /// Parcel `j` (0-based) of the commune, drawn from the territory's `seed`.
    pub fn parcel(&self, j: u32, seed: u64) -> SynthParcel {
        let (column, row) = (j % self.side, j / self.side);
        let centre = (
            self.lon0 + (f64::from(column) + 0.5) * CELL_LON,
            self.lat0 + (f64::from(row) + 0.5) * CELL_LAT,
        );
        let mut rng = Rng::for_item(seed, self.first_parcel + u64::from(j));
        // A star-shaped polygon around the cell centre: increasing angles (jitter under half a
        // step) and radii under half the cell, so the ring is simple and stays in its cell —
        // parcels never overlap.
        #[allow(clippy::cast_precision_loss)]
        let step = TAU / VERTICES as f64;
        let mut ring: Vec<(f64, f64)> = (0..VERTICES)
            .map(|v| {
                #[allow(clippy::cast_precision_loss)]
                let angle = step * v as f64 + rng.range(-0.4, 0.4) * step;
                let radius = rng.range(0.30, 0.46);
                (
                    centre.0 + radius * angle.cos() * CELL_LON,
                    centre.1 + radius * angle.sin() * CELL_LAT,
                )
            })
            .collect();
        ring.push(ring[0]);
        let section_index = j / PARCELS_PER_SECTION;
        let section = section_code(section_index);
        let numero = (j % PARCELS_PER_SECTION + 1).to_string();
        // Always a valid id (five-digit INSEE, two letters, a number up to 500): never the default.
        let id =
            urbaclic::model::parcel_id(&self.insee, "000", &section, &numero).unwrap_or_default();
        SynthParcel {
            id,
            contenance: area_m2(&ring, centre.1),
            section,
            numero,
            ring,
            centre,
            row,
            column,
        }
    }
}

/// Section `i` as two letters: `AA`, `AB`… `ZZ` (676 sections, 338,000 parcels per commune).
fn section_code(i: u32) -> String {
    let letter = |n: u32| char::from(b'A' + u8::try_from(n % 26).unwrap_or(0));
    [letter(i / 26), letter(i)].iter().collect()
}

/// Area of a small lon/lat ring in m², on the plane tangent at latitude `lat`, with the WGS84
/// lengths of a degree there (the usual series in `cos 2φ`, `cos 4φ`…; the parcel is 33 m wide,
/// so the error is far below a square metre).
fn area_m2(ring: &[(f64, f64)], lat: f64) -> u64 {
    let twice: f64 = ring
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum();
    let phi = lat.to_radians();
    let m_per_deg_lat = 111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos();
    let m_per_deg_lon =
        111_412.84 * phi.cos() - 93.5 * (3.0 * phi).cos() + 0.118 * (5.0 * phi).cos();
    let m2_per_deg2 = m_per_deg_lat * m_per_deg_lon;
    // Rounded square metres, as the cadastre gives them; always positive and small.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let m2 = (twice.abs() / 2.0 * m2_per_deg2).round() as u64;
    m2
}
