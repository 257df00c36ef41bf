//! The one way the geocoder reads CSV text, for BAN files ([`super::ban_csv`]) and users' batch
//! files ([`super::batch`]) alike: the `csv` crate, so quoting, a UTF-8 BOM and `\r\n` are
//! handled once, with the settings both need.

use std::io::Read;

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
}
