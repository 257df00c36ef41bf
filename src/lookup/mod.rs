//! Lookup: everything that applies at a point, on a parcel or over a project footprint.
//!
//! A point that falls in a parcel is answered for the whole parcel (an instructor asks about a plot,
//! not a pixel); a point on no parcel is answered at the point, with the nearest parcel offered.
//! Every layer family also says whether the loaded data covers the place ([`CoverageOut`]): "no zone
//! here" and "no data here" are different answers.

pub mod answer;

use geo::{InteriorPoint, Point};

pub use answer::*;

use crate::analysis::Footprint;
use crate::dataset::{Coverage, CoverageLayer, Dataset};
use crate::geometry::distance_m;
use crate::index::{HasGeometry, SpatialLayer};
use crate::model::{Origin, RiskZone, Servitude, UrbaFeature, UrbaFeatureKind, ZoneUrba};
use crate::nomenclature::{
    destdomi_label, nomenclature, regulation, typesect_label, typezone_label, RegulationEffect,
};
use crate::rules::{status, summary};

/// Tolerance, in metres, within which line and point features (linear prescriptions, SUP assiettes
/// L/P) count as meeting a point: about the accuracy of a click on a 1:1000 map.
pub const LINE_TOLERANCE_M: f64 = 5.0;

/// How far to look for the nearest parcel of a point on the street.
pub const NEAREST_PARCEL_MAX_M: f64 = 50.0;

/// What to analyse.
enum Target<'a> {
    Point(Point<f64>),
    Area(&'a Footprint<'a>, Point<f64>),
}

impl Target<'_> {
    fn point(&self) -> Point<f64> {
        match self {
            Target::Point(p) | Target::Area(_, p) => *p,
        }
    }

    /// Features of `layer` meeting the target, with how they meet it.
    fn hits<'l, T: HasGeometry>(
        &self,
        layer: &'l SpatialLayer<T>,
        tolerance_m: f64,
    ) -> Vec<(&'l T, Hit)> {
        let p = self.point();
        match self {
            Target::Point(_) => layer
                .at(p, tolerance_m)
                .map(|(_, f)| {
                    (
                        f,
                        Hit {
                            at_point: true,
                            overlap: None,
                        },
                    )
                })
                .collect(),
            Target::Area(fp, _) => {
                let under: Vec<usize> = layer.at(p, tolerance_m).map(|(i, _)| i).collect();
                fp.overlaps(layer, tolerance_m)
                    .into_iter()
                    .map(|(i, f, o)| {
                        (
                            f,
                            Hit {
                                at_point: under.contains(&i),
                                overlap: Some(o),
                            },
                        )
                    })
                    .collect()
            }
        }
    }
}

/// What meets a point or an area, borrowed from the dataset: the work a spatial database query
/// does, before any answer is written (see [`find_at`]).
pub struct Found<'a> {
    pub zones: Vec<(&'a ZoneUrba, Hit)>,
    pub prescriptions: Vec<(&'a UrbaFeature, Hit)>,
    pub informations: Vec<(&'a UrbaFeature, Hit)>,
    pub servitudes: Vec<(&'a Servitude, Hit)>,
    pub risks: Vec<(&'a RiskZone, Hit)>,
    pub coverage: Vec<&'a Coverage>,
}

impl<'a> Found<'a> {
    fn new(data: &'a Dataset, target: &Target<'_>) -> Found<'a> {
        Found {
            zones: target.hits(&data.zones, 0.0),
            prescriptions: target.hits(&data.prescriptions, LINE_TOLERANCE_M),
            informations: target.hits(&data.informations, LINE_TOLERANCE_M),
            servitudes: target.hits(&data.servitudes, LINE_TOLERANCE_M),
            risks: target.hits(&data.risk_zones, LINE_TOLERANCE_M),
            coverage: target
                .hits(&data.coverage, 0.0)
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
        }
    }
}

/// The features at a point in every layer, without analysing the parcel or writing an answer:
/// the core that [`lookup`] builds on, and what benchmarks compare with a spatial database.
pub fn find_at(data: &Dataset, lon: f64, lat: f64) -> Found<'_> {
    Found::new(data, &Target::Point(Point::new(lon, lat)))
}

/// Everything that applies at `(lon, lat)` (WGS84 degrees, assumed in range): the parcel under the
/// point when there is one, else the point itself.
pub fn lookup(data: &Dataset, lon: f64, lat: f64) -> LookupAnswer {
    let p = Point::new(lon, lat);
    let parcel = data.parcels.at(p, 0.0).map(|(i, _)| i).next();
    match parcel.and_then(|i| {
        let parcel = data.parcels.get(i)?;
        Some((
            parcel,
            Footprint::prepared(&parcel.geometry, data.parcels.prepared(i)?)?,
        ))
    }) {
        Some((parcel, fp)) => answer(data, Target::Area(&fp, p), Some(parcel), ScopeKind::Parcel),
        None => answer(data, Target::Point(p), None, ScopeKind::Point),
    }
}

/// The analysis of one parcel by its 14-character id; `None` when unknown.
pub fn lookup_parcel(data: &Dataset, id: &str) -> Option<LookupAnswer> {
    let i = data.parcel_index(id)?;
    let parcel = data.parcels.get(i)?;
    let fp = Footprint::prepared(&parcel.geometry, data.parcels.prepared(i)?)?;
    let p = parcel.geometry.interior_point()?;
    Some(answer(
        data,
        Target::Area(&fp, p),
        Some(parcel),
        ScopeKind::Parcel,
    ))
}

/// The analysis of a project footprint (see [`Footprint::new`]).
pub fn lookup_footprint(data: &Dataset, fp: &Footprint) -> Option<LookupAnswer> {
    let p = fp.geometry.interior_point()?;
    Some(answer(
        data,
        Target::Area(fp, p),
        None,
        ScopeKind::Footprint,
    ))
}

fn source(layer: &'static str, origin: &Origin) -> SourceRef {
    SourceRef {
        layer,
        id: origin.id(),
    }
}

fn answer(
    data: &Dataset,
    target: Target<'_>,
    parcel: Option<&crate::model::Parcel>,
    kind: ScopeKind,
) -> LookupAnswer {
    let p = target.point();
    let found = Found::new(data, &target);
    let n = nomenclature();
    let commune = data.communes.at(p, 0.0).map(|(_, c)| c).next();
    let zones_hit = found.zones;
    let zones: Vec<ZoneOut> = zones_hit
        .iter()
        .map(|(z, hit)| {
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
                reglement: z.urlfic.clone().or_else(|| z.nomfic.clone()),
                idurba: z.idurba.clone(),
                hit: *hit,
                source: source("zone_urba", &z.origin),
            }
        })
        .collect();
    let urba = |layer: &'static str, (f, hit): (&UrbaFeature, Hit)| {
        let label = match f.kind {
            UrbaFeatureKind::Prescription => n.prescription(&f.code, f.subcode.as_deref()),
            UrbaFeatureKind::Information => n.information(&f.code, f.subcode.as_deref()),
        };
        UrbaFeatureOut {
            code: f.code.clone(),
            subcode: f.subcode.clone(),
            label,
            libelle: f.libelle.clone(),
            txt: f.txt.clone(),
            nomfic: f.nomfic.clone(),
            urlfic: f.urlfic.clone(),
            reglement: f.urlfic.clone().or_else(|| f.nomfic.clone()),
            hit,
            source: source(layer, &f.origin),
        }
    };
    let prescriptions = found
        .prescriptions
        .into_iter()
        .map(|h| urba("prescription", h))
        .collect();
    let informations = found
        .informations
        .into_iter()
        .map(|h| urba("information", h))
        .collect();
    let mut risks: Vec<RiskOut> = found
        .risks
        .into_iter()
        .map(|(z, hit)| {
            let plan = &data.risk_plans[z.plan];
            let (label, effect) = match z.regulation.as_deref().map(regulation) {
                Some((l, e)) => (Some(l), e),
                None => (None, RegulationEffect::Unknown),
            };
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
                also_servitude: None,
                hit,
                source: source("zone_risque", &z.origin),
            }
        })
        .collect();
    let mut servitudes = Vec::new();
    for (s, hit) in found.servitudes {
        // An approved risk plan is also published as a PM1/PM3 easement: show it once, as a risk.
        if let Some(gaspar) = s.id_gaspar.as_deref() {
            let same: Vec<&mut RiskOut> = risks
                .iter_mut()
                .filter(|r| r.procedure.eq_ignore_ascii_case(gaspar))
                .collect();
            if !same.is_empty() {
                for r in same {
                    r.also_servitude = Some(s.categorie.clone());
                }
                continue;
            }
        }
        servitudes.push(ServitudeOut {
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
            hit,
            source: source("assiette_sup", &s.origin),
        });
    }
    let sources: Vec<CoverageSource> = found.coverage.into_iter().map(Into::into).collect();
    let covered = |layer: CoverageLayer| sources.iter().any(|c| c.layer == layer);
    let document_index = zones_hit
        .iter()
        .find_map(|(z, _)| z.document)
        .or_else(|| status::document_for_commune(data, commune))
        .or_else(|| {
            sources
                .iter()
                .filter(|c| c.layer == CoverageLayer::Planning)
                .find_map(|c| data.documents.iter().position(|d| d.idurba == c.source))
        });
    let document = document_index.map(|i| {
        let d = data.documents[i].clone();
        DocumentOut {
            reglement: d.urlreg.clone().or_else(|| d.nomreg.clone()),
            plan: d.urlplan.clone().or_else(|| d.nomplan.clone()),
            document: d,
        }
    });
    let coverage = CoverageOut {
        commune: commune.is_some(),
        cadastre: parcel.is_some() || covered(CoverageLayer::Cadastre),
        // Whatever a family lists here, its data covers here, even past a declared territory.
        planning: !zones.is_empty() || document.is_some() || covered(CoverageLayer::Planning),
        servitudes: !servitudes.is_empty() || covered(CoverageLayer::Servitudes),
        risks: !risks.is_empty() || covered(CoverageLayer::Risks),
        sources,
    };
    let nearest_parcel = match kind {
        ScopeKind::Point => nearest_parcel(data, p),
        _ => None,
    };
    let status = status::planning_status(
        data,
        commune,
        document.as_ref().map(|d| &d.document),
        coverage.planning,
    );
    let area_m2 = match &target {
        Target::Area(fp, _) => Some((fp.area_m2 * 10.0).round() / 10.0),
        Target::Point(_) => None,
    };
    let mut a = LookupAnswer {
        lon: p.x(),
        lat: p.y(),
        location: None,
        alternatives: Vec::new(),
        scope: Scope { kind, area_m2 },
        commune: commune.map(CommuneOut::from),
        parcel: parcel.map(ParcelOut::from),
        nearest_parcel,
        status,
        document,
        zones,
        prescriptions,
        informations,
        servitudes,
        risks,
        coverage,
        summary: Vec::new(),
        warnings: Vec::new(),
        tolerance_m: LINE_TOLERANCE_M,
    };
    a.summary = summary::summarise(&a);
    a
}

fn nearest_parcel(data: &Dataset, p: Point<f64>) -> Option<NearestParcel> {
    data.parcels
        .near(p, NEAREST_PARCEL_MAX_M)
        .into_iter()
        .map(|(_, parcel)| (parcel, distance_m(p, &parcel.geometry)))
        .filter(|(_, d)| *d <= NEAREST_PARCEL_MAX_M)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(parcel, d)| NearestParcel {
            id: parcel.id.clone(),
            distance_m: (d * 10.0).round() / 10.0,
        })
}
