//! `/metrics` in the Prometheus text format (version 0.0.4): requests by route and status,
//! latency histograms by route, requests in flight, and the state of the data (generation, load
//! time, reload outcomes, features per layer, conformity issues).
//!
//! Hand-written rather than through a metrics crate: a dozen series, one lock per request, and
//! the format is a few lines of text.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// Upper bounds of the latency buckets, in seconds: from a point lookup (µs, all in the first)
/// to the 30 s request deadline.
const BUCKETS_S: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

/// Label of requests that matched no route (static files, 404s): one series, not one per path a
/// scanner tries.
const OTHER_ROUTE: &str = "autre";

/// Request counters and histograms, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    in_flight: AtomicI64,
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    /// Count per bucket of [`BUCKETS_S`] (not cumulative; summed when written), then `+Inf`.
    buckets: [u64; BUCKETS_S.len() + 1],
    sum_s: f64,
    count: u64,
}

impl Metrics {
    fn record(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), RouteStats::default());
        }
        let Some(s) = routes.get_mut(route) else {
            return;
        };
        *s.by_status.entry(status).or_default() += 1;
        let bucket = BUCKETS_S
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS_S.len());
        s.buckets[bucket] += 1;
        s.sum_s += seconds;
        s.count += 1;
    }

    /// The request series, in the text format.
    fn write_requests(&self, out: &mut String) {
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        header(
            out,
            "urbaclic_http_requests_total",
            "counter",
            "Requêtes HTTP répondues, par route et statut.",
        );
        for (route, s) in routes.iter() {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "urbaclic_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        header(
            out,
            "urbaclic_http_request_duration_seconds",
            "histogram",
            "Durée des requêtes, de l'en-tête reçu à l'en-tête de réponse, par route.",
        );
        for (route, s) in routes.iter() {
            let route = escape(route);
            let mut cumulative = 0;
            for (le, n) in BUCKETS_S.iter().zip(&s.buckets) {
                cumulative += n;
                let _ = writeln!(out, "urbaclic_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}");
            }
            let _ = writeln!(
                out,
                "urbaclic_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "urbaclic_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                s.sum_s
            );
            let _ = writeln!(
                out,
                "urbaclic_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                s.count
            );
        }
        header(
            out,
            "urbaclic_http_requests_in_flight",
            "gauge",
            "Requêtes en cours.",
        );
        let _ = writeln!(
            out,
            "urbaclic_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the format wants it: `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts the request in flight while it runs, then records its route, status and duration.
pub async fn middleware(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(OTHER_ROUTE, MatchedPath::as_str)
        .to_string();
    metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    metrics.record(
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`: the counters of requests and of the data served, in Prometheus' text format.
#[utoipa::path(
    get,
    path = "/metrics",
    summary = "Métriques (Prometheus)",
    description = "Compteurs des requêtes et des données servies, au format texte de Prometheus.",
    tag = "exploitation",
    responses((status = 200, description = "Métriques au format texte de Prometheus",
               content_type = "text/plain", body = String))
)]
pub async fn get_metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    state.metrics.write_requests(&mut out);
    write_data(&state, &mut out);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// The data series: what is loaded and how reloads went.
fn write_data(state: &AppState, out: &mut String) {
    let data = state.dataset();
    let reload = state.reload_status();
    header(
        out,
        "urbaclic_dataset_generation",
        "gauge",
        "Numéro du jeu de données servi : 1 au démarrage, +1 par rechargement réussi.",
    );
    let _ = writeln!(out, "urbaclic_dataset_generation {}", reload.reloads + 1);
    header(
        out,
        "urbaclic_dataset_load_seconds",
        "gauge",
        "Durée du chargement du jeu de données servi.",
    );
    let _ = writeln!(
        out,
        "urbaclic_dataset_load_seconds {}",
        data.report.load_ms as f64 / 1e3
    );
    header(
        out,
        "urbaclic_reloads_total",
        "counter",
        "Rechargements depuis le démarrage, par issue (refusé : l'ancien jeu reste servi).",
    );
    let _ = writeln!(
        out,
        "urbaclic_reloads_total{{outcome=\"ok\"}} {}",
        reload.reloads
    );
    let _ = writeln!(
        out,
        "urbaclic_reloads_total{{outcome=\"refused\"}} {}",
        reload.failed
    );
    header(
        out,
        "urbaclic_layer_features",
        "gauge",
        "Entités chargées, par couche.",
    );
    if let Some(counts) = data.summary_counts().as_object() {
        for (layer, n) in counts {
            if let Some(n) = n.as_u64() {
                let _ = writeln!(
                    out,
                    "urbaclic_layer_features{{layer=\"{}\"}} {n}",
                    escape(layer)
                );
            }
        }
    }
    header(
        out,
        "urbaclic_addresses",
        "gauge",
        "Adresses du géocodeur intégré.",
    );
    let addresses = data
        .addresses
        .as_ref()
        .map_or(0, crate::geocode::index::AddressIndex::len);
    let _ = writeln!(out, "urbaclic_addresses {addresses}");
    header(
        out,
        "urbaclic_conformity_issues",
        "gauge",
        "Non-conformités des livraisons CNIG chargées, par gravité.",
    );
    let sum = |f: fn(&crate::load::conformity::DeliveryConformity) -> usize| -> usize {
        data.report.conformity.iter().map(f).sum()
    };
    for (severity, n) in [
        ("error", sum(|c| c.errors)),
        ("warning", sum(|c| c.warnings)),
        ("info", sum(|c| c.infos)),
    ] {
        let _ = writeln!(
            out,
            "urbaclic_conformity_issues{{severity=\"{severity}\"}} {n}"
        );
    }
}
