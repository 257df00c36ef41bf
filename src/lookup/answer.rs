//! Point lookup: intersect a WGS84 point with every layer of a [`Dataset`].
//!
//! The answer says, for each layer family, what is here *and* whether the loaded data covers this
//! place at all ([`CoverageOut`]): "no zone here" and "no data here" are different answers.

use geo::Point;
use serde::Serialize;

use crate::dataset::{CoverageLayer, Dataset};
use crate::model::{ActeSup, Commune, Parcel, PlanDocument, RiskPlanKind};
use crate::nomenclature::{
    destdomi_label, nomenclature, regulation, typesect_label, typezone_label, RegulationEffect,
};

/// Tolerance, in metres, within which line and point features (linear prescriptions, SUP assiettes
/// L/P) count as "at" the point: about the accuracy of a click on a 1:1000 map.
pub const LINE_TOLERANCE_M: f64 = 5.0;

/// Where a piece of an answer comes from: the layer file and the feature number in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceRef {
    pub layer: &'static str,
    pub id: String,
}

/// The full answer for one point.
#[derive(Debug, Clone, Serialize)]
pub struct LookupAnswer {
    pub lon: f64,
    pub lat: f64,
    pub commune: Option<Commune>,
    pub parcel: Option<Parcel>,
    pub document: Option<DocumentOut>,
    pub zones: Vec<ZoneOut>,
    pub prescriptions: Vec<UrbaFeatureOut>,
    pub informations: Vec<UrbaFeatureOut>,
    pub servitudes: Vec<ServitudeOut>,
    pub risks: Vec<RiskOut>,
    pub coverage: CoverageOut,
    /// Tolerance used for line and point features, in metres.
    pub tolerance_m: f64,
}

/// A planning document as answered.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentOut {
    #[serde(flatten)]
    pub document: PlanDocument,
    /// Regulation text: `urlreg` when the data gives one, else the file name.
    pub reglement: Option<String>,
}

/// A zone as answered, with the meaning of its codes.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneOut {
    pub libelle: String,
    pub libelong: Option<String>,
    pub typezone: String,
    pub typezone_label: Option<&'static str>,
    pub destdomi: Option<String>,
    pub destdomi_label: Option<&'static str>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    pub idurba: Option<String>,
    pub source: SourceRef,
}

/// A prescription or information as answered.
#[derive(Debug, Clone, Serialize)]
pub struct UrbaFeatureOut {
    /// Type code (`TYPEPSC`/`TYPEINF`) and sub-type.
    pub code: String,
    pub subcode: Option<String>,
    /// Label of the type in the CNIG code list.
    pub label: Option<&'static str>,
    pub libelle: String,
    pub txt: Option<String>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    pub source: SourceRef,
}

/// An easement as answered.
#[derive(Debug, Clone, Serialize)]
pub struct ServitudeOut {
    pub categorie: String,
    pub categorie_label: Option<&'static str>,
    pub id_ass: String,
    pub nom_ass: Option<String>,
    pub type_ass: Option<String>,
    pub id_gen: Option<String>,
    pub nom_gen: Option<String>,
    pub type_gen: Option<String>,
    pub id_sup: Option<String>,
    pub nom_sup: Option<String>,
    pub nom_sup_litt: Option<String>,
    pub acte: Option<ActeSup>,
    pub source: SourceRef,
}

/// A risk-plan zone as answered.
#[derive(Debug, Clone, Serialize)]
pub struct RiskOut {
    pub procedure: String,
    pub kind: RiskPlanKind,
    pub plan: String,
    pub plan_date: Option<String>,
    pub zone_code: String,
    pub zone_label: String,
    pub regulation: Option<String>,
    pub regulation_label: Option<&'static str>,
    pub effect: RegulationEffect,
    pub url: Option<String>,
    pub source: SourceRef,
}

/// Whether the loaded data covers the point, per layer family, and which sources do.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CoverageOut {
    pub commune: bool,
    pub cadastre: bool,
    pub planning: bool,
    pub servitudes: bool,
    pub risks: bool,
    pub sources: Vec<crate::dataset::Coverage>,
}

fn source(layer: &'static str, origin: &crate::model::Origin) -> SourceRef {
    SourceRef {
        layer,
        id: origin.id(),
    }
}

/// Intersects `(lon, lat)` (WGS84 degrees, assumed valid) with every layer.
pub fn lookup(data: &Dataset, lon: f64, lat: f64) -> LookupAnswer {
    let p = Point::new(lon, lat);
    let n = nomenclature();
    let commune = data.communes.at(p, 0.0).map(|(_, c)| c.clone()).next();
    let parcel = data.parcels.at(p, 0.0).map(|(_, c)| c.clone()).next();
    let zones_hit: Vec<_> = data.zones.at(p, 0.0).map(|(_, z)| z).collect();
    let zones = zones_hit
        .iter()
        .map(|z| {
            let is_sector = z.origin.file.to_ascii_uppercase().contains("SECTEUR_CC");
            ZoneOut {
                libelle: z.libelle.clone(),
                libelong: z.libelong.clone(),
                typezone: z.typezone.clone(),
                typezone_label: if is_sector {
                    typesect_label(&z.typezone)
                } else {
                    typezone_label(&z.typezone)
                },
                destdomi: z.destdomi.clone(),
                destdomi_label: z.destdomi.as_deref().and_then(destdomi_label),
                nomfic: z.nomfic.clone(),
                urlfic: z.urlfic.clone(),
                idurba: z.idurba.clone(),
                source: source("zone_urba", &z.origin),
            }
        })
        .collect();
    let urba = |layer: &'static str, f: &crate::model::UrbaFeature| {
        let label = match f.kind {
            crate::model::UrbaFeatureKind::Prescription => {
                n.prescription(&f.code, f.subcode.as_deref())
            }
            crate::model::UrbaFeatureKind::Information => {
                n.information(&f.code, f.subcode.as_deref())
            }
        };
        UrbaFeatureOut {
            code: f.code.clone(),
            subcode: f.subcode.clone(),
            label,
            libelle: f.libelle.clone(),
            txt: f.txt.clone(),
            nomfic: f.nomfic.clone(),
            urlfic: f.urlfic.clone(),
            source: source(layer, &f.origin),
        }
    };
    let prescriptions = data
        .prescriptions
        .at(p, LINE_TOLERANCE_M)
        .map(|(_, f)| urba("prescription", f))
        .collect();
    let informations = data
        .informations
        .at(p, LINE_TOLERANCE_M)
        .map(|(_, f)| urba("information", f))
        .collect();
    let servitudes = data
        .servitudes
        .at(p, LINE_TOLERANCE_M)
        .map(|(_, s)| ServitudeOut {
            categorie: s.categorie.clone(),
            categorie_label: n.sup_category(&s.categorie),
            id_ass: s.id_ass.clone(),
            nom_ass: s.nom_ass.clone(),
            type_ass: s.type_ass.clone(),
            id_gen: s.id_gen.clone(),
            nom_gen: s.nom_gen.clone(),
            type_gen: s.type_gen.clone(),
            id_sup: s.id_sup.clone(),
            nom_sup: s.nom_sup.clone(),
            nom_sup_litt: s.nom_sup_litt.clone(),
            acte: s.acte.clone(),
            source: source("assiette_sup", &s.origin),
        })
        .collect();
    let risks = data
        .risk_zones
        .at(p, LINE_TOLERANCE_M)
        .map(|(_, z)| {
            let plan = &data.risk_plans[z.plan];
            let (label, effect) = z
                .regulation
                .as_deref()
                .map(regulation)
                .map(|(l, e)| (Some(l), e))
                .unwrap_or((None, RegulationEffect::Unknown));
            RiskOut {
                procedure: plan.code.clone(),
                kind: plan.kind,
                plan: plan.name.clone(),
                plan_date: plan.date.clone(),
                zone_code: z.code.clone(),
                zone_label: z.label.clone(),
                regulation: z.regulation.clone(),
                regulation_label: label,
                effect,
                url: z.url.clone().or_else(|| plan.url.clone()),
                source: source("zone_risque", &z.origin),
            }
        })
        .collect();
    let sources: Vec<_> = data.coverage.at(p, 0.0).map(|(_, c)| c.clone()).collect();
    let covered = |layer: CoverageLayer| sources.iter().any(|c| c.layer == layer);
    let document = zones_hit
        .iter()
        .find_map(|z| z.document)
        .or_else(|| {
            sources
                .iter()
                .filter(|c| c.layer == CoverageLayer::Planning)
                .find_map(|c| data.documents.iter().position(|d| d.idurba == c.source))
        })
        .map(|i| {
            let d = data.documents[i].clone();
            DocumentOut {
                reglement: d.urlreg.clone().or_else(|| d.nomreg.clone()),
                document: d,
            }
        });
    let coverage = CoverageOut {
        commune: commune.is_some(),
        cadastre: parcel.is_some() || covered(CoverageLayer::Cadastre),
        planning: !zones_hit.is_empty() || covered(CoverageLayer::Planning),
        servitudes: covered(CoverageLayer::Servitudes),
        risks: covered(CoverageLayer::Risks),
        sources,
    };
    LookupAnswer {
        lon,
        lat,
        commune,
        parcel,
        document,
        zones,
        prescriptions,
        informations,
        servitudes,
        risks,
        coverage,
        tolerance_m: LINE_TOLERANCE_M,
    }
}
