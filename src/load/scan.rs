//! Recognising sources by file name, and dispatching each to its reader.
//!
//! CNIG deliveries are grouped by their root folder (the parent of `Donnees_geographiques/`, or
//! the folder holding the files), so the `DOC_URBA` table and the zones of one plan stay together.
//!
//! A ZIP file is walked as a folder and a gzip file is recognised by the name of what it holds
//! (`cadastre-31-parcelles.json.gz` is Etalab cadastre): the published files load as they are
//! downloaded ([`super::archive`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::UserLayerSpec;
use super::plu::PluLayer;
use super::source::DataSource;
use super::{relative, LoadError};

/// What a source is, hence which reader loads it.
#[derive(Debug, Clone)]
pub enum SourceKind {
    /// A CNIG PLU/PLUi/CC/POS/PSMV delivery (DOC_URBA, ZONE_URBA, PRESCRIPTION_*, INFO_*, SECTEUR_CC).
    PluDelivery,
    /// A CNIG SUP delivery (SERVITUDE, ACTE_SUP, GENERATEUR_SUP_*, ASSIETTE_SUP_*).
    SupDelivery,
    /// A CNIG PPR 2023 GeoPackage.
    PprGeoPackage,
    /// COVADIS PPR shapefiles (N_ZONE_REG_PPRx, N_PERIMETRE_PPRx).
    CovadisPpr,
    /// Etalab cadastre parcels (GeoJSON).
    Cadastre,
    /// Commune boundaries (GeoJSON with `code` and `nom`).
    Communes,
    /// Département boundaries (GeoJSON with `code` and `nom`).
    Departements,
    /// BAN address CSV.
    Ban,
    /// A structured regulation (CNIG SRU, JSON or XML).
    Reglement,
    /// A CNIG SCoT delivery: reported, not loaded (`load/scot.rs`).
    ScotDelivery,
    /// A layer outside the standards, declared in the manifest.
    UserLayer(Box<UserLayerSpec>),
}

/// One source: its kind, a name (delivery folder or file), and its files.
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: SourceKind,
    pub name: String,
    pub files: Vec<PathBuf>,
}

/// Finds every recognisable source below `dir`.
pub fn scan(dir: &Path) -> Result<Vec<Source>, LoadError> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    Ok(group(files))
}

/// The sources a single file belongs to (used by manifests naming a file without a role).
pub fn classify_files(files: Vec<PathBuf>) -> Vec<Source> {
    group(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    for entry in super::archive::list(dir)? {
        if entry.is_dir {
            walk(&entry.path, out)?;
        } else {
            out.push(entry.path);
        }
    }
    Ok(())
}

fn group(files: Vec<PathBuf>) -> Vec<Source> {
    let mut groups: BTreeMap<(u8, PathBuf), Vec<PathBuf>> = BTreeMap::new();
    let mut singles = Vec::new();
    for path in files {
        let Some(kind) = file_kind(&path) else {
            continue;
        };
        match kind {
            FileKind::Plu => groups
                .entry((0, delivery_root(&path)))
                .or_default()
                .push(path),
            FileKind::Sup => groups
                .entry((1, delivery_root(&path)))
                .or_default()
                .push(path),
            FileKind::Covadis => groups
                .entry((2, path.parent().unwrap_or(Path::new("")).to_path_buf()))
                .or_default()
                .push(path),
            FileKind::Scot => groups.entry((3, scot_root(&path))).or_default().push(path),
            FileKind::Single(k) => singles.push(Source {
                kind: k,
                name: file_name(&path),
                files: vec![path],
            }),
        }
    }
    let mut sources: Vec<Source> = groups
        .into_iter()
        .map(|((k, root), files)| Source {
            kind: match k {
                0 => SourceKind::PluDelivery,
                1 => SourceKind::SupDelivery,
                2 => SourceKind::CovadisPpr,
                _ => SourceKind::ScotDelivery,
            },
            name: file_name(&root),
            files,
        })
        .collect();
    // Boundaries first: coverage and commune names are resolved against them at the end anyway,
    // but a stable order keeps reports readable.
    singles.sort_by_key(|s| match s.kind {
        SourceKind::Communes | SourceKind::Departements => 0,
        SourceKind::Cadastre => 1,
        _ => 2,
    });
    sources.splice(0..0, singles);
    sources
}

enum FileKind {
    Plu,
    Sup,
    Covadis,
    Scot,
    Single(SourceKind),
}

fn file_kind(file: &Path) -> Option<FileKind> {
    // A gzip file is what it holds; the file itself is still the one read.
    let named = super::archive::without_gz(file);
    let path = named.as_path();
    let name = file_name(path).to_ascii_uppercase();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A SCoT delivery holds a `DOC_URBA` too: recognised first, so it is not read as a plan.
    if is_scot_file(path, &stem) {
        return Some(FileKind::Scot);
    }
    // A CNIG planning layer in any form a producer or the GPU delivers it (shapefile, GeoJSON,
    // MapInfo), `DOC_URBA` as a shapefile too.
    if PluLayer::of_name(&stem).is_some() && super::cnig_layer::is_layer_file(&ext) {
        return Some(FileKind::Plu);
    }
    match ext.as_str() {
        "shp" if name.contains("ASSIETTE_SUP_") || name.contains("GENERATEUR_SUP_") => {
            Some(FileKind::Sup)
        }
        "shp" if name.starts_with("N_ZONE_REG_PPR") || name.starts_with("N_PERIMETRE_PPR") => {
            Some(FileKind::Covadis)
        }
        "dbf" if has_shp(file) => None,
        "dbf" if name.contains("DOC_URBA") => Some(FileKind::Plu),
        "dbf" if name.contains("SERVITUDE") || name.contains("ACTE_SUP") => Some(FileKind::Sup),
        "gpkg" if is_plu_gpkg(file) => Some(FileKind::Plu),
        "gpkg" => Some(FileKind::Single(SourceKind::PprGeoPackage)),
        "json" | "geojson" if name.contains("PARCELLES") => {
            Some(FileKind::Single(SourceKind::Cadastre))
        }
        "json" | "geojson" if name.starts_with("COMMUNES") => {
            Some(FileKind::Single(SourceKind::Communes))
        }
        "json" | "geojson" if name.starts_with("DEPARTEMENT") => {
            Some(FileKind::Single(SourceKind::Departements))
        }
        "json" | "xml" if is_reglement_name(&name) => Some(FileKind::Single(SourceKind::Reglement)),
        "csv" if name.starts_with("ADRESSES") => Some(FileKind::Single(SourceKind::Ban)),
        _ => None,
    }
}

/// A GeoPackage holding CNIG planning tables (`zone_urba`, `doc_urba`…); the others are read as
/// PPR GeoPackages, which report what they lack.
fn is_plu_gpkg(path: &Path) -> bool {
    super::gpkg::GeoPackage::open(path)
        .and_then(|g| g.tables())
        .is_ok_and(|tables| tables.iter().any(|t| PluLayer::of_name(t).is_some()))
}

/// A SCoT delivery's folder as the CNIG SCoT standards name it (IGN validator, configurations
/// `cnig_SCoT_2013`: `[0-9]{9}_SCOT`; `cnig_SCoT_2018`: `[0-9]{9}_SCOT_[0-9]{8}(_[a-zA-Z])?`).
fn is_scot_folder(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let Some((siren, rest)) = upper.split_once("_SCOT") else {
        return false;
    };
    let date = rest.strip_prefix('_').unwrap_or(rest);
    let date = date.split_once('_').map_or(date, |(d, part)| {
        if part.len() == 1 && part.chars().all(|c| c.is_ascii_alphabetic()) {
            d
        } else {
            ""
        }
    });
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(siren, 9) && (rest.is_empty() || digits(date, 8))
}

/// A file of a SCoT delivery (any file below its folder), or a SCoT layer found elsewhere by its
/// CNIG name (`SCOT` in the 2013 standard, `<SIREN>_PERIMETRE_SCOT_<DATAPPRO>` in 2018).
fn is_scot_file(path: &Path, stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    upper == "SCOT" || upper.contains("PERIMETRE_SCOT") || scot_folder_of(path).is_some()
}

/// The SCoT delivery folder `path` lies in, if any.
fn scot_folder_of(path: &Path) -> Option<&Path> {
    path.ancestors()
        .skip(1)
        .find(|a| is_scot_folder(&file_name(a)))
}

/// Where a SCoT file's delivery is rooted: its SCoT folder, else as any CNIG delivery.
fn scot_root(path: &Path) -> PathBuf {
    scot_folder_of(path).map_or_else(|| delivery_root(path), Path::to_path_buf)
}

/// The CNIG tools name a structured regulation `<IDURBA>_reglement….json|xml` (or with the
/// accent, « Règlement de … »).
fn is_reglement_name(upper: &str) -> bool {
    deunicode::deunicode(upper)
        .to_ascii_uppercase()
        .contains("REGLEMENT")
}

fn has_shp(dbf: &Path) -> bool {
    super::shp::sibling(dbf, "shp").is_some()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The folder a CNIG delivery is rooted at: the parent of `Donnees_geographiques`, else the file's folder.
fn delivery_root(path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new(""));
    if file_name(parent).eq_ignore_ascii_case("Donnees_geographiques") {
        parent.parent().unwrap_or(parent).to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

/// Files below `root` that no source uses (reported by `check-data`, not an error).
pub fn ignored_files(root: &Path, sources: &[Box<dyn DataSource>]) -> Vec<String> {
    let mut all = Vec::new();
    if walk(root, &mut all).is_err() {
        return Vec::new();
    }
    let used: std::collections::HashSet<PathBuf> = sources
        .iter()
        .flat_map(|s| s.files().iter())
        .flat_map(|f| {
            let stem = f.with_extension("");
            // A shapefile's and a MapInfo table's companion files.
            [
                "shp", "shx", "dbf", "prj", "cpg", "qpj", "idx", "dat", "map", "id", "ind", "SHP",
                "SHX", "DBF", "PRJ", "CPG", "QPJ", "DAT", "MAP", "ID", "IND",
            ]
            .iter()
            .map(move |e| stem.with_extension(e))
            .chain(std::iter::once(f.clone()))
        })
        .collect();
    all.into_iter()
        .filter(|f| !used.contains(f))
        .filter(|f| {
            let n = file_name(f).to_ascii_lowercase();
            !(n.ends_with(".md") || n.ends_with(".xml") || n == "urbaclic.toml")
        })
        .map(|f| relative(root, &f))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn scot_folders_follow_the_cnig_patterns() {
        // Folder names of the validator's SCoT test documents, and of a plan (not a SCoT).
        assert!(super::is_scot_folder("251702833_scot"));
        assert!(super::is_scot_folder("200078244_SCOT_20180218"));
        assert!(super::is_scot_folder("200078244_SCOT_20180218_A"));
        assert!(!super::is_scot_folder("200011781_PLUi_20180101"));
        assert!(!super::is_scot_folder("200078244_SCOTT"));
        assert!(!super::is_scot_folder("2000782_SCOT_20180218"));
    }
}
