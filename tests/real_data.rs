//! Loader, reprojection and lookup on the real files in `data/`.
//!
//! Every expected value here was computed without urbaclic, from the source files, by
//! `tests/fixtures/real_data/make_expected.py` (pyproj/PROJ 9.5, pyshp, shapely/GEOS, dbfread,
//! sqlite3; output committed as `expected.txt`, section named next to each constant) and
//! `tests/fixtures/real_data/make_points.py` (the differential point set `points.tsv`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::CoordsIter;
use urbaclic::crs::Crs;
use urbaclic::dataset::Dataset;
use urbaclic::load::load_dir;
use urbaclic::lookup::{lookup, LookupAnswer};
use urbaclic::report::LoadReport;
use urbaclic::rules::SentenceKind;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data_dir() -> PathBuf {
    root().join("data")
}

/// The embedded dataset, loaded once for the whole binary.
fn data() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| load_dir(&data_dir()).expect("the embedded data loads"))
}

fn at(lon: f64, lat: f64) -> LookupAnswer {
    lookup(data(), lon, lat)
}

// ---------------------------------------------------------------------------------------------
// Reprojection
// ---------------------------------------------------------------------------------------------

/// [reprojection] of expected.txt: `Transformer.from_crs(2154, 4326, always_xy=True)` (pyproj 3.7.2,
/// PROJ 9.5.1) on the projection origin, the first vertex of five staged Lambert-93 files
/// (Arpaillargues ZONE_URBA, Pezou ZONE_URBA, PLUi ZONE_URBA, AC1 Corse ASSIETTE, PPRN Bourg-d'Oisans)
/// and three synthetic far corners of metropolitan France. (x, y, lon, lat), rounded to 1e-10°.
const L93_POINTS: [(f64, f64, f64, f64); 9] = [
    (700000.0, 6600000.0, 3.0, 46.5),
    (
        809828.8422060546,
        6323306.1023619175,
        4.3694042886,
        44.0001852837,
    ),
    (561157.26, 6754034.1, 1.1426419521, 47.8720042622),
    (
        692884.9905183396,
        6637024.9128676895,
        2.9066527692,
        46.833341599,
    ),
    (
        1200379.132300601,
        6086263.1239201445,
        9.0028818513,
        41.7062200554,
    ),
    (
        937953.8485647863,
        6450202.523868379,
        6.0264274323,
        45.1100535294,
    ),
    (100000.0, 6100000.0, -4.2069321875, 41.7544134119),
    (1250000.0, 7150000.0, 10.8621134358, 51.1984716503),
    (350000.0, 6800000.0, -1.714113807, 48.206295913),
];

/// Ground distance in metres between two nearby lon/lat points (local equirectangular, GRS80 radii
/// of curvature are within 0.5 % of these; far more than enough for a 1 cm threshold).
fn error_m(lon: f64, lat: f64, elon: f64, elat: f64) -> f64 {
    let dy = (lat - elat) * 111_132.0;
    let dx = (lon - elon) * 111_320.0 * elat.to_radians().cos();
    dx.hypot(dy)
}

fn assert_matches_proj(crs: &Crs, what: &str) {
    let mut worst: f64 = 0.0;
    for (x, y, elon, elat) in L93_POINTS {
        let (lon, lat) = crs
            .to_wgs84(x, y)
            .unwrap_or_else(|e| panic!("{what}: ({x}, {y}): {e}"));
        let err = error_m(lon, lat, elon, elat);
        assert!(
            err <= 0.01,
            "{what}: ({x}, {y}) → ({lon}, {lat}), PROJ says ({elon}, {elat}): {err:.4} m off"
        );
        worst = worst.max(err);
    }
    eprintln!("{what}: worst error vs PROJ {worst:.2e} m");
}

#[test]
fn lambert93_by_epsg_matches_proj_within_1cm() {
    let crs = Crs::from_epsg(2154).unwrap();
    assert_eq!(crs.name, "EPSG:2154");
    assert_matches_proj(&crs, "EPSG:2154");
}

/// Every distinct Lambert-93 `.prj`/`.qpj` flavour among the staged files (md5sum over all of them
/// gives 5 distinct Lambert-93 files: ESRI `RGF_1993_Lambert_93`, `RGF93_Lambert_93` with two GEOGCS
/// names, and the OGC WKT with EPSG authority in the `.qpj`).
#[test]
fn lambert93_from_staged_prj_files_matches_proj() {
    let files = [
        "plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_ZONE_URBA_20171013.prj",
        "plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/ZONE_URBA.prj",
        "plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/ZONE_URBA.qpj",
        "risk-pprn-38-covadis/38DDT20200002/N_ZONE_REG_PPRN_20200002_S_038.prj",
        "plu-parcels-rennes-35238-simplu/demo-02/PARCELLE.PRJ",
        "sup-cnig-fixtures/213000896_INT1_83044_20160130/Donnees_geographiques/INT1_ASSIETTE_SUP_S.prj",
    ];
    for f in files {
        let wkt = std::fs::read_to_string(data_dir().join(f)).unwrap();
        let crs = Crs::from_wkt(&wkt).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(crs.name, "EPSG:2154", "{f}");
        assert_matches_proj(&crs, f);
    }
}

/// A Lambert-93 WKT under a name urbaclic does not recognise goes through the generic WKT path
/// (proj4wkt): same parameters, so PROJ's answers still hold.
#[test]
fn lambert93_generic_wkt_path_matches_proj() {
    let f = "risk-pprn-38-covadis/38DDT20200002/N_ZONE_REG_PPRN_20200002_S_038.prj";
    let wkt = std::fs::read_to_string(data_dir().join(f)).unwrap();
    let renamed = wkt.replacen("RGF_1993_Lambert_93", "Conique_conforme_maison", 1);
    assert_ne!(renamed, wkt);
    let crs = Crs::from_wkt(&renamed).expect("a plain LCC WKT is understood");
    assert_ne!(
        crs.name, "EPSG:2154",
        "the generic path must be the one under test"
    );
    assert_matches_proj(&crs, "renamed ESRI WKT");
}

/// The quarry layer's `.prj` is WGS84 geographic: coordinates pass through unchanged.
#[test]
fn wgs84_prj_is_identity() {
    let wkt =
        std::fs::read_to_string(data_dir().join("risk-carrieres-paris-plub/plub_carriere.prj"))
            .unwrap();
    let crs = Crs::from_wkt(&wkt).unwrap();
    assert!(crs.is_wgs84());
    assert_eq!(
        crs.to_wgs84(2.331582873, 48.89303795).unwrap(),
        (2.331582873, 48.89303795)
    );
}

/// End to end: the first vertex of Arpaillargues ZONE_URBA feature 0 (a PolygonZ) as loaded equals
/// PROJ's reprojection of the file's first vertex ([reprojection] point 2).
#[test]
fn loaded_polygonz_vertex_matches_proj() {
    let (_, _, elon, elat) = L93_POINTS[1];
    let zone = data()
        .zones
        .features()
        .iter()
        .find(|z| z.origin.file.ends_with("30014_ZONE_URBA_20171013.shp") && z.origin.feature == 0)
        .expect("zone 0 of Arpaillargues");
    let first = zone.geometry.coords_iter().next().unwrap();
    let err = error_m(first.x, first.y, elon, elat);
    assert!(
        err < 0.01,
        "first vertex {first:?} is {err} m from PROJ's ({elon}, {elat})"
    );
}

// ---------------------------------------------------------------------------------------------
// Loader: counts, encodings, field names, CRS, documents
// ---------------------------------------------------------------------------------------------

/// [counts] of expected.txt: `len(shapefile.Reader(p))` for shapefiles, `select count(*)` for
/// GeoPackage tables, `len(features)` for GeoJSON, `len(dbfread.DBF(p))` for bare tables. No staged
/// file has null shapes (pyshp shapeType 0 count is 0 everywhere), so features + skipped = count.
const COUNTS: &[(&str, usize)] = &[
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_INFO_PCT_20171013.shp", 6),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_INFO_SURF_20171013.shp", 18),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_PRESCRIPTION_LIN_20171013.shp", 15),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_PRESCRIPTION_PCT_20171013.shp", 93),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_PRESCRIPTION_SURF_20171013.shp", 77),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques/30014_ZONE_URBA_20171013.shp", 90),
    ("plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/PRESCRIPTION_LIN.shp", 10),
    ("plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/PRESCRIPTION_PCT.shp", 26),
    ("plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/PRESCRIPTION_SURF.shp", 23),
    ("plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/ZONE_URBA.shp", 118),
    ("plu-parcels-rennes-35238-simplu/demo-02/PARCELLE.SHP", 626),
    ("plu-parcels-rennes-35238-simplu/demo-02/ZONE_URBA.shp", 1),
    ("plui-cnig-241800432/241800432_PLUi_20200128/Donnees_geographiques/241800432_PRESCRIPTION_LIN_20200128.shp", 264),
    ("plui-cnig-241800432/241800432_PLUi_20200128/Donnees_geographiques/241800432_PRESCRIPTION_PCT_20200128.shp", 167),
    ("plui-cnig-241800432/241800432_PLUi_20200128/Donnees_geographiques/241800432_PRESCRIPTION_SURF_20200128.shp", 32),
    ("plui-cnig-241800432/241800432_PLUi_20200128/Donnees_geographiques/241800432_ZONE_URBA_20200128.shp", 221),
    ("risk-carrieres-paris-plub/plub_carriere.shp", 23),
    ("risk-pprn-38-covadis/38DDT20010005/N_PERIMETRE_PPRN_20010005_S_038.shp", 1),
    ("risk-pprn-38-covadis/38DDT20010005/N_ZONE_REG_PPRN_20010005_S_038.shp", 165),
    ("risk-pprn-38-covadis/38DDT20200002/N_PERIMETRE_PPRN_20200002_S_038.shp", 1),
    ("risk-pprn-38-covadis/38DDT20200002/N_ZONE_REG_PPRN_20200002_S_038.shp", 584),
    ("sup-cnig-fixtures/110068012_PM3_28_20161104/Donnees_geographiques/PM3_ASSIETTE_SUP_S_028.shp", 3),
    ("sup-cnig-fixtures/110068012_PM3_28_20161104/Donnees_geographiques/PM3_GENERATEUR_SUP_S_028.shp", 3),
    ("sup-cnig-fixtures/123456789_A5_088_20200313/Donnees_geographiques/A5_ASSIETTE_SUP_S.shp", 1),
    ("sup-cnig-fixtures/123456789_A5_088_20200313/Donnees_geographiques/A5_GENERATEUR_SUP_L.shp", 1),
    ("sup-cnig-fixtures/172014607_AC1_2A_20180130/Donnees_geographiques/AC1_ASSIETTE_SUP_S.shp", 206),
    ("sup-cnig-fixtures/172014607_AC1_2A_20180130/Donnees_geographiques/AC1_GENERATEUR_SUP_S.shp", 104),
    ("sup-cnig-fixtures/213000896_INT1_83044_20160130/Donnees_geographiques/INT1_ASSIETTE_SUP_S.shp", 1),
    ("sup-cnig-fixtures/213000896_INT1_83044_20160130/Donnees_geographiques/INT1_GENERATEUR_SUP_S.shp", 1),
    ("risk-pprm-38-cnig-ppr/pprm_38ddt20180002.gpkg:pprm_38ddt20180002_perimetre_s", 1),
    ("risk-pprm-38-cnig-ppr/pprm_38ddt20180002.gpkg:pprm_38ddt20180002_zonereglementaireurba_s", 380),
    ("risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg:pprt_69dreal20090005_perimetre_s", 1),
    ("risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg:pprt_69dreal20090005_zonereglementaireurba_s", 25),
    ("cadastre-etalab-75118/cadastre-75118-parcelles.json", 6821),
    ("cadastre-etalab-91216/cadastre-91216-parcelles.json", 4241),
    ("communes-france-geojson/communes-2A-corse-du-sud.geojson", 124),
    ("communes-france-geojson/communes-30-gard.geojson", 353),
    ("communes-france-geojson/communes-31-haute-garonne.geojson", 587),
    ("communes-france-geojson/communes-41-loir-et-cher.geojson", 272),
    ("communes-france-geojson/communes-69-rhone.geojson", 278),
    ("communes-france-geojson/communes-91-essonne.geojson", 196),
    ("communes-france-geojson/departement-2A-corse-du-sud.geojson", 1),
    ("communes-france-geojson/departement-30-gard.geojson", 1),
    ("communes-france-geojson/departement-69-rhone.geojson", 1),
    ("plu-cnig-30014-arpaillargues/30014_PLU_20171013/30014_DOC_URBA_COM_20171013.DBF", 1),
    ("sup-cnig-fixtures/172014607_AC1_2A_20180130/Donnees_geographiques/AC1_SERVITUDE.dbf", 104),
    ("sup-cnig-fixtures/172014607_AC1_2A_20180130/Donnees_geographiques/AC1_ACTE_SUP.dbf", 104),
    ("risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg:pprt_69dreal20090005_zonereglementairefoncier_s", 10),
];

fn layer<'a>(report: &'a LoadReport, file: &str) -> &'a urbaclic::report::LayerReport {
    report
        .layers
        .iter()
        .find(|l| l.file == file)
        .unwrap_or_else(|| {
            panic!(
                "no layer report for {file}; reports: {:?}",
                report.layers.iter().map(|l| &l.file).collect::<Vec<_>>()
            )
        })
}

#[test]
fn every_file_is_read_whole() {
    let report = &data().report;
    let mut wrong = Vec::new();
    for (file, n) in COUNTS {
        let l = layer(report, file);
        if l.features + l.skipped != *n {
            wrong.push(format!(
                "{file}: {} read + {} skipped, the file has {n}",
                l.features, l.skipped
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Sums of [counts]: zones 90+118+221+1 (Rennes UB2); prescriptions 15+93+77 + 10+26+23 + 264+167+32;
/// informations 6+18; parcels 6821+4241+626; assiettes 3+1+206+1; risk zones 25+380+165+584+23;
/// risk plans: 2 GeoPackages + 2 COVADIS perimeters + the quarry overlay. Documents: one DOC_URBA
/// identity per delivery (Arpaillargues has 2 rows with the same IDURBA 30014_PLU_20171013, dbfread).
#[test]
fn totals_match_the_files() {
    let d = data();
    assert_eq!(d.zones.len(), 430);
    assert_eq!(d.prescriptions.len(), 707);
    assert_eq!(d.informations.len(), 24);
    assert_eq!(d.parcels.len(), 11688);
    assert_eq!(d.servitudes.len(), 211);
    // 1,177 regulatory zones in the five PPR sources, less the 23 quarry sectors (pyshp on
    // plub_carriere.shp), now a zoning map, plus the PPRT's 10 land-measure sectors (sqlite3:
    // `select count(*) from pprt_69dreal20090005_zonereglementairefoncier_s`).
    assert_eq!(d.risk_zones.len(), 1154 + 10);
    assert_eq!(d.risk_plans.len(), 4);
    assert_eq!(d.zoning.len(), 23);
    assert_eq!(
        d.zoning_themes
            .iter()
            .map(|t| t.key.as_str())
            .collect::<Vec<_>>(),
        ["carrieres"]
    );
    let ids: BTreeSet<&str> = d.documents.iter().map(|x| x.idurba.as_str()).collect();
    // DOC_URBA IDURBA values (dbfread): Arpaillargues, Pezou ("4117520140603"), PLUi.
    assert_eq!(
        ids,
        BTreeSet::from([
            "30014_PLU_20171013",
            "4117520140603",
            "241800432_PLUI_20200128"
        ])
    );
}

/// [encoding]: Arpaillargues has `.cpg` = 1252 and its DBF holds CP1252 bytes (0xE0 for "à", no UTF-8
/// sequence); Pezou has no `.cpg` and UTF-8 bytes; the PLUi's `.cpg` says UTF-8.
#[test]
fn dbf_encodings_are_detected() {
    let d = data();
    let zone = |suffix: &str, n: usize| {
        d.zones
            .features()
            .iter()
            .find(|z| z.origin.file.ends_with(suffix) && z.origin.feature == n)
            .unwrap_or_else(|| panic!("{suffix}#{n}"))
    };
    let arp = zone("30014_ZONE_URBA_20171013.shp", 72);
    assert_eq!(arp.libelle, "Ua");
    assert_eq!(
        arp.libelong.as_deref(),
        Some("Zone urbaine à caractère central d habitat très dense et de services, où les bâtiments sont construits en ordre continu.")
    );
    let pez = zone("41175_PLU_20140603/Donnees_geographiques/ZONE_URBA.shp", 9);
    assert_eq!(pez.libelle, "UE");
    assert_eq!(
        pez.libelong.as_deref(),
        Some("Zone urbanisée dédiée aux équipements publics")
    );
    let plui = zone("241800432_ZONE_URBA_20200128.shp", 0);
    assert_eq!(
        plui.libelong.as_deref(),
        Some("UE : zone à vocation économique")
    );

    let r = &data().report;
    let enc = |f: &str| layer(r, f).encoding.clone().unwrap_or_default();
    assert!(
        enc(COUNTS[5].0).starts_with("windows-1252"),
        "{}",
        enc(COUNTS[5].0)
    );
    assert!(
        enc(COUNTS[9].0).starts_with("UTF-8"),
        "{}",
        enc(COUNTS[9].0)
    );
    assert!(
        enc(COUNTS[15].0).starts_with("UTF-8"),
        "{}",
        enc(COUNTS[15].0)
    );
}

/// SUP packages spell the assiette id `IdAss` (PM3), `IDASS` (A5) and `idass` (INT1), the générateur
/// join key `IdGen`/`IDGEN`/`idgen` (pyshp field lists). Values from pyshp `record(0)`.
#[test]
fn sup_field_names_are_case_insensitive() {
    let d = data();
    let first = |suffix: &str| {
        d.servitudes
            .features()
            .iter()
            .find(|s| s.origin.file.ends_with(suffix) && s.origin.feature == 0)
            .unwrap_or_else(|| panic!("{suffix}"))
    };
    let pm3 = first("PM3_ASSIETTE_SUP_S_028.shp");
    assert_eq!(pm3.id_ass, "1"); // IdAss is numeric 1
    assert_eq!(
        pm3.nom_ass.as_deref(),
        Some("PM3_Auneau_Legendre_Delpierre_ass")
    );
    assert_eq!(
        pm3.nom_gen.as_deref(),
        Some("PM3_Auneau_Legendre_Delpierre_gen")
    );
    assert_eq!(pm3.categorie, "PM3");
    let a5 = first("A5_ASSIETTE_SUP_S.shp");
    assert_eq!(a5.id_ass, "A5-123456789-1-1-1");
    assert_eq!(a5.id_gen.as_deref(), Some("A5-123456789-1-1"));
    assert_eq!(a5.nom_gen.as_deref(), Some("A5_ValMoselle_gen"));
    assert_eq!(a5.id_sup.as_deref(), Some("A5-123456789-1"));
    assert_eq!(a5.categorie, "A5");
    let int1 = first("INT1_ASSIETTE_SUP_S.shp");
    assert_eq!(int1.id_ass, "Int1-213000896-1360-1-1");
    assert_eq!(
        int1.nom_gen.as_deref(),
        Some("Int1_Cimetiere_CompsSurArtuby_gen")
    );
    assert_eq!(int1.id_sup.as_deref(), Some("Int1-213000896-1360"));
    assert_eq!(int1.categorie, "INT1");
}

/// [ac1_unjoined]: assiette 132's IdGen `AC1-172014607-0009076` is not in AC1_GENERATEUR_SUP_S
/// (pyshp): it is kept with the category of its file name, and a warning names file and feature.
#[test]
fn unjoined_assiette_is_kept_and_reported() {
    let d = data();
    let s = d
        .servitudes
        .features()
        .iter()
        .find(|s| s.origin.file.ends_with("AC1_ASSIETTE_SUP_S.shp") && s.origin.feature == 132)
        .unwrap();
    assert_eq!(s.categorie, "AC1");
    assert_eq!(s.id_gen.as_deref(), Some("AC1-172014607-0009076"));
    assert!(s.nom_gen.is_none() && s.id_sup.is_none());
    let l = layer(&d.report, COUNTS[25].0);
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("AC1_ASSIETTE_SUP_S.shp") && w.contains("132")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn crs_names_are_reported() {
    let r = &data().report;
    for (file, crs) in [
        (COUNTS[5].0, "EPSG:2154"),
        (COUNTS[9].0, "EPSG:2154"),
        (COUNTS[20].0, "EPSG:2154"),
        (COUNTS[30].0, "EPSG:2154"), // gpkg srs_id 2154 (gpkg_geometry_columns)
        (COUNTS[33].0, "EPSG:4326"), // Etalab GeoJSON, no crs member
        (COUNTS[16].0, "EPSG:4326"), // quarry .prj is GEOGCS WGS84
    ] {
        assert_eq!(layer(r, file).crs.as_deref(), Some(crs), "{file}");
    }
}

/// DOC_URBA rows (dbfread): Arpaillargues TYPEDOC PLU, DATAPPRO 20171013, NOMREG
/// 30014_reglement_20171013.pdf, DOC_URBA_COM INSEE 30014; PLUi TYPEDOC "PLUI", DATAPPRO 20200128,
/// DOC_URBA_COM INSEE 18275.
#[test]
fn documents_are_read_from_doc_urba() {
    let d = data();
    let doc = |id: &str| d.documents.iter().find(|x| x.idurba == id).unwrap();
    let arp = doc("30014_PLU_20171013");
    assert_eq!(arp.typedoc, "PLU");
    assert_eq!(arp.datappro.as_deref(), Some("2017-10-13"));
    assert_eq!(arp.nomreg.as_deref(), Some("30014_reglement_20171013.pdf"));
    assert!(arp.communes.contains(&"30014".to_string()));
    let plui = doc("241800432_PLUI_20200128");
    assert_eq!(plui.typedoc, "PLUi");
    assert_eq!(plui.datappro.as_deref(), Some("2020-01-28"));
    assert!(plui.communes.contains(&"18275".to_string()));
}

/// Each staged folder loads on its own (no manifest: recognised by file names), as a user's
/// download would.
#[test]
fn each_staged_folder_loads_alone() {
    for (folder, zones, risk_zones, servitudes, parcels) in [
        ("plu-cnig-30014-arpaillargues", 90, 0, 0, 0),
        ("plu-cnig-41175-pezou", 118, 0, 0, 0),
        ("plui-cnig-241800432", 221, 0, 0, 0),
        ("sup-cnig-fixtures", 0, 0, 211, 0),
        ("risk-pprt-69-cnig-ppr", 0, 25 + 10, 0, 0),
        ("risk-pprm-38-cnig-ppr", 0, 380, 0, 0),
        ("risk-pprn-38-covadis", 0, 165 + 584, 0, 0),
        ("cadastre-etalab-75118", 0, 0, 0, 6821),
        ("cadastre-etalab-91216", 0, 0, 0, 4241),
    ] {
        let d = load_dir(&data_dir().join(folder)).unwrap_or_else(|e| panic!("{folder}: {e}"));
        assert_eq!(
            (
                d.zones.len(),
                d.risk_zones.len(),
                d.servitudes.len(),
                d.parcels.len()
            ),
            (zones, risk_zones, servitudes, parcels),
            "{folder}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Lookup on chosen points
// ---------------------------------------------------------------------------------------------

fn libelles(a: &LookupAnswer) -> Vec<&str> {
    let mut v: Vec<&str> = a.zones.iter().map(|z| z.libelle.as_str()).collect();
    v.sort();
    v
}

/// [arp_ua]: shapely `representative_point()` of Arpaillargues ZONE_URBA feature 72 (Ua), 57 m inside,
/// reprojected with pyproj. Only zone 72 contains it; no prescription surface contains it and no
/// prescription line/point is within 5 m; information surfaces 04, 17, 19 contain it; Gard commune
/// 30014 "Arpaillargues-et-Aureillac" contains it.
#[test]
fn arpaillargues_point_returns_zone_and_document() {
    let a = at(4.3736720145, 44.0000655338);
    assert_eq!(libelles(&a), ["Ua"]);
    let z = &a.zones[0];
    assert_eq!(z.typezone, "U");
    assert!(z
        .libelong
        .as_deref()
        .unwrap()
        .starts_with("Zone urbaine à caractère central"));
    let doc = a.document.as_ref().expect("document");
    assert_eq!(doc.document.idurba, "30014_PLU_20171013");
    assert_eq!(doc.document.typedoc, "PLU");
    let c = a.commune.as_ref().expect("commune");
    assert_eq!(
        (c.insee.as_str(), c.name.as_str()),
        ("30014", "Arpaillargues-et-Aureillac")
    );
    assert!(a.prescriptions.is_empty());
    let mut infos: Vec<(String, String)> = a
        .informations
        .iter()
        .map(|i| (i.code.clone(), i.libelle.clone()))
        .collect();
    infos.sort();
    assert_eq!(
        infos,
        [
            (
                "04".to_string(),
                "Périmètre de droit de préemption urbain".to_string()
            ),
            (
                "17".to_string(),
                "Zone à risque d'exposition au plomb".to_string()
            ),
            (
                "19".to_string(),
                "Zone d'assainissement collectif".to_string()
            ),
        ]
    );
    // CNIG label of information type 04/00 (InformationUrbaType_cnig_PLU_2017.csv).
    let dpu = a.informations.iter().find(|i| i.code == "04").unwrap();
    assert_eq!(dpu.label, Some("Périmètre de droit de préemption urbain"));
    assert!(a.coverage.planning && a.coverage.commune);
    assert!(!a.coverage.cadastre && !a.coverage.servitudes && !a.coverage.risks);
    assert!(a.parcel.is_none() && a.risks.is_empty() && a.servitudes.is_empty());
}

/// [arp_no_prescription]: representative point of Arpaillargues zone feature 4 (A), the first zone A
/// with no prescription (surface, line or point) within 50 m (shapely distance in Lambert-93).
#[test]
fn arpaillargues_point_without_prescription() {
    let a = at(4.3545990144, 43.9982764108);
    assert!(a.coverage.planning);
    assert!(a.prescriptions.is_empty(), "{:?}", a.prescriptions);
    assert_eq!(libelles(&a), ["A"]);
    assert_eq!(a.commune.as_ref().map(|c| c.insee.as_str()), Some("30014"));
    let mut infos: Vec<&str> = a.informations.iter().map(|i| i.libelle.as_str()).collect();
    infos.sort();
    assert_eq!(
        infos,
        [
            "Zone d'assainissement non collectif",
            "Zone à risque d'exposition au plomb"
        ]
    );
}

/// [plui_big]: PLUi ZONE_URBA feature 204 (LIBELLE "A") has the most vertices, 16,354 in 160 parts
/// (pyshp), i.e. one shell and 159 holes (shapely). Its representative point is 149 m inside; the
/// representative point of its largest hole filled by another zone lies in zone "N" only.
#[test]
fn plui_big_zone_and_its_hole() {
    let a = at(2.8290342325, 46.8144949948);
    assert_eq!(libelles(&a), ["A"]);
    assert_eq!(a.zones[0].source.id, format!("{}#204", COUNTS[15].0));
    assert_eq!(
        a.document.as_ref().map(|d| d.document.idurba.as_str()),
        Some("241800432_PLUI_20200128")
    );
    let hole = at(2.8390039791, 46.8773691316);
    assert_eq!(
        libelles(&hole),
        ["N"],
        "a point in a hole of zone A must not be in A"
    );
    let big = data()
        .zones
        .features()
        .iter()
        .find(|z| z.origin.file == COUNTS[15].0 && z.origin.feature == 204)
        .unwrap();
    assert_eq!(big.geometry.coords_count(), 16354);
}

/// [pprn]: N_ZONE_REG_PPRN_20200002 feature 1, codezone "RA,T3", typereg "03", nom "Inconstructible
/// sauf exceptions - RA,T3", the only regulatory zone containing its representative point, which
/// lies inside the perimeter (id_gaspar 38DDT20200002, datevalid 2022-12-23).
#[test]
fn pprn_point_returns_its_zone() {
    let a = at(6.0572643931, 45.0170977339);
    assert_eq!(a.risks.len(), 1, "{:?}", a.risks);
    let r = &a.risks[0];
    assert_eq!(r.zone_code, "RA,T3");
    assert_eq!(r.regulation.as_deref(), Some("03"));
    assert_eq!(r.zone_label, "Inconstructible sauf exceptions - RA,T3");
    assert_eq!(r.procedure, "38DDT20200002");
    assert_eq!(r.plan_date.as_deref(), Some("2022-12-23"));
    assert_eq!(serde_json::to_value(r.kind).unwrap(), "PPRN");
    assert!(a.coverage.risks);
}

/// [ac1]: AC1_ASSIETTE_SUP_S feature 31 (idAss AC1-172014607-00099139-92), the only assiette
/// containing its representative point; IdGen → AC1_GENERATEUR_SUP_S nomGen
/// "AC1_HotelLesRochesRouges_gen", IdSup → AC1_SERVITUDE categorie "AC1", nomSupLitt "Hôtel Les
/// Roches Rouges"; commune 2A212 (Piana). Label of AC1 from sup_categoriesup.csv.
#[test]
fn ac1_assiette_joined_to_generateur_and_servitude() {
    let a = at(8.6415122054, 42.2402241345);
    assert_eq!(a.servitudes.len(), 1, "{:?}", a.servitudes);
    let s = &a.servitudes[0];
    assert_eq!(s.categorie, "AC1");
    assert_eq!(
        s.categorie_label,
        Some("Servitude relative aux monuments historiques (immeubles classés et inscrits, abords des monuments historiques)")
    );
    assert_eq!(s.id_ass, "AC1-172014607-00099139-92");
    assert_eq!(s.id_gen.as_deref(), Some("AC1-172014607-00099139"));
    assert_eq!(s.nom_gen.as_deref(), Some("AC1_HotelLesRochesRouges_gen"));
    assert_eq!(s.id_sup.as_deref(), Some("AC1-172014607-00099139"));
    assert_eq!(s.nom_sup_litt.as_deref(), Some("Hôtel Les Roches Rouges"));
    assert_eq!(a.commune.as_ref().map(|c| c.insee.as_str()), Some("2A212"));
    assert!(a.coverage.servitudes);
}

/// [paris_parcel]: representative point of parcel 75118000AI0008 (section AI, numero "8", contenance
/// 10334) in the Etalab GeoJSON; no other parcel contains it; quarry sector "1" contains it (shapely on
/// plub_carriere.shp). Commune name: BAN `nom_commune` of code 75118.
#[test]
fn paris_point_returns_parcel_commune_and_quarry() {
    let a = at(2.331582873, 48.89303795);
    let p = a.parcel.as_ref().expect("parcel");
    assert_eq!(p.id, "75118000AI0008");
    assert_eq!(p.section, "AI");
    assert_eq!(p.contenance, Some(10334.0));
    let c = a.commune.as_ref().expect("commune");
    assert_eq!(
        (c.insee.as_str(), c.name.as_str()),
        ("75118", "Paris 18e Arrondissement")
    );
    let quarries = carrieres(&a);
    assert_eq!(quarries.zones.len(), 1, "{:?}", quarries.zones);
    assert_eq!(quarries.zones[0].code, "1");
    assert_eq!(
        quarries.zones[0].label,
        "Secteur d'anciennes carrières n° 1"
    );
    assert!(quarries.covered && a.coverage.cadastre);
    // The quarry map is not a risk-prevention plan: risks were not checked here.
    assert!(a.risks.is_empty() && !a.coverage.risks);
    assert!(a.document.is_none() && !a.coverage.planning);
}

/// [paris_north]: representative point of parcel 75118000AA0001, lat 48.8997 > 48.8956, in no quarry
/// sector (shapely): the quarry map covers the 18e (coverage_communes = ["75118"] in the manifest),
/// so the answer is "covered, no quarry", not "no data".
#[test]
fn paris_north_is_covered_without_quarry() {
    let a = at(2.3307096298, 48.8996871);
    assert_eq!(
        a.parcel.as_ref().map(|p| p.id.as_str()),
        Some("75118000AA0001")
    );
    let quarries = carrieres(&a);
    assert!(quarries.zones.is_empty(), "{:?}", quarries.zones);
    assert!(quarries.covered, "the quarry map covers the whole 18e");
    assert!(a
        .summary
        .iter()
        .any(|s| s.text.contains("hors des zones de cette carte")));
}

/// lon -5, lat 45: Bay of Biscay, 100+ km from every staged layer (all bboxes in [bboxes] and SOURCE.md).
#[test]
fn point_at_sea_is_empty_and_uncovered() {
    let a = at(-5.0, 45.0);
    assert!(a.commune.is_none() && a.parcel.is_none() && a.document.is_none());
    assert!(a.zones.is_empty() && a.prescriptions.is_empty() && a.informations.is_empty());
    assert!(a.servitudes.is_empty() && a.risks.is_empty());
    let c = &a.coverage;
    assert!(!c.commune && !c.cadastre && !c.planning && !c.servitudes && !c.risks);
    assert!(c.sources.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Differential test: 1,650 seeded points against shapely on the source files
// ---------------------------------------------------------------------------------------------

/// The answer's section of the Paris former-quarries zoning theme (declared in `data/urbaclic.toml`).
fn carrieres(a: &LookupAnswer) -> &urbaclic::family::zoning::ZoningSection {
    a.zonings
        .iter()
        .find(|z| z.theme == "carrieres")
        .expect("the embedded data declares the carrieres theme")
}

fn split(col: &str) -> BTreeSet<String> {
    if col == "-" {
        BTreeSet::new()
    } else {
        col.split('|').map(str::to_string).collect()
    }
}

/// points.tsv (make_points.py, seed 20261125): 150 random points per region (the bounding boxes of
/// each PLU, PPR, cadastre, plus a box around Ajaccio's monuments), with what GEOS finds there in the
/// source files. Points within 1 m of a boundary were left out by the generator.
///
/// A point inside a parcel is answered for the whole parcel: features under the point itself carry
/// `at_point`, and the zones and risk zones must be exactly those overlapping the parcel (`sure`,
/// plus any of the `maybe` ones that only touch it). Elsewhere every feature answered is at the point.
/// The coverage flags must match where the generator is sure ("no data here" vs "nothing here").
#[test]
fn lookup_agrees_with_shapely_on_random_points() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/real_data/points.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    let mut parcel_checks = 0;
    let mut coverage_checks = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 22, "{line}");
        let (region, lon, lat) = (
            f[0],
            f[1].parse::<f64>().unwrap(),
            f[2].parse::<f64>().unwrap(),
        );
        n += 1;
        let a = at(lon, lat);
        let here = format!("{region} ({lon}, {lat})");
        // One commune / parcel is answered; it must be one of the candidates, and present iff any is.
        let communes = split(f[3]);
        let got_c = a.commune.as_ref().map(|c| c.insee.clone());
        if got_c
            .as_ref()
            .map_or(!communes.is_empty(), |c| !communes.contains(c))
        {
            failures.push(format!(
                "{here} commune: got {got_c:?}, shapely {communes:?}"
            ));
        }
        let parcels = split(f[4]);
        let got_p = a.parcel.as_ref().map(|p| p.id.clone());
        if got_p
            .as_ref()
            .map_or(!parcels.is_empty(), |p| !parcels.contains(p))
        {
            failures.push(format!("{here} parcel: got {got_p:?}, shapely {parcels:?}"));
        }
        // Coverage flags: "1"/"0" where shapely is sure (see make_points.py), "?" left unchecked.
        for (what, col, got) in [
            ("cadastre", 14, a.coverage.cadastre),
            ("planning", 15, a.coverage.planning),
            ("servitudes", 16, a.coverage.servitudes),
            ("risks", 17, a.coverage.risks),
            ("zoning carrieres", 21, carrieres(&a).covered),
        ] {
            // A point in a parcel is answered for the parcel: covered at the point implies covered
            // for the parcel, but the parcel may reach coverage the point itself is outside of.
            let want = match f[col] {
                "1" => true,
                "0" if got_p.is_none() => false,
                _ => continue,
            };
            coverage_checks += 1;
            if got != want {
                failures.push(format!(
                    "{here} coverage.{what}: got {got}, expected {want}"
                ));
            }
        }
        macro_rules! ids {
            ($v:expr, $pred:expr) => {
                $v.iter()
                    .filter($pred)
                    .map(|x| x.source.id.clone())
                    .collect::<BTreeSet<String>>()
            };
        }
        let mut check = |what: &str, got: BTreeSet<String>, want: BTreeSet<String>| {
            if got != want {
                failures.push(format!("{here} {what}: got {got:?}, shapely {want:?}"));
            }
        };
        check(
            "zones at point",
            ids!(a.zones, |z| z.hit.at_point),
            split(f[5]),
        );
        check(
            "prescriptions at point",
            ids!(a.prescriptions, |z| z.hit.at_point),
            split(f[6]),
        );
        check(
            "informations at point",
            ids!(a.informations, |z| z.hit.at_point),
            split(f[7]),
        );
        check(
            "servitudes at point",
            ids!(a.servitudes, |z| z.hit.at_point),
            split(f[8]),
        );
        check(
            "risks at point",
            ids!(a.risks, |z| z.hit.at_point),
            split(f[9]),
        );
        let quarries = &carrieres(&a).zones;
        check(
            "zoning at point",
            ids!(quarries, |z| z.hit.at_point),
            split(f[18]),
        );
        if parcels.len() == 1 && got_p.is_some() {
            parcel_checks += 1;
            for (what, got, sure, maybe) in [
                (
                    "zones on parcel",
                    ids!(a.zones, |_| true),
                    split(f[10]),
                    split(f[11]),
                ),
                (
                    "risks on parcel",
                    ids!(a.risks, |_| true),
                    split(f[12]),
                    split(f[13]),
                ),
                (
                    "zoning on parcel",
                    ids!(quarries, |_| true),
                    split(f[19]),
                    split(f[20]),
                ),
            ] {
                let allowed: BTreeSet<String> = sure.union(&maybe).cloned().collect();
                if !sure.is_subset(&got) || !got.is_subset(&allowed) {
                    failures.push(format!(
                        "{here} {what}: got {got:?}, shapely overlap {sure:?}, touching {maybe:?}"
                    ));
                }
            }
        } else if parcels.is_empty() {
            check("zones (no parcel)", ids!(a.zones, |_| true), split(f[5]));
            check("risks (no parcel)", ids!(a.risks, |_| true), split(f[9]));
            check("zoning (no parcel)", ids!(quarries, |_| true), split(f[18]));
        }
    }
    assert_eq!(n, 1650);
    assert!(
        coverage_checks > 5000,
        "only {coverage_checks} coverage flags checked"
    );
    assert!(
        parcel_checks >= 200,
        "only {parcel_checks} points in a parcel"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Corrupt and missing files: an error naming the file, never a panic
// ---------------------------------------------------------------------------------------------

/// A scratch copy of staged folders, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, folders: &[&str]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("urbaclic-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in folders {
            copy_dir(&data_dir().join(f), &dir.join(f));
        }
        Scratch(dir)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Loads `dir`, expecting an error whose message names `file_name`; a panic fails the test too.
fn assert_load_error(dir: &Path, file_name: &str) -> String {
    let result = std::panic::catch_unwind(|| load_dir(dir).map(|_| ()));
    match result {
        Err(_) => panic!("load_dir panicked on a corrupt {file_name}"),
        Ok(Ok(())) => panic!("load_dir accepted a corrupt {file_name}"),
        Ok(Err(e)) => {
            let msg = e.to_string();
            assert!(
                msg.contains(file_name),
                "error does not name {file_name}: {msg}"
            );
            msg
        }
    }
}

const PEZOU_GEO: &str = "plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques";

#[test]
fn truncated_dbf_is_an_error_naming_it() {
    let s = Scratch::new("dbf", &["plu-cnig-41175-pezou"]);
    let f = s.path(&format!("{PEZOU_GEO}/ZONE_URBA.dbf"));
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    assert_load_error(&s.0, "ZONE_URBA.dbf");
    // Cut inside the header, too.
    std::fs::write(&f, &bytes[..40]).unwrap();
    assert_load_error(&s.0, "ZONE_URBA.dbf");
    std::fs::write(&f, b"").unwrap();
    assert_load_error(&s.0, "ZONE_URBA.dbf");
}

#[test]
fn garbage_or_truncated_shp_is_an_error_naming_it() {
    let s = Scratch::new("shp", &["plu-cnig-41175-pezou"]);
    let f = s.path(&format!("{PEZOU_GEO}/ZONE_URBA.shp"));
    let bytes = std::fs::read(&f).unwrap();
    // Pseudo-random garbage of the same length (xorshift, seed 1).
    let mut x: u32 = 1;
    let garbage: Vec<u8> = (0..bytes.len())
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    std::fs::write(&f, &garbage).unwrap();
    assert_load_error(&s.0, "ZONE_URBA.shp");
    // A valid header followed by half the records.
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    assert_load_error(&s.0, "ZONE_URBA.shp");
    // Header only (100 bytes, says the file is longer).
    std::fs::write(&f, &bytes[..100]).unwrap();
    assert_load_error(&s.0, "ZONE_URBA.shp");
    std::fs::write(&f, b"").unwrap();
    assert_load_error(&s.0, "ZONE_URBA.shp");
}

#[test]
fn missing_or_garbage_prj_is_an_error_naming_it() {
    let s = Scratch::new("prj", &["plu-cnig-41175-pezou"]);
    let f = s.path(&format!("{PEZOU_GEO}/PRESCRIPTION_SURF.prj"));
    std::fs::remove_file(&f).unwrap();
    assert_load_error(&s.0, "PRESCRIPTION_SURF.prj");
    std::fs::write(&f, "PROJCS[\"what\",GARBAGE[").unwrap();
    assert_load_error(&s.0, "PRESCRIPTION_SURF.prj");
}

#[test]
fn bad_geopackage_is_an_error_naming_it() {
    let s = Scratch::new("gpkg", &["risk-pprt-69-cnig-ppr"]);
    let f = s.path("risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(
        &f,
        b"this is not an SQLite file at all, just text\n".repeat(100),
    )
    .unwrap();
    assert_load_error(&s.0, "pprt_69dreal20090005.gpkg");
    // A real SQLite header but the file cut after its first pages.
    std::fs::write(&f, &bytes[..8192.min(bytes.len() / 2)]).unwrap();
    assert_load_error(&s.0, "pprt_69dreal20090005.gpkg");
    std::fs::write(&f, b"").unwrap();
    assert_load_error(&s.0, "pprt_69dreal20090005.gpkg");
}

#[test]
fn truncated_geojson_is_an_error_naming_it() {
    let s = Scratch::new("geojson", &["cadastre-etalab-91216"]);
    let f = s.path("cadastre-etalab-91216/cadastre-91216-parcelles.json");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 3]).unwrap();
    assert_load_error(&s.0, "cadastre-91216-parcelles.json");
}

#[test]
fn bad_manifest_is_an_error_naming_it() {
    let s = Scratch::new("manifest", &["plu-cnig-41175-pezou"]);
    let m = s.path("urbaclic.toml");
    for (what, text) in [
        ("syntax", "[[source]\npath = \"plu-cnig-41175-pezou\"\n"),
        ("wrong type", "[[source]]\npath = 42\n"),
        ("unknown key", "[[source]]\npath = \"plu-cnig-41175-pezou\"\ncolour = \"red\"\n"),
        ("unknown role", "[[source]]\npath = \"plu-cnig-41175-pezou/41175_PLU_20140603/Donnees_geographiques/ZONE_URBA.shp\"\nrole = \"teapot\"\n"),
    ] {
        std::fs::write(&m, text).unwrap();
        let msg = assert_load_error(&s.0, "urbaclic.toml");
        eprintln!("{what}: {msg}");
    }
    // A source that does not exist: the error names it.
    std::fs::write(&m, "[[source]]\npath = \"nowhere-to-be-found\"\n").unwrap();
    assert_load_error(&s.0, "nowhere-to-be-found");
}

#[test]
fn missing_data_folder_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join("urbaclic-no-such-folder-4242");
    assert_load_error(&dir, "urbaclic-no-such-folder-4242");
}

/// Opens a scratch copy of the PPRT GeoPackage for surgery (rusqlite is a dependency of the crate).
fn pprt_copy(name: &str) -> (Scratch, rusqlite::Connection) {
    let s = Scratch::new(name, &["risk-pprt-69-cnig-ppr"]);
    let c = rusqlite::Connection::open(s.path("risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg"))
        .unwrap();
    (s, c)
}

/// A GeoPackage whose schema names a column with bytes that are not UTF-8 (a flipped byte in
/// `sqlite_master`, as a bit-flip fuzz of the staged file produced): an error naming the file.
#[test]
fn gpkg_column_name_not_utf8_is_an_error() {
    let (s, c) = pprt_copy("gpkg-colname");
    let table = "pprt_69dreal20090005_procedure";
    let sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    let mut bytes = sql.into_bytes();
    let at = bytes
        .windows(16)
        .position(|w| w == b"libelleprocedure")
        .expect("column libelleprocedure");
    bytes[at + 6] = 0xC3; // "libell\xC3(procedure": a truncated two-byte sequence
    bytes[at + 7] = b'(';
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    c.execute_batch(&format!(
        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = CAST(X'{hex}' AS TEXT) WHERE name = '{table}'; PRAGMA writable_schema = OFF;"
    ))
    .unwrap();
    drop(c);
    assert_load_error(&s.0, "pprt_69dreal20090005.gpkg");
}

/// A GeoPackage geometry whose WKB declares 4,294,967,295 points in a 41-byte blob must be skipped
/// (or be an error naming the file), not make the process try to allocate 68 GB and abort. Run in a
/// child process, since an allocation failure aborts instead of unwinding.
#[test]
fn gpkg_wkb_with_absurd_point_count_does_not_abort() {
    const CHILD: &str = "URBACLIC_TEST_CHILD_WKB";
    if let Ok(dir) = std::env::var(CHILD) {
        let r = load_dir(Path::new(&dir));
        match r {
            Ok(d) => {
                let l = layer(&d.report, "risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg:pprt_69dreal20090005_zonereglementaireurba_s");
                assert_eq!(l.skipped, 1, "the bad geometry is skipped and counted");
                assert!(
                    l.warnings.iter().any(|w| w.contains("entité 0")),
                    "{:?}",
                    l.warnings
                );
            }
            Err(e) => assert!(e.to_string().contains("pprt_69dreal20090005.gpkg"), "{e}"),
        }
        return;
    }
    let (s, c) = pprt_copy("gpkg-wkb");
    let table = "pprt_69dreal20090005_zonereglementaireurba_s";
    // The R-tree triggers call SpatiaLite functions plain SQLite lacks: drop them for the edit.
    let triggers: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        c.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
    }
    // GP header (magic, version 0, flags 0x01 = little-endian, no envelope, srs_id 2154), then WKB:
    // little-endian Polygon, 1 ring, 0xFFFFFFFF points, and only two coordinates' worth of bytes.
    let blob = format!(
        "47500001{}{}{}{}{}{}",
        "6A080000",
        "01",
        "03000000",
        "01000000",
        "FFFFFFFF",
        "00".repeat(32)
    );
    c.execute_batch(&format!(
        "UPDATE \"{table}\" SET geom = X'{blob}' WHERE fid = (SELECT min(fid) FROM \"{table}\")"
    ))
    .unwrap();
    drop(c);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "gpkg_wkb_with_absurd_point_count_does_not_abort",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &s.0)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr
        .lines()
        .filter(|l| !l.starts_with(' '))
        .take(8)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        out.status.success(),
        "loading died ({}):\n{tail}",
        out.status
    );
}

/// Features without geometry are skipped with a counted warning naming file and feature.
#[test]
fn null_geometry_is_skipped_with_a_warning() {
    let s = Scratch::new("nullgeom", &[]);
    std::fs::create_dir_all(s.path("cad")).unwrap();
    std::fs::write(
        s.path("cad/cadastre-99999-parcelles.json"),
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"id":"99999000AB0001"},"geometry":null},
            {"type":"Feature","properties":{"id":"99999000AB0002"},"geometry":{"type":"Polygon","coordinates":[[[2.3,48.6],[2.31,48.6],[2.31,48.61],[2.3,48.61],[2.3,48.6]]]}}]}"#,
    )
    .unwrap();
    let d = load_dir(&s.0).unwrap();
    assert_eq!(d.parcels.len(), 1);
    let l = layer(&d.report, "cad/cadastre-99999-parcelles.json");
    assert_eq!((l.features, l.skipped), (1, 1));
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("cadastre-99999-parcelles.json") && w.contains("entité 0")),
        "{:?}",
        l.warnings
    );
}

/// Without its `.cpg`, Arpaillargues' ZONE_URBA.dbf (CP1252 bytes: 0xE0 for "à", not valid UTF-8)
/// must still decode as CP1252: same LIBELONG as [encoding] arp_zone72 (pyshp, cp1252).
#[test]
fn cp1252_without_cpg_falls_back_to_cp1252() {
    let s = Scratch::new("nocpg", &["plu-cnig-30014-arpaillargues"]);
    let geo = "plu-cnig-30014-arpaillargues/30014_PLU_20171013/Donnees_geographiques";
    std::fs::remove_file(s.path(&format!("{geo}/30014_ZONE_URBA_20171013.cpg"))).unwrap();
    let d = load_dir(&s.0).unwrap();
    let z = d
        .zones
        .features()
        .iter()
        .find(|z| z.origin.feature == 72)
        .unwrap();
    assert_eq!(
        z.libelong.as_deref(),
        Some("Zone urbaine à caractère central d habitat très dense et de services, où les bâtiments sont construits en ordre continu.")
    );
    let l = layer(&d.report, &format!("{geo}/30014_ZONE_URBA_20171013.shp"));
    assert!(
        l.encoding
            .as_deref()
            .unwrap_or("")
            .starts_with("windows-1252"),
        "{:?}",
        l.encoding
    );
}

/// The load report says how much memory the loaded data takes (start-up time is measured by
/// `cargo bench --bench load`, not asserted here).
#[test]
fn load_report_gives_memory() {
    let r = &data().report;
    assert!(r.memory_mib.is_some_and(|m| m > 0.0), "{:?}", r.memory_mib);
}

/// "No zone here" and "no data here" must not contradict each other: whatever the answer lists for a
/// layer family, one of that family's coverage areas (commune or département boundaries, plan
/// perimeters, declared communes, or the hull of a source's features) meets the place. The coverage
/// sources of an answer come from those polygons alone, so this fails if a source's coverage misses
/// its own features. Checked on every point of points.tsv and on the representative point (shapely)
/// of quarry sector 10 (plub_carriere.shp feature 1, 14e arrondissement, outside the declared 18e).
#[test]
fn listed_features_imply_coverage() {
    use urbaclic::dataset::CoverageLayer;
    let text = std::fs::read_to_string(root().join("tests/fixtures/real_data/points.tsv")).unwrap();
    let mut points: Vec<(f64, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    points.push((2.3340643, 48.8347324));
    let mut violations = Vec::new();
    let mut checked = 0;
    for (lon, lat) in points {
        let a = at(lon, lat);
        let sources = &a.coverage.sources;
        let covered_by = |layer: CoverageLayer, scope: Option<&str>| {
            sources
                .iter()
                .any(|s| s.layer == layer && (scope.is_none() || s.scope.as_deref() == scope))
        };
        let mut families = vec![
            (
                "parcel/cadastre",
                a.parcel.is_some(),
                covered_by(CoverageLayer::Cadastre, None),
            ),
            (
                "zones/planning",
                !a.zones.is_empty(),
                covered_by(CoverageLayer::Planning, None),
            ),
            (
                "servitudes",
                !a.servitudes.is_empty(),
                covered_by(CoverageLayer::Servitudes, None),
            ),
            (
                "risks",
                !a.risks.is_empty(),
                covered_by(CoverageLayer::Risks, None),
            ),
        ];
        for z in &a.zonings {
            families.push((
                "zoning",
                !z.zones.is_empty(),
                covered_by(CoverageLayer::Zoning, Some(&z.theme)),
            ));
        }
        for (what, listed, covered) in families {
            checked += usize::from(listed);
            if listed && !covered {
                violations.push(format!(
                    "({lon}, {lat}): {what} listed but no coverage area"
                ));
            }
        }
    }
    assert!(checked > 500, "only {checked} listed families checked");
    assert!(
        violations.is_empty(),
        "{} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// A DBF row flagged deleted (`*`): its shape is dropped, every other feature keeps its own
/// attributes, its geometry and its feature number (the `file#n` id answers cite). Values from pyshp on
/// the untouched Pezou ZONE_URBA: record 9 is "UE", first vertex (pyproj) 1.1471891171, 47.8712866056;
/// record 117 is "1AUY", first vertex 1.1333636495, 47.8652994501.
#[test]
fn deleted_dbf_row_keeps_features_aligned_and_numbered() {
    let s = Scratch::new("deleted", &["plu-cnig-41175-pezou"]);
    let dbf = s.path(&format!("{PEZOU_GEO}/ZONE_URBA.dbf"));
    let mut bytes = std::fs::read(&dbf).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    bytes[header_len + 5 * record_len] = b'*'; // delete row 5
    std::fs::write(&dbf, &bytes).unwrap();
    let d = load_dir(&s.0).unwrap();
    assert_eq!(d.zones.len(), 117);
    for (n, libelle, lon, lat) in [
        (9, "UE", 1.1471891171, 47.8712866056),
        (117, "1AUY", 1.1333636495, 47.8652994501),
    ] {
        let z = d
            .zones
            .features()
            .iter()
            .find(|z| {
                z.libelle == libelle && {
                    let c = z.geometry.coords_iter().next().unwrap();
                    error_m(c.x, c.y, lon, lat) < 0.01
                }
            })
            .unwrap_or_else(|| panic!("shape {n} ({libelle}) lost or misaligned"));
        assert_eq!(
            z.origin.feature, n,
            "{libelle}: feature number shifted by the deleted row"
        );
    }
    assert!(d.zones.features().iter().all(|z| z.origin.feature != 5));
}

// ---------------------------------------------------------------------------------------------
// What easements, prescriptions and risk zones mean
// ---------------------------------------------------------------------------------------------

/// [ac1] point (Hôtel Les Roches Rouges, Piana): within the abords of a historic monument the
/// works need the ABF's agreement (code du patrimoine, art. L632-2 applied by L621-32; ministère de
/// la Culture, « Les travaux en abords de monuments historiques »): the item and its sentence say so.
#[test]
fn ac1_answer_says_the_abf_must_agree() {
    let a = at(8.6415122054, 42.2402241345);
    let s = &a.servitudes[0];
    assert!(s.consult.contains("Architecte des Bâtiments de France"));
    assert!(s.legal_basis.contains("Code du patrimoine"));
    let sentence = a
        .summary
        .iter()
        .find(|x| x.text.starts_with("Servitude AC1"))
        .expect("the AC1 sentence");
    assert!(sentence
        .text
        .contains("accord de l'Architecte des Bâtiments de France"));
    assert!(sentence.text.contains("Base légale : Code du patrimoine"));
}

/// Upper town of Bonifacio (lon 9.16, lat 41.3874): many AC1 perimeters overlap there (the SUP
/// fixture's générateurs at "2A041|Bonifacio|…" addresses). One sentence says them all, counting
/// every assiette of the answer's list and naming the citadel.
#[test]
fn repeated_assiettes_make_one_sentence() {
    let a = at(9.16, 41.3874);
    assert!(a.servitudes.len() > 5, "{}", a.servitudes.len());
    assert!(a.servitudes.iter().all(|s| s.categorie == "AC1"));
    let sentences: Vec<_> = a
        .summary
        .iter()
        .filter(|s| s.kind == SentenceKind::Servitude)
        .collect();
    assert_eq!(sentences.len(), 1, "{sentences:?}");
    let text = &sentences[0].text;
    assert!(
        text.starts_with(&format!(
            "{} assiettes de la servitude AC1",
            a.servitudes.len()
        )),
        "{text}"
    );
    assert!(text.contains("Citadelle de Bonifacio"), "{text}");
    assert_eq!(sentences[0].sources.len(), a.servitudes.len());
}

/// [pprn] point: zone RA,T3 of PPRN 38DDT20200002, typereg 03, nom "Inconstructible sauf
/// exceptions - RA,T3" (N_ZONE_REG_PPRN_20200002_S_038.dbf; CNIG typereglement 03 = interdiction). The
/// sentence says the regulation in words and its legal basis, not "[interdiction]".
#[test]
fn risk_zone_is_worded() {
    let a = at(6.0572643931, 45.0170977339);
    let r = &a.risks[0];
    assert_eq!(r.hazard, "risques naturels");
    let s = a
        .summary
        .iter()
        .find(|s| s.text.starts_with("PPRN 38DDT20200002"))
        .expect("the risk sentence");
    assert!(!s.text.contains('['), "{}", s.text);
    assert!(s
        .text
        .contains("Règlement de type « interdiction » : construire y est interdit"));
    assert!(s.text.contains("L562-1"));
    assert!(a.summary.iter().any(|s| s
        .text
        .starts_with("Risques vérifiés : seulement ceux des plans chargés")));
}

/// [paris_parcel]: Paris 18e has parcels and the former-quarries zoning map but no risk plan
/// (data/urbaclic.toml): the answer must not say risks were checked, and names what was not.
#[test]
fn paris_does_not_claim_risks_were_checked() {
    let a = at(2.331582873, 48.89303795);
    let texts: Vec<&str> = a.summary.iter().map(|s| s.text.as_str()).collect();
    assert!(
        !texts.iter().any(|t| t.contains("hors de toute zone réglementée")
            || t.contains("Risques vérifiés")),
        "{texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t.contains("les risques réglementés par un PPR n'ont pas été vérifiés")));
    let unchecked = texts
        .iter()
        .find(|t| t.starts_with("Non vérifiés"))
        .expect("the not-checked sentence");
    assert!(unchecked.contains("zonage sismique") && unchecked.contains("radon"));
}

/// [arp_point] (Arpaillargues, in the DPU perimeter, information 04/00): the commune may pre-empt a
/// sale (code de l'urbanisme, art. L211-1 and L213-2: the owner files a déclaration d'intention
/// d'aliéner); the item and its sentence say so with the legal basis.
#[test]
fn dpu_information_says_the_commune_may_preempt() {
    let a = at(4.3736720145, 44.0000655338);
    let dpu = a.informations.iter().find(|i| i.code == "04").unwrap();
    assert!(dpu.effect.contains("acquérir le bien en priorité"));
    assert!(dpu.legal_basis.contains("L211-1"));
    assert!(
        a.summary
            .iter()
            .any(|s| s.text.contains("déclaration d'intention d'aliéner")
                && s.text.contains("L213-2"))
    );
}
