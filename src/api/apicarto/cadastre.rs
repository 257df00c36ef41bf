//! `/api/cadastre/parcelle` and `/api/cadastre/commune`: API Carto's « cadastre » module over the
//! loaded Etalab cadastre and commune boundaries.
//!
//! Parameters and checks follow `IGNF/apicarto` `controllers/cadastre/index.js`: `code_insee`
//! (5 characters, `2A`/`2B` accepted), `section` (2 characters; one is padded with `0` as the
//! cadastre writes it), `numero` (up to 4 digits, padded), `com_abs` and `code_arr` (3 digits),
//! `code_dep`, `geom`, `_limit` (parcels: at most and by default 1,000; communes: 500) and
//! `_start`; `source_ign` may be `PCI` or `BDP` (anything else is a 400, as at IGN) but both are
//! answered from the one cadastre loaded. A request must filter on something (IGN's cadastre
//! guide §I.5.a). `code_insee=75056` (Paris) finds the parcels of its arrondissements, which the
//! cadastre keeps per arrondissement (75101–75120), as it does for Lyon and Marseille.
//!
//! Attributes (Parcellaire Express): `numero`, `feuille`, `section`, `code_dep`, `nom_com`,
//! `code_com`, `com_abs` (the parcel id's prefix), `code_arr`, `idu` (the 14-character id),
//! `contenance`, `code_insee`; `feuille` is not in Etalab's cadastre and is `null`.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::geometry::select;
use super::params::CartoParams;
use super::{answer, code_arr, collection, commune_matches, dep_com, props, Item};
use crate::api::{ApiError, AppState, ErrorBody};
use crate::dataset::Dataset;
use crate::model::Parcel;

/// Parcels answered at most, and by default (cadastre guide §I.5.b).
const MAX_PARCELS: usize = 1000;
/// Communes answered at most, and by default.
const MAX_COMMUNES: usize = 500;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(parcelle))
        .routes(routes!(commune))
}

/// The cadastral parcels (Parcellaire Express attributes) a request designates.
#[utoipa::path(
    method(get, post),
    path = "/api/cadastre/parcelle",
    summary = "Parcelles cadastrales (API Carto, module cadastre)",
    description = "Les parcelles désignées (attributs de Parcellaire Express), en GET ou en POST ; une requête doit filtrer sur quelque chose.",
    tag = "API Carto",
    params(
        ("code_insee" = Option<String>, Query, description = "Code INSEE (5 caractères ; 75056 : tout Paris)"),
        ("section" = Option<String>, Query, description = "Section cadastrale (2 caractères)"),
        ("numero" = Option<String>, Query, description = "Numéro de parcelle (jusqu'à 4 chiffres)"),
        ("com_abs" = Option<String>, Query, description = "Préfixe de la commune absorbée (3 chiffres)"),
        ("code_arr" = Option<String>, Query, description = "Code d'arrondissement (3 chiffres)"),
        ("code_dep" = Option<String>, Query, description = "Code de département"),
        ("source_ign" = Option<String>, Query, description = "`PCI` ou `BDP`"),
        ("geom" = Option<String>, Query, description = "Une géométrie GeoJSON (WGS84) ; aussi dans un corps POST `{\"geom\": …}`"),
        ("_limit" = Option<u32>, Query, description = "Objets au plus (et par défaut) : 1 000"),
        ("_start" = Option<u32>, Query, description = "Objets sautés (pagination)"),
    ),
    request_body(
        description = "POST : les mêmes paramètres en objet JSON (une valeur du corps l'emporte sur la requête)",
        content = serde_json::Value,
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "Les parcelles", body = ref("#/components/schemas/CartoFeatureCollection")),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 408, description = "Corps de requête trop lent à arriver", body = ErrorBody),
        (status = 413, description = "Corps de requête de plus de 1 Mio", body = ErrorBody),
    )
)]
async fn parcelle(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    answer(state, raw, body, parcels).await
}

/// The communes a request designates.
#[utoipa::path(
    method(get, post),
    path = "/api/cadastre/commune",
    summary = "Communes (API Carto, module cadastre)",
    description = "Les communes désignées, en GET ou en POST.",
    tag = "API Carto",
    params(
        ("code_insee" = Option<String>, Query, description = "Code INSEE (5 caractères)"),
        ("code_dep" = Option<String>, Query, description = "Code de département"),
        ("source_ign" = Option<String>, Query, description = "`PCI` ou `BDP`"),
        ("geom" = Option<String>, Query, description = "Une géométrie GeoJSON (WGS84) ; aussi dans un corps POST `{\"geom\": …}`"),
        ("_limit" = Option<u32>, Query, description = "Objets au plus (et par défaut) : 500"),
        ("_start" = Option<u32>, Query, description = "Objets sautés (pagination)"),
    ),
    request_body(
        description = "POST : les mêmes paramètres en objet JSON (une valeur du corps l'emporte sur la requête)",
        content = serde_json::Value,
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "Les communes", body = ref("#/components/schemas/CartoFeatureCollection")),
        (status = 400, description = "Paramètre invalide", body = ErrorBody),
        (status = 408, description = "Corps de requête trop lent à arriver", body = ErrorBody),
        (status = 413, description = "Corps de requête de plus de 1 Mio", body = ErrorBody),
    )
)]
async fn commune(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    answer(state, raw, body, communes).await
}

/// `source_ign`: IGN's two products; this service has one cadastre, answered for both.
fn check_source(params: &CartoParams) -> Result<(), ApiError> {
    match params.text("source_ign").map(|s| s.to_ascii_uppercase()) {
        None => Ok(()),
        Some(s) if s == "PCI" || s == "BDP" => Ok(()),
        Some(s) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("le paramètre « source_ign » vaut PCI (Parcellaire Express) ou BDP (BD Parcellaire), reçu « {s} »"),
        )),
    }
}

/// `code_dep`: 2 or 3 characters (`91`, `2A`, `974`).
fn code_dep(params: &CartoParams) -> Result<Option<String>, ApiError> {
    let Some(v) = params.text("code_dep") else {
        return Ok(None);
    };
    let v = v.to_ascii_uppercase();
    if (2..=3).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Some(v))
    } else {
        Err(ApiError::bad_request(
            "invalid_parameter",
            format!("le paramètre « code_dep » doit compter 2 ou 3 caractères (ex. 91, 2A, 974), reçu « {v} »"),
        ))
    }
}

/// A section (1 or 2 letters or digits) padded to two as the cadastre writes it (`A` → `0A`).
fn section(params: &CartoParams) -> Result<Option<String>, ApiError> {
    let Some(v) = params.text("section") else {
        return Ok(None);
    };
    let s = v.to_ascii_uppercase();
    if (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Some(format!("{s:0>2}")))
    } else {
        Err(ApiError::bad_request(
            "invalid_parameter",
            format!("le paramètre « section » compte 2 caractères (ex. AB, 0A), reçu « {v} »"),
        ))
    }
}

/// A parcel number (1 to 4 digits) padded to four (`37` → `0037`).
fn numero(params: &CartoParams) -> Result<Option<String>, ApiError> {
    let Some(v) = params.text("numero") else {
        return Ok(None);
    };
    if (1..=4).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(format!("{v:0>4}")))
    } else {
        Err(ApiError::bad_request(
            "invalid_parameter",
            format!("le paramètre « numero » compte 4 chiffres (ex. 0037), reçu « {v} »"),
        ))
    }
}

fn missing_filter(what: &str) -> ApiError {
    ApiError::bad_request(
        "missing_parameter",
        format!("au moins un filtre est requis : {what}"),
    )
}

fn parcels(data: &Dataset, params: &CartoParams) -> Result<Value, ApiError> {
    check_source(params)?;
    let insee = params.insee("code_insee")?;
    let dep = code_dep(params)?;
    let section = section(params)?;
    let numero = numero(params)?;
    let com_abs = params.digits("com_abs", 3)?;
    let arr = params.digits("code_arr", 3)?;
    let geom = params.geom()?;
    let page = params.page(MAX_PARCELS, MAX_PARCELS)?;
    if insee.is_none() && dep.is_none() && geom.is_none() {
        return Err(missing_filter("« code_insee », « code_dep » ou « geom »"));
    }
    let names = commune_names(data);
    let keep = |p: &Parcel| {
        let (d, _) = dep_com(&p.commune);
        insee
            .as_deref()
            .is_none_or(|c| commune_matches(c, &p.commune))
            && dep.as_deref().is_none_or(|want| want == d)
            && section
                .as_deref()
                .is_none_or(|s| *s == padded(&p.section, 2))
            && numero.as_deref().is_none_or(|n| *n == padded(&p.numero, 4))
            && com_abs.as_deref().is_none_or(|c| c == p.prefixe)
            && arr.as_deref().is_none_or(|a| a == code_arr(&p.commune))
    };
    // Without a geometry, the filters are tested on every parcel without keeping any (a
    // snapshot's parcels are decoded for the test only); the parcels answered are then read.
    let hits: Vec<(usize, &Parcel)> = match geom.as_ref() {
        Some(g) => g
            .meets(&data.parcels)
            .into_iter()
            .filter(|(_, p)| keep(p))
            .collect(),
        None => data
            .parcels
            .scan(keep)
            .into_iter()
            .filter_map(|i| Some((i, data.parcels.get(i)?)))
            .collect(),
    };
    let items: Vec<Item<'_>> = hits
        .into_iter()
        .map(|(gid, p)| {
            let (d, c) = dep_com(&p.commune);
            Item {
                gid,
                geometry: Some(Cow::Borrowed(&p.geometry)),
                properties: props(json!({
                    "gid": gid,
                    "numero": padded(&p.numero, 4),
                    // The sheet of the cadastral plan: not in Etalab's cadastre.
                    "feuille": null,
                    "section": padded(&p.section, 2),
                    "code_dep": d,
                    "nom_com": names.get(p.commune.as_str()),
                    "code_com": c,
                    "com_abs": p.prefixe,
                    "code_arr": code_arr(&p.commune),
                    "idu": p.id,
                    "contenance": p.contenance.map(contenance),
                    "code_insee": p.commune,
                })),
            }
        })
        .collect();
    Ok(collection("parcelle", items, page))
}

/// `v` left-padded with `0` to `width`, as the cadastre writes sections and numbers (Etalab's
/// files give `numero` unpadded: `37` for `0037`).
fn padded(v: &str, width: usize) -> String {
    format!("{v:0>width$}")
}

/// A declared area in whole square metres when it is one (the cadastre's `contenance` is).
fn contenance(m2: f64) -> Value {
    if m2.fract() == 0.0 && m2.abs() < 9.0e15 {
        json!(m2 as i64)
    } else {
        json!(m2)
    }
}

fn commune_names(data: &Dataset) -> HashMap<&str, &str> {
    data.communes
        .features()
        .iter()
        .map(|c| (c.insee.as_str(), c.name.as_str()))
        .collect()
}

fn communes(data: &Dataset, params: &CartoParams) -> Result<Value, ApiError> {
    check_source(params)?;
    let insee = params.insee("code_insee")?;
    let dep = code_dep(params)?;
    let geom = params.geom()?;
    let page = params.page(MAX_COMMUNES, MAX_COMMUNES)?;
    if insee.is_none() && dep.is_none() && geom.is_none() {
        return Err(missing_filter("« code_insee », « code_dep » ou « geom »"));
    }
    let items: Vec<Item<'_>> = select(&data.communes, geom.as_ref())
        .into_iter()
        .filter(|(_, c)| {
            insee
                .as_deref()
                .is_none_or(|code| commune_matches(code, &c.insee))
                && dep.as_deref().is_none_or(|d| d == dep_com(&c.insee).0)
        })
        .map(|(gid, c)| Item {
            gid,
            geometry: Some(Cow::Borrowed(&c.geometry)),
            properties: props(json!({
                "gid": gid,
                "nom_com": c.name,
                "code_dep": dep_com(&c.insee).0,
                "code_insee": c.insee,
            })),
        })
        .collect();
    Ok(collection("commune", items, page))
}
