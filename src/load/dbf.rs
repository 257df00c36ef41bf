//! A small dBase III reader for shapefile attribute tables.
//!
//! Written here rather than taken from `dbase` because CNIG deliveries need two things that crate
//! makes awkward: choosing the text encoding *after* looking at the bytes (`.cpg`, else the language
//! driver byte, else UTF-8 if every record decodes as UTF-8, else CP1252), and case-insensitive field
//! names (`IdAss`, `IDASS` and `idass` all occur). Every value is kept as trimmed text; numeric fields
//! keep their textual form so codes such as `07` survive.

use std::collections::HashMap;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use super::LoadError;

/// Why DBF bytes are not a readable table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DbfError {
    /// Fewer bytes than a DBF header.
    #[error("en-tête DBF tronqué")]
    HeaderTruncated,
    #[error(
        "en-tête DBF invalide (longueur d'en-tête {header_len}, d'enregistrement {record_len})"
    )]
    /// Header and record lengths that do not make a table.
    InvalidHeader {
        /// Header length announced, in bytes.
        header_len: usize,
        /// Record length announced, in bytes.
        record_len: usize,
    },
    /// The field descriptors do not fit in a record.
    #[error("champs plus longs ({fields_len} octets) que l'enregistrement ({record_len})")]
    FieldsTooLong {
        /// Sum of the field lengths, in bytes.
        fields_len: usize,
        /// Record length announced, in bytes.
        record_len: usize,
    },
    /// Fewer records than the header announces.
    #[error("fichier tronqué : {announced} enregistrements annoncés, {present} présents")]
    Truncated {
        /// Records the header announces.
        announced: usize,
        /// Records the bytes hold.
        present: usize,
    },
}

/// A decoded attribute table.
#[derive(Debug, Clone)]
pub struct DbfTable {
    /// Field names as written in the file.
    pub fields: Vec<String>,
    index: HashMap<String, usize>,
    /// The records, in file order.
    pub records: Vec<Record>,
    /// Encoding used to decode the text, and why it was chosen.
    pub encoding: String,
    /// Row numbers (0-based, ascending) of the deleted records, to keep shapes aligned.
    pub deleted_rows: Vec<usize>,
    /// What the encoding choice could not honour, in French: a `.cpg` naming no known encoding,
    /// text that is not the encoding the `.cpg` declares (decoded with U+FFFD replacements).
    pub encoding_warnings: Vec<String>,
}

/// One row: values in field order, `None` for blank.
#[derive(Debug, Clone, Default)]
pub struct Record(Vec<Option<String>>);

struct FieldDef {
    name: String,
    kind: u8,
    len: usize,
}

impl DbfTable {
    /// Reads `path`, picking the encoding as described in the module doc.
    pub fn read(path: &Path) -> Result<DbfTable, LoadError> {
        let bytes = super::archive::read(path)?;
        let cpg = super::archive::read_to_string(&path.with_extension("cpg"))
            .or_else(|_| super::archive::read_to_string(&path.with_extension("CPG")))
            .ok();
        Self::parse(&bytes, cpg.as_deref()).map_err(|e| LoadError::corrupt(path, e.to_string()))
    }

    /// Parses DBF bytes; `cpg` is the content of the sibling `.cpg` file, if any.
    ///
    /// ```
    /// # use urbaclic::load::dbf::DbfTable;
    /// // A one-field, one-record table written by hand: field LIBELLE (C, 4), value "UA".
    /// let mut b = vec![0x03, 124, 1, 1, 1, 0, 0, 0, 65, 0, 5, 0];
    /// b.resize(32, 0);
    /// let mut f = b"LIBELLE\0\0\0\0C".to_vec();
    /// f.resize(16, 0);
    /// f.push(4);
    /// f.resize(32, 0);
    /// b.extend(f);
    /// b.push(0x0D);
    /// b.extend(b" UA  ");
    /// let t = DbfTable::parse(&b, None).unwrap();
    /// assert_eq!(t.get(&t.records[0], "libelle"), Some("UA"));
    /// ```
    pub fn parse(bytes: &[u8], cpg: Option<&str>) -> Result<DbfTable, DbfError> {
        if bytes.len() < 32 {
            return Err(DbfError::HeaderTruncated);
        }
        let n_records = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        let ldid = bytes[29];
        if header_len < 33 || header_len > bytes.len() || record_len == 0 {
            return Err(DbfError::InvalidHeader {
                header_len,
                record_len,
            });
        }
        let mut defs = Vec::new();
        let mut pos = 32;
        while pos + 32 <= header_len && bytes[pos] != 0x0D {
            let raw = &bytes[pos..pos + 11];
            let end = raw.iter().position(|&b| b == 0).unwrap_or(11);
            let name = String::from_utf8_lossy(&raw[..end]).trim().to_string();
            defs.push(FieldDef {
                name,
                kind: bytes[pos + 11],
                len: bytes[pos + 16] as usize,
            });
            pos += 32;
        }
        let total: usize = 1 + defs.iter().map(|d| d.len).sum::<usize>();
        if total > record_len {
            return Err(DbfError::FieldsTooLong {
                fields_len: total,
                record_len,
            });
        }
        let available = (bytes.len() - header_len) / record_len;
        if available < n_records {
            return Err(DbfError::Truncated {
                announced: n_records,
                present: available,
            });
        }
        let rows: Vec<&[u8]> = (0..n_records)
            .map(|i| &bytes[header_len + i * record_len..header_len + (i + 1) * record_len])
            .collect();
        let mut encoding_warnings = Vec::new();
        if let Some(label) = cpg.filter(|c| encoding_from_cpg(c).is_none()) {
            encoding_warnings.push(format!(
                "encodage « {} » du .cpg inconnu : encodage déduit de la table",
                label.trim()
            ));
        }
        let (encoding, why) = choose_encoding(cpg, ldid, &rows, &defs);
        let mut malformed = Vec::new();
        let mut records = Vec::with_capacity(n_records);
        let mut deleted_rows = Vec::new();
        for (n, row) in rows.into_iter().enumerate() {
            if row[0] == b'*' {
                deleted_rows.push(n);
                continue;
            }
            let mut values = Vec::with_capacity(defs.len());
            let mut p = 1;
            let mut row_malformed = false;
            for d in &defs {
                let raw = &row[p..p + d.len];
                p += d.len;
                let (value, replaced) = decode_value(raw, d.kind, encoding);
                row_malformed |= replaced;
                values.push(value);
            }
            if row_malformed {
                malformed.push(n);
            }
            records.push(Record(values));
        }
        if let Some(&first) = malformed.first() {
            encoding_warnings.push(format!(
                "{} enregistrement(s) mal encodé(s) en {} (premier : n° {first}) : caractères \
                 illisibles remplacés par U+FFFD",
                malformed.len(),
                encoding.name()
            ));
        }
        let fields: Vec<String> = defs.into_iter().map(|d| d.name).collect();
        let index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.to_ascii_lowercase(), i))
            .collect();
        Ok(DbfTable {
            fields,
            index,
            records,
            encoding: format!("{} ({why})", encoding.name()),
            deleted_rows,
            encoding_warnings,
        })
    }

    /// Whether the table has a field of that name (case-insensitive).
    pub fn has(&self, field: &str) -> bool {
        self.index.contains_key(&field.to_ascii_lowercase())
    }

    /// The value of `field` (case-insensitive) in `record`, `None` when blank or absent.
    pub fn get<'a>(&self, record: &'a Record, field: &str) -> Option<&'a str> {
        let i = *self.index.get(&field.to_ascii_lowercase())?;
        record.0.get(i)?.as_deref()
    }

    /// Like [`DbfTable::get`], trying several field names in turn (for variants between standards).
    pub fn get_any<'a>(&self, record: &'a Record, fields: &[&str]) -> Option<&'a str> {
        fields.iter().find_map(|f| self.get(record, f))
    }

    /// Owned value, for building domain types.
    pub fn text(&self, record: &Record, field: &str) -> Option<String> {
        self.get(record, field).map(str::to_string)
    }
}

/// Picks the encoding: `.cpg`, else the language driver id, else UTF-8 when all text decodes, else CP1252.
fn choose_encoding(
    cpg: Option<&str>,
    ldid: u8,
    rows: &[&[u8]],
    defs: &[FieldDef],
) -> (&'static Encoding, &'static str) {
    if let Some(enc) = cpg.and_then(encoding_from_cpg) {
        return (enc, ".cpg");
    }
    // 0x03 and 0x57 are Windows ANSI (CP1252) in the dBase/ESRI tables; 0x00 means "not said".
    if matches!(ldid, 0x03 | 0x57 | 0x58 | 0x59) {
        return (WINDOWS_1252, "octet de langue DBF");
    }
    let all_utf8 = rows.iter().all(|row| {
        let mut p = 1;
        defs.iter().all(|d| {
            let ok = d.kind != b'C' || std::str::from_utf8(&row[p..p + d.len]).is_ok();
            p += d.len;
            ok
        })
    });
    if all_utf8 {
        (UTF_8, "contenu UTF-8 valide")
    } else {
        (WINDOWS_1252, "par défaut")
    }
}

/// Maps the text of a `.cpg` file (`1252`, `UTF-8`, `utf_8`, `ISO-8859-1`, `65001`…) to an encoding.
fn encoding_from_cpg(cpg: &str) -> Option<&'static Encoding> {
    let label = cpg.trim().to_ascii_lowercase().replace('_', "-");
    match label.as_str() {
        "65001" | "utf8" => Some(UTF_8),
        "1252" | "ansi 1252" | "cp1252" => Some(WINDOWS_1252),
        other => {
            let other = other.strip_prefix("ansi ").unwrap_or(other);
            Encoding::for_label(other.as_bytes())
                .or_else(|| Encoding::for_label(format!("windows-{other}").as_bytes()))
        }
    }
}

/// A field's value, and whether bytes that are not `encoding` had to be replaced.
fn decode_value(raw: &[u8], kind: u8, encoding: &'static Encoding) -> (Option<String>, bool) {
    let (text, replaced) = match kind {
        b'C' | b'M' => {
            let (s, _, replaced) = encoding.decode(raw);
            (s.into_owned(), replaced)
        }
        _ => (String::from_utf8_lossy(raw).into_owned(), false),
    };
    (value_of(&text, kind), replaced)
}

/// The typed text of a decoded field: `None` when blank or all `*` (dBase's unknown number).
fn value_of(text: &str, kind: u8) -> Option<String> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if t.is_empty() || (kind == b'N' && t.chars().all(|c| c == '*')) {
        return None;
    }
    match kind {
        // Integral numerics are written as `16` or `16.000000000`: keep the integer form.
        b'N' | b'F' => Some(normalise_number(t)),
        b'L' => Some(matches!(t, "T" | "t" | "Y" | "y").to_string()),
        _ => Some(t.to_string()),
    }
}

/// An integral number in its integer form (`16.000` → `16`), others as they are: identifiers
/// joined across tables must not differ by their column's precision.
pub(super) fn normalise_number(t: &str) -> String {
    match t.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(kind: u8, width: u8, values: &[&[u8]]) -> Vec<u8> {
        let record_len = 1 + width as u16;
        let mut b = vec![0x03, 124, 1, 1];
        b.extend((values.len() as u32).to_le_bytes());
        b.extend(65u16.to_le_bytes());
        b.extend(record_len.to_le_bytes());
        b.resize(32, 0);
        let mut f = b"Name\0\0\0\0\0\0\0".to_vec();
        f.push(kind);
        f.resize(16, 0);
        f.push(width);
        f.resize(32, 0);
        b.extend(f);
        b.push(0x0D);
        for v in values {
            b.push(b' ');
            let mut v = v.to_vec();
            v.resize(width as usize, b' ');
            b.extend(v);
        }
        b
    }

    #[test]
    fn utf8_detected_when_every_record_decodes() {
        let t = DbfTable::parse(&table(b'C', 10, &["Élément".as_bytes()]), None).unwrap();
        assert_eq!(t.get(&t.records[0], "NAME"), Some("Élément"));
        assert!(t.encoding.starts_with("UTF-8"));
    }

    #[test]
    fn invalid_utf8_under_a_utf8_cpg_is_reported_with_the_first_record() {
        // Records 0 and 2 are clean UTF-8; record 1 holds the CP1252 byte of « é » (0xE9), which is
        // not UTF-8, while the .cpg says UTF-8.
        let bytes = table(b'C', 10, &["Été".as_bytes(), b"\xe9t\xe9", b"ok"]);
        let t = DbfTable::parse(&bytes, Some("UTF-8")).unwrap();
        assert_eq!(t.get(&t.records[1], "name"), Some("\u{FFFD}t\u{FFFD}"));
        assert_eq!(t.encoding_warnings.len(), 1);
        assert!(
            t.encoding_warnings[0]
                .starts_with("1 enregistrement(s) mal encodé(s) en UTF-8 (premier : n° 1)"),
            "{:?}",
            t.encoding_warnings
        );
        let clean = DbfTable::parse(&table(b'C', 10, &["Été".as_bytes()]), Some("UTF-8")).unwrap();
        assert!(clean.encoding_warnings.is_empty());
    }

    #[test]
    fn an_unknown_cpg_is_reported_and_the_table_still_read() {
        let t =
            DbfTable::parse(&table(b'C', 10, &["Été".as_bytes()]), Some("KLINGON-9\n")).unwrap();
        assert_eq!(t.get(&t.records[0], "name"), Some("Été"));
        assert!(t.encoding.starts_with("UTF-8"));
        assert_eq!(
            t.encoding_warnings,
            ["encodage « KLINGON-9 » du .cpg inconnu : encodage déduit de la table"]
        );
    }

    #[test]
    fn cp1252_when_not_utf8() {
        let t = DbfTable::parse(&table(b'C', 10, &[b"\xc9l\xe9ment"]), None).unwrap();
        assert_eq!(t.get(&t.records[0], "name"), Some("Élément"));
        assert!(t.encoding.starts_with("windows-1252"));
    }

    #[test]
    fn cpg_wins_over_content() {
        let bytes = table(b'C', 10, &["é".as_bytes()]);
        let t = DbfTable::parse(&bytes, Some("1252")).unwrap();
        assert_eq!(t.get(&t.records[0], "name"), Some("Ã©"));
        let t = DbfTable::parse(&bytes, Some("UTF-8")).unwrap();
        assert_eq!(t.get(&t.records[0], "name"), Some("é"));
    }

    #[test]
    fn numbers_keep_integer_form() {
        let t = DbfTable::parse(&table(b'N', 12, &[b"16.000000", b"  ", b"2.5"]), None).unwrap();
        let v: Vec<_> = t.records.iter().map(|r| t.get(r, "name")).collect();
        assert_eq!(v, vec![Some("16"), None, Some("2.5")]);
    }

    #[test]
    fn truncated_file_is_an_error_not_a_panic() {
        let mut bytes = table(b'C', 10, &[b"abc", b"def"]);
        bytes.truncate(bytes.len() - 5);
        assert_eq!(
            DbfTable::parse(&bytes, None).unwrap_err().to_string(),
            "fichier tronqué : 2 enregistrements annoncés, 1 présents"
        );
        assert!(DbfTable::parse(&bytes[..20], None).is_err());
        assert!(DbfTable::parse(&[0xff; 40], None).is_err());
    }
}
