//! `/api/gpu/*`: the tables of the Géoportail de l'Urbanisme as API Carto's « GPU » module serves
//! them, from the loaded planning documents, zones, prescriptions, informations and easements.
//!
//! Parameters (`doc/gpu.yml`): `geom` (every table), `partition` (every table but
//! `municipality`), `insee` (`municipality`), `categorie` (assiettes and générateurs, matched on
//! `suptype` case-insensitively: IGN's controller lower-cases it). `_limit` (at most and by default
//! 5,000, IGN's fixed limit) and `_start` page the answer. `/all` answers the 17 tables at `geom`
//! as a JSON array of collections, each named by `featureType`, 500 features each, as IGN does.
//!
//! Attribute names and meanings: `doc/pdf/docUser_moduleUrbanisme.pdf` §I.7.a. Dates are written
//! `AAAAMMJJ` like the GPU's. `partition` is built as that guide's §I.6.b defines it:
//! `DU_<INSEE|SIREN>` (`PSMV_<INSEE>`) from the document's `IDURBA` (`<INSEE|SIREN>_<TYPE>_<DATE>`,
//! the CNIG convention), `<idGest>_SUP_<territoire>_<catégorie>` from the name of a CNIG SUP
//! delivery (`<idGest>_<catégorie>_<territoire>_<date>`); `null` when the names do not follow
//! the conventions.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::Json;
use geo::{Geometry, MultiPolygon};
use serde_json::{json, Map, Value};
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::geometry::{select, Dimension, QueryGeometry};
use super::params::{insee_code, CartoParams, Page};
use super::{answer, collection, commune_matches, gpu_date, props, Item};
use crate::api::{ApiError, AppState, ErrorBody};
use crate::dataset::{CoverageLayer, Dataset};
use crate::model::{Commune, PlanDocument, Servitude, UrbaFeature, ZoneUrba};
use crate::rules::{planning_status, Covered, Facts, ScopeKind};

/// IGN's limit on every GPU table (`params._limit = 5000` in `controllers/gpu/index.js`).
const MAX_FEATURES: usize = 5000;
/// IGN's limit per table in `/all`.
const ALL_MAX_FEATURES: usize = 500;

/// The GPU tables, in IGN's order (`mapping` of `controllers/gpu/index.js`, which is also the
/// order of `/all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Municipality,
    Document,
    ZoneUrba,
    SecteurCc,
    PrescriptionPct,
    PrescriptionLin,
    PrescriptionSurf,
    InfoPct,
    InfoSurf,
    InfoLin,
    ActeSup,
    AssietteSupP,
    AssietteSupL,
    AssietteSupS,
    GenerateurSupP,
    GenerateurSupL,
    GenerateurSupS,
}

const TABLES: [Table; 17] = [
    Table::Municipality,
    Table::Document,
    Table::ZoneUrba,
    Table::SecteurCc,
    Table::PrescriptionPct,
    Table::PrescriptionLin,
    Table::PrescriptionSurf,
    Table::InfoPct,
    Table::InfoSurf,
    Table::InfoLin,
    Table::ActeSup,
    Table::AssietteSupP,
    Table::AssietteSupL,
    Table::AssietteSupS,
    Table::GenerateurSupP,
    Table::GenerateurSupL,
    Table::GenerateurSupS,
];

impl Table {
    /// Its route under `/api/gpu/` (also its `featureType` in `/all`).
    fn route(self) -> &'static str {
        match self {
            Table::Municipality => "municipality",
            Table::Document => "document",
            Table::ZoneUrba => "zone-urba",
            Table::SecteurCc => "secteur-cc",
            Table::PrescriptionPct => "prescription-pct",
            Table::PrescriptionLin => "prescription-lin",
            Table::PrescriptionSurf => "prescription-surf",
            Table::InfoPct => "info-pct",
            Table::InfoSurf => "info-surf",
            Table::InfoLin => "info-lin",
            Table::ActeSup => "acte-sup",
            Table::AssietteSupP => "assiette-sup-p",
            Table::AssietteSupL => "assiette-sup-l",
            Table::AssietteSupS => "assiette-sup-s",
            Table::GenerateurSupP => "generateur-sup-p",
            Table::GenerateurSupL => "generateur-sup-l",
            Table::GenerateurSupS => "generateur-sup-s",
        }
    }

    /// The GPU table name, prefix of feature ids (`zone_urba.12`).
    fn table(self) -> String {
        self.route().replace('-', "_")
    }
}

/// One GET+POST route per table, and `/all`.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::new();
    for table in TABLES {
        router = router.routes(table_route(table));
    }
    router.routes(routes!(get_all))
}

/// One table's route and its description: [`table_answer`]'s, at the table's path, under an
/// operation id of its own.
fn table_route(table: Table) -> UtoipaMethodRouter<AppState> {
    let handler = move |State(state): State<AppState>, RawQuery(raw): RawQuery, body: Body| {
        table_answer(table, state, raw, body)
    };
    let mut operation = <__path_table_answer as utoipa::Path>::operation();
    operation.operation_id = Some(format!("gpu_{}", table.table()));
    operation.summary = Some(format!(
        "Table « {} » du Géoportail de l'Urbanisme",
        table.table()
    ));
    operation.tags = Some(vec!["API Carto".into()]);
    let mut paths = Paths::new();
    paths.add_path_operation(
        format!("/api/gpu/{}", table.route()),
        vec![HttpMethod::Get, HttpMethod::Post],
        operation,
    );
    (Vec::new(), paths, get(handler).post(handler))
}

/// `/api/gpu/<table>`: the features of one GPU table meeting `geom` (its path and operation id are
/// set per table by [`table_route`]).
#[utoipa::path(
    method(get, post),
    path = "/api/gpu/{table}",
    summary = "Table du GPU (API Carto)",
    description = "Les objets d'une table du Géoportail de l'Urbanisme qui rencontrent geom, en GET ou en POST, avec les noms d'attributs du GPU.",
    params(
        ("geom" = Option<String>, Query, description = "Une géométrie GeoJSON (WGS84) ; aussi dans un corps POST `{\"geom\": …}`"),
        ("partition" = Option<String>, Query, description = "Partition du GPU (DU_<INSEE|SIREN>, <idGest>_SUP_<territoire>_<catégorie>)"),
        ("insee" = Option<String>, Query, description = "Code INSEE (table municipality)"),
        ("categorie" = Option<String>, Query, description = "Catégorie de SUP (assiettes et générateurs), casse indifférente"),
        ("_limit" = Option<u32>, Query, description = "Objets au plus (et par défaut) : 5 000"),
        ("_start" = Option<u32>, Query, description = "Objets sautés (pagination)"),
    ),
    request_body(
        description = "POST : les mêmes paramètres en objet JSON (une valeur du corps l'emporte sur la requête)",
        content = serde_json::Value,
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "Les objets de la table", body = ref("#/components/schemas/CartoFeatureCollection")),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 408, description = "Corps de requête trop lent à arriver", body = ErrorBody),
        (status = 413, description = "Corps de requête de plus de 1 Mio", body = ErrorBody),
    )
)]
async fn table_answer(
    table: Table,
    state: AppState,
    raw: Option<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    answer(state, raw, body, move |data, params| {
        answer_table(data, table, params)
    })
    .await
}

/// `/api/gpu/all?geom=…`: every table at `geom` (IGN reads only `geom` there).
#[utoipa::path(
    method(get, post),
    path = "/api/gpu/all",
    summary = "Toutes les tables du GPU en un point (API Carto)",
    description = "Les 17 tables à geom, chacune nommée par featureType, 500 objets chacune, comme l'IGN.",
    tag = "API Carto",
    params(
        ("geom" = Option<String>, Query, description = "Une géométrie GeoJSON (WGS84) ; aussi dans un corps POST `{\"geom\": …}`"),
    ),
    request_body(
        description = "POST : les mêmes paramètres en objet JSON (une valeur du corps l'emporte sur la requête)",
        content = serde_json::Value,
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "Les 17 tables, chacune nommée par `featureType`, 500 objets au plus",
         body = ref("#/components/schemas/CartoCollections")),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 408, description = "Corps de requête trop lent à arriver", body = ErrorBody),
        (status = 413, description = "Corps de requête de plus de 1 Mio", body = ErrorBody),
    )
)]
async fn get_all(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    answer(state, raw, body, all_tables).await
}

fn all_tables(data: &Dataset, params: &CartoParams) -> Result<Value, ApiError> {
    let filter = Filter {
        geom: params.geom()?,
        ..Filter::default()
    };
    let page = Page {
        start: 0,
        limit: ALL_MAX_FEATURES,
    };
    let all: Vec<Value> = TABLES
        .iter()
        .map(|&t| {
            let mut c = table_collection(data, t, &filter, page);
            c["featureType"] = json!(t.route());
            c
        })
        .collect();
    Ok(Value::Array(all))
}

/// What a request filters on.
#[derive(Default)]
struct Filter {
    geom: Option<QueryGeometry>,
    partition: Option<String>,
    categorie: Option<String>,
    insee: Option<String>,
}

impl Filter {
    fn partition_ok(&self, partition: Option<&str>) -> bool {
        self.partition
            .as_deref()
            .is_none_or(|want| partition.is_some_and(|p| p.eq_ignore_ascii_case(want)))
    }

    fn categorie_ok(&self, categorie: &str) -> bool {
        self.categorie
            .as_deref()
            .is_none_or(|want| want.eq_ignore_ascii_case(categorie))
    }
}

fn answer_table(data: &Dataset, table: Table, params: &CartoParams) -> Result<Value, ApiError> {
    let filter = Filter {
        geom: params.geom()?,
        partition: params.text("partition"),
        categorie: params.text("categorie"),
        insee: params.insee("insee")?,
    };
    let page = params.page(MAX_FEATURES, MAX_FEATURES)?;
    Ok(table_collection(data, table, &filter, page))
}

fn table_collection(data: &Dataset, table: Table, filter: &Filter, page: Page) -> Value {
    let name = table.table();
    let items = match table {
        Table::Municipality => municipalities(data, filter),
        Table::Document => documents(data, filter),
        Table::ZoneUrba => zones(data, filter, false),
        Table::SecteurCc => zones(data, filter, true),
        Table::PrescriptionPct => urba(data, filter, true, Dimension::Point),
        Table::PrescriptionLin => urba(data, filter, true, Dimension::Line),
        Table::PrescriptionSurf => urba(data, filter, true, Dimension::Surface),
        Table::InfoPct => urba(data, filter, false, Dimension::Point),
        Table::InfoLin => urba(data, filter, false, Dimension::Line),
        Table::InfoSurf => urba(data, filter, false, Dimension::Surface),
        Table::ActeSup => actes(data, filter),
        Table::AssietteSupP => assiettes(data, filter, Dimension::Point),
        Table::AssietteSupL => assiettes(data, filter, Dimension::Line),
        Table::AssietteSupS => assiettes(data, filter, Dimension::Surface),
        Table::GenerateurSupP => generateurs(data, filter, Dimension::Point),
        Table::GenerateurSupL => generateurs(data, filter, Dimension::Line),
        Table::GenerateurSupS => generateurs(data, filter, Dimension::Surface),
    };
    collection(&name, items, page)
}

/// `municipality`: the loaded communes, `is_rnu` from the planning status the lookup gives them.
fn municipalities<'d>(data: &'d Dataset, filter: &Filter) -> Vec<Item<'d>> {
    select(&data.communes, filter.geom.as_ref())
        .into_iter()
        .filter(|(_, c)| {
            filter
                .insee
                .as_deref()
                .is_none_or(|code| commune_matches(code, &c.insee))
        })
        .map(|(gid, c)| Item {
            gid,
            geometry: Some(Cow::Borrowed(&c.geometry)),
            properties: props(json!({
                "gid": gid,
                "insee": c.insee,
                "name": c.name,
                "is_rnu": is_rnu(data, c),
                // Not in the loaded data (commune mergers, coastline law).
                "is_deleted": null,
                "is_coastline": null,
            })),
        })
        .collect()
}

/// `true` where the status is RNU, `false` where a document applies, `null` where it is unknown
/// (no planning data loaded there): the status a lookup in the commune would give, from the
/// documents listing the commune (`DOC_URBA_COM`) and the manifest's complete communes.
fn is_rnu(data: &Dataset, commune: &Commune) -> Value {
    let document = data.document_at(std::iter::empty(), Some(commune), &[]);
    let facts = Facts {
        scope: ScopeKind::Point,
        area_m2: None,
        commune: Some(commune),
        parcel: None,
        nearest_parcel: None,
        document,
        planning_declared_complete: data.planning_declared_complete(&commune.insee),
        covered: Covered {
            commune: true,
            planning: document.is_some(),
            ..Covered::default()
        },
        has_zones: false,
        has_risks: false,
        risk_plans: &[],
        zoning_themes: &[],
    };
    match planning_status(&facts).kind.as_str() {
        "RNU" => json!(true),
        "inconnu" => Value::Null,
        _ => json!(false),
    }
}

/// `DU_<INSEE|SIREN>` (`PSMV_<INSEE>`) of a document: the territory code that starts its
/// `IDURBA`, else its only commune.
fn du_partition(doc: &PlanDocument) -> Option<String> {
    let prefix = if doc.typedoc.eq_ignore_ascii_case("PSMV") {
        "PSMV"
    } else {
        "DU"
    };
    let first = doc.idurba.split('_').next().unwrap_or_default();
    let is_insee = first.len() == 5 && insee_code("idurba", first).is_ok();
    let is_siren = first.len() == 9 && first.bytes().all(|b| b.is_ascii_digit());
    let code = if is_insee || is_siren {
        Some(first.to_string())
    } else {
        match doc.communes.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        }
    }?;
    Some(format!("{prefix}_{code}"))
}

/// The document of a zone, prescription or information: its index, else the one of its `IDURBA`.
fn document_of<'d>(
    data: &'d Dataset,
    index: Option<usize>,
    idurba: Option<&str>,
) -> Option<&'d PlanDocument> {
    index.and_then(|i| data.documents.get(i)).or_else(|| {
        data.documents
            .iter()
            .find(|d| Some(d.idurba.as_str()) == idurba)
    })
}

/// `document`: each loaded document over its territory — its communes' boundaries where they are
/// loaded, else the planning coverage the dataset computed for it (the hull of its zones).
fn documents<'d>(data: &'d Dataset, filter: &Filter) -> Vec<Item<'d>> {
    let coverages = data.coverage.features();
    let met: Vec<usize> = match &filter.geom {
        Some(g) => g
            .meets(&data.coverage)
            .into_iter()
            .map(|(i, _)| i)
            .collect(),
        None => (0..coverages.len()).collect(),
    };
    let names: HashMap<&str, &str> = data
        .communes
        .features()
        .iter()
        .map(|c| (c.insee.as_str(), c.name.as_str()))
        .collect();
    let mut out = Vec::new();
    for (gid, doc) in data.documents.iter().enumerate() {
        let own: Vec<usize> = (0..coverages.len())
            .filter(|&i| {
                coverages[i].layer == CoverageLayer::Planning && coverages[i].source == doc.idurba
            })
            .collect();
        let communes: Vec<usize> = own
            .iter()
            .copied()
            .filter(|&i| coverages[i].basis.starts_with("commune "))
            .collect();
        let territory = if communes.is_empty() { own } else { communes };
        if territory.is_empty() || !territory.iter().any(|i| met.contains(i)) {
            continue;
        }
        let partition = du_partition(doc);
        if !filter.partition_ok(partition.as_deref()) {
            continue;
        }
        let grid = partition
            .as_deref()
            .and_then(|p| p.split_once('_'))
            .map(|(_, code)| code.to_string());
        let polygons: Vec<geo::Polygon<f64>> = territory
            .iter()
            .flat_map(|&i| crate::geometry::polygons_of(&coverages[i].geometry))
            .cloned()
            .collect();
        out.push(Item {
            gid,
            geometry: Some(Cow::Owned(Geometry::MultiPolygon(MultiPolygon(polygons)))),
            properties: props(json!({
                "gid": gid,
                // The GPU's own ids of the uploaded archive: not in a CNIG delivery.
                "id": null,
                "grid_name": grid,
                "grid_title": grid.as_deref().and_then(|g| names.get(g)),
                "name": doc.idurba,
                "gpu_doc_id": null,
                "gpu_status": null,
                "gpu_timestamp": null,
                "partition": partition,
                "du_type": doc.typedoc,
            })),
        });
    }
    out
}

/// `zone-urba` (PLU zones) or `secteur-cc` (carte communale sectors).
fn zones<'d>(data: &'d Dataset, filter: &Filter, sectors: bool) -> Vec<Item<'d>> {
    select(&data.zones, filter.geom.as_ref())
        .into_iter()
        .filter(|(_, z)| z.sector == sectors)
        .filter_map(|(gid, z)| {
            let doc = document_of(data, z.document, z.idurba.as_deref());
            let partition = doc.and_then(du_partition);
            if !filter.partition_ok(partition.as_deref()) {
                return None;
            }
            Some(Item {
                gid,
                geometry: Some(Cow::Borrowed(&z.geometry)),
                properties: zone_properties(gid, z, doc, partition, sectors),
            })
        })
        .collect()
}

fn zone_properties(
    gid: usize,
    z: &ZoneUrba,
    doc: Option<&PlanDocument>,
    partition: Option<String>,
    sector: bool,
) -> Map<String, Value> {
    let idurba = z.idurba.clone().or_else(|| doc.map(|d| d.idurba.clone()));
    let mut p = props(json!({
        "gid": gid,
        "partition": partition,
        "libelle": z.libelle,
        "libelong": z.libelong,
    }));
    if sector {
        p.insert("typesect".into(), json!(z.typezone));
        // Not read from SECTEUR_CC.
        p.insert("fermreco".into(), Value::Null);
    } else {
        p.insert("typezone".into(), json!(z.typezone));
    }
    p.extend(props(json!({
        "destdomi": z.destdomi,
        "nomfic": z.nomfic,
        "urlfic": z.urlfic,
        "insee": z.insee,
        // The document's approval date (the GPU's meaning of it on a zone).
        "datappro": gpu_date(doc.and_then(|d| d.datappro.as_deref())),
        "datvalid": gpu_date(z.datvalid.as_deref()),
        "idurba": idurba,
    })));
    if !sector {
        // The 2017 standard's zone id and its label: not read from ZONE_URBA.
        p.insert("idzone".into(), Value::Null);
        p.insert("lib_idzone".into(), Value::Null);
    }
    p
}

/// `prescription-*` or `info-*` of one dimension.
fn urba<'d>(
    data: &'d Dataset,
    filter: &Filter,
    prescriptions: bool,
    dimension: Dimension,
) -> Vec<Item<'d>> {
    let layer = if prescriptions {
        &data.prescriptions
    } else {
        &data.informations
    };
    select(layer, filter.geom.as_ref())
        .into_iter()
        .filter(|(_, f)| Dimension::of(&f.geometry) == Some(dimension))
        .filter_map(|(gid, f)| {
            let doc = document_of(data, None, f.idurba.as_deref());
            let partition = doc.and_then(du_partition);
            if !filter.partition_ok(partition.as_deref()) {
                return None;
            }
            Some(Item {
                gid,
                geometry: Some(Cow::Borrowed(&f.geometry)),
                properties: urba_properties(gid, f, doc, partition, prescriptions),
            })
        })
        .collect()
}

fn urba_properties(
    gid: usize,
    f: &UrbaFeature,
    doc: Option<&PlanDocument>,
    partition: Option<String>,
    prescription: bool,
) -> Map<String, Value> {
    let mut p = props(json!({
        "gid": gid,
        "partition": partition,
        "libelle": f.libelle,
        "txt": f.txt,
    }));
    if prescription {
        p.insert("typepsc".into(), json!(f.code));
        p.insert("stypepsc".into(), json!(f.subcode));
    } else {
        p.insert("typeinf".into(), json!(f.code));
        p.insert("stypeinf".into(), json!(f.subcode));
        // Complementary types of cartes communales: not read.
        p.insert("typep".into(), Value::Null);
        p.insert("stypep".into(), Value::Null);
    }
    p.insert("nomfic".into(), json!(f.nomfic));
    p.insert("urlfic".into(), json!(f.urlfic));
    // The CNIG prescription and information tables carry no INSEE.
    p.insert("insee".into(), Value::Null);
    if prescription {
        p.insert(
            "datappro".into(),
            gpu_date(doc.and_then(|d| d.datappro.as_deref())),
        );
    }
    p.insert("datvalid".into(), gpu_date(f.datvalid.as_deref()));
    p.insert("idurba".into(), json!(f.idurba));
    p
}

/// `<idGest>_SUP_<territoire>_<catégorie>` from a CNIG SUP delivery named
/// `<idGest>_<catégorie>_<territoire>_<date>` (e.g. `110068012_PM3_28_20161104` →
/// `110068012_SUP_28_PM3`).
fn sup_partition(source: &str, categorie: &str) -> Option<String> {
    let folder = source.rsplit(['/', '\\']).next()?;
    match folder.split('_').collect::<Vec<_>>().as_slice() {
        [gest, cat, territory, date]
            if cat.eq_ignore_ascii_case(categorie)
                && date.len() == 8
                && date.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(format!("{gest}_SUP_{territory}_{cat}"))
        }
        _ => None,
    }
}

/// The easements meeting `geom` that pass the partition and category filters.
fn servitudes<'d>(
    data: &'d Dataset,
    filter: &Filter,
) -> Vec<(usize, &'d Servitude, Option<String>)> {
    select(&data.servitudes, filter.geom.as_ref())
        .into_iter()
        .filter(|(_, s)| filter.categorie_ok(&s.categorie))
        .filter_map(|(gid, s)| {
            let partition = sup_partition(&s.source, &s.categorie);
            filter
                .partition_ok(partition.as_deref())
                .then_some((gid, s, partition))
        })
        .collect()
}

/// `assiette-sup-*` of one dimension.
fn assiettes<'d>(data: &'d Dataset, filter: &Filter, dimension: Dimension) -> Vec<Item<'d>> {
    servitudes(data, filter)
        .into_iter()
        .filter(|(_, s, _)| Dimension::of(&s.geometry) == Some(dimension))
        .map(|(gid, s, partition)| {
            // The loader names an assiette without IdAss by its origin: that is not an IdAss.
            let idass = (s.id_ass != s.origin.id()).then_some(s.id_ass.as_str());
            Item {
                gid,
                geometry: Some(Cow::Borrowed(&s.geometry)),
                properties: props(json!({
                    "gid": gid,
                    // Lower case, as the GPU stores it (IGN lower-cases `categorie` to match).
                    "suptype": s.categorie.to_lowercase(),
                    "partition": partition,
                    "fichier": s.acte.as_ref().and_then(|a| a.fichier.clone()),
                    "idass": idass,
                    "idgen": s.id_gen,
                    "nomass": s.nom_ass,
                    "typeass": s.type_ass,
                    // How the assiette's geometry was made: not read.
                    "modegeoass": null,
                    "paramcalc": null,
                    "srcgeoass": null,
                    "datesrcass": null,
                })),
            }
        })
        .collect()
}

/// `generateur-sup-*` of one dimension: the générateurs meeting `geom` that pass the partition and
/// category filters, with the CNIG 2016 fields lower-cased as the GPU writes the assiettes'.
fn generateurs<'d>(data: &'d Dataset, filter: &Filter, dimension: Dimension) -> Vec<Item<'d>> {
    select(&data.generateurs, filter.geom.as_ref())
        .into_iter()
        .filter(|(_, g)| Dimension::of(&g.geometry) == Some(dimension))
        .filter(|(_, g)| filter.categorie_ok(&g.categorie))
        .filter_map(|(gid, g)| {
            let partition = sup_partition(&g.source, &g.categorie);
            filter.partition_ok(partition.as_deref()).then(|| Item {
                gid,
                geometry: Some(Cow::Borrowed(&g.geometry)),
                properties: props(json!({
                    "gid": gid,
                    "suptype": g.categorie.to_lowercase(),
                    "partition": partition,
                    "fichier": g.fichier,
                    "idgen": g.id_gen,
                    "nomgen": g.nom_gen,
                    "typegen": g.type_gen,
                    "modegenere": g.mode_genere,
                    "srcgeogen": g.src_geo_gen,
                    "datesrcgen": g.date_src_gen,
                })),
            })
        })
        .collect()
}

/// `acte-sup`: the acts of the easements (meeting `geom` when given), each once.
fn actes<'d>(data: &'d Dataset, filter: &Filter) -> Vec<Item<'d>> {
    let mut seen: Vec<(Option<String>, Option<String>, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    for (gid, s, partition) in servitudes(data, filter) {
        let Some(acte) = &s.acte else { continue };
        let key = (partition.clone(), acte.nom.clone(), acte.fichier.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(Item {
            gid,
            // The act table has no geometry.
            geometry: None,
            properties: props(json!({
                "gid": gid,
                "partition": partition,
                "idacte": null,
                "nomacte": acte.nom,
                "reference": acte.reference,
                "typeacte": acte.type_acte,
                "fichier": acte.fichier,
                "decision": null,
                "datedecis": gpu_date(acte.date_decision.as_deref()),
                "datepub": null,
                "aplan": null,
            })),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_gpu_guide() {
        // Syntax of docUser_moduleUrbanisme.pdf §I.6.b (by hand).
        let doc = |idurba: &str, typedoc: &str| PlanDocument {
            idurba: idurba.into(),
            typedoc: typedoc.into(),
            ..PlanDocument::default()
        };
        assert_eq!(
            du_partition(&doc("30014_PLU_20171013", "PLU")).as_deref(),
            Some("DU_30014")
        );
        assert_eq!(
            du_partition(&doc("241800432_PLUI_20200128", "PLUi")).as_deref(),
            Some("DU_241800432")
        );
        assert_eq!(
            du_partition(&doc("75056_PSMV_20131011", "PSMV")).as_deref(),
            Some("PSMV_75056")
        );
        assert_eq!(du_partition(&doc("plan-local", "PLU")), None);
    }
}
