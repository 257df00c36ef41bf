//! Structured regulations (CNIG SRU niveau 1) on the two real files staged from the CNIG's own
//! repository (`data/reglement-sru-cnig/`, see its SOURCE.md), and the written pieces of a real
//! CNIG delivery (`tests/fixtures/cnig-validator/`, from IGN's validator test suite).
//!
//! Expected values are read by hand from the source files; each key rule is checked against the
//! sentence of the regulation it must be read from (quoted below). Section counts were computed
//! with Python on the files, independently of urbaclic:
//!
//! ```text
//! python3 -c "import json; d=json.load(open('data/reglement-sru-cnig/60668_PLU_20201207_reglement.json'))
//! def w(t,o):
//!   for x in t: o.append(json.loads(x['idZone'])); w(x.get('titre',[]),o)
//! o=[]; w(d['titre'],o); print(sum('UB' in z or 'dispositionGenerale' in z for z in o), len(o))"   # 17 25
//! python3 -c "import re; s=open('data/reglement-sru-cnig/15079_PLU_20190128_reglement.xml').read()
//! z=[m.group(1).split(',') for m in re.finditer(r'<plu:Titre [^>]*idZone=\"([^\"]*)\"',s)]
//! print([sum(k in x or 'porteeGenerale' in x for x in z) for k in ('UG','A')], len(z))"       # [27, 30] 102
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;
use urbaclic::reglement::{Reglement, ZoneReglement};
use urbaclic::rules::key_rules::{measure::Unit, KeyRule, RuleKind, RuleValue, NOT_FOUND};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(name: &str) -> Reglement {
    let data = root().join("data");
    urbaclic::load::reglement::read_file(&data, &data.join("reglement-sru-cnig").join(name))
        .expect("the staged regulation reads")
}

fn verderel() -> Reglement {
    read("60668_PLU_20201207_reglement.json")
}

fn jaleyrac() -> Reglement {
    read("15079_PLU_20190128_reglement.xml")
}

fn rule(view: &ZoneReglement, kind: RuleKind) -> &KeyRule {
    view.key_rules.iter().find(|r| r.kind == kind).unwrap()
}

/// The values of `kind` read from the sentence (with its lead-in) containing `quote`.
fn value<'a>(view: &'a ZoneReglement, kind: RuleKind, quote: &str) -> Vec<&'a RuleValue> {
    rule(view, kind)
        .values
        .iter()
        .filter(|v| {
            let lead = v.lead_in.as_deref().unwrap_or_default();
            format!("{lead} {}", v.sentence).contains(quote)
        })
        .collect()
}

#[test]
fn the_json_regulation_reads_with_its_zones_and_sections() {
    let r = verderel();
    assert_eq!(r.id_urba, "60668_PLU_20201207");
    assert_eq!(r.titres.len(), 25);
    let zones: Vec<&str> = r.zones().into_iter().collect();
    assert_eq!(zones, ["2AUh", "A", "N", "Nn", "UB", "UD", "UP"]);
    let ub = r.for_zone("UB");
    assert_eq!(ub.sections.len(), 17);
    assert_eq!(ub.sections.iter().filter(|s| s.text.general).count(), 4);
    // Sections keep their ids as anchors, and the zone's own sections are there by title.
    assert!(ub
        .sections
        .iter()
        .any(|s| s.text.intitule == "Stationnement"
            && s.text
                .id
                .ends_with("/zone_ub/section_ub_ii/sous-section_iv/")));
    // No section of another zone (UD is written out as a heading of its own).
    assert!(!ub.sections.iter().any(|s| s.text.intitule == "ZONE UD"));
}

#[test]
fn verderel_ub_key_rules_are_read_with_their_sentences() {
    let ub = verderel().for_zone("UB");
    // « L'emprise au sol des constructions à usage d'habitation et leurs annexes ne doit pas
    // dépasser 40 % de la surface totale du terrain. »
    let e = value(
        &ub,
        RuleKind::EmpriseSol,
        "habitation et leurs annexes ne doit pas dépasser 40 %",
    );
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].value, e[0].unit), (40.0, Unit::Percent));
    assert_eq!(e[0].condition.as_deref(), Some("habitation, annexes"));
    assert!(e[0]
        .section_id
        .ends_with("/zone_ub/section_ub_ii/sous-section_i/"));
    // « L'emprise au sol des constructions à usage d'activités ne doit pas dépasser 70 % … »
    let e = value(
        &ub,
        RuleKind::EmpriseSol,
        "usage d’activités ne doit pas dépasser 70 %",
    );
    assert_eq!(
        (e[0].value, e[0].condition.as_deref()),
        (70.0, Some("activités"))
    );
    // « La hauteur maximale des constructions à usage d'habitation est limitée à 9 m au faîtage,
    // soit R + C ou R + 1. »
    let h = value(
        &ub,
        RuleKind::HauteurMax,
        "usage d’habitation est limitée à 9 m au faîtage",
    );
    let metres: Vec<_> = h.iter().filter(|v| v.unit == Unit::Metre).collect();
    assert_eq!(metres.len(), 1);
    assert_eq!(metres[0].value, 9.0);
    assert_eq!(metres[0].measured_at, Some("faîtage"));
    assert_eq!(metres[0].condition.as_deref(), Some("habitation"));
    assert_eq!(metres[0].short, "9 m au faîtage (habitation)");
    // « La hauteur maximale des autres constructions autorisées est limitée à 12 m au faîtage. »
    let h = value(
        &ub,
        RuleKind::HauteurMax,
        "autres constructions autorisées est limitée à 12 m",
    );
    assert_eq!((h[0].value, h[0].measured_at), (12.0, Some("faîtage")));
    // « … la hauteur maximale des constructions est limitée à 7 m à l'acrotère … »
    let h = value(&ub, RuleKind::HauteurMax, "limitée à 7 m à l’acrotère");
    assert_eq!((h[0].value, h[0].measured_at), (7.0, Some("acrotère")));
    // « Les constructions doivent être implantées : » « - soit avec un retrait d'au moins 5 m par
    // rapport à l'alignement. » (the list item is quoted with its lead-in)
    let v = value(
        &ub,
        RuleKind::ReculVoie,
        "retrait d’au moins 5 m par rapport à l’alignement",
    );
    assert_eq!((v[0].value, v[0].unit), (5.0, Unit::Metre));
    assert_eq!(
        v[0].lead_in.as_deref(),
        Some("Les constructions doivent être implantées :")
    );
    // « Les constructions ou parties de construction non contiguës aux limites séparatives
    // doivent être implantées avec une marge minimale de 3 m. »
    let l = value(&ub, RuleKind::ReculLimites, "marge minimale de 3 m");
    assert_eq!(l[0].value, 3.0);
    // « … au-delà d'une bande de 35 m de profondeur … » bounds the depth: not a setback.
    assert!(value(&ub, RuleKind::ReculVoie, "bande de 35 m").is_empty());
    // « pour les constructions à usage de bureaux : 1 place de stationnement par tranche de 30 m2
    // de surface de plancher. »
    let p = value(&ub, RuleKind::Stationnement, "usage de bureaux : 1 place");
    assert_eq!(p[0].value, 1.0);
    assert_eq!(
        p[0].per.as_deref(),
        Some("par tranche de 30 m2 de surface de plancher")
    );
    assert_eq!(p[0].condition.as_deref(), Some("bureaux"));
    // « La suppression d'une place de stationnement est interdite … » requires nothing.
    assert!(value(&ub, RuleKind::Stationnement, "suppression d’une place").is_empty());
    // The text caps sealed surfaces (« Les surfaces imperméabilisées ne devront pas excéder
    // 50 % des espaces restés libres ») but sets no minimum of green space.
    let g = rule(&ub, RuleKind::EspacesVerts);
    assert!(g.values.is_empty());
    assert_eq!(g.not_found, Some(NOT_FOUND));
    // Every value quotes a sentence of the regulation, found verbatim in its section's text.
    for r in &ub.key_rules {
        for v in &r.values {
            let section = ub
                .sections
                .iter()
                .find(|s| s.text.id == v.section_id)
                .unwrap();
            assert!(
                section.text.text.contains(&v.sentence),
                "{:?} not in its section",
                v.sentence
            );
            if let Some(lead) = &v.lead_in {
                assert!(
                    section.text.text.contains(lead),
                    "{lead:?} not in its section"
                );
            }
        }
    }
}

#[test]
fn the_xml_regulation_reads_with_sectors_and_comma_lists() {
    let r = jaleyrac();
    assert_eq!(r.id_urba, "15079_PLU_20190128");
    assert_eq!(r.titres.len(), 102);
    assert_eq!(r.for_zone("UG").sections.len(), 27);
    assert_eq!(r.for_zone("A").sections.len(), 30);
    // UGb is a sector of UG: UG's sections apply, with the blocks written for UGb and not UGa's.
    let ugb = r.for_zone("UGb");
    let implantation = ugb
        .sections
        .iter()
        .find(|s| s.text.id == "idelem3x1178")
        .unwrap();
    assert!(implantation.text.text.contains("En secteur UGb"));
    assert!(!implantation.text.text.contains("En secteur UGa"));
    // « En secteur UGb , les nouvelles constructions doivent s'implanter soit à l'alignement avec
    // le domaine public, soit avec un retrait maximum de 5 m. »
    let v = value(&ugb, RuleKind::ReculVoie, "En secteur UGb");
    assert_eq!(v[0].value, 5.0);
    assert!(rule(&r.for_zone("UG"), RuleKind::ReculVoie)
        .values
        .is_empty());

    // « La hauteur maximale des constructions ne peut dépasser la hauteur des bâtiments
    // environnants, c'est à dire R+1 plus combles. »
    let ug = r.for_zone("UG");
    let h = value(&ug, RuleKind::HauteurMax, "R+1 plus combles");
    assert_eq!(
        (h[0].value, h[0].unit, h[0].short.as_str()),
        (1.0, Unit::Storeys, "R+1")
    );
    // « … ne peut excéder : 10 mètres pour les bâtiments agricoles (au faîtage). »
    let a = r.for_zone("A");
    let h = value(
        &a,
        RuleKind::HauteurMax,
        "10 mètres pour les bâtiments agricoles",
    );
    assert_eq!((h[0].value, h[0].measured_at), (10.0, Some("faîtage")));
    // Under « Les clôtures » › « Pour les maisons d'habitation existantes » : « En bordure de
    // voies, elles ne peuvent excéder une hauteur maximale de 1,20 m. » is a fence height.
    for view in [&a, &r.for_zone("N"), &r.for_zone("UG")] {
        let heights = &rule(view, RuleKind::HauteurMax).values;
        let fences = heights
            .iter()
            .filter(|v| v.unit == Unit::Metre && v.value < 3.0);
        assert_eq!(fences.count(), 0, "{} : {heights:?}", view.about.zone);
    }
    // « … implantées soit en continuité, soit à une distance maximale de 10 m, soit en limite
    // séparative » is about buildings of one plot, not a boundary setback.
    assert!(rule(&r.for_zone("UG"), RuleKind::ReculLimites)
        .values
        .is_empty());
}

#[test]
fn sanitised_html_keeps_structure_and_drops_the_rest() {
    let ub = verderel().for_zone("UB");
    let stationnement = ub
        .sections
        .iter()
        .find(|s| s.text.intitule == "Stationnement")
        .unwrap();
    assert!(stationnement.html.starts_with('<'));
    assert!(stationnement.html.contains("<li>"));
    let xml = jaleyrac().for_zone("UG");
    for s in &xml.sections {
        assert!(!s.html.contains("<img"), "{}", s.text.id);
        assert!(!s.html.contains("style="), "{}", s.text.id);
    }
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn a_broken_regulation_is_an_error_naming_the_file() {
    let dir = root().join("target/reglement-broken");
    let cases = [
        ("a_reglement.json", "{\"idUrba\": ", "JSON illisible"),
        ("b_reglement.json", "{\"titre\": []}", "idUrba"),
        (
            "c_reglement.xml",
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><plu:ReglementDU xmlns:plu=\"u\" idUrba=\"x\"/>",
            "XML illisible",
        ),
        ("d_reglement.xml", "<html/>", "ReglementDU"),
        (
            "e_reglement.json",
            "{\"idUrba\":\"x\",\"titre\":[{\"idTitre\":\"t\",\"contenu\":[{\"html\":\"[oops\"}]}]}",
            "html",
        ),
    ];
    for (name, content, reason) in cases {
        let file = write(&dir, name, content);
        let err = urbaclic::load::reglement::read_file(&dir, &file).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains(reason), "{name}: {msg}");
    }
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value, Vec<u8>) {
    let res = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, json, body)
}

fn embedded() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| AppState::new(urbaclic::load::load_dir(&root().join("data")).unwrap()))
        .clone()
}

/// The acceptance: `/api/reglement?idurba=60668_PLU_20201207&zone=UB` on the embedded data.
#[tokio::test]
async fn the_reglement_route_answers_a_zone_with_sections_and_quoted_rules() {
    let state = embedded();
    let (status, v, _) = get(&state, "/api/reglement?idurba=60668_PLU_20201207&zone=UB").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["zone"], "UB");
    assert_eq!(v["sections"].as_array().unwrap().len(), 17);
    assert!(v["sections"][5]["html"].is_string() && v["sections"][5]["text"].is_string());
    let emprise = v["key_rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "emprise_sol")
        .unwrap();
    assert_eq!(emprise["values"][0]["value"], 40.0);
    assert!(emprise["values"][0]["sentence"]
        .as_str()
        .unwrap()
        .contains("40 % de la surface totale du terrain"));
    let (status, v, _) = get(&state, "/api/reglement").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["idurba"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["15079_PLU_20190128", "60668_PLU_20201207"]);
    for (uri, code) in [
        (
            "/api/reglement?idurba=60668_PLU_20201207&zone=UX",
            StatusCode::NOT_FOUND,
        ),
        ("/api/reglement?idurba=nope&zone=UB", StatusCode::NOT_FOUND),
        ("/api/reglement?idurba=nope", StatusCode::NOT_FOUND),
        ("/api/reglement?zone=UB", StatusCode::BAD_REQUEST),
    ] {
        let (status, v, _) = get(&state, uri).await;
        assert_eq!(status, code, "{uri}: {v}");
        assert!(
            v["error"].is_string() && v["message"].is_string(),
            "{uri}: {v}"
        );
    }
    let (_, v, _) = get(&state, "/api/reglement?idurba=60668_PLU_20201207&zone=UX").await;
    assert!(
        v["message"].as_str().unwrap().contains("UB"),
        "names the zones it knows: {v}"
    );
}

/// `tests/fixtures/reglement-join/`: Verderel's real regulation and a labelled-synthetic zone
/// declared as its zone UB.
fn joined_state() -> AppState {
    // Built once: the tests using it run in parallel and share the folder.
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(build_joined_state).clone()
}

fn build_joined_state() -> AppState {
    let dir = root().join("tests/fixtures/reglement-join");
    AppState::new(urbaclic::load::load_dir(&dir).unwrap())
}

/// A zone whose plan has a structured regulation carries its key rules in `/api/lookup`, and the
/// summary says them with the regulation's sections as sources. The zone polygon is the
/// labelled-synthetic square of `tests/fixtures/zonage-sismique/`, declared as zone UB of
/// Verderel's PLU: only the join is under test, the rules are the real ones.
#[tokio::test]
async fn a_zone_of_a_plan_with_a_structured_regulation_answers_its_key_rules() {
    let state = joined_state();
    let (lon, lat) = inside_fixture_zone();
    let (status, v, _) = get(&state, &format!("/api/lookup?lat={lat}&lon={lon}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let zone = &v["zones"][0];
    assert_eq!(zone["libelle"], "UB");
    let reg = &zone["regulation"];
    assert_eq!(reg["idurba"], "60668_PLU_20201207");
    assert_eq!(reg["sections"].as_array().unwrap().len(), 17);
    assert!(
        reg["sections"][0].get("html").is_none(),
        "answers carry text, not HTML"
    );
    let sentence = v["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["text"].as_str().unwrap().contains("règles clés"))
        .expect("a key-rules sentence");
    let text = sentence["text"].as_str().unwrap();
    assert!(text.contains("40 % (habitation, annexes)"), "{text}");
    assert!(text.contains("9 m au faîtage (habitation)"), "{text}");
    assert!(
        text.contains("Non trouvé dans le règlement : espaces verts"),
        "{text}"
    );
    assert!(sentence["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["layer"] == "reglement"
            && s["id"]
                .as_str()
                .unwrap()
                .contains("60668_PLU_20201207_reglement.json#")));
}

/// A point inside the fixture's first polygon, from the fixture file itself: the middle of its
/// first ring's bounding box (the polygons are squares).
fn inside_fixture_zone() -> (f64, f64) {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/zonage-sismique/zonage.geojson"))
            .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let ring = v["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap();
    let xs: Vec<f64> = ring.iter().map(|p| p[0].as_f64().unwrap()).collect();
    let ys: Vec<f64> = ring.iter().map(|p| p[1].as_f64().unwrap()).collect();
    let mid = |v: &[f64]| {
        (v.iter().copied().fold(f64::MAX, f64::min) + v.iter().copied().fold(f64::MIN, f64::max))
            / 2.0
    };
    (mid(&xs), mid(&ys))
}

/// The PLUi 200011781 delivery names its regulation `200011781_reglement_20180101.pdf` in NOMFIC
/// (all 222 zones, read with Python from `ZONE_URBA.dbf`) and ships it in
/// `Pieces_ecrites/3_Reglement/`: answers link to it, the server serves it, and nothing else.
#[tokio::test]
async fn delivered_pieces_are_linked_and_served_and_nothing_else() {
    let dir = root().join("tests/fixtures/cnig-validator/200011781_PLUi_20180101");
    let state = AppState::new(urbaclic::load::load_dir(&dir).unwrap());
    assert!(
        !state
            .dataset()
            .report
            .ignored
            .iter()
            .any(|f| f.ends_with(".pdf")),
        "written pieces are not 'unrecognised'"
    );
    let (_, layers, _) = get(&state, "/api/layers?layer=zones&bbox=2,46,4,48&zoom=12").await;
    let at = &layers["layers"]["zones"]["features"][0]["properties"]["label_at"];
    let (lon, lat) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    let (_, v, _) = get(&state, &format!("/api/lookup?lat={lat}&lon={lon}")).await;
    let url = v["zones"][0]["reglement_url"].as_str().unwrap();
    assert_eq!(
        url,
        "/api/pieces/Pieces_ecrites/3_Reglement/200011781_reglement_20180101.pdf"
    );
    let res = router(state.clone())
        .oneshot(Request::get(url).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let on_disk =
        std::fs::read(dir.join("Pieces_ecrites/3_Reglement/200011781_reglement_20180101.pdf"))
            .unwrap();
    assert_eq!(body.as_ref(), on_disk.as_slice());
    assert!(v["summary"].as_array().unwrap().iter().any(|s| s["text"]
        .as_str()
        .unwrap()
        .contains("Les règles de la zone ne sont pas chargées ici")));
    for bad in [
        "/api/pieces/DOC_URBA.dbf",
        "/api/pieces/Pieces_ecrites/../DOC_URBA.dbf",
        "/api/pieces/%2e%2e/%2e%2e/Cargo.toml",
        "/api/pieces/Pieces_ecrites/3_Reglement/absent.pdf",
    ] {
        let (status, v, _) = get(&state, bad).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {v}");
        assert!(v["error"].is_string(), "{bad}: {v}");
    }
}

/// The draft certificate of a place in such a zone gives its key rules with their sentences.
#[tokio::test]
async fn the_draft_certificate_quotes_the_key_rules() {
    let state = joined_state();
    let (lon, lat) = inside_fixture_zone();
    let (status, _, body) = get(&state, &format!("/api/cua?lat={lat}&lon={lon}&format=html")).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(
        html.contains("Hauteur maximale : 9 m au faîtage (habitation)"),
        "key rule"
    );
    assert!(
        html.contains("La hauteur maximale des constructions à usage d’habitation est limitée à 9 m au faîtage"),
        "its sentence"
    );
    assert!(html.contains("Espaces verts ou de pleine terre : non trouvé dans le règlement"));
}
