//! The worked examples of `docs/architecture.md`, as tests: adding a zoning theme takes a manifest
//! entry and no code; adding a kind of source takes one `DataSource` implementation.
//!
//! The seismic zoning used here is LABELLED SYNTHETIC (two made-up rectangles over Épinay-sur-Orge,
//! `tests/fixtures/zonage-sismique/`, made by `make_fixture.py` there, which also computed the
//! expected shares with shapely); the parcel it cuts and every other layer are the real embedded data.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::{CoverageArea, CoverageHint, CoverageLayer, DatasetParts};
use urbaclic::load::{load_dir, load_sources, DataSource, LoadError};
use urbaclic::lookup::{lookup, lookup_parcel};
use urbaclic::model::{Origin, ZoningTheme, ZoningZone};
use urbaclic::report::{LayerReport, LoadReport};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/zonage-sismique/expected.txt`: zone code → share of parcel 91216000AB0037 (%),
/// and a point inside both.
fn expected() -> (Vec<(String, f64)>, (f64, f64)) {
    let text = std::fs::read_to_string(root().join("tests/fixtures/zonage-sismique/expected.txt"))
        .expect("expected.txt");
    let mut shares = Vec::new();
    let mut point = (0.0, 0.0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["point", lon, lat] => point = (lon.parse().unwrap(), lat.parse().unwrap()),
            [code, share] => shares.push((code.to_string(), share.parse().unwrap())),
            _ => panic!("unexpected line {line}"),
        }
    }
    (shares, point)
}

/// A data folder = the embedded data (its manifest, paths made absolute) + the entries given.
fn folder_with(name: &str, entries: &str) -> PathBuf {
    let dir = root().join("target").join(format!("architecture-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("zonage-sismique")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/zonage-sismique/zonage.geojson"),
        dir.join("zonage-sismique/zonage.geojson"),
    )
    .unwrap();
    let data = root().join("data");
    let embedded = std::fs::read_to_string(data.join("urbaclic.toml")).unwrap();
    let manifest = embedded.replace("path = \"", &format!("path = \"{}/", data.display()));
    std::fs::write(dir.join("urbaclic.toml"), format!("{manifest}\n{entries}")).unwrap();
    dir
}

const SEISMIC: &str = r#"
[[source]]
path = "zonage-sismique/zonage.geojson"
role = "zoning"
theme = "sismicite"
name = "Zonage sismique"
[source.fields]
code = "{zone}"
label = "Zone de sismicité {zone}"
"#;

async fn get(state: &AppState, uri: &str) -> Value {
    let res = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// The acceptance of the architecture issue: one GeoJSON declared in the manifest, no code, and the
/// theme is answered at a point, shared on a parcel, drawn by `/api/layers` and listed by
/// `/api/catalog` (so the map page shows it).
#[tokio::test]
async fn a_zoning_theme_needs_no_code() {
    let (shares, (lon, lat)) = expected();
    let data = load_dir(&folder_with("seismic", SEISMIC)).expect("loads");
    let state = AppState::new(data);

    let a = get(&state, &format!("/api/lookup?lat={lat}&lon={lon}")).await;
    let section = a["zonings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["theme"] == "sismicite")
        .unwrap_or_else(|| panic!("no sismicite section: {a}"));
    assert_eq!(section["name"], "Zonage sismique");
    assert_eq!(section["covered"], true);
    // The point is in parcel 91216000AB0037, so the whole parcel is analysed: both zones, shared.
    assert_eq!(a["parcel"]["id"], "91216000AB0037");
    let zones = section["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 2, "{section}");
    for (code, share) in &shares {
        let z = zones.iter().find(|z| z["code"] == code.as_str()).unwrap();
        assert_eq!(z["label"], format!("Zone de sismicité {code}"));
        let got = z["share_pct"].as_f64().unwrap();
        assert!(
            (got - share).abs() < 0.05,
            "zone {code}: {got} % vs shapely {share} %"
        );
        assert_eq!(z["at_point"], code == "3");
    }
    assert!(a["summary"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "zoning"
            && s["text"]
                .as_str()
                .unwrap()
                .starts_with("Zonage sismique : Zone de sismicité 3")));

    let layers = get(
        &state,
        "/api/layers?bbox=2.30,48.67,2.35,48.70&zoom=14&layers=sismicite",
    )
    .await;
    let features = layers["layers"]["sismicite"]["features"]
        .as_array()
        .unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["properties"]["theme"], "sismicite");

    let catalog = get(&state, "/api/catalog").await;
    let entry = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "sismicite")
        .expect("listed in the catalogue");
    assert_eq!(entry["label"], "Zonage sismique");
    assert_eq!(entry["style"], "zoning");
}

/// `role = "risk"` entries keep working: the quarry map declared as a risk overlay is answered
/// among the risks (sector "1" holds the representative point of parcel 75118000AI0008, shapely).
#[test]
fn a_declared_risk_layer_still_works() {
    let entry = format!(
        r#"
[[source]]
path = "{}/risk-carrieres-paris-plub/plub_carriere.shp"
role = "risk"
name = "Anciennes carrières (couche de risque)"
[source.fields]
code = "{{n_sq_car}}"
[source.plan]
code = "PARIS-CARRIERES"
name = "Secteurs d'anciennes carrières"
kind = "autre"
"#,
        root().join("data").display()
    );
    let data = load_dir(&folder_with("risk", &entry)).expect("loads");
    let a = lookup(&data, 2.331582873, 48.89303795);
    assert_eq!(a.risks.len(), 1, "{:?}", a.risks);
    assert_eq!(a.risks[0].procedure, "PARIS-CARRIERES");
    assert_eq!(a.risks[0].zone_code, "1");
    assert!(a.coverage.risks);
}

/// A kind of source of its own: anything implementing `DataSource` loads beside the files. This one
/// is LABELLED SYNTHETIC: one square zoning zone around parcel 91216000AB0037's representative point.
struct OneZone;

impl DataSource for OneZone {
    fn name(&self) -> &str {
        "zone-synthetique"
    }

    fn files(&self) -> &[PathBuf] {
        &[]
    }

    fn load(
        &self,
        _root: &Path,
        parts: &mut DatasetParts,
        report: &mut LoadReport,
    ) -> Result<(), LoadError> {
        let (_, (lon, lat)) = expected();
        let d = 0.0001;
        let square = geo::Rect::new((lon - d, lat - d), (lon + d, lat + d)).to_polygon();
        parts.zoning_themes.push(ZoningTheme {
            key: "exemple".into(),
            name: "Zonage d'exemple".into(),
        });
        parts.zoning_zones.push(ZoningZone {
            theme: parts.zoning_themes.len() - 1,
            code: "A".into(),
            label: "Secteur A".into(),
            url: None,
            origin: Origin {
                file: "zone-synthetique".into(),
                feature: 0,
            },
            geometry: geo::Geometry::Polygon(square.clone()),
        });
        parts.coverage_hints.push(CoverageHint {
            layer: CoverageLayer::Zoning,
            source: self.name().into(),
            scope: Some("exemple".into()),
            area: CoverageArea::Area(geo::MultiPolygon(vec![square]), "carré synthétique"),
        });
        report.layers.push(LayerReport {
            file: self.name().into(),
            layer: "zonage (source programmée)".into(),
            features: 1,
            ..Default::default()
        });
        Ok(())
    }
}

#[test]
fn a_source_of_its_own_plugs_in() {
    let sources: Vec<Box<dyn DataSource>> = vec![Box::new(OneZone)];
    let data = load_sources(&root(), DatasetParts::default(), &sources).expect("loads");
    assert_eq!(data.report.layers[0].layer, "zonage (source programmée)");
    let (_, (lon, lat)) = expected();
    let a = lookup(&data, lon, lat);
    assert_eq!(a.zonings.len(), 1);
    assert_eq!(a.zonings[0].zones[0].code, "A");
    assert!(a.zonings[0].zones[0].hit.at_point);
    assert!(
        lookup_parcel(&data, "91216000AB0037").is_err(),
        "no cadastre loaded"
    );
}
