//! What issue 11 left: the PPRT land-measure zoning (« zonage réglementaire foncier »), SCoT
//! deliveries, the SUP conformity checks, the TYPEZONE list of each PLU standard version and CNIG
//! layers delivered as GeoJSON or GeoPackage.
//!
//! Expected values come from the source files, each with the command that produced it beside it.

use std::path::PathBuf;

use urbaclic::dataset::Dataset;
use urbaclic::load::load_dir;
use urbaclic::lookup::lookup;
use urbaclic::model::RiskZoneKind;
use urbaclic::nomenclature::RegulationEffect;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn load(path: &str) -> Dataset {
    load_dir(&repo(path)).expect("the folder loads")
}

/// The PPRT 69DREAL20090005 GeoPackage of the embedded data (IGN validator's test document, see
/// `data/risk-pprt-69-cnig-ppr/SOURCE.md`).
const PPRT: &str = "data/risk-pprt-69-cnig-ppr";

#[test]
fn pprt_land_measure_zoning_is_loaded_whole() {
    let data = load(PPRT);
    let layer = data
        .report
        .layers
        .iter()
        .find(|l| {
            l.file
                .ends_with(":pprt_69dreal20090005_zonereglementairefoncier_s")
        })
        .expect("the foncier table is listed");
    // sqlite3 data/risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg \
    //   'select count(*) from pprt_69dreal20090005_zonereglementairefoncier_s' → 10
    assert_eq!((layer.features, layer.skipped), (10, 0), "{layer:?}");
    assert_eq!(layer.layer, "PPR zonage réglementaire foncier");
}

/// Points inside two sectors, and the zones around them:
/// `ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco COORDINATE_PRECISION=7 /tmp/pprt_T.geojson
///  data/risk-pprt-69-cnig-ppr/pprt_69dreal20090005.gpkg pprt_69dreal20090005_T` for T in
/// `zonereglementairefoncier_s`, `zonereglementaireurba_s`, then in python3 with shapely
/// `shape(f['geometry']).representative_point()` of each foncier feature (De1: 5.8259577
/// 45.2002781, typereglement 01; Ex1: 5.8278394 45.2013592, typereglement 02) and
/// `[f for f in urba if shape(f['geometry']).contains(Point(p))]` → R2 (typereglement 04) at both.
#[test]
fn a_point_in_a_pprt_sector_answers_its_land_measure_and_its_urbanism_zone() {
    let data = load(PPRT);
    for (lon, lat, code, label, measure) in [
        (
            5.825_957_7,
            45.200_278_1,
            "De1",
            "Secteur de délaissement possible - De1",
            "délaissement possible",
        ),
        (
            5.827_839_4,
            45.201_359_2,
            "Ex1",
            "Secteur d'expropriation possible - Ex1",
            "expropriation possible",
        ),
    ] {
        let a = lookup(&data, lon, lat);
        let mut zones: Vec<(RiskZoneKind, &str)> = a
            .risks
            .iter()
            .map(|r| (r.zone_kind, r.zone_code.as_str()))
            .collect();
        zones.sort_by_key(|&(k, _)| k == RiskZoneKind::Foncier);
        assert_eq!(
            zones,
            [(RiskZoneKind::Urba, "R2"), (RiskZoneKind::Foncier, code)],
            "at {lon},{lat}"
        );
        let of = |kind| a.risks.iter().find(|r| r.zone_kind == kind).unwrap();
        let sector = of(RiskZoneKind::Foncier);
        assert_eq!(sector.zone_label, label);
        // CNIG Géostandard Risques PPR v1.0, table typereglementfoncier: 01 Délaissement
        // possible, 02 Expropriation possible.
        assert_eq!(sector.regulation_label, Some(measure));
        assert_eq!(sector.effect, RegulationEffect::LandMeasure);
        assert!(
            sector
                .legal_basis
                .is_some_and(|b| b.starts_with("code de l'environnement, art. L515-16")),
            "{:?}",
            sector.legal_basis
        );
        // The urbanism zone keeps its own list: 04 interdiction stricte.
        assert_eq!(
            of(RiskZoneKind::Urba).regulation_label,
            Some("interdiction stricte")
        );
        let said = format!("Mesure foncière de type « {measure} »");
        assert!(
            a.summary.iter().any(|s| s.text.contains(&said)),
            "{:?}",
            a.summary.iter().map(|s| &s.text).collect::<Vec<_>>()
        );
    }
}

/// The warning the brief of issue 11 asks for, word for word.
const SCOT_WARNING: &str =
    "SCoT : non exploité par urbaclic (hors du champ des règles à la parcelle)";

/// The two SCoT deliveries of IGN's validator tests (`tests/fixtures/scot-validator/SOURCE.md`).
#[test]
fn scot_deliveries_are_reported_as_not_used_not_as_broken_plans() {
    let data = load("tests/fixtures/scot-validator");
    let r = &data.report;
    // The table files of both deliveries (`find tests/fixtures/scot-validator -name '*.shp' -o
    // -name '*.dbf'`, less the .dbf beside a .shp): each reported with the warning.
    let mut scot: Vec<&str> = r
        .layers
        .iter()
        .filter(|l| l.warnings.iter().any(|w| w.ends_with(SCOT_WARNING)))
        .map(|l| l.file.as_str())
        .collect();
    scot.sort_unstable();
    assert_eq!(
        scot,
        [
            "200078244_SCOT_20180218/200078244_DOC_URBA_20180218.dbf",
            "200078244_SCOT_20180218/200078244_DOC_URBA_COM_20180218.dbf",
            "200078244_SCOT_20180218/Donnees_geographiques/200078244_PERIMETRE_SCOT_20180218.shp",
            "251702833_scot/SCOT.shp",
        ]
    );
    assert_eq!(r.warning_count(), 4);
    // Not read as a plan: no DOC_URBA document, no « ZONE_URBA missing » error, nothing unknown.
    assert!(data.documents.is_empty());
    assert_eq!(r.conformity_errors(), 0, "{:?}", r.conformity);
    assert!(r.ignored.is_empty(), "{:?}", r.ignored);
    // `check-data --json` is the report serialised.
    let json = serde_json::to_string(r).unwrap();
    assert_eq!(json.matches(SCOT_WARNING).count(), 4);
}

/// The SUP checks over the four staged SUP deliveries (`data/sup-cnig-fixtures`). Expected counts:
/// `python3 tests/fixtures/sup-conformity/count_issues.py` (pyshp over the DBFs) prints
/// `172014607_AC1_2A_20180130 2016 {'IDASS': 2, 'IDGEN': 2, 'IDSUP': 2, 'IDACTE': 2,
/// 'IDGEN_NOT_FOUND': 1, 'IDSUP_NOT_FOUND': 0, 'TYPEASS': 206, 'MODEGEOASS': 104}` and all zeros
/// for the PM3 (CNIG SUP v2013: no TYPEASS list, `Digitalisation` in the MODEGEOASS list), A5 and
/// INT1 deliveries.
#[test]
fn sup_deliveries_are_checked_like_plu_ones() {
    let data = load("data/sup-cnig-fixtures");
    let r = &data.report;
    let of = |name: &str| {
        r.conformity
            .iter()
            .find(|c| c.delivery == name)
            .unwrap_or_else(|| panic!("no conformity report for {name}"))
    };
    for clean in [
        "110068012_PM3_28_20161104",
        "123456789_A5_088_20200313",
        "213000896_INT1_83044_20160130",
    ] {
        assert!(
            of(clean).issues.is_empty(),
            "{clean}: {:?}",
            of(clean).issues
        );
    }
    let ac1 = of("172014607_AC1_2A_20180130");
    let count = |rule: &str, field: &str| {
        ac1.issues
            .iter()
            .filter(|i| i.rule == rule && i.message.starts_with(field))
            .count()
    };
    assert_eq!(count("CNIG_SUP_IDASS_NOT_UNIQUE", "IDASS"), 2);
    assert_eq!(count("CNIG_SUP_IDGEN_NOT_UNIQUE", "IDGEN"), 2);
    assert_eq!(count("ATTRIBUTE_NOT_UNIQUE", "IDSUP"), 2);
    assert_eq!(count("ATTRIBUTE_NOT_UNIQUE", "IDACTE"), 2);
    assert_eq!(count("CNIG_SUP_IDGEN_NOT_FOUND", "IDGEN"), 1);
    assert_eq!(count("SUP_IDSUP_NOT_FOUND", "IDSUP"), 0);
    assert_eq!(count("ATTRIBUTE_UNEXPECTED_VALUE", "TYPEASS"), 206);
    assert_eq!(count("ATTRIBUTE_UNEXPECTED_VALUE", "MODEGEOASS"), 104);
    assert_eq!((ac1.errors, ac1.warnings, ac1.infos), (0, 9, 310));
    // The assiette whose IDGEN names no générateur: row 132, IDGEN AC1-172014607-0009076 (the
    // same script's list, and the loader's own warning for it).
    let missing = ac1
        .issues
        .iter()
        .find(|i| i.rule == "CNIG_SUP_IDGEN_NOT_FOUND")
        .unwrap();
    assert_eq!(
        (missing.row, missing.file.as_str()),
        (
            Some(132),
            "172014607_AC1_2A_20180130/Donnees_geographiques/AC1_ASSIETTE_SUP_S.shp"
        )
    );
    assert!(missing.message.contains("AC1-172014607-0009076"));
    // `check-data --json` carries them (the report serialised), and none is an error.
    assert_eq!(r.conformity_errors(), 0);
    let json = serde_json::to_string(r).unwrap();
    assert!(json.contains("CNIG_SUP_IDASS_NOT_UNIQUE"));
}

fn typezone_issues(data: &Dataset) -> usize {
    data.report
        .conformity
        .iter()
        .flat_map(|c| &c.issues)
        .filter(|i| i.message.starts_with("TYPEZONE"))
        .count()
}

/// `Nh` is in the TYPEZONE lists of the 2013 and 2014 standards, not in 2017's (IGN validator
/// configurations cnig_PLU_2013/2014/2017, ZONE_URBA.json `enum`). Counts:
/// `python3 -c "import shapefile, collections; r = shapefile.Reader(dbf=open(PATH, 'rb'),
/// encoding='latin-1'); print(collections.Counter(x['TYPEZONE'] for x in r.records()))"` gives
/// `Nh: 95` (of 124) for Pannecé's ZONE_URBA.dbf and `Nh: 29` (of 118) for Pezou's.
#[test]
fn typezone_is_checked_against_the_list_of_the_delivery_standard() {
    // Pezou: metadata « CNIG PLU v2013 » (fr-000041175-plu20140603.xml).
    assert_eq!(typezone_issues(&load("data/plu-cnig-41175-pezou")), 0);
    // Pannecé: no metadata, bare CNIG names (ZONE_URBA.shp): the 2013/2014 naming, 2014 list.
    assert_eq!(
        typezone_issues(&load("tests/fixtures/plu-cnig-44118-pannece")),
        0
    );
    // The same files under a metadata file declaring the 2017 standard (synthetic: only that
    // one-line XML is made up): its 95 Nh zones are outside the 2017 list.
    let dir = std::env::temp_dir().join(format!("urbaclic-typezone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = repo("tests/fixtures/plu-cnig-44118-pannece");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.join("metadata.xml"),
        "<gco:CharacterString>CNIG PLU v2017</gco:CharacterString>",
    )
    .unwrap();
    let data = load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(typezone_issues(&data), 95);
    let issue = data
        .report
        .conformity
        .iter()
        .flat_map(|c| &c.issues)
        .find(|i| i.message.starts_with("TYPEZONE"))
        .unwrap();
    assert_eq!(
        issue.message,
        "TYPEZONE « Nh » (standard 2017) hors de la liste CNIG"
    );
}

/// Arpaillargues' PLU as a `…_ZONE_URBA_….geojson` and as a GeoPackage with `zone_urba`,
/// `doc_urba`, `doc_urba_com` tables (`tests/fixtures/cnig-forms/SOURCE.md`: ogr2ogr from the
/// staged shapefile delivery). At each point of `points.tsv` (`make_points.py`: shapely, over
/// the shapefile), the shapefile form and both converted forms answer the zone's LIBELLE and the
/// plan `30014_PLU_20171013`.
#[test]
fn cnig_geojson_and_geopackage_forms_answer_like_the_shapefile() {
    let forms = [
        load("data/plu-cnig-30014-arpaillargues"),
        load("tests/fixtures/cnig-forms/geojson"),
        load("tests/fixtures/cnig-forms/gpkg"),
    ];
    for (i, d) in forms.iter().enumerate() {
        // `ogrinfo -so` on each form: Feature Count 90.
        assert_eq!(d.zones.len(), 90, "form {i}");
    }
    let tsv = std::fs::read_to_string(repo("tests/fixtures/cnig-forms/points.tsv")).unwrap();
    let mut n = 0;
    for line in tsv.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (lon, lat) = (c[2].parse().unwrap(), c[3].parse().unwrap());
        for (i, d) in forms.iter().enumerate() {
            let a = lookup(d, lon, lat);
            let found: Vec<&str> = a.zones.iter().map(|z| z.libelle.as_str()).collect();
            assert_eq!(found, [c[1]], "form {i}, feature {} at {lon},{lat}", c[0]);
            assert_eq!(a.status.idurba.as_deref(), Some("30014_PLU_20171013"));
        }
        n += 1;
    }
    assert_eq!(n, 86);
}
