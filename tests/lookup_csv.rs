//! Rules for a list of places (issue 15 §5): `urbaclic::lookup::batch` on its own, then
//! `POST /api/lookup/csv/` through the whole router and `urbaclic lookup --csv` (the built
//! binary), on the embedded data in `data/`.
//!
//! Where the expected values come from (never from urbaclic):
//! - [arp_ucp] the point 43.99982, 4.36968 is in zone `Ucp` and in three INFO_SURF features,
//!   `ogrinfo -dialect SQLite -sql "SELECT LIBELLE, TYPEINF, STYPEINF FROM … WHERE
//!   ST_Intersects(geometry, ST_Transform(MakePoint(4.36968, 43.99982, 4326), 2154))"` on
//!   `30014_ZONE_URBA_20171013.shp` and `30014_INFO_SURF_20171013.shp`: 04-00, 17-00, 19-01; the
//!   document is `30014_PLU_20171013` (the delivery's name, `DOC_URBA` DATAPPRO 20171013).
//! - [rennes] parcel 35238000BW0825 is covered by zone UB2 over 48.657 % of its area (shapely,
//!   `tests/analysis.rs`), written `49 %`.
//! - [epinay] parcel 91216000AB0037 is in `cadastre-91216-parcelles.json`; commune 91216 is
//!   « Épinay-sur-Orge » in `communes-91-essonne.geojson`; no planning document of 91216 is staged
//!   (`data/urbaclic.toml`), so the status is `inconnu`.
//! - [ordener] BAN row `75118_6918_00001`: 1 Rue Ordener, lon 2.359469, lat 48.890158; shapely's
//!   `shape(parcel).contains(Point(2.359469, 48.890158))` over `cadastre-75118-parcelles.json`
//!   holds for 75118000CK0034 only.
//! - [paris_parcel], [pprn], [ac1] of `tests/fixtures/real_data/expected.txt` (pyshp/shapely):
//!   parcel 75118000AI0008 in quarry sector 1 (shapely after `ogr2ogr -t_srs EPSG:4326` of
//!   `plub_carriere.shp`: 100.0 % of the parcel), zone RA,T3 of PPRN 38DDT20200002, an AC1
//!   assiette in commune 2A212.
//! - 45.5, 1.5 (Haute-Vienne) is outside every staged commune file (2A, 30, 31, 41, 69, 91, and
//!   the Paris and Rennes parcels).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::dataset::Dataset;
use urbaclic::geocode::batch::BatchError;
use urbaclic::lookup::batch::{CsvLookup, CsvLookupOptions, RESULT_COLUMNS};

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

fn data() -> std::sync::Arc<Dataset> {
    state().dataset()
}

/// The answer's rows as maps from header name to cell (`;`-separated unless told).
fn parse(out: &[u8], delimiter: u8) -> Vec<HashMap<String, String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(out);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "one cell per column: {rec:?}");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn answer(input: &str, opts: &CsvLookupOptions) -> Vec<u8> {
    let batch = CsvLookup::new(input.as_bytes().to_vec(), opts).expect("the file is accepted");
    let mut out = Vec::new();
    batch.write_all(&data(), &mut out).expect("written");
    out
}

fn sorted(cell: &str) -> Vec<&str> {
    let mut v: Vec<&str> = cell.split('|').filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v
}

const PLACES: &str = "\
id;parcel;lat;lon;adresse
arp;;43.99982;4.36968;
rennes;35238000BW0825;;;
epinay;91216000AB0037;;;
ordener;;;;1 rue ordener 75018 paris
quarry;;48.89303795;2.331582873;
pprn;;45.0170977339;6.0572643931;
ac1;;42.2402241345;8.6415122054;
unknown;91216000ZZ9999;;;
malformed;123;;;
unreadable;;47;x;
range;;91;2;
outside;;45.5;1.5;
nomatch;;;;zzzz qqq
empty;;;;
";

#[test]
fn every_row_is_answered_from_its_parcel_point_or_address() {
    let out = answer(PLACES, &CsvLookupOptions::default());
    let rows = parse(&out, b';');
    assert_eq!(rows.len(), 14);
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("row {id}"))
    };
    // The input columns come back first, then the result columns in their order.
    let header = String::from_utf8_lossy(&out);
    let header = header.lines().next().unwrap();
    assert_eq!(
        header,
        format!("id;parcel;lat;lon;adresse;{}", RESULT_COLUMNS.join(";"))
    );

    let arp = row("arp");
    assert_eq!(arp["zones"], "Ucp", "[arp_ucp]");
    assert_eq!(sorted(&arp["informations"]), ["04-00", "17-00", "19-01"]);
    assert_eq!(arp["commune_insee"], "30014");
    assert_eq!(arp["commune_nom"], "Arpaillargues-et-Aureillac");
    assert_eq!(
        (
            arp["statut"].as_str(),
            arp["document_type"].as_str(),
            arp["document_idurba"].as_str(),
            arp["document_date_approbation"].as_str()
        ),
        ("PLU", "PLU", "30014_PLU_20171013", "2017-10-13")
    );
    assert_eq!(
        (
            arp["result_latitude"].as_str(),
            arp["result_longitude"].as_str()
        ),
        ("43.99982", "4.36968")
    );
    assert!(arp["resume"].contains("Zone Ucp"), "{}", arp["resume"]);
    assert_eq!(
        (arp["erreur"].as_str(), arp["result_label"].as_str()),
        ("", "")
    );

    let rennes = row("rennes");
    assert_eq!(rennes["zones"], "UB2 (49 %)", "[rennes]");
    assert_eq!(rennes["parcelle"], "35238000BW0825");

    let epinay = row("epinay");
    assert_eq!(epinay["parcelle"], "91216000AB0037", "[epinay]");
    assert_eq!(epinay["commune_insee"], "91216");
    assert_eq!(epinay["commune_nom"], "Épinay-sur-Orge");
    assert_eq!(epinay["statut"], "inconnu");
    assert_eq!(epinay["erreur"], "");

    let ordener = row("ordener");
    assert_eq!(
        ordener["result_label"], "1 Rue Ordener 75018 Paris",
        "[ordener]"
    );
    assert_eq!(ordener["result_type"], "housenumber");
    assert_eq!(
        (
            ordener["result_latitude"].as_str(),
            ordener["result_longitude"].as_str()
        ),
        ("48.890158", "2.359469")
    );
    assert_eq!(ordener["parcelle"], "75118000CK0034");
    assert_eq!(ordener["commune_insee"], "75118");
    let score: f64 = ordener["result_score"].parse().unwrap();
    assert!(score > 0.5 && score <= 1.0, "{score}");

    let quarry = row("quarry");
    assert_eq!(quarry["parcelle"], "75118000AI0008", "[paris_parcel]");
    assert_eq!(quarry["zonages"], "carrieres 1 (100 %)");
    assert_eq!(row("pprn")["risques"], "38DDT20200002 RA,T3", "[pprn]");
    let ac1 = row("ac1");
    assert_eq!(
        (ac1["servitudes"].as_str(), ac1["commune_insee"].as_str()),
        ("AC1", "2A212"),
        "[ac1]"
    );

    // Rows that cannot be answered say why, and the file goes on.
    let errors: Vec<(&str, &str)> = [
        "unknown",
        "malformed",
        "unreadable",
        "range",
        "outside",
        "nomatch",
        "empty",
    ]
    .iter()
    .map(|id| (*id, row(id)["erreur"].as_str()))
    .collect();
    assert_eq!(
        errors[0].1,
        "parcelle 91216000ZZ9999 inconnue dans les données chargées"
    );
    assert!(errors[1].1.contains("123"), "{errors:?}");
    assert_eq!(
        errors[2].1,
        "coordonnées illisibles : lat « 47 », lon « x »"
    );
    assert_eq!(errors[3].1, "latitude hors limites (-90 à 90) : 91");
    assert!(
        errors[4].1.starts_with("hors des données chargées"),
        "{errors:?}"
    );
    assert_eq!(errors[5].1, "aucune adresse trouvée pour « zzzz qqq »");
    assert_eq!(
        errors[6].1,
        "ligne sans lieu : ni parcelle, ni coordonnées, ni adresse"
    );
    // An error row tells nothing it does not know; a place outside the data keeps its position.
    assert_eq!(row("unknown")["parcelle"], "");
    assert_eq!(row("outside")["result_latitude"], "45.5");
    assert_eq!(row("outside")["statut"], "");
}

#[test]
fn the_file_comes_back_as_sent_with_its_delimiter_and_encoding() {
    // Windows-1252 (0xE9 is é), a BOM-less comma file, a quoted cell holding the delimiter, a
    // ragged row: cells come back unchanged, under their names, in UTF-8.
    let input = b"nom,Latitude,Longitude\n\"Caf\xe9, le\",43.99982,4.36968\ncourt\n".to_vec();
    let batch = CsvLookup::new(input, &CsvLookupOptions::default()).unwrap();
    assert_eq!(batch.rows(), 2);
    let mut out = Vec::new();
    assert_eq!(batch.write_all(&data(), &mut out).unwrap(), 1);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.starts_with("nom,Latitude,Longitude,result_label,"),
        "{text}"
    );
    let rows = parse(&out, b',');
    assert_eq!(rows[0]["nom"], "Café, le");
    assert_eq!(rows[0]["zones"], "Ucp", "[arp_ucp]");
    assert!(text.contains("\"Café, le\",43.99982,4.36968,"), "{text}");
    assert_eq!(rows[1]["nom"], "court");
    assert_eq!(
        rows[1]["erreur"],
        "ligne sans lieu : ni parcelle, ni coordonnées, ni adresse"
    );
}

#[test]
fn named_columns_are_the_only_ones_read() {
    // `columns` names the address over two columns; the `parcel` column is then not read.
    let input = "parcel|num|voie\n91216000AB0037|1|rue ordener paris\n";
    let opts = CsvLookupOptions {
        columns: vec!["num".into(), "voie".into()],
        ..CsvLookupOptions::default()
    };
    let rows = parse(&answer(input, &opts), b'|');
    assert_eq!(
        rows[0]["result_label"], "1 Rue Ordener 75018 Paris",
        "[ordener]"
    );
    assert_eq!(rows[0]["parcelle"], "75118000CK0034");
    // Coordinates in columns of any name, as the BAN's `lat`/`lon` fields name them.
    let opts = CsvLookupOptions {
        lat: Some("y".into()),
        lon: Some("x".into()),
        ..CsvLookupOptions::default()
    };
    let rows = parse(&answer("x;y\n4,36968;43,99982\n", &opts), b';');
    assert_eq!(rows[0]["zones"], "Ucp", "[arp_ucp]");
}

#[test]
fn bad_files_and_options_are_refused_before_any_row() {
    let refuse = |input: &str, opts: &CsvLookupOptions| {
        CsvLookup::new(input.as_bytes().to_vec(), opts)
            .err()
            .expect("refused")
    };
    let none = CsvLookupOptions::default();
    assert!(matches!(refuse("", &none), BatchError::Empty));
    assert!(matches!(refuse("\n\n", &none), BatchError::Empty));
    assert!(matches!(
        refuse("nom;ville\nx;y\n", &none),
        BatchError::NoPlaceColumn
    ));
    let unknown = CsvLookupOptions {
        columns: vec!["rue".into()],
        ..CsvLookupOptions::default()
    };
    assert_eq!(
        refuse("adresse\n1 rue x\n", &unknown).to_string(),
        "colonne « rue » absente de l'en-tête"
    );
    assert!(matches!(
        refuse("id;lon\n1;2\n", &none),
        BatchError::MissingLatitude
    ));
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const BOUNDARY: &str = "urbaclic-csv-boundary";

/// A multipart form: `fields` then the file `csv` in `data` (none when `None`).
fn form(fields: &[(&str, &str)], csv: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    if let Some(csv) = csv {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(csv);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

/// Posts `body` as a form; the status, content type, the body's data frames and the whole body.
async fn post(body: Vec<u8>) -> (StatusCode, String, usize, Vec<u8>) {
    let req = Request::post("/api/lookup/csv/")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    let resp = router(state()).oneshot(req).await.unwrap();
    let status = resp.status();
    let content_type = resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        status != StatusCode::OK || resp.headers().get(header::CONTENT_LENGTH).is_none(),
        "a streamed answer has no length"
    );
    let mut body = resp.into_body();
    let (mut frames, mut bytes) = (0, Vec::new());
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("the body completes").into_data() {
            frames += 1;
            bytes.extend_from_slice(&data);
        }
    }
    (status, content_type, frames, bytes)
}

/// A refusal: JSON with `error` and `message`.
async fn refused(body: Vec<u8>) -> (StatusCode, Value) {
    let (status, content_type, _, bytes) = post(body).await;
    assert_eq!(content_type, "application/json", "{status}");
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v["error"].is_string(), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    (status, v)
}

#[tokio::test]
async fn the_route_answers_the_same_rows_as_the_library() {
    let (status, content_type, _, bytes) = post(form(&[], Some(PLACES.as_bytes()))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(bytes, answer(PLACES, &CsvLookupOptions::default()));
    // Form fields name the columns, as the BAN's `/search/csv/` reads them (repeated `columns`).
    let input = "num;voie;y;x\n1;rue ordener paris;;\n;;43.99982;4.36968\n";
    let fields = [("columns", "num"), ("columns", "voie")];
    let (status, _, _, bytes) = post(form(&fields, Some(input.as_bytes()))).await;
    assert_eq!(status, StatusCode::OK);
    let rows = parse(&bytes, b';');
    assert_eq!(
        rows[0]["result_label"], "1 Rue Ordener 75018 Paris",
        "[ordener]"
    );
    assert_eq!(
        rows[1]["erreur"],
        "ligne sans lieu : ni parcelle, ni coordonnées, ni adresse"
    );
    let fields = [("lat", "y"), ("lon", "x")];
    let (_, _, _, bytes) = post(form(&fields, Some(input.as_bytes()))).await;
    assert_eq!(parse(&bytes, b';')[1]["zones"], "Ucp", "[arp_ucp]");
}

#[tokio::test]
async fn bad_requests_are_json_4xx() {
    let (status, v) = refused(form(&[("columns", "adresse")], None)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_parameter"))
    );
    let (status, v) = refused(form(&[], Some(b""))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_csv"))
    );
    let (status, v) = refused(form(&[("columns", "rue")], Some(b"adresse\n1 rue x\n"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["message"], "colonne « rue » absente de l'en-tête");
    let (status, v) = refused(form(&[], Some(b"nom;ville\na;b\n"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["message"].as_str().unwrap().contains("« columns »"),
        "{v}"
    );
    // Not a form at all.
    let req = Request::post("/api/lookup/csv/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"q": "1 rue ordener"}"#))
        .unwrap();
    let resp = router(state()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn files_over_the_limits_are_413() {
    // Over 50 MiB (the BAN's limit): refused while the body is read.
    let big = "1 rue ordener\n".repeat(51 * 1024 * 1024 / 14 + 1);
    let (status, v) = refused(form(&[], Some(format!("adresse\n{big}").as_bytes()))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    // One row over the row limit, in a small file: refused before any row is answered.
    let rows = urbaclic::geocode::csv_input::MAX_ROWS + 1;
    let many = format!("adresse\n{}", "x\n".repeat(rows));
    let (status, v) = refused(form(&[], Some(many.as_bytes()))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    assert!(v["message"].as_str().unwrap().contains("1000000"), "{v}");
}

/// 1,000 different real addresses, every ninth row of the staged BAN file (`numero`, `rep`,
/// `nom_voie`, `code_postal`, « Paris »), written into the target directory: one answer row per
/// input row, in order, sent in many chunks; their positions are the BAN's own (`lon`, `lat` of
/// the same `id`) but for a few rows whose suffix the BAN writes oddly (`ba`, `bz`, `p5` glued
/// into the street name…), and every answered row is in commune 75118 (the BAN's `code_insee`).
#[tokio::test]
async fn a_thousand_staged_addresses_come_back_one_row_each() {
    let ban =
        std::fs::read_to_string(data_dir().join("ban-adresses-75118/adresses-75118.csv")).unwrap();
    let mut expected: Vec<(String, String, String)> = Vec::new();
    let mut input = String::from("id;adresse;cp;ville\n");
    for line in ban.lines().skip(1).step_by(9).take(1000) {
        let f: Vec<&str> = line.split(';').collect();
        let (id, numero, rep, voie, cp, lon, lat) = (f[0], f[2], f[3], f[4], f[5], f[12], f[13]);
        let number = if rep.is_empty() {
            numero.to_string()
        } else {
            format!("{numero} {rep}")
        };
        input.push_str(&format!("{id};{number} {voie};{cp};Paris\n"));
        expected.push((id.to_string(), lat.to_string(), lon.to_string()));
    }
    assert_eq!(expected.len(), 1000);
    let distinct: std::collections::HashSet<&str> = input
        .lines()
        .skip(1)
        .map(|l| l.split_once(';').unwrap().1)
        .collect();
    assert_eq!(distinct.len(), 1000, "every address differs");
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lookup_csv_1000.csv");
    std::fs::write(&file, &input).unwrap();

    let fields = [
        ("columns", "adresse"),
        ("columns", "cp"),
        ("columns", "ville"),
    ];
    let (status, _, frames, bytes) =
        post(form(&fields, Some(&std::fs::read(&file).unwrap()))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(frames > 10, "streamed in chunks, got {frames} frame(s)");
    let rows = parse(&bytes, b';');
    assert_eq!(rows.len(), 1000);
    let mut same_position = 0;
    for (row, (id, lat, lon)) in rows.iter().zip(&expected) {
        assert_eq!(&row["id"], id, "rows come back in order");
        if &row["result_latitude"] == lat && &row["result_longitude"] == lon {
            same_position += 1;
        }
        if row["erreur"].is_empty() {
            assert_eq!(row["commune_insee"], "75118", "{row:?}");
        }
    }
    assert!(
        same_position >= 990,
        "{same_position} of 1000 at the BAN's position"
    );
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

#[test]
fn the_cli_writes_the_same_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let input = dir.join("lookup_csv_cli.csv");
    std::fs::write(&input, "nom;num;voie\nJean;1;rue ordener paris\nZoé;;\n").unwrap();
    let input = input.to_str().unwrap();
    let output = dir.join("lookup_csv_cli_out.csv");
    let _ = std::fs::remove_file(&output);
    let (code, stdout, stderr) = urbaclic(&[
        "lookup",
        "--csv",
        input,
        "--columns",
        "num,voie",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("2 ligne(s) traitée(s)"), "{stderr}");
    assert!(stderr.contains("dont 1 sans réponse"), "{stderr}");
    let written = std::fs::read(&output).unwrap();
    let rows = parse(&written, b';');
    assert_eq!(
        rows[0]["result_label"], "1 Rue Ordener 75018 Paris",
        "[ordener]"
    );
    assert_eq!(rows[0]["parcelle"], "75118000CK0034");
    assert_eq!(rows[1]["nom"], "Zoé");
    // To standard output, the same bytes.
    let (code, stdout, _) = urbaclic(&["lookup", "--csv", input, "--columns", "num,voie"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.as_bytes(), written.as_slice());
    // A bad option is an error in French, and nothing is written.
    let (code, stdout, stderr) = urbaclic(&["lookup", "--csv", input, "--columns", "rue"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.contains("colonne « rue » absente de l'en-tête"),
        "{stderr}"
    );
    let (code, _, stderr) = urbaclic(&["lookup", "--csv", input, "--parcel", "91216000AB0037"]);
    assert_eq!(code, 2, "{stderr}");
}

/// A file beyond the streams running at once is refused before it is read: 503 with a retry
/// delay, in the service's JSON error shape (here with no stream allowed at all).
#[tokio::test]
async fn a_stream_beyond_the_limit_is_refused() {
    let mut busy = state();
    busy.csv_streams = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let req = Request::post("/api/lookup/csv/")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(form(&[], Some(b"lat;lon\n43.99982;4.36968\n"))))
        .unwrap();
    let resp = router(busy).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key(header::RETRY_AFTER));
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"], "busy", "{v}");
}
