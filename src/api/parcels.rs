//! `GET /api/parcels?q=…[&limit=…]`: the loaded parcels a typed reference designates (14-character
//! id or its start, « INSEE section numéro », « section numéro commune »), for the search box's
//! suggestions. A query that reads as no parcel reference (an address) answers an empty list.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde::Serialize;

use super::{ApiError, AppState, ErrorBody, Params};
use crate::geocode::parcel_ref::parse;
use crate::geocode::parcel_search::{find, ParcelCandidate};
use crate::lookup::error::MAX_QUERY_CHARS;

/// Candidates returned unless `limit` says otherwise, and at most.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

/// The answer: the candidates and how many parcels match in all.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Parcels {
    /// False when the query reads as no parcel reference.
    reference: bool,
    /// How many loaded parcels match, beyond the `limit` listed.
    total: usize,
    /// The first `limit` of them, in id order.
    parcels: Vec<ParcelCandidate>,
}

/// The candidates for `q`, at most `limit`.
#[utoipa::path(
    get,
    path = "/api/parcels",
    summary = "Parcelles désignées par une référence cadastrale",
    description = "Les parcelles chargées que désigne une référence tapée (identifiant de 14 caractères ou son début, « INSEE section numéro », « section numéro commune ») : les suggestions du champ de recherche. Une requête qui n'est pas une référence (une adresse) répond une liste vide.",
    tag = "urbanisme",
    params(
        ("q" = String, Query, description = "Une référence cadastrale : 91216000AB0037, « 91216 AB 37 », « AB 37 Épinay »"),
        ("limit" = Option<u32>, Query, description = "Candidats au plus, 1 à 50 (10 par défaut)"),
    ),
    responses(
        (status = 200, description = "Les parcelles chargées que la référence désigne", body = Parcels),
        (status = 400, description = "q absent ou trop long, limit invalide", body = ErrorBody),
    )
)]
pub(super) async fn get_parcels(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Parcels>, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let q = params.get("q").ok_or_else(|| {
        ApiError::bad_request(
            "missing_parameter",
            "paramètre « q » requis : une référence cadastrale (ex. 91216000AB0037, « 91216 AB 37 », « AB 37 Épinay »)",
        )
    })?;
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("« q » trop long (au plus {MAX_QUERY_CHARS} caractères)"),
        ));
    }
    let limit = match params.number("limit")? {
        None => DEFAULT_LIMIT,
        Some(n) if (1.0..=MAX_LIMIT as f64).contains(&n) && n.fract() == 0.0 => n as usize,
        Some(n) => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("« limit » doit être un entier de 1 à {MAX_LIMIT}, reçu {n}"),
            ))
        }
    };
    let Some(reference) = parse(q) else {
        return Ok(Json(Parcels {
            reference: false,
            total: 0,
            parcels: Vec::new(),
        }));
    };
    let (parcels, total) = find(&state.dataset(), &reference, limit);
    Ok(Json(Parcels {
        reference: true,
        total,
        parcels,
    }))
}
