//! Regulatory zones of risk-prevention plans (PPRN, PPRT, PPRM; CNIG PPR and COVADIS): the
//! urbanism zoning (rules for building) and the land-measure zoning of PPRT (secteurs de
//! délaissement and d'expropriation possibles).

use geo::Rect;
use geojson::JsonObject;
use serde::Serialize;
use serde_json::json;

use super::{props, source, Answered, Family, LayerInfo};
use crate::dataset::Dataset;
use crate::index::SpatialLayer;
use crate::model::{RiskPlanKind, RiskZone, RiskZoneKind};
use crate::nomenclature::{regulation, RegulationEffect};
use crate::rules::{french_date, share_text, Context, Hit, HitFinding, SentenceKind, SourceRef};

/// The risk-zones family.
pub struct Risks;

/// A risk-plan zone as answered.
///
/// Its fields are the public JSON (`docs/api.md`), kept apart from the model's on purpose: the
/// model's internal links (origin, geometry, table indices) stay out, labels and the hit come in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskOut {
    /// GASPAR code of the procedure (`38DDT20200002`).
    pub procedure: String,
    /// Natural, technological, mining or other.
    pub kind: RiskPlanKind,
    /// Name of the plan.
    pub plan: String,
    /// The plan's approval date, ISO, when the source gives one.
    pub plan_date: Option<String>,
    /// The plan's state in words (`approuvé`…), when the source gives it.
    pub plan_state: Option<String>,
    /// The hazards the plan regulates, from its procedure kind (`risques naturels`…).
    pub hazard: &'static str,
    /// Which zoning: `urba` (rules for building) or `foncier` (land measures of a PPRT).
    pub zone_kind: RiskZoneKind,
    /// Zone code (`codezonereglement`).
    pub zone_code: String,
    /// Zone label (`libellezonereglement`).
    pub zone_label: String,
    /// Regulation type code as in the source (`typereglement` / `typereg`).
    pub regulation: Option<String>,
    /// Label of that code; `None` when the code is unknown or absent.
    pub regulation_label: Option<&'static str>,
    /// What the regulation means for building (ban, conditions, advice), from the code.
    pub effect: RegulationEffect,
    /// What the regulation type means for a project, in plain French.
    pub meaning: &'static str,
    /// The articles risk plans of this kind rest on (for a land measure, the articles of that
    /// measure).
    pub legal_basis: Option<&'static str>,
    /// The zone's link, else the plan's.
    pub url: Option<String>,
    /// SUP category under which the same plan is also published (PM1, PM3), shown here once.
    pub also_servitude: Option<String>,
    /// At the point, or area and share on a parcel/footprint.
    #[serde(flatten)]
    pub hit: Hit,
    /// The zone's layer and `file#feature`.
    pub source: SourceRef,
    /// The feature's whole geometry (WGS84, 6 decimals, RFC 7946 winding), only when the lookup
    /// is asked with `geometry=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<geojson::Geometry>,
}

impl Family for Risks {
    type Feature = RiskZone;
    type Layer = SpatialLayer<RiskZone>;

    fn info(&self, _: &Dataset) -> LayerInfo {
        LayerInfo::new("risks", "Zones de risque (PPR)", "risks")
    }

    fn layer<'d>(&self, data: &'d Dataset) -> &'d SpatialLayer<RiskZone> {
        &data.risk_zones
    }

    fn map_properties(&self, data: &Dataset, z: &RiskZone, _: Rect<f64>) -> JsonObject {
        let plan = data.risk_plans.get(z.plan);
        let r = plan.map(|p| reading(z, p.kind));
        props(json!({
            "procedure": plan.map(|p| &p.code), "kind": plan.map(|p| p.kind),
            "plan": plan.map(|p| &p.name), "zone_kind": z.kind, "zone_code": z.code,
            "zone_label": z.label, "regulation": z.regulation,
            "regulation_label": r.as_ref().and_then(|r| r.label),
            "effect": r.as_ref().map(|r| r.effect),
        }))
    }
}

impl Answered for Risks {
    type Item = RiskOut;

    fn item(&self, data: &Dataset, z: &RiskZone, hit: Hit) -> RiskOut {
        let plan = &data.risk_plans[z.plan];
        let r = reading(z, plan.kind);
        RiskOut {
            procedure: plan.code.clone(),
            kind: plan.kind,
            plan: plan.name.clone(),
            plan_date: plan.date.clone(),
            plan_state: plan.state.clone(),
            hazard: hazard(plan.kind),
            zone_kind: z.kind,
            zone_code: z.code.clone(),
            zone_label: z.label.clone(),
            regulation: z.regulation.clone(),
            regulation_label: r.label,
            effect: r.effect,
            meaning: r.meaning,
            legal_basis: r.legal_basis,
            url: z.url.clone().or_else(|| plan.url.clone()),
            also_servitude: None,
            hit,
            source: source("zone_risque", &z.origin),
            geometry: None,
        }
    }
}

impl HitFinding for RiskOut {
    fn hit(&self) -> &Hit {
        &self.hit
    }

    fn source(&self) -> &SourceRef {
        &self.source
    }

    fn marginal_name(&self) -> String {
        format!("zone {} du {}", self.zone_code, self.plan)
    }

    fn sentence(&self, ctx: &Context<'_>) -> (SentenceKind, String) {
        let mut text = format!("{} ({}", self.plan, self.hazard);
        match (&self.plan_state, &self.plan_date) {
            (Some(state), Some(date)) => {
                text.push_str(&format!(", {state} le {}", french_date(date)));
            }
            (Some(state), None) => text.push_str(&format!(", {state}")),
            (None, Some(date)) => text.push_str(&format!(", plan du {}", french_date(date))),
            (None, None) => {}
        }
        text.push_str(&format!(") — zone {}", self.zone_code));
        text.push_str(&share_text(self.hit.share_pct(), ctx.scope));
        // CNIG labels often repeat the regulation type and the code ("Zone d'interdiction stricte
        // - R3"): said once, by the label, when it is there.
        if !self.zone_label.is_empty() {
            text.push_str(&format!(" : {}", self.zone_label));
        }
        if let Some(sup) = &self.also_servitude {
            text.push_str(&format!(" (également servitude {sup})"));
        }
        text.push_str(". ");
        if let Some(l) = self.regulation_label {
            let what = match self.zone_kind {
                RiskZoneKind::Urba => "Règlement",
                RiskZoneKind::Foncier => "Mesure foncière",
            };
            text.push_str(&format!("{what} de type « {l} » : "));
        }
        text.push_str(self.meaning);
        if let Some(basis) = self.legal_basis {
            text.push_str(&format!(" ({basis})"));
        }
        text.push('.');
        if let Some(u) = &self.url {
            text.push_str(&format!(" Règlement : {u}."));
        }
        let kind = if self.effect == RegulationEffect::Ban {
            SentenceKind::Ban
        } else {
            SentenceKind::Condition
        };
        (kind, text)
    }
}

/// The hazards a plan regulates, as its procedure kind says (the plans' own hazard tables are not
/// read).
pub fn hazard(kind: RiskPlanKind) -> &'static str {
    match kind {
        RiskPlanKind::Pprn => "risques naturels",
        RiskPlanKind::Pprt => "risques technologiques",
        RiskPlanKind::Pprm => "risques miniers",
        RiskPlanKind::Other => "risques (plan hors standard PPR)",
    }
}

/// How a zone's regulation code reads: its label in the CNIG list of its zoning, its effect,
/// what that means for a project and the articles it rests on.
struct Reading {
    label: Option<&'static str>,
    effect: RegulationEffect,
    meaning: &'static str,
    legal_basis: Option<&'static str>,
}

fn reading(z: &RiskZone, plan: RiskPlanKind) -> Reading {
    let code = z.regulation.as_deref();
    let land = match z.kind {
        RiskZoneKind::Foncier => code.and_then(land_measure),
        RiskZoneKind::Urba => None,
    };
    if let Some(m) = land {
        return Reading {
            label: Some(m.label),
            effect: RegulationEffect::LandMeasure,
            meaning: m.meaning,
            // The articles named are those of PPRT sectors; other plans keep their own basis.
            legal_basis: if plan == RiskPlanKind::Pprt {
                Some(m.pprt_basis)
            } else {
                legal_basis(plan)
            },
        };
    }
    let (label, effect) = match (z.kind, code) {
        (RiskZoneKind::Urba, Some(c)) => {
            let (l, e) = regulation(c);
            (Some(l), e)
        }
        _ => (None, RegulationEffect::Unknown),
    };
    Reading {
        label,
        effect,
        meaning: meaning(effect),
        legal_basis: legal_basis(plan),
    }
}

/// A code of the CNIG PPR list `typereglementfoncier`.
struct LandMeasure {
    label: &'static str,
    meaning: &'static str,
    pprt_basis: &'static str,
}

/// The CNIG PPR list `typereglementfoncier`: codes and labels from the Géostandard Risques — profil
/// applicatif PPR v1.0 (github.com/cnigfr/Geostandards-Risques, branch `v1.0-cnig`, commit
/// da43bfe9, `standards/Geostandards-risques-ppr/Document.md`, « Table d'énumération
/// typereglementfoncier »: `01` Délaissement possible, `02` Expropriation possible); the meaning
/// follows the standard's description of the enumeration `TypeReglementFoncier`; the articles are
/// those the code de l'environnement names for each PPRT sector (art. L515-16, 2° a) and b),
/// Légifrance LEGISCTA000006176606).
fn land_measure(code: &str) -> Option<LandMeasure> {
    match code {
        "01" => Some(LandMeasure {
            label: "délaissement possible",
            meaning: "secteur où la collectivité compétente en matière d'urbanisme peut instaurer \
                      par arrêté des mesures de délaissement ; les règles de construction sont \
                      celles de la zone réglementaire d'urbanisme du plan au même endroit",
            pprt_basis: "code de l'environnement, art. L515-16 (2° a), L515-16-3 et L515-16-5 à \
                         L515-16-7",
        }),
        "02" => Some(LandMeasure {
            label: "expropriation possible",
            meaning: "secteur où la collectivité compétente en matière d'urbanisme ou le préfet \
                      peut engager une expropriation pour cause d'utilité publique ; les règles \
                      de construction sont celles de la zone réglementaire d'urbanisme du plan au \
                      même endroit",
            pprt_basis: "code de l'environnement, art. L515-16 (2° b) et L515-16-3 à L515-16-7",
        }),
        _ => None,
    }
}

/// What a regulation type means for a project. The plan's own regulation decides the details.
fn meaning(effect: RegulationEffect) -> &'static str {
    match effect {
        RegulationEffect::Ban => {
            "construire y est interdit, sauf les exceptions que le règlement du plan énumère"
        }
        RegulationEffect::Conditions => {
            "construire y est possible en respectant les prescriptions du règlement du plan"
        }
        RegulationEffect::Advice => "le plan n'y fixe que des recommandations",
        // Land measures carry their own meaning (`land_measure`); an unknown code reads as one.
        RegulationEffect::LandMeasure | RegulationEffect::Unknown => {
            "le type de règlement n'est pas renseigné : lire le règlement du plan"
        }
    }
}

/// The articles that make a plan's regulation binding on building permits.
fn legal_basis(kind: RiskPlanKind) -> Option<&'static str> {
    match kind {
        RiskPlanKind::Pprn => Some("code de l'environnement, art. L562-1 et L562-4"),
        RiskPlanKind::Pprt => Some("code de l'environnement, art. L515-15 et L515-16"),
        RiskPlanKind::Pprm => Some("code minier, art. L174-5"),
        RiskPlanKind::Other => None,
    }
}
