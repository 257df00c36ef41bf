//! The HTTP server: hyper HTTP/1.1 connections under the limits `axum::serve` leaves open.
//!
//! `axum::serve` has no timeout on reading a request head, keeps idle connections forever and
//! accepts sockets until the process runs out of file descriptors, at which point `/health` itself
//! times out. This loop bounds all three and shuts down gracefully: on the signal it stops
//! accepting, lets the requests in flight finish (within a grace period) and closes idle
//! connections. Two stream wrappers finish the job: [`write_deadline`] closes a connection whose
//! client stops reading, [`parse_error_body`] gives hyper's own parse-error answers a JSON body.
//! Per-request limits (body and whole-request time, concurrency) are layers of the
//! router, see [`crate::api::router`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub mod parse_error_body;
pub mod write_deadline;

use parse_error_body::ParseErrorBody;
use write_deadline::WriteDeadline;

/// Connection-level limits.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time a client has to send a request head; also the longest a kept-alive connection may sit
    /// idle, since hyper waits for the next head under the same timer.
    pub header_timeout: Duration,
    /// Connections open at once; beyond, new sockets are closed at once so that the descriptors
    /// left serve the connections already there.
    pub max_connections: usize,
    /// Largest request head, in bytes (hyper answers 431 beyond).
    pub max_header_bytes: usize,
    /// Longest a write of the answer may wait for the client to read; beyond, the connection is
    /// closed (see [`write_deadline`]).
    pub write_timeout: Duration,
    /// How long requests in flight may run on after the shutdown signal.
    pub shutdown_grace: Duration,
}

/// Pause after a failed `accept` (out of file descriptors, mostly) before trying again, so the
/// loop does not spin while the condition lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes.max(MIN_BUF_BYTES));
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "connexion refusée par le système");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(
                max = limits.max_connections,
                "trop de connexions : connexion fermée"
            );
            continue;
        };
        let _ = stream.set_nodelay(true);
        let stream = ParseErrorBody::new(WriteDeadline::new(stream, limits.write_timeout));
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that vanishes mid-request is its own business, not an error of ours.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("requêtes en cours terminées"),
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("délai d'arrêt écoulé : connexions restantes coupées");
        }
    }
}

/// hyper refuses a read buffer below 8 KiB.
const MIN_BUF_BYTES: usize = 8192;

/// Descriptors left outside the connection cap: data files read by a reload, logs, the upstream
/// geocoder's sockets.
const RESERVED_FILES: u64 = 124;

/// Upper bound of the default connection cap: past it, the memory of each connection matters
/// more than descriptors.
const MAX_DEFAULT_CONNECTIONS: u64 = 10_000;

/// Raises the soft open-file limit to the hard one, as Go's runtime does at start: the soft limit
/// (often 1,024) is a historical default, the hard one is what the operator allows. Returns the
/// soft limit now in force (`None` where the platform has no such limit).
pub fn raise_open_file_limit() -> Option<u64> {
    rlimit::increase_nofile_limit(u64::MAX).ok()
}

/// The default connection cap: what the open-file limit leaves after [`RESERVED_FILES`], at most
/// [`MAX_DEFAULT_CONNECTIONS`] (900 under the usual 1,024).
///
/// ```
/// let cap = urbaclic::server::default_max_connections();
/// assert!((1..=10_000).contains(&cap));
/// ```
pub fn default_max_connections() -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let cap = soft
        .saturating_sub(RESERVED_FILES)
        .clamp(1, MAX_DEFAULT_CONNECTIONS);
    usize::try_from(cap).unwrap_or(1)
}
