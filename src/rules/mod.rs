//! Which rules apply, in words: the planning status of a commune ([`status`]) and the synthetic
//! summary of an answer ([`summary`]).

pub mod status;
pub mod summary;

/// `2017-10-13` → `13/10/2017`, the way dates are written in French documents.
///
/// ```
/// assert_eq!(urbaclic::rules::french_date("2017-10-13"), "13/10/2017");
/// assert_eq!(urbaclic::rules::french_date("n/a"), "n/a");
/// ```
pub fn french_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}
