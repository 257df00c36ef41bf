//! Optional remote BAN-compatible geocoder (e.g. `https://api-adresse.data.gouv.fr`), asked when
//! the local index has no good match ([`UpstreamMode::Fallback`]) or always
//! ([`UpstreamMode::Always`]).
//!
//! A remote failure (timeout, refused connection, bad JSON…) never fails the request: it
//! becomes a French warning in [`SearchOutcome::warnings`] and the local hits are returned.

use std::time::Duration;

use serde::Deserialize;

use super::index::AddressIndex;
use super::search::{HitProperties, SearchHit, SearchQuery};

/// When to ask the remote geocoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamMode {
    /// Only when the local best hit is missing or scores under [`GOOD_SCORE`].
    Fallback,
    /// For every query; local hits are kept if the remote fails.
    Always,
}

/// A mode that is neither `fallback` nor `always`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("mode « {0} » inconnu (fallback ou always)")]
pub struct UnknownUpstreamMode(pub String);

/// ```
/// use urbaclic::geocode::UpstreamMode;
/// assert_eq!("always".parse(), Ok(UpstreamMode::Always));
/// let e = "never".parse::<UpstreamMode>().unwrap_err();
/// assert_eq!(e.to_string(), "mode « never » inconnu (fallback ou always)");
/// ```
impl std::str::FromStr for UpstreamMode {
    type Err = UnknownUpstreamMode;
    fn from_str(s: &str) -> Result<Self, UnknownUpstreamMode> {
        match s {
            "fallback" => Ok(UpstreamMode::Fallback),
            "always" => Ok(UpstreamMode::Always),
            _ => Err(UnknownUpstreamMode(s.to_string())),
        }
    }
}

/// A local best score at or above this is a good match: no need to ask the remote.
pub const GOOD_SCORE: f64 = 0.6;

/// Where to find the remote geocoder and how long to wait for it.
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// Base URL (`https://api-adresse.data.gouv.fr`) or full search URL (`…/search/`).
    pub url: String,
    /// Time limit of one request (connection included).
    pub timeout: Duration,
    /// When to ask the remote.
    pub mode: UpstreamMode,
    client: reqwest::Client,
}

impl UpstreamConfig {
    /// A config with its own HTTP client (connection pool, `timeout` per request).
    pub fn new(url: impl Into<String>, timeout: Duration, mode: UpstreamMode) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("urbaclic/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        UpstreamConfig {
            url: url.into(),
            timeout,
            mode,
            client,
        }
    }

    fn search_url(&self) -> String {
        let base = self.url.trim_end_matches('/');
        if base.ends_with("/search") {
            format!("{base}/")
        } else {
            format!("{base}/search/")
        }
    }

    /// Whether the remote should be asked, given the local hits.
    pub fn wanted(&self, local: &[SearchHit]) -> bool {
        self.mode == UpstreamMode::Always || local.first().is_none_or(|h| h.score() < GOOD_SCORE)
    }
}

/// Which geocoder produced the hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitSource {
    /// The embedded address index.
    Local,
    /// The configured remote geocoder.
    Upstream,
}

/// Hits with their source and any warning about the remote.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
    /// Which geocoder produced them.
    pub source: HitSource,
    /// Doubts about the remote (failure, timeout), for the answer's `warnings`.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct RawCollection {
    features: Vec<RawFeature>,
}

#[derive(Deserialize)]
struct RawFeature {
    geometry: RawGeometry,
    properties: HitProperties,
}

#[derive(Deserialize)]
struct RawGeometry {
    coordinates: [f64; 2],
}

/// Asks the remote `/search/` with the query's parameters.
/// Errors are French messages meant for `warnings`.
pub async fn upstream_search(
    cfg: &UpstreamConfig,
    q: &SearchQuery,
) -> Result<Vec<SearchHit>, String> {
    let mut params: Vec<(&str, String)> = vec![
        ("q", q.q.clone()),
        ("limit", q.limit.to_string()),
        (
            "autocomplete",
            if q.autocomplete { "1" } else { "0" }.to_string(),
        ),
    ];
    if let (Some(lon), Some(lat)) = (q.lon, q.lat) {
        params.push(("lon", lon.to_string()));
        params.push(("lat", lat.to_string()));
    }
    // Several values as repeated parameters, which addok reads as alternatives.
    let f = &q.filters;
    params.extend(f.kinds.iter().map(|k| ("type", k.as_str().to_string())));
    params.extend(f.postcodes.iter().map(|p| ("postcode", p.clone())));
    params.extend(f.citycodes.iter().map(|c| ("citycode", c.clone())));
    let url = cfg.search_url();
    let fail =
        |what: String| format!("géocodeur distant {url} : {what} ; résultats locaux seulement");
    let resp = cfg
        .client
        .get(&url)
        .query(&params)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                fail(format!("pas de réponse en {} ms", cfg.timeout.as_millis()))
            } else {
                fail(format!("injoignable ({e})"))
            }
        })?;
    if !resp.status().is_success() {
        return Err(fail(format!("réponse HTTP {}", resp.status().as_u16())));
    }
    let body: RawCollection = resp
        .json()
        .await
        .map_err(|e| fail(format!("réponse illisible ({e})")))?;
    Ok(body
        .features
        .into_iter()
        .map(|f| SearchHit {
            lon: f.geometry.coordinates[0],
            lat: f.geometry.coordinates[1],
            properties: f.properties,
        })
        .collect())
}

/// Local search, completed by the remote per its mode. With no index, only the remote is asked;
/// with neither, the outcome is empty with a warning.
pub async fn search_with_upstream(
    index: Option<&AddressIndex>,
    upstream: Option<&UpstreamConfig>,
    q: &SearchQuery,
) -> SearchOutcome {
    let local = index.map(|i| i.search(q)).unwrap_or_default();
    let mut outcome = SearchOutcome {
        hits: local,
        source: HitSource::Local,
        warnings: Vec::new(),
    };
    if index.is_none() && upstream.is_none() {
        outcome
            .warnings
            .push("aucune adresse chargée et aucun géocodeur distant configuré".to_string());
        return outcome;
    }
    let Some(cfg) = upstream else {
        return outcome;
    };
    if !cfg.wanted(&outcome.hits) {
        return outcome;
    }
    match upstream_search(cfg, q).await {
        Ok(remote) if !remote.is_empty() => {
            let local_best = outcome
                .hits
                .first()
                .map_or(0.0, super::search::SearchHit::score);
            let remote_best = remote[0].score();
            if cfg.mode == UpstreamMode::Always || remote_best > local_best {
                outcome.hits = remote;
                outcome.source = HitSource::Upstream;
            }
        }
        Ok(_) => {}
        Err(w) => outcome.warnings.push(w),
    }
    outcome
}
