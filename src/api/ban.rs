//! `GET /search/` and `GET /reverse/` (and the batch `POST /search/csv/`, `/reverse/csv/`): the
//! BAN address API (addok), served from the embedded [`AddressIndex`] so that an existing BAN
//! client pointed at urbaclic works unchanged.
//!
//! Responses are GeoJSON FeatureCollections shaped like addok's (`type`, `version: "draft"`,
//! `features`, `attribution`, `licence`, `query`, `limit`, and `filters`/`center` when given).
//! Bad parameters get a 400 whose body carries both conventions: BAN's `{"code": 400,
//! "message": …}` and urbaclic's `{"error": "<code>", …}`, so BAN clients reading `message`
//! and ours reading `error` both work. The batch routes answer every failure in that shape too
//! (a 4xx for the client's mistakes, a logged generic 500 for the server's), never plain text.

use std::sync::Arc;

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::also_at;
use super::params::Params;
use super::ApiError;
use super::AppState;
use crate::dataset::Dataset;
use crate::geocode::batch::{geocode_csv, reverse_csv, BatchError, BatchOptions};
use crate::geocode::upstream::search_with_upstream;
use crate::geocode::{
    AddressIndex, Filters, PlaceType, SearchHit, SearchQuery, UpstreamConfig, MAX_FILTER_VALUES,
};
use crate::lookup::Position;

/// Largest `limit` accepted (addok's bound).
pub const MAX_LIMIT: usize = 100;
/// Bounds on the length of `q`, in characters (the BAN API's).
pub const MIN_Q: usize = 3;
pub const MAX_Q: usize = 200;

/// Largest CSV file accepted by the batch routes (the BAN API's limit).
pub const MAX_CSV_BYTES: usize = 50 * 1024 * 1024;

/// The BAN routes, with and without trailing slash.
pub fn routes() -> OpenApiRouter<AppState> {
    let batch = OpenApiRouter::new()
        .routes(also_at("/search/csv", routes!(post_search_csv)))
        .routes(also_at("/reverse/csv", routes!(post_reverse_csv)))
        .layer(DefaultBodyLimit::max(MAX_CSV_BYTES));
    OpenApiRouter::new()
        .routes(also_at("/search", routes!(get_search)))
        .routes(also_at("/reverse", routes!(get_reverse)))
        .merge(batch)
}

/// The multipart form of the batch routes, for the document (read by [`batch_form`]).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a description only
struct BatchForm {
    /// The CSV file (UTF-8, `,` `;` `|` or tabulation as separator).
    #[schema(value_type = String, format = Binary)]
    data: Vec<u8>,
    /// The columns to read (repeatable); all by default.
    columns: Option<Vec<String>>,
    /// The result columns to append (repeatable); all by default.
    result_columns: Option<Vec<String>>,
    /// The column holding a postcode filter.
    postcode: Option<String>,
    /// The column holding an INSEE code filter.
    citycode: Option<String>,
    /// A type filter (`housenumber`, `street`…).
    #[schema(rename = "type")]
    kind: Option<String>,
    /// The latitude column (`/reverse/csv/`, or a proximity hint).
    lat: Option<String>,
    /// The longitude column.
    lon: Option<String>,
}

/// The form the batch routes expect, to say so when something else is sent.
const FORM_EXPECTED: &str =
    "envoyer un formulaire multipart/form-data avec le fichier CSV dans le champ « data »";

/// Why the multipart extractor refused the request: not a form at all (a JSON body, no content
/// type) is a 415, a form without a usable boundary a 400.
pub(super) fn form_rejection(headers: &HeaderMap) -> BanError {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return BanError::new(
            "invalid_form",
            format!("limite (boundary) du formulaire absente ou invalide : {FORM_EXPECTED}"),
        );
    }
    let received = if content_type.is_empty() {
        "aucun type de contenu".to_string()
    } else {
        format!("type de contenu « {content_type} »")
    };
    BanError::new(
        "unsupported_media_type",
        format!("{received} non accepté : {FORM_EXPECTED}"),
    )
    .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
}

/// A failure while reading the form (`what` names the part being read): too large is a 413,
/// other malformed input a 400, a failure of the transport a server fault.
fn form_error(what: &str, e: MultipartError) -> BanError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => BanError::new(
            "too_large",
            format!(
                "fichier trop volumineux (maximum {} Mio)",
                MAX_CSV_BYTES >> 20
            ),
        )
        .with_status(StatusCode::PAYLOAD_TOO_LARGE),
        s if s.is_client_error() => BanError::new(
            "invalid_form",
            format!("{what} illisible : {}", e.body_text()),
        ),
        _ => BanError::internal(format!("{what} : {}", e.body_text())),
    }
}

/// Reads a batch form: the CSV file of its `data` part, every other field handed to `field`
/// (name, value) in order. Shared by the BAN batch routes and `/api/lookup/csv/`.
pub(super) async fn read_form(
    mut form: Multipart,
    mut field: impl FnMut(&str, String),
) -> Result<Vec<u8>, BanError> {
    let mut data = None;
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|e| form_error("formulaire", e))?
    {
        let name = part.name().unwrap_or("").to_string();
        if name == "data" {
            let bytes = part
                .bytes()
                .await
                .map_err(|e| form_error("fichier « data »", e))?;
            data = Some(bytes.to_vec());
            continue;
        }
        let value = part
            .text()
            .await
            .map_err(|e| form_error(&format!("champ « {name} »"), e))?;
        field(&name, value);
    }
    data.ok_or_else(|| {
        BanError::new(
            "missing_parameter",
            "champ « data » manquant : le fichier CSV à traiter",
        )
    })
}

/// Reads the multipart form of the BAN batch API: `data` (the CSV file), `columns` (repeatable),
/// `postcode`, `citycode`, `result_columns` (repeatable).
async fn batch_form(form: Multipart) -> Result<(Vec<u8>, BatchOptions), BanError> {
    let mut opts = BatchOptions::default();
    let data = read_form(form, |name, value| match name {
        "columns" => opts.columns.push(value),
        "result_columns" => opts.result_columns.push(value),
        "postcode" => opts.postcode = Some(value),
        "citycode" => opts.citycode = Some(value),
        "type" => opts.kind = Some(value),
        "lat" => opts.lat = Some(value),
        "lon" => opts.lon = Some(value),
        _ => {}
    })
    .await?;
    Ok((data, opts))
}

/// What a batch file's error is answered with: too many rows is a 413 (as a file too large),
/// other faults of the file or options a 400, a failure to write the answer a server fault.
pub(super) fn batch_error(e: &BatchError) -> BanError {
    match e {
        BatchError::TooManyRows => {
            BanError::new("too_large", e.to_string()).with_status(StatusCode::PAYLOAD_TOO_LARGE)
        }
        e if e.is_client_error() => BanError::new("invalid_csv", e.to_string()),
        e => BanError::internal(e),
    }
}

type BatchFn = fn(&AddressIndex, &[u8], &BatchOptions) -> Result<Vec<u8>, BatchError>;

/// Runs `run` on the dataset's geocoder (an empty one when no address is loaded), off the async
/// workers since it is CPU-bound and possibly long.
async fn run_batch(
    data: Arc<Dataset>,
    input: Vec<u8>,
    opts: BatchOptions,
    run: BatchFn,
) -> Result<Vec<u8>, BanError> {
    let out = tokio::task::spawn_blocking(move || {
        let empty;
        let index = match data.addresses.as_ref() {
            Some(i) => i,
            None => {
                empty = AddressIndex::from_rows(Vec::new(), &[]);
                &empty
            }
        };
        run(index, &input, &opts)
    })
    .await;
    match out {
        Ok(Ok(csv)) => Ok(csv),
        Ok(Err(e)) => Err(batch_error(&e)),
        // The task panicked or was cancelled.
        Err(e) => Err(BanError::internal(e)),
    }
}

async fn batch(
    state: AppState,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
    run: BatchFn,
) -> Response {
    let result = async {
        let form = form.map_err(|_| form_rejection(&headers))?;
        let (input, opts) = batch_form(form).await?;
        run_batch(state.dataset(), input, opts, run).await
    };
    match result.await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"geocoded.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Geocodes a CSV file: the same file with the result columns appended (as the BAN API).
#[utoipa::path(
    post,
    path = "/search/csv/",
    summary = "Géocodage d'un fichier CSV",
    description = "Le même fichier avec les colonnes de résultat ajoutées, comme l'API Adresse (BAN). Répond aussi sans la barre finale.",
    tag = "géocodage",
    request_body(content = BatchForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Le CSV géocodé", content_type = "text/csv", body = String),
        (status = 400, description = "Formulaire ou CSV invalide", body = ref("#/components/schemas/BanErrorBody")),
        (status = 413, description = "Fichier de plus de 50 Mio", body = ref("#/components/schemas/BanErrorBody")),
        (status = 415, description = "Pas un formulaire multipart/form-data", body = ref("#/components/schemas/BanErrorBody")),
    )
)]
async fn post_search_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    batch(state, headers, form, geocode_csv).await
}

/// Reverse-geocodes a CSV file of points (`lat`, `lon` columns).
#[utoipa::path(
    post,
    path = "/reverse/csv/",
    summary = "Géocodage inverse d'un fichier CSV",
    description = "Les adresses les plus proches des points d'un fichier CSV (colonnes lat et lon), comme l'API Adresse (BAN). Répond aussi sans la barre finale.",
    tag = "géocodage",
    request_body(content = BatchForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Le CSV avec les adresses trouvées", content_type = "text/csv", body = String),
        (status = 400, description = "Formulaire ou CSV invalide", body = ref("#/components/schemas/BanErrorBody")),
        (status = 413, description = "Fichier de plus de 50 Mio", body = ref("#/components/schemas/BanErrorBody")),
        (status = 415, description = "Pas un formulaire multipart/form-data", body = ref("#/components/schemas/BanErrorBody")),
    )
)]
async fn post_reverse_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    batch(state, headers, form, reverse_csv).await
}

/// Searches addresses, as the BAN API (addok) does.
#[utoipa::path(
    get,
    path = "/search/",
    summary = "Recherche d'adresses (API Adresse)",
    description = "Les adresses de l'index embarqué (ou d'un géocodeur distant configuré) qui répondent à q, meilleure d'abord, au format de l'API Adresse (addok). Répond aussi sans la barre finale.",
    tag = "géocodage",
    params(
        ("q" = String, Query, description = "L'adresse cherchée, 3 à 200 caractères"),
        ("autocomplete" = Option<bool>, Query, description = "Compléter le dernier mot (1 par défaut)"),
        ("lat" = Option<f64>, Query, description = "Latitude d'un point de préférence (avec « lon » ; alias `latitude`)"),
        ("lon" = Option<f64>, Query, description = "Longitude du point de préférence (alias `lng`, `long`, `longitude`)"),
        ("type" = Option<String>, Query, description = "Filtre : `housenumber`, `street`, `locality` ou `municipality` (répétable)"),
        ("postcode" = Option<String>, Query, description = "Filtre : code postal (plusieurs séparés par des espaces)"),
        ("citycode" = Option<String>, Query, description = "Filtre : code INSEE (plusieurs séparés par des espaces)"),
        ("limit" = Option<u32>, Query, description = "Résultats au plus, 1 à 100"),
    ),
    responses(
        (status = 200, description = "Les adresses trouvées, meilleure d'abord", body = ref("#/components/schemas/BanCollection")),
        (status = 400, description = "Paramètre absent ou invalide", body = ref("#/components/schemas/BanErrorBody")),
    )
)]
async fn get_search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let data = state.dataset();
    let (index, upstream) = (data.addresses.as_ref(), state.upstream.as_ref());
    match search_response(index, upstream, raw.as_deref()).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The addresses nearest a point, as the BAN API (addok) does.
#[utoipa::path(
    get,
    path = "/reverse/",
    summary = "Adresses les plus proches d'un point (API Adresse)",
    description = "Au format de l'API Adresse (addok). Répond aussi sans la barre finale.",
    tag = "géocodage",
    params(
        ("lat" = f64, Query, description = "Latitude WGS84 (alias `latitude`)"),
        ("lon" = f64, Query, description = "Longitude WGS84 (alias `lng`, `long`, `longitude`)"),
        ("type" = Option<String>, Query, description = "Filtre : `housenumber`, `street`, `locality` ou `municipality` (répétable)"),
        ("postcode" = Option<String>, Query, description = "Filtre : code postal (plusieurs séparés par des espaces)"),
        ("citycode" = Option<String>, Query, description = "Filtre : code INSEE (plusieurs séparés par des espaces)"),
        ("limit" = Option<u32>, Query, description = "Résultats au plus, 1 à 100"),
    ),
    responses(
        (status = 200, description = "Les adresses les plus proches", body = ref("#/components/schemas/BanCollection")),
        (status = 400, description = "Paramètre absent ou invalide", body = ref("#/components/schemas/BanErrorBody")),
    )
)]
async fn get_reverse(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let data = state.dataset();
    match reverse_response(data.addresses.as_ref(), raw.as_deref()) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// An error in both the BAN (`code`, `message`) and the urbaclic (`error`, `message`) shapes.
#[derive(Debug, PartialEq)]
pub struct BanError {
    pub status: StatusCode,
    pub error: &'static str,
    pub message: String,
}

impl BanError {
    /// A 400.
    pub(super) fn new(error: &'static str, message: impl Into<String>) -> Self {
        BanError {
            status: StatusCode::BAD_REQUEST,
            error,
            message: message.into(),
        }
    }

    /// The same error with another status.
    pub(super) fn with_status(self, status: StatusCode) -> Self {
        BanError { status, ..self }
    }

    /// A failure of the server: the cause goes to the log, the client gets a generic 500 (the
    /// cause is no use to it and may reveal internals).
    pub(super) fn internal(cause: impl std::fmt::Display) -> Self {
        eprintln!("ERREUR traitement par lot : {cause}");
        BanError::new(
            "internal_error",
            "erreur interne pendant le traitement du fichier ; réessayer plus tard",
        )
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for BanError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.status.as_u16(),
            "error": self.error,
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

fn params(raw: Option<&str>) -> Result<Params, BanError> {
    Params::parse(raw).map_err(|e| BanError::new("invalid_query", e.to_string()))
}

/// The shared parameter rules ([`Params::number`], [`Position::new`]) answered in the BAN shape.
impl From<ApiError> for BanError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::BadRequest { code, message } => BanError::new(code, message),
            other => BanError::new("invalid_parameter", other.to_string()),
        }
    }
}

fn number(p: &Params, name: &str) -> Result<Option<f64>, BanError> {
    Ok(p.number(name)?)
}

/// The first of `names` given, as a number (addok's aliases: `lng`, `long`, `longitude`…).
fn number_alias(p: &Params, names: &[&str]) -> Result<Option<f64>, BanError> {
    for name in names {
        if let Some(v) = number(p, name)? {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// `lon`/`lat` (or addok's aliases `lng`, `long`, `longitude`, `latitude`): both or neither,
/// in range.
fn point(p: &Params, required: bool) -> Result<Option<(f64, f64)>, BanError> {
    let lon = number_alias(p, &["lon", "lng", "long", "longitude"])?;
    let lat = number_alias(p, &["lat", "latitude"])?;
    match (lon, lat) {
        (Some(lon), Some(lat)) => {
            let at = Position::new(lon, lat).map_err(ApiError::from)?;
            Ok(Some((at.lon, at.lat)))
        }
        (None, None) if !required => Ok(None),
        (None, None) => Err(BanError::new(
            "missing_parameter",
            "paramètres « lon » et « lat » requis (degrés WGS84)",
        )),
        (None, _) => Err(BanError::new(
            "missing_parameter",
            "paramètre « lon » manquant (« lat » est donné)",
        )),
        (_, None) => Err(BanError::new(
            "missing_parameter",
            "paramètre « lat » manquant (« lon » est donné)",
        )),
    }
}

fn limit(p: &Params, default: usize) -> Result<usize, BanError> {
    let Some(v) = p.get("limit") else {
        return Ok(default);
    };
    match v.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(BanError::new(
            "invalid_limit",
            format!("« limit » doit être un entier entre 1 et {MAX_LIMIT}, reçu « {v} »"),
        )),
    }
}

/// A postcode or INSEE code: 5 letters or digits (`2A004`), upper-cased.
fn code(name: &str, v: &str) -> Result<String, BanError> {
    let ok = v.len() == 5 && v.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok {
        return Err(BanError::new(
            "invalid_parameter",
            format!("« {name} » doit être un code à 5 caractères, reçu « {v} »"),
        ));
    }
    Ok(v.to_ascii_uppercase())
}

/// The `type`, `postcode` and `citycode` filters, each with several values as addok reads
/// them: repeated (`type=street&type=locality`) or separated by spaces (`postcode=75018
/// 75017`); duplicates dropped, at most [`MAX_FILTER_VALUES`] kept, as addok does.
fn parse_filters(raw: Option<&str>) -> Result<Filters, BanError> {
    // Already checked readable by `params`: a failure here can only be an empty list.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let values = |name: &str| {
        let mut out: Vec<&str> = Vec::new();
        let given = pairs.iter().filter(|(k, _)| k == name);
        for v in given.flat_map(|(_, v)| v.split_whitespace()) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out.truncate(MAX_FILTER_VALUES);
        out
    };
    let kind = |t: &str| {
        t.parse::<PlaceType>()
            .map_err(|e| BanError::new("invalid_type", e.to_string()))
    };
    Ok(Filters {
        kinds: values("type")
            .into_iter()
            .map(kind)
            .collect::<Result<_, _>>()?,
        postcodes: values("postcode")
            .into_iter()
            .map(|v| code("postcode", v))
            .collect::<Result<_, _>>()?,
        citycodes: values("citycode")
            .into_iter()
            .map(|v| code("citycode", v))
            .collect::<Result<_, _>>()?,
    })
}

/// Falcon's booleans, which addok's `autocomplete` goes through (`1`, `true`, `yes`, `on`…).
fn boolean(name: &str, v: &str) -> Result<bool, BanError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Ok(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Ok(false),
        _ => Err(BanError::new(
            "invalid_parameter",
            format!("« {name} » vaut 1 ou 0 (ou true/false, yes/no, on/off), reçu « {v} »"),
        )),
    }
}

/// Validates the `/search/` parameters into a [`SearchQuery`] (autocomplete on by default,
/// as in the BAN API).
pub fn parse_search(raw: Option<&str>) -> Result<SearchQuery, BanError> {
    let p = params(raw)?;
    let q = p.get("q").unwrap_or("");
    let n = q.chars().count();
    if n == 0 {
        return Err(BanError::new(
            "missing_parameter",
            "paramètre « q » manquant : l'adresse à chercher",
        ));
    }
    if !(MIN_Q..=MAX_Q).contains(&n) {
        return Err(BanError::new(
            "invalid_q",
            format!("« q » doit contenir entre {MIN_Q} et {MAX_Q} caractères ({n} reçus)"),
        ));
    }
    if !q.chars().next().is_some_and(char::is_alphanumeric) {
        return Err(BanError::new(
            "invalid_q",
            "« q » doit commencer par un chiffre ou une lettre",
        ));
    }
    let autocomplete = match p.get("autocomplete") {
        None => true,
        Some(v) => boolean("autocomplete", v)?,
    };
    let at = point(&p, false)?;
    Ok(SearchQuery {
        q: q.to_string(),
        limit: limit(&p, 5)?,
        autocomplete,
        lon: at.map(|a| a.0),
        lat: at.map(|a| a.1),
        filters: parse_filters(raw)?,
    })
}

fn collection(hits: &[SearchHit], limit: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("FeatureCollection"));
    m.insert("version".into(), json!("draft"));
    m.insert("features".into(), json!(hits));
    m.insert("attribution".into(), json!("BAN"));
    m.insert("licence".into(), json!("ETALAB-2.0"));
    m.insert("limit".into(), json!(limit));
    m
}

/// The filters echoed in the answer, as addok does: each a list of its values.
fn filters(f: &Filters) -> Option<Value> {
    let mut m = Map::new();
    if !f.kinds.is_empty() {
        let kinds: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
        m.insert("type".into(), json!(kinds));
    }
    if !f.postcodes.is_empty() {
        m.insert("postcode".into(), json!(f.postcodes));
    }
    if !f.citycodes.is_empty() {
        m.insert("citycode".into(), json!(f.citycodes));
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// The `/search/` answer for a raw query string.
pub async fn search_response(
    index: Option<&AddressIndex>,
    upstream: Option<&UpstreamConfig>,
    raw: Option<&str>,
) -> Result<Value, BanError> {
    let q = parse_search(raw)?;
    let outcome = search_with_upstream(index, upstream, &q).await;
    let mut m = collection(&outcome.hits, q.limit);
    m.insert("query".into(), json!(q.q));
    if let Some(f) = filters(&q.filters) {
        m.insert("filters".into(), f);
    }
    if let (Some(lon), Some(lat)) = (q.lon, q.lat) {
        m.insert("center".into(), json!([lon, lat]));
    }
    if upstream.is_some() {
        m.insert("source".into(), json!(outcome.source));
    }
    if !outcome.warnings.is_empty() {
        m.insert("warnings".into(), json!(outcome.warnings));
    }
    Ok(Value::Object(m))
}

/// The `/reverse/` answer for a raw query string.
pub fn reverse_response(
    index: Option<&AddressIndex>,
    raw: Option<&str>,
) -> Result<Value, BanError> {
    let p = params(raw)?;
    let (lon, lat) = point(&p, true)?.ok_or_else(|| {
        BanError::new("missing_parameter", "paramètres « lon » et « lat » requis")
    })?;
    let limit = limit(&p, 1)?;
    let f = parse_filters(raw)?;
    let hits = index
        .map(|i| i.reverse(lon, lat, &f, limit))
        .unwrap_or_default();
    let mut m = collection(&hits, limit);
    if let Some(f) = filters(&f) {
        m.insert("filters".into(), f);
    }
    m.insert("center".into(), json!([lon, lat]));
    if index.is_none() {
        m.insert("warnings".into(), json!(["aucune adresse chargée"]));
    }
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str) -> BanError {
        parse_search(Some(raw)).unwrap_err()
    }

    #[test]
    fn search_params_are_validated() {
        assert_eq!(err("").error, "missing_parameter");
        assert_eq!(err("q=").error, "missing_parameter");
        assert_eq!(err("q=ab").error, "invalid_q");
        assert_eq!(err(&format!("q={}", "a".repeat(201))).error, "invalid_q");
        assert_eq!(err("q=%3Cscript%3E").error, "invalid_q");
        assert_eq!(err("q=rue&limit=0").error, "invalid_limit");
        assert_eq!(err("q=rue&limit=abc").error, "invalid_limit");
        assert_eq!(err("q=rue&limit=101").error, "invalid_limit");
        assert_eq!(err("q=rue&lat=48.8").error, "missing_parameter");
        assert_eq!(err("q=rue&lat=98&lon=2").error, "out_of_range");
        assert_eq!(err("q=rue&lat=nan&lon=2").error, "invalid_parameter");
        assert_eq!(err("q=rue&type=city").error, "invalid_type");
        assert_eq!(err("q=rue&postcode=750").error, "invalid_parameter");
        assert_eq!(
            err("q=rue&autocomplete=peut-etre").error,
            "invalid_parameter"
        );
        assert_eq!(err("q=rue&type=street&type=city").error, "invalid_type");
        assert_eq!(err("q=rue&postcode=75018+750").error, "invalid_parameter");
        let q = parse_search(Some(
            "q=12+rue+ordener&limit=3&autocomplete=0&type=housenumber&citycode=75118",
        ))
        .unwrap();
        assert_eq!(
            (q.limit, q.autocomplete, q.filters.kinds.as_slice()),
            (3, false, &[PlaceType::Housenumber][..])
        );
        assert_eq!(q.filters.citycodes, ["75118"]);
        // addok's forms: several values, falcon's booleans, the `lng` alias.
        let q = parse_search(Some(
            "q=rue&postcode=75018+75017&type=street&type=locality&type=street&autocomplete=no&lng=2.35&lat=48.89",
        ))
        .unwrap();
        assert_eq!(q.filters.postcodes, ["75018", "75017"]);
        assert_eq!(q.filters.kinds, [PlaceType::Street, PlaceType::Locality]);
        assert_eq!(
            (q.autocomplete, q.lon, q.lat),
            (false, Some(2.35), Some(48.89))
        );
        assert!(
            parse_search(Some("q=rue&autocomplete=yes"))
                .unwrap()
                .autocomplete
        );
        let many: String = (0..15)
            .map(|i| format!("&postcode={}", 75001 + i))
            .collect();
        let q = parse_search(Some(&format!("q=rue{many}"))).unwrap();
        assert_eq!(q.filters.postcodes.len(), MAX_FILTER_VALUES);
    }

    fn index() -> AddressIndex {
        let csv = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/ban-adresses-75118/adresses-75118.csv");
        AddressIndex::build(&[csv], &[]).unwrap()
    }

    #[tokio::test]
    async fn search_answers_ban_geojson() {
        let idx = index();
        let raw = "q=18%20r%20ordenr%20paris&limit=3&autocomplete=0";
        let v = search_response(Some(&idx), None, Some(raw)).await.unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(v["version"], "draft");
        assert_eq!(v["query"], "18 r ordenr paris");
        assert_eq!(v["limit"], 3);
        let f = &v["features"][0];
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let p = &f["properties"];
        assert_eq!(p["label"], "18 Rue Ordener 75018 Paris");
        assert_eq!(p["type"], "housenumber");
        assert_eq!(p["housenumber"], "18");
        assert_eq!(p["street"], "Rue Ordener");
        assert_eq!(p["citycode"], "75118");
        assert_eq!(p["city"], "Paris");
        assert_eq!(p["context"], "75, Paris, Île-de-France");
        let score = p["score"].as_f64().unwrap();
        assert!(score > 0.5 && score <= 1.0, "{score}");
        assert!(p["x"].as_f64().unwrap() > 600_000.0 && p["y"].as_f64().unwrap() > 6_800_000.0);
        let junk = search_response(Some(&idx), None, Some("q=zzqxw"))
            .await
            .unwrap();
        assert_eq!(junk["features"], json!([]));
    }

    #[test]
    fn reverse_answers_nearest_with_distance() {
        let idx = index();
        let v = reverse_response(Some(&idx), Some("lon=2.3437&lat=48.8917&limit=2")).unwrap();
        let feats = v["features"].as_array().unwrap();
        assert_eq!(feats.len(), 2);
        assert_eq!(feats[0]["properties"]["type"], "housenumber");
        let d0 = feats[0]["properties"]["distance"].as_u64().unwrap();
        let d1 = feats[1]["properties"]["distance"].as_u64().unwrap();
        assert!(d0 <= d1 && d0 < 50, "{d0} {d1}");
        let v = reverse_response(Some(&idx), Some("lon=2.3437&lat=48.8917&type=street")).unwrap();
        assert_eq!(v["features"][0]["properties"]["type"], "street");
        let far = reverse_response(Some(&idx), Some("lon=5.0&lat=45.0")).unwrap();
        assert_eq!(far["features"], json!([]));
    }

    #[tokio::test]
    async fn errors_carry_ban_and_urbaclic_shapes() {
        use http_body_util::BodyExt;
        let resp = err("q=a").into_response();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], 400);
        assert_eq!(v["error"], "invalid_q");
        assert!(v["message"].as_str().unwrap().contains("entre 3 et 200"));
    }

    #[tokio::test]
    async fn a_panicking_batch_is_a_json_500() {
        use http_body_util::BodyExt;
        let data = Arc::new(Dataset::build(
            crate::dataset::DatasetParts::default(),
            crate::report::LoadReport::default(),
        ));
        let e = run_batch(data, Vec::new(), BatchOptions::default(), |_, _, _| {
            panic!("géocodeur cassé")
        })
        .await
        .unwrap_err();
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (v["code"].as_u64(), v["error"].as_str()),
            (Some(500), Some("internal_error"))
        );
        assert!(
            !v["message"].as_str().unwrap().contains("cassé"),
            "the cause stays in the log"
        );
    }

    #[test]
    fn reverse_params_are_validated() {
        assert!(reverse_response(None, Some("lat=48.8")).is_err());
        assert!(reverse_response(None, Some("lon=200&lat=48.8")).is_err());
        let v = reverse_response(None, Some("lon=2.35&lat=48.89")).unwrap();
        assert_eq!(v["features"], json!([]));
        assert_eq!(v["type"], "FeatureCollection");
    }
}
