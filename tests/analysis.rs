//! Issue 5: parcel and footprint analysis, planning status, summary — on the real data in `data/`,
//! with expected values computed independently (shapely/pyproj commands quoted next to them), plus
//! one hand-made case whose answer is worked out by hand.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geo::{polygon, Geometry, MultiPolygon};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::analysis::Footprint;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::{Dataset, DatasetParts};
use urbaclic::load::load_dir;
use urbaclic::lookup::{lookup, lookup_footprint, lookup_parcel};
use urbaclic::model::{Origin, ZoneUrba};
use urbaclic::report::LoadReport;
use urbaclic::rules::ScopeKind;

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| AppState::new(load_dir(&data_dir()).expect("embedded data loads")))
}

async fn call(req: Request<Body>) -> (StatusCode, Value) {
    let res = router(state().clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

async fn get(uri: &str) -> (StatusCode, Value) {
    call(Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(body: impl Into<Body>) -> (StatusCode, Value) {
    call(
        Request::post("/api/lookup")
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap(),
    )
    .await
}

fn zone(libelle: &str, typezone: &str, geometry: geo::Polygon<f64>) -> ZoneUrba {
    ZoneUrba {
        libelle: libelle.into(),
        libelong: None,
        typezone: typezone.into(),
        destdomi: None,
        nomfic: None,
        urlfic: None,
        idurba: None,
        insee: None,
        datvalid: None,
        sector: false,
        document: None,
        origin: Origin {
            file: "synthetic".into(),
            feature: 0,
        },
        geometry: Geometry::MultiPolygon(MultiPolygon(vec![geometry])),
    }
}

/// Hand-made: zone U west of lon 2.0, zone N east of it; a square footprint from lon 1.9997 to 2.0007
/// straddles the boundary 3/10 west, 7/10 east. Meridians are parallel in the local frame, so the
/// shares are exactly 30 % and 70 % whatever the latitude.
#[test]
fn square_over_a_zone_boundary_splits_30_70() {
    let parts = DatasetParts {
        zones: vec![
            zone(
                "UA",
                "U",
                polygon![(x: 1.99, y: 45.99), (x: 2.0, y: 45.99), (x: 2.0, y: 46.01), (x: 1.99, y: 46.01)],
            ),
            zone(
                "N",
                "N",
                polygon![(x: 2.0, y: 45.99), (x: 2.01, y: 45.99), (x: 2.01, y: 46.01), (x: 2.0, y: 46.01)],
            ),
        ],
        ..Default::default()
    };
    let data = Dataset::build(parts, LoadReport::default());
    let square = polygon![(x: 1.9997, y: 45.9995), (x: 2.0007, y: 45.9995), (x: 2.0007, y: 46.0005), (x: 1.9997, y: 46.0005)];
    let fp = Footprint::new(Geometry::Polygon(square)).unwrap();
    let a = lookup_footprint(&data, &fp).unwrap();
    assert_eq!(a.scope.kind, ScopeKind::Footprint);
    let shares: Vec<(String, f64)> = a
        .zones
        .iter()
        .map(|z| (z.libelle.clone(), z.hit.overlap.unwrap().share_pct.unwrap()))
        .collect();
    assert_eq!(
        shares,
        vec![("N".to_string(), 70.0), ("UA".to_string(), 30.0)]
    );
    // 0.001° × 0.001° at 46°N: 111 141 m/° × 77 406 m/° (WGS84 series) ≈ 8 603 m².
    let area = a.scope.area_m2.unwrap();
    assert!((area - 8603.0).abs() < 10.0, "{area}");
}

/// Rennes parcel BW0825 straddles zone UB2. Expected share from shapely in Lambert-93:
/// `shape(parcel).intersection(shape(zone)).area / shape(parcel).area` = 48.657 %
/// (pyshp on demo-02/PARCELLE.SHP and demo-02/ZONE_URBA.shp).
#[test]
fn rennes_parcel_share_matches_shapely() {
    let data = state().dataset();
    let a = lookup_parcel(&data, "35238000BW0825").expect("parcel is loaded");
    assert_eq!(a.zones.len(), 1);
    let share = a.zones[0].hit.overlap.unwrap().share_pct.unwrap();
    assert!((share - 48.657).abs() < 0.05, "{share}");
    assert_eq!(a.zones[0].libelle, "UB2");
}

/// Parcel area against the geodesic area on the WGS84 ellipsoid:
/// `abs(Geod(ellps='WGS84').geometry_area_perimeter(shape(f['geometry']))[0])` = 257 087.28 m²
/// for 91216000AB0037 in cadastre-91216-parcelles.json (its declared contenance is 254 881 m²).
#[test]
fn parcel_area_is_metric_and_accurate() {
    let data = state().dataset();
    let a = lookup_parcel(&data, "91216000AB0037").unwrap();
    let area = a.scope.area_m2.unwrap();
    assert!((area - 257_087.28).abs() / 257_087.28 < 5e-4, "{area}");
    assert_eq!(a.parcel.unwrap().contenance, Some(254_881.0));
}

/// A 120 m × 110 m footprint drawn in Lambert-93 from (809797.74, 6323229.41) in Arpaillargues,
/// sent in WGS84 (pyproj EPSG:2154→4326). Shares from shapely in Lambert-93 against
/// 30014_ZONE_URBA_20171013.shp: Ap 57.921, Ucp 21.070, Uc 20.117, Ua 0.892 (marginal: < 2 %).
#[tokio::test]
async fn footprint_straddling_zones_matches_shapely() {
    let body = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[
        [4.368999999999999,43.9995],[4.370495905351882,43.99948126656678],
        [4.370519707908014,44.000471107365094],[4.369023776585902,44.00048984113427],
        [4.368999999999999,43.9995]]]}}"#;
    let (status, a) = post(body).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["scope"]["kind"], "footprint");
    let expected = [
        ("Ap", 57.921),
        ("Ucp", 21.070),
        ("Uc", 20.117),
        ("Ua", 0.892),
    ];
    let zones = a["zones"].as_array().unwrap();
    assert_eq!(zones.len(), expected.len());
    let mut total = 0.0;
    for (z, (lib, share)) in zones.iter().zip(expected) {
        assert_eq!(z["libelle"], lib);
        let got = z["share_pct"].as_f64().unwrap();
        assert!((got - share).abs() < 0.05, "{lib}: {got} vs {share}");
        assert_eq!(z["marginal"], lib == "Ua");
        total += got;
    }
    assert!((total - 100.0).abs() < 0.1, "{total}");
    assert_eq!(a["document"]["idurba"], "30014_PLU_20171013");
    let summary: Vec<&str> = a["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(
        summary.iter().any(|s| s.starts_with(
            "Zone Ap du plan local d'urbanisme (PLU) approuvé le 13/10/2017 (58 % de l'emprise)"
        )),
        "{summary:?}"
    );
    assert!(summary
        .iter()
        .any(|s| s.contains("Chevauchements marginaux") && s.contains("zone Ua")));
}

#[tokio::test]
async fn parcel_reference_lookup_and_404() {
    let (status, a) = get("/api/lookup?parcel=91216000ab0037").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(a["parcel"]["id"], "91216000AB0037");
    // Section and number padded as the cadastre does.
    let (status, b) = get("/api/lookup?insee=91216&section=ab&numero=37").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["parcel"]["id"], "91216000AB0037");
    let (status, e) = get("/api/lookup?parcel=91216000AB9999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(e["message"].as_str().unwrap().contains("91216000AB9999"));
    let (status, e) = get("/api/lookup?parcel=123").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "invalid_parameter");
    let (status, _) = get("/api/lookup?insee=91216&section=AB").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn footprint_limits_give_clear_errors() {
    let big = vec![b' '; (1 << 20) + 10];
    let (status, e) = post(big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(e["error"], "too_large");
    // 20 000 vertices on a small circle.
    let ring: Vec<String> = (0..=20_000)
        .map(|i| {
            let a = i as f64 / 20_000.0 * std::f64::consts::TAU;
            format!("[{},{}]", 2.35 + 1e-4 * a.cos(), 48.89 + 1e-4 * a.sin())
        })
        .collect();
    let (status, e) = post(format!(
        r#"{{"type":"Polygon","coordinates":[[{}]]}}"#,
        ring.join(",")
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().unwrap().contains("sommets"), "{e}");
    // 0.1° square: about 80 km², over the 1 km² limit.
    let (status, e) = post(r#"{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.9],[2.3,48.8]]]}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        e["message"].as_str().unwrap().contains("trop grande"),
        "{e}"
    );
    for bad in [
        "not json",
        r#"{"type":"Point","coordinates":[2.3,48.8]}"#,
        r#"{"type":"FeatureCollection","features":[]}"#,
        r#"{"type":"Polygon","coordinates":[[[200,48.8],[2.4,48.8],[2.4,48.9],[200,48.8]]]}"#,
        r#"{"type":"Polygon","coordinates":[[[2.3,48.8],[2.3,48.8],[2.3,48.8],[2.3,48.8]]]}"#,
    ] {
        let (status, e) = post(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert!(e["message"].is_string());
    }
}

/// Épinay-sur-Orge (91216) has cadastre and a commune boundary but no planning data staged.
#[test]
fn commune_without_planning_data_says_so_never_rnu() {
    let data = state().dataset();
    let a = lookup_parcel(&data, "91216000AB0038").unwrap();
    assert_eq!(a.status.kind, "inconnu");
    assert!(!a.coverage.planning);
    assert!(a.summary[1]
        .text
        .starts_with("Aucune donnée d'urbanisme n'est chargée"));
}

/// With the planning data declared complete for 91216 in a manifest, the same place is under the RNU.
#[test]
fn declared_complete_commune_without_document_is_rnu() {
    let dir = std::env::temp_dir().join(format!("urbaclic-rnu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = data_dir();
    std::fs::write(
        dir.join("urbaclic.toml"),
        format!(
            "planning_complete_communes = [\"91216\"]\n[[source]]\npath = \"{}\"\n[[source]]\npath = \"{}\"\n",
            src.join("communes-france-geojson/communes-91-essonne.geojson").display(),
            src.join("cadastre-etalab-91216").display()
        ),
    )
    .unwrap();
    let data = load_dir(&dir).unwrap();
    let a = lookup_parcel(&data, "91216000AB0038").unwrap();
    assert_eq!(a.status.kind, "RNU");
    assert!(a.status.label.contains("règlement national d'urbanisme"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A point in the street in Paris 18e: shapely in Lambert-93 finds no parcel containing
/// (2.35, 48.8918) and 75118000BV0025 nearest at 5.83 m (`STRtree.query(p.buffer(60))`, `distance`).
#[test]
fn point_on_street_offers_nearest_parcel() {
    let data = state().dataset();
    let a = lookup(&data, 2.35, 48.8918);
    assert_eq!(a.scope.kind, ScopeKind::Point);
    assert!(a.parcel.is_none());
    let n = a.nearest_parcel.unwrap();
    assert_eq!(n.id, "75118000BV0025");
    assert!((n.distance_m - 5.83).abs() < 0.2, "{}", n.distance_m);
    assert!(
        a.summary[0].text.contains("75118 000 BV 0025 à 5,8 m"),
        "{}",
        a.summary[0].text
    );
}

/// The CLI prints the French summary with the regulation link; `--json` prints the full answer.
#[test]
fn cli_prints_summary_with_regulation_links() {
    let bin = env!("CARGO_BIN_EXE_urbaclic");
    // Inside zone Ucp of Arpaillargues (representative point of feature 0, pyproj EPSG:2154→4326).
    let out = std::process::Command::new(bin)
        .args([
            "lookup",
            "--lat",
            "43.99982616585818",
            "--lon",
            "4.369677199084376",
        ])
        .args(["--data", data_dir().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Zone Ucp du plan local d'urbanisme (PLU) approuvé le 13/10/2017"),
        "{text}"
    );
    assert!(
        text.contains("Règlement : 30014_reglement_20171013.pdf#page=24"),
        "{text}"
    );
    let out = std::process::Command::new(bin)
        .args(["lookup", "--parcel", "91216000AB0037", "--json"])
        .args(["--data", data_dir().to_str().unwrap()])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["parcel"]["id"], "91216000AB0037");
}

/// Hand-made: a PPRT published both as a risk plan and as a PM3 easement (same GASPAR code, as in
/// the staged PM3 delivery's générateur field ID_GASPAR) is shown once, as a risk.
#[test]
fn ppr_also_published_as_pm3_is_shown_once() {
    use urbaclic::model::{RiskPlan, RiskPlanKind, RiskZone, RiskZoneKind, Servitude};
    let square = || {
        Geometry::Polygon(
            polygon![(x: 5.0, y: 45.0), (x: 5.01, y: 45.0), (x: 5.01, y: 45.01), (x: 5.0, y: 45.01)],
        )
    };
    let origin = || Origin {
        file: "hand-made".into(),
        feature: 0,
    };
    let parts = DatasetParts {
        risk_plans: vec![RiskPlan {
            code: "28DREAL20140001".into(),
            kind: RiskPlanKind::Pprt,
            name: "PPRT test".into(),
            date: None,
            state: None,
            url: None,
            perimeter: None,
        }],
        risk_zones: vec![RiskZone {
            plan: 0,
            code: "R".into(),
            label: "Zone rouge".into(),
            kind: RiskZoneKind::Urba,
            regulation: Some("03".into()),
            url: None,
            origin: origin(),
            geometry: square(),
        }],
        servitudes: vec![Servitude {
            categorie: "PM3".into(),
            id_ass: "1".into(),
            nom_ass: None,
            type_ass: None,
            id_gen: None,
            nom_gen: None,
            type_gen: None,
            id_sup: None,
            nom_sup: None,
            nom_sup_litt: None,
            acte: None,
            id_gaspar: Some("28DREAL20140001".into()),
            source: "hand-made".into(),
            origin: origin(),
            geometry: square(),
        }],
        ..Default::default()
    };
    let data = Dataset::build(parts, LoadReport::default());
    let a = lookup(&data, 5.005, 45.005);
    assert!(a.servitudes.is_empty());
    assert_eq!(a.risks.len(), 1);
    assert_eq!(a.risks[0].also_servitude.as_deref(), Some("PM3"));
    assert!(a
        .summary
        .iter()
        .any(|s| s.text.contains("(également servitude PM3)")));
}
