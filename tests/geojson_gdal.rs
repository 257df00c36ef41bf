//! GeoJSON as map software reads it: every `/api/layers/<layer>` answer and the lookup answers of
//! `format=geojson` (a point, a parcel, a footprint POST), fetched from a server on a loopback port
//! into files, opened by GDAL's `ogrinfo` (Debian `gdal-bin`) and checked by
//! `tests/fixtures/geojson/validate.py` (PyPI `geojson`'s `is_valid`, shapely's `is_valid`,
//! RFC 7946 winding). Both tools are installed by `.ci/run`; a missing one fails the test with how
//! to install it. Plus, without HTTP: `geometry=true` only adds `geometry` members, and each is
//! the source's own geometry on the 6-decimal grid.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::Dataset;
use urbaclic::lookup::{lookup_parcel, lookup_parcel_with, LookupOptions};
use urbaclic::server::{serve, ConnectionLimits};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One dataset for the whole binary: loading the embedded data takes about a second.
fn dataset() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| urbaclic::load::load_dir(&root().join("data")).expect("data loads"))
}

fn state() -> AppState {
    AppState::new(urbaclic::load::load_dir(&root().join("data")).expect("data loads"))
}

/// Serves the router on a loopback port; its base URL. The server lives as long as the runtime.
async fn loopback() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        header_timeout: Duration::from_secs(10),
        max_connections: 16,
        max_header_bytes: 64 * 1024,
        write_timeout: Duration::from_secs(30),
        shutdown_grace: Duration::from_secs(1),
    };
    let app = router(state());
    tokio::spawn(async move { serve(listener, app, &limits, std::future::pending()).await });
    format!("http://{addr}")
}

/// A fresh folder for the answers written by one test.
fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("urbaclic-geojson-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The body of a 200 answer of type `application/geo+json`, written to `dir/name.geojson`.
async fn fetch(response: reqwest::Response, dir: &Path, name: &str) -> (PathBuf, Value) {
    let url = response.url().to_string();
    assert_eq!(response.status(), 200, "{url}");
    let ctype = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(ctype, "application/geo+json", "{url}");
    let body = response.bytes().await.unwrap();
    let path = dir.join(format!("{name}.geojson"));
    std::fs::write(&path, &body).unwrap();
    (path, serde_json::from_slice(&body).unwrap())
}

/// `ogrinfo -ro -al -so`'s summary of `path`: feature count and geometry type.
fn ogrinfo(path: &Path) -> (usize, String) {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("ogrinfo does not run ({e}): apt-get install gdal-bin (see .ci/run)")
        });
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "ogrinfo {}: {text}{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| {
                panic!(
                    "no « {name} » in ogrinfo's summary of {}: {text}",
                    path.display()
                )
            })
            .trim()
            .to_string()
    };
    (field("Feature Count:").parse().unwrap(), field("Geometry:"))
}

/// The layer geometry type GDAL's GeoJSON reader reports for features of these `types`: theirs
/// when they all have one, else `Unknown (any)` (it does not promote a mix of Polygon and
/// MultiPolygon: `ogrinfo -so` on the communes layer, GDAL 3.6.2).
fn ogr_type(types: &BTreeSet<String>) -> String {
    let mut all = types.iter();
    match (all.next(), all.next()) {
        (Some(t), None) => match t.as_str() {
            "LineString" => "Line String".to_string(),
            "MultiLineString" => "Multi Line String".to_string(),
            "MultiPolygon" => "Multi Polygon".to_string(),
            "MultiPoint" => "Multi Point".to_string(),
            other => other.to_string(),
        },
        _ => "Unknown (any)".to_string(),
    }
}

/// The geometry types of a collection's features.
fn types(collection: &Value) -> BTreeSet<String> {
    collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["geometry"]["type"].as_str().unwrap().to_string())
        .collect()
}

/// GDAL opens `path` with every feature of `collection` and the geometry type they make.
fn assert_gdal_reads(path: &Path, collection: &Value) {
    let features = collection["features"].as_array().unwrap().len();
    let (count, geometry) = ogrinfo(path);
    assert_eq!(count, features, "{}", path.display());
    assert_eq!(geometry, ogr_type(&types(collection)), "{}", path.display());
}

/// Runs the validator on `paths`; fails with its report. With `invalid_ids`, features shapely
/// finds invalid are returned as (file, feature id) instead of failing.
fn validate(paths: &[PathBuf], invalid_ids: bool) -> Vec<(PathBuf, usize)> {
    let out = Command::new("python3")
        .arg(root().join("tests/fixtures/geojson/validate.py"))
        .args(invalid_ids.then_some("--invalid-ids"))
        .args(paths)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "python3 -m pip install --user geojson shapely (see .ci/run): {text}"
    );
    assert!(out.status.success(), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok ")).count(),
        paths.len(),
        "{text}"
    );
    text.lines()
        .filter_map(|l| l.strip_prefix("invalid "))
        .map(|l| {
            let (file, id) = l.rsplit_once(' ').unwrap();
            (PathBuf::from(file), id.parse().unwrap())
        })
        .collect()
}

/// Metropolitan France: every staged layer's features are in it.
const FRANCE: &str = "-5.5,41.0,10.0,51.5";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_opens_every_layer_and_the_validator_accepts_it() {
    let base = loopback().await;
    let client = reqwest::Client::new();
    let dir = out_dir("layers");
    let catalog: Value = client
        .get(format!("{base}/api/catalog"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<String> = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    let mut paths = Vec::new();
    for name in &names {
        let url = format!("{base}/api/layers/{name}?bbox={FRANCE}&zoom=19");
        let (path, collection) = fetch(client.get(&url).send().await.unwrap(), &dir, name).await;
        assert!(
            !collection["features"].as_array().unwrap().is_empty(),
            "{name}: no feature in France"
        );
        assert_gdal_reads(&path, &collection);
        paths.push(path);
    }
    // GEOS (shapely) refuses four zones of PLUi 241800432 whose holes share edges with their
    // shell (zone 401: hole 8 runs along the shell from (2.934383, 46.852811) to (2.937084,
    // 46.850692)): `first_invalidity` (and `geo`'s validation) accept them, so rounding cannot
    // tell them. They are
    // listed, and counted so that a rounding that broke any other would fail (before rounding
    // checked validity, GEOS refused 19 features of these layers).
    let invalid = validate(&paths, true);
    for (path, id) in &invalid {
        eprintln!("{} feature {id}: refused by GEOS", path.display());
    }
    assert!(invalid.len() <= KNOWN_GEOS_INVALID, "{invalid:?}");
}

/// Features of the staged layers GEOS refuses, counted on the run of this test (GDAL 3.6.2,
/// shapely 2.2.0) once rounding keeps valid what `geo` finds valid.
const KNOWN_GEOS_INVALID: usize = 4;

/// The `kind`s of a collection's features, sorted.
fn kinds(collection: &Value) -> Vec<String> {
    let mut k: Vec<String> = collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

/// The kinds a JSON answer's items make, one per item (how `docs/api.md` maps sections to kinds).
fn kinds_of_answer(answer: &Value) -> Vec<String> {
    let mut k = Vec::new();
    if !answer["parcel"].is_null() {
        k.push("parcel".to_string());
    }
    for (section, kind) in [
        ("zones", "zone"),
        ("prescriptions", "prescription"),
        ("informations", "information"),
        ("servitudes", "servitude"),
        ("risks", "risk"),
    ] {
        k.extend(
            answer[section]
                .as_array()
                .unwrap()
                .iter()
                .map(|_| kind.to_string()),
        );
    }
    for s in answer["zonings"].as_array().unwrap() {
        k.extend(
            s["zones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|_| "zoning".to_string()),
        );
    }
    k.sort();
    k
}

/// A 30 m × 30 m footprint around the Ucp point of Arpaillargues (counter-clockwise).
fn footprint() -> Value {
    let (x, y, d) = (4.36968, 43.99982, 0.0002);
    json!({"type": "Polygon", "coordinates": [[
        [x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]
    ]]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_as_geojson_open_in_gdal_with_one_feature_per_item() {
    let base = loopback().await;
    let client = reqwest::Client::new();
    let dir = out_dir("lookups");
    let gets = [
        ("point", "lat=43.99982&lon=4.36968"),
        ("parcel", "parcel=91216000AB0037"),
    ];
    let mut paths = Vec::new();
    let mut answers = Vec::new();
    for (name, query) in gets {
        let plain: Value = client
            .get(format!("{base}/api/lookup?{query}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let res = client
            .get(format!("{base}/api/lookup?{query}&format=geojson"))
            .send()
            .await
            .unwrap();
        let (path, collection) = fetch(res, &dir, name).await;
        answers.push((name, plain, path, collection));
    }
    let post = |format: &str| {
        client
            .post(format!("{base}/api/lookup?{format}"))
            .json(&footprint())
            .send()
    };
    let plain: Value = post("").await.unwrap().json().await.unwrap();
    let (path, collection) = fetch(post("format=geojson").await.unwrap(), &dir, "footprint").await;
    answers.push(("footprint", plain, path, collection));
    for (name, plain, path, collection) in &answers {
        assert_eq!(kinds(collection), kinds_of_answer(plain), "{name}");
        assert!(!kinds(collection).is_empty(), "{name}");
        // The rest of the answer rides along as foreign members.
        assert_eq!(collection["summary"], plain["summary"], "{name}");
        assert_eq!(collection["coverage"], plain["coverage"], "{name}");
        assert_gdal_reads(path, collection);
        paths.push(path.clone());
    }
    // The Ucp zone of the acceptance test is a feature of the point's answer, with its fields.
    let point = &answers[0].3;
    let ucp = point["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["kind"] == "zone")
        .unwrap();
    assert_eq!(ucp["properties"]["libelle"], "Ucp");
    assert!(ucp["properties"].get("geometry").is_none());
    // The parcel's feature is the parcel.
    let parcel = &answers[1].3["features"][0];
    assert_eq!(parcel["properties"]["kind"], "parcel");
    assert_eq!(parcel["properties"]["id"], "91216000AB0037");
    assert!(validate(&paths, false).is_empty());
}

/// Removes every `geometry` member, at any depth.
fn strip_geometry(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("geometry");
            m.values_mut().for_each(strip_geometry);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_geometry),
        _ => {}
    }
}

#[test]
fn geometry_true_only_adds_geometry_members() {
    let data = dataset();
    for id in ["91216000AB0037", "751180000A0001"] {
        let Ok(plain) = lookup_parcel(data, id) else {
            continue;
        };
        let drawn = lookup_parcel_with(data, id, LookupOptions { geometry: true }).unwrap();
        let plain = serde_json::to_string(&plain).unwrap();
        assert!(!plain.contains("\"geometry\""), "{id}: {plain}");
        let mut drawn = serde_json::to_value(&drawn).unwrap();
        assert!(drawn["parcel"]["geometry"]["type"].is_string(), "{id}");
        strip_geometry(&mut drawn);
        assert_eq!(
            drawn,
            serde_json::from_str::<Value>(&plain).unwrap(),
            "{id}"
        );
    }
}

/// Expected from `data/cadastre-etalab-91216/cadastre-91216-parcelles.json` (python3 json and
/// shapely): parcel 91216000AB0037 is a Polygon of 204 positions, counter-clockwise, with one hole
/// of 6, clockwise; each position rounded to 6 decimals (`round(x, 6)`) repeats none, the first two
/// are (2.326463, 48.679716), (2.326011, 48.679518), the hole's first (2.32868, 48.68157); the
/// rounded polygon is valid for shapely. (The cadastre loader keeps every parcel as a MultiPolygon:
/// this one of one part.)
#[test]
fn the_parcel_geometry_is_the_source_s_on_the_6_decimal_grid() {
    let answer = lookup_parcel_with(
        dataset(),
        "91216000AB0037",
        LookupOptions { geometry: true },
    )
    .unwrap();
    let g = serde_json::to_value(answer.parcel.unwrap().geometry.unwrap()).unwrap();
    assert_eq!(g["type"], "MultiPolygon");
    assert_eq!(g["coordinates"].as_array().unwrap().len(), 1);
    let rings = g["coordinates"][0].as_array().unwrap();
    assert_eq!(rings.len(), 2);
    assert_eq!(rings[0].as_array().unwrap().len(), 204);
    assert_eq!(rings[1].as_array().unwrap().len(), 6);
    assert_eq!(rings[0][0], json!([2.326463, 48.679716]));
    assert_eq!(rings[0][1], json!([2.326011, 48.679518]));
    assert_eq!(rings[1][0], json!([2.32868, 48.68157]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_parameters_the_answer_is_the_library_s_byte_for_byte() {
    let base = loopback().await;
    let client = reqwest::Client::new();
    let body = |url: String| {
        let client = client.clone();
        async move {
            let res = client.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let (lon, lat) = (4.36968, 43.99982);
    let expected = serde_json::to_vec(&urbaclic::lookup::lookup(dataset(), lon, lat)).unwrap();
    let plain = body(format!("{base}/api/lookup?lat={lat}&lon={lon}")).await;
    assert_eq!(plain, expected);
    let explicit = body(format!(
        "{base}/api/lookup?lat={lat}&lon={lon}&geometry=false&format=json"
    ))
    .await;
    assert_eq!(explicit, expected);
    let parcel = body(format!("{base}/api/lookup?parcel=91216000AB0037")).await;
    let expected =
        serde_json::to_vec(&lookup_parcel(dataset(), "91216000AB0037").unwrap()).unwrap();
    assert_eq!(parcel, expected);
    // Any other value is the client's error.
    for bad in ["geometry=yes", "format=kml"] {
        let res = client
            .get(format!("{base}/api/lookup?lat={lat}&lon={lon}&{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["error"], "invalid_parameter", "{bad}");
    }
}
