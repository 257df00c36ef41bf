//! From an address to an answer: geocode (the embedded BAN index, then the upstream geocoder if one
//! is configured), then analyse the best match; an uncertain match comes with its alternatives.

use crate::dataset::Dataset;
use crate::geocode::upstream::{search_with_upstream, HitSource, SearchOutcome};
use crate::geocode::{is_uncertain, SearchHit, SearchQuery, UpstreamConfig};

use super::error::{LookupError, MAX_QUERY_CHARS};
use super::{Location, LookupAnswer, LookupOptions, Position};

/// Alternatives offered with an uncertain match, at most.
const MAX_ALTERNATIVES: usize = 4;

/// What geocoding established, written into the answer: the match, its alternatives when it is
/// uncertain, and warnings (doubts, upstream failures).
#[derive(Debug, Clone, Default)]
pub struct Located {
    /// The best match, if any scored enough.
    pub location: Option<Location>,
    /// Other candidates when the match is uncertain (at most four).
    pub alternatives: Vec<Location>,
    /// Doubts about the match, upstream failures.
    pub warnings: Vec<String>,
}

/// Geocodes `q`, then analyses the best match.
pub async fn lookup_address(
    data: &Dataset,
    upstream: Option<&UpstreamConfig>,
    q: &str,
) -> Result<LookupAnswer, LookupError> {
    lookup_address_with(data, upstream, q, LookupOptions::default()).await
}

/// [`lookup_address`], written as `options` ask.
pub async fn lookup_address_with(
    data: &Dataset,
    upstream: Option<&UpstreamConfig>,
    q: &str,
    options: LookupOptions,
) -> Result<LookupAnswer, LookupError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(LookupError::QueryTooLong);
    }
    let outcome =
        search_with_upstream(data.addresses.as_ref(), upstream, &SearchQuery::new(q)).await;
    lookup_found(data, q, outcome, options)
}

/// [`lookup_address`] with the embedded geocoder only, without waiting on anything: for a list of
/// addresses (`lookup::batch`), where one remote call per row would be the whole cost.
pub fn lookup_address_local(data: &Dataset, q: &str) -> Result<LookupAnswer, LookupError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(LookupError::QueryTooLong);
    }
    let hits = data
        .addresses
        .as_ref()
        .map(|i| i.search(&SearchQuery::new(q)))
        .unwrap_or_default();
    let warnings = if data.addresses.is_none() {
        vec!["aucune adresse chargée".to_string()]
    } else {
        Vec::new()
    };
    let outcome = SearchOutcome {
        hits,
        source: HitSource::Local,
        warnings,
    };
    lookup_found(data, q, outcome, LookupOptions::default())
}

/// Analyses the best of what the geocoders found for `q`.
fn lookup_found(
    data: &Dataset,
    q: &str,
    outcome: SearchOutcome,
    options: LookupOptions,
) -> Result<LookupAnswer, LookupError> {
    let source = match outcome.source {
        HitSource::Local => "local",
        HitSource::Upstream => "upstream",
    };
    let Some(best) = outcome.hits.first() else {
        let mut message = format!("aucune adresse trouvée pour « {q} »");
        for w in &outcome.warnings {
            message.push_str(&format!(" ; {w}"));
        }
        return Err(LookupError::AddressNotFound(message));
    };
    let at = Position::new(best.lon, best.lat)?;
    let mut located = Located {
        location: Some(location(best, source)),
        ..Located::default()
    };
    if is_uncertain(&outcome.hits) {
        located.alternatives = outcome
            .hits
            .iter()
            .skip(1)
            .take(MAX_ALTERNATIVES)
            .map(|h| location(h, source))
            .collect();
        located.warnings.push(format!(
            "adresse incertaine (score {:.2}) : vérifiez la position ou choisissez parmi les autres propositions",
            best.properties.score
        ));
    }
    located.warnings.extend(outcome.warnings);
    Ok(super::lookup_located(data, at, located, options))
}

fn location(h: &SearchHit, source: &str) -> Location {
    Location {
        label: h.properties.label.clone(),
        score: (h.properties.score * 1000.0).round() / 1000.0,
        lon: h.lon,
        lat: h.lat,
        kind: serde_json::to_value(h.properties.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        source: source.to_string(),
        interpolated: h.properties.interpolated,
    }
}
