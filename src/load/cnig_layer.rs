//! One CNIG layer or table, whichever file form it was delivered in: shapefile (with or without
//! `.prj`/`.cpg`), bare `.dbf`, GeoJSON, a GeoPackage table, or MapInfo TAB/MIF (through GDAL,
//! behind the `gdal` cargo feature). Readers of the standards work on what this gives: attributes
//! keyed by lower-case field name, the row number in the file, and WGS84 geometry.

use std::path::Path;

use super::dbf::DbfTable;
use super::geometry::Features;
use super::gpkg::GeoPackage;
use super::{geojson_file, shp, LayerReport, LoadError};

pub use super::gpkg::Attributes;

/// A layer with geometry: (row number, attributes, WGS84 geometry) per usable feature.
pub struct CnigLayer {
    /// Field names, lower-case, in file order.
    pub fields: Vec<String>,
    /// The usable features; skipped ones are in the report's warnings.
    pub features: Features<Attributes>,
    /// What was read.
    pub report: LayerReport,
}

/// A table without geometry (`DOC_URBA`, `DOC_URBA_COM`): (row number, attributes) per row.
pub struct CnigTable {
    /// Field names, lower-case, in file order.
    pub fields: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<(usize, Attributes)>,
    /// What was read.
    pub report: LayerReport,
}

impl CnigLayer {
    /// Whether the layer has the field (case-insensitive).
    pub fn has(&self, field: &str) -> bool {
        has(&self.fields, field)
    }

    /// Its attributes alone, as a table (a layer whose geometry is not used).
    pub fn into_table(self) -> CnigTable {
        CnigTable {
            fields: self.fields,
            rows: self.features.into_iter().map(|(i, a, _)| (i, a)).collect(),
            report: self.report,
        }
    }
}

impl CnigTable {
    /// Whether the table has the field (case-insensitive).
    pub fn has(&self, field: &str) -> bool {
        has(&self.fields, field)
    }
}

fn has(fields: &[String], field: &str) -> bool {
    fields.iter().any(|f| f.eq_ignore_ascii_case(field))
}

/// A value by field name (case-insensitive), `None` when blank or absent.
pub fn text(attrs: &Attributes, field: &str) -> Option<String> {
    attrs.get(&field.to_ascii_lowercase()).cloned()
}

/// The MapInfo forms, read through GDAL only.
const MAPINFO: [&str; 2] = ["tab", "mif"];

/// The file forms [`read_layer`] reads, by lower-case extension (GeoPackages are read per table
/// with [`read_gpkg_layer`]).
pub fn is_layer_file(ext: &str) -> bool {
    matches!(ext, "shp" | "geojson" | "json") || MAPINFO.contains(&ext)
}

fn extension(path: &Path) -> String {
    super::archive::without_gz(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the layer at `path`; `label` names it in warnings, `layer` is what it was recognised as.
pub fn read_layer(path: &Path, label: &str, layer: &str) -> Result<CnigLayer, LoadError> {
    let ext = extension(path);
    match ext.as_str() {
        "shp" => {
            let l = shp::read(path, label, layer)?;
            let fields = lower(&l.table.fields);
            let features = l
                .features
                .into_iter()
                .map(|(i, rec, g)| (i, dbf_attributes(&l.table, &rec), g))
                .collect();
            Ok(CnigLayer {
                fields,
                features,
                report: l.report,
            })
        }
        "geojson" | "json" => {
            let (features, report) = geojson_file::read(path, label, layer)?;
            let mut fields: Vec<String> = Vec::new();
            let features = features
                .into_iter()
                .map(|(i, props, g)| {
                    let attrs: Attributes = props
                        .keys()
                        .filter_map(|k| {
                            Some((k.to_ascii_lowercase(), geojson_file::prop(&props, k)?))
                        })
                        .collect();
                    for k in props.keys() {
                        let k = k.to_ascii_lowercase();
                        if !fields.contains(&k) {
                            fields.push(k);
                        }
                    }
                    (i, attrs, g)
                })
                .collect();
            Ok(CnigLayer {
                fields,
                features,
                report,
            })
        }
        e if MAPINFO.contains(&e) => super::gdal_layer::read(path, label, layer),
        _ => Err(LoadError::corrupt(
            path,
            format!("forme de fichier non prise en charge pour la couche {layer}"),
        )),
    }
}

/// Reads the feature table `table` of a GeoPackage.
pub fn read_gpkg_layer(
    gpkg: &GeoPackage,
    table: &str,
    label: &str,
    layer: &str,
) -> Result<CnigLayer, LoadError> {
    let (features, report) = gpkg.features(table, label, layer)?;
    let mut fields: Vec<String> = features
        .iter()
        .flat_map(|(_, a, _)| a.keys().cloned())
        .collect();
    fields.sort();
    fields.dedup();
    Ok(CnigLayer {
        fields,
        features,
        report,
    })
}

/// Reads an attribute table: a `.dbf` (alone or beside a `.shp` whose geometry means nothing, as
/// `DOC_URBA` delivered as a shapefile with an empty `.prj`), or a GeoPackage attribute table.
pub fn read_table(path: &Path, label: &str, layer: &str) -> Result<CnigTable, LoadError> {
    let dbf = match extension(path).as_str() {
        "dbf" => path.to_path_buf(),
        _ => shp::sibling(path, "dbf").ok_or_else(|| LoadError::Missing {
            path: path.with_extension("dbf"),
            reason: format!("table attributaire .dbf de {layer} absente"),
        })?,
    };
    let table = DbfTable::read(&dbf)?;
    let rows = table
        .records
        .iter()
        .enumerate()
        .map(|(i, rec)| (i, dbf_attributes(&table, rec)))
        .collect();
    let mut report = LayerReport {
        file: label.to_string(),
        layer: layer.to_string(),
        features: table.records.len(),
        ..Default::default()
    };
    report.note_encoding(&table);
    Ok(CnigTable {
        fields: lower(&table.fields),
        rows,
        report,
    })
}

/// The rows of a GeoPackage attribute table.
pub fn read_gpkg_table(
    gpkg: &GeoPackage,
    table: &str,
    label: &str,
    layer: &str,
) -> Result<CnigTable, LoadError> {
    let rows: Vec<(usize, Attributes)> = gpkg.rows(table)?.into_iter().enumerate().collect();
    let mut fields: Vec<String> = rows.iter().flat_map(|(_, a)| a.keys().cloned()).collect();
    fields.sort();
    fields.dedup();
    let features = rows.len();
    Ok(CnigTable {
        fields,
        rows,
        report: LayerReport {
            file: format!("{label}:{table}"),
            layer: layer.to_string(),
            features,
            encoding: Some("UTF-8 (SQLite)".into()),
            ..Default::default()
        },
    })
}

fn lower(fields: &[String]) -> Vec<String> {
    fields.iter().map(|f| f.to_ascii_lowercase()).collect()
}

fn dbf_attributes(table: &DbfTable, rec: &super::dbf::Record) -> Attributes {
    table
        .fields
        .iter()
        .filter_map(|f| Some((f.to_ascii_lowercase(), table.text(rec, f)?)))
        .collect()
}
