//! Labels from the CNIG code lists, compiled into the binary so answers are labelled even when the
//! data folder carries no code lists.
//!
//! Sources: `data/nomenclatures-cnig/` (PLU 2017 prescription and information types, SUP categories;
//! see its SOURCE.md), the zone types and dominant uses of the CNIG PLU standard, and the PPR
//! regulation types of the CNIG Géostandard Risques PPR (enumeration `typereglementurba`).
//!
//! What each SUP category and each prescription or information type means for a project is in
//! two tables beside the code lists, written for urbaclic from the codes that found them (each
//! row names its source): `sup_effets.csv` and `plu_effets.csv`.

use std::collections::HashMap;
use std::sync::OnceLock;

const PRESCRIPTIONS: &str =
    include_str!("../data/nomenclatures-cnig/PrescriptionUrbaType_cnig_PLU_2017.csv");
const INFORMATIONS: &str =
    include_str!("../data/nomenclatures-cnig/InformationUrbaType_cnig_PLU_2017.csv");
const SUP_CATEGORIES: &str = include_str!("../data/nomenclatures-cnig/sup_categoriesup.csv");
const SUP_EFFECTS: &str = include_str!("../data/nomenclatures-cnig/sup_effets.csv");
const PLU_EFFECTS: &str = include_str!("../data/nomenclatures-cnig/plu_effets.csv");

/// The code lists, parsed once.
pub struct Nomenclature {
    prescriptions: HashMap<(String, String), TypeEntry>,
    informations: HashMap<(String, String), TypeEntry>,
    /// SUP categories in the list's order, with what each means.
    sup: Vec<SupCategory>,
    /// `plu_effets.csv` by nature (`PSC`/`INF`), code and sub-code (empty for the whole family).
    plu_effects: HashMap<(String, String, String), Meaning>,
}

/// A prescription or information type of the CNIG list: its label and the article the list
/// gives for it (`REFLOI` for prescriptions, `REFDEF` for informations).
struct TypeEntry {
    label: String,
    reference: Option<String>,
}

/// A category of the national SUP nomenclature and what it means for a building project.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SupCategory {
    /// Its code (`AC1`, `PM3`, `I4`…).
    pub code: String,
    /// Its name in the CNIG list (`sup_categoriesup.csv`).
    pub label: String,
    /// Its effect on a building project, in plain French.
    pub effect: String,
    /// Who is consulted or must agree.
    pub consult: String,
    /// The code and articles that found it.
    pub legal_basis: String,
    /// What the wording was written from.
    pub source: String,
}

/// What a prescription or information type means for a project, and on what legal basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// The effect on a project, in plain French.
    pub effect: String,
    /// The code and articles it rests on.
    pub legal_basis: String,
    /// What the wording was written from.
    pub source: String,
}

/// The shared, lazily parsed nomenclature.
pub fn nomenclature() -> &'static Nomenclature {
    static N: OnceLock<Nomenclature> = OnceLock::new();
    N.get_or_init(|| Nomenclature {
        prescriptions: typed_list(PRESCRIPTIONS),
        informations: typed_list(INFORMATIONS),
        sup: read_sup_categories(),
        plu_effects: parse_csv(PLU_EFFECTS)
            .into_iter()
            .skip(1)
            .filter_map(|r| match r.as_slice() {
                [nature, code, sub, effect, basis, source] => Some((
                    (nature.clone(), code.clone(), sub.clone()),
                    Meaning {
                        effect: effect.clone(),
                        legal_basis: basis.clone(),
                        source: source.clone(),
                    },
                )),
                _ => None,
            })
            .collect(),
    })
}

/// The categories of `sup_categoriesup.csv` joined to their row of `sup_effets.csv` (a test checks
/// that every category has one).
fn read_sup_categories() -> Vec<SupCategory> {
    let effects: HashMap<String, Vec<String>> = parse_csv(SUP_EFFECTS)
        .into_iter()
        .skip(1)
        .filter_map(|r| Some((r.first()?.clone(), r)))
        .collect();
    parse_csv(SUP_CATEGORIES)
        .into_iter()
        .skip(1)
        .filter_map(|r| {
            let code = r.first()?.clone();
            let e = effects.get(&code);
            let field = |i: usize| e.and_then(|e| e.get(i)).cloned().unwrap_or_default();
            Some(SupCategory {
                label: r.get(1)?.clone(),
                effect: field(1),
                consult: field(2),
                legal_basis: field(3),
                source: field(4),
                code,
            })
        })
        .collect()
}

fn typed_list(text: &str) -> HashMap<(String, String), TypeEntry> {
    parse_csv(text)
        .into_iter()
        .skip(1)
        // `--` rows document codes withdrawn from the standard.
        .filter(|r| r.first().is_some_and(|c| c != "--"))
        .filter_map(|r| {
            // Some labels carry a remark for data producers on the following lines: keep the label.
            let label = r.get(2)?.lines().next()?.trim().to_string();
            let reference = r
                .get(3)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            Some((
                (r.first()?.clone(), r.get(1)?.clone()),
                TypeEntry { label, reference },
            ))
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
        lookup_typed(&self.prescriptions, code, subcode).map(|e| e.label.as_str())
    }

    /// Label of an information type (`TYPEINF`, `STYPEINF`).
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert_eq!(n.information("02", Some("00")), Some("Zone d'aménagement concerté"));
    /// ```
    pub fn information(&self, code: &str, subcode: Option<&str>) -> Option<&str> {
        lookup_typed(&self.informations, code, subcode).map(|e| e.label.as_str())
    }

    /// Whether a prescription (`information == false`) or information type is in the CNIG list
    /// exactly as written: the sub-type too, when one is given.
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert!(n.has_urba_type(false, "05", Some("00")));
    /// assert!(!n.has_urba_type(false, "05", Some("77")));
    /// ```
    pub fn has_urba_type(&self, information: bool, code: &str, subcode: Option<&str>) -> bool {
        let map = if information {
            &self.informations
        } else {
            &self.prescriptions
        };
        map.contains_key(&(code.to_string(), subcode.unwrap_or("00").to_string()))
    }

    /// What a prescription (`information == false`) or information type means for a project: the
    /// row of `plu_effets.csv` for its sub-type, else for its family; else, honestly, "read the
    /// regulation", with the article the CNIG list gives for the type when it gives one.
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// let ebc = n.urba_meaning(false, "01", Some("02"));
    /// assert!(ebc.effect.contains("défrichement est interdit"));
    /// assert!(ebc.legal_basis.contains("L113-2"));
    /// let height = n.urba_meaning(false, "39", Some("02"));
    /// assert!(height.effect.contains("à lire dans le règlement"));
    /// ```
    pub fn urba_meaning(&self, information: bool, code: &str, subcode: Option<&str>) -> Meaning {
        let nature = if information { "INF" } else { "PSC" };
        let row = |sub: &str| {
            self.plu_effects
                .get(&(nature.to_string(), code.to_string(), sub.to_string()))
        };
        if let Some(m) = subcode.and_then(row).or_else(|| row("")) {
            return m.clone();
        }
        let (list, list_name, column) = if information {
            (&self.informations, "InformationUrbaType", "REFDEF")
        } else {
            (&self.prescriptions, "PrescriptionUrbaType", "REFLOI")
        };
        let reference = lookup_typed(list, code, subcode).and_then(|e| e.reference.as_deref());
        let legal_basis = match reference {
            // The prescription list gives bare articles of the code de l'urbanisme; the
            // information list names the code after the article.
            Some(r) if information => format!("art. {r}"),
            Some(r) => format!("Code de l'urbanisme, art. {r}"),
            None => "non précisée par la nomenclature CNIG : voir le règlement".into(),
        };
        Meaning {
            effect: "Effet à lire dans le règlement du document : ce type n'a pas d'effet général en dehors de ce que le règlement en dit.".into(),
            legal_basis,
            source: format!("Nomenclature CNIG {list_name} ({column})"),
        }
    }

    /// Label of a SUP category; `None` for the codes the list has no label for (EL1, PT4…).
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert!(n.sup_category("AC1").unwrap().contains("monuments historiques"));
    /// assert_eq!(n.sup_category("PT4"), None);
    /// ```
    pub fn sup_category(&self, code: &str) -> Option<&str> {
        self.sup_entry(code).map(|c| c.label.as_str())
    }

    /// A SUP category with what it means; `None` for the codes the list does not name (the seven
    /// codes of the CNIG SHP list missing from the category table: EL1, EL12, EL2, I1bis, I8,
    /// PT4, T8).
    ///
    /// ```
    /// let n = urbaclic::nomenclature::nomenclature();
    /// assert!(n.sup_entry("AC1").unwrap().consult.contains("Architecte des Bâtiments de France"));
    /// assert!(n.sup_entry("I8").is_none());
    /// ```
    pub fn sup_entry(&self, code: &str) -> Option<&SupCategory> {
        self.sup.iter().find(|c| c.code == code)
    }

    /// Every SUP category of the national nomenclature, in its order.
    pub fn sup_categories(&self) -> &[SupCategory] {
        &self.sup
    }
}

fn lookup_typed<'a>(
    map: &'a HashMap<(String, String), TypeEntry>,
    code: &str,
    subcode: Option<&str>,
) -> Option<&'a TypeEntry> {
    let sub = subcode.unwrap_or("00");
    map.get(&(code.to_string(), sub.to_string()))
        .or_else(|| map.get(&(code.to_string(), "00".to_string())))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegulationEffect {
    /// Building is forbidden (save listed exceptions).
    Ban,
    /// Building is allowed under conditions.
    Conditions,
    /// Recommendations or information only.
    Advice,
    /// A land measure (PPRT secteur de délaissement or d'expropriation): about the property, not
    /// about building; the rules for building are those of the plan's urbanism zoning.
    #[serde(rename = "land_measure")]
    LandMeasure,
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

    #[test]
    fn every_effect_row_is_read() {
        // Data rows of the two tables (header excluded), counted with python's csv module.
        assert_eq!(nomenclature().plu_effects.len(), 25);
        assert_eq!(parse_csv(SUP_EFFECTS).len() - 1, 65);
    }
}
