//! A built snapshot answers exactly as the data folder it was built from, and a snapshot that is
//! not whole (truncated, corrupt, of another format or schema) is refused with the file and the
//! reason, the server keeping its previous data.
//!
//! The oracle is the dataset loaded from the source files (tested elsewhere against values read
//! with pyproj/shapely/GDAL); the snapshot must give the same JSON, byte for byte, for every point
//! of a seeded sample (10,000 points inside the envelopes of loaded features, so that most
//! answers carry zones, parcels, easements or risks), every parcel id, addresses and the HTTP
//! routes that read the other parts of the dataset.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geo::BoundingRect;
use http_body_util::BodyExt;
use tower::ServiceExt;
use urbaclic::app::AppState;
use urbaclic::dataset::Dataset;
use urbaclic::load::load_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-snapshot");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}.urbaclic", std::process::id()))
}

/// The embedded data, from its files and from its snapshot (built once for the whole file).
fn both() -> &'static (Dataset, Dataset, PathBuf) {
    static BOTH: OnceLock<(Dataset, Dataset, PathBuf)> = OnceLock::new();
    BOTH.get_or_init(|| {
        let data = root().join("data");
        let out = scratch("embedded");
        let meta = urbaclic::snapshot::build(&data, &out).expect("the embedded data builds");
        assert!(meta
            .sources
            .iter()
            .any(|f| f.path.ends_with("adresses-75118.csv")));
        let snap = load_dir(&out).expect("the snapshot opens");
        (load_dir(&data).unwrap(), snap, out)
    })
}

/// Knuth's MMIX LCG: the same points on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn every_layer_comes_back_whole() {
    let (files, snap, _) = both();
    assert_eq!(files.summary_counts(), snap.summary_counts());
    assert_eq!(
        files
            .addresses
            .as_ref()
            .map(urbaclic::geocode::AddressIndex::stats),
        snap.addresses
            .as_ref()
            .map(urbaclic::geocode::AddressIndex::stats)
    );
    assert_eq!(files.report.layers.len(), snap.report.layers.len());
    assert_eq!(
        json(&files.report.conformity),
        json(&snap.report.conformity)
    );
    assert_eq!(files.pieces.len(), snap.pieces.len());
    assert_eq!(files.reglements.len(), snap.reglements.len());
}

#[test]
fn ten_thousand_points_get_the_same_answer() {
    let (files, snap, _) = both();
    // Envelopes of features of every answered layer: points there meet something.
    let mut boxes: Vec<geo::Rect<f64>> = Vec::new();
    let layers: [Vec<geo::Rect<f64>>; 5] = [
        files
            .zones
            .features()
            .iter()
            .filter_map(|f| f.geometry.bounding_rect())
            .collect(),
        (0..files.parcels.len())
            .filter_map(|i| files.parcels.get(i)?.geometry.bounding_rect())
            .collect(),
        files
            .servitudes
            .features()
            .iter()
            .filter_map(|f| f.geometry.bounding_rect())
            .collect(),
        files
            .risk_zones
            .features()
            .iter()
            .filter_map(|f| f.geometry.bounding_rect())
            .collect(),
        files
            .prescriptions
            .features()
            .iter()
            .filter_map(|f| f.geometry.bounding_rect())
            .collect(),
    ];
    for layer in &layers {
        boxes.extend(layer.iter().copied());
    }
    let mut lcg = Lcg(20261204);
    let mut with_parcel = 0;
    let mut with_zone = 0;
    for _ in 0..10_000 {
        let b = boxes[(lcg.next() * boxes.len() as f64) as usize];
        let lon = b.min().x + lcg.next() * b.width();
        let lat = b.min().y + lcg.next() * b.height();
        let a = urbaclic::lookup::lookup(files, lon, lat);
        let b = urbaclic::lookup::lookup(snap, lon, lat);
        let (a, b) = (json(&a), json(&b));
        assert_eq!(a, b, "point {lon} {lat}");
        with_parcel += usize::from(a.contains("\"parcel\":{"));
        with_zone += usize::from(a.contains("\"libelle\""));
    }
    // The sample is not a sample of empty answers.
    assert!(
        with_parcel > 3000 && with_zone > 500,
        "{with_parcel} {with_zone}"
    );
}

#[test]
fn every_parcel_gets_the_same_answer() {
    let (files, snap, _) = both();
    for i in (0..files.parcels.len()).step_by(7) {
        let p = files.parcels.get(i).unwrap();
        let a = urbaclic::lookup::lookup_parcel(files, &p.id).map(|a| json(&a));
        let b = urbaclic::lookup::lookup_parcel(snap, &p.id).map(|a| json(&a));
        assert_eq!(a.ok(), b.ok(), "parcel {i} {}", p.id);
    }
}

async fn answer(state: &AppState, uri: &str) -> (StatusCode, String) {
    let res = urbaclic::api::router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // Each request has its own id; the rest of an error body must match.
    let text = match text.find("\"request_id\":\"") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    (status, text)
}

#[tokio::test]
async fn the_http_routes_answer_alike() {
    let data = root().join("data");
    let (_, _, out) = both();
    let files = AppState::new(load_dir(&data).unwrap());
    let snap = AppState::new(load_dir(out).unwrap());
    let uris = [
        "/api/lookup?q=40+boulevard+barbes+paris",
        "/api/lookup?q=6+rue+ordener+paris",
        "/api/lookup?parcel=91216000AB0037",
        "/api/lookup?lat=43.99982&lon=4.36968",
        "/search/?q=rue+ordener&limit=10",
        "/search/?q=paris&type=municipality",
        "/reverse/?lat=48.8845&lon=2.3505",
        "/api/parcels?q=91216+AB+37",
        "/api/catalog",
        "/api/layers?bbox=4.36,43.99,4.38,44.01&zoom=16",
        "/api/gpu/zone-urba?geom=%7B%22type%22:%22Point%22,%22coordinates%22:%5B4.36968,43.99982%5D%7D",
        "/api/cadastre/parcelle?code_insee=91216&section=AB&numero=0037",
        "/api/servitudes/categories",
        "/api/reglement?idurba=60668_PLU_20201207&zone=UB",
        "/api/reglement?idurba=60668_PLU_20201207&zone=2AUh&format=text",
    ];
    for uri in uris {
        let (sa, a) = answer(&files, uri).await;
        let (sb, b) = answer(&snap, uri).await;
        assert_eq!((sa, &a), (sb, &b), "{uri}");
        assert_eq!(sa, StatusCode::OK, "{uri}: {a}");
    }
}

fn refused(bytes: &[u8], name: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    let err = load_dir(&path)
        .err()
        .unwrap_or_else(|| panic!("{name} opened"));
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    std::fs::remove_file(&path).unwrap();
    msg
}

#[test]
fn a_snapshot_that_is_not_whole_is_refused_with_the_reason() {
    let (_, _, out) = both();
    let good = std::fs::read(out).unwrap();
    let cut = refused(&good[..good.len() - 1000], "truncated");
    assert!(cut.contains("tronqué"), "{cut}");
    let mut flipped = good.clone();
    let middle = good.len() / 2;
    flipped[middle] ^= 0x40;
    let corrupt = refused(&flipped, "corrupt");
    assert!(corrupt.contains("somme de contrôle"), "{corrupt}");
    // Bytes 16..20 are the format version, 20..28 the schema fingerprint (see src/snapshot).
    let mut other_format = good.clone();
    other_format[16] = other_format[16].wrapping_add(1);
    let format = refused(&other_format, "format");
    assert!(
        format.contains("format") && format.contains("urbaclic build"),
        "{format}"
    );
    let mut other_schema = good.clone();
    other_schema[20] ^= 0xff;
    let schema = refused(&other_schema, "schema");
    assert!(schema.contains("autre version"), "{schema}");
    let not_one = refused(b"URBACLIC? no, a text file\n", "text");
    assert!(
        not_one.contains("ni un dossier de données ni un instantané"),
        "{not_one}"
    );
}

#[test]
fn a_reload_onto_a_broken_snapshot_keeps_the_previous_data() {
    let (_, _, out) = both();
    let path = scratch("reloaded");
    std::fs::copy(out, &path).unwrap();
    let mut state = AppState::new(load_dir(&path).unwrap());
    state.data_dir = Some(path.clone());
    let before = state.dataset().summary_counts();
    // A new snapshot is published by renaming a whole file into place; a broken one here.
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..good.len() / 3]).unwrap();
    let err = state.reload().unwrap_err().to_string();
    assert!(err.contains("tronqué"), "{err}");
    assert_eq!(state.dataset().summary_counts(), before);
    assert!(state.reload_status().last_error.is_some());
    // Once a whole snapshot is back, the reload goes through.
    std::fs::write(&path, &good).unwrap();
    state.reload().unwrap();
    assert_eq!(state.reload_status().reloads, 1);
    std::fs::remove_file(Path::new(&path)).unwrap();
}

#[test]
fn one_dataset_always_gives_the_same_bytes() {
    // Maps (address vocabulary, pieces, regulations) are written in key order, not in the hash
    // order, which differs between two loads (std's hasher is seeded per map).
    let (files, _, out) = both();
    let mut other = load_dir(&root().join("data")).unwrap();
    other.report.load_ms = files.report.load_ms;
    other.report.memory_mib = files.report.memory_mib;
    let meta = urbaclic::snapshot::read_meta(out).unwrap();
    let (a, b) = (scratch("again-a"), scratch("again-b"));
    urbaclic::snapshot::write(files, &meta, &a).unwrap();
    urbaclic::snapshot::write(&other, &meta, &b).unwrap();
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    std::fs::remove_file(&a).unwrap();
    std::fs::remove_file(&b).unwrap();
}
