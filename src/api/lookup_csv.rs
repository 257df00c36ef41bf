//! `POST /api/lookup/csv/`: the rules for every row of a CSV file ([`crate::lookup::batch`]), sent
//! as the BAN's `/search/csv/` is (multipart form, `data` the file, `columns` repeatable, `parcel`,
//! `lat`, `lon` naming columns), bounded as it is ([`MAX_CSV_BYTES`], the row limit) and refused
//! in the same JSON shape.
//!
//! The answer is streamed: the header goes out at once, then each chunk of rows as soon as a
//! worker of the analysis pool ([`crate::app::Workers`]) has answered it, through a channel of a
//! few chunks — a client that reads slowly holds the computation back, one that leaves stops it,
//! and the whole answer is never in memory. A failure after the header (a worker past its budget)
//! cuts the response short, so the client sees an incomplete transfer rather than a short file.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ban::{batch_error, form_rejection, read_form, MAX_CSV_BYTES};
use super::openapi::also_at;
use super::{ApiError, AppState};
use crate::app::Workers;
use crate::dataset::Dataset;
use crate::lookup::batch::{CsvLookup, CsvLookupOptions, CHUNK_ROWS};

/// Chunks computed ahead of what the client has read.
const CHUNKS_AHEAD: usize = 4;

/// The route, with and without trailing slash.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(also_at("/api/lookup/csv", routes!(post_lookup_csv)))
        .layer(DefaultBodyLimit::max(MAX_CSV_BYTES))
}

/// The multipart form of the route, for the document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a description only
struct LookupCsvForm {
    /// The CSV file (UTF-8 or Windows-1252, `,` `;` `|` or tabulation as separator).
    #[schema(value_type = String, format = Binary)]
    data: Vec<u8>,
    /// The address columns (repeatable), geocoded with the embedded geocoder.
    columns: Option<Vec<String>>,
    /// The column holding a 14-character parcel id.
    parcel: Option<String>,
    /// The column holding the latitude (with `lon`).
    lat: Option<String>,
    /// The column holding the longitude (with `lat`).
    lon: Option<String>,
}

/// The rules for every row of a CSV file.
#[utoipa::path(
    post,
    path = "/api/lookup/csv/",
    summary = "Règles applicables à chaque ligne d'un fichier CSV",
    description = "Le même fichier (adresses, identifiants de parcelle ou lat/lon) avec, par ligne, la parcelle, la commune, le document, les zones et leurs parts, les servitudes, les risques, le début du résumé et une colonne « erreur ». Réponse envoyée au fil du calcul. Répond aussi sans la barre finale.",
    tag = "urbanisme",
    request_body(content = LookupCsvForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Le CSV avec les colonnes de résultat", content_type = "text/csv", body = String),
        (status = 400, description = "Formulaire ou CSV invalide, colonnes inconnues ou inutilisables", body = ref("#/components/schemas/BanErrorBody")),
        (status = 413, description = "Fichier de plus de 50 Mio ou de trop de lignes", body = ref("#/components/schemas/BanErrorBody")),
        (status = 415, description = "Pas un formulaire multipart/form-data", body = ref("#/components/schemas/BanErrorBody")),
    )
)]
async fn post_lookup_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    match start(state, &headers, form).await {
        Ok(response) => response,
        Err(e) => e,
    }
}

/// Reads the form and checks the file, then starts the answer.
async fn start(
    state: AppState,
    headers: &HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, Response> {
    // Before the file is read: a refused stream costs nothing.
    let permit = state.csv_streams.clone().try_acquire_owned().map_err(|_| {
        ApiError::Busy(
            "trop de fichiers CSV en cours de traitement : réessayez dans un moment".into(),
        )
        .into_response()
    })?;
    let form = form.map_err(|_| form_rejection(headers).into_response())?;
    let mut opts = CsvLookupOptions::default();
    let input = read_form(form, |name, value| match name {
        "columns" => opts.columns.push(value),
        "parcel" => opts.parcel = Some(value),
        "lat" => opts.lat = Some(value),
        "lon" => opts.lon = Some(value),
        _ => {}
    })
    .await
    .map_err(IntoResponse::into_response)?;
    // Reading a 50 MB file is CPU work: on the pool, like the rows.
    let batch = state
        .workers
        .run(move || CsvLookup::new(input, &opts))
        .await
        .map_err(|e| ApiError::from(e).into_response())?
        .map_err(|e| batch_error(&e).into_response())?;
    let head = batch
        .header_line()
        .map_err(|e| batch_error(&e).into_response())?;
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    // Cannot fail: the channel is new and has room.
    let _ = tx.try_send(Ok(Bytes::from(head)));
    tokio::spawn(async move {
        answer_rows(batch, state.dataset(), state.workers.clone(), tx).await;
        // The stream's slot is given back once its last row is sent (or its client has gone).
        drop(permit);
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"urbaclic.csv\"",
            ),
        ],
        Body::from_stream(Chunks(rx)),
    )
        .into_response())
}

type Chunk = Result<Bytes, std::io::Error>;

/// Answers the rows chunk by chunk on `workers`, each chunk sent as soon as it is ready; stops
/// when the client has gone (the channel is closed) or a chunk fails.
async fn answer_rows(
    mut batch: CsvLookup,
    data: Arc<Dataset>,
    workers: Workers,
    tx: mpsc::Sender<Chunk>,
) {
    loop {
        let data = Arc::clone(&data);
        let job = workers
            .run(move || {
                let chunk = batch.next_chunk(&data, CHUNK_ROWS);
                chunk.map(|c| (batch, c))
            })
            .await;
        let failure = match job {
            Ok(Ok((_, None))) => return,
            Ok(Ok((rest, Some(chunk)))) => {
                batch = rest;
                if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        tracing::error!(%failure, "réponse CSV interrompue");
        let _ = tx.send(Err(std::io::Error::other(failure))).await;
        return;
    }
}

/// The receiving end of the channel, as the stream of the response body.
struct Chunks(mpsc::Receiver<Chunk>);

impl futures_core::Stream for Chunks {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        self.0.poll_recv(cx)
    }
}
