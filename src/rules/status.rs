//! The planning status of a place: which document applies (PLU, PLUi, CC, POS, PSMV), the national
//! rules (RNU) where the data is declared complete and there is none, or "unknown" where no
//! planning data is loaded — never RNU by default.

use serde::Serialize;

use super::facts::Facts;
use super::sentence::french_date;

/// The planning regime that applies.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PlanningStatus {
    /// `PLU`, `PLUi`, `CC`, `POS`, `PSMV`, `RNU`, or `inconnu`.
    pub kind: String,
    /// A sentence explaining it to a non-specialist.
    pub label: String,
    /// `IDURBA` of the document, when one applies.
    pub idurba: Option<String>,
    /// SIREN of the EPCI for an intercommunal plan.
    pub epci: Option<String>,
}

/// Long French name of a document type.
pub fn typedoc_name(typedoc: &str) -> &'static str {
    match typedoc {
        "PLU" => "plan local d'urbanisme (PLU)",
        "PLUi" => "plan local d'urbanisme intercommunal (PLUi)",
        "CC" => "carte communale",
        "POS" => "plan d'occupation des sols (POS)",
        "PSMV" => "plan de sauvegarde et de mise en valeur (PSMV)",
        _ => "document d'urbanisme",
    }
}

/// How French speaks of a document type: a carte communale is feminine, the plans masculine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentWords {
    /// `Le` or `La`, to start a sentence.
    pub the: &'static str,
    /// `du` or `de la`.
    pub of_the: &'static str,
    /// `approuvé` or `approuvée`.
    pub approved: &'static str,
}

/// The words agreeing with `typedoc`.
///
/// ```
/// use urbaclic::rules::status::document_words;
/// assert_eq!(document_words("CC").of_the, "de la");
/// assert_eq!(document_words("PLUi").approved, "approuvé");
/// ```
pub fn document_words(typedoc: &str) -> DocumentWords {
    if typedoc == "CC" {
        DocumentWords {
            the: "La",
            of_the: "de la",
            approved: "approuvée",
        }
    } else {
        DocumentWords {
            the: "Le",
            of_the: "du",
            approved: "approuvé",
        }
    }
}

/// The status for a place given the document found (if any) and whether planning data covers it.
pub fn planning_status(facts: &Facts<'_>) -> PlanningStatus {
    if let Some(d) = facts.document {
        let epci = (d.typedoc == "PLUi")
            .then(|| d.siren.clone().or_else(|| siren_from_idurba(&d.idurba)))
            .flatten();
        let words = document_words(&d.typedoc);
        let mut label = format!("{} {} s'applique", words.the, typedoc_name(&d.typedoc));
        if let Some(siren) = &epci {
            label.push_str(&format!(" (EPCI {siren})"));
        }
        if let Some(date) = &d.datappro {
            label.push_str(&format!(", {} le {}", words.approved, french_date(date)));
        }
        label.push('.');
        if d.typedoc == "POS" {
            label.push_str(" Attention : les POS non transformés en PLU sont devenus caducs ; vérifiez le document en vigueur.");
        }
        return PlanningStatus {
            kind: d.typedoc.clone(),
            label,
            idurba: Some(d.idurba.clone()),
            epci,
        };
    }
    if facts.planning_declared_complete {
        return PlanningStatus {
            kind: "RNU".into(),
            label: "Aucun document d'urbanisme ne couvre cette commune : le règlement national d'urbanisme (RNU) s'applique. La construction y est en principe limitée aux parties actuellement urbanisées (article L111-3 du code de l'urbanisme).".into(),
            idurba: None,
            epci: None,
        };
    }
    let label = if facts.covered.planning {
        "Des données d'urbanisme sont chargées ici mais aucun document ne s'y rattache : le régime applicable ne peut pas être établi avec ces données."
    } else {
        "Aucune donnée d'urbanisme n'est chargée pour ce lieu : le document applicable (PLU, carte communale ou RNU) ne peut pas être déterminé ici. Consultez le Géoportail de l'Urbanisme ou la mairie."
    };
    PlanningStatus {
        kind: "inconnu".into(),
        label: label.into(),
        idurba: None,
        epci: None,
    }
}

/// `241800432_PLUI_20200128` → `241800432`.
fn siren_from_idurba(idurba: &str) -> Option<String> {
    let first = idurba.split('_').next()?;
    (first.len() == 9 && first.chars().all(|c| c.is_ascii_digit())).then(|| first.to_string())
}
