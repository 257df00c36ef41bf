//! `GET /api/lookup` (a point, a parcel reference or an address) and `POST /api/lookup` (a project
//! footprint as GeoJSON): parse, validate, call [`crate::lookup`]. Both take `geometry=true` (each
//! item with its geometry) and `format=geojson` (a FeatureCollection, [`feature_collection`]) in the
//! query string.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo::{Geometry, MultiPolygon, Rect};

use super::params::{position, Params};
use super::{ApiError, AppState, ErrorBody};
use crate::analysis::Footprint;
use crate::geometry::{
    first_invalidity, first_open_ring, geometry_from_geojson, metres_per_degree, Invalidity,
};
use crate::lookup::{
    feature_collection, lookup_address_with, lookup_footprint_with, lookup_parcel_with,
    lookup_with, LookupAnswer, LookupOptions, Position,
};
use crate::model::parcel_id;

/// Largest footprint body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most vertices accepted in a footprint.
pub const MAX_VERTICES: usize = 10_000;
/// Largest footprint area accepted, in m² (1 km²: a large development, not a commune).
pub const MAX_AREA_M2: f64 = 1_000_000.0;
/// Most polygons in a footprint: the area limit alone lets thousands of tiny squares spread over
/// France, and each part is searched in every layer.
pub const MAX_PARTS: usize = 100;
/// Largest width or height of a footprint's bounding box, in metres: the analysis visits every
/// feature of that box, so its size bounds the work, whatever the footprint's own area.
pub const MAX_EXTENT_M: f64 = 10_000.0;

/// `?lat=…&lon=…`, `?q=<address>`, `?parcel=<14 characters>`, or
/// `?insee=…&section=…&numero=…[&prefixe=…]`.
#[utoipa::path(
    get,
    path = "/api/lookup",
    tag = "urbanisme",
    summary = "Règles applicables en un point, à une adresse ou sur une parcelle",
    description = "Un point (lat, lon), une adresse (q), une parcelle (parcel, ou insee + section + numero [+ prefixe]). Une parcelle sous le point est analysée entière.",
    params(
        ("lat" = Option<f64>, Query, description = "Latitude WGS84 (avec « lon »)"),
        ("lon" = Option<f64>, Query, description = "Longitude WGS84 (avec « lat »)"),
        ("q" = Option<String>, Query, description = "Une adresse, géocodée"),
        ("parcel" = Option<String>, Query, description = "Identifiant de parcelle, 14 caractères (ex. 91216000AB0037)"),
        ("insee" = Option<String>, Query, description = "Référence cadastrale : code INSEE (avec « section » et « numero »)"),
        ("section" = Option<String>, Query, description = "Référence cadastrale : section"),
        ("numero" = Option<String>, Query, description = "Référence cadastrale : numéro"),
        ("prefixe" = Option<String>, Query, description = "Référence cadastrale : préfixe (000 par défaut)"),
        ("geometry" = Option<bool>, Query, description = "true : la géométrie de la parcelle et de chaque élément trouvé"),
        ("format" = Option<String>, Query, description = "json (défaut) ou geojson : une FeatureCollection, une Feature par élément trouvé"),
    ),
    responses(
        (status = 200, description = "La réponse (JSON, ou GeoJSON avec format=geojson)", body = LookupAnswer),
        (status = 400, description = "Paramètre absent, invalide ou hors limites", body = ErrorBody),
        (status = 404, description = "Adresse introuvable ou parcelle inconnue", body = ErrorBody),
    )
)]
pub async fn get_lookup(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let form = AnswerForm::parse(&params)?;
    let options = form.options();
    let data = state.dataset();
    if let Some(id) = parcel_reference(&params)? {
        // A large parcel is analysed like a footprint: off the async workers, within the budget.
        let answer = state
            .workers
            .run(move || lookup_parcel_with(&data, &id, options))
            .await??;
        return form.respond(&answer);
    }
    if let Some(q) = params.get("q") {
        let answer = lookup_address_with(&data, state.upstream.as_ref(), q, options).await?;
        return form.respond(&answer);
    }
    let at = position(&params)?;
    form.respond(&lookup_with(&data, at.lon, at.lat, options))
}

/// How the answer is written: `format=json` (the default) or `geojson`, and `geometry=true|false`
/// (`format=geojson` implies it).
#[derive(Debug, Clone, Copy)]
struct AnswerForm {
    geojson: bool,
    geometry: bool,
}

impl AnswerForm {
    fn parse(params: &Params) -> Result<AnswerForm, ApiError> {
        let geojson = match params.get("format") {
            None | Some("json") => false,
            Some("geojson") => true,
            Some(other) => {
                return Err(ApiError::bad_request(
                    "invalid_parameter",
                    format!("« format » vaut « json » ou « geojson », reçu « {other} »"),
                ))
            }
        };
        let geometry = match params.get("geometry") {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ApiError::bad_request(
                    "invalid_parameter",
                    format!("« geometry » vaut « true » ou « false », reçu « {other} »"),
                ))
            }
        };
        Ok(AnswerForm { geojson, geometry })
    }

    fn options(self) -> LookupOptions {
        LookupOptions {
            geometry: self.geometry || self.geojson,
        }
    }

    fn respond(self, answer: &LookupAnswer) -> Result<Response, ApiError> {
        if !self.geojson {
            return Ok(Json(answer).into_response());
        }
        let collection =
            feature_collection(answer).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok((
            [(header::CONTENT_TYPE, "application/geo+json")],
            Json(collection),
        )
            .into_response())
    }
}

/// The parcel id asked for (`parcel`, or `insee` + `section` + `numero` padded as the cadastre
/// does), if the query names one.
fn parcel_reference(params: &Params) -> Result<Option<String>, ApiError> {
    if let Some(id) = params.get("parcel") {
        return Ok(Some(id.to_string()));
    }
    let (Some(insee), Some(section), Some(numero)) = (
        params.get("insee"),
        params.get("section"),
        params.get("numero"),
    ) else {
        if params.get("insee").is_some()
            || params.get("section").is_some()
            || params.get("numero").is_some()
        {
            return Err(ApiError::bad_request(
                "missing_parameter",
                "une référence cadastrale demande « insee », « section » et « numero »",
            ));
        }
        return Ok(None);
    };
    let prefixe = params.get("prefixe").unwrap_or("000");
    Ok(Some(parcel_id(insee, prefixe, section, numero)?))
}

/// A project footprint: GeoJSON Polygon, MultiPolygon, or a Feature holding one, in WGS84.
#[utoipa::path(
    post,
    path = "/api/lookup",
    tag = "urbanisme",
    summary = "Règles applicables sur l'emprise d'un projet",
    description = "Une emprise de projet en GeoJSON (WGS84), analysée comme une parcelle : zones, prescriptions, servitudes et risques rencontrés, avec leurs surfaces et parts.",
    params(
        ("geometry" = Option<bool>, Query, description = "true : la géométrie de chaque élément trouvé"),
        ("format" = Option<String>, Query, description = "json (défaut) ou geojson : une FeatureCollection, une Feature par élément trouvé"),
    ),
    request_body(
        description = "Un Polygon, un MultiPolygon ou une Feature GeoJSON en contenant un (WGS84) : \
                       au plus 10 000 sommets, 100 parties, 1 km², 10 km de côté",
        content = ref("#/components/schemas/GeoJsonGeometry"),
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "La réponse, l'emprise analysée comme une parcelle", body = LookupAnswer),
        (status = 400, description = "Emprise invalide, trop grande ou trop détaillée", body = ErrorBody),
        (status = 408, description = "Corps de requête trop lent à arriver", body = ErrorBody),
        (status = 413, description = "Corps de requête de plus de 1 Mio", body = ErrorBody),
    )
)]
pub async fn post_lookup(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let form = AnswerForm::parse(&Params::parse(raw.as_deref())?)?;
    let options = form.options();
    // Read at most the limit, so an oversized body is refused without being buffered whole.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| ApiError::from_body(&e, MAX_BODY_BYTES))?;
    let data = state.dataset();
    // Validating and analysing a footprint of thousands of vertices takes milliseconds to seconds:
    // both run on the bounded workers, within the time budget.
    let answer = state
        .workers
        .run(move || {
            let footprint = parse_footprint(&body)?;
            lookup_footprint_with(&data, &footprint, options).ok_or_else(|| {
                ApiError::bad_request("invalid_geometry", "emprise de surface nulle")
            })
        })
        .await??;
    form.respond(&answer)
}

/// A geometry from GeoJSON text (a geometry, or a Feature's), and the first ring it leaves open:
/// the conversion to `geo` closes rings silently, and an open ring is a client's error to name.
/// `bad` words the errors; `only_one` is the sentence for a FeatureCollection.
pub(crate) fn read_geojson(
    text: &str,
    bad: impl Fn(String) -> ApiError,
    only_one: &str,
) -> Result<(Geometry<f64>, Option<Invalidity>), ApiError> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| bad(format!("GeoJSON invalide : {e}")))?;
    let geometry = match gj {
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::Feature(f) => f
            .geometry
            .ok_or_else(|| bad("Feature sans géométrie".into()))?,
        geojson::GeoJson::FeatureCollection(_) => {
            return Err(bad(format!("{only_one}, pas une FeatureCollection")))
        }
    };
    let open_ring = first_open_ring(&geometry.value).map(Invalidity::OpenRing);
    let geometry =
        geometry_from_geojson(geometry).map_err(|e| bad(format!("géométrie illisible : {e}")))?;
    Ok((geometry, open_ring))
}

fn parse_footprint(body: &[u8]) -> Result<Footprint<'static>, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_geometry", m);
    let text = std::str::from_utf8(body).map_err(|_| bad("corps non UTF-8".into()))?;
    let (geometry, open_ring) = read_geojson(
        text,
        bad,
        "une seule emprise attendue (Polygon, MultiPolygon ou Feature)",
    )?;
    let parts = match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0,
        _ => {
            return Err(bad(
                "l'emprise doit être un Polygon ou un MultiPolygon".into()
            ))
        }
    };
    let vertices: usize = parts.iter().map(geo::CoordsIter::coords_count).sum();
    if vertices > MAX_VERTICES {
        return Err(bad(format!(
            "emprise trop détaillée : {vertices} sommets (maximum {MAX_VERTICES})"
        )));
    }
    if parts.len() > MAX_PARTS {
        return Err(bad(format!(
            "emprise trop morcelée : {} parties (maximum {MAX_PARTS})",
            parts.len()
        )));
    }
    for c in parts.iter().flat_map(geo::CoordsIter::coords_iter) {
        Position::new(c.x, c.y)?;
    }
    if let Some(invalid) = open_ring.or_else(|| first_invalidity(&parts)) {
        return Err(bad(format!("emprise invalide : {invalid}")));
    }
    let geometry = Geometry::MultiPolygon(MultiPolygon(parts));
    // The area measured here is the one the analysis reports.
    let fp = Footprint::new(geometry).ok_or_else(|| bad("emprise de surface nulle".into()))?;
    if fp.area_m2 > MAX_AREA_M2 {
        return Err(bad(format!(
            "emprise trop grande : {:.0} m² (maximum {MAX_AREA_M2:.0} m²)",
            fp.area_m2
        )));
    }
    // After the area, so that a footprint both too large and too spread is told the simpler.
    check_extent(fp.rect())?;
    Ok(fp)
}

/// Refuses a footprint whose bounding box `rect` is wider or taller than [`MAX_EXTENT_M`].
pub(crate) fn check_extent(rect: Rect<f64>) -> Result<(), ApiError> {
    let (mx, my) = metres_per_degree(rect.center().y);
    let (width, height) = (rect.width() * mx, rect.height() * my);
    if width.max(height) > MAX_EXTENT_M {
        return Err(ApiError::bad_request(
            "invalid_geometry",
            format!(
                "emprise trop étendue : {width:.0} m × {height:.0} m (maximum {MAX_EXTENT_M:.0} m de côté)"
            ),
        ));
    }
    Ok(())
}
