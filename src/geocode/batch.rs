//! Batch geocoding of a CSV file, as the BAN API's `POST /search/csv/` and `/reverse/csv/` do
//! (addok-csv): the input rows come back unchanged, followed by the BAN result columns
//! ([`RESULT_COLUMNS`]: `latitude`, `longitude`, `result_label`, `result_score`…; for reverse
//! [`REVERSE_RESULT_COLUMNS`]: `result_latitude`, `result_longitude`, `result_label`,
//! `result_distance`…), then `result_status`.
//!
//! Owns the CSV side only (encoding, delimiter, quoting); each row goes through
//! [`AddressIndex::search`] or [`AddressIndex::reverse`]. A [`BatchError`] says what is wrong
//! with the file or the options, in French, for a 400.

use csv::StringRecord;

use super::csv_input::{
    joined, number, writer, UserCsv, LATITUDE_NAMES, LONGITUDE_NAMES, MAX_ROWS,
};
use super::filters::Filters;
use super::index::{AddressIndex, PlaceType};
use super::search::{SearchHit, SearchQuery};

/// Why a batch file could not be geocoded, or answered ([`crate::lookup::batch`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The file has no header line.
    #[error("fichier CSV vide : une ligne d'en-tête est attendue")]
    Empty,
    /// The header line is not CSV.
    #[error("en-tête CSV illisible : {0}")]
    Header(csv::Error),
    /// More rows than [`MAX_ROWS`].
    #[error("trop de lignes (maximum {MAX_ROWS})")]
    TooManyRows,
    /// A row is not CSV.
    #[error("ligne {line} illisible : {error}")]
    Row {
        /// 1-based line number in the file.
        line: usize,
        /// What the CSV reader said.
        error: csv::Error,
    },
    /// A column named in the request is not in the header.
    #[error("colonne « {0} » absente de l'en-tête")]
    MissingColumn(String),
    /// Reverse geocoding without a latitude column.
    #[error("colonne « lat » ou « latitude » absente")]
    MissingLatitude,
    /// Reverse geocoding without a longitude column.
    #[error("colonne « lon » ou « longitude » absente")]
    MissingLongitude,
    /// A file for the rules whose rows cannot be located: no column named, and none found.
    #[error("aucune colonne pour situer les lignes : nommer les colonnes de l'adresse (« columns »), ou donner une colonne « adresse », « parcel » (identifiant de 14 caractères) ou « lat » et « lon »")]
    NoPlaceColumn,
    /// A `result_columns` name that the geocoder does not produce.
    #[error("colonne de résultat « {0} » inconnue")]
    UnknownResultColumn(String),
    /// `type` names neither a column nor a result type.
    #[error("« type » : ni une colonne de l'en-tête ni un type (housenumber, street, locality, municipality) : « {0} »")]
    UnknownType(String),
    /// Writing the answer failed: not the client's fault.
    #[error("{0}")]
    Write(String),
}

impl BatchError {
    /// Whether the request was wrong (a 4xx), as opposed to a failure of the server.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, BatchError::Write(_))
    }
}

/// Which columns make the query, and which hold filters (by header name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchOptions {
    /// Columns joined (with spaces) into the address; all columns when empty.
    pub columns: Vec<String>,
    /// Column holding a postcode filter.
    pub postcode: Option<String>,
    /// Column holding an INSEE code filter.
    pub citycode: Option<String>,
    /// `type`: a column holding the type filter, or else one type for every row.
    pub kind: Option<String>,
    /// Column holding the latitude: a position bias for `/search/csv/`, the point for
    /// `/reverse/csv/` (default `lat` or `latitude`).
    pub lat: Option<String>,
    /// Column holding the longitude (default `lon`, `lng`, `long` or `longitude` for reverse).
    pub lon: Option<String>,
    /// Result columns to append; all of [`RESULT_COLUMNS`] when empty.
    pub result_columns: Vec<String>,
}

/// Columns of a result's properties, after the position columns (addok-csv's extra fields for
/// the BAN's configuration).
const PROPERTY_COLUMNS: [&str; 10] = [
    "result_name",
    "result_street",
    "result_postcode",
    "result_city",
    "result_context",
    "result_citycode",
    "result_oldcitycode",
    "result_oldcity",
    "result_district",
    "result_status",
];

/// Result columns of `/reverse/csv/`, in addok-csv's order (`CSV_REVERSE_HEADERS`, then the
/// property columns).
pub const REVERSE_RESULT_COLUMNS: [&str; 17] = [
    "result_latitude",
    "result_longitude",
    "result_label",
    "result_distance",
    "result_type",
    "result_id",
    "result_housenumber",
    PROPERTY_COLUMNS[0],
    PROPERTY_COLUMNS[1],
    PROPERTY_COLUMNS[2],
    PROPERTY_COLUMNS[3],
    PROPERTY_COLUMNS[4],
    PROPERTY_COLUMNS[5],
    PROPERTY_COLUMNS[6],
    PROPERTY_COLUMNS[7],
    PROPERTY_COLUMNS[8],
    PROPERTY_COLUMNS[9],
];

/// Result columns appended by default, in the BAN API's order.
pub const RESULT_COLUMNS: [&str; 18] = [
    "latitude",
    "longitude",
    "result_label",
    "result_score",
    "result_score_next",
    "result_type",
    "result_id",
    "result_housenumber",
    PROPERTY_COLUMNS[0],
    PROPERTY_COLUMNS[1],
    PROPERTY_COLUMNS[2],
    PROPERTY_COLUMNS[3],
    PROPERTY_COLUMNS[4],
    PROPERTY_COLUMNS[5],
    PROPERTY_COLUMNS[6],
    PROPERTY_COLUMNS[7],
    PROPERTY_COLUMNS[8],
    PROPERTY_COLUMNS[9],
];

/// Geocodes every row of `input` (UTF-8 or Windows-1252, delimiter `,` `;` `|` or tab,
/// detected from the header).
///
/// ```
/// use urbaclic::geocode::batch::{geocode_csv, BatchOptions};
/// use urbaclic::geocode::AddressIndex;
/// let index = AddressIndex::from_rows(Vec::new(), &[]);
/// let out = geocode_csv(&index, b"adresse\n12 rue nulle part\n", &BatchOptions::default()).unwrap();
/// assert!(String::from_utf8(out).unwrap().ends_with("not-found\n"));
/// ```
pub fn geocode_csv(
    index: &AddressIndex,
    input: &[u8],
    opts: &BatchOptions,
) -> Result<Vec<u8>, BatchError> {
    let table = UserCsv::read(input.to_vec())?;
    let pick = |name: &str| table.column(name);
    let columns: Vec<usize> = if opts.columns.is_empty() {
        (0..table.header.len()).collect()
    } else {
        table.columns(&opts.columns)?
    };
    let postcode = opts.postcode.as_deref().map(pick).transpose()?;
    let citycode = opts.citycode.as_deref().map(pick).transpose()?;
    let kind = TypeFilter::read(&table, opts.kind.as_deref())?;
    let bias = match (opts.lat.as_deref(), opts.lon.as_deref()) {
        (Some(lat), Some(lon)) => Some((pick(lat)?, pick(lon)?)),
        _ => None,
    };
    write(table, &RESULT_COLUMNS, opts, |row| {
        let q = joined(row, &columns);
        if q.is_empty() {
            return (Vec::new(), "skipped");
        }
        let field = |c: Option<usize>| {
            c.and_then(|i| row.get(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let Some(kinds) = kind.for_row(row) else {
            return (Vec::new(), "error");
        };
        let at = bias.and_then(|(lat, lon)| Some((coordinate(row, lat)?, coordinate(row, lon)?)));
        let query = SearchQuery {
            limit: 2,
            lat: at.map(|a| a.0),
            lon: at.map(|a| a.1),
            filters: Filters {
                kinds,
                postcodes: field(postcode).into_iter().collect(),
                citycodes: field(citycode).into_iter().collect(),
            },
            ..SearchQuery::new(q)
        };
        let hits = index.search(&query);
        let status = if hits.is_empty() { "not-found" } else { "ok" };
        (hits, status)
    })
}

/// The number in column `i` of `row`.
fn coordinate(row: &StringRecord, i: usize) -> Option<f64> {
    row.get(i).and_then(number)
}

/// The `type` option: a column (one type per row, blank for any), or one type for all rows.
enum TypeFilter {
    None,
    Fixed(PlaceType),
    Column(usize),
}

impl TypeFilter {
    fn read(table: &UserCsv, opt: Option<&str>) -> Result<TypeFilter, BatchError> {
        let Some(v) = opt.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(TypeFilter::None);
        };
        if let Ok(i) = table.column(v) {
            return Ok(TypeFilter::Column(i));
        }
        v.parse()
            .map(TypeFilter::Fixed)
            .map_err(|_| BatchError::UnknownType(v.to_string()))
    }

    /// The types a row accepts (none: any); `None` when its cell is not a type.
    fn for_row(&self, row: &StringRecord) -> Option<Vec<PlaceType>> {
        match self {
            TypeFilter::None => Some(Vec::new()),
            TypeFilter::Fixed(k) => Some(vec![*k]),
            TypeFilter::Column(i) => match row.get(*i).map_or("", |s| s.trim()) {
                "" => Some(Vec::new()),
                v => v.parse().ok().map(|k| vec![k]),
            },
        }
    }
}

/// Reverse-geocodes every row: coordinates from the columns named by `opts.lat`/`opts.lon`,
/// else `lat`/`latitude` and `lon`/`lng`/`long`/`longitude` (case-insensitive); `type`,
/// `postcode` and `citycode` filter as for `/search/csv/`.
pub fn reverse_csv(
    index: &AddressIndex,
    input: &[u8],
    opts: &BatchOptions,
) -> Result<Vec<u8>, BatchError> {
    let table = UserCsv::read(input.to_vec())?;
    let lat = table
        .column_or(opts.lat.as_deref(), &LATITUDE_NAMES)?
        .ok_or(BatchError::MissingLatitude)?;
    let lon = table
        .column_or(opts.lon.as_deref(), &LONGITUDE_NAMES)?
        .ok_or(BatchError::MissingLongitude)?;
    let pick = |name: &str| table.column(name);
    let postcode = opts.postcode.as_deref().map(pick).transpose()?;
    let citycode = opts.citycode.as_deref().map(pick).transpose()?;
    let kind = TypeFilter::read(&table, opts.kind.as_deref())?;
    write(table, &REVERSE_RESULT_COLUMNS, opts, |row| {
        let code = |c: Option<usize>| -> Vec<String> {
            c.and_then(|i| row.get(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect()
        };
        let Some(kinds) = kind.for_row(row) else {
            return (Vec::new(), "error");
        };
        match (coordinate(row, lon), coordinate(row, lat)) {
            (Some(x), Some(y)) if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => {
                let filters = Filters {
                    kinds,
                    postcodes: code(postcode),
                    citycodes: code(citycode),
                };
                let hits = index.reverse(x, y, &filters, 2);
                let status = if hits.is_empty() { "not-found" } else { "ok" };
                (hits, status)
            }
            _ => (Vec::new(), "error"),
        }
    })
}

/// Writes header + result columns (`defaults` unless `opts.result_columns` names some), then
/// each row with its results.
fn write(
    table: UserCsv,
    defaults: &[&'static str],
    opts: &BatchOptions,
    mut geocode: impl FnMut(&StringRecord) -> (Vec<SearchHit>, &'static str),
) -> Result<Vec<u8>, BatchError> {
    let result_columns: Vec<&str> = if opts.result_columns.is_empty() {
        defaults.to_vec()
    } else {
        for c in &opts.result_columns {
            if !defaults.contains(&c.as_str()) {
                return Err(BatchError::UnknownResultColumn(c.clone()));
            }
        }
        opts.result_columns.iter().map(String::as_str).collect()
    };
    let mut w = writer(Vec::new(), table.delimiter);
    let mut head: Vec<&str> = table.header.iter().map(String::as_str).collect();
    head.extend(&result_columns);
    let write_err = |e: csv::Error| BatchError::Write(e.to_string());
    w.write_record(&head).map_err(write_err)?;
    for row in table.into_rows() {
        let row = row?;
        let (hits, status) = geocode(&row);
        let mut out: Vec<String> = row.iter().map(str::to_string).collect();
        out.extend(result_columns.iter().map(|c| cell(c, &hits, status)));
        w.write_record(&out).map_err(write_err)?;
    }
    w.into_inner()
        .map_err(|e| BatchError::Write(e.error().to_string()))
}

/// One result cell.
fn cell(column: &str, hits: &[SearchHit], status: &str) -> String {
    if column == "result_status" {
        return status.to_string();
    }
    let Some(h) = hits.first() else {
        return String::new();
    };
    let p = &h.properties;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    match column {
        "latitude" | "result_latitude" => h.lat.to_string(),
        "longitude" | "result_longitude" => h.lon.to_string(),
        "result_label" => p.label.clone(),
        "result_score" => p.score.to_string(),
        "result_score_next" => hits
            .get(1)
            .map(|n| n.score().to_string())
            .unwrap_or_default(),
        "result_type" => p.kind.as_str().to_string(),
        "result_id" => p.id.clone(),
        "result_housenumber" => opt(&p.housenumber),
        "result_name" => p.name.clone(),
        "result_street" => opt(&p.street),
        "result_postcode" => p.postcode.clone(),
        "result_city" => p.city.clone(),
        "result_context" => p.context.clone(),
        "result_citycode" => p.citycode.clone(),
        "result_district" => opt(&p.district),
        "result_distance" => p.distance.map(|d| d.to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geocode::ban_csv::BanRow;
    use crate::geocode::lambert::to_lambert93;

    fn index() -> AddressIndex {
        let row = |n: u32, lon: f64| {
            let (x, y) = to_lambert93(lon, 48.89);
            BanRow {
                id: format!("75118_a_{n:05}"),
                numero: n,
                rep: String::new(),
                nom_voie: "Rue Ordener".into(),
                code_postal: "75018".into(),
                code_insee: "75118".into(),
                nom_commune: "Paris 18e Arrondissement".into(),
                nom_ld: String::new(),
                lon,
                lat: 48.89,
                x,
                y,
            }
        };
        AddressIndex::from_rows(vec![row(1, 2.35), row(3, 2.351)], &[])
    }

    #[test]
    fn search_csv_keeps_rows_and_appends_results() {
        let input = "nom;adresse;cp\n\"Dupont; Jean\";1 rue ordener;75018\nX;;\nY;zzzz;\n";
        let opts = BatchOptions {
            columns: vec!["adresse".into()],
            postcode: Some("cp".into()),
            ..Default::default()
        };
        let out =
            String::from_utf8(geocode_csv(&index(), input.as_bytes(), &opts).unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("nom;adresse;cp;latitude;longitude;result_label"));
        assert!(lines[1].starts_with(
            "\"Dupont; Jean\";1 rue ordener;75018;48.89;2.35;1 Rue Ordener 75018 Paris;"
        ));
        assert!(lines[1].ends_with(";ok"));
        assert!(lines[2].ends_with(";skipped"));
        assert!(lines[3].ends_with(";not-found"));
    }

    #[test]
    fn reverse_csv_reads_lat_lon_columns() {
        let input = "id,Latitude,Longitude\na,48.89,2.3501\nb,abc,2.35\n";
        let opts = BatchOptions {
            result_columns: vec!["result_label".into(), "result_status".into()],
            ..Default::default()
        };
        let out =
            String::from_utf8(reverse_csv(&index(), input.as_bytes(), &opts).unwrap()).unwrap();
        assert_eq!(
            out,
            "id,Latitude,Longitude,result_label,result_status\n\
             a,48.89,2.3501,1 Rue Ordener 75018 Paris,ok\nb,abc,2.35,,error\n"
        );
    }

    #[test]
    fn bad_files_are_messages() {
        let idx = index();
        assert!(geocode_csv(&idx, b"", &BatchOptions::default()).is_err());
        let opts = BatchOptions {
            columns: vec!["absente".into()],
            ..Default::default()
        };
        assert!(geocode_csv(&idx, b"a,b\n1,2\n", &opts)
            .unwrap_err()
            .to_string()
            .contains("absente"));
        assert!(reverse_csv(&idx, b"a,b\n1,2\n", &BatchOptions::default()).is_err());
        // Windows-1252 input.
        let out = geocode_csv(
            &idx,
            b"adresse\n1 rue ordener caf\xe9\n",
            &BatchOptions::default(),
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("café"));
    }
}
