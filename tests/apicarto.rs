//! API Carto compatibility (`/api/gpu/*`, `/api/cadastre/*`) through the whole router, on the
//! embedded data in `data/`.
//!
//! Expected values come from the source files, with the command that gives each written beside
//! it; answer shapes from IGN's OpenAPI specifications (`../shared/data/apicarto-spec/`, checked
//! by `tests/fixtures/apicarto/check_spec.py` with Python's `jsonschema`) and from real API Carto
//! answers (`tests/fixtures/apicarto/ign/`, see its SOURCE.md).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use urbaclic::api::router;
use urbaclic::app::AppState;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn state() -> AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE
        .get_or_init(|| {
            AppState::new(urbaclic::load::load_dir(&root().join("data")).expect("data loads"))
        })
        .clone()
}

async fn send(req: Request<Body>) -> (StatusCode, Value) {
    let res = router(state())
        .oneshot(req)
        .await
        .expect("the router answers");
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{status}, not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, json)
}

/// GET `path` with `query` pairs percent-encoded (a `geom` holds braces and quotes).
async fn get(path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let qs = serde_urlencoded::to_string(query).unwrap();
    let uri = if qs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{qs}")
    };
    send(Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(path: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(req).await
}

async fn ok(path: &str, query: &[(&str, &str)]) -> Value {
    let (status, v) = get(path, query).await;
    assert_eq!(status, StatusCode::OK, "{path} {query:?}: {v}");
    v
}

/// The point of the issue's acceptance line, in zone Ucp of Arpaillargues.
const UCP_POINT: &str = r#"{"type":"Point","coordinates":[4.36968,43.99982]}"#;

/// An AC1 assiette of Corse-du-Sud: `[ac1]` of tests/fixtures/real_data/expected.txt
/// (feature 31 of AC1_ASSIETTE_SUP_S, made by make_expected.py with pyshp/shapely).
const AC1_POINT: &str = r#"{"type":"Point","coordinates":[8.6415122054,42.2402241345]}"#;

fn ids(v: &Value) -> Vec<String> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["properties"]["idu"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

// -------------------------------------------------------------------------------------------
// The acceptance lines
// -------------------------------------------------------------------------------------------

/// Expected from the source shapefile, Lambert-93 (pyproj 3.7.2, shapely, pyshp):
/// `t = pyproj.Transformer.from_crs(4326, 2154, always_xy=True); x, y = t.transform(4.36968, 43.99982)`;
/// `[i for i, s in enumerate(shapefile.Reader('data/plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_ZONE_URBA_20171013.shp').shapes()) if shape(s.__geo_interface__).contains(Point(x, y))]`
/// → `[0]`: LIBELLE `Ucp`, TYPEZONE `U`, NOMFIC `30014_reglement_20171013.pdf#page=24`, IDURBA
/// `30014_PLU_20171013`, DATVALID `20171013`; one Polygon of 7 points (`len(r.shape(0).points)`).
fn assert_ucp(v: &Value) {
    assert_eq!(v["type"], "FeatureCollection", "{v}");
    assert_eq!(v["totalFeatures"], 1, "{v}");
    let f = &v["features"][0];
    assert_eq!(f["type"], "Feature");
    let p = &f["properties"];
    assert_eq!(p["libelle"], "Ucp");
    assert_eq!(p["typezone"], "U");
    assert_eq!(p["nomfic"], "30014_reglement_20171013.pdf#page=24");
    assert_eq!(p["idurba"], "30014_PLU_20171013");
    assert_eq!(p["datvalid"], "20171013");
    // The document's approval date, from its IDURBA; the partition of a communal PLU.
    assert_eq!(p["datappro"], "20171013");
    assert_eq!(p["partition"], "DU_30014");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    let polygons = f["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(polygons.len(), 1);
    assert_eq!(polygons[0][0].as_array().unwrap().len(), 7);
    assert!(f["id"].as_str().unwrap().starts_with("zone_urba."));
}

#[tokio::test]
async fn zone_urba_at_a_point_by_get_and_by_post() {
    assert_ucp(&ok("/api/gpu/zone-urba", &[("geom", UCP_POINT)]).await);
    let geom: Value = serde_json::from_str(UCP_POINT).unwrap();
    let (status, v) = post("/api/gpu/zone-urba", json!({ "geom": geom })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_ucp(&v);
    // POST with the geometry as a string, as some clients send it.
    let (status, v) = post("/api/gpu/zone-urba", json!({ "geom": UCP_POINT })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_ucp(&v);
}

/// Expected from `data/cadastre-etalab-91216/cadastre-91216-parcelles.json` (python3 json):
/// `[f for f in fs if f['properties']['id'] == '91216000AB0037'][0]` → contenance 254881, a
/// Polygon whose ring has 204 positions, the first `[2.3264631, 48.679716]`.
#[tokio::test]
async fn a_parcel_by_its_reference_with_its_geometry() {
    let v = ok(
        "/api/cadastre/parcelle",
        &[
            ("code_insee", "91216"),
            ("section", "AB"),
            ("numero", "0037"),
        ],
    )
    .await;
    assert_eq!(v["totalFeatures"], 1, "{v}");
    let f = &v["features"][0];
    let p = &f["properties"];
    assert_eq!(p["idu"], "91216000AB0037");
    assert_eq!(p["code_insee"], "91216");
    assert_eq!(p["code_dep"], "91");
    assert_eq!(p["code_com"], "216");
    assert_eq!(p["section"], "AB");
    assert_eq!(p["numero"], "0037");
    assert_eq!(p["com_abs"], "000");
    assert_eq!(p["code_arr"], "000");
    assert_eq!(p["contenance"], 254881);
    // communes-91-essonne.geojson: code 91216, nom « Épinay-sur-Orge ».
    assert_eq!(p["nom_com"], "Épinay-sur-Orge");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
    assert_eq!(ring.len(), 204);
    assert!((ring[0][0].as_f64().unwrap() - 2.3264631).abs() < 1e-9);
    assert!((ring[0][1].as_f64().unwrap() - 48.679716).abs() < 1e-9);
    // The same padded as the cadastre does, and by POST.
    let short = ok(
        "/api/cadastre/parcelle",
        &[("code_insee", "91216"), ("section", "ab"), ("numero", "37")],
    )
    .await;
    assert_eq!(ids(&short), ["91216000AB0037"]);
    let (status, posted) = post(
        "/api/cadastre/parcelle",
        json!({"code_insee": "91216", "section": "AB", "numero": "0037"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&posted), ["91216000AB0037"]);
}

// -------------------------------------------------------------------------------------------
// Cadastre
// -------------------------------------------------------------------------------------------

/// Every parcel of both cadastre files has prefix `000` (python3: `{f['properties']['prefixe']
/// for f in fs}` → `{'000'}`): an absorbed commune's code matches none.
#[tokio::test]
async fn com_abs_is_honoured() {
    let q = |com_abs: &'static str| {
        [
            ("code_insee", "91216"),
            ("section", "AB"),
            ("numero", "0037"),
            ("com_abs", com_abs),
        ]
    };
    assert_eq!(
        ids(&ok("/api/cadastre/parcelle", &q("410")).await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&ok("/api/cadastre/parcelle", &q("000")).await),
        ["91216000AB0037"]
    );
}

/// `[paris_parcel]` of tests/fixtures/real_data/expected.txt: 75118000AI0008, contenance 10334.
#[tokio::test]
async fn paris_answers_by_arrondissement_and_by_city_code() {
    let by_arr = ok(
        "/api/cadastre/parcelle",
        &[
            ("code_insee", "75118"),
            ("section", "AI"),
            ("numero", "0008"),
        ],
    )
    .await;
    assert_eq!(ids(&by_arr), ["75118000AI0008"]);
    assert_eq!(by_arr["features"][0]["properties"]["code_arr"], "118");
    assert_eq!(by_arr["features"][0]["properties"]["contenance"], 10334);
    for query in [
        vec![
            ("code_insee", "75056"),
            ("section", "AI"),
            ("numero", "0008"),
        ],
        vec![
            ("code_insee", "75056"),
            ("code_arr", "118"),
            ("section", "AI"),
            ("numero", "8"),
        ],
    ] {
        assert_eq!(
            ids(&ok("/api/cadastre/parcelle", &query).await),
            ["75118000AI0008"],
            "{query:?}"
        );
    }
    // Another arrondissement has no parcel AI 0008 loaded.
    let other = ok(
        "/api/cadastre/parcelle",
        &[
            ("code_insee", "75056"),
            ("code_arr", "117"),
            ("section", "AI"),
            ("numero", "0008"),
        ],
    )
    .await;
    assert_eq!(other["totalFeatures"], 0);
    // The commune: 75056 finds the arrondissement loaded (its outline is the hull of its parcels).
    let c = ok("/api/cadastre/commune", &[("code_insee", "75056")]).await;
    assert_eq!(c["totalFeatures"], 1, "{c}");
    assert_eq!(c["features"][0]["properties"]["code_insee"], "75118");
}

/// communes-2A-corse-du-sud.geojson holds `{'code': '2A004', 'nom': 'Ajaccio'}` (python3 json).
#[tokio::test]
async fn corsican_codes_work() {
    for code in ["2A004", "2a004"] {
        let v = ok("/api/cadastre/commune", &[("code_insee", code)]).await;
        assert_eq!(v["totalFeatures"], 1, "{code}: {v}");
        let p = &v["features"][0]["properties"];
        assert_eq!(p["nom_com"], "Ajaccio");
        assert_eq!(p["code_dep"], "2A");
        assert_eq!(v["features"][0]["geometry"]["type"], "MultiPolygon");
    }
    let m = ok("/api/gpu/municipality", &[("insee", "2A004")]).await;
    assert_eq!(m["features"][0]["properties"]["name"], "Ajaccio");
}

/// The 12 parcels of section AB in file order (python3: `[f['properties']['id'] for f in fs if
/// f['properties']['section'] == 'AB']` → 91216000AB0037, …AB0026, …AB0039, …AB0025, …).
#[tokio::test]
async fn pages_follow_start_and_limit() {
    let all = ok(
        "/api/cadastre/parcelle",
        &[("code_insee", "91216"), ("section", "AB")],
    )
    .await;
    assert_eq!(all["totalFeatures"], 12);
    assert_eq!(all["numberReturned"], 12);
    let page = ok(
        "/api/cadastre/parcelle",
        &[
            ("code_insee", "91216"),
            ("section", "AB"),
            ("_start", "1"),
            ("_limit", "2"),
        ],
    )
    .await;
    assert_eq!(page["totalFeatures"], 12);
    assert_eq!(page["numberReturned"], 2);
    assert_eq!(ids(&page), ["91216000AB0026", "91216000AB0039"]);
}

#[tokio::test]
async fn parcels_under_a_geometry() {
    // A point inside 75118000AI0008 ([paris_parcel] of expected.txt).
    let v = ok(
        "/api/cadastre/parcelle",
        &[(
            "geom",
            r#"{"type":"Point","coordinates":[2.331582873,48.89303795]}"#,
        )],
    )
    .await;
    assert_eq!(ids(&v), ["75118000AI0008"]);
}

// -------------------------------------------------------------------------------------------
// GPU
// -------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_document_and_the_municipality_at_a_point() {
    let d = ok("/api/gpu/document", &[("geom", UCP_POINT)]).await;
    assert_eq!(d["totalFeatures"], 1, "{d}");
    let p = &d["features"][0]["properties"];
    assert_eq!(p["name"], "30014_PLU_20171013");
    assert_eq!(p["du_type"], "PLU");
    assert_eq!(p["partition"], "DU_30014");
    assert_eq!(p["grid_name"], "30014");
    assert_eq!(p["grid_title"], "Arpaillargues-et-Aureillac");
    assert_eq!(d["features"][0]["geometry"]["type"], "MultiPolygon");
    // By partition, without geometry.
    let by_partition = ok("/api/gpu/zone-urba", &[("partition", "DU_30014")]).await;
    // 90 ZONE_URBA features ([counts] of tests/fixtures/real_data/expected.txt).
    assert_eq!(by_partition["totalFeatures"], 90);
    // The same by POST, the partition in the body.
    let (status, posted) = post("/api/gpu/zone-urba", json!({"partition": "DU_30014"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(posted["totalFeatures"], 90);
    // A partition of no loaded document finds nothing.
    assert_eq!(
        ok("/api/gpu/zone-urba", &[("partition", "DU_77443")]).await["totalFeatures"],
        0
    );
    let m = ok("/api/gpu/municipality", &[("geom", UCP_POINT)]).await;
    let p = &m["features"][0]["properties"];
    assert_eq!(p["insee"], "30014");
    // A PLU applies: not RNU.
    assert_eq!(p["is_rnu"], false);
    // Épinay-sur-Orge: no planning data loaded, the manifest declares nothing: unknown.
    let m = ok("/api/gpu/municipality", &[("insee", "91216")]).await;
    assert_eq!(m["features"][0]["properties"]["is_rnu"], Value::Null);
}

/// Expected from the source shapefiles (pyproj 3.7.2, shapely, pyshp): the representative point
/// of PRESCRIPTION_SURF feature 0, `shape(r.shape(0).__geo_interface__).representative_point()`
/// taken to WGS84 with `pyproj.Transformer.from_crs(2154, 4326, always_xy=True)` →
/// (4.377011386469477, 43.99769942622825); the features containing it: PRESCRIPTION_SURF `[0]`
/// (LIBELLE « Secteur de taille et de capacité d'accueil limitées », TXT STECAL, TYPEPSC 16,
/// STYPEPSC 03, IDURBA 30014_PLU_20171013) and INFO_SURF `[4, 17]` (TYPEINF 19 then 17, IDURBA
/// `30014_PLU_20141013`, a date the delivery's document does not have). All three have DATVALID
/// `20171013` (`ogrinfo -ro -q -al -geom=NO 30014_PRESCRIPTION_SURF_20171013.shp`, same for
/// `30014_INFO_SURF_20171013.shp`).
#[tokio::test]
async fn prescriptions_and_informations_at_a_point() {
    let at = r#"{"type":"Point","coordinates":[4.377011386469477,43.99769942622825]}"#;
    let v = ok("/api/gpu/prescription-surf", &[("geom", at)]).await;
    assert_eq!(v["totalFeatures"], 1, "{v}");
    let p = &v["features"][0]["properties"];
    assert_eq!(
        p["libelle"],
        "Secteur de taille et de capacité d'accueil limitées"
    );
    assert_eq!(p["txt"], "STECAL");
    assert_eq!(p["typepsc"], "16");
    assert_eq!(p["stypepsc"], "03");
    assert_eq!(p["idurba"], "30014_PLU_20171013");
    assert_eq!(p["partition"], "DU_30014");
    assert_eq!(p["datvalid"], "20171013");
    assert_eq!(v["features"][0]["geometry"]["type"], "MultiPolygon");
    let v = ok("/api/gpu/info-surf", &[("geom", at)]).await;
    let types: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["typeinf"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["19", "17"]);
    for f in v["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["datvalid"], "20171013");
    }
    // Their IDURBA names no loaded document: no partition is made up for them.
    assert_eq!(v["features"][0]["properties"]["partition"], Value::Null);
    assert_eq!(
        v["features"][0]["properties"]["idurba"],
        "30014_PLU_20141013"
    );
    // A point is not a line or a point feature's place.
    assert_eq!(
        ok("/api/gpu/prescription-lin", &[("geom", at)]).await["totalFeatures"],
        0
    );
}

/// `[ac1]` of tests/fixtures/real_data/expected.txt: idass AC1-172014607-00099139-92, idgen
/// AC1-172014607-00099139, delivery folder `172014607_AC1_2A_20180130`.
#[tokio::test]
async fn easements_by_category_and_partition() {
    let v = ok("/api/gpu/assiette-sup-s", &[("geom", AC1_POINT)]).await;
    assert_eq!(v["totalFeatures"], 1, "{v}");
    let p = &v["features"][0]["properties"];
    assert_eq!(p["idass"], "AC1-172014607-00099139-92");
    assert_eq!(p["idgen"], "AC1-172014607-00099139");
    assert_eq!(p["suptype"], "ac1");
    assert_eq!(p["partition"], "172014607_SUP_2A_AC1");
    for (cat, n) in [("AC1", 1), ("ac1", 1), ("PM3", 0)] {
        let v = ok(
            "/api/gpu/assiette-sup-s",
            &[("geom", AC1_POINT), ("categorie", cat)],
        )
        .await;
        assert_eq!(v["totalFeatures"], n, "{cat}");
    }
    let v = ok(
        "/api/gpu/assiette-sup-s",
        &[("geom", AC1_POINT), ("partition", "172014607_SUP_2A_AC1")],
    )
    .await;
    assert_eq!(v["totalFeatures"], 1);
    // No surface assiette is a line or a point.
    assert_eq!(
        ok("/api/gpu/assiette-sup-l", &[("geom", AC1_POINT)]).await["totalFeatures"],
        0
    );
}

/// The générateur of the `[ac1]` assiette, from the staged delivery `172014607_AC1_2A_20180130`:
/// `ogrinfo -ro -q -al -where "IdGen='AC1-172014607-00099139'" AC1_GENERATEUR_SUP_S.shp` (nomGen
/// AC1_HotelLesRochesRouges_gen, typeGen Monument, modeGenere Digitalisation, srcGeoGen RGE,
/// dateSrcGen null, IdSup AC1-172014607-00099139), its act's file through
/// `AC1_SERVITUDE_ACTE_SUP.dbf` (idActe AC1-172014607-00099139-1) and `AC1_ACTE_SUP.dbf`
/// (AC1_HotelLesRochesRouges_19910308_act.pdf); a point inside it: `ogr2ogr -t_srs EPSG:4326` of
/// that feature, shapely's `representative_point()` → (8.641523345574774, 42.24023118001733).
#[tokio::test]
async fn generateurs_with_their_geometry() {
    let at = r#"{"type":"Point","coordinates":[8.641523345574774,42.24023118001733]}"#;
    let v = ok("/api/gpu/generateur-sup-s", &[("geom", at)]).await;
    assert_eq!(v["totalFeatures"], 1, "{v}");
    let f = &v["features"][0];
    assert!(matches!(
        f["geometry"]["type"].as_str(),
        Some("Polygon" | "MultiPolygon")
    ));
    let p = &f["properties"];
    assert_eq!(p["idgen"], "AC1-172014607-00099139");
    assert_eq!(p["nomgen"], "AC1_HotelLesRochesRouges_gen");
    assert_eq!(p["typegen"], "Monument");
    assert_eq!(p["modegenere"], "Digitalisation");
    assert_eq!(p["srcgeogen"], "RGE");
    assert_eq!(p["datesrcgen"], Value::Null);
    assert_eq!(p["fichier"], "AC1_HotelLesRochesRouges_19910308_act.pdf");
    assert_eq!(p["suptype"], "ac1");
    assert_eq!(p["partition"], "172014607_SUP_2A_AC1");
    for (cat, n) in [("ac1", 1), ("PM3", 0)] {
        let v = ok(
            "/api/gpu/generateur-sup-s",
            &[("geom", at), ("categorie", cat)],
        )
        .await;
        assert_eq!(v["totalFeatures"], n, "{cat}");
    }
    // The monument is a surface: no line or point générateur there.
    assert_eq!(
        ok("/api/gpu/generateur-sup-l", &[("geom", at)]).await["totalFeatures"],
        0
    );
    // The A5 water main of `123456789_A5_088_20200313` (`ogr2ogr -t_srs EPSG:4326` of
    // A5_GENERATEUR_SUP_L.shp: one LineString, bounds 6.5794–6.8598, 47.8486–48.0493; IDGEN
    // A5-123456789-1-1, DATESRCGEN 20151201; its vertex 5 of 10 at (6.749855692615266,
    // 47.89551419526955)) meets a 200 m square around that vertex.
    let around = r#"{"type":"Polygon","coordinates":[[[6.7485,47.8946],[6.7512,47.8946],[6.7512,47.8964],[6.7485,47.8964],[6.7485,47.8946]]]}"#;
    let v = ok("/api/gpu/generateur-sup-l", &[("geom", around)]).await;
    assert_eq!(v["totalFeatures"], 1, "{v}");
    // Multi, as the GPU's tables store every geometry.
    assert_eq!(v["features"][0]["geometry"]["type"], "MultiLineString");
    let p = &v["features"][0]["properties"];
    assert_eq!(p["idgen"], "A5-123456789-1-1");
    assert_eq!(p["typegen"], "Canalisation d'eau et d'assainissement");
    assert_eq!(p["datesrcgen"], "20151201");
    assert_eq!(p["suptype"], "a5");
}

#[tokio::test]
async fn all_answers_every_table() {
    let (status, v) = get("/api/gpu/all", &[("geom", UCP_POINT)]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let tables = v.as_array().expect("an array, as IGN's /all");
    // IGNF/apicarto test/controllers/gpu/all.js: 17 collections.
    assert_eq!(tables.len(), 17);
    let zone = tables
        .iter()
        .find(|t| t["featureType"] == "zone-urba")
        .unwrap();
    assert_ucp(zone);
    assert!(tables.iter().all(|t| t["type"] == "FeatureCollection"));
}

// -------------------------------------------------------------------------------------------
// Bad parameters: JSON 400, never a 500
// -------------------------------------------------------------------------------------------

/// A route, its query, and the word the 400's message must contain.
type BadCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn bad_parameters_are_json_400s_naming_them() {
    // The invalid inputs of IGNF/apicarto's own tests (test/controllers/gpu/all.js,
    // test/controllers/cadastre/{parcelle,commune}.js), and a few more.
    let cases: &[BadCase] = &[
        (
            "/api/gpu/all",
            &[("geom", r#"{"type":"Point","coordinates":[1.654399]}"#)],
            "geom",
        ),
        ("/api/gpu/zone-urba", &[("geom", "{not json")], "geom"),
        (
            "/api/gpu/zone-urba",
            &[("geom", r#"{"type":"Point","coordinates":[4.3,95]}"#)],
            "latitude",
        ),
        (
            "/api/gpu/zone-urba",
            &[(
                "geom",
                r#"{"type":"Polygon","coordinates":[[[4,44],[4.5,44],[4.5,44.5],[4,44.5],[4,44]]]}"#,
            )],
            "étendue",
        ),
        ("/api/gpu/zone-urba", &[("_limit", "5001")], "_limit"),
        ("/api/gpu/municipality", &[("insee", "testapi")], "insee"),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "testapi")],
            "code_insee",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("section", "invalid")],
            "section",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("code_arr", "invalid")],
            "code_arr",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("com_abs", "invalid")],
            "com_abs",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("numero", "12345")],
            "numero",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("_limit", "1001")],
            "_limit",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("_start", "-1")],
            "_start",
        ),
        (
            "/api/cadastre/parcelle",
            &[("code_insee", "94067"), ("source_ign", "XYZ")],
            "source_ign",
        ),
        ("/api/cadastre/parcelle", &[("section", "AB")], "code_insee"),
        (
            "/api/cadastre/commune",
            &[("code_insee", "not_valid")],
            "code_insee",
        ),
        (
            "/api/cadastre/commune",
            &[("code_insee", "91216"), ("_limit", "501")],
            "_limit",
        ),
    ];
    for (path, query, param) in cases {
        let (status, v) = get(path, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {query:?}: {v}");
        assert!(v["error"].is_string(), "{path} {query:?}: {v}");
        let message = v["message"].as_str().unwrap();
        assert!(message.contains(param), "{path} {query:?}: {message}");
    }
    // Hostile geometries: each a 400 `invalid_geometry`, none a 500.
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let bowtie = r#"{"type":"Polygon","coordinates":[[[4.36,43.99],[4.37,44.0],[4.37,43.99],[4.36,44.0],[4.36,43.99]]]}"#;
    let open_ring =
        r#"{"type":"Polygon","coordinates":[[[4.36,43.99],[4.37,43.99],[4.37,44.0],[4.36,44.0]]]}"#;
    let collection = r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[4.36,43.99]}]}"#;
    let deep_geom = format!(r#"{{"type":"Point","coordinates":{deep}}}"#);
    for geom in [
        bowtie,
        open_ring,
        collection,
        "42",
        "[]",
        deep_geom.as_str(),
    ] {
        for path in [
            "/api/gpu/zone-urba",
            "/api/cadastre/parcelle",
            "/api/gpu/all",
        ] {
            let (status, v) = get(path, &[("geom", geom)]).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {geom}: {v}");
            assert_eq!(v["error"], "invalid_geometry", "{path} {geom}: {v}");
        }
    }
    // 60,000 vertices (780 kB): over the vertex limit; 100,000 (1.3 MB): over the body limit
    // (1 MiB), refused unread.
    for (n, code) in [
        (60_000, StatusCode::BAD_REQUEST),
        (100_000, StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let line = json!({"geom": {"type": "LineString", "coordinates": vec![[4.36, 43.99]; n]}});
        let (status, v) = post("/api/gpu/zone-urba", line).await;
        assert_eq!(status, code, "{n}: {v}");
    }
    // A body that is not a JSON object.
    for body in ["[1,2]", "{\"geom\":"] {
        let req = Request::post("/api/gpu/zone-urba")
            .body(Body::from(body))
            .unwrap();
        let (status, v) = send(req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["error"], "invalid_body");
    }
}

// -------------------------------------------------------------------------------------------
// Against IGN's specification and IGN's real answers
// -------------------------------------------------------------------------------------------

/// One request per route (GET, and POST for the geometry routes), answers collected for the
/// schema check.
async fn answers_of_every_route() -> Vec<Value> {
    let gpu = [
        "municipality",
        "document",
        "zone-urba",
        "secteur-cc",
        "prescription-surf",
        "prescription-lin",
        "prescription-pct",
        "info-surf",
        "info-lin",
        "info-pct",
        "acte-sup",
        "assiette-sup-s",
        "assiette-sup-l",
        "assiette-sup-p",
        "generateur-sup-s",
        "generateur-sup-l",
        "generateur-sup-p",
    ];
    // A 300 m square in Arpaillargues (zones, prescriptions and informations of all kinds), the
    // AC1 point and a polygon in Corse-du-Sud for the easements, the AC1 monument for its
    // générateur (see `generateurs_with_their_geometry`).
    let square = r#"{"type":"Polygon","coordinates":[[[4.368,43.998],[4.372,43.998],[4.372,44.001],[4.368,44.001],[4.368,43.998]]]}"#;
    let monument = r#"{"type":"Point","coordinates":[8.641523345574774,42.24023118001733]}"#;
    let mut out = Vec::new();
    for route in gpu {
        let path = format!("/api/gpu/{route}");
        for geom in [UCP_POINT, square, AC1_POINT, monument] {
            let (status, answer) = get(&path, &[("geom", geom)]).await;
            assert_eq!(status, StatusCode::OK, "{path} {geom}: {answer}");
            out.push(json!({"spec": "gpu.yml", "path": path, "label": format!("GET {path} {geom}"), "answer": answer}));
        }
        let (status, answer) = post(
            &path,
            json!({"geom": serde_json::from_str::<Value>(square).unwrap()}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {answer}");
        out.push(json!({"spec": "gpu.yml", "path": path, "label": format!("POST {path}"), "answer": answer}));
    }
    let (_, all) = get("/api/gpu/all", &[("geom", square)]).await;
    out.push(json!({"spec": "gpu.yml", "path": "/api/gpu/all", "answer": all}));
    for (path, query) in [
        (
            "/api/cadastre/parcelle",
            vec![("code_insee", "91216"), ("section", "AB")],
        ),
        (
            "/api/cadastre/parcelle",
            vec![("code_insee", "75056"), ("section", "AI")],
        ),
        (
            "/api/cadastre/parcelle",
            vec![("code_insee", "91216"), ("com_abs", "410")],
        ),
        ("/api/cadastre/commune", vec![("code_insee", "2A004")]),
        ("/api/cadastre/commune", vec![("code_dep", "91")]),
        ("/api/cadastre/commune", vec![("geom", UCP_POINT)]),
    ] {
        let (status, answer) = get(path, &query).await;
        assert_eq!(status, StatusCode::OK, "{path} {query:?}: {answer}");
        out.push(json!({"spec": "cadastre.yml", "path": path, "label": format!("GET {path} {query:?}"), "answer": answer}));
    }
    out
}

fn spec_dir() -> PathBuf {
    // The staged specs; tests/fixtures/apicarto/spec/ holds the same files for a fresh clone.
    root().join("tests/fixtures/apicarto/spec")
}

/// Runs check_spec.py on `answers`; returns its exit status and output.
fn check_spec(answers: &[Value], extra: &[&str]) -> (bool, String) {
    let file = std::env::temp_dir().join(format!(
        "urbaclic-apicarto-{}-{}.json",
        std::process::id(),
        extra.len()
    ));
    std::fs::write(&file, serde_json::to_vec(answers).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg(root().join("tests/fixtures/apicarto/check_spec.py"))
        .arg(spec_dir())
        .arg(&file)
        .args(extra)
        .output()
        .expect("python3 runs (jsonschema and pyyaml: see .ci/run)");
    let _ = std::fs::remove_file(&file);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn ign(name: &str) -> Value {
    let path = root()
        .join("tests/fixtures/apicarto/ign")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn every_answer_matches_the_spec() {
    let answers = answers_of_every_route().await;
    // Not vacuous: the requests find features in every family that the data holds.
    let features: usize = answers
        .iter()
        .filter_map(|a| a["answer"]["totalFeatures"].as_u64())
        .map(|n| n as usize)
        .sum();
    assert!(features > 50, "{features}");
    let (ok, report) = check_spec(&answers, &[]);
    assert!(ok, "{report}");
    // And the check can fail: an id that is a number and a geometry of no GeoJSON type.
    let mut broken = answers[0].clone();
    broken["answer"]["features"][0]["id"] = json!(12);
    broken["answer"]["features"][0]["geometry"]["type"] = json!("Blob");
    let (ok, report) = check_spec(&[broken], &[]);
    assert!(!ok, "{report}");
    assert!(
        report.contains("features/0/id") && report.contains("features/0/geometry"),
        "{report}"
    );

    // The three corrections check_spec.py makes are needed by IGN's own answers: as published,
    // the cadastre spec refuses IGN's real parcel and commune answers, and only their
    // coordinates (correction 1).
    let real = vec![
        json!({"spec": "cadastre.yml", "path": "/api/cadastre/parcelle", "answer": ign("parcelle")}),
        json!({"spec": "cadastre.yml", "path": "/api/cadastre/commune", "answer": ign("commune")}),
        json!({"spec": "gpu.yml", "path": "/api/gpu/zone-urba", "answer": ign("zone-urba")}),
        json!({"spec": "gpu.yml", "path": "/api/gpu/document", "answer": ign("document")}),
    ];
    let (ok, report) = check_spec(&real, &[]);
    assert!(ok, "IGN's answers against the corrected spec: {report}");
    let (ok, report) = check_spec(&real, &["--as-published"]);
    assert!(!ok, "{report}");
    let lines: Vec<&str> = report.lines().filter(|l| l.contains(": ")).collect();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| l.contains("/geometry/coordinates/")),
        "{report}"
    );
}

/// JSON type of a value, `null` apart.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every member of IGN's answer is in ours with the same JSON type, or `null` where our data
/// lacks the field (`nulls`, each said in docs/api.md). `skip`: members IGN's answer has that ours
/// does not, each with its reason.
fn assert_same_shape(label: &str, ours: &Value, theirs: &Value, nulls: &[&str], skip: &[&str]) {
    for (key, value) in theirs.as_object().unwrap() {
        if skip.contains(&key.as_str()) {
            continue;
        }
        let mine = ours
            .get(key)
            .unwrap_or_else(|| panic!("{label}: « {key} » missing: {ours}"));
        let (a, b) = (kind(mine), kind(value));
        let allowed = a == b || (a == "null" && nulls.contains(&key.as_str())) || b == "null";
        assert!(allowed, "{label}: « {key} » is {a} here, {b} at IGN");
    }
}

#[tokio::test]
async fn field_names_and_types_are_ign_s() {
    // Members of a collection; `timeStamp` (the WFS's answer time) is not written here.
    let collection_skip = ["features", "timeStamp"];
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "zone-urba",
            ok("/api/gpu/zone-urba", &[("geom", UCP_POINT)]).await,
            // The zone's INSEE is not in Arpaillargues' ZONE_URBA; idzone/lib_idzone are not read.
            &["insee", "idzone", "lib_idzone", "destdomi", "urlfic"],
        ),
        (
            "document",
            ok("/api/gpu/document", &[("geom", UCP_POINT)]).await,
            &["id", "gpu_doc_id", "gpu_status", "gpu_timestamp"],
        ),
        (
            "municipality",
            ok("/api/gpu/municipality", &[("geom", UCP_POINT)]).await,
            &["is_deleted", "is_coastline"],
        ),
        (
            "parcelle",
            ok(
                "/api/cadastre/parcelle",
                &[
                    ("code_insee", "91216"),
                    ("section", "AB"),
                    ("numero", "0037"),
                ],
            )
            .await,
            &["feuille"],
        ),
        (
            "commune",
            ok("/api/cadastre/commune", &[("code_insee", "91216")]).await,
            &[],
        ),
    ];
    for (name, ours, nulls) in cases {
        let theirs = ign(name);
        assert_same_shape(name, &ours, &theirs, &[], &collection_skip);
        let (mine, real) = (&ours["features"][0], &theirs["features"][0]);
        assert_same_shape(name, mine, real, &[], &[]);
        assert_eq!(mine["geometry"]["type"], real["geometry"]["type"], "{name}");
        // The 2022 zone-urba answer carried a `bbox` property, the 2025 answers do not.
        assert_same_shape(
            name,
            &mine["properties"],
            &real["properties"],
            nulls,
            &["bbox"],
        );
        // Feature ids are `<table>.<key>` strings, like IGN's.
        let prefix = real["id"].as_str().unwrap().split('.').next().unwrap();
        assert!(
            mine["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{prefix}.")),
            "{name}"
        );
    }
    // An empty answer has IGN's members too.
    let empty = ok("/api/gpu/generateur-sup-l", &[("geom", UCP_POINT)]).await;
    assert_same_shape(
        "generateur-sup-l",
        &empty,
        &ign("generateur-sup-l-empty"),
        &[],
        &collection_skip,
    );
}

#[test]
fn the_committed_specs_are_the_staged_ones() {
    let staged = Path::new("/work/shared/data/apicarto-spec");
    if !staged.exists() {
        return; // A fresh clone has only the committed copy.
    }
    for name in ["gpu.yml", "cadastre.yml"] {
        assert_eq!(
            std::fs::read(staged.join(name)).unwrap(),
            std::fs::read(spec_dir().join(name)).unwrap(),
            "{name}"
        );
    }
}
