//! Reader for BAN address CSV files (`adresses-<dept>.csv`, `;`-separated, optionally gzipped):
//! the only code that reads them ([`read_ban_file`]), once per load, for the geocoder's rows and
//! the commune names ([`BanFile::commune_names`]).
//!
//! Owns the file format only: columns are found by name in the header (order may vary between
//! BAN editions), rows become [`BanRow`]s. A malformed row is skipped and counted, never fatal;
//! a missing column or an unreadable file is a [`GeocodeError`] naming the file.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::csv_input;
use super::lambert::to_lambert93;

/// Why an address file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeocodeError {
    /// The file could not be opened.
    #[error("{}: lecture impossible : {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line could not be read (gzip or UTF-8 error).
    #[error("{}: ligne {line} illisible (gzip ou UTF-8 corrompu ?) : {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What the reader said.
        source: std::io::Error,
    },
    /// The file has no header line.
    #[error("{}: fichier vide, en-tête BAN attendu", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A column the geocoder needs is not in the header.
    #[error("{}: colonne « {column} » absente de l'en-tête BAN", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column's BAN name.
        column: &'static str,
    },
}

impl GeocodeError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            GeocodeError::Open { path, .. }
            | GeocodeError::Read { path, .. }
            | GeocodeError::Empty { path }
            | GeocodeError::MissingColumn { path, .. } => path,
        }
    }
}

/// One address row, trimmed to what the geocoder uses.
#[derive(Debug, Clone, PartialEq)]
pub struct BanRow {
    /// BAN address id (`id`, e.g. `91216_0420_00012`).
    pub id: String,
    /// House number (`numero`); 0 for a street or locality without number.
    pub numero: u32,
    /// Repetition index (`rep`: `bis`, `ter`, `a`…), empty when none.
    pub rep: String,
    /// Street name (`nom_voie`).
    pub nom_voie: String,
    /// Postcode (`code_postal`).
    pub code_postal: String,
    /// INSEE code of the commune (`code_insee`).
    pub code_insee: String,
    /// Commune name (`nom_commune`).
    pub nom_commune: String,
    /// Named place (`nom_ld`, lieu-dit), empty when none.
    pub nom_ld: String,
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// Easting, Lambert-93 (EPSG:2154), metres.
    pub x: f64,
    /// Northing, Lambert-93 (EPSG:2154), metres.
    pub y: f64,
}

/// Rows of one file, with the count and first few line numbers of skipped rows.
#[derive(Debug, Default)]
pub struct BanFile {
    /// The file read, for warnings.
    pub path: PathBuf,
    /// The rows kept.
    pub rows: Vec<BanRow>,
    /// Number of malformed rows skipped.
    pub skipped: usize,
    /// Line numbers of the first skipped rows, for warnings.
    pub first_skipped_lines: Vec<usize>,
    /// Distinct (INSEE code → commune name) pairs, first name seen winning, from every row
    /// (skipped ones too): names for communes that have no boundary file (Paris arrondissements,
    /// for instance).
    ///
    /// ```
    /// # use urbaclic::geocode::ban_csv::read_ban_file;
    /// let file = read_ban_file("data/ban-adresses-75118/adresses-75118.csv".as_ref())?;
    /// assert_eq!(file.commune_names["75118"], "Paris 18e Arrondissement");
    /// # Ok::<(), urbaclic::geocode::GeocodeError>(())
    /// ```
    pub commune_names: HashMap<String, String>,
}

/// How many skipped line numbers a [`BanFile`] keeps for the warning.
const SKIPPED_LINES_KEPT: usize = 5;

const REQUIRED: [&str; 9] = [
    "id",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "lon",
    "lat",
];

/// Reads a `.csv` or `.csv.gz` BAN file (gzip is detected from its magic bytes, not the name).
pub fn read_ban_file(path: &Path) -> Result<BanFile, GeocodeError> {
    read_ban(open(path)?, path)
}

/// Reads BAN CSV text from any reader; `path` is only used in errors and warnings.
pub fn read_ban(input: impl Read, path: &Path) -> Result<BanFile, GeocodeError> {
    let mut reader = BanReader::new(input, path)?;
    let columns = Columns::find(&reader)?;
    let mut out = BanFile {
        path: path.to_path_buf(),
        ..BanFile::default()
    };
    reader.for_each(|fields, line| {
        columns.name_commune(fields, &mut out.commune_names);
        match columns.row(fields) {
            Some(row) => out.rows.push(row),
            None => {
                out.skipped += 1;
                if out.first_skipped_lines.len() < SKIPPED_LINES_KEPT {
                    out.first_skipped_lines.push(line);
                }
            }
        }
    })?;
    Ok(out)
}

/// Opens a BAN file, on disk or in a ZIP file, inflating it when it starts with the gzip magic
/// bytes (see [`crate::load::archive`]).
fn open(path: &Path) -> Result<Box<dyn Read>, GeocodeError> {
    let open_err = |source| GeocodeError::Open {
        path: path.to_path_buf(),
        source,
    };
    crate::load::archive::open(path).map_err(|e| match e {
        crate::load::archive::ArchiveError::Io { source, .. } => open_err(source),
        other => open_err(std::io::Error::other(other.to_string())),
    })
}

/// A BAN file being read: the `;` CSV reader and the header, lower-cased.
struct BanReader<'p, R> {
    csv: csv::Reader<R>,
    header: Vec<String>,
    path: &'p Path,
}

impl<'p, R: Read> BanReader<'p, R> {
    fn new(input: R, path: &'p Path) -> Result<Self, GeocodeError> {
        let mut csv = csv_input::reader(input, b';');
        let header: Vec<String> = csv
            .headers()
            .map_err(|e| read_error(path, 1, e))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if header.is_empty() {
            return Err(GeocodeError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(BanReader { csv, header, path })
    }

    fn optional(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn column(&self, name: &'static str) -> Result<usize, GeocodeError> {
        self.optional(name)
            .ok_or_else(|| GeocodeError::MissingColumn {
                path: self.path.to_path_buf(),
                column: name,
            })
    }

    /// Calls `f` with each record and its line number.
    ///
    /// Lines are counted as the header plus one per row, which is the file's line number as BAN
    /// files have no blank lines nor quoted line breaks (the `csv` crate's own line count is off
    /// by one on `\r\n` files).
    fn for_each(
        &mut self,
        mut f: impl FnMut(&csv::StringRecord, usize),
    ) -> Result<(), GeocodeError> {
        let mut record = csv::StringRecord::new();
        let mut line = 1;
        loop {
            line += 1;
            match self.csv.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => f(&record, line),
                Err(e) => return Err(read_error(self.path, line, e)),
            }
        }
    }
}

/// A read failure (I/O, gzip, invalid UTF-8) at `line`, with the underlying I/O error when
/// there is one.
fn read_error(path: &Path, line: usize, e: csv::Error) -> GeocodeError {
    let source = if e.is_io_error() {
        e.into()
    } else {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    };
    GeocodeError::Read {
        path: path.to_path_buf(),
        line,
        source,
    }
}

/// Field `i` of a record, trimmed (BAN exports sometimes pad fields).
fn field(fields: &csv::StringRecord, i: usize) -> Option<&str> {
    fields.get(i).map(str::trim)
}

/// Where the columns the geocoder uses are in a file's header.
struct Columns {
    required: [usize; 9],
    x: Option<usize>,
    y: Option<usize>,
    nom_ld: Option<usize>,
}

impl Columns {
    fn find<R: Read>(reader: &BanReader<'_, R>) -> Result<Columns, GeocodeError> {
        let mut required = [0usize; 9];
        for (slot, name) in required.iter_mut().zip(REQUIRED) {
            *slot = reader.column(name)?;
        }
        Ok(Columns {
            required,
            x: reader.optional("x"),
            y: reader.optional("y"),
            nom_ld: reader.optional("nom_ld"),
        })
    }

    /// Records the record's commune name if its code has none yet.
    fn name_commune(&self, f: &csv::StringRecord, names: &mut HashMap<String, String>) {
        let [.., insee, commune, _, _] = self.required;
        if let (Some(code), Some(name)) = (field(f, insee), field(f, commune)) {
            if !code.is_empty() && !name.is_empty() && !names.contains_key(code) {
                names.insert(code.to_string(), name.to_string());
            }
        }
    }

    /// The row of a record, `None` when a required value is missing or malformed.
    fn row(&self, f: &csv::StringRecord) -> Option<BanRow> {
        let get = |i: usize| field(f, i);
        let [id, numero, rep, nom_voie, cp, insee, commune, lon, lat] = self.required.map(get);
        let (lon, lat): (f64, f64) = (lon?.parse().ok()?, lat?.parse().ok()?);
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return None;
        }
        let nom_voie = nom_voie?;
        let insee = insee?;
        if nom_voie.is_empty() || insee.is_empty() {
            return None;
        }
        let parsed_xy = match (self.x.and_then(get), self.y.and_then(get)) {
            (Some(x), Some(y)) => x.parse().ok().zip(y.parse().ok()),
            _ => None,
        };
        let (x, y) = parsed_xy.unwrap_or_else(|| to_lambert93(lon, lat));
        Some(BanRow {
            id: id?.to_string(),
            numero: numero?.parse().ok()?,
            rep: rep?.to_ascii_lowercase(),
            nom_voie: nom_voie.to_string(),
            code_postal: cp?.to_string(),
            code_insee: insee.to_string(),
            nom_commune: commune?.to_string(),
            nom_ld: self.nom_ld.and_then(get).unwrap_or("").to_string(),
            lon,
            lat,
            x,
            y,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;x;y;lon;lat;nom_ld\n";

    #[test]
    fn reads_rows_and_skips_bad_ones() {
        let text = format!(
            "{HEADER}75118_a_00001;1;;Rue A;75018;75118;Paris 18e Arrondissement;1;2;2.35;48.89;\n\
             bad;x;;Rue A;75018;75118;Paris;1;2;2.35;48.89;\n\
             75118_a_00003;3;B;Rue A;75018;75118;Paris 18e Arrondissement;;;2.35;48.89;Le Lieu\n"
        );
        let f = read_ban(text.as_bytes(), Path::new("t.csv")).unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.skipped, 1);
        assert_eq!(f.first_skipped_lines, vec![3]);
        assert_eq!(f.rows[1].rep, "b");
        assert_eq!(f.rows[1].nom_ld, "Le Lieu");
        assert!(f.rows[1].x > 600_000.0, "x computed from lon/lat");
    }

    #[test]
    fn missing_column_names_file_and_column() {
        let e = read_ban("id;numero\n".as_bytes(), Path::new("x.csv")).unwrap_err();
        assert!(
            e.to_string().contains("x.csv") && e.to_string().contains("rep"),
            "{e}"
        );
        let e = read_ban("".as_bytes(), Path::new("y.csv")).unwrap_err();
        assert!(matches!(e, GeocodeError::Empty { .. }));
    }

    #[test]
    fn gzip_and_corrupt_gzip() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("urbaclic-bancsv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("a.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(enc, "{HEADER}i;1;;Rue A;75018;75118;Paris;;;2.35;48.89;").unwrap();
        std::fs::write(&good, enc.finish().unwrap()).unwrap();
        assert_eq!(read_ban_file(&good).unwrap().rows.len(), 1);
        let bad = dir.join("b.csv.gz");
        std::fs::write(&bad, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
        let e = read_ban_file(&bad).unwrap_err();
        assert!(e.to_string().contains("b.csv.gz"), "{e}");
        let e = read_ban_file(&dir.join("none.csv")).unwrap_err();
        assert!(matches!(e, GeocodeError::Open { .. }));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bom_quotes_and_crlf() {
        let text = "\u{feff}\"ID\";numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\r\n\
                    \"i\";2;;\"Rue de l'Ouest; bis\";75014;75114;\"Paris 14e Arrondissement\";2.32;48.83\r\n";
        let f = read_ban(text.as_bytes(), Path::new("t.csv")).unwrap();
        assert_eq!(f.skipped, 0);
        assert_eq!(f.rows[0].id, "i");
        assert_eq!(f.rows[0].nom_voie, "Rue de l'Ouest; bis");
        assert_eq!(f.rows[0].nom_commune, "Paris 14e Arrondissement");
    }

    #[test]
    fn commune_names_first_name_wins_and_needs_both_columns() {
        // Rows without coordinates are skipped as addresses but still name their commune.
        let header = "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\n";
        let text = format!(
            "{header}a;1;;Rue A;75018;75118;Paris 18e Arrondissement;;\nb;2;;Rue B;75018;75118;Autre;;\nc;3;;Rue C;75018;;Sans code;;\nd;4;;Rue D;75019;75119;;;\n"
        );
        let f = read_ban(text.as_bytes(), Path::new("a.csv")).unwrap();
        assert_eq!(f.skipped, 4);
        assert_eq!(f.commune_names.len(), 1);
        assert_eq!(f.commune_names["75118"], "Paris 18e Arrondissement");
        let text = "id;numero;rep;nom_voie;code_postal;code_insee;commune;lon;lat\n";
        let e = read_ban(text.as_bytes(), Path::new("a.csv")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv: colonne « nom_commune » absente de l'en-tête BAN"
        );
    }
}
