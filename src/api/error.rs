//! The one error type of the HTTP layer: every failure a handler can meet, mapped to a status code
//! and a JSON body `{"error": "<code>", "message": "<what is wrong>"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is missing, malformed or out of range.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The thing asked for (route, parcel…) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not for this HTTP method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request body is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// A remote dependency failed (never raised for user input).
    #[error("{0}")]
    Unavailable(String),
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
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = Json(json!({ "error": code, "message": self.to_string() }));
        (status, body).into_response()
    }
}
