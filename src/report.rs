//! What a load did, file by file: the report `check-data` prints, `/health` summarises and the
//! dataset keeps. A leaf module: the loaders fill it, the dataset holds it.

use serde::Serialize;

/// What was read from one file.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LayerReport {
    /// Path relative to the data folder.
    pub file: String,
    /// What the file was recognised as (`ZONE_URBA`, `cadastre`, `PPR zonage réglementaire`…).
    pub layer: String,
    /// Features loaded.
    pub features: usize,
    /// Features skipped (each with a warning).
    pub skipped: usize,
    /// CRS the file was read in (`EPSG:2154`…), for geometry files.
    pub crs: Option<String>,
    /// Text encoding of the attributes, and why it was chosen.
    pub encoding: Option<String>,
    /// What went wrong or was guessed, in French.
    pub warnings: Vec<String>,
}

impl LayerReport {
    /// Counts feature `i` of `label` as skipped, with a warning saying why.
    ///
    /// ```
    /// let mut r = urbaclic::report::LayerReport::default();
    /// r.skip("ZONE_URBA.shp", 3, "libellé vide");
    /// assert_eq!((r.skipped, r.warnings[0].as_str()), (1, "ZONE_URBA.shp entité 3 ignorée : libellé vide"));
    /// ```
    pub fn skip(&mut self, label: &str, i: usize, why: impl std::fmt::Display) {
        self.skipped += 1;
        self.warnings
            .push(format!("{label} entité {i} ignorée : {why}"));
    }

    /// A report of `file` that holds one warning, `« file : why »`: a layer or a document the
    /// loader could not use or had to guess.
    pub(crate) fn warning(
        file: impl Into<String>,
        layer: &str,
        why: impl std::fmt::Display,
    ) -> Self {
        let file = file.into();
        LayerReport {
            warnings: vec![format!("{file} : {why}")],
            file,
            layer: layer.into(),
            ..Default::default()
        }
    }

    /// Counts every feature of the file as skipped, with a warning saying why the layer is not
    /// used.
    ///
    /// ```
    /// let mut r = urbaclic::report::LayerReport { file: "ZONE_URBA.shp".into(), features: 3, ..Default::default() };
    /// r.ignore_layer("champ LIBELLE absent, couche ignorée");
    /// assert_eq!((r.features, r.skipped, r.warnings[0].as_str()), (0, 3, "ZONE_URBA.shp : champ LIBELLE absent, couche ignorée"));
    /// ```
    pub fn ignore_layer(&mut self, why: impl std::fmt::Display) {
        self.warnings.push(format!("{} : {why}", self.file));
        self.skipped += self.features;
        self.features = 0;
    }

    /// Records how `table`'s text was decoded: the encoding and why, and one warning per thing
    /// the choice could not honour (unknown `.cpg`, bytes that are not the declared encoding).
    pub(crate) fn note_encoding(&mut self, table: &crate::load::dbf::DbfTable) {
        self.encoding = Some(table.encoding.clone());
        for w in &table.encoding_warnings {
            self.warnings.push(format!("{} : {w}", self.file));
        }
    }
}

/// What a whole load did: per file, timing and memory.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LoadReport {
    /// The data folder.
    pub root: String,
    /// One report per file read.
    pub layers: Vec<LayerReport>,
    /// The non-conformities of each CNIG delivery to its standard that matter to answers.
    pub conformity: Vec<crate::load::conformity::DeliveryConformity>,
    /// Files below the root that were not recognised (kept for `check-data`).
    pub ignored: Vec<String>,
    /// Time to load and index, in milliseconds.
    pub load_ms: u128,
    /// Resident memory of the process after loading, in MiB (Linux `/proc`), if known.
    pub memory_mib: Option<f64>,
}

impl LoadReport {
    /// Non-conformities that make answers wrong (`check-data` exits non-zero on them).
    pub fn conformity_errors(&self) -> usize {
        self.conformity.iter().map(|c| c.errors).sum()
    }

    /// Number of warnings over every layer.
    pub fn warning_count(&self) -> usize {
        self.layers.iter().map(|l| l.warnings.len()).sum()
    }
}
