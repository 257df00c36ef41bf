//! PostGIS as a source (issue 13 §3): the staged files loaded into a real PostgreSQL + PostGIS by
//! GDAL's `ogr2ogr` answer `/api/lookup` as the files do, by point and by parcel; a database
//! that is down, a table that does not exist, a layer name or connection variable that is wrong
//! are errors naming the database and table, never the password, and a reload that meets them
//! keeps the data being served.
//!
//! The points are PostGIS's own `ST_PointOnSurface` of every parcel of Épinay-sur-Orge (91216),
//! every feature of the Arpaillargues PLU (30014) and every assiette of the PM3 delivery, plus a
//! grid over Arpaillargues from PostGIS's `ST_Extent`: computed by the database, not by urbaclic.

#[path = "common/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::load::{load_dir, LoadError};

use pg::PgServer;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

const PLU: &str = "plu-cnig-30014-arpaillargues/30014_PLU_20171013";
const SUP: &str = "sup-cnig-fixtures/110068012_PM3_28_20161104";
const CADASTRE: &str = "cadastre-etalab-91216/cadastre-91216-parcelles.json";
const COMMUNES: [&str; 2] = [
    "communes-france-geojson/communes-30-gard.geojson",
    "communes-france-geojson/communes-91-essonne.geojson",
];

/// The staged files, each into the table of its standard layer: (file below `data/`, table), in
/// the order the folder scan reads the files (by path), since answers list features of a kind in
/// the order they were loaded and a database source reads its tables in the manifest's order.
fn staged_tables() -> Vec<(String, &'static str)> {
    let geo = format!("{PLU}/Donnees_geographiques");
    let sup = format!("{SUP}/Donnees_geographiques");
    vec![
        (format!("{PLU}/30014_DOC_URBA_20171013.DBF"), "plu.doc_urba"),
        (
            format!("{PLU}/30014_DOC_URBA_COM_20171013.DBF"),
            "plu.doc_urba_com",
        ),
        (format!("{geo}/30014_INFO_PCT_20171013.shp"), "plu.info_pct"),
        (
            format!("{geo}/30014_INFO_SURF_20171013.shp"),
            "plu.info_surf",
        ),
        (
            format!("{geo}/30014_PRESCRIPTION_LIN_20171013.shp"),
            "plu.prescription_lin",
        ),
        (
            format!("{geo}/30014_PRESCRIPTION_PCT_20171013.shp"),
            "plu.prescription_pct",
        ),
        (
            format!("{geo}/30014_PRESCRIPTION_SURF_20171013.shp"),
            "plu.prescription_surf",
        ),
        (
            format!("{geo}/30014_ZONE_URBA_20171013.shp"),
            "plu.zone_urba",
        ),
        (format!("{sup}/SERVITUDE_028.dbf"), "sup.servitude"),
        (format!("{sup}/ACTE_SUP_028.dbf"), "sup.acte_sup"),
        (
            format!("{sup}/SERVITUDE_ACTE_SUP_028.dbf"),
            "sup.servitude_acte_sup",
        ),
        (
            format!("{sup}/PM3_GENERATEUR_SUP_S_028.shp"),
            "sup.generateur_sup_s",
        ),
        (
            format!("{sup}/PM3_ASSIETTE_SUP_S_028.shp"),
            "sup.assiette_sup_s",
        ),
        (CADASTRE.to_string(), "cad.parcelles"),
        (COMMUNES[0].to_string(), "cad.communes_30"),
        (COMMUNES[1].to_string(), "cad.communes_91"),
    ]
}

/// The layer a table holds: its name after the schema, less the département suffix.
fn layer_of(table: &str) -> &str {
    let name = table.split_once('.').map_or(table, |(_, n)| n);
    name.strip_suffix("_30")
        .or_else(|| name.strip_suffix("_91"))
        .unwrap_or(name)
}

/// A data folder holding only `manifest` as `urbaclic.toml`.
fn folder(name: &str, manifest: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("postgis-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("urbaclic.toml"), manifest).unwrap();
    dir
}

/// The files, declared as the embedded manifest declares them.
fn files_manifest() -> String {
    let d = data();
    let mut m = String::new();
    for path in [PLU, SUP, CADASTRE, COMMUNES[0], COMMUNES[1]] {
        m.push_str(&format!("[[source]]\npath = {:?}\n\n", d.join(path)));
    }
    m
}

/// The same layers as `[[database]]` entries, named as the deliveries' folders.
fn database_manifest(url: &str) -> String {
    let entry = |name: &str, schema: &str| {
        let mut m = format!("[[database]]\nname = \"{name}\"\nurl = \"{url}\"\n");
        for (_, table) in staged_tables()
            .iter()
            .filter(|(_, t)| t.starts_with(schema))
        {
            m.push_str(&format!(
                "[[database.table]]\ntable = \"{table}\"\nlayer = \"{}\"\n",
                layer_of(table)
            ));
        }
        m
    };
    [
        entry("30014_PLU_20171013", "plu."),
        entry("110068012_PM3_28_20161104", "sup."),
        entry("cadastre-etalab-91216", "cad."),
    ]
    .join("\n")
}

/// A server with every staged table loaded.
fn staged_server(name: &str) -> PgServer {
    let server = PgServer::start(name);
    server
        .client()
        .batch_execute("CREATE SCHEMA plu; CREATE SCHEMA sup; CREATE SCHEMA cad;")
        .unwrap();
    for (file, table) in staged_tables() {
        server.ogr2ogr(&data().join(file), table);
    }
    server
}

async fn get(state: &AppState, uri: &str) -> Value {
    let res = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK, "{uri}: {v}");
    v
}

/// An answer with what names a source file removed: the files' paths, and the database's
/// `postgresql://… table …` in their place, are where a feature came from, not what applies.
fn without_file_names(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| k != "file" && k != "origin");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            // A file (an absolute path here) or a table, and maybe the feature's number in it.
            Value::String(s) if s.starts_with('/') || s.starts_with("postgresql://") => {
                let feature = s.rsplit_once('#').map(|(_, n)| n.to_string());
                *s = match feature {
                    Some(n) => format!("<fichier ou table>#{n}"),
                    None => "<fichier ou table>".into(),
                };
            }
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// (lon, lat) of PostGIS's `ST_PointOnSurface` of every row of `tables`, in WGS84.
fn points_on_surface(server: &PgServer, tables: &[&str]) -> Vec<(f64, f64)> {
    let mut client = server.client();
    let mut out = Vec::new();
    for t in tables {
        let sql = format!(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Transform(geom, 4326)) p \
             FROM {t} WHERE NOT ST_IsEmpty(geom) ORDER BY ogc_fid) s"
        );
        for r in client.query(&sql, &[]).unwrap() {
            out.push((r.get(0), r.get(1)));
        }
    }
    out
}

/// A 12 × 12 grid over the Arpaillargues zones' extent, from PostGIS.
fn arpaillargues_grid(server: &PgServer) -> Vec<(f64, f64)> {
    let r = server
        .client()
        .query_one(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM \
             (SELECT ST_Extent(ST_Transform(geom, 4326))::geometry e FROM plu.zone_urba) s",
            &[],
        )
        .unwrap();
    let (x0, y0, x1, y1): (f64, f64, f64, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
    let n = 12;
    (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| {
            (
                x0 + (x1 - x0) * (f64::from(i) + 0.5) / f64::from(n),
                y0 + (y1 - y0) * (f64::from(j) + 0.5) / f64::from(n),
            )
        })
        .collect()
}

/// Runs a request future to its end (the tests are synchronous: the database's client is).
fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn answers_from_postgis_equal_answers_from_the_files() {
    let server = staged_server("equal");
    let start = std::time::Instant::now();
    let from_files = AppState::new(load_dir(&folder("files", &files_manifest())).expect("files"));
    let files_ms = start.elapsed().as_millis();
    let db_dir = folder("database", &database_manifest(&server.url()));
    let start = std::time::Instant::now();
    let from_db = AppState::new(load_dir(&db_dir).expect("database"));
    // Shown with --nocapture: the cost of reading the same layers from the database.
    eprintln!(
        "chargement : fichiers {files_ms} ms, PostGIS {} ms",
        start.elapsed().as_millis()
    );

    // The database source reports its tables as files are reported.
    let report = &from_db.dataset().report;
    let zone_report = report
        .layers
        .iter()
        .find(|l| l.layer == "ZONE_URBA")
        .expect("ZONE_URBA reported");
    assert_eq!(
        zone_report.file,
        format!(
            "postgresql://127.0.0.1:{}/postgres table plu.zone_urba",
            server.port
        )
    );
    let files_zones = from_files
        .dataset()
        .report
        .layers
        .iter()
        .find(|l| l.layer == "ZONE_URBA")
        .unwrap()
        .features;
    assert!(files_zones > 0);
    assert_eq!(zone_report.features, files_zones);

    let parcels = points_on_surface(&server, &["cad.parcelles"]);
    assert_eq!(
        parcels.len(),
        4241,
        "parcels of 91216 (jq '.features|length' on the file)"
    );
    let mut points = parcels;
    points.extend(points_on_surface(
        &server,
        &[
            "plu.zone_urba",
            "plu.prescription_surf",
            "plu.prescription_lin",
            "plu.prescription_pct",
            "plu.info_surf",
            "plu.info_pct",
            "sup.assiette_sup_s",
        ],
    ));
    points.extend(arpaillargues_grid(&server));

    let (mut zones, mut servitudes, mut parcels_found) = (0, 0, 0);
    for (lon, lat) in &points {
        let uri = format!("/api/lookup?lat={lat}&lon={lon}");
        let a = without_file_names(block(get(&from_files, &uri)));
        let b = without_file_names(block(get(&from_db, &uri)));
        assert_eq!(a, b, "{uri}");
        zones += usize::from(a["zones"].as_array().is_some_and(|z| !z.is_empty()));
        servitudes += usize::from(a["servitudes"].as_array().is_some_and(|s| !s.is_empty()));
        parcels_found += usize::from(a["parcel"].is_object());
    }
    // The comparison is not between two empty answers.
    assert!(zones > 100, "{zones} points in a zone");
    assert!(servitudes > 0, "{servitudes} points in an easement");
    assert!(parcels_found > 4000, "{parcels_found} points on a parcel");

    // By parcel: every 20th parcel of 91216 analysed whole.
    let ids: Vec<String> = server
        .client()
        .query("SELECT id FROM cad.parcelles ORDER BY ogc_fid", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in ids.iter().step_by(20) {
        let uri = format!("/api/lookup?parcel={id}");
        let a = without_file_names(block(get(&from_files, &uri)));
        let b = without_file_names(block(get(&from_db, &uri)));
        assert_eq!(a, b, "{uri}");
        assert_eq!(a["parcel"]["id"], id.as_str(), "{uri}");
    }
}

#[test]
fn a_database_down_is_an_error_and_a_reload_keeps_the_data() {
    let mut server = staged_server("down");
    let with_password = server.url().replace("postgres@", "postgres:s3cret-mot@");
    let dir = folder("down", &database_manifest(&with_password));
    let mut state = AppState::new(load_dir(&dir).expect("loads while the database runs"));
    state.data_dir = Some(dir.clone());
    let (lon, lat) = points_on_surface(&server, &["plu.zone_urba"])[0];
    let uri = format!("/api/lookup?lat={lat}&lon={lon}");
    let before = block(get(&state, &uri));
    assert!(!before["zones"].as_array().unwrap().is_empty(), "{before}");

    server.stop();
    let e = load_dir(&dir).err().expect("the database is down");
    assert!(matches!(e, LoadError::Database { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.starts_with(&format!(
            "postgresql://127.0.0.1:{}/postgres: connexion impossible",
            server.port
        )),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");

    let e = state.reload().expect_err("reload refused");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    let status = state.reload_status();
    assert_eq!(status.failed, 1);
    assert!(status.last_error.unwrap().contains("connexion impossible"));
    assert_eq!(
        block(get(&state, &uri)),
        before,
        "the previous data is still served"
    );
}

#[test]
fn a_wrong_table_or_layer_is_an_error_naming_it() {
    let server = staged_server("wrong");
    let url = server.url();

    let manifest = format!(
        "[[database]]\nname = \"x\"\nurl = \"{url}\"\n[[database.table]]\ntable = \"plu.zone_urbaine\"\nlayer = \"zone_urba\"\n"
    );
    let e = load_dir(&folder("wrong-table", &manifest))
        .err()
        .expect("no such table");
    assert_eq!(
        e.to_string(),
        format!(
            "postgresql://127.0.0.1:{}/postgres table plu.zone_urbaine: table introuvable",
            server.port
        )
    );

    // doc_urba has no geometry: it cannot be read as zones.
    let manifest = format!(
        "[[database]]\nname = \"x\"\nurl = \"{url}\"\n[[database.table]]\ntable = \"plu.doc_urba\"\nlayer = \"zone_urba\"\n"
    );
    let e = load_dir(&folder("no-geometry", &manifest))
        .err()
        .expect("no geometry");
    assert!(
        e.to_string()
            .contains("table plu.doc_urba: aucune colonne géométrique"),
        "{e}"
    );

    let manifest = format!(
        "[[database]]\nname = \"x\"\nurl = \"{url}\"\n[[database.table]]\ntable = \"plu.zone_urba\"\nlayer = \"zones\"\n"
    );
    let e = load_dir(&folder("wrong-layer", &manifest))
        .err()
        .expect("unknown layer");
    assert!(matches!(e, LoadError::Manifest { .. }), "{e:?}");
    assert!(e.to_string().contains("couche « zones » inconnue"), "{e}");

    let manifest = "[[database]]\nname = \"x\"\nurl = \"env:URBACLIC_TEST_PG_NOT_SET\"\n[[database.table]]\ntable = \"plu.zone_urba\"\nlayer = \"zone_urba\"\n";
    let e = load_dir(&folder("no-env", manifest))
        .err()
        .expect("variable not set");
    assert!(
        e.to_string()
            .contains("variable d'environnement URBACLIC_TEST_PG_NOT_SET absente"),
        "{e}"
    );

    // Every query has a time limit: a view that takes 0.2 s a row (90 zones) against 1 s.
    server
        .client()
        .batch_execute(
            "CREATE VIEW plu.lente AS SELECT z.*, pg_sleep(0.2) IS NULL AS attente FROM plu.zone_urba z",
        )
        .unwrap();
    let manifest = format!(
        "[[database]]\nname = \"x\"\nurl = \"{url}\"\nstatement_timeout_s = 1\n[[database.table]]\ntable = \"plu.lente\"\nlayer = \"zone_urba\"\n"
    );
    let start = std::time::Instant::now();
    let e = load_dir(&folder("slow", &manifest))
        .err()
        .expect("statement timeout");
    assert!(
        e.to_string()
            .contains("table plu.lente: canceling statement due to statement timeout"),
        "{e}"
    );
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());

    // A field mapping naming a column the table lacks is reported, not silent.
    let manifest = format!(
        "[[database]]\nname = \"30014_PLU_20171013\"\nurl = \"{url}\"\n[[database.table]]\ntable = \"plu.doc_urba\"\nlayer = \"doc_urba\"\n[[database.table]]\ntable = \"plu.zone_urba\"\nlayer = \"zone_urba\"\n[database.table.fields]\nlibelong = \"{{LIB_LONG}}\"\n"
    );
    let d = load_dir(&folder("mapping", &manifest)).expect("loads");
    let zones = d
        .report
        .layers
        .iter()
        .find(|l| l.layer == "ZONE_URBA")
        .unwrap();
    assert!(
        zones.warnings.iter().any(|w| w.contains("« LIB_LONG »")),
        "{:?}",
        zones.warnings
    );
}
