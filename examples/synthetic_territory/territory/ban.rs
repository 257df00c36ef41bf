//! BAN addresses, one CSV per département (`adresses-<dep>.csv`, the 23 columns of
//! adresse.data.gouv.fr's « adresses » files, `;`-separated): one address per parcel, at its
//! cell centre, on the street of its row, numbered by its column.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use urbaclic::geocode::lambert::to_lambert93;

use super::grid::{CommuneCell, Rng, SynthParcel};

/// The header of the BAN « adresses » CSV, as in `data/ban-adresses-75118/adresses-75118.csv`.
const HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles\n";

/// Kinds of street, as the BAN spells them.
const KINDS: [&str; 6] = ["Rue", "Avenue", "Chemin", "Allée", "Impasse", "Place"];
/// Street names (common French ones: the geocoder meets the same words as in real data).
const NAMES: [&str; 20] = [
    "des Tilleuls",
    "du Moulin",
    "de l'Église",
    "des Écoles",
    "de la Gare",
    "du Château",
    "des Acacias",
    "de la Fontaine",
    "du Stade",
    "des Prés",
    "de la Mairie",
    "des Vignes",
    "du Lavoir",
    "des Peupliers",
    "de la Croix",
    "du Pont",
    "des Jardins",
    "de la Forge",
    "du Parc",
    "des Rosiers",
];

/// A département's address file being written.
pub struct BanFile {
    out: BufWriter<File>,
}

impl BanFile {
    /// Starts `dir/adresses-<dep>.csv` with the BAN header.
    pub fn create(dir: &Path, dep: &str) -> io::Result<BanFile> {
        let mut out = BufWriter::new(File::create(dir.join(format!("adresses-{dep}.csv")))?);
        out.write_all(HEADER.as_bytes())?;
        Ok(BanFile { out })
    }

    /// Appends the address of parcel `p` of commune `c`.
    pub fn write(&mut self, c: &CommuneCell, p: &SynthParcel, seed: u64) -> io::Result<()> {
        let street = street_name(c, p.row, seed);
        let afnor = deunicode::deunicode(&street)
            .to_ascii_uppercase()
            .replace('\'', " ");
        let numero = p.column + 1;
        let (lon, lat) = p.centre;
        let (x, y) = to_lambert93(lon, lat);
        // A postcode per ten communes of the département, as rural cantons share one.
        let postcode = format!("{}{:03}", c.dep, (c.index % 1000) / 10 * 10);
        writeln!(
            self.out,
            "{insee}_v{row:05}_{numero:05};;{numero};;{street};{postcode};{insee};{name};;;{x:.2};{y:.2};{lon:.6};{lat:.6};parcelle;;;{acheminement};{afnor};commune;commune;1;{parcel}",
            insee = c.insee,
            row = p.row,
            name = c.name,
            acheminement = deunicode::deunicode(&c.name).to_ascii_uppercase(),
            parcel = p.id,
        )
    }

    /// Flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The street of cell row `row` in commune `c`: each commune walks the 120 kind × name pairs from
/// its own offset, so names repeat across communes (as « Rue du Moulin » does) but not within one
/// until row 120.
fn street_name(c: &CommuneCell, row: u32, seed: u64) -> String {
    let pairs = KINDS.len() * NAMES.len();
    let offset = Rng::for_item(seed ^ 0x5354_5245_4554, c.index).next_u64();
    let i = usize::try_from((offset % pairs as u64 + u64::from(row)) % pairs as u64).unwrap_or(0);
    let base = format!("{} {}", KINDS[i / NAMES.len()], NAMES[i % NAMES.len()]);
    let lap = usize::try_from(row).unwrap_or(0) / pairs;
    if lap == 0 {
        base
    } else {
        format!("{base} {}", lap + 1)
    }
}
