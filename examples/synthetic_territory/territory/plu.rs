//! A CNIG PLU delivery (standard of 2017) for one commune, as a producer deposits it on the
//! Géoportail de l'Urbanisme: `<insee>_PLU_<date>/` with the `DOC_URBA` and `DOC_URBA_COM`
//! tables (.dbf) and `Donnees_geographiques/<insee>_ZONE_URBA_<date>` (shapefile, WGS84 .prj,
//! UTF-8 .cpg). Four zones in bands across the commune: `UA` (U), `1AU` (AUc), `A`, `N`.

use std::fs;
use std::io;
use std::path::Path;

use shapefile::dbase::{self, FieldName, FieldValue, Record, TableWriterBuilder};
use shapefile::{Point, Polygon, PolygonRing};

use super::grid::CommuneCell;

/// Approval date of every synthetic plan (`DATAPPRO`, `yyyymmdd` as the standard writes it).
const DATAPPRO: &str = "20240101";

/// ESRI WKT of WGS84, as QGIS writes it in a `.prj`.
const PRJ_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// `DOC_URBA` columns of the 2017 standard (CNIG « Standard PLU v2017 », table DOC_URBA) and
/// their widths.
const DOC_URBA: [(&str, u8); 14] = [
    ("IDURBA", 30),
    ("TYPEDOC", 4),
    ("ETAT", 2),
    ("NOMPROC", 10),
    ("DATAPPRO", 8),
    ("DATEFIN", 8),
    ("SIREN", 9),
    ("NOMREG", 80),
    ("URLREG", 254),
    ("NOMPLAN", 80),
    ("URLPLAN", 254),
    ("SITEWEB", 254),
    ("TYPEREF", 2),
    ("DATEREF", 8),
];

/// `DOC_URBA_COM` columns.
const DOC_URBA_COM: [(&str, u8); 2] = [("IDURBA", 30), ("INSEE", 5)];

/// `ZONE_URBA` columns of the 2017 standard (no `DESTDOMI`, dropped in 2017).
const ZONE_URBA: [(&str, u8); 9] = [
    ("IDURBA", 30),
    ("LIBELLE", 12),
    ("LIBELONG", 254),
    ("TYPEZONE", 3),
    ("NOMFIC", 80),
    ("URLFIC", 254),
    ("INSEE", 5),
    ("DATAPPRO", 8),
    ("DATVALID", 8),
];

/// The zones, one quarter of the commune's cell rows each, from the south: code, type, long name.
const ZONES: [(&str, &str, &str); 4] = [
    ("N", "N", "Zone naturelle (synthétique)"),
    ("A", "A", "Zone agricole (synthétique)"),
    ("1AU", "AUc", "Zone à urbaniser (synthétique)"),
    ("UA", "U", "Zone urbaine (synthétique)"),
];

/// First cell row of zone band `q` (0 to 4, from the south) in a commune `side` cells high.
fn band_start(q: usize, side: u32) -> u32 {
    u32::try_from(q).unwrap_or(0) * side / 4
}

/// Writes the delivery of commune `c` below `dir`.
pub fn write_delivery(dir: &Path, c: &CommuneCell) -> io::Result<()> {
    let idurba = format!("{}_PLU_{DATAPPRO}", c.insee);
    let root = dir.join(&idurba);
    let data = root.join("Donnees_geographiques");
    fs::create_dir_all(&data)?;
    let doc: [&str; 14] = [
        &idurba, "PLU", "03", "", DATAPPRO, "", "", "", "", "", "", "", "01", "2024",
    ];
    write_table(
        &root.join(format!("{}_DOC_URBA_{DATAPPRO}.dbf", c.insee)),
        &DOC_URBA,
        &[&doc],
    )?;
    write_table(
        &root.join(format!("{}_DOC_URBA_COM_{DATAPPRO}.dbf", c.insee)),
        &DOC_URBA_COM,
        &[&[&idurba, &c.insee]],
    )?;
    let shp = data.join(format!("{}_ZONE_URBA_{DATAPPRO}.shp", c.insee));
    let mut writer = shapefile::Writer::from_path(&shp, builder(&ZONE_URBA)?).map_err(shp_err)?;
    for (q, (libelle, typezone, libelong)) in ZONES.iter().enumerate() {
        let ring = c.band(band_start(q, c.side), band_start(q + 1, c.side));
        let polygon = Polygon::new(PolygonRing::Outer(
            ring.iter().map(|&(x, y)| Point::new(x, y)).collect(),
        ));
        let values: [&str; 9] = [
            &idurba, libelle, libelong, typezone, "", "", &c.insee, DATAPPRO, DATAPPRO,
        ];
        writer
            .write_shape_and_record(&polygon, &record(&ZONE_URBA, &values))
            .map_err(shp_err)?;
    }
    drop(writer);
    fs::write(shp.with_extension("prj"), PRJ_WGS84)?;
    fs::write(shp.with_extension("cpg"), "UTF-8")
}

/// A dBase table of character columns, UTF-8, with a `.cpg` saying so.
fn write_table(path: &Path, columns: &[(&str, u8)], rows: &[&[&str]]) -> io::Result<()> {
    let mut table = builder(columns)?
        .build_with_file_dest(path)
        .map_err(dbf_err)?;
    for row in rows {
        table.write_record(&record(columns, row)).map_err(dbf_err)?;
    }
    table.finalize().map_err(dbf_err)?;
    fs::write(path.with_extension("cpg"), "UTF-8")
}

fn builder(columns: &[(&str, u8)]) -> io::Result<TableWriterBuilder> {
    columns.iter().try_fold(
        TableWriterBuilder::with_encoding(dbase::UnicodeLossy),
        |b, (name, width)| Ok(b.add_character_field(field(name)?, *width)),
    )
}

fn record(columns: &[(&str, u8)], values: &[&str]) -> Record {
    let mut r = Record::default();
    for ((name, _), value) in columns.iter().zip(values) {
        let value = (!value.is_empty()).then(|| (*value).to_string());
        r.insert((*name).to_string(), FieldValue::Character(value));
    }
    r
}

fn field(name: &str) -> io::Result<FieldName> {
    FieldName::try_from(name).map_err(|e| io::Error::other(format!("{name}: {e:?}")))
}

fn shp_err(e: shapefile::Error) -> io::Error {
    io::Error::other(e.to_string())
}

fn dbf_err(e: dbase::Error) -> io::Error {
    io::Error::other(e.to_string())
}
