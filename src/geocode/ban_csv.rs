//! Reader for BAN address CSV files (`adresses-<dept>.csv`, `;`-separated, optionally gzipped).
//!
//! Owns the file format only: columns are found by name in the header (order may vary between
//! BAN editions), rows become [`BanRow`]s. A malformed row is skipped and counted, never fatal;
//! a missing column or an unreadable file is a [`GeocodeError`] naming the file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::lambert::to_lambert93;

/// Why an address file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    #[error("{}: lecture impossible : {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: ligne {line} illisible (gzip ou UTF-8 corrompu ?) : {source}", path.display())]
    Read {
        path: PathBuf,
        line: usize,
        source: std::io::Error,
    },
    #[error("{}: fichier vide, en-tête BAN attendu", path.display())]
    Empty { path: PathBuf },
    #[error("{}: colonne « {column} » absente de l'en-tête BAN", path.display())]
    MissingColumn { path: PathBuf, column: &'static str },
}

/// One address row, trimmed to what the geocoder uses.
#[derive(Debug, Clone, PartialEq)]
pub struct BanRow {
    pub id: String,
    pub numero: u32,
    pub rep: String,
    pub nom_voie: String,
    pub code_postal: String,
    pub code_insee: String,
    pub nom_commune: String,
    pub nom_ld: String,
    pub lon: f64,
    pub lat: f64,
    pub x: f64,
    pub y: f64,
}

/// Rows of one file, with the count and first few line numbers of skipped rows.
#[derive(Debug, Default)]
pub struct BanFile {
    pub rows: Vec<BanRow>,
    pub skipped: usize,
    pub first_skipped_lines: Vec<usize>,
}

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
    let open_err = |source| GeocodeError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(open_err)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(open_err)?;
    let file = File::open(path).map_err(open_err)?;
    let reader: Box<dyn BufRead> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    read_ban(reader, path)
}

/// Reads BAN CSV text from any reader; `path` is only used in errors.
pub fn read_ban(mut reader: impl BufRead, path: &Path) -> Result<BanFile, GeocodeError> {
    let mut line = String::new();
    let read_err = |line: usize, source| GeocodeError::Read {
        path: path.to_path_buf(),
        line,
        source,
    };
    if reader.read_line(&mut line).map_err(|e| read_err(1, e))? == 0 {
        return Err(GeocodeError::Empty {
            path: path.to_path_buf(),
        });
    }
    let header: Vec<String> = split(line.trim_start_matches('\u{feff}'))
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |name: &'static str| header.iter().position(|h| h == name);
    let mut idx = [0usize; 9];
    for (slot, name) in idx.iter_mut().zip(REQUIRED) {
        *slot = col(name).ok_or_else(|| GeocodeError::MissingColumn {
            path: path.to_path_buf(),
            column: name,
        })?;
    }
    let (x_col, y_col, ld_col) = (col("x"), col("y"), col("nom_ld"));
    let mut out = BanFile::default();
    let mut lineno = 1;
    loop {
        line.clear();
        lineno += 1;
        if reader
            .read_line(&mut line)
            .map_err(|e| read_err(lineno, e))?
            == 0
        {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        let fields: Vec<&str> = split(text).collect();
        match parse_row(&fields, &idx, x_col, y_col, ld_col) {
            Some(row) => out.rows.push(row),
            None => {
                out.skipped += 1;
                if out.first_skipped_lines.len() < 5 {
                    out.first_skipped_lines.push(lineno);
                }
            }
        }
    }
    Ok(out)
}

/// Splits on `;`, stripping optional double quotes around a field.
fn split(line: &str) -> impl Iterator<Item = &str> {
    line.trim_end_matches(['\n', '\r']).split(';').map(|f| {
        let f = f.trim();
        f.strip_prefix('"')
            .and_then(|g| g.strip_suffix('"'))
            .unwrap_or(f)
    })
}

fn parse_row(
    f: &[&str],
    idx: &[usize; 9],
    x_col: Option<usize>,
    y_col: Option<usize>,
    ld_col: Option<usize>,
) -> Option<BanRow> {
    let get = |i: usize| f.get(i).copied();
    let [id, numero, rep, nom_voie, cp, insee, commune, lon, lat] = idx.map(get);
    let (lon, lat): (f64, f64) = (lon?.parse().ok()?, lat?.parse().ok()?);
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return None;
    }
    let nom_voie = nom_voie?;
    let insee = insee?;
    if nom_voie.is_empty() || insee.is_empty() {
        return None;
    }
    let parsed_xy = match (x_col.and_then(get), y_col.and_then(get)) {
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
        nom_ld: ld_col.and_then(get).unwrap_or("").to_string(),
        lon,
        lat,
        x,
        y,
    })
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
}
