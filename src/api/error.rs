//! The one error type of the HTTP layer: every failure a handler can meet, mapped to a status code
//! and a JSON body `{"error": "<code>", "message": "<what is wrong>", "request_id": "<id>"}` (the
//! id of [`super::request_id`], also in the logs).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::app::WorkError;
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
    /// The request body could not be read as sent (malformed chunked encoding, connection cut).
    #[error("{0}")]
    InvalidBody(String),
    /// The client took longer than allowed to send its request (408).
    #[error("{0}")]
    SlowClient(String),
    /// Credentials missing or wrong (401).
    #[error("{0}")]
    Unauthorized(String),
    /// A reload asked through the API was refused; the old data keeps serving (409).
    #[error("{0}")]
    ReloadRefused(String),
    /// The service is saturated: retry in a moment (503 with `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// The work asked for did not finish within its time budget (504).
    #[error("{0}")]
    Timeout(String),
    /// A fault of the server itself (a task that panicked…): logged with its detail, answered
    /// with a generic message.
    #[error("erreur interne du service")]
    Internal(String),
}

/// The JSON body of every error answer (its schema is the `ErrorBody` of `/api/openapi.json`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable reason: `invalid_parameter`, `missing_parameter`, `out_of_range`,
    /// `not_found`, `busy`, `timeout`…
    #[schema(example = "invalid_parameter")]
    pub error: &'static str,
    /// What is wrong and how to fix it, in French.
    pub message: String,
    /// The request's id, also in the logs and the `x-request-id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Seconds a client is told to wait after a 503: work is measured in milliseconds, one second lets
/// the queue drain without making a user wait long.
pub const RETRY_AFTER_S: u32 = 1;

impl From<WorkError> for ApiError {
    fn from(e: WorkError) -> Self {
        match e {
            WorkError::Busy => ApiError::Busy(e.to_string()),
            WorkError::TimedOut(_) => ApiError::Timeout(e.to_string()),
            WorkError::Failed(_) => ApiError::Internal(e.to_string()),
        }
    }
}

impl ApiError {
    /// Why a request body could not be read in full: over `limit` bytes (413), too slow (408), or
    /// malformed (400). `axum::body::to_bytes` reports all three as one error type; the cause is
    /// in its source chain.
    pub fn from_body(e: &axum::Error, limit: usize) -> ApiError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            if s.is::<http_body_util::LengthLimitError>() {
                return ApiError::TooLarge(format!(
                    "corps de requête trop volumineux : plus de {limit} octets"
                ));
            }
            if s.is::<tower_http::timeout::TimeoutError>() {
                return ApiError::SlowClient("corps de requête trop lent à arriver".into());
            }
            source = s.source();
        }
        ApiError::InvalidBody(format!("corps de requête illisible : {e}"))
    }
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
            ApiError::InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            ApiError::SlowClient(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::ReloadRefused(_) => (StatusCode::CONFLICT, "reload_refused"),
            ApiError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Timeout(_) => (StatusCode::GATEWAY_TIMEOUT, "timeout"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "erreur interne");
        }
        let (status, code) = self.status_and_code();
        let body = Json(ErrorBody {
            error: code,
            message: self.to_string(),
            request_id: super::request_id::current(),
        });
        let mut response = (status, body).into_response();
        match self {
            ApiError::Busy(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
            }
            ApiError::Unauthorized(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
