//! Labels from the CNIG code lists, compiled into the binary so answers are labelled even when the
//! data folder carries no code lists.
//!
//! Sources: `data/nomenclatures-cnig/` (PLU 2017 prescription and information types, SUP categories;
//! see its SOURCE.md), the zone types and dominant uses of the CNIG PLU standard, and the PPR
//! regulation types of the CNIG Géostandard Risques PPR (enumeration `typereglementurba`).

use std::collections::HashMap;
use std::sync::OnceLock;

const PRESCRIPTIONS: &str =
    include_str!("../data/nomenclatures-cnig/PrescriptionUrbaType_cnig_PLU_2017.csv");
const INFORMATIONS: &str =
    include_str!("../data/nomenclatures-cnig/InformationUrbaType_cnig_PLU_2017.csv");
const SUP_CATEGORIES: &str = include_str!("../data/nomenclatures-cnig/sup_categoriesup.csv");

/// The code lists, parsed once.
pub struct Nomenclature {
    prescriptions: HashMap<(String, String), String>,
    informations: HashMap<(String, String), String>,
    sup: HashMap<String, String>,
}

/// The shared, lazily parsed nomenclature.
pub fn nomenclature() -> &'static Nomenclature {
    static N: OnceLock<Nomenclature> = OnceLock::new();
    N.get_or_init(|| Nomenclature {
        prescriptions: typed_list(PRESCRIPTIONS),
        informations: typed_list(INFORMATIONS),
        sup: parse_csv(SUP_CATEGORIES)
            .into_iter()
            .skip(1)
            .filter_map(|r| Some((r.first()?.clone(), r.get(1)?.clone())))
            .collect(),
    })
}

fn typed_list(text: &str) -> HashMap<(String, String), String> {
    parse_csv(text)
        .into_iter()
        .skip(1)
        // `--` rows document codes withdrawn from the standard.
        .filter(|r| r.first().is_some_and(|c| c != "--"))
        .filter_map(|r| {
            // Some labels carry a remark for data producers on the following lines: keep the label.
            let label = r.get(2)?.lines().next()?.trim().to_string();
            Some(((r.first()?.clone(), r.get(1)?.clone()), label))
        })
        .collect()
}

impl Nomenclature {
    /// Label of a prescription type (`TYPEPSC`, `STYPEPSC`); without a sub-type, the `00` entry.
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert_eq!(n.prescription("01", Some("00")), Some("Espace boisé classé"));
    /// assert_eq!(n.prescription("05", None), Some("Emplacement réservé"));
    /// ```
    pub fn prescription(&self, code: &str, subcode: Option<&str>) -> Option<&str> {
        lookup_typed(&self.prescriptions, code, subcode)
    }

    /// Label of an information type (`TYPEINF`, `STYPEINF`).
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert_eq!(n.information("02", Some("00")), Some("Zone d'aménagement concerté"));
    /// ```
    pub fn information(&self, code: &str, subcode: Option<&str>) -> Option<&str> {
        lookup_typed(&self.informations, code, subcode)
    }

    /// Label of a SUP category; `None` for the codes the list has no label for (EL1, PT4…).
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert!(n.sup_category("AC1").unwrap().contains("monuments historiques"));
    /// assert_eq!(n.sup_category("PT4"), None);
    /// ```
    pub fn sup_category(&self, code: &str) -> Option<&str> {
        self.sup.get(code).map(String::as_str)
    }
}

fn lookup_typed<'a>(
    map: &'a HashMap<(String, String), String>,
    code: &str,
    subcode: Option<&str>,
) -> Option<&'a str> {
    let sub = subcode.unwrap_or("00");
    map.get(&(code.to_string(), sub.to_string()))
        .or_else(|| map.get(&(code.to_string(), "00".to_string())))
        .map(String::as_str)
}

/// The family of a zone type: `U`, `AU`, `A` or `N` (also for non-standard values such as `Nh`).
///
/// ```
/// use urbaclic::nomenclature::zone_family;
/// assert_eq!(zone_family("AUc"), Some("AU"));
/// assert_eq!(zone_family("Nh"), Some("N"));
/// assert_eq!(zone_family("X"), None);
/// ```
pub fn zone_family(typezone: &str) -> Option<&'static str> {
    let t = typezone.trim().to_ascii_uppercase();
    if t.starts_with("AU") {
        Some("AU")
    } else if t.starts_with('U') {
        Some("U")
    } else if t.starts_with('A') {
        Some("A")
    } else if t.starts_with('N') {
        Some("N")
    } else {
        None
    }
}

/// Plain-French meaning of a `TYPEZONE` (CNIG PLU standard).
pub fn typezone_label(typezone: &str) -> Option<&'static str> {
    match typezone.trim() {
        "U" => Some("zone urbaine"),
        "AUc" => Some("zone à urbaniser ouverte à la construction"),
        "AUs" => Some("zone à urbaniser fermée (ouverture soumise à une évolution du plan)"),
        "A" => Some("zone agricole"),
        "N" => Some("zone naturelle et forestière"),
        other => match zone_family(other)? {
            "U" => Some("zone urbaine"),
            "AU" => Some("zone à urbaniser"),
            "A" => Some("zone agricole"),
            _ => Some("zone naturelle et forestière"),
        },
    }
}

/// Meaning of a carte communale sector type (`TYPESECT`).
pub fn typesect_label(code: &str) -> Option<&'static str> {
    match code {
        "01" => Some("secteur ouvert à la construction"),
        "02" => Some("secteur réservé aux activités"),
        "03" => Some("secteur non ouvert à la construction"),
        _ => None,
    }
}

/// Dominant use (`DESTDOMI`, CNIG PLU 2014 standard; dropped from the 2017 standard).
pub fn destdomi_label(code: &str) -> Option<&'static str> {
    match code {
        "00" => Some("sans objet ou non encore définie"),
        "01" => Some("habitat"),
        "02" => Some("activité"),
        "03" => Some("destination mixte habitat et activité"),
        "04" => Some("loisirs et tourisme"),
        "05" => Some("équipement"),
        "07" => Some("activité agricole"),
        "08" => Some("espace naturel"),
        "09" => Some("espace remarquable"),
        "10" => Some("secteur de carrière"),
        "99" => Some("autre"),
        _ => None,
    }
}

/// What a risk-zone regulation type means for building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegulationEffect {
    /// Building is forbidden (save listed exceptions).
    Ban,
    /// Building is allowed under conditions.
    Conditions,
    /// Recommendations or information only.
    Advice,
    /// Not known from the code.
    Unknown,
}

/// Label and effect of a PPR regulation type (`typereglement` in CNIG PPR, `typereg` in COVADIS).
///
/// ```
/// use urbaclic::nomenclature::{regulation, RegulationEffect};
/// assert_eq!(regulation("03"), ("interdiction", RegulationEffect::Ban));
/// assert_eq!(regulation("02").1, RegulationEffect::Conditions);
/// ```
pub fn regulation(code: &str) -> (&'static str, RegulationEffect) {
    match code {
        "01" => (
            "prescriptions hors zone d'aléa",
            RegulationEffect::Conditions,
        ),
        "02" => ("prescriptions", RegulationEffect::Conditions),
        "03" => ("interdiction", RegulationEffect::Ban),
        "04" => ("interdiction stricte", RegulationEffect::Ban),
        "05" => ("recommandations", RegulationEffect::Advice),
        "06" => ("zone grisée", RegulationEffect::Conditions),
        "07" => ("zone d'aléa exceptionnel", RegulationEffect::Advice),
        _ => ("type de règlement non renseigné", RegulationEffect::Unknown),
    }
}

/// A minimal CSV reader (commas, double-quoted fields with `""` escapes) for the embedded lists.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes() {
        let rows = parse_csv("a,\"b, c\",\"d \"\"e\"\"\"\n1,2,3\n");
        assert_eq!(rows[0], vec!["a", "b, c", "d \"e\""]);
        assert_eq!(rows[1], vec!["1", "2", "3"]);
    }

    #[test]
    fn lists_are_complete() {
        let n = nomenclature();
        // Distinct (code, sub-code) pairs other than the withdrawn `--` rows, counted with
        // python's csv module: len(set((r[0], r[1]) for r in rows[1:] if r[0] != '--')).
        assert_eq!(n.prescriptions.len(), 156);
        assert_eq!(n.informations.len(), 40);
        assert_eq!(n.sup.len(), 65);
    }
}
