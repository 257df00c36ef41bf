//! The loaded dataset: every layer indexed, immutable once built.
//!
//! [`crate::load`] fills [`DatasetParts`]; [`Dataset::build`] indexes them and resolves what each
//! source covers ([`Coverage`]), so that a lookup can tell "no zone here" from "no data here".

use std::collections::HashMap;

use geo::{Geometry, MultiPolygon};
use serde::Serialize;

use crate::geometry::convex_hull;
use crate::index::parcels::ParcelLayer;
use crate::index::{HasGeometry, SpatialLayer};
use crate::model::{
    Commune, Generateur, Parcel, PlanDocument, RiskPlan, RiskZone, Servitude, UrbaFeature,
    UrbaFeatureKind, ZoneUrba, ZoningTheme, ZoningZone,
};
use crate::report::{LayerReport, LoadReport};

/// The layer families whose coverage is tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoverageLayer {
    /// Cadastral parcels.
    Cadastre,
    /// Planning documents (PLU, PLUi, CC…).
    Planning,
    /// Public-utility easements.
    Servitudes,
    /// Risk plans.
    Risks,
    /// Zoning maps of a theme (the theme key is the coverage's `scope`).
    Zoning,
}

/// The territory a source says it covers, resolved against boundaries in [`Dataset::build`].
#[derive(Debug, Clone)]
pub enum CoverageArea {
    /// These communes (INSEE codes).
    Communes(Vec<String>),
    /// This département.
    Departement(String),
    /// The perimeter of this risk plan (index into the plans).
    Perimeter(usize),
    /// An explicit area (e.g. the convex hull of the source's features).
    Area(MultiPolygon<f64>, &'static str),
}

/// What a loader knows about the coverage of a source.
#[derive(Debug, Clone)]
pub struct CoverageHint {
    /// The layer family the source feeds.
    pub layer: CoverageLayer,
    /// The source's name (delivery folder, procedure code…).
    pub source: String,
    /// What it covers within its layer family, e.g. a SUP category.
    pub scope: Option<String>,
    /// The territory it covers, resolved into a polygon by [`Dataset::build`].
    pub area: CoverageArea,
}

/// A resolved coverage area.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The layer family the source feeds.
    pub layer: CoverageLayer,
    /// The source's name (delivery folder, procedure code…).
    pub source: String,
    /// What it covers within its layer family (a SUP category, a zoning theme key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// How the area was obtained (`commune 30014`, `périmètre du plan`, `enveloppe des entités`…).
    pub basis: String,
    /// The covered area, polygonal, WGS84.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// Everything the loaders produce, before indexing.
#[derive(Default)]
pub struct DatasetParts {
    /// Commune boundaries, from a boundary file or the hull of their parcels.
    pub communes: Vec<Commune>,
    /// Département boundaries, for sources that declare a département as coverage.
    pub departements: Vec<Commune>,
    /// Cadastral parcels.
    pub parcels: Vec<Parcel>,
    /// Planning documents (`DOC_URBA`); zones refer to them by index.
    pub documents: Vec<PlanDocument>,
    /// Planning zones (`ZONE_URBA`, `SECTEUR_CC`).
    pub zones: Vec<ZoneUrba>,
    /// Prescriptions and informations of the planning documents.
    pub urba_features: Vec<UrbaFeature>,
    /// Easement assiettes joined to their générateur and servitude.
    pub servitudes: Vec<Servitude>,
    /// Easement générateurs, drawn (API Carto's `generateur-sup-*`).
    pub generateurs: Vec<Generateur>,
    /// Risk plans; risk zones refer to them by index.
    pub risk_plans: Vec<RiskPlan>,
    /// Regulatory zones of the risk plans.
    pub risk_zones: Vec<RiskZone>,
    /// Zoning themes, in manifest order; zoning zones refer to them by index.
    pub zoning_themes: Vec<ZoningTheme>,
    /// Zones of every zoning theme.
    pub zoning_zones: Vec<ZoningZone>,
    /// What each loader knows of its source's coverage, resolved in [`Dataset::build`].
    pub coverage_hints: Vec<CoverageHint>,
    /// BAN address files, read once: their rows go to the address index once the communes are
    /// known (see [`crate::load::load_sources`]).
    pub ban_files: Vec<crate::geocode::ban_csv::BanFile>,
    /// Commune names from address files, for communes without a boundary file.
    pub commune_names: HashMap<String, String>,
    /// See [`crate::load::manifest::Manifest::planning_complete_communes`].
    pub planning_complete_communes: Vec<String>,
    /// Structured regulations (CNIG SRU), joined to zones by `IDURBA` once built.
    pub reglements: Vec<crate::reglement::Reglement>,
    /// Written pieces of the CNIG deliveries, which answers link to and the server serves.
    pub pieces: Vec<crate::model::Piece>,
}

/// The immutable, indexed dataset a server or CLI answers from.
pub struct Dataset {
    /// Commune boundaries.
    pub communes: SpatialLayer<Commune>,
    /// Département boundaries (used to resolve coverage declared by département).
    pub departements: SpatialLayer<Commune>,
    /// Cadastral parcels; [`Dataset::parcel`] finds one by id.
    pub parcels: ParcelLayer,
    /// Planning documents; a zone's `document` is an index into it.
    pub documents: Vec<PlanDocument>,
    /// Planning zones (`ZONE_URBA`, `SECTEUR_CC`).
    pub zones: SpatialLayer<ZoneUrba>,
    /// Prescriptions (`PRESCRIPTION_SURF/LIN/PCT`).
    pub prescriptions: SpatialLayer<UrbaFeature>,
    /// Informations (`INFO_SURF/LIN/PCT`).
    pub informations: SpatialLayer<UrbaFeature>,
    /// Easement assiettes.
    pub servitudes: SpatialLayer<Servitude>,
    /// Easement générateurs.
    pub generateurs: SpatialLayer<Generateur>,
    /// Risk plans; a risk zone's `plan` is an index into it.
    pub risk_plans: Vec<RiskPlan>,
    /// Regulatory zones of the risk plans.
    pub risk_zones: SpatialLayer<RiskZone>,
    /// Zoning themes, in manifest order.
    pub zoning_themes: Vec<ZoningTheme>,
    /// The zones of every zoning theme, each naming its theme.
    pub zoning: SpatialLayer<ZoningZone>,
    /// Where each layer family has data: "nothing here" is an answer only inside it.
    pub coverage: SpatialLayer<Coverage>,
    /// Structured regulations, with the view of each zone they rule.
    pub reglements: crate::reglement::Reglements,
    /// Written pieces of the deliveries, by their path relative to the data folder.
    pub pieces: HashMap<String, crate::model::Piece>,
    /// The same pieces by delivery and lower-case file name, so that a zone's link is one lookup
    /// on the answer path, not a scan of every piece.
    piece_names: HashMap<(String, String), String>,
    /// Communes where the planning data is declared complete (no document there means RNU).
    pub planning_complete_communes: Vec<String>,
    /// The address index built from the BAN files and the communes, if any address is loaded.
    pub addresses: Option<crate::geocode::AddressIndex>,
    /// What was loaded, skipped and warned, per layer.
    pub report: LoadReport,
}

/// Pieces by delivery and lower-case file name; of two pieces named alike in one delivery (in two
/// sub-folders), the first path in order.
fn piece_names(pieces: &[crate::model::Piece]) -> HashMap<(String, String), String> {
    let mut names: HashMap<(String, String), String> = HashMap::new();
    for p in pieces {
        let key = (p.delivery.clone(), p.name.to_ascii_lowercase());
        match names.get(&key) {
            Some(path) if *path <= p.path => {}
            _ => {
                names.insert(key, p.path.clone());
            }
        }
    }
    names
}

/// The index of parcels by id. Two parcels with one id are a broken delivery (or the same file
/// loaded twice): `?parcel=` answers the first, and the warning returned says which ids are
/// repeated.
fn parcel_index(parcels: &[Parcel]) -> (HashMap<String, usize>, Option<LayerReport>) {
    let mut ids: HashMap<String, usize> = HashMap::with_capacity(parcels.len());
    let mut repeated: Vec<&str> = Vec::new();
    for (i, p) in parcels.iter().enumerate() {
        if ids.contains_key(&p.id) {
            repeated.push(&p.id);
        } else {
            ids.insert(p.id.clone(), i);
        }
    }
    if repeated.is_empty() {
        return (ids, None);
    }
    repeated.sort_unstable();
    repeated.dedup();
    let shown: Vec<&str> = repeated.iter().take(REPEATED_IDS_SHOWN).copied().collect();
    let warning = LayerReport {
        file: "(parcelles de toutes les sources)".into(),
        layer: "cadastre".into(),
        warnings: vec![format!(
            "{} identifiant(s) de parcelle en double (la première parcelle lue est répondue) : {}{}",
            repeated.len(),
            shown.join(", "),
            if repeated.len() > shown.len() { ", …" } else { "" }
        )],
        ..Default::default()
    };
    (ids, Some(warning))
}

/// How many repeated parcel ids the warning names.
const REPEATED_IDS_SHOWN: usize = 10;

macro_rules! has_geometry {
    ($($t:ty),*) => {$(
        impl HasGeometry for $t {
            fn geometry(&self) -> &Geometry<f64> {
                &self.geometry
            }
        }
    )*};
}
has_geometry!(
    Commune,
    Parcel,
    ZoneUrba,
    UrbaFeature,
    Servitude,
    Generateur,
    RiskZone,
    ZoningZone,
    Coverage
);

/// The convex hull of some geometries, as a coverage area of last resort.
pub fn hull<'a>(geometries: impl Iterator<Item = &'a Geometry<f64>>) -> CoverageArea {
    CoverageArea::Area(
        MultiPolygon(vec![convex_hull(geometries)]),
        "enveloppe convexe des entités",
    )
}

/// A dataset resolved but not indexed: communes completed, coverage resolved, features split into
/// their layers. What a snapshot stores ([`crate::snapshot`]); [`Dataset::index`] makes it a
/// dataset.
pub struct Resolved {
    /// Commune boundaries, with the hulls of communes known only by their parcels.
    pub communes: Vec<Commune>,
    /// Département boundaries.
    pub departements: Vec<Commune>,
    /// Cadastral parcels: read from files, or already in a snapshot's layer.
    pub parcels: ResolvedParcels,
    /// Planning documents.
    pub documents: Vec<PlanDocument>,
    /// Planning zones.
    pub zones: Vec<ZoneUrba>,
    /// Prescriptions.
    pub prescriptions: Vec<UrbaFeature>,
    /// Informations.
    pub informations: Vec<UrbaFeature>,
    /// Easement assiettes.
    pub servitudes: Vec<Servitude>,
    /// Easement générateurs.
    pub generateurs: Vec<Generateur>,
    /// Risk plans.
    pub risk_plans: Vec<RiskPlan>,
    /// Regulatory zones of the risk plans.
    pub risk_zones: Vec<RiskZone>,
    /// Zoning themes.
    pub zoning_themes: Vec<ZoningTheme>,
    /// Zones of every zoning theme.
    pub zoning_zones: Vec<ZoningZone>,
    /// Resolved coverage areas.
    pub coverage: Vec<Coverage>,
    /// Structured regulations.
    pub reglements: Vec<crate::reglement::Reglement>,
    /// Written pieces of the deliveries.
    pub pieces: Vec<crate::model::Piece>,
    /// See [`Dataset::planning_complete_communes`].
    pub planning_complete_communes: Vec<String>,
    /// The address index, if any address is loaded.
    pub addresses: Option<crate::geocode::AddressIndex>,
    /// What was loaded, skipped and warned.
    pub report: LoadReport,
}

/// The parcels of a [`Resolved`] dataset.
pub enum ResolvedParcels {
    /// Read from source files, to be indexed.
    Loaded(Vec<Parcel>),
    /// In a snapshot, indexed there (the warning about repeated ids is in its report).
    Indexed(ParcelLayer),
}

impl Resolved {
    /// Completes the communes, resolves coverage and splits prescriptions from informations.
    pub fn new(mut parts: DatasetParts, mut report: LoadReport) -> Resolved {
        add_communes_without_boundary(&mut parts);
        add_planning_coverage(&mut parts);
        let coverage = resolve_coverage(&parts, &mut report);
        let (prescriptions, informations): (Vec<_>, Vec<_>) = parts
            .urba_features
            .into_iter()
            .partition(|f| f.kind == UrbaFeatureKind::Prescription);
        Resolved {
            communes: parts.communes,
            departements: parts.departements,
            parcels: ResolvedParcels::Loaded(parts.parcels),
            documents: parts.documents,
            zones: parts.zones,
            prescriptions,
            informations,
            servitudes: parts.servitudes,
            generateurs: parts.generateurs,
            risk_plans: parts.risk_plans,
            risk_zones: parts.risk_zones,
            zoning_themes: parts.zoning_themes,
            zoning_zones: parts.zoning_zones,
            coverage,
            reglements: parts.reglements,
            pieces: parts.pieces,
            planning_complete_communes: parts.planning_complete_communes,
            addresses: None,
            report,
        }
    }
}

impl Dataset {
    /// Resolves coverage and indexes every layer.
    pub fn build(parts: DatasetParts, report: LoadReport) -> Dataset {
        let (mut dataset, repeated) = Dataset::index(Resolved::new(parts, report));
        dataset.report.layers.extend(repeated);
        dataset
    }

    /// Indexes a resolved dataset: R-trees, prepared polygons, ids, regulation views. Also the
    /// warning about repeated parcel ids, which the caller adds to the report once (a snapshot's
    /// report already has it).
    pub fn index(r: Resolved) -> (Dataset, Option<LayerReport>) {
        let reglements = crate::reglement::Reglements::build(
            r.reglements,
            r.zones.iter().filter_map(|z| {
                let idurba = z.reglement_idurba(&r.documents)?;
                Some((idurba, z.libelle.as_str()))
            }),
        );
        let (parcels, repeated) = match r.parcels {
            ResolvedParcels::Loaded(parcels) => {
                let (ids, repeated) = parcel_index(&parcels);
                (ParcelLayer::loaded(parcels, ids), repeated)
            }
            ResolvedParcels::Indexed(layer) => (layer, None),
        };
        let dataset = Dataset {
            communes: SpatialLayer::new(r.communes),
            departements: SpatialLayer::new(r.departements),
            parcels,
            documents: r.documents,
            zones: SpatialLayer::new(r.zones),
            prescriptions: SpatialLayer::new(r.prescriptions),
            informations: SpatialLayer::new(r.informations),
            servitudes: SpatialLayer::new(r.servitudes),
            generateurs: SpatialLayer::new(r.generateurs),
            risk_plans: r.risk_plans,
            risk_zones: SpatialLayer::new(r.risk_zones),
            zoning_themes: r.zoning_themes,
            zoning: SpatialLayer::new(r.zoning_zones),
            coverage: SpatialLayer::new(r.coverage),
            reglements,
            piece_names: piece_names(&r.pieces),
            pieces: r.pieces.into_iter().map(|p| (p.path.clone(), p)).collect(),
            planning_complete_communes: r.planning_complete_communes,
            addresses: r.addresses,
            report: r.report,
        };
        (dataset, repeated)
    }

    /// Commune names and centroids, for the geocoder's municipality entries.
    pub fn commune_entries(&self) -> Vec<crate::geocode::CommuneEntry> {
        use geo::Centroid;
        self.communes
            .features()
            .iter()
            .filter_map(|c| {
                let p = c.geometry.centroid()?;
                Some(crate::geocode::CommuneEntry {
                    insee: c.insee.clone(),
                    name: c.name.clone(),
                    lon: p.x(),
                    lat: p.y(),
                })
            })
            .collect()
    }

    /// The written piece `name` (`NOMFIC`, `NOMREG`, with or without `#page=…`) of `delivery`:
    /// its address under `/api/pieces/`, with the page anchor kept.
    pub fn piece_link(&self, delivery: &str, name: &str) -> Option<String> {
        let (file, anchor) = match name.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (name, None),
        };
        let file = file.rsplit(['/', '\\']).next()?.trim();
        let path = self
            .piece_names
            .get(&(delivery.to_string(), file.to_ascii_lowercase()))?;
        let mut link = self.pieces.get(path)?.url();
        if let Some(a) = anchor {
            link.push('#');
            link.push_str(a);
        }
        Some(link)
    }

    /// A parcel by its 14-character id.
    pub fn parcel(&self, id: &str) -> Option<&Parcel> {
        self.parcels.get(self.parcel_index(id)?)
    }

    /// The index in [`Dataset::parcels`] of a parcel by its 14-character id, to reach what the
    /// layer holds for it besides the parcel (its prepared polygon).
    pub fn parcel_index(&self, id: &str) -> Option<usize> {
        self.parcels.by_id(id)
    }

    /// The planning document that applies where `zones` were found: theirs, else the one listing
    /// the commune (`DOC_URBA_COM`), else the one whose planning coverage includes the place.
    pub fn document_at<'z>(
        &self,
        zones: impl IntoIterator<Item = &'z ZoneUrba>,
        commune: Option<&Commune>,
        coverage: &[&Coverage],
    ) -> Option<&PlanDocument> {
        let index = zones
            .into_iter()
            .find_map(|z| z.document)
            .or_else(|| {
                let insee = &commune?.insee;
                self.documents
                    .iter()
                    .position(|d| d.communes.iter().any(|c| c == insee))
            })
            .or_else(|| {
                coverage
                    .iter()
                    .filter(|c| c.layer == CoverageLayer::Planning)
                    .find_map(|c| self.documents.iter().position(|d| d.idurba == c.source))
            })?;
        self.documents.get(index)
    }

    /// Whether the manifest declares the planning data complete for commune `insee` (no
    /// document there then means the national rules, RNU).
    pub fn planning_declared_complete(&self, insee: &str) -> bool {
        self.planning_complete_communes.iter().any(|c| c == insee)
    }

    /// Feature counts per layer, for `/health` and `check-data`.
    pub fn summary_counts(&self) -> serde_json::Value {
        serde_json::json!({
            "communes": self.communes.len(),
            "parcels": self.parcels.len(),
            "documents": self.documents.len(),
            "zones": self.zones.len(),
            "prescriptions": self.prescriptions.len(),
            "informations": self.informations.len(),
            "servitudes": self.servitudes.len(),
            "risk_plans": self.risk_plans.len(),
            "risk_zones": self.risk_zones.len(),
            "zoning_themes": self.zoning_themes.len(),
            "zoning_zones": self.zoning.len(),
        })
    }
}

/// Communes with parcels but no boundary file (Paris arrondissements here) get an approximate
/// boundary, the convex hull of their parcels, and a name from the address files when known.
fn add_communes_without_boundary(parts: &mut DatasetParts) {
    let known: std::collections::HashSet<String> =
        parts.communes.iter().map(|c| c.insee.clone()).collect();
    let mut by_commune: HashMap<&str, Vec<&Parcel>> = HashMap::new();
    for p in &parts.parcels {
        if !known.contains(&p.commune) {
            by_commune.entry(&p.commune).or_default().push(p);
        }
    }
    let mut derived: Vec<Commune> = by_commune
        .into_iter()
        .map(|(insee, parcels)| Commune {
            insee: insee.to_string(),
            name: parts
                .commune_names
                .get(insee)
                .cloned()
                .unwrap_or_else(|| insee.to_string()),
            approximate: true,
            geometry: Geometry::Polygon(convex_hull(parcels.iter().map(|p| &p.geometry))),
        })
        .collect();
    derived.sort_by(|a, b| a.insee.cmp(&b.insee));
    parts.communes.extend(derived);
}

/// Each planning document covers its communes; where their boundaries are unknown, its zones' hull.
fn add_planning_coverage(parts: &mut DatasetParts) {
    for (d, doc) in parts.documents.iter().enumerate() {
        let zones = parts
            .zones
            .iter()
            .filter(|z| z.document == Some(d))
            .map(|z| &z.geometry);
        let bounded: Vec<String> = doc
            .communes
            .iter()
            .filter(|c| parts.communes.iter().any(|k| &&k.insee == c))
            .cloned()
            .collect();
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Planning,
            source: doc.idurba.clone(),
            scope: Some(doc.typedoc.clone()),
            area: CoverageArea::Communes(bounded),
        });
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Planning,
            source: doc.idurba.clone(),
            scope: Some(doc.typedoc.clone()),
            area: hull(zones),
        });
    }
}

fn resolve_coverage(parts: &DatasetParts, report: &mut LoadReport) -> Vec<Coverage> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for hint in &parts.coverage_hints {
        let mut push = |geometry: Geometry<f64>, basis: String| {
            out.push(Coverage {
                layer: hint.layer,
                source: hint.source.clone(),
                scope: hint.scope.clone(),
                basis,
                geometry,
            });
        };
        match &hint.area {
            CoverageArea::Communes(codes) => {
                for code in codes {
                    match parts.communes.iter().find(|c| &c.insee == code) {
                        Some(c) => push(c.geometry.clone(), format!("commune {code}")),
                        None => warnings.push(format!(
                            "{} : limite de la commune {code} non chargée, couverture inconnue",
                            hint.source
                        )),
                    }
                }
            }
            CoverageArea::Departement(code) => {
                match parts.departements.iter().find(|c| &c.insee == code) {
                    Some(d) => push(d.geometry.clone(), format!("département {code}")),
                    None => warnings.push(format!(
                        "{} : limite du département {code} non chargée, couverture limitée aux entités",
                        hint.source
                    )),
                }
            }
            CoverageArea::Perimeter(plan) => match &parts.risk_plans[*plan].perimeter {
                Some(p) => push(
                    Geometry::MultiPolygon(p.clone()),
                    "périmètre du plan".into(),
                ),
                None => warnings.push(format!("{} : plan sans périmètre", hint.source)),
            },
            CoverageArea::Area(area, basis) => {
                if !area.0.is_empty() {
                    push(Geometry::MultiPolygon(area.clone()), basis.to_string());
                }
            }
        }
    }
    if !warnings.is_empty() {
        report.layers.push(LayerReport {
            file: "(couverture)".into(),
            layer: "couverture des données".into(),
            warnings,
            ..Default::default()
        });
    }
    out
}
