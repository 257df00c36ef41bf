//! `GET /api/lookup`: everything that applies at a point.

use axum::extract::{RawQuery, State};
use axum::Json;

use super::params::{Coordinates, Params};
use super::{ApiError, AppState};
use crate::lookup::{lookup, LookupAnswer};

/// `?lat=…&lon=…` → the [`LookupAnswer`] at that point.
pub async fn get_lookup(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<LookupAnswer>, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let at = Coordinates::from_params(&params)?;
    let data = state.dataset();
    Ok(Json(lookup(&data, at.lon, at.lat)))
}
