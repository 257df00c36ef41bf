//! Parcel references typed in the search box (`GET /api/parcels?q=`, issue 14), through the whole
//! router on the embedded data.
//!
//! Expected ids come from the source files, with pyshp and json, independently of urbaclic:
//!
//! ```text
//! python3 - <<'PY'
//! import json, shapefile
//! rows = []
//! for f in ['data/cadastre-etalab-91216/cadastre-91216-parcelles.json',
//!           'data/cadastre-etalab-75118/cadastre-75118-parcelles.json']:
//!     for ft in json.load(open(f))['features']:
//!         p = ft['properties']; rows.append((p['id'], p['section'], int(p['numero'])))
//! r = shapefile.Reader('data/plu-parcels-rennes-35238-simplu/demo-02/PARCELLE.SHP')
//! for rec in r.records():
//!     d = rec.as_dict()
//!     rows.append((d['CODE_DEP'] + d['CODE_COM'] + d['COM_ABS'] + d['SECTION'] + d['NUMERO'],
//!                  d['SECTION'], int(d['NUMERO'])))
//! print(len(rows))                                                        # 11688
//! print(sorted(x[0] for x in rows if x[1] == 'AB' and x[2] == 37))        # 75118000AB0037, 91216000AB0037
//! print(sorted(x[0] for x in rows if x[0].startswith('91216000AB')))      # 12 ids, 91216000AB0025 first
//! PY
//! ```
//!
//! Commune names: `data/communes-france-geojson/communes-91-essonne.geojson` has 91216
//! « Épinay-sur-Orge » and 91215 « Épinay-sous-Sénart » (no parcels of the latter are loaded);
//! 75118 has no boundary file, its name « Paris 18e Arrondissement » comes from the BAN file.

use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
            AppState::new(urbaclic::load::load_dir(&data).expect("the embedded data loads"))
        })
        .clone()
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let res = router(state())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

fn ids(v: &Value) -> Vec<&str> {
    v["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_three_forms_of_the_issue_find_the_parcel() {
    for q in [
        "91216000AB0037",
        "91216%20000%20AB%200037",
        "91216%20AB%2037",
        "AB%2037%20%C3%89pinay",
        "%C3%89pinay-sur-Orge%20AB%2037",
        "parcelle%2091216%20section%20AB%20num%C3%A9ro%2037",
    ] {
        let (status, v) = get(&format!("/api/parcels?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {v}");
        assert_eq!(ids(&v), ["91216000AB0037"], "{q}: {v}");
        let p = &v["parcels"][0];
        assert_eq!(p["commune"], "Épinay-sur-Orge", "{v}");
        assert_eq!(p["label"], "Parcelle AB 37 — Épinay-sur-Orge");
        // contenance 254881 in the source file's properties.
        assert_eq!(p["contenance"], 254_881.0);
    }
    let (_, v) = get("/api/parcels?q=75118000BT0107").await;
    assert_eq!(ids(&v), ["75118000BT0107"]);
    assert_eq!(v["parcels"][0]["commune"], "Paris 18e Arrondissement");
}

#[tokio::test]
async fn the_point_offered_lies_in_the_parcel() {
    // A click on the suggestion looks up that point: it must answer the very parcel.
    for id in ["91216000AB0037", "75118000BT0107", "35238000BW0825"] {
        let (_, v) = get(&format!("/api/parcels?q={id}")).await;
        let p = &v["parcels"][0];
        let (lat, lon) = (p["lat"].as_f64().unwrap(), p["lon"].as_f64().unwrap());
        let (status, answer) = get(&format!("/api/lookup?lat={lat}&lon={lon}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["parcel"]["id"], id, "{lat},{lon}");
    }
}

#[tokio::test]
async fn a_reference_without_commune_lists_every_commune_and_an_id_start_its_section() {
    let (_, v) = get("/api/parcels?q=AB%2037").await;
    assert_eq!(ids(&v), ["75118000AB0037", "91216000AB0037"]);
    assert_eq!(v["total"], 2);
    let (_, v) = get("/api/parcels?q=91216000AB&limit=3").await;
    assert_eq!(v["total"], 12);
    assert_eq!(
        ids(&v),
        ["91216000AB0025", "91216000AB0026", "91216000AB0031"]
    );
    // « Épinay » names two communes; only Épinay-sur-Orge has parcels loaded.
    let (_, v) = get("/api/parcels?q=AB%2037%20epinay").await;
    assert_eq!(ids(&v), ["91216000AB0037"]);
    let (_, v) = get("/api/parcels?q=AB%2037%20Pezou").await;
    assert_eq!(v["total"], 0, "Pezou has no cadastre loaded: {v}");
}

#[tokio::test]
async fn an_address_is_no_reference_and_bad_parameters_are_400() {
    let (status, v) = get("/api/parcels?q=40%20boulevard%20barbes").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["reference"], false);
    assert_eq!(ids(&v), Vec::<&str>::new());
    for uri in [
        "/api/parcels",
        "/api/parcels?q=AB%2037&limit=0",
        "/api/parcels?q=AB%2037&limit=2.5",
        "/api/parcels?q=AB%2037&limit=51",
    ] {
        let (status, v) = get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(v["message"].is_string(), "{uri}: {v}");
    }
    let long = "A".repeat(201);
    let (status, _) = get(&format!("/api/parcels?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
