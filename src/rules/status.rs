//! The planning status of a place: which document applies (PLU, PLUi, CC, POS, PSMV), the national
//! rules (RNU) where the data is declared complete and there is none, or "unknown" where no
//! planning data is loaded — never RNU by default.

use serde::Serialize;

use super::french_date;
use crate::dataset::Dataset;
use crate::model::{Commune, PlanDocument};

/// The planning regime that applies.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanningStatus {
    /// `PLU`, `PLUi`, `CC`, `POS`, `PSMV`, `RNU`, or `inconnu`.
    pub kind: String,
    /// A sentence explaining it to a non-specialist.
    pub label: String,
    pub idurba: Option<String>,
    /// SIREN of the EPCI for an intercommunal plan.
    pub epci: Option<String>,
}

/// The document listing this commune in `DOC_URBA_COM`, if any.
pub fn document_for_commune(data: &Dataset, commune: Option<&Commune>) -> Option<usize> {
    let insee = &commune?.insee;
    data.documents
        .iter()
        .position(|d| d.communes.iter().any(|c| c == insee))
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

/// The status for a commune given the document found (if any) and whether planning data covers it.
pub fn planning_status(
    data: &Dataset,
    commune: Option<&Commune>,
    document: Option<&PlanDocument>,
    planning_covered: bool,
) -> PlanningStatus {
    if let Some(d) = document {
        let epci = (d.typedoc == "PLUi")
            .then(|| d.siren.clone().or_else(|| siren_from_idurba(&d.idurba)))
            .flatten();
        let mut label = format!("Le {} s'applique", typedoc_name(&d.typedoc));
        if let Some(siren) = &epci {
            label.push_str(&format!(" (EPCI {siren})"));
        }
        if let Some(date) = &d.datappro {
            label.push_str(&format!(", approuvé le {}", french_date(date)));
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
    let declared_complete = commune.is_some_and(|c| {
        data.planning_complete_communes
            .iter()
            .any(|x| x == &c.insee)
    });
    if declared_complete {
        return PlanningStatus {
            kind: "RNU".into(),
            label: "Aucun document d'urbanisme ne couvre cette commune : le règlement national d'urbanisme (RNU) s'applique. La construction y est en principe limitée aux parties actuellement urbanisées (article L111-3 du code de l'urbanisme).".into(),
            idurba: None,
            epci: None,
        };
    }
    let label = if planning_covered {
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
