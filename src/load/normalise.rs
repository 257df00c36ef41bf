//! Normalisation of values as the standards write them: dates, two-digit codes, document types.

/// `yyyymmdd` (or `yyyy-mm-dd`) → `yyyy-mm-dd`, `None` when not a plausible date.
///
/// ```
/// # use urbaclic::load::normalise::iso_date;
/// assert_eq!(iso_date("20171013").as_deref(), Some("2017-10-13"));
/// assert_eq!(iso_date("2022-12-23").as_deref(), Some("2022-12-23"));
/// assert_eq!(iso_date("20398"), None);
/// ```
pub fn iso_date(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    let (y, m, d) = (&digits[..4], &digits[4..6], &digits[6..]);
    let (mi, di): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mi) && (1..=31).contains(&di)).then(|| format!("{y}-{m}-{d}"))
}

/// CNIG codes are two digits; numeric DBF fields lose the leading zero.
///
/// ```
/// # use urbaclic::load::normalise::two_digits;
/// assert_eq!(two_digits("7"), "07");
/// assert_eq!(two_digits("16"), "16");
/// ```
pub fn two_digits(code: &str) -> String {
    if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_string()
    }
}

/// Document type as users know it: `PLUI` → `PLUi`, the others upper-case.
///
/// ```
/// # use urbaclic::load::normalise::normalise_typedoc;
/// assert_eq!(normalise_typedoc("PLUI"), "PLUi");
/// assert_eq!(normalise_typedoc("plu"), "PLU");
/// ```
pub fn normalise_typedoc(t: &str) -> String {
    let upper = t.trim().to_ascii_uppercase();
    match upper.as_str() {
        "PLUI" => "PLUi".into(),
        _ => upper,
    }
}
