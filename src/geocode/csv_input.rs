//! The one way urbaclic reads CSV text, for BAN files ([`super::ban_csv`]) and users' batch
//! files alike: the `csv` crate, so quoting, a UTF-8 BOM and `\r\n` are handled once, with the
//! settings all need. A user's file (the BAN-style batch routes: [`super::batch`] for geocoding,
//! [`crate::lookup::batch`] for the rules) is a [`UserCsv`]: decoded, its delimiter sniffed, its
//! rows counted against [`MAX_ROWS`], and written back with the same delimiter.

use std::io::{Cursor, Read, Write};

use csv::StringRecord;

use super::batch::BatchError;

/// Upper bound on rows in one file (the BAN API accepts 50 MB files).
pub const MAX_ROWS: usize = 1_000_000;

/// Header names read as the latitude when no column is named (addok-csv's, any case).
pub const LATITUDE_NAMES: [&str; 2] = ["lat", "latitude"];
/// Header names read as the longitude when no column is named (addok-csv's, any case).
pub const LONGITUDE_NAMES: [&str; 4] = ["lon", "lng", "long", "longitude"];

/// A CSV reader with a header row, separated by `delimiter`.
///
/// Rows may have fewer or more fields than the header (`flexible`): a ragged row is that row's
/// problem (skipped or echoed back), not a reason to reject the whole file. Fields are not trimmed
/// here: a batch file's rows come back exactly as sent.
pub(crate) fn reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(input)
}

/// A CSV writer of an answer to a user's file: its `delimiter` (a [`UserCsv`]'s), rows of any
/// length.
pub fn writer<W: Write>(out: W, delimiter: u8) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(out)
}

/// A user's CSV file, checked whole before any row is answered: a file that is not CSV, or has
/// too many rows, is refused before the first answer line is written.
#[derive(Debug)]
pub struct UserCsv {
    /// The file as UTF-8, BOM removed.
    text: String,
    /// The header's fields, as sent.
    pub header: Vec<String>,
    /// The delimiter sniffed from the header, which the answer is written with.
    pub delimiter: u8,
    /// Rows after the header (blank lines are none).
    pub rows: usize,
}

impl UserCsv {
    /// Decodes `input` (UTF-8 or Windows-1252, with or without a BOM), sniffs the delimiter (`,`
    /// `;` `|` or tab, the most frequent in the header) and reads every row once.
    ///
    /// ```
    /// use urbaclic::geocode::csv_input::UserCsv;
    /// let csv = UserCsv::read(b"\xEF\xBB\xBFnom;adresse\nJean;1 rue ordener\n".to_vec()).unwrap();
    /// assert_eq!((csv.header.as_slice(), csv.delimiter, csv.rows), (&["nom".to_string(), "adresse".to_string()][..], b';', 1));
    /// assert!(UserCsv::read(b"\n".to_vec()).is_err());
    /// ```
    pub fn read(mut input: Vec<u8>) -> Result<UserCsv, BatchError> {
        if input.starts_with(b"\xEF\xBB\xBF") {
            input.drain(..3);
        }
        let text = match String::from_utf8(input) {
            Ok(t) => t,
            // Spreadsheets on Windows still save CSV in Windows-1252.
            Err(e) => encoding_rs::WINDOWS_1252
                .decode(e.as_bytes())
                .0
                .into_owned(),
        };
        let first = text.lines().next().unwrap_or("");
        if first.trim().is_empty() {
            return Err(BatchError::Empty);
        }
        // The most frequent candidate in the header; a one-column file has none and is
        // written back comma-separated, as addok-csv does.
        let delimiter = [b';', b',', b'\t', b'|']
            .into_iter()
            .map(|d| (first.bytes().filter(|&b| b == d).count(), d))
            .filter(|&(n, _)| n > 0)
            .max_by_key(|&(n, d)| (n, d == b','))
            .map_or(b',', |(_, d)| d);
        let mut reader = reader(text.as_bytes(), delimiter);
        let header: Vec<String> = reader
            .headers()
            .map_err(BatchError::Header)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut record = csv::ByteRecord::new();
        let mut rows = 0;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) if rows >= MAX_ROWS => return Err(BatchError::TooManyRows),
                Ok(true) => rows += 1,
                Err(error) => {
                    return Err(BatchError::Row {
                        line: rows + 2,
                        error,
                    })
                }
            }
        }
        Ok(UserCsv {
            text,
            header,
            delimiter,
            rows,
        })
    }

    /// The index of the header field `name` (surrounding spaces ignored).
    pub fn column(&self, name: &str) -> Result<usize, BatchError> {
        self.header
            .iter()
            .position(|h| h.trim() == name.trim())
            .ok_or_else(|| BatchError::MissingColumn(name.to_string()))
    }

    /// The indices of the header fields `names`, in their order.
    pub fn columns(&self, names: &[String]) -> Result<Vec<usize>, BatchError> {
        names.iter().map(|c| self.column(c)).collect()
    }

    /// The column named `given` (which must exist), or else the first whose name is one of
    /// `defaults` (case-insensitive), if any.
    pub fn column_or(
        &self,
        given: Option<&str>,
        defaults: &[&str],
    ) -> Result<Option<usize>, BatchError> {
        match given {
            Some(c) => self.column(c).map(Some),
            None => Ok(self
                .header
                .iter()
                .position(|h| defaults.contains(&h.trim().to_ascii_lowercase().as_str()))),
        }
    }

    /// The rows, each with exactly one cell per header field (padded with blanks, or cut), so
    /// that the cells echoed back stay under their names whatever the row's length; owned, so
    /// that they can move from one worker to the next.
    pub fn into_rows(self) -> Rows {
        let width = self.header.len();
        let mut reader = reader(Cursor::new(self.text.into_bytes()), self.delimiter);
        // Read once in `read` already: the header is known good.
        let _ = reader.headers();
        Rows {
            records: reader.into_records(),
            width,
            line: 1,
        }
    }
}

/// The rows of a [`UserCsv`], in order.
pub struct Rows {
    records: csv::StringRecordsIntoIter<Cursor<Vec<u8>>>,
    width: usize,
    line: usize,
}

impl Iterator for Rows {
    type Item = Result<StringRecord, BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        self.line += 1;
        let line = self.line;
        Some(
            record
                .map(|mut r| {
                    r.truncate(self.width);
                    while r.len() < self.width {
                        r.push_field("");
                    }
                    r
                })
                .map_err(|error| BatchError::Row { line, error }),
        )
    }
}

/// The cells of `columns` in `row`, trimmed and joined with spaces: an address typed over
/// several columns (number, street, postcode, city).
///
/// ```
/// use urbaclic::geocode::csv_input::joined;
/// let row = csv::StringRecord::from(vec![" 12", "rue Ordener ", "", "Paris"]);
/// assert_eq!(joined(&row, &[0, 1, 2, 3]), "12 rue Ordener Paris");
/// ```
pub fn joined(row: &StringRecord, columns: &[usize]) -> String {
    let cells: Vec<&str> = columns
        .iter()
        .filter_map(|&i| row.get(i))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    cells.join(" ")
}

/// A number in a cell, with a decimal point or comma; `None` when blank, not a number or not
/// finite.
///
/// ```
/// use urbaclic::geocode::csv_input::number;
/// assert_eq!(number(" 48,89 "), Some(48.89));
/// assert_eq!((number("abc"), number(""), number("inf")), (None, None, None));
/// ```
pub fn number(cell: &str) -> Option<f64> {
    cell.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_bom_and_ragged_rows() {
        let mut r = reader("\u{feff}a;b\r\n\"x;\ny\";2\r\n\r\n3\r\n".as_bytes(), b';');
        assert_eq!(r.headers().unwrap(), vec!["a", "b"]);
        let rows: Vec<_> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][0], "x;\ny");
        assert_eq!(rows.len(), 2, "the blank line is no row");
        assert_eq!(rows[1].len(), 1);
    }

    #[test]
    fn user_files_are_sniffed_counted_and_echoed() {
        let csv = UserCsv::read(b"a|b|c\n1|2|3|4\n\n5\n".to_vec()).unwrap();
        assert_eq!((csv.delimiter, csv.rows), (b'|', 2));
        let rows: Vec<StringRecord> = csv.into_rows().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iter().collect::<Vec<_>>(), ["1", "2", "3"]);
        assert_eq!(rows[1].iter().collect::<Vec<_>>(), ["5", "", ""]);
        // Windows-1252 (é is 0xE9) and a one-column file, written back comma-separated.
        let csv = UserCsv::read(b"adresse\nall\xe9e\n".to_vec()).unwrap();
        assert_eq!(csv.delimiter, b',');
        let row = csv.into_rows().next().unwrap().unwrap();
        assert_eq!(&row[0], "allée");
        let csv = UserCsv::read(b"Lat;lon\n1;2\n".to_vec()).unwrap();
        assert_eq!(csv.column_or(None, &["lat"]).unwrap(), Some(0));
        assert_eq!(csv.column_or(None, &["x"]).unwrap(), None);
        assert!(csv.column_or(Some("x"), &["lat"]).is_err());
    }

    #[test]
    fn a_file_of_too_many_rows_is_refused() {
        let mut big = b"a\n".to_vec();
        big.extend(b"1\n".repeat(MAX_ROWS));
        assert_eq!(UserCsv::read(big.clone()).unwrap().rows, MAX_ROWS);
        big.extend(b"1\n");
        assert!(matches!(UserCsv::read(big), Err(BatchError::TooManyRows)));
    }
}
