//! Lookup: everything that applies at a point, on a parcel or over a project footprint.
//!
//! One way through: [`Found`] (the features meeting the place, borrowed from the dataset: what a
//! spatial database query returns) → each family's answer items → the [`Facts`] the rules decide
//! from (commune, parcel, document, coverage) → [`rules`] (status, summary) → the
//! [`LookupAnswer`], written once. A point that falls in a parcel is answered for the whole parcel
//! (an instructor asks about a plot, not a pixel); a point on no parcel is answered at the point,
//! with the nearest parcel offered. Addresses are resolved by [`address`]; [`batch`] answers a
//! CSV file of places row by row.

pub mod address;
pub mod answer;
pub mod batch;
mod drawn;
pub mod error;
mod feature_collection;
pub mod position;

use geo::{InteriorPoint, Point};

pub use address::{lookup_address, lookup_address_local, lookup_address_with, Located};
pub use answer::*;
pub use drawn::LookupOptions;
pub use error::LookupError;
pub use feature_collection::feature_collection;
pub use position::Position;

use crate::analysis::Footprint;
use crate::dataset::{Coverage, CoverageLayer, Dataset};
use crate::family::risks::{RiskOut, Risks};
use crate::family::servitudes::{ServitudeOut, Servitudes};
use crate::family::urba::{INFORMATIONS, PRESCRIPTIONS};
use crate::family::zones::Zones;
use crate::family::zoning::{Zoning, ZoningSection};
use crate::family::{Answered, Family, LINE_TOLERANCE_M};
use crate::geometry::distance_m;
use crate::index::{HasGeometry, SpatialLayer};
use crate::model::{Parcel, RiskZone, Servitude, UrbaFeature, ZoneUrba, ZoningZone};
use crate::rules::{self, Covered, Facts, Finding, Hit, NearestParcel, ScopeKind};
use drawn::Drawable;

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

    /// Features of `family` meeting the target, with how they meet it.
    fn hits<'d, F: Answered>(&self, family: &F, data: &'d Dataset) -> Vec<(&'d F::Feature, Hit)> {
        self.meets(family.layer(data), F::TOLERANCE_M)
    }

    /// Features of `layer` meeting the target: lines and points within `tolerance_m` metres.
    fn meets<'d, T: HasGeometry>(
        &self,
        layer: &'d SpatialLayer<T>,
        tolerance_m: f64,
    ) -> Vec<(&'d T, Hit)> {
        let p = self.point();
        match self {
            Target::Point(_) => layer
                .at(p, tolerance_m)
                .map(|(_, f)| {
                    let hit = Hit {
                        at_point: true,
                        overlap: None,
                    };
                    (f, hit)
                })
                .collect(),
            Target::Area(fp, _) => {
                let under: Vec<usize> = layer.at(p, tolerance_m).map(|(i, _)| i).collect();
                fp.overlaps(layer, tolerance_m)
                    .into_iter()
                    .map(|(i, f, o)| {
                        let hit = Hit {
                            at_point: under.contains(&i),
                            overlap: Some(o),
                        };
                        (f, hit)
                    })
                    .collect()
            }
        }
    }
}

/// What meets a point or an area, borrowed from the dataset: the work a spatial database query
/// does, before any answer is written (see [`find_at`]).
pub struct Found<'a> {
    /// Planning zones.
    pub zones: Vec<(&'a ZoneUrba, Hit)>,
    /// Prescriptions.
    pub prescriptions: Vec<(&'a UrbaFeature, Hit)>,
    /// Informations.
    pub informations: Vec<(&'a UrbaFeature, Hit)>,
    /// Easement assiettes.
    pub servitudes: Vec<(&'a Servitude, Hit)>,
    /// Risk-plan zones.
    pub risks: Vec<(&'a RiskZone, Hit)>,
    /// Zones of every zoning theme (each names its theme).
    pub zoning: Vec<(&'a ZoningZone, Hit)>,
    /// Coverage areas that contain the point or meet the area.
    pub coverage: Vec<&'a Coverage>,
}

impl<'a> Found<'a> {
    fn new(data: &'a Dataset, target: &Target<'_>) -> Found<'a> {
        Found {
            zones: target.hits(&Zones, data),
            prescriptions: target.hits(&PRESCRIPTIONS, data),
            informations: target.hits(&INFORMATIONS, data),
            servitudes: target.hits(&Servitudes, data),
            risks: target.hits(&Risks, data),
            // All themes share one layer: one search, split by theme in `zoning_sections`.
            zoning: target.meets(&data.zoning, <Zoning as Answered>::TOLERANCE_M),
            // An area is covered where any part of it is.
            coverage: target
                .meets(&data.coverage, 0.0)
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
    lookup_with(data, lon, lat, LookupOptions::default())
}

/// [`lookup`], written as `options` ask.
pub fn lookup_with(data: &Dataset, lon: f64, lat: f64, options: LookupOptions) -> LookupAnswer {
    lookup_located(data, Position { lon, lat }, Located::default(), options)
}

/// [`lookup`] at a geocoded position, the geocoder's findings written into the answer.
fn lookup_located(
    data: &Dataset,
    at: Position,
    located: Located,
    options: LookupOptions,
) -> LookupAnswer {
    let p = Point::new(at.lon, at.lat);
    // The parcel's polygon was prepared by the index: the analysis reuses it.
    let in_parcel = data.parcels.at(p).and_then(|(i, parcel)| {
        let fp = Footprint::prepared(&parcel.geometry, data.parcels.prepared(i)?)?;
        Some((parcel, fp))
    });
    match in_parcel {
        Some((parcel, fp)) => analyse(
            data,
            Target::Area(&fp, p),
            Some(parcel),
            ScopeKind::Parcel,
            located,
            options,
        ),
        None => analyse(
            data,
            Target::Point(p),
            None,
            ScopeKind::Point,
            located,
            options,
        ),
    }
}

/// The analysis of one parcel by its 14-character id.
pub fn lookup_parcel(data: &Dataset, id: &str) -> Result<LookupAnswer, LookupError> {
    lookup_parcel_with(data, id, LookupOptions::default())
}

/// [`lookup_parcel`], written as `options` ask.
pub fn lookup_parcel_with(
    data: &Dataset,
    id: &str,
    options: LookupOptions,
) -> Result<LookupAnswer, LookupError> {
    let id = crate::model::parse_parcel_id(id)?;
    let unknown = || LookupError::UnknownParcel(id.clone());
    let i = data.parcel_index(&id).ok_or_else(unknown)?;
    let parcel = data.parcels.get(i).ok_or_else(unknown)?;
    let prepared = data.parcels.prepared(i).ok_or_else(unknown)?;
    let fp = Footprint::prepared(&parcel.geometry, prepared).ok_or_else(unknown)?;
    let p = parcel.geometry.interior_point().ok_or_else(unknown)?;
    Ok(analyse(
        data,
        Target::Area(&fp, p),
        Some(parcel),
        ScopeKind::Parcel,
        Located::default(),
        options,
    ))
}

/// The analysis of a project footprint (see [`Footprint::new`]).
pub fn lookup_footprint(data: &Dataset, fp: &Footprint) -> Option<LookupAnswer> {
    lookup_footprint_with(data, fp, LookupOptions::default())
}

/// [`lookup_footprint`], written as `options` ask.
pub fn lookup_footprint_with(
    data: &Dataset,
    fp: &Footprint,
    options: LookupOptions,
) -> Option<LookupAnswer> {
    let p = fp.geometry.interior_point()?;
    Some(analyse(
        data,
        Target::Area(fp, p),
        None,
        ScopeKind::Footprint,
        Located::default(),
        options,
    ))
}

/// Every family's answer items for what was found.
struct Items {
    zones: Vec<crate::family::zones::ZoneOut>,
    prescriptions: Vec<crate::family::urba::UrbaFeatureOut>,
    informations: Vec<crate::family::urba::UrbaFeatureOut>,
    servitudes: Vec<ServitudeOut>,
    risks: Vec<RiskOut>,
    zonings: Vec<ZoningSection>,
}

impl Items {
    fn new(data: &Dataset, found: &Found<'_>, options: LookupOptions) -> Items {
        let mut risks = answered(&Risks, data, &found.risks, options);
        let shown = shown_once(&found.servitudes, &mut risks);
        Items {
            zones: answered(&Zones, data, &found.zones, options),
            prescriptions: answered(&PRESCRIPTIONS, data, &found.prescriptions, options),
            informations: answered(&INFORMATIONS, data, &found.informations, options),
            servitudes: answered(&Servitudes, data, &shown, options),
            risks,
            zonings: zoning_sections(data, found, options),
        }
    }

    /// In family order: within a kind of sentence, the summary keeps it.
    fn findings(&self) -> Vec<&dyn Finding> {
        let mut out: Vec<&dyn Finding> = Vec::new();
        out.extend(self.zones.iter().map(|z| z as &dyn Finding));
        out.extend(self.risks.iter().map(|r| r as &dyn Finding));
        out.extend(self.prescriptions.iter().map(|p| p as &dyn Finding));
        // As a whole: the easements group their repeated assiettes.
        out.push(&self.servitudes);
        out.extend(self.zonings.iter().map(|z| z as &dyn Finding));
        out.extend(self.informations.iter().map(|i| i as &dyn Finding));
        out
    }
}

/// The answer items of `family` for `hits`, drawn when `options` ask.
fn answered<F: Answered>(
    family: &F,
    data: &Dataset,
    hits: &[(&F::Feature, Hit)],
    options: LookupOptions,
) -> Vec<F::Item>
where
    F::Item: Drawable,
{
    hits.iter()
        .map(|(f, hit)| family.item(data, f, *hit).drawn(f.geometry(), options))
        .collect()
}

/// An approved risk plan is also published as a PM1/PM3 easement: it is shown once, as a risk
/// that names the easement. Returns the easements left to show.
fn shown_once<'a>(
    servitudes: &[(&'a Servitude, Hit)],
    risks: &mut [RiskOut],
) -> Vec<(&'a Servitude, Hit)> {
    let mut out = Vec::new();
    for &(s, hit) in servitudes {
        let same_plan = |r: &RiskOut| {
            s.id_gaspar
                .as_deref()
                .is_some_and(|g| r.procedure.eq_ignore_ascii_case(g))
        };
        if risks.iter().any(same_plan) {
            for r in risks.iter_mut().filter(|r| same_plan(r)) {
                r.also_servitude = Some(s.categorie.clone());
            }
        } else {
            out.push((s, hit));
        }
    }
    out
}

/// One section per zoning theme: its zones here, and whether its maps cover the place.
fn zoning_sections(
    data: &Dataset,
    found: &Found<'_>,
    options: LookupOptions,
) -> Vec<ZoningSection> {
    data.zoning_themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let family = Zoning { theme: t };
            let hits: Vec<(&ZoningZone, Hit)> = found
                .zoning
                .iter()
                .filter(|(z, _)| family.includes(z))
                .copied()
                .collect();
            let zones = answered(&family, data, &hits, options);
            let mapped_here = found.coverage.iter().any(|c| {
                c.layer == CoverageLayer::Zoning && c.scope.as_deref() == Some(&theme.key)
            });
            ZoningSection {
                theme: theme.key.clone(),
                name: theme.name.clone(),
                covered: mapped_here || !zones.is_empty(),
                zones,
            }
        })
        .collect()
}

/// From the target to the answer: find, word each family's items, establish the facts, apply the
/// rules, write the answer.
fn analyse(
    data: &Dataset,
    target: Target<'_>,
    parcel: Option<&Parcel>,
    kind: ScopeKind,
    located: Located,
    options: LookupOptions,
) -> LookupAnswer {
    let p = target.point();
    let found = Found::new(data, &target);
    let items = Items::new(data, &found, options);
    let commune = data.communes.at(p, 0.0).map(|(_, c)| c).next();
    let sources: Vec<CoverageSource> = found.coverage.iter().map(|c| (*c).into()).collect();
    let document = data.document_at(
        found.zones.iter().map(|(z, _)| *z),
        commune,
        &found.coverage,
    );
    let covered = |layer: CoverageLayer| found.coverage.iter().any(|c| c.layer == layer);
    // Whatever a family lists here, its data covers here, even past a declared territory.
    let covered = Covered {
        commune: commune.is_some(),
        cadastre: parcel.is_some() || covered(CoverageLayer::Cadastre),
        planning: !items.zones.is_empty() || document.is_some() || covered(CoverageLayer::Planning),
        servitudes: !items.servitudes.is_empty() || covered(CoverageLayer::Servitudes),
        risks: !items.risks.is_empty() || covered(CoverageLayer::Risks),
    };
    let risk_plans = risk_plans_here(data, &found, &items.risks);
    let zoning_themes: Vec<String> = items
        .zonings
        .iter()
        .filter(|z| z.covered)
        .map(|z| z.theme.clone())
        .collect();
    let nearest_parcel = match kind {
        ScopeKind::Point => nearest_parcel(data, p),
        _ => None,
    };
    let area_m2 = match &target {
        Target::Area(fp, _) => Some((fp.area_m2 * 10.0).round() / 10.0),
        Target::Point(_) => None,
    };
    let facts = Facts {
        scope: kind,
        area_m2,
        commune,
        parcel,
        nearest_parcel: nearest_parcel.as_ref(),
        document,
        planning_declared_complete: commune
            .is_some_and(|c| data.planning_declared_complete(&c.insee)),
        covered,
        has_zones: !items.zones.is_empty(),
        has_risks: !items.risks.is_empty(),
        risk_plans: &risk_plans,
        zoning_themes: &zoning_themes,
    };
    let status = rules::planning_status(&facts);
    let summary = rules::summarise(&facts, &status, &items.findings());
    LookupAnswer {
        lon: p.x(),
        lat: p.y(),
        location: located.location,
        alternatives: located.alternatives,
        scope: Scope { kind, area_m2 },
        commune: commune.map(CommuneOut::from),
        parcel: parcel.map(|x| ParcelOut::from(x).drawn(&x.geometry, options)),
        nearest_parcel,
        status,
        document: document.map(DocumentOut::from),
        zones: items.zones,
        prescriptions: items.prescriptions,
        informations: items.informations,
        servitudes: items.servitudes,
        risks: items.risks,
        zonings: items.zonings,
        coverage: CoverageOut::new(covered, document.map(|d| d.layers), sources),
        summary,
        warnings: located.warnings,
        tolerance_m: LINE_TOLERANCE_M,
    }
}

/// The risk plans whose coverage includes the place or whose zones meet it, each named once with
/// its hazards.
fn risk_plans_here(data: &Dataset, found: &Found<'_>, risks: &[RiskOut]) -> Vec<String> {
    let covering = found
        .coverage
        .iter()
        .filter(|c| c.layer == CoverageLayer::Risks)
        .map(|c| c.source.as_str());
    let mut out: Vec<String> = Vec::new();
    for code in covering.chain(risks.iter().map(|r| r.procedure.as_str())) {
        let named = match data.risk_plans.iter().find(|p| p.code == code) {
            Some(p) => format!("{} ({})", p.name, crate::family::risks::hazard(p.kind)),
            None => code.to_string(),
        };
        if !out.contains(&named) {
            out.push(named);
        }
    }
    out
}

fn nearest_parcel(data: &Dataset, p: Point<f64>) -> Option<NearestParcel> {
    data.parcels
        .in_rect(crate::geometry::window(p, NEAREST_PARCEL_MAX_M))
        .into_iter()
        .map(|(_, parcel)| (parcel, distance_m(p, &parcel.geometry)))
        .filter(|(_, d)| *d <= NEAREST_PARCEL_MAX_M)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(parcel, d)| NearestParcel {
            id: parcel.id.clone(),
            distance_m: (d * 10.0).round() / 10.0,
        })
}
