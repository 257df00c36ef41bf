//! The optional remote geocoder, against stand-in BAN servers started on loopback (never the
//! internet): used as a fallback when the local index has no good match, always when so
//! configured, and its failures (timeout, HTTP error, bad JSON, refused) become warnings
//! while the local hits are still returned.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use urbaclic::geocode::upstream::{search_with_upstream, HitSource};
use urbaclic::geocode::{AddressIndex, SearchQuery, UpstreamConfig, UpstreamMode};

fn index() -> &'static AddressIndex {
    static INDEX: OnceLock<AddressIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data/ban-adresses-75118/adresses-75118.csv");
        AddressIndex::build(&[csv], &[]).unwrap()
    })
}

fn remote_answer() -> Value {
    json!({
        "type": "FeatureCollection", "version": "draft",
        "features": [{
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1.4442, 43.6045]},
            "properties": {
                "label": "2 Place du Capitole 31000 Toulouse", "score": 0.97,
                "housenumber": "2", "id": "31555_1520_00002", "name": "2 Place du Capitole",
                "postcode": "31000", "citycode": "31555", "x": 574000.0, "y": 6279000.0,
                "city": "Toulouse", "context": "31, Haute-Garonne, Occitanie",
                "type": "housenumber", "importance": 0.7, "street": "Place du Capitole"
            }
        }],
        "attribution": "BAN", "licence": "ETALAB-2.0", "query": "", "limit": 5
    })
}

/// Starts a stand-in server on 127.0.0.1 and returns its base URL.
async fn stand_in() -> String {
    let app = Router::new()
        .route("/ok/search/", get(|| async { Json(remote_answer()) }))
        .route(
            "/slow/search/",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                Json(remote_answer())
            }),
        )
        .route(
            "/broken/search/",
            get(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route("/garbage/search/", get(|| async { "not json" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn cfg(url: String, mode: UpstreamMode) -> UpstreamConfig {
    UpstreamConfig::new(url, Duration::from_millis(500), mode)
}

#[tokio::test]
async fn fallback_only_when_local_has_no_good_match() {
    let base = stand_in().await;
    let up = cfg(format!("{base}/ok"), UpstreamMode::Fallback);
    let local = search_with_upstream(
        Some(index()),
        Some(&up),
        &SearchQuery::new("18 rue ordener paris"),
    )
    .await;
    assert_eq!(local.source, HitSource::Local);
    assert!(local.hits[0].properties.label.contains("Rue Ordener"));
    let remote = search_with_upstream(
        Some(index()),
        Some(&up),
        &SearchQuery::new("2 place du capitole toulouse"),
    )
    .await;
    assert_eq!(remote.source, HitSource::Upstream);
    assert_eq!(remote.hits[0].properties.citycode, "31555");
    assert_eq!(remote.hits[0].lon, 1.4442);
    assert!(remote.warnings.is_empty());
}

#[tokio::test]
async fn always_mode_prefers_the_remote() {
    let base = stand_in().await;
    let up = cfg(base.clone() + "/ok/search/", UpstreamMode::Always);
    let out = search_with_upstream(
        Some(index()),
        Some(&up),
        &SearchQuery::new("18 rue ordener paris"),
    )
    .await;
    assert_eq!(out.source, HitSource::Upstream);
}

#[tokio::test]
async fn failures_are_warnings_and_local_hits_stay() {
    let base = stand_in().await;
    let dead = {
        // A port nothing listens on: bind, read the port, close.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for (url, needle) in [
        (format!("{base}/slow"), "pas de réponse"),
        (format!("{base}/broken"), "HTTP 500"),
        (format!("{base}/garbage"), "illisible"),
        (dead, "injoignable"),
    ] {
        let up = cfg(url, UpstreamMode::Always);
        let started = std::time::Instant::now();
        let out = search_with_upstream(
            Some(index()),
            Some(&up),
            &SearchQuery::new("18 rue ordener paris"),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "timeout respected"
        );
        assert_eq!(out.source, HitSource::Local);
        assert!(out.hits[0].properties.label.contains("Rue Ordener"));
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains(needle), "{:?}", out.warnings);
    }
}

#[tokio::test]
async fn no_index_no_upstream_says_so() {
    let out = search_with_upstream(None, None, &SearchQuery::new("18 rue ordener")).await;
    assert!(out.hits.is_empty());
    assert_eq!(out.warnings.len(), 1);
}
