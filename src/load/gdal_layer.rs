//! MapInfo TAB/MIF layers, which only GDAL reads well (the `.MAP` storage is undocumented).
//! Built with the `gdal` cargo feature (Debian: `libgdal-dev`); without it, a delivered TAB/MIF
//! layer is a load error naming the file and saying how to read it, never a silent gap.

use std::path::Path;

use super::cnig_layer::CnigLayer;
use super::LoadError;

/// Reads a MapInfo layer through GDAL: attributes, CRS and geometry of its first layer.
#[cfg(feature = "gdal")]
pub fn read(path: &Path, label: &str, layer: &str) -> Result<CnigLayer, LoadError> {
    use gdal::vector::LayerAccess;

    use super::cnig_layer::Attributes;
    use super::geometry::collect;
    use crate::crs::Crs;

    let gdal_err = |e: gdal::errors::GdalError| LoadError::corrupt(path, format!("GDAL : {e}"));
    let dataset = gdal::Dataset::open(super::archive::gdal_name(path)).map_err(gdal_err)?;
    let mut gl = dataset.layer(0).map_err(gdal_err)?;
    // A MapInfo CRS GDAL cannot name by EPSG code is passed on as WKT (ESRI flavour, which the
    // CRS module parses like a `.prj`).
    let crs = match gl.spatial_ref() {
        Some(srs) => match srs.auth_code() {
            Ok(code) => Crs::from_epsg(u32::try_from(code).unwrap_or_default()),
            Err(_) => Crs::from_wkt(&srs.to_wkt().map_err(gdal_err)?),
        }
        .map_err(|e| LoadError::crs(path, e))?,
        None => {
            return Err(LoadError::Missing {
                path: path.to_path_buf(),
                reason: "couche MapInfo sans système de coordonnées".into(),
            })
        }
    };
    let fields: Vec<String> = gl
        .defn()
        .fields()
        .map(|f| f.name().to_ascii_lowercase())
        .collect();
    let mut report = super::LayerReport {
        file: label.to_string(),
        layer: layer.to_string(),
        crs: Some(crs.name.clone()),
        encoding: Some("GDAL (MapInfo)".into()),
        ..Default::default()
    };
    let items: Vec<_> = gl
        .features()
        .enumerate()
        .map(|(i, f)| {
            let attrs: Attributes = f
                .fields()
                .filter_map(|(name, value)| {
                    let v = value?.into_string()?.trim().to_string();
                    (!v.is_empty()).then(|| (name.to_ascii_lowercase(), v))
                })
                .collect();
            let geometry = f
                .geometry()
                .ok_or_else(|| "géométrie nulle".to_string())
                .and_then(|g| g.to_geo().map_err(|e| e.to_string()));
            (i, attrs, geometry)
        })
        .collect();
    let features = collect(items.into_iter(), &crs, label, &mut report);
    Ok(CnigLayer {
        fields,
        features,
        report,
    })
}

/// Without GDAL: the error that says which file and how to read it.
#[cfg(not(feature = "gdal"))]
pub fn read(path: &Path, _label: &str, layer: &str) -> Result<CnigLayer, LoadError> {
    Err(LoadError::Unsupported {
        path: path.to_path_buf(),
        reason: format!(
            "couche {layer} au format MapInfo, lisible seulement avec GDAL : convertissez-la (ogr2ogr -f 'ESRI Shapefile' {}.shp {}) ou construisez urbaclic avec --features gdal",
            path.with_extension("").display(),
            path.display()
        ),
    })
}
