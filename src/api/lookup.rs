//! `GET /api/lookup` (a point, a parcel reference or an address) and `POST /api/lookup` (a project
//! footprint as GeoJSON).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::Json;
use geo::{CoordsIter, Geometry};

use super::params::{Coordinates, Params};
use super::{ApiError, AppState};
use crate::analysis::Footprint;
use crate::dataset::Dataset;
use crate::geocode::upstream::{search_with_upstream, HitSource};
use crate::geocode::{is_uncertain, SearchHit, SearchQuery};
use crate::lookup::{lookup, lookup_footprint, lookup_parcel, Location, LookupAnswer};

/// Largest footprint body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most vertices accepted in a footprint.
pub const MAX_VERTICES: usize = 10_000;
/// Largest footprint area accepted, in m² (1 km²: a large development, not a commune).
pub const MAX_AREA_M2: f64 = 1_000_000.0;

/// `?lat=…&lon=…`, `?parcel=<14 characters>`, or `?insee=…&section=…&numero=…[&prefixe=…]`.
pub async fn get_lookup(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<LookupAnswer>, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let data = state.dataset();
    if let Some(id) = parcel_id(&params)? {
        return lookup_parcel(&data, &id).map(Json).ok_or_else(|| {
            ApiError::NotFound(format!("parcelle {id} inconnue dans les données chargées"))
        });
    }
    if let Some(q) = params.get("q") {
        return lookup_address(&data, q).await.map(Json);
    }
    let at = Coordinates::from_params(&params)?;
    Ok(Json(lookup(&data, at.lon, at.lat)))
}

/// Geocodes `q` (embedded index, then the upstream geocoder if configured), then analyses the best
/// match; an uncertain match comes with its alternatives so the user can choose.
pub async fn lookup_address(data: &Dataset, q: &str) -> Result<LookupAnswer, ApiError> {
    if q.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "« q » trop long (200 caractères au plus)",
        ));
    }
    let query = SearchQuery::new(q);
    let outcome =
        search_with_upstream(data.addresses.as_ref(), data.upstream.as_ref(), &query).await;
    let source = match outcome.source {
        HitSource::Local => "local",
        HitSource::Upstream => "upstream",
    };
    let to_location = |h: &SearchHit| Location {
        label: h.properties.label.clone(),
        score: (h.properties.score * 1000.0).round() / 1000.0,
        lon: h.lon,
        lat: h.lat,
        kind: serde_json::to_value(h.properties.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        source: source.to_string(),
        interpolated: h.properties.interpolated,
    };
    let Some(best) = outcome.hits.first() else {
        let mut message = format!("aucune adresse trouvée pour « {q} »");
        for w in &outcome.warnings {
            message.push_str(&format!(" ; {w}"));
        }
        return Err(ApiError::NotFound(message));
    };
    let at = Coordinates::new(best.lon, best.lat)?;
    let mut answer = lookup(data, at.lon, at.lat);
    answer.location = Some(to_location(best));
    if is_uncertain(&outcome.hits) {
        answer.alternatives = outcome
            .hits
            .iter()
            .skip(1)
            .take(4)
            .map(to_location)
            .collect();
        answer.warnings.push(format!(
            "adresse incertaine (score {:.2}) : vérifiez la position ou choisissez parmi les autres propositions",
            best.properties.score
        ));
    }
    answer.warnings.extend(outcome.warnings);
    Ok(answer)
}

/// The parcel id asked for, padded as the cadastre does, if the query names one.
fn parcel_id(params: &Params) -> Result<Option<String>, ApiError> {
    if let Some(id) = params.get("parcel") {
        let id = id.to_ascii_uppercase();
        if id.len() != 14 || !id.is_ascii() {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("identifiant de parcelle invalide « {id} » : 14 caractères attendus (INSEE 5 + préfixe 3 + section 2 + numéro 4, ex. 91216000AB0037)"),
            ));
        }
        return Ok(Some(id));
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
    cadastre_id(insee, prefixe, section, numero).map(Some)
}

/// Builds a 14-character parcel id, padding section and number as the cadastre does.
///
/// ```
/// # use urbaclic::api::cadastre_id;
/// assert_eq!(cadastre_id("91216", "000", "ab", "37").unwrap(), "91216000AB0037");
/// assert_eq!(cadastre_id("75118", "000", "A", "8").unwrap(), "751180000A0008");
/// assert!(cadastre_id("9121", "000", "AB", "37").is_err());
/// ```
pub fn cadastre_id(
    insee: &str,
    prefixe: &str,
    section: &str,
    numero: &str,
) -> Result<String, ApiError> {
    let bad = |what: &str| ApiError::bad_request("invalid_parameter", what.to_string());
    let insee = insee.to_ascii_uppercase();
    if insee.len() != 5 || !insee.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad(
            "« insee » doit compter 5 caractères (ex. 91216, 2A004)",
        ));
    }
    if prefixe.len() != 3 || !prefixe.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("« prefixe » doit compter 3 chiffres (000 en général)"));
    }
    let section = section.to_ascii_uppercase();
    if section.is_empty()
        || section.len() > 2
        || !section.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(bad("« section » : 1 ou 2 caractères (ex. AB, A)"));
    }
    if numero.is_empty() || numero.len() > 4 || !numero.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("« numero » : 1 à 4 chiffres"));
    }
    Ok(format!("{insee}{prefixe}{section:0>2}{numero:0>4}"))
}

/// A project footprint: GeoJSON Polygon, MultiPolygon, or a Feature holding one, in WGS84.
pub async fn post_lookup(
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<LookupAnswer>, ApiError> {
    // Read at most the limit, so an oversized body is refused without being buffered whole.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::TooLarge(format!(
                "emprise trop volumineuse : plus de {MAX_BODY_BYTES} octets"
            ))
        })?;
    let footprint = parse_footprint(&body)?;
    let data = state.dataset();
    lookup_footprint(&data, &footprint)
        .map(Json)
        .ok_or_else(|| ApiError::bad_request("invalid_geometry", "emprise de surface nulle"))
}

fn parse_footprint(body: &[u8]) -> Result<Footprint<'static>, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_geometry", m);
    let text = std::str::from_utf8(body).map_err(|_| bad("corps non UTF-8".into()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| bad(format!("GeoJSON invalide : {e}")))?;
    let geometry = match gj {
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::Feature(f) => f
            .geometry
            .ok_or_else(|| bad("Feature sans géométrie".into()))?,
        geojson::GeoJson::FeatureCollection(_) => {
            return Err(bad(
                "une seule emprise attendue (Polygon, MultiPolygon ou Feature), pas une FeatureCollection".into(),
            ))
        }
    };
    let geometry: Geometry<f64> = geometry
        .try_into()
        .map_err(|e: geojson::Error| bad(format!("géométrie illisible : {e}")))?;
    if !matches!(geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) {
        return Err(bad(
            "l'emprise doit être un Polygon ou un MultiPolygon".into()
        ));
    }
    let vertices = geometry.coords_count();
    if vertices > MAX_VERTICES {
        return Err(bad(format!(
            "emprise trop détaillée : {vertices} sommets (maximum {MAX_VERTICES})"
        )));
    }
    for c in geometry.coords_iter() {
        Coordinates::new(c.x, c.y)?;
    }
    // The area measured here is the one the analysis reports.
    let fp = Footprint::new(geometry).ok_or_else(|| bad("emprise de surface nulle".into()))?;
    if fp.area_m2 > MAX_AREA_M2 {
        return Err(bad(format!(
            "emprise trop grande : {:.0} m² (maximum {MAX_AREA_M2:.0} m²)",
            fp.area_m2
        )));
    }
    Ok(fp)
}
