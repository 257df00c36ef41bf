//! The parameters of an API Carto request, from the query string or from a POST JSON body.
//!
//! Every IGN route answers GET and POST alike (`IGNF/apicarto` `controllers/*/index.js`: one
//! validator chain per route, express-validator reading query and body): long geometries are the
//! reason users POST. A body value wins over the query's.

use axum::body::Body;
use serde_json::{Map, Value};

use super::super::lookup::MAX_BODY_BYTES;
use super::super::{ApiError, Params};
use super::geometry::QueryGeometry;

/// A request's parameters.
pub(crate) struct CartoParams {
    query: Params,
    body: Map<String, Value>,
}

impl CartoParams {
    /// Reads the query string and, for a POST, the JSON object of the body (empty allowed).
    pub(crate) async fn read(raw: Option<&str>, body: Body) -> Result<CartoParams, ApiError> {
        let query = Params::parse(raw)?;
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|e| ApiError::from_body(&e, MAX_BODY_BYTES))?;
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(ApiError::bad_request(
                        "invalid_body",
                        "le corps de la requête doit être un objet JSON, ex. {\"geom\": {…}}",
                    ))
                }
                Err(e) => {
                    return Err(ApiError::bad_request(
                        "invalid_body",
                        format!("corps de requête JSON illisible : {e}"),
                    ))
                }
            }
        };
        Ok(CartoParams { query, body })
    }

    /// The trimmed text of `name` (a body number is written out), `None` when absent or blank.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        let from_body = match self.body.get(name) {
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        from_body
            .filter(|s| !s.is_empty())
            .or_else(|| self.query.get(name).map(str::to_string))
    }

    /// The checked `geom`, if given.
    pub(crate) fn geom(&self) -> Result<Option<QueryGeometry>, ApiError> {
        match self.body.get("geom") {
            Some(Value::Null) | None => {}
            Some(v) => return QueryGeometry::from_json(v).map(Some),
        }
        self.query
            .get("geom")
            .map(|s| QueryGeometry::from_json(&Value::String(s.to_string())))
            .transpose()
    }

    /// `_start` and `_limit`: `_limit` defaults to `default` and may not exceed `max`.
    pub(crate) fn page(&self, default: usize, max: usize) -> Result<Page, ApiError> {
        let start = self.integer("_start")?.unwrap_or(0);
        let limit = self.integer("_limit")?.unwrap_or(default);
        if limit == 0 || limit > max {
            return Err(ApiError::bad_request(
                "out_of_range",
                format!(
                    "la valeur de « _limit » doit être comprise entre 1 et {max}, reçu {limit}"
                ),
            ));
        }
        Ok(Page { start, limit })
    }

    fn integer(&self, name: &str) -> Result<Option<usize>, ApiError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        v.parse::<usize>().map(Some).map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("le paramètre « {name} » doit être un entier positif ou nul, reçu « {v} »"),
            )
        })
    }

    /// A code of exactly `len` digits (`com_abs`, `code_arr`), upper-cased, or a 400 naming it.
    pub(crate) fn digits(&self, name: &str, len: usize) -> Result<Option<String>, ApiError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        if v.len() != len || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("le paramètre « {name} » doit compter {len} chiffres, reçu « {v} »"),
            ));
        }
        Ok(Some(v))
    }

    /// A checked INSEE code in parameter `name`.
    pub(crate) fn insee(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.text(name).map(|v| insee_code(name, &v)).transpose()
    }
}

/// Which slice of the matching features to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// Rank of the first feature answered (`_start`), from 0.
    pub start: usize,
    /// Most features answered (`_limit`).
    pub limit: usize,
}

/// Département prefixes IGN refuses (`IGNF/apicarto` `helper/parseInseeCode.js`): 20 is split
/// into 2A/2B, the others are not départements.
const INVALID_PREFIXES: [&str; 5] = ["96", "98", "99", "00", "20"];

/// `value` as an INSEE commune code, upper-cased (`2a004` → `2A004`), with IGN's checks: five
/// characters, the last three digits, the first two digits or `2A`/`2B`.
pub(crate) fn insee_code(name: &str, value: &str) -> Result<String, ApiError> {
    let code = value.trim().to_ascii_uppercase();
    let ok = code.len() == 5
        && code.is_ascii()
        && code[2..].bytes().all(|b| b.is_ascii_digit())
        && (matches!(&code[..2], "2A" | "2B")
            || (code[..2].bytes().all(|b| b.is_ascii_digit())
                && !INVALID_PREFIXES.contains(&&code[..2])));
    if ok {
        Ok(code)
    } else {
        Err(ApiError::bad_request(
            "invalid_parameter",
            format!(
                "le paramètre « {name} » doit être un code INSEE de commune sur 5 caractères (ex. 91216, 2A004), reçu « {value} »"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes_are_checked_as_ign_does() {
        // Expected from IGNF/apicarto helper/parseInseeCode.js and its tests (by hand).
        assert_eq!(insee_code("insee", "2a004").unwrap(), "2A004");
        assert_eq!(insee_code("insee", "91216").unwrap(), "91216");
        assert_eq!(insee_code("insee", "97411").unwrap(), "97411");
        for bad in [
            "testapi", "9121", "20004", "99123", "2C004", "91A16", "912166",
        ] {
            assert!(insee_code("insee", bad).is_err(), "{bad}");
        }
    }
}
