//! The staged CNIG deliveries as a DDT's GIS unit would load them: IGN's validator test documents
//! (a 2014 PLUi, two cartes communales, one in MapInfo TAB) and Pannecé's PLU (DOC_URBA as a
//! shapefile with an empty `.prj`).
//!
//! Expected values come from the source files, not from urbaclic:
//! - the point inside each zone or sector, its `LIBELLE` and the self-crossing features:
//!   `tests/fixtures/cnig-validator/points.tsv`, written by
//!   `python3 tests/fixtures/cnig-validator/make_points.py` (GDAL ogr2ogr, shapely);
//! - each delivery's document: its `DOC_URBA` row, read with
//!   `python3 -c "import shapefile; r = shapefile.Reader(dbf=open(PATH, 'rb')); print(r.records())"`
//!   (quoted next to each constant).

use std::path::PathBuf;

use urbaclic::dataset::Dataset;
use urbaclic::load::load_dir;
use urbaclic::lookup::lookup;
use urbaclic::model::LayerDelivery;

fn fixture(folder: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder)
}

fn load(folder: &str) -> Dataset {
    load_dir(&fixture(folder)).expect("the staged delivery loads")
}

/// The document a delivery's features answer with: (folder, TYPEDOC as answered, IDURBA, EPCI).
struct Expected {
    folder: &'static str,
    kind: &'static str,
    idurba: &'static str,
    epci: Option<&'static str>,
}

/// `DOC_URBA.dbf`: `['20001178120180101', 'PLU', '20180101', '', 'T', '200011781', …]`: TYPEDOC
/// PLU with INTERCO T and the EPCI's SIREN, a PLUi of the 2014 standard.
const PLUI: Expected = Expected {
    folder: "cnig-validator/200011781_PLUi_20180101",
    kind: "PLUi",
    idurba: "20001178120180101",
    epci: Some("200011781"),
};

/// `DOC_URBA.dbf` (844 rows): the row `['50545_20130902', 'CC', '20130902', '', 'F', '', '03', …]`
/// matches the folder 50545_CC_20130902 (and `DOC_URBA_COM.dbf`: `['50545_20130902', '50545']`).
const CC_50545: Expected = Expected {
    folder: "cnig-validator/50545_CC_20130902",
    kind: "CC",
    idurba: "50545_20130902",
    epci: None,
};

/// `19182_DOC_URBA_20150517.dbf`: `['19182_CC_20150517', 'CC', '03', 'MS', '20150517', …]`.
const CC_19182: Expected = Expected {
    folder: "cnig-validator/19182_CC_20150517",
    kind: "CC",
    idurba: "19182_CC_20150517",
    epci: None,
};

/// `DOC_URBA.dbf` (404 rows) holds `['4411820150219', 'PLU', '20150219', '', 'F', '', '03', …]`
/// and the replaced POS `['4411820051214', 'POS', '20150219', '', 'F', '', '05', …]`; the zones
/// carry INSEE 44118 and DATAPPRO 20150219 and no IDURBA: the opposable PLU is theirs.
const PANNECE: Expected = Expected {
    folder: "plu-cnig-44118-pannece",
    kind: "PLU",
    idurba: "4411820150219",
    epci: None,
};

/// (feature number, LIBELLE, lon, lat) of the points of `folder` in `points.tsv`.
fn points(folder: &str) -> Vec<(usize, String, f64, f64)> {
    let tsv = std::fs::read_to_string(fixture("cnig-validator/points.tsv")).unwrap();
    tsv.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c[0] == folder)
        .map(|c| {
            (
                c[2].parse().unwrap(),
                c[3].to_string(),
                c[5].parse().unwrap(),
                c[6].parse().unwrap(),
            )
        })
        .collect()
}

/// Feature numbers shapely finds self-crossing in `folder`'s `file`.
fn invalid(folder: &str) -> Vec<usize> {
    let tsv = std::fs::read_to_string(fixture("cnig-validator/points.tsv")).unwrap();
    tsv.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c[0] == "invalid" && c[1] == folder)
        .map(|c| c[3].parse().unwrap())
        .collect()
}

fn every_point_answers_its_zone_and_document(e: &Expected) {
    let data = load(e.folder);
    let pts = points(e.folder);
    assert!(!pts.is_empty(), "{}: no point", e.folder);
    for (i, libelle, lon, lat) in pts {
        let a = lookup(&data, lon, lat);
        let found: Vec<&str> = a.zones.iter().map(|z| z.libelle.as_str()).collect();
        assert_eq!(
            found,
            [libelle.as_str()],
            "{} feature {i} at {lon},{lat}",
            e.folder
        );
        assert_eq!(a.status.kind, e.kind, "{} feature {i}", e.folder);
        assert_eq!(
            a.status.idurba.as_deref(),
            Some(e.idurba),
            "{} feature {i}",
            e.folder
        );
        assert_eq!(a.status.epci.as_deref(), e.epci, "{} feature {i}", e.folder);
    }
}

#[test]
fn the_2014_plui_answers_every_zone_with_the_epci() {
    every_point_answers_its_zone_and_document(&PLUI);
}

#[test]
fn the_cc_of_a_many_commune_extract_answers_its_own_document() {
    every_point_answers_its_zone_and_document(&CC_50545);
}

#[test]
fn pannece_reads_doc_urba_from_a_shapefile_with_an_empty_prj() {
    every_point_answers_its_zone_and_document(&PANNECE);
}

#[test]
fn a_cc_is_answered_in_the_feminine_with_its_sector() {
    let data = load(CC_50545.folder);
    let (_, libelle, lon, lat) = points(CC_50545.folder).remove(0);
    let a = lookup(&data, lon, lat);
    assert_eq!(
        a.status.label,
        "La carte communale s'applique, approuvée le 02/09/2013."
    );
    let zone = a
        .summary
        .iter()
        .find(|s| s.text.starts_with("Secteur"))
        .unwrap();
    assert!(
        zone.text.starts_with(&format!(
            "Secteur {libelle} de la carte communale approuvée le 02/09/2013"
        )),
        "{}",
        zone.text
    );
}

#[test]
fn layers_not_delivered_are_said_so_not_answered_as_none() {
    let data = load(PLUI.folder);
    let (_, _, lon, lat) = points(PLUI.folder).remove(0);
    let a = lookup(&data, lon, lat);
    let layers = a.coverage.planning_layers.unwrap();
    assert_eq!(layers.zones, LayerDelivery::Delivered);
    assert_eq!(layers.prescriptions, LayerDelivery::NotDelivered);
    assert!(a.summary.iter().any(|s| s.text
        == "Les prescriptions du plan local d'urbanisme intercommunal (PLUi) ne sont pas livrées avec ses données : elles n'ont pas été vérifiées."));
}

#[test]
fn every_file_of_every_staged_delivery_is_read_or_listed() {
    for e in [&PLUI, &CC_50545, &CC_19182, &PANNECE] {
        let data = load(e.folder);
        assert_eq!(data.report.ignored, Vec::<String>::new(), "{}", e.folder);
    }
}

#[test]
fn self_crossing_zones_are_reported_with_file_and_row() {
    let data = load(PLUI.folder);
    let c = &data.report.conformity[0];
    let rows: Vec<usize> = c
        .issues
        .iter()
        .filter(|i| i.rule == "GEOMETRY_INVALID")
        .map(|i| {
            assert_eq!(i.file, "Donnees_geographiques/ZONE_URBA.shp");
            i.row.unwrap()
        })
        .collect();
    assert_eq!(rows, invalid(PLUI.folder));
}

#[test]
fn other_communes_documents_are_not_kept() {
    // 844 rows in DOC_URBA.dbf, one of them the delivery's (see CC_50545).
    let data = load(CC_50545.folder);
    let ids: Vec<&str> = data.documents.iter().map(|d| d.idurba.as_str()).collect();
    assert_eq!(ids, [CC_50545.idurba]);
}

#[cfg(feature = "gdal")]
#[test]
fn the_mapinfo_cc_answers_every_sector() {
    every_point_answers_its_zone_and_document(&CC_19182);
    let data = load(CC_19182.folder);
    let rows: Vec<usize> = data.report.conformity[0]
        .issues
        .iter()
        .filter(|i| i.rule == "GEOMETRY_INVALID")
        .map(|i| i.row.unwrap())
        .collect();
    assert_eq!(rows, invalid(CC_19182.folder));
}

#[cfg(not(feature = "gdal"))]
#[test]
fn without_gdal_the_mapinfo_cc_says_its_sectors_were_not_read() {
    let data = load(CC_19182.folder);
    use urbaclic::load::conformity::Severity;
    let file = "Donnees_geographiques/19182_SECTEUR_CC_20150517.TAB";
    let issue = &data.report.conformity[0].issues[0];
    assert_eq!(
        (issue.rule.as_ref(), issue.severity, issue.file.as_str()),
        ("FILE_FORMAT_UNSUPPORTED", Severity::Error, file)
    );
    assert!(
        issue.message.contains("--features gdal"),
        "{}",
        issue.message
    );
    // The document knows its sectors were not read, and says so wherever it applies (where its
    // commune's boundary is loaded); without boundaries the place is not even covered: never
    // "covered, no sector".
    assert_eq!(data.documents[0].layers.zones, LayerDelivery::Unreadable);
    for (_, _, lon, lat) in points(CC_19182.folder) {
        let a = lookup(&data, lon, lat);
        assert!(a.zones.is_empty());
        assert!(
            !a.coverage.planning
                || a.coverage.planning_layers.map(|l| l.zones) == Some(LayerDelivery::Unreadable)
        );
    }
}
