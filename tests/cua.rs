//! The draft certificat d'urbanisme d'information (`GET /api/cua`, `urbaclic cua`) on the
//! embedded data: the PDF read back with `pdftotext` (poppler-utils, installed by `.ci/run`),
//! the HTML page's section order and escaping, and the errors. What the certificate must say is
//! read from the lookup answer of the same place, never written here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
            AppState::new(urbaclic::load::load_dir(&dir).expect("the embedded data loads"))
        })
        .clone()
}

/// GET `uri` as a browser on `urbaclic.test` would.
async fn get(uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::get(uri)
        .header("host", "urbaclic.test:8080")
        .body(Body::empty())
        .unwrap();
    let res = router(state()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

async fn lookup(query: &str) -> Value {
    let (status, _, body) = get(&format!("/api/lookup?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_slice(&body).unwrap()
}

/// `48.66` → `49`, `4.24` → `4,2`: shares as the certificate writes them.
fn french_share(share: f64) -> String {
    if share >= 99.95 {
        "100".into()
    } else {
        urbaclic::rules::french_number(share)
    }
}

/// The PDF's text, pages split on form feeds, each page's whitespace collapsed (lines are
/// broken to the page width).
fn pdf_pages(pdf: &[u8], name: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("urbaclic-cua-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils, installed by .ci/run)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    let text = String::from_utf8(out.stdout).expect("pdftotext writes UTF-8");
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn rennes_pdf_has_the_parcel_its_zones_and_what_was_not_checked() {
    let answer = lookup("parcel=35238000BW0825").await;
    let zones = answer["zones"].as_array().unwrap();
    assert!(
        !zones.is_empty(),
        "the Rennes parcel is in a zone: {answer}"
    );

    let (status, headers, pdf) = get("/api/cua?parcel=35238000BW0825&format=pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"cua-35238000BW0825.pdf\""
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pdf_pages(&pdf, "rennes");
    let text = pages.join(" ");

    assert!(text.contains("35238 000 BW 0825"), "{text}");
    assert!(text.contains("Certificat d'urbanisme d'information — PROJET — document non opposable"));
    for z in zones {
        let code = z["libelle"].as_str().unwrap();
        let share = french_share(z["share_pct"].as_f64().unwrap());
        let line = format!("Zone {code}");
        assert!(text.contains(&line), "zone {code} missing: {text}");
        assert!(
            text.contains(&format!("{share} % du terrain")),
            "share {share} % of {code} missing: {text}"
        );
    }
    for s in answer["servitudes"].as_array().unwrap() {
        let cat = s["categorie"].as_str().unwrap();
        assert!(text.contains(cat), "easement {cat} missing");
    }
    // The "not checked" list: every coverage sentence of the answer.
    assert!(text.contains("Ce qui n'a pas été vérifié"));
    let coverage: Vec<&Value> = answer["summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "coverage")
        .collect();
    assert!(!coverage.is_empty(), "Rennes has layers not loaded");
    for s in coverage {
        let sentence = collapse(s["text"].as_str().unwrap());
        assert!(text.contains(&sentence), "« {sentence} » missing: {text}");
    }
    // Every page carries the draft mark and its number.
    let n = pages.len();
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains("PROJET — non opposable"), "page {}: {p}", i + 1);
        assert!(
            p.contains(&format!("page {} / {n}", i + 1)),
            "page {}: {p}",
            i + 1
        );
    }
    assert!(text.contains("http://urbaclic.test:8080/?parcelle=35238000BW0825"));
}

#[tokio::test]
async fn easements_are_listed_by_category_in_the_pdf() {
    // A point among Ajaccio's historic-monument perimeters (see frontend/js/examples.js).
    let query = "lat=41.9199043&lon=8.7367823";
    let answer = lookup(query).await;
    let categories: Vec<&str> = answer["servitudes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["categorie"].as_str().unwrap())
        .collect();
    assert!(!categories.is_empty());
    let (status, headers, pdf) = get(&format!("/api/cua?{query}&format=pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"cua-point.pdf\""
    );
    let text = pdf_pages(&pdf, "ajaccio").join(" ");
    for c in &categories {
        assert!(
            text.contains(&format!("{c} — ")),
            "category {c} missing: {text}"
        );
    }
    assert!(text.contains("Limitations administratives au droit de propriété"));
}

#[tokio::test]
async fn paris_html_has_the_sections_in_the_cerfa_order_and_escapes_text() {
    let (status, headers, body) = get("/api/cua?parcel=75118000BT0107").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let html = String::from_utf8(body).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("75118 000 BT 0107"));
    let titles = [
        "1. Terrain",
        "2. Dispositions d&#39;urbanisme",
        "3. Limitations administratives au droit de propriété",
        "4. Risques",
        "5. Droit de préemption",
        "6. Taxes et participations",
        "7. Ce qui n&#39;a pas été vérifié",
        "8. Sources des données",
    ];
    let mut last = 0;
    for t in titles {
        let at = html
            .find(&format!("<h2>{t}</h2>"))
            .unwrap_or_else(|| panic!("section « {t} » missing"));
        assert!(at > last, "section « {t} » out of order");
        last = at;
    }
    // Text from the data is escaped: apostrophes of the quarry sector's name, never raw.
    assert!(html.contains("Secteur d&#39;anciennes carrières"), "{html}");
    assert!(!html.contains("Secteur d'anciennes"));
    assert!(
        html.contains("à compléter par le service") || html.contains("À compléter par le service")
    );
    assert!(html.contains("non renseigné dans les données chargées"));
    // The permalink comes from the request's Host, with its QR code.
    assert!(html.contains("href=\"http://urbaclic.test:8080/?parcelle=75118000BT0107\""));
    assert!(html.contains("<svg"));
    assert!(!html.contains("127.0.0.1"));
}

#[tokio::test]
async fn several_parcels_make_one_land_unit() {
    let a = lookup("parcel=35238000BW0825").await;
    let b = lookup("parcel=35238000BW0655").await;
    let (status, _, body) = get("/api/cua?parcel=35238000BW0825,35238000bw0655").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("Parcelles 35238 000 BW 0825, 35238 000 BW 0655"));
    assert!(html.contains("Unité foncière"));
    // The land unit's area is the sum of the parcels' computed areas.
    let total = a["scope"]["area_m2"].as_f64().unwrap() + b["scope"]["area_m2"].as_f64().unwrap();
    let whole = (total * 10.0).round() as i64 / 10;
    let digits = whole.to_string();
    let shown = if digits.len() > 3 {
        format!(
            "{}\u{202f}{}",
            &digits[..digits.len() - 3],
            &digits[digits.len() - 3..]
        )
    } else {
        digits
    };
    assert!(
        html.contains(&shown),
        "total area {total} not shown as {shown}"
    );
    // The permalink of several parcels is the certificate itself.
    assert!(html.contains("/api/cua?parcel=35238000BW0825,35238000BW0655"));
}

#[tokio::test]
async fn the_pre_emption_right_comes_from_information_type_04() {
    // A point in Arpaillargues' centre, inside the DPU perimeter of its PLU.
    let query = "lat=44.0000655&lon=4.373672";
    let answer = lookup(query).await;
    let dpu: Vec<&str> = answer["informations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "04")
        .map(|i| i["libelle"].as_str().unwrap())
        .collect();
    assert!(!dpu.is_empty());
    let (_, _, body) = get(&format!("/api/cua?{query}")).await;
    let html = String::from_utf8(body).unwrap();
    let section5 = html
        .split("data-section=\"5\"")
        .nth(1)
        .and_then(|s| s.split("data-section=\"6\"").next())
        .unwrap();
    for l in dpu {
        assert!(section5.contains(&l.replace('\'', "&#39;")), "{section5}");
    }
    assert!(!section5.contains("non renseigné"));
    assert!(html.contains("href=\"http://urbaclic.test:8080/?lat=44.00006"));
    assert!(html.contains("&amp;lon=4.373672\""));
}

#[tokio::test]
async fn errors_are_json_4xx() {
    for (uri, status, code) in [
        (
            "/api/cua?parcel=35238000BW9999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/cua?parcel=abc",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/cua?parcel=35238000BW0825,75118000BT0107",
            StatusCode::BAD_REQUEST,
            "different_communes",
        ),
        (
            "/api/cua?parcel=,",
            StatusCode::BAD_REQUEST,
            "missing_parameter",
        ),
        ("/api/cua", StatusCode::BAD_REQUEST, "missing_parameter"),
        (
            "/api/cua?lat=999&lon=0",
            StatusCode::BAD_REQUEST,
            "out_of_range",
        ),
        (
            "/api/cua?parcel=35238000BW0825&format=docx",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
    ] {
        let (got, headers, body) = get(uri).await;
        assert_eq!(got, status, "{uri}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], code, "{uri}: {v}");
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}"
        );
    }
    let many: Vec<String> = (1..=11).map(|n| format!("35238000BW{n:04}")).collect();
    let (got, _, body) = get(&format!("/api/cua?parcel={}", many.join(","))).await;
    assert_eq!(got, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "too_many_parcels");
}

#[test]
fn the_command_line_writes_pdf_and_html_by_extension() {
    let dir = std::env::temp_dir().join(format!("urbaclic-cua-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["fiche.pdf", "fiche.html"] {
        let out = dir.join(name);
        let status = Command::new(env!("CARGO_BIN_EXE_urbaclic"))
            .args(["cua", "--parcel", "35238000BW0825", "--out"])
            .arg(&out)
            .args(["--base-url", "https://urbaclic.example.fr/"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "{name}");
        let bytes = std::fs::read(&out).unwrap();
        if name.ends_with(".pdf") {
            let text = pdf_pages(&bytes, "cli").join(" ");
            assert!(text.contains("https://urbaclic.example.fr/?parcelle=35238000BW0825"));
        } else {
            let html = String::from_utf8(bytes).unwrap();
            assert!(html.contains("35238 000 BW 0825"));
        }
    }
    let status = Command::new(env!("CARGO_BIN_EXE_urbaclic"))
        .args(["cua", "--parcel", "35238000BW0825", "--out"])
        .arg(dir.join("fiche.docx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(!status.status.success());
}
