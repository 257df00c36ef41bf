//! `GET /api/cua`: the draft certificat d'urbanisme d'information of parcels (`parcel=A[,B…]`)
//! or of a point (`lat`, `lon`), as a print-ready HTML page (`format=html`, the default) or a
//! PDF download (`format=pdf`). Parses, then calls [`crate::cua`].

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::params::{position, Params};
use super::{ApiError, AppState, ErrorBody};
use crate::cua::{certificate, render, CuaError, Format, Origin, Subject};

/// The draft certificat d'urbanisme d'information of parcels or of a point, as HTML or PDF.
#[utoipa::path(
    get,
    path = "/api/cua",
    summary = "Projet de certificat d'urbanisme d'information",
    description = "Le projet de CU d'information de parcelles (parcel=A[,B…]) ou d'un point (lat, lon), en page HTML imprimable (format=html, par défaut) ou en PDF (format=pdf).",
    tag = "urbanisme",
    params(
        ("parcel" = Option<String>, Query, description = "Identifiants de parcelles (14 caractères), séparés par des virgules : au plus 10, d'une même commune"),
        ("lat" = Option<f64>, Query, description = "Latitude WGS84 d'un point (avec « lon », sans « parcel »)"),
        ("lon" = Option<f64>, Query, description = "Longitude WGS84 d'un point"),
        ("format" = Option<String>, Query, description = "`html` (par défaut) ou `pdf`"),
    ),
    responses(
        (status = 200, description = "Le projet de certificat", content(
            (String = "text/html"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 400, description = "Parcelles absentes, trop nombreuses, de communes différentes ; format inconnu", body = ErrorBody),
        (status = 404, description = "Parcelle inconnue", body = ErrorBody),
    )
)]
pub async fn get_cua(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let format = match params.get("format") {
        Some(f) => Format::parse(f)?,
        None => Format::Html,
    };
    let subject = match params.get("parcel") {
        Some(list) => Subject::parcels(list)?,
        None if params.get("lat").is_none() && params.get("lon").is_none() => {
            return Err(ApiError::bad_request(
                "missing_parameter",
                "paramètre « parcel » (identifiants de parcelles, séparés par des virgules) ou \
                 « lat » et « lon » (degrés WGS84) requis",
            ))
        }
        None => Subject::Point(position(&params)?),
    };
    let origin = Origin::now(
        state
            .public_url
            .clone()
            .or_else(|| request_base_url(&headers)),
    );
    let data = state.dataset();
    // Writing a PDF takes milliseconds of CPU: off the async workers.
    let (bytes, stem) = tokio::task::spawn_blocking(move || {
        let c = certificate(&data, &subject, &origin)?;
        Ok::<_, CuaError>((render(&c, format)?, c.file_stem))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("tâche du certificat : {e}")))??;
    let mut response = ([(header::CONTENT_TYPE, format.content_type())], bytes).into_response();
    if format == Format::Pdf {
        let disposition = format!("attachment; filename=\"{stem}.pdf\"");
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(response)
}

/// `http(s)://<Host>` of the request, when its `Host` header is a plain host name or address
/// with an optional port (anything else is not printed in a document).
fn request_base_url(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !plain {
        return None;
    }
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    Some(format!("{}://{host}", if https { "https" } else { "http" }))
}
