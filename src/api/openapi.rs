//! The OpenAPI 3.1 document of the API (`GET /api/openapi.json`) and its documentation page
//! (`GET /api/docs`, Swagger UI embedded in the binary: it works with no network).
//!
//! The document is generated from the code, so that it cannot drift from the router: each handler
//! carries its description (`#[utoipa::path(…)]`: method, path, parameters, answers and errors),
//! the answer types derive `utoipa::ToSchema`, and [`super::api_routes`] registers every route
//! with `utoipa_axum`'s `routes!`, which adds the route to the router and its description to the
//! document in one call. The answers without a Rust type (the BAN's and API Carto's GeoJSON, built
//! with `serde_json`) are described by hand in `openapi/components.json`, as small as honest.
//! The errors that any route can give (500, 503 when saturated, 504 past the deadline: see
//! [`super::limits`]) are added to every operation here rather than repeated on each handler.
//!
//! # Adding a route
//!
//! 1. Annotate its handler, e.g.
//!    `#[utoipa::path(post, path = "/api/lookup/csv/", tag = "urbanisme", request_body(…),
//!    responses((status = 200, …), (status = 400, body = ErrorBody)))]`;
//! 2. register it with one line in [`super::api_routes`] (or its module's `routes()`):
//!    `.routes(routes!(lookup::post_lookup_csv))` — never with `.route(…)`, which would serve it
//!    undocumented (`tests/openapi.rs` refuses `.route(` under `src/api/`).
//!
//! A new parameter on a route is one more `("name" = Option<T>, Query, description = "…")` in its
//! handler's `params(…)`. A handler of several methods says `method(get, post)` (`get, post` would
//! keep the last one only). A new answer type derives `utoipa::ToSchema` beside `Serialize`; a field
//! whose type has no schema takes `#[schema(value_type = …)]`. `tests/openapi.rs` checks real
//! answers against the schemas, so a schema that contradicts the JSON fails there.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use utoipa::openapi::path::PathItem;
use utoipa_axum::router::UtoipaMethodRouter;

use super::{ApiError, AppState};

/// The base of the document: its title, description and tags; paths are added by the routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "urbaclic",
        description = "Quelles règles d'urbanisme s'appliquent ici : parcelle, zones du PLU, \
                       servitudes d'utilité publique, plans de prévention des risques ; géocodeur \
                       compatible avec l'API Adresse (BAN) et modules GPU et cadastre compatibles \
                       avec l'API Carto de l'IGN. Toute erreur est un JSON \
                       `{error, message, request_id}` (voir le schéma ErrorBody).",
        license(name = "MIT", identifier = "MIT")
    ),
    // HitProperties: the properties of the hand-written BanFeature.
    components(schemas(super::ErrorBody, crate::geocode::HitProperties)),
    tags(
        (name = "urbanisme", description = "Règles applicables en un point, sur une parcelle ou une emprise."),
        (name = "carte", description = "Couches de la carte et catalogue."),
        (name = "géocodage", description = "API Adresse (BAN) : recherche, géocodage inverse, par lot."),
        (name = "API Carto", description = "Modules GPU et cadastre de l'API Carto de l'IGN."),
        (name = "exploitation", description = "Santé, métriques, rechargement des données."),
        (name = "documentation", description = "Ce document et sa page."),
    )
)]
pub(super) struct ApiDoc;

/// The hand-written schemas and shared error answers (`schemas` and `responses` of the
/// document's `components`).
const COMPONENTS: &str = include_str!("openapi/components.json");

/// The swagger-ui-dist files served under `/api/docs/` (`docs/SOURCE.md`), and our initialiser:
/// a file of its own because the Content-Security-Policy refuses inline scripts.
const DOCS_FILES: [(&str, &str, &[u8]); 3] = [
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("docs/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("docs/swagger-ui.css"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("docs/init.js"),
    ),
];

/// The document as JSON text, built once (it depends on the code only, not on the data).
///
/// # Errors
///
/// An internal error when `openapi/components.json` is not a JSON object of the expected shape
/// (a defect that `tests/openapi.rs` would have caught).
pub fn document() -> Result<&'static str, ApiError> {
    static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| build().map_err(|e| format!("document OpenAPI : {e}")))
        .as_deref()
        .map_err(|e| ApiError::Internal(e.clone()))
}

/// utoipa's document with the hand-written components, the errors common to every route, unique
/// operation ids and OpenAPI path templates.
fn build() -> Result<String, serde_json::Error> {
    let mut doc = serde_json::to_value(super::api_routes().into_openapi())?;
    let written: Map<String, Value> = serde_json::from_str(COMPONENTS)?;
    let components = doc["components"]
        .as_object_mut()
        .ok_or_else(|| serde::de::Error::custom("components absent"))?;
    for (section, entries) in written {
        let Value::Object(entries) = entries else {
            return Err(serde::de::Error::custom(format!(
                "components.{section} n'est pas un objet"
            )));
        };
        let target = components
            .entry(section)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(target) = target {
            target.extend(entries);
        }
    }
    add_common_errors(&mut doc);
    unique_operation_ids(&mut doc);
    // axum's catch-all `{*path}` is an OpenAPI template `{path}`.
    if let Some(paths) = doc["paths"].as_object_mut() {
        *paths = std::mem::take(paths)
            .into_iter()
            .map(|(path, item)| (path.replace("{*", "{"), item))
            .collect();
    }
    serde_json::to_string(&doc)
}

/// Adds to every operation the answers of the layers around every route ([`super::limits`]):
/// 500 (a handler that failed), 504 (past the request deadline) and, but on `/health` which is
/// never shed, 503 (too many requests in flight).
fn add_common_errors(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            let Some(responses) = operation["responses"].as_object_mut() else {
                continue;
            };
            let mut common = vec![("500", "Internal"), ("504", "Timeout")];
            if path != "/health" {
                common.push(("503", "Busy"));
            }
            for (status, name) in common {
                responses.entry(status).or_insert_with(
                    || serde_json::json!({ "$ref": format!("#/components/responses/{name}") }),
                );
            }
        }
    }
}

/// Operation ids are unique in a document, but a handler of several methods (API Carto's GET and
/// POST) describes one operation: past the first method, its id takes the method as suffix.
fn unique_operation_ids(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let mut seen = std::collections::HashSet::new();
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            let Some(id) = operation["operationId"].as_str().map(str::to_string) else {
                continue;
            };
            if !seen.insert(id.clone()) {
                operation["operationId"] = Value::String(format!("{id}_{method}"));
            }
        }
    }
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    summary = "Ce document OpenAPI 3.1",
    description = "Généré depuis le code : chaque route y est décrite par son gestionnaire.",
    tag = "documentation",
    responses((status = 200, description = "Le document OpenAPI 3.1", body = serde_json::Value))
)]
pub(super) async fn get_openapi() -> Result<Response, ApiError> {
    Ok(([(header::CONTENT_TYPE, "application/json")], document()?).into_response())
}

/// The documentation page: the document read by Swagger UI, served from the binary.
#[utoipa::path(
    get,
    path = "/api/docs",
    summary = "Page de documentation de l'API",
    description = "Swagger UI lisant /api/openapi.json, servi par le binaire (aucun accès réseau).",
    tag = "documentation",
    responses((status = 200, description = "Page HTML", content_type = "text/html", body = String))
)]
pub(super) async fn get_docs() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("docs/index.html"),
    )
        .into_response()
}

/// A file of the documentation page (Swagger UI's script and style sheet).
#[utoipa::path(
    get,
    path = "/api/docs/{file}",
    summary = "Fichier de la page de documentation",
    description = "Le script et la feuille de style de Swagger UI, et son initialisation.",
    tag = "documentation",
    params(("file" = String, Path, description = "`swagger-ui-bundle.js`, `swagger-ui.css` ou `init.js`")),
    responses(
        (status = 200, description = "Le fichier", content_type = "text/javascript", body = String),
        (status = 404, description = "Aucun fichier de ce nom", body = super::ErrorBody),
    )
)]
pub(super) async fn get_docs_file(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, content_type, bytes) = DOCS_FILES
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or_else(|| ApiError::NotFound(format!("aucun fichier « {file} » dans /api/docs")))?;
    Ok(([(header::CONTENT_TYPE, *content_type)], *bytes).into_response())
}

/// `routes` (one path) served at `alias` too, and described there as the same operation with
/// an id of its own (operation ids are unique in a document). The BAN routes answer with and
/// without their final `/`, as the BAN API does.
pub(super) fn also_at(
    alias: &str,
    (schemas, mut paths, method_router): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    let copies: Vec<(String, PathItem)> = paths
        .paths
        .iter()
        .map(|(path, item)| {
            let mut item = item.clone();
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                operation.operation_id = operation
                    .operation_id
                    .take()
                    .map(|id| format!("{id}_alias"));
                operation.description = Some(format!("Même opération que `{path}`."));
            }
            (alias.to_string(), item)
        })
        .collect();
    paths.paths.extend(copies);
    (schemas, paths, method_router)
}
