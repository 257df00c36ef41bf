//! Rules for a list of places in one call (`POST /api/lookup/csv/`, `urbaclic lookup --csv`): a
//! user's CSV file in, read as the BAN batch geocoder reads it ([`UserCsv`]: encoding, delimiter,
//! row limit), and the same rows out, each followed by its answer in [`RESULT_COLUMNS`].
//!
//! A row is answered from the first of its place columns that holds something: a parcel id
//! ([`super::lookup_parcel`]), a latitude and a longitude ([`super::lookup`]), or an address made
//! of the `columns` (geocoded by the embedded index, as `/api/lookup?q=` does). A row that cannot
//! be answered says why in `erreur`, and the file goes on. Rows are answered in chunks
//! ([`CsvLookup::next_chunk`]) that the caller writes out as they come: the whole answer is never
//! held.

use std::io::Write;

use csv::StringRecord;

use super::{lookup, lookup_address_local, lookup_parcel, LookupAnswer, LookupError, Position};
use crate::dataset::Dataset;
use crate::geocode::batch::BatchError;
use crate::geocode::csv_input::{
    joined, number, writer, Rows, UserCsv, LATITUDE_NAMES, LONGITUDE_NAMES,
};
use crate::rules::french_number;

/// The columns a row's place is read from, by header name. When none is named, they are found by
/// their usual names: a parcel column ([`PARCEL_NAMES`]), latitude and longitude columns (`lat`,
/// `lon`… as the BAN's `/reverse/csv/`) and an address column ([`ADDRESS_NAMES`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvLookupOptions {
    /// Columns joined (with spaces) into an address to geocode.
    pub columns: Vec<String>,
    /// Column holding a 14-character parcel id.
    pub parcel: Option<String>,
    /// Column holding the latitude (WGS84 degrees, point or comma).
    pub lat: Option<String>,
    /// Column holding the longitude.
    pub lon: Option<String>,
}

/// Header names read as a parcel id when no column is named (any case).
pub const PARCEL_NAMES: [&str; 4] = ["parcel", "parcelle", "id_parcelle", "idu"];

/// Header names read as a whole address when no column is named (any case).
pub const ADDRESS_NAMES: [&str; 3] = ["adresse", "address", "q"];

/// The columns appended to every row, in order: the geocoding result (address rows, the BAN's
/// names), the position analysed, the parcel and commune, the planning status and document, what
/// was found (lists separated by `|`, areal items with their share of the parcel), the first
/// sentences of the summary, the answer's warnings and, last, why the row has no answer.
pub const RESULT_COLUMNS: [&str; 21] = [
    "result_label",
    "result_score",
    "result_type",
    "result_latitude",
    "result_longitude",
    "parcelle",
    "commune_insee",
    "commune_nom",
    "statut",
    "document_type",
    "document_idurba",
    "document_date_approbation",
    "zones",
    "prescriptions",
    "informations",
    "servitudes",
    "risques",
    "zonages",
    "resume",
    "avertissements",
    "erreur",
];

/// How many summary sentences `resume` holds: the place, the planning regime and zone, and the
/// most decisive constraint.
pub const SUMMARY_SENTENCES: usize = 3;

/// Where a row's place is read from, in the order tried.
#[derive(Debug)]
struct PlaceColumns {
    parcel: Option<usize>,
    /// Latitude, longitude.
    point: Option<(usize, usize)>,
    address: Vec<usize>,
}

/// What a row designates.
enum Place {
    Parcel(String),
    Point(Position),
    Address(String),
}

/// A CSV file being answered, row by row.
pub struct CsvLookup {
    header: Vec<String>,
    delimiter: u8,
    rows: Rows,
    total: usize,
    places: PlaceColumns,
    failed: usize,
}

impl CsvLookup {
    /// Reads and checks the whole file (see [`UserCsv::read`]) and the columns named by `opts`,
    /// before any row is answered: a bad file or option is an error, a bad row is not.
    pub fn new(input: Vec<u8>, opts: &CsvLookupOptions) -> Result<CsvLookup, BatchError> {
        let csv = UserCsv::read(input)?;
        let places = place_columns(&csv, opts)?;
        Ok(CsvLookup {
            header: csv.header.clone(),
            delimiter: csv.delimiter,
            total: csv.rows,
            rows: csv.into_rows(),
            places,
            failed: 0,
        })
    }

    /// Rows in the file (the header excluded).
    pub fn rows(&self) -> usize {
        self.total
    }

    /// The header line of the answer: the file's header, then [`RESULT_COLUMNS`].
    pub fn header_line(&self) -> Result<Vec<u8>, BatchError> {
        let mut w = writer(Vec::new(), self.delimiter);
        let head = self.header.iter().map(String::as_str).chain(RESULT_COLUMNS);
        w.write_record(head).map_err(write_error)?;
        w.into_inner()
            .map_err(|e| BatchError::Write(e.error().to_string()))
    }

    /// Answers up to `max_rows` more rows, as CSV lines; `None` once every row is answered.
    pub fn next_chunk(
        &mut self,
        data: &Dataset,
        max_rows: usize,
    ) -> Result<Option<Vec<u8>>, BatchError> {
        let mut w = writer(Vec::new(), self.delimiter);
        let mut any = false;
        for row in self.rows.by_ref().take(max_rows) {
            let row = row?;
            let cells = answer_row(data, &self.places, &row);
            // `erreur` is the last of the result columns.
            if cells.last().is_some_and(|e| !e.is_empty()) {
                self.failed += 1;
            }
            w.write_record(row.iter().chain(cells.iter().map(String::as_str)))
                .map_err(write_error)?;
            any = true;
        }
        if !any {
            return Ok(None);
        }
        let bytes = w
            .into_inner()
            .map_err(|e| BatchError::Write(e.error().to_string()))?;
        Ok(Some(bytes))
    }

    /// Writes the whole answer to `out`, chunk by chunk; returns how many rows carry an `erreur`.
    ///
    /// ```
    /// use urbaclic::dataset::{Dataset, DatasetParts};
    /// use urbaclic::lookup::batch::{CsvLookup, CsvLookupOptions};
    /// let data = Dataset::build(DatasetParts::default(), Default::default());
    /// let batch = CsvLookup::new(b"id;lat;lon\na;45;x\n".to_vec(), &CsvLookupOptions::default()).unwrap();
    /// let mut out = Vec::new();
    /// assert_eq!(batch.write_all(&data, &mut out).unwrap(), 1);
    /// let out = String::from_utf8(out).unwrap();
    /// assert!(out.starts_with("id;lat;lon;result_label;"), "{out}");
    /// assert!(out.ends_with(";coordonnées illisibles : lat « 45 », lon « x »\n"), "{out}");
    /// ```
    pub fn write_all(mut self, data: &Dataset, mut out: impl Write) -> Result<usize, BatchError> {
        let io = |e: std::io::Error| BatchError::Write(e.to_string());
        out.write_all(&self.header_line()?).map_err(io)?;
        while let Some(chunk) = self.next_chunk(data, CHUNK_ROWS)? {
            out.write_all(&chunk).map_err(io)?;
        }
        out.flush().map_err(io)?;
        Ok(self.failed)
    }
}

/// Rows per chunk, for [`CsvLookup::write_all`] and the HTTP route: a few milliseconds of work,
/// small enough that other analyses get a worker in between.
pub const CHUNK_ROWS: usize = 64;

fn write_error(e: csv::Error) -> BatchError {
    BatchError::Write(e.to_string())
}

/// The place columns: those `opts` names, else those found by their usual names.
fn place_columns(csv: &UserCsv, opts: &CsvLookupOptions) -> Result<PlaceColumns, BatchError> {
    let named = !opts.columns.is_empty()
        || opts.parcel.is_some()
        || opts.lat.is_some()
        || opts.lon.is_some();
    let (parcel, lat, lon, address) = if named {
        let pick = |c: &Option<String>| c.as_deref().map(|c| csv.column(c)).transpose();
        let address = csv.columns(&opts.columns)?;
        (
            pick(&opts.parcel)?,
            pick(&opts.lat)?,
            pick(&opts.lon)?,
            address,
        )
    } else {
        (
            csv.column_or(None, &PARCEL_NAMES)?,
            csv.column_or(None, &LATITUDE_NAMES)?,
            csv.column_or(None, &LONGITUDE_NAMES)?,
            csv.column_or(None, &ADDRESS_NAMES)?.into_iter().collect(),
        )
    };
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        (None, None) => None,
        (Some(_), None) => return Err(BatchError::MissingLongitude),
        (None, Some(_)) => return Err(BatchError::MissingLatitude),
    };
    if parcel.is_none() && point.is_none() && address.is_empty() {
        return Err(BatchError::NoPlaceColumn);
    }
    Ok(PlaceColumns {
        parcel,
        point,
        address,
    })
}

/// The place `row` designates: its parcel, else its coordinates, else its address; `Err` is the
/// row's `erreur`.
fn place(places: &PlaceColumns, row: &StringRecord) -> Result<Place, String> {
    let cell = |i: usize| row.get(i).unwrap_or("").trim();
    if let Some(id) = places.parcel.map(cell).filter(|c| !c.is_empty()) {
        return Ok(Place::Parcel(id.to_string()));
    }
    if let Some((lat, lon)) = places.point {
        let (lat, lon) = (cell(lat), cell(lon));
        if !lat.is_empty() || !lon.is_empty() {
            let (Some(y), Some(x)) = (number(lat), number(lon)) else {
                let shown = |v: &str| {
                    if v.is_empty() {
                        "vide".to_string()
                    } else {
                        format!("« {v} »")
                    }
                };
                return Err(format!(
                    "coordonnées illisibles : lat {}, lon {}",
                    shown(lat),
                    shown(lon)
                ));
            };
            return Position::new(x, y)
                .map(Place::Point)
                .map_err(|e| e.to_string());
        }
    }
    let q = joined(row, &places.address);
    if q.is_empty() {
        return Err("ligne sans lieu : ni parcelle, ni coordonnées, ni adresse".into());
    }
    Ok(Place::Address(q))
}

/// The result cells of one row, in [`RESULT_COLUMNS`] order.
fn answer_row(data: &Dataset, places: &PlaceColumns, row: &StringRecord) -> Vec<String> {
    let answer = place(places, row).and_then(|p| {
        match p {
            Place::Parcel(id) => lookup_parcel(data, &id),
            Place::Point(at) => Ok(lookup(data, at.lon, at.lat)),
            Place::Address(q) => lookup_address_local(data, &q),
        }
        .map_err(|e: LookupError| e.to_string())
    });
    let (answer, erreur) = match answer {
        Ok(a) if outside_data(&a) => (
            Some(a),
            "hors des données chargées : ni commune, ni cadastre, ni plan à cet endroit"
                .to_string(),
        ),
        Ok(a) => (Some(a), String::new()),
        Err(e) => (None, e),
    };
    let located_only = !erreur.is_empty();
    RESULT_COLUMNS
        .iter()
        .map(|c| match (*c, &answer) {
            ("erreur", _) => erreur.clone(),
            (c, Some(a)) => cell(c, a, located_only),
            (_, None) => String::new(),
        })
        .collect()
}

/// Whether the loaded data says nothing about the place.
fn outside_data(a: &LookupAnswer) -> bool {
    let c = &a.coverage;
    let zoned = a.zonings.iter().any(|z| z.covered);
    !(c.commune || c.cadastre || c.planning || c.servitudes || c.risks || zoned)
}

/// One result cell of `a`; with `located_only`, only where the row was found is told.
fn cell(column: &str, a: &LookupAnswer, located_only: bool) -> String {
    let location = a.location.as_ref();
    match column {
        "result_label" => location.map(|l| l.label.clone()).unwrap_or_default(),
        "result_score" => location.map(|l| l.score.to_string()).unwrap_or_default(),
        "result_type" => location.map(|l| l.kind.clone()).unwrap_or_default(),
        "result_latitude" => a.lat.to_string(),
        "result_longitude" => a.lon.to_string(),
        _ if located_only => String::new(),
        "parcelle" => a.parcel.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        "commune_insee" => a
            .commune
            .as_ref()
            .map(|c| c.insee.clone())
            .unwrap_or_default(),
        "commune_nom" => a
            .commune
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        "statut" => a.status.kind.clone(),
        "document_type" => document(a, |d| Some(d.typedoc.clone())),
        "document_idurba" => document(a, |d| Some(d.idurba.clone())),
        "document_date_approbation" => document(a, |d| d.datappro.clone()),
        "zones" => list(
            a.zones
                .iter()
                .map(|z| shared(&z.libelle, z.hit.share_pct())),
        ),
        "prescriptions" => list(a.prescriptions.iter().map(urba_code)),
        "informations" => list(a.informations.iter().map(urba_code)),
        "servitudes" => list(a.servitudes.iter().map(|s| s.categorie.clone())),
        "risques" => list(a.risks.iter().map(|r| {
            shared(
                &format!("{} {}", r.procedure, r.zone_code),
                r.hit.share_pct(),
            )
        })),
        "zonages" => list(a.zonings.iter().flat_map(|t| {
            t.zones
                .iter()
                .map(|z| shared(&format!("{} {}", t.theme, z.code), z.hit.share_pct()))
        })),
        "resume" => {
            let first: Vec<&str> = a
                .summary
                .iter()
                .take(SUMMARY_SENTENCES)
                .map(|s| s.text.as_str())
                .collect();
            first.join(" ")
        }
        "avertissements" => a.warnings.join(" ; "),
        _ => String::new(),
    }
}

/// A field of the document that applies, blank without one.
fn document(
    a: &LookupAnswer,
    field: impl Fn(&crate::model::PlanDocument) -> Option<String>,
) -> String {
    a.document
        .as_ref()
        .and_then(|d| field(&d.document))
        .unwrap_or_default()
}

/// `Ucp (100 %)`, or the name alone for a point, a line or a point feature.
fn shared(name: &str, share_pct: Option<f64>) -> String {
    match share_pct {
        Some(s) => format!("{name} ({} %)", french_number(s)),
        None => name.to_string(),
    }
}

/// A prescription's or information's CNIG code: `05-00` (type and sub-type), or the type alone.
fn urba_code(u: &crate::family::urba::UrbaFeatureOut) -> String {
    match &u.subcode {
        Some(sub) => format!("{}-{sub}", u.code),
        None => u.code.clone(),
    }
}

/// The distinct `items`, in order, separated by `|`.
fn list(items: impl Iterator<Item = String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(header: &str, opts: &CsvLookupOptions) -> Result<PlaceColumns, BatchError> {
        place_columns(&UserCsv::read(format!("{header}\n").into_bytes())?, opts)
    }

    #[test]
    fn place_columns_are_named_or_found() {
        let found = columns("nom;Parcelle;LAT;lng;Adresse", &CsvLookupOptions::default()).unwrap();
        assert_eq!(
            (found.parcel, found.point, found.address),
            (Some(1), Some((2, 3)), vec![4])
        );
        // Naming any column turns the search by usual names off.
        let named = CsvLookupOptions {
            columns: vec!["nom".into()],
            ..Default::default()
        };
        let only = columns("nom;parcel;lat;lon", &named).unwrap();
        assert_eq!(
            (only.parcel, only.point, only.address),
            (None, None, vec![0])
        );
        assert!(matches!(
            columns("nom;rue;ville", &CsvLookupOptions::default()),
            Err(BatchError::NoPlaceColumn)
        ));
        assert!(matches!(
            columns("id;lat", &CsvLookupOptions::default()),
            Err(BatchError::MissingLongitude)
        ));
        let unknown = CsvLookupOptions {
            parcel: Some("idpar".into()),
            ..Default::default()
        };
        assert!(matches!(
            columns("id;lat", &unknown),
            Err(BatchError::MissingColumn(c)) if c == "idpar"
        ));
    }

    #[test]
    fn a_row_is_read_parcel_first_then_point_then_address() {
        let places = PlaceColumns {
            parcel: Some(0),
            point: Some((1, 2)),
            address: vec![3, 4],
        };
        let row = |cells: [&str; 5]| StringRecord::from(cells.to_vec());
        assert!(matches!(
            place(&places, &row([" 91216000AB0037 ", "1", "2", "x", "y"])),
            Ok(Place::Parcel(id)) if id == "91216000AB0037"
        ));
        assert!(matches!(
            place(&places, &row(["", "43,99982", "4.36968", "x", ""])),
            Ok(Place::Point(p)) if p == Position { lon: 4.36968, lat: 43.99982 }
        ));
        assert!(matches!(
            place(&places, &row(["", "", "", "12 rue", " Ordener"])),
            Ok(Place::Address(q)) if q == "12 rue Ordener"
        ));
        let err = |cells| place(&places, &row(cells)).err().unwrap_or_default();
        assert_eq!(
            err(["", "91", "2", "", ""]),
            "latitude hors limites (-90 à 90) : 91"
        );
        assert_eq!(
            err(["", "48.8", "", "12 rue", ""]),
            "coordonnées illisibles : lat « 48.8 », lon vide"
        );
        assert_eq!(
            err(["", "", "", " ", ""]),
            "ligne sans lieu : ni parcelle, ni coordonnées, ni adresse"
        );
    }

    #[test]
    fn lists_keep_order_drop_repeats_and_show_shares() {
        let items = ["Ucp (100 %)", "A (3,2 %)", "Ucp (100 %)"].map(String::from);
        assert_eq!(list(items.into_iter()), "Ucp (100 %)|A (3,2 %)");
        assert_eq!(shared("Ucp", Some(99.97)), "Ucp (100 %)");
        assert_eq!(shared("A", Some(3.24)), "A (3,2 %)");
        assert_eq!(shared("Ua", None), "Ua");
    }
}
