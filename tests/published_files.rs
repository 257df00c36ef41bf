//! The files as they are published (issue 13 §1): Etalab cadastre and BAN gzipped, a GPU plan
//! download, a SUP delivery and a PPR GeoPackage as ZIP files, loaded with no unpacking.
//!
//! Acceptance: a folder holding only the published forms answers `/api/lookup` exactly as a folder
//! holding the same files plain (the plain-folder answers are themselves tested against hand-read
//! values in `tests/api.rs` and `tests/real_data.rs`), once the archive's name is taken out of
//! file paths. The published forms are made in the test from the staged real files (gzip with
//! `flate2`, ZIP with the `zip` crate, laid out as the GPU serves them: `<IDURBA>/...` inside the
//! archive). One value per form is also read by hand from the source files (commands next to
//! each). Hostile archives are crafted in the test, each labelled.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::load::{load_dir, LoadError};

const PLU: &str = "30014_PLU_20171013";
const SUP: &str = "110068012_PM3_28_20161104";
const PPR: &str = "pprt_69dreal20090005";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A fresh empty folder under the target dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("published-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_below(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A ZIP of the folder `src` as `<its name>/...`, the GPU's layout.
fn zip_folder(src: &Path, zip: &Path) {
    let mut files = Vec::new();
    files_below(src, &mut files);
    let base = src.parent().unwrap();
    let entries: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let name = f.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(f).unwrap())
        })
        .collect();
    write_zip(zip, &entries);
}

fn write_zip(zip: &Path, entries: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn copy_folder(src: &Path, dst: &Path) {
    let mut files = Vec::new();
    files_below(src, &mut files);
    for f in files {
        let to = dst.join(f.strip_prefix(src.parent().unwrap()).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
}

fn cadastre() -> PathBuf {
    data().join("cadastre-etalab-91216/cadastre-91216-parcelles.json")
}

fn ban() -> PathBuf {
    data().join("ban-adresses-75118/adresses-75118.csv")
}

fn plu() -> PathBuf {
    data().join("plu-cnig-30014-arpaillargues").join(PLU)
}

fn sup() -> PathBuf {
    data().join("sup-cnig-fixtures").join(SUP)
}

fn ppr() -> PathBuf {
    data()
        .join("risk-pprt-69-cnig-ppr")
        .join(format!("{PPR}.gpkg"))
}

/// The staged files, plain.
fn plain_folder() -> PathBuf {
    let dir = temp_dir("plain");
    std::fs::copy(cadastre(), dir.join("cadastre-91216-parcelles.json")).unwrap();
    std::fs::copy(ban(), dir.join("adresses-75118.csv")).unwrap();
    copy_folder(&plu(), &dir);
    copy_folder(&sup(), &dir);
    std::fs::copy(ppr(), dir.join(format!("{PPR}.gpkg"))).unwrap();
    dir
}

/// The same files as they are published: gzip and ZIP only.
fn published_folder() -> PathBuf {
    let dir = temp_dir("published");
    std::fs::write(
        dir.join("cadastre-91216-parcelles.json.gz"),
        gzip(&std::fs::read(cadastre()).unwrap()),
    )
    .unwrap();
    std::fs::write(
        dir.join("adresses-75118.csv.gz"),
        gzip(&std::fs::read(ban()).unwrap()),
    )
    .unwrap();
    zip_folder(&plu(), &dir.join(format!("{PLU}.zip")));
    zip_folder(&sup(), &dir.join(format!("{SUP}.zip")));
    write_zip(
        &dir.join(format!("{PPR}.zip")),
        &[(format!("{PPR}.gpkg"), std::fs::read(ppr()).unwrap())],
    );
    dir
}

fn states() -> &'static (AppState, AppState) {
    static STATES: std::sync::OnceLock<(AppState, AppState)> = std::sync::OnceLock::new();
    STATES.get_or_init(|| {
        let plain = load_dir(&plain_folder()).expect("the plain folder loads");
        let published = load_dir(&published_folder()).expect("the published folder loads");
        (AppState::new(plain), AppState::new(published))
    })
}

async fn get_bytes(state: &AppState, uri: &str) -> (StatusCode, Vec<u8>) {
    let res = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn get(state: &AppState, uri: &str) -> Value {
    let (status, body) = get_bytes(state, uri).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

/// An answer with the archives' names taken out of file paths (`x.zip/` and `.gz`), and without
/// the request's timing.
fn normalised(v: &Value) -> Value {
    let text = v
        .to_string()
        .replace(&format!("{PLU}.zip/"), "")
        .replace(&format!("{SUP}.zip/"), "")
        .replace(&format!("{PPR}.zip/"), "")
        .replace(".json.gz", ".json")
        .replace(".csv.gz", ".csv");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    strip_timings(&mut v);
    v
}

fn strip_timings(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.ends_with("_ms") && k != "request_id");
            m.values_mut().for_each(strip_timings);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

/// Points over each loaded layer: the hand-read points below, and a grid over Arpaillargues.
fn lookups() -> Vec<String> {
    let mut uris = vec![
        "/api/lookup?lat=44.0000655338&lon=4.3736720145".to_string(),
        "/api/lookup?parcel=91216000AB0037".into(),
        "/api/lookup?q=2%20rue%20Ordener%2075018%20Paris".into(),
        "/api/lookup?lat=48.4579894953838&lon=1.76843121493361".into(),
        "/api/lookup?lat=45.2015255754049&lon=5.82397417050869".into(),
    ];
    for i in 0..6 {
        for j in 0..6 {
            let lat = 43.985 + f64::from(i) * 0.006;
            let lon = 4.355 + f64::from(j) * 0.008;
            uris.push(format!("/api/lookup?lat={lat:.4}&lon={lon:.4}"));
        }
    }
    uris
}

#[tokio::test]
async fn published_files_answer_as_the_plain_folders() {
    let (plain, published) = states();
    for uri in lookups() {
        let a = normalised(&get(plain, &uri).await);
        let b = normalised(&get(published, &uri).await);
        assert_eq!(a, b, "{uri}");
    }
    // The grid is not empty of answers: most of it is in the plan (a test that cannot fail
    // otherwise would compare empty answers).
    let mut zoned = 0;
    for uri in lookups() {
        let v = get(published, &uri).await;
        zoned += usize::from(v["zones"].as_array().is_some_and(|z| !z.is_empty()));
    }
    assert!(zoned >= 20, "{zoned} lookups meet a zone");
}

/// Issue 13's acceptance, second half: the published folder's snapshot (`urbaclic build`) answers
/// exactly as the folder itself, pieces inside the ZIP included.
#[tokio::test]
async fn the_published_folder_s_snapshot_answers_as_the_folder() {
    let (_, published) = states();
    let out = temp_dir("snapshot").join("publie.urbaclic");
    let meta = urbaclic::snapshot::build(&published_folder(), &out).expect("the folder builds");
    assert!(meta
        .sources
        .iter()
        .any(|f| f.path == "cadastre-91216-parcelles.json.gz"));
    let snap = AppState::new(load_dir(&out).expect("the snapshot opens"));
    let mut uris = lookups();
    uris.push("/search/?q=2+rue+ordener+paris".into());
    for uri in uris {
        let mut a = get(published, &uri).await;
        let mut b = get(&snap, &uri).await;
        strip_timings(&mut a);
        strip_timings(&mut b);
        assert_eq!(a, b, "{uri}");
    }
}

/// [arp_ua] of tests/fixtures/real_data/expected.txt (pyproj): Arpaillargues zone 72 (Ua), here
/// read from the ZIP of the GPU delivery.
#[tokio::test]
async fn the_gpu_zip_answers_its_zone() {
    let v = get(
        &states().1,
        "/api/lookup?lat=44.0000655338&lon=4.3736720145",
    )
    .await;
    assert_eq!(v["zones"][0]["libelle"], "Ua", "{v}");
    assert_eq!(v["document"]["idurba"], PLU, "{v}");
}

/// Parcel 91216000AB0037, the first feature of the staged file, has contenance 254881
/// (`python3 -c "import json; f=json.load(open('data/cadastre-etalab-91216/cadastre-91216-parcelles.json'))['features'][0]; print(f['id'], f['properties']['contenance'])"`).
#[tokio::test]
async fn the_gzipped_cadastre_answers_its_parcels() {
    let v = get(&states().1, "/api/lookup?parcel=91216000AB0037").await;
    assert_eq!(v["parcel"]["id"], "91216000AB0037", "{v}");
    assert_eq!(v["parcel"]["contenance"].as_f64(), Some(254_881.0), "{v}");
}

/// Line 2470 of the staged BAN file: « 2 Rue Ordener », 75118, lon 2.359465, lat 48.890395
/// (`grep -n 'Rue Ordener' data/ban-adresses-75118/adresses-75118.csv | head -2`).
#[tokio::test]
async fn the_gzipped_ban_answers_its_addresses() {
    let v = get(
        &states().1,
        "/search/?q=2%20rue%20Ordener%2075018%20Paris&limit=1",
    )
    .await;
    let f = &v["features"][0];
    assert_eq!(f["properties"]["housenumber"], "2", "{v}");
    assert_eq!(f["properties"]["citycode"], "75118", "{v}");
    let c = &f["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - 2.359465).abs() < 1e-6, "{v}");
    assert!((c[1].as_f64().unwrap() - 48.890395).abs() < 1e-6, "{v}");
}

/// The first PM3 assiette of the staged delivery (IdAss 1, IdGen 1, « PM3_Auneau_Legendre_Delpierre »)
/// at its point on surface (`ogrinfo -ro -q -dialect sqlite -sql "select ST_AsText(ST_PointOnSurface(geometry))
/// from PM3_ASSIETTE_SUP_S_028 limit 1" …/PM3_ASSIETTE_SUP_S_028.shp` → 608947.690249 6818234.451821,
/// `gdaltransform -s_srs EPSG:2154 -t_srs EPSG:4326` → 1.76843121493361 48.4579894953838).
#[tokio::test]
async fn the_sup_zip_answers_its_easement() {
    let v = get(
        &states().1,
        "/api/lookup?lat=48.4579894953838&lon=1.76843121493361",
    )
    .await;
    let s = v["servitudes"].as_array().unwrap();
    assert!(
        s.iter()
            .any(|s| s["categorie"] == "PM3"
                && s.to_string().contains("PM3_Auneau_Legendre_Delpierre")),
        "{v}"
    );
}

/// The first regulatory zone of the PPRT GeoPackage is « b5 » (`ogrinfo -ro -q -dialect sqlite -sql
/// "select codezonereglement, ST_AsText(ST_PointOnSurface(geom)) from
/// pprt_69dreal20090005_zonereglementaireurba_s limit 1" …gpkg` → b5, 921679.683678 6459765.258224;
/// `gdaltransform -s_srs EPSG:2154 -t_srs EPSG:4326` → 5.82397417050869 45.2015255754049).
#[tokio::test]
async fn the_ppr_geopackage_zip_answers_its_zone() {
    let v = get(
        &states().1,
        "/api/lookup?lat=45.2015255754049&lon=5.82397417050869",
    )
    .await;
    assert!(v["risks"].to_string().contains("b5"), "{v}");
}

/// A written piece inside the GPU ZIP is served from the archive, byte for byte.
#[tokio::test]
async fn pieces_inside_a_zip_are_served_from_it() {
    let piece = "4_Annexes/30014_titres_pieces_ecrites_20171013.csv";
    let uri = format!("/api/pieces/{PLU}.zip/{PLU}/Pieces_ecrites/{piece}");
    let (status, body) = get_bytes(&states().1, &uri).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let on_disk = std::fs::read(plu().join("Pieces_ecrites").join(piece)).unwrap();
    assert_eq!(body, on_disk);
    let (status, _) = get_bytes(
        &states().1,
        &format!("/api/pieces/{PLU}.zip/{PLU}/Donnees_geographiques/30014_INFO_PCT_20171013.shp"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only indexed pieces are served"
    );
}

/// `check-data` names the layers inside the archives as `archive.zip/inner/path`, and the files
/// no source reads in them as unrecognised, like in a plain folder.
#[test]
fn check_data_lists_archive_files() {
    let (plain, published) = states();
    let files = |s: &AppState| -> Vec<String> {
        let d = s.dataset();
        let mut f: Vec<String> = d.report.layers.iter().map(|l| l.file.clone()).collect();
        f.sort();
        f
    };
    let published_files = files(published);
    assert!(
        published_files.contains(&format!(
            "{PLU}.zip/{PLU}/Donnees_geographiques/30014_ZONE_URBA_20171013.shp"
        )),
        "{published_files:?}"
    );
    assert!(published_files.contains(&"cadastre-91216-parcelles.json.gz".to_string()));
    assert!(published_files.contains(&"adresses-75118.csv.gz".to_string()));
    assert!(
        published_files
            .iter()
            .any(|f| f.starts_with(&format!("{PPR}.zip/{PPR}.gpkg"))),
        "{published_files:?}"
    );
    let strip = |v: Vec<String>| -> Vec<String> {
        v.iter()
            .map(|f| {
                f.replace(&format!("{PLU}.zip/"), "")
                    .replace(&format!("{SUP}.zip/"), "")
                    .replace(&format!("{PPR}.zip/"), "")
                    .replace(".gz", "")
            })
            .collect()
    };
    let mut a = strip(published_files);
    a.sort();
    assert_eq!(a, files(plain));
    let ignored = |s: &AppState| s.dataset().report.ignored.clone();
    assert_eq!(strip(ignored(published)), ignored(plain));
    // The SUP delivery's GESTIONNAIRE_SUP table is not read (urbaclic answers no manager).
    assert_eq!(
        ignored(published),
        [format!(
            "{SUP}.zip/{SUP}/Donnees_geographiques/GESTIONNAIRE_SUP_028.dbf"
        )]
    );

    // The command line says the same.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_urbaclic"))
        .args(["check-data", temp_dir_path("published").to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{PLU}.zip/{PLU}/Donnees_geographiques/30014_ZONE_URBA"
        )),
        "{stdout}"
    );
}

fn temp_dir_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("published-{name}"))
}

// ---- Hostile archives: each crafted here, labelled; each a LoadError naming the file. ----

fn load_error(dir: &Path) -> LoadError {
    match load_dir(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

/// Crafted: 4 KiB of bytes that are not a ZIP, named `.zip`; and a real ZIP cut in half.
#[test]
fn a_corrupt_or_truncated_zip_is_an_error_naming_it() {
    let dir = temp_dir("corrupt-zip");
    std::fs::write(dir.join("plan.zip"), vec![0x5a; 4096]).unwrap();
    let e = load_error(&dir).to_string();
    assert!(e.contains("plan.zip") && e.contains("ZIP illisible"), "{e}");

    let dir = temp_dir("truncated-zip");
    zip_folder(&plu(), &dir.join("plan.zip"));
    let bytes = std::fs::read(dir.join("plan.zip")).unwrap();
    std::fs::write(dir.join("plan.zip"), &bytes[..bytes.len() / 2]).unwrap();
    let e = load_error(&dir).to_string();
    assert!(e.contains("plan.zip"), "{e}");
}

/// Crafted: the staged cadastre and BAN files gzipped and cut in half.
#[test]
fn a_truncated_gzip_is_an_error_naming_it() {
    for (name, src) in [
        ("cadastre-91216-parcelles.json.gz", cadastre()),
        ("adresses-75118.csv.gz", ban()),
    ] {
        let dir = temp_dir(&format!("truncated-{name}"));
        let gz = gzip(&std::fs::read(src).unwrap());
        std::fs::write(dir.join(name), &gz[..gz.len() / 2]).unwrap();
        let e = load_error(&dir);
        assert!(e.path().ends_with(name), "{e}");
        assert!(e.to_string().contains(name), "{e}");
    }
}

/// Crafted: a ZIP entry of 8 MiB of zeros (deflated to about 8 KiB: a ratio near 1 000).
#[test]
fn a_zip_bomb_is_refused() {
    let dir = temp_dir("bomb");
    write_zip(
        &dir.join("plan.zip"),
        &[("PLU/ZONE_URBA.shp".into(), vec![0; 8 << 20])],
    );
    let e = load_error(&dir).to_string();
    assert!(
        e.contains("plan.zip/PLU/ZONE_URBA.shp") && e.contains("bombe"),
        "{e}"
    );
}

/// Byte offset of the first central directory header (signature `PK\1\2`) of a ZIP.
fn central_header(zip: &[u8]) -> usize {
    zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap()
}

/// Crafted: a ZIP whose central directory declares 100 bytes for an entry of 200 000 (the
/// uncompressed-size field, offset 24 of the header, patched): inflating stops there (the `zip`
/// crate's own check fires first, `archive.rs` bounds the bytes read as well).
#[test]
fn an_entry_larger_than_it_declares_is_refused() {
    let dir = temp_dir("lying");
    let text: String = (0..20_000).map(|i| format!("{i:09}\n")).collect();
    write_zip(
        &dir.join("plan.zip"),
        &[("communes-lying.geojson".into(), text.into_bytes())],
    );
    let mut bytes = std::fs::read(dir.join("plan.zip")).unwrap();
    let at = central_header(&bytes) + 24;
    bytes[at..at + 4].copy_from_slice(&100u32.to_le_bytes());
    std::fs::write(dir.join("plan.zip"), bytes).unwrap();
    let e = load_error(&dir).to_string();
    assert!(
        e.contains("plan.zip/communes-lying.geojson")
            && e.contains("données compressées tronquées ou corrompues")
            && e.contains("declared uncompressed size"),
        "{e}"
    );
}

/// Crafted: entries named `../evil/ZONE_URBA.shp` and `/etc/ZONE_URBA.shp`.
#[test]
fn entries_leaving_the_archive_are_refused() {
    for name in ["../evil/ZONE_URBA.shp", "/etc/ZONE_URBA.shp"] {
        let dir = temp_dir("escape");
        write_zip(&dir.join("plan.zip"), &[(name.into(), b"x".to_vec())]);
        let e = load_error(&dir).to_string();
        assert!(
            e.contains("plan.zip") && e.contains(name) && e.contains("sortant de l'archive"),
            "{e}"
        );
    }
}

/// Crafted: a ZIP whose entry carries the "encrypted" flag (bit 0 of the general-purpose flags,
/// offset 6 of the local header and 8 of the central header, set by hand as a ZipCrypto tool sets it).
#[test]
fn encrypted_entries_are_refused_with_a_clear_message() {
    let dir = temp_dir("encrypted");
    write_zip(
        &dir.join("plan.zip"),
        &[("communes-secret.geojson".into(), b"{}".to_vec())],
    );
    let mut bytes = std::fs::read(dir.join("plan.zip")).unwrap();
    bytes[6] |= 1;
    let at = central_header(&bytes) + 8;
    bytes[at] |= 1;
    std::fs::write(dir.join("plan.zip"), bytes).unwrap();
    let e = load_error(&dir).to_string();
    assert!(
        e.contains("plan.zip/communes-secret.geojson") && e.contains("chiffrée"),
        "{e}"
    );
}

/// A manifest may name a ZIP file as a source folder.
#[test]
fn a_manifest_names_a_zip_as_a_folder() {
    let dir = temp_dir("manifest");
    zip_folder(&plu(), &dir.join(format!("{PLU}.zip")));
    std::fs::write(
        dir.join("urbaclic.toml"),
        format!("[[source]]\npath = \"{PLU}.zip\"\n"),
    )
    .unwrap();
    let d = load_dir(&dir).expect("the manifest's ZIP loads");
    // Arpaillargues' ZONE_URBA holds 90 features ([counts] of tests/fixtures/real_data/expected.txt,
    // pyshp).
    let zones: usize = d
        .report
        .layers
        .iter()
        .filter(|l| l.file.contains("ZONE_URBA"))
        .map(|l| l.features)
        .sum();
    assert_eq!(zones, 90);
}

/// A MapInfo CC inside a ZIP is read by GDAL through `/vsizip/` (IGN validator fixture
/// `tests/fixtures/cnig-validator/19182_CC_20150517`, whose sectors `tests/cnig_deliveries.rs`
/// checks by hand-read points): the same sectors as from the plain folder.
#[cfg(feature = "gdal")]
#[test]
fn a_mapinfo_layer_inside_a_zip_is_read_through_gdal() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cnig-validator/19182_CC_20150517");
    let dir = temp_dir("mapinfo");
    zip_folder(&fixture, &dir.join("19182_CC_20150517.zip"));
    let zipped = load_dir(&dir).expect("the zipped MapInfo CC loads");
    let plain = load_dir(
        fixture
            .parent()
            .unwrap()
            .join("19182_CC_20150517")
            .as_path(),
    )
    .expect("the plain MapInfo CC loads");
    let features = |d: &urbaclic::dataset::Dataset| -> Vec<usize> {
        d.report.layers.iter().map(|l| l.features).collect()
    };
    assert_eq!(features(&zipped), features(&plain));
    assert!(features(&zipped).iter().sum::<usize>() > 0);
}

/// A piece whose archive was removed after the load is a 404, as a removed file on disk is.
#[tokio::test]
async fn a_piece_of_a_removed_archive_is_not_found() {
    let dir = temp_dir("removed");
    zip_folder(&plu(), &dir.join(format!("{PLU}.zip")));
    let state = AppState::new(load_dir(&dir).unwrap());
    let uri = format!(
        "/api/pieces/{PLU}.zip/{PLU}/Pieces_ecrites/4_Annexes/30014_titres_pieces_ecrites_20171013.csv"
    );
    assert_eq!(get_bytes(&state, &uri).await.0, StatusCode::OK);
    std::fs::remove_file(dir.join(format!("{PLU}.zip"))).unwrap();
    let (status, body) = get_bytes(&state, &uri).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{}",
        String::from_utf8_lossy(&body)
    );
}
