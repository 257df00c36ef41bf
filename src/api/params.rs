//! Query-string parsing with our own error messages: axum's `Query` rejection would answer in
//! English plain text, and a client deserves a JSON error naming the parameter.

use std::collections::HashMap;

use super::ApiError;
use crate::lookup::Position;

/// Query parameters, last value wins.
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses a raw query string; malformed encoding is a 400, never a panic.
    pub fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
                ApiError::bad_request("invalid_query", format!("paramètres illisibles : {e}"))
            })?;
        Ok(Params(pairs.into_iter().collect()))
    }

    /// Sets `name` (a value that comes from the path rather than the query string).
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    /// The trimmed value of `name`, `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A finite number, or a 400 naming the parameter.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("le paramètre « {name} » doit être un nombre fini, reçu « {v} »"),
            )),
        }
    }
}

/// Reads `lat` and `lon`: both present, numeric, finite and in range.
pub fn position(params: &Params) -> Result<Position, ApiError> {
    let lat = params.number("lat")?;
    let lon = params.number("lon")?;
    match (lat, lon) {
        (Some(lat), Some(lon)) => Ok(Position::new(lon, lat)?),
        (None, None) => Err(ApiError::bad_request(
            "missing_parameter",
            "paramètres « lat » et « lon » requis (degrés WGS84), ou « q » (adresse) ou « parcel » (identifiant cadastral)",
        )),
        (None, _) => Err(ApiError::bad_request("missing_parameter", "paramètre « lat » manquant")),
        (_, None) => Err(ApiError::bad_request("missing_parameter", "paramètre « lon » manquant")),
    }
}
