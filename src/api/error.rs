//! The one error type of the HTTP layer: every failure a handler can meet, mapped to a status code
//! and a JSON body `{"error": "<code>", "message": "<what is wrong>"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::cua::CuaError;
use crate::lookup::LookupError;
use crate::model::ParcelIdError;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A query parameter is missing, malformed or out of range.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable reason (the JSON `error`).
        code: &'static str,
        /// What to fix, in French (the JSON `message`).
        message: String,
    },
    /// The thing asked for (route, parcel…) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not for this HTTP method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request body is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// A fault of the server itself (a task that panicked…): logged with its detail, answered
    /// with a generic message.
    #[error("erreur interne du service")]
    Internal(String),
}

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        let code = match &e {
            LookupError::OutOfRange { .. } => "out_of_range",
            LookupError::AddressNotFound(_) | LookupError::UnknownParcel(_) => {
                return ApiError::NotFound(e.to_string())
            }
            _ => "invalid_parameter",
        };
        ApiError::bad_request(code, e.to_string())
    }
}

impl From<CuaError> for ApiError {
    fn from(e: CuaError) -> Self {
        let code = match &e {
            CuaError::Lookup(l) => return l.clone().into(),
            CuaError::Render(detail) => return ApiError::Internal(detail.clone()),
            CuaError::NoParcel => "missing_parameter",
            CuaError::TooManyParcels(_) => "too_many_parcels",
            CuaError::DifferentCommunes(..) => "different_communes",
            _ => "invalid_parameter",
        };
        ApiError::bad_request(code, e.to_string())
    }
}

impl From<ParcelIdError> for ApiError {
    fn from(e: ParcelIdError) -> Self {
        LookupError::from(e).into()
    }
}

impl ApiError {
    /// A 400 with a machine-readable `code` and a French message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            eprintln!("erreur interne : {detail}");
        }
        let (status, code) = self.status_and_code();
        let body = Json(json!({ "error": code, "message": self.to_string() }));
        (status, body).into_response()
    }
}
