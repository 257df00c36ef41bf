//! `POST /admin/reload`: reloads the data folder and answers the outcome, for deployments that
//! cannot send SIGHUP. Off unless the configuration sets `[admin] token`; the request must carry
//! `Authorization: Bearer <token>`.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, AppState, ErrorBody};

/// The route of this module, merged into [`super::router`].
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_reload))
}

/// Reloads the data folder; the old data keeps serving when the new one is refused.
#[utoipa::path(
    post,
    path = "/admin/reload",
    summary = "Rechargement des données",
    description = "Recharge le dossier de données et répond le résultat ; les anciennes données restent servies si les nouvelles sont refusées. Désactivé sans admin.token dans la configuration.",
    tag = "exploitation",
    params(("Authorization" = String, Header, description = "`Bearer <jeton>` (admin.token de la configuration)")),
    responses(
        (status = 200, description = "Données rechargées : `status` et l'état du rechargement", body = serde_json::Value),
        (status = 401, description = "Jeton absent ou invalide", body = ErrorBody),
        (status = 404, description = "Rechargement par l'API désactivé (aucun jeton configuré)", body = ErrorBody),
        (status = 409, description = "Nouvelles données refusées ; les anciennes restent servies", body = ErrorBody),
    )
)]
async fn post_reload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let Some(token) = state.admin_token.clone() else {
        return Err(ApiError::NotFound(
            "rechargement par l'API désactivé : aucun jeton admin.token configuré".into(),
        ));
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !sent.is_some_and(|s| same_secret(s.as_bytes(), token.as_bytes())) {
        return Err(ApiError::Unauthorized(
            "jeton absent ou invalide : en-tête « Authorization: Bearer <jeton> » attendu".into(),
        ));
    }
    let root = state.data_dir.clone().unwrap_or_default();
    let s = state.clone();
    // Loading takes seconds: on a blocking thread, answered when done (the caller wants the outcome).
    let outcome = tokio::task::spawn_blocking(move || s.reload())
        .await
        .map_err(|e| ApiError::Internal(format!("rechargement interrompu : {e}")))?;
    match outcome {
        Ok(()) => Ok(Json(
            json!({ "status": "reloaded", "reload": state.reload_status() }),
        )),
        Err(e) => Err(ApiError::ReloadRefused(e.relative_to(&root))),
    }
}

/// Compares in time independent of where the two differ, so the token cannot be guessed byte by
/// byte from response times.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
