//! The HTTP API through the whole router (`tower::ServiceExt::oneshot`) and the command line (the
//! built binary), on the embedded data in `data/`.
//!
//! Expected data values come from `tests/fixtures/real_data/expected.txt` (made by
//! `make_expected.py` with pyproj/pyshp/shapely, independent of urbaclic); the section is named next
//! to each one. Bad-input expectations come from the issue: 400 with a JSON body
//! `{"error", "message"}` naming the parameter, 404 JSON for unknown routes, never a 500.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// One state for the whole binary (loading takes about a second).
fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            AppState::new(urbaclic::load::load_dir(&data_dir()).expect("the embedded data loads"))
        })
        .clone()
}

async fn send(req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = router(state())
        .oneshot(req)
        .await
        .expect("the router answers");
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body)
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, body) = send(Request::get(uri).body(Body::empty()).unwrap()).await;
    let json = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{uri}: {status}, not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, json)
}

/// A 400 whose JSON body has an `error` code and a `message` mentioning `param`.
async fn assert_bad_request(uri: &str, param: &str) -> Value {
    let (status, v) = get(uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
    assert!(v["error"].is_string(), "{uri}: no error code: {v}");
    let message = v["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{uri}: no message: {v}"));
    assert!(
        message.contains(param),
        "{uri}: message does not name « {param} »: {message}"
    );
    v
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn health_is_ok() {
    let (status, v) = get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    // 90 + 118 + 221 + 1 ZONE_URBA features ([counts] of expected.txt).
    assert_eq!(v["layers"]["zones"], 430, "{v}");
}

/// [arp_ua]: representative point of Arpaillargues zone 72 (Ua), reprojected with pyproj.
#[tokio::test]
async fn lookup_in_arpaillargues_returns_zone_and_document() {
    let (status, v) = get("/api/lookup?lat=44.0000655338&lon=4.3736720145").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let zones: Vec<&str> = v["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["libelle"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["Ua"]);
    assert_eq!(v["zones"][0]["typezone"], "U");
    assert_eq!(v["document"]["idurba"], "30014_PLU_20171013");
    assert_eq!(v["commune"]["insee"], "30014");
    assert_eq!(v["coverage"]["planning"], true);
    assert_eq!(
        v["coverage"]["cadastre"], false,
        "no cadastre of 30014 is staged"
    );
}

/// [paris_parcel]: representative point of parcel 75118000AI0008 (shapely, Etalab GeoJSON).
#[tokio::test]
async fn lookup_in_paris_returns_parcel_and_commune() {
    let (status, v) = get("/api/lookup?lat=48.89303795&lon=2.331582873").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["parcel"]["id"], "75118000AI0008");
    assert_eq!(v["commune"]["insee"], "75118");
    assert_eq!(v["zonings"][0]["theme"], "carrieres", "{v}");
    assert_eq!(
        v["zonings"][0]["zones"][0]["code"], "1",
        "quarry sector 1: {v}"
    );
    assert_eq!(v["risks"].as_array().map(Vec::len), Some(0));
}

/// lon -5, lat 45 is in the Bay of Biscay, far from every staged layer ([bboxes]).
#[tokio::test]
async fn lookup_at_sea_is_200_with_nothing_and_no_coverage() {
    let (status, v) = get("/api/lookup?lat=45&lon=-5").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    for layer in [
        "zones",
        "prescriptions",
        "informations",
        "servitudes",
        "risks",
    ] {
        assert_eq!(v[layer], Value::Array(vec![]), "{layer}: {v}");
    }
    assert!(
        v["commune"].is_null() && v["parcel"].is_null() && v["document"].is_null(),
        "{v}"
    );
    for c in ["commune", "cadastre", "planning", "servitudes", "risks"] {
        assert_eq!(v["coverage"][c], false, "coverage.{c}: {v}");
    }
}

#[tokio::test]
async fn bad_coordinates_are_400_json_naming_the_parameter() {
    assert_bad_request("/api/lookup?lat=abc&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=abc", "lon").await;
    assert_bad_request("/api/lookup?lat=48.85", "lon").await;
    assert_bad_request("/api/lookup?lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=NaN&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=nan", "lon").await;
    assert_bad_request("/api/lookup?lat=inf&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=-infinity", "lon").await;
    assert_bad_request("/api/lookup?lat=1e999&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=91&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=-90.0001&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=200", "lon").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=-180.5", "lon").await;
    assert_bad_request("/api/lookup?lat=%zz&lon=2.35", "lat").await;
    assert_bad_request("/api/lookup?lat=48.85&lon=%FF%FE", "lon").await;
    assert_bad_request("/api/lookup?lat=4%2C85&lon=2.35", "lat").await; // "4,85": a French decimal comma
    assert_bad_request("/api/lookup?lat=&lon=", "lat").await;
    assert_bad_request("/api/lookup", "lat").await;
    assert_bad_request("/api/lookup?%zz", "lat").await;
    assert_bad_request("/api/lookup?lat=0x10&lon=2", "lat").await;
}

/// Edge values are valid coordinates: 200.
#[tokio::test]
async fn extreme_but_valid_coordinates_are_200() {
    for q in [
        "lat=90&lon=180",
        "lat=-90&lon=-180",
        "lat=0&lon=0",
        "lat=%2048.85%20&lon=2.35",
        "lat=4.885e1&lon=+2.35",
    ] {
        let (status, v) = get(&format!("/api/lookup?{q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {v}");
    }
}

#[tokio::test]
async fn unknown_route_is_404_json() {
    for uri in ["/api/nothing", "/api/lookup/extra", "/no/such/page"] {
        let (status, v) = get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {v}");
        assert_eq!(v["error"], "not_found", "{uri}: {v}");
        assert!(v["message"].is_string(), "{uri}: {v}");
    }
}

/// Parcel references: a known id ([paris_parcel]), a malformed one, an unknown one.
#[tokio::test]
async fn parcel_parameter() {
    let (status, v) = get("/api/lookup?parcel=75118000AI0008").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["parcel"]["id"], "75118000AI0008");
    assert_bad_request("/api/lookup?parcel=abc", "parcelle").await;
    let (status, v) = get("/api/lookup?parcel=99999000ZZ9999").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert!(v["message"].is_string());
}

/// Property-style: 600 query strings of random bytes (percent-encoded, xorshift-seeded), alone or as
/// `lat`/`lon` values: the server may refuse them, but never with a 5xx, and refusals are JSON.
#[tokio::test]
async fn random_query_strings_never_yield_a_5xx() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let enc = |n: usize, next: &mut dyn FnMut() -> u64| -> String {
        (0..n).map(|_| format!("%{:02X}", next() as u8)).collect()
    };
    let keep = [
        '=', '&', '.', '-', '+', 'e', '0', '1', '9', 'a', 'l', 't', 'o', 'n',
    ];
    for i in 0..600 {
        let n = (next() % 24) as usize;
        let query = match i % 4 {
            0 => enc(n, &mut next),
            1 => format!("lat={}&lon=2.35", enc(n, &mut next)),
            2 => format!("lat=48.85&lon={}", enc(n, &mut next)),
            // Unencoded characters that matter to the parser, shuffled.
            _ => (0..n)
                .map(|_| keep[(next() % keep.len() as u64) as usize])
                .collect(),
        };
        let uri = format!("/api/lookup?{query}");
        let (status, body) = send(Request::get(uri.as_str()).body(Body::empty()).unwrap()).await;
        assert!(status.as_u16() < 500, "{uri}: {status}");
        if status != StatusCode::OK {
            let v: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| panic!("{uri}: {status} with a non-JSON body"));
            assert!(
                v["error"].is_string() && v["message"].is_string(),
                "{uri}: {v}"
            );
        }
    }
}

/// Other user input on the lookup route: a body that is not GeoJSON, an empty one, an oversized
/// one, an unsupported method. Refused, never with a 5xx.
#[tokio::test]
async fn odd_requests_never_yield_a_5xx() {
    let big = vec![b'['; 3 << 20];
    let cases: Vec<(Method, &str, Vec<u8>)> = vec![
        (Method::POST, "/api/lookup", b"not json".to_vec()),
        (Method::POST, "/api/lookup", Vec::new()),
        (Method::POST, "/api/lookup", br#"{"type":"Point","coordinates":[2.33,48.89]}"#.to_vec()),
        (Method::POST, "/api/lookup", br#"{"type":"Polygon","coordinates":[[[2.33,48.89],[1e999,48.89],[2.33,48.891],[2.33,48.89]]]}"#.to_vec()),
        (Method::POST, "/api/lookup", br#"{"type":"Polygon","coordinates":[]}"#.to_vec()),
        (Method::POST, "/api/lookup", big),
    ];
    for (method, uri, body) in cases {
        let len = body.len();
        let req = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, body) = send(req).await;
        assert!(
            status.as_u16() < 500,
            "{method} {uri} ({len} bytes): {status}"
        );
        assert!(
            status.is_client_error(),
            "{method} {uri} ({len} bytes): {status}"
        );
        let v: Result<Value, _> = serde_json::from_slice(&body);
        assert!(
            v.as_ref().is_ok_and(|v| v["error"].is_string()),
            "{method} {uri} ({len} bytes): {status} with body {:?}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        );
    }
}

/// An unsupported method on a known route is a client error with the same JSON error body as every
/// other error (issue: errors are `{"error": "<code>", "message": "…"}`).
#[tokio::test]
async fn unsupported_method_is_a_json_error() {
    for (method, uri) in [
        (Method::DELETE, "/api/lookup?lat=48.85&lon=2.35"),
        (Method::PUT, "/health"),
    ] {
        let (status, body) = send(
            Request::builder()
                .method(method.clone())
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        let v: Result<Value, _> = serde_json::from_slice(&body);
        assert!(
            v.as_ref()
                .is_ok_and(|v| v["error"].is_string() && v["message"].is_string()),
            "{method} {uri}: 405 with body {:?}",
            String::from_utf8_lossy(&body)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

fn urbaclic(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_urbaclic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check-data` on each staged folder lists its layer files with the feature counts of [counts] in
/// expected.txt (pyshp / sqlite3 / json).
#[test]
fn check_data_lists_layers_with_counts() {
    let cases: &[(&str, &[(&str, usize)])] = &[
        (
            "plu-cnig-30014-arpaillargues",
            &[
                ("30014_ZONE_URBA_20171013.shp", 90),
                ("30014_PRESCRIPTION_PCT_20171013.shp", 93),
                ("30014_INFO_SURF_20171013.shp", 18),
            ],
        ),
        (
            "plu-cnig-41175-pezou",
            &[("ZONE_URBA.shp", 118), ("PRESCRIPTION_SURF.shp", 23)],
        ),
        (
            "plui-cnig-241800432",
            &[
                ("241800432_ZONE_URBA_20200128.shp", 221),
                ("241800432_PRESCRIPTION_LIN_20200128.shp", 264),
            ],
        ),
        (
            "sup-cnig-fixtures",
            &[
                ("AC1_ASSIETTE_SUP_S.shp", 206),
                ("AC1_GENERATEUR_SUP_S.shp", 104),
                ("PM3_ASSIETTE_SUP_S_028.shp", 3),
                ("INT1_ASSIETTE_SUP_S.shp", 1),
            ],
        ),
        (
            "risk-pprt-69-cnig-ppr",
            &[("pprt_69dreal20090005_zonereglementaireurba_s", 25)],
        ),
        (
            "risk-pprm-38-cnig-ppr",
            &[("pprm_38ddt20180002_zonereglementaireurba_s", 380)],
        ),
        (
            "risk-pprn-38-covadis",
            &[
                ("N_ZONE_REG_PPRN_20200002_S_038.shp", 584),
                ("N_ZONE_REG_PPRN_20010005_S_038.shp", 165),
            ],
        ),
        (
            "cadastre-etalab-75118",
            &[("cadastre-75118-parcelles.json", 6821)],
        ),
        (
            "cadastre-etalab-91216",
            &[("cadastre-91216-parcelles.json", 4241)],
        ),
        (
            "communes-france-geojson",
            &[
                ("communes-30-gard.geojson", 353),
                ("communes-2A-corse-du-sud.geojson", 124),
            ],
        ),
    ];
    for (folder, layers) in cases {
        let dir = format!("data/{folder}");
        let (code, out, err) = urbaclic(&["check-data", &dir]);
        assert_eq!(code, 0, "check-data {dir}: {err}\n{out}");
        for (file, n) in *layers {
            let line = out
                .lines()
                .find(|l| l.starts_with("- ") && l.contains(file) && l.contains("entités"))
                .unwrap_or_else(|| panic!("check-data {dir}: no line for {file}:\n{out}"));
            assert!(
                line.contains(&format!(" {n} entités")),
                "check-data {dir}: {file} should have {n}: {line}"
            );
        }
    }
    // The whole embedded data (manifest), and the remaining folders: they load.
    for dir in [
        "data",
        "data/ban-adresses-75118",
        "data/plu-parcels-rennes-35238-simplu",
        "data/risk-carrieres-paris-plub",
        "data/nomenclatures-cnig",
    ] {
        let (code, out, err) = urbaclic(&["check-data", dir]);
        assert_eq!(code, 0, "check-data {dir}: {err}\n{out}");
    }
}

#[test]
fn check_data_json_is_valid() {
    let (code, out, err) = urbaclic(&["check-data", "data/plu-cnig-41175-pezou", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let zone = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"].as_str().unwrap().ends_with("ZONE_URBA.shp"))
        .expect("ZONE_URBA layer");
    assert_eq!(zone["features"], 118);
    assert_eq!(zone["crs"], "EPSG:2154");
}

/// A corrupt folder: non-zero exit, the file named on stderr.
#[test]
fn check_data_on_corrupt_folder_fails_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("urbaclic-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let geo = dir.join("41175_PLU_20140603/Donnees_geographiques");
    std::fs::create_dir_all(&geo).unwrap();
    let src = data_dir().join("plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques");
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(
            src.join(format!("ZONE_URBA.{ext}")),
            geo.join(format!("ZONE_URBA.{ext}")),
        )
        .unwrap();
    }
    let dbf = geo.join("ZONE_URBA.dbf");
    let bytes = std::fs::read(&dbf).unwrap();
    std::fs::write(&dbf, &bytes[..bytes.len() / 2]).unwrap();
    let (code, out, err) = urbaclic(&["check-data", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(code, 0, "a truncated DBF must fail check-data: {out}");
    assert!(
        err.contains("ZONE_URBA.dbf"),
        "stderr does not name the file: {err}"
    );
}

#[test]
fn check_data_on_missing_folder_fails() {
    let (code, _, err) = urbaclic(&["check-data", "/nonexistent/urbaclic-data"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent/urbaclic-data"), "{err}");
}

/// [arp_ua]: the French summary names the commune (Gard GeoJSON `nom`), the zone (LIBELLE) and the
/// approval date (DOC_URBA DATAPPRO 20171013).
#[test]
fn lookup_prints_a_french_summary() {
    let (code, out, err) = urbaclic(&["lookup", "--lat", "44.0000655338", "--lon", "4.3736720145"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Arpaillargues-et-Aureillac"), "{out}");
    assert!(out.contains("Ua"), "{out}");
    assert!(
        out.contains("13/10/2017") || out.contains("2017-10-13"),
        "{out}"
    );
}

/// [pprn] via `--json`: negative-free but hyphen-friendly arguments, valid JSON, the zone's codezone.
#[test]
fn lookup_json_is_valid() {
    let (code, out, err) = urbaclic(&[
        "lookup",
        "--lat",
        "45.0170977339",
        "--lon",
        "6.0572643931",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert_eq!(v["risks"][0]["zone_code"], "RA,T3");
    assert_eq!(v["risks"][0]["regulation"], "03");
    // Negative longitude as a separate argument (Rennes is at lon -1.67).
    let (code, out, err) = urbaclic(&["lookup", "--lat", "45", "--lon", "-5", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["coverage"]["planning"], false);
}

#[test]
fn lookup_with_bad_coordinates_fails_cleanly() {
    for args in [
        vec!["lookup", "--lat", "91", "--lon", "2"],
        vec!["lookup", "--lat", "abc", "--lon", "2"],
        vec!["lookup", "--lat", "48.85"],
        vec!["lookup", "--lat", "NaN", "--lon", "2"],
    ] {
        let (code, out, err) = urbaclic(&args);
        assert_ne!(code, 0, "{args:?}: {out}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?}: no message");
    }
}

// ---------------------------------------------------------------------------------------------
// What each easement means
// ---------------------------------------------------------------------------------------------

/// Every category of the staged national nomenclature (`sup_categoriesup.csv`, read here with the
/// `csv` crate, not through urbaclic) is served with its label and non-empty effect, consultation,
/// legal basis and source; AC1 names the ABF's agreement (code du patrimoine, art. L632-2, applied
/// to the abords by L621-32).
#[tokio::test]
async fn servitude_categories_cover_the_nomenclature() {
    let (status, v) = get("/api/servitudes/categories").await;
    assert_eq!(status, StatusCode::OK);
    let served = v.as_array().expect("a JSON list");
    let mut reader =
        csv::Reader::from_path(data_dir().join("nomenclatures-cnig/sup_categoriesup.csv")).unwrap();
    let staged: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    assert_eq!(staged.len(), 65);
    assert_eq!(served.len(), staged.len());
    for (code, label) in &staged {
        let c = served
            .iter()
            .find(|c| c["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{code} is not served"));
        assert_eq!(c["label"], label.as_str());
        for field in ["effect", "consult", "legal_basis", "source"] {
            let text = c[field].as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{code}: empty {field}");
            // The sentences add their own full stop.
            assert!(!text.ends_with('.'), "{code}: {field} ends with a period");
        }
    }
    let ac1 = served.iter().find(|c| c["code"] == "AC1").unwrap();
    assert!(ac1["effect"]
        .as_str()
        .unwrap()
        .contains("accord de l'Architecte des Bâtiments de France"));
    assert!(ac1["legal_basis"].as_str().unwrap().contains("L621-30"));
}
