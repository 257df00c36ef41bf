//! The ISO metadata file of a CNIG delivery (`*.xml` beside `Donnees_geographiques/`): which
//! standard and version it declares (« CNIG PLU v2013 », « CNIG SUP v2016 »…), so the checks
//! apply that version's code lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The version year the metadata of the delivery holding `files` declares for `standard`
/// (`PLU`, `PLUi`, `CC`, `POS`, `PSMV`, `SUP`): `2013` for « CNIG PLU v2013 ». Looks in the
/// files' folders, and beside a `Donnees_geographiques/` folder (where the standard puts the
/// metadata), never above the delivery.
pub(crate) fn declared_version(files: &[PathBuf], standards: &[&str]) -> Option<u16> {
    let folders: BTreeSet<&Path> = files
        .iter()
        .filter_map(|f| f.parent())
        .flat_map(|p| {
            let data_folder = p
                .file_name()
                .is_some_and(|n| n.eq_ignore_ascii_case("Donnees_geographiques"));
            [Some(p), p.parent().filter(|_| data_folder)]
        })
        .flatten()
        .collect();
    folders
        .into_iter()
        .filter_map(|d| super::archive::list(d).ok())
        .flatten()
        .filter(|e| !e.is_dir)
        .map(|e| e.path)
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
        .filter_map(|p| super::archive::read_to_string(&p).ok())
        .find_map(|text| version_in(&text, standards))
}

/// The first « CNIG <standard> v<year> » of `text` naming one of `standards`.
fn version_in(text: &str, standards: &[&str]) -> Option<u16> {
    text.match_indices("CNIG ").find_map(|(at, _)| {
        let rest = &text[at + 5..];
        let (name, rest) = rest.split_once(" v")?;
        let year = rest.get(..4)?;
        (standards.contains(&name) && year.bytes().all(|b| b.is_ascii_digit()))
            .then(|| year.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_as_the_metadata_writes_them() {
        // fr-000041175-plu20140603.xml (Pezou) and SUP-AC1-2A-172014607-20180130.xml.
        let v = |t, s: &[&str]| super::version_in(t, s);
        assert_eq!(
            v(
                "<gco:CharacterString>CNIG PLU v2013</gco:CharacterString>",
                &["PLU"]
            ),
            Some(2013)
        );
        assert_eq!(v("CNIG SUP v2016", &["SUP"]), Some(2016));
        assert_eq!(
            v("CNIG du 02/10/2014 ; CNIG PLUi v2014", &["PLU", "PLUi"]),
            Some(2014)
        );
        assert_eq!(v("CNIG SUP v2016", &["PLU"]), None);
    }
}
