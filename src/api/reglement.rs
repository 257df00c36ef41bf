//! The structured regulations on their own (`/api/reglement`) and the written pieces of the
//! loaded deliveries (`/api/pieces/…`).

use axum::extract::{Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tower::ServiceExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, ErrorBody, Params};
use crate::app::AppState;
use crate::reglement::ReglementError;

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_reglement))
        .routes(routes!(get_piece))
}

/// A loaded regulation, in the list `/api/reglement` gives without `idurba`.
#[derive(Serialize, utoipa::ToSchema)]
struct ReglementListed<'a> {
    idurba: &'a str,
    document: &'a str,
    type_doc: Option<&'a str>,
    lien: Option<&'a str>,
    file: &'a str,
    zones: Vec<&'a str>,
}

/// `?idurba=…&zone=…`: that zone's sections (text and sanitised HTML) and key rules; `?idurba=…`
/// alone, or nothing: the regulations loaded and the zones they name.
#[utoipa::path(
    get,
    path = "/api/reglement",
    summary = "Règlements structurés (CNIG SRU)",
    description = "Avec idurba et zone : les sections de la zone (texte et HTML nettoyé) et ses règles clés ; avec idurba seul, ou rien : les règlements chargés et les zones qu'ils nomment.",
    tag = "urbanisme",
    params(
        ("idurba" = Option<String>, Query, description = "IDURBA du document (ex. 60668_PLU_20201207)"),
        ("zone" = Option<String>, Query, description = "Libellé de la zone (avec « idurba »)"),
    ),
    responses(
        (status = 200, description = "Avec « zone » : les sections de la zone (texte et HTML) et ses règles clés ; \
                                      sinon la liste des règlements chargés", content(
            (Vec<ReglementListed> = "application/json"),
        )),
        (status = 400, description = "« zone » sans « idurba »", body = ErrorBody),
        (status = 404, description = "Document ou zone inconnu", body = ErrorBody),
    )
)]
async fn get_reglement(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let data = state.dataset();
    let idurba = params.get("idurba");
    if let (Some(idurba), Some(zone)) = (idurba, params.get("zone")) {
        let view = data.reglements.lookup(idurba, zone)?;
        return Ok(Json(view.as_ref()).into_response());
    }
    if params.get("zone").is_some() {
        return Err(ApiError::bad_request(
            "missing_parameter",
            "« zone » s'emploie avec « idurba » (ex. ?idurba=60668_PLU_20201207&zone=UB)",
        ));
    }
    let mut listed: Vec<ReglementListed<'_>> = data
        .reglements
        .iter()
        .filter(|r| idurba.is_none_or(|i| r.id_urba == i))
        .map(|r| ReglementListed {
            idurba: &r.id_urba,
            document: &r.nom,
            type_doc: r.type_doc.as_deref(),
            lien: r.lien.as_deref(),
            file: &r.file,
            zones: r.zones().into_iter().collect(),
        })
        .collect();
    if let (Some(i), true) = (idurba, listed.is_empty()) {
        return Err(ReglementError::UnknownDocument(i.to_string()).into());
    }
    listed.sort_by(|a, b| a.idurba.cmp(b.idurba));
    Ok(Json(listed).into_response())
}

impl From<ReglementError> for ApiError {
    fn from(e: ReglementError) -> Self {
        ApiError::NotFound(e.to_string())
    }
}

/// A written piece of a loaded delivery, by its path in the data folder. Only the files indexed
/// at load are served (see `load/pieces.rs`): nothing else under the data folder, no
/// `..`, no symbolic link.
#[utoipa::path(
    get,
    // `{*path}` for axum, written `{path}` in the document (see `openapi::build`).
    path = "/api/pieces/{*path}",
    summary = "Pièce écrite d'une livraison",
    description = "Une pièce écrite d'une livraison chargée (le règlement PDF vers lequel pointe reglement_url) ; seuls les fichiers indexés au chargement sont servis.",
    tag = "urbanisme",
    params(("path" = String, Path, description = "Chemin de la pièce dans le dossier de données (lien donné par les réponses)")),
    responses(
        (status = 200, description = "Le fichier (PDF le plus souvent)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "Aucune pièce écrite de ce chemin", body = ErrorBody),
    )
)]
async fn get_piece(
    State(state): State<AppState>,
    Path(path): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let data = state.dataset();
    let piece = data.pieces.get(&path).ok_or_else(|| {
        ApiError::NotFound(format!(
            "aucune pièce écrite « {path} » dans les livraisons chargées"
        ))
    })?;
    let file = piece.file.clone();
    drop(data);
    if !file.is_file() {
        return piece_in_archive(file).await;
    }
    tower_http::services::ServeFile::new(file)
        .oneshot(request)
        .await
        .map(IntoResponse::into_response)
        .map_err(|e| ApiError::Internal(format!("lecture d'une pièce écrite : {e}")))
}

/// A written piece inside a ZIP delivery, read from the archive on request (nothing is
/// extracted: see `load/pieces.rs`).
async fn piece_in_archive(file: std::path::PathBuf) -> Result<Response, ApiError> {
    let media = crate::load::pieces::served_type(&file).unwrap_or("application/octet-stream");
    let bytes = tokio::task::spawn_blocking(move || crate::load::archive::read(&file))
        .await
        .map_err(|e| ApiError::Internal(format!("lecture d'une pièce écrite : {e}")))?
        .map_err(|e| match e {
            // The archive was removed or replaced since the load: gone, as a file on disk would be.
            crate::load::archive::ArchiveError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                ApiError::NotFound(
                    "pièce écrite introuvable : les données ont changé depuis leur chargement"
                        .into(),
                )
            }
            e => ApiError::Internal(format!("lecture d'une pièce écrite : {e}")),
        })?;
    Ok(([(axum::http::header::CONTENT_TYPE, media)], bytes).into_response())
}
