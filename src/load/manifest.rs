//! The data manifest, `urbaclic.toml` at the root of a data folder.
//!
//! It lists the sources to load, relative to the folder. A folder or a standard file is recognised
//! by name; a layer outside the standards gets a `role` and a field mapping:
//!
//! ```toml
//! [[source]]
//! path = "plu-cnig-30014-arpaillargues"          # a CNIG delivery, recognised by file names
//!
//! [[source]]
//! path = "rennes/PARCELLE.SHP"
//! role = "parcels"
//! [source.fields]                                 # "{FIELD}" is replaced by the field's value
//! id = "{CODE_DEP}{CODE_COM}{COM_ABS}{SECTION}{NUMERO}"
//! ```
//!
//! Roles: `parcels` (fields `id`, `commune`, `prefixe`, `section`, `numero`, `contenance`),
//! `zones` (`libelle`, `libelong`, `typezone`, `nomfic`, `urlfic`; optional `[source.document]`),
//! `risk` (`code`, `label`, `regulation`, `url`; required `[source.plan]`), `zoning` (`code`,
//! `label`, `url`; required `theme`, with `name` the theme's name). A structured
//! regulation (CNIG SRU, JSON or XML) is recognised by its name, `…reglement….json|xml`, found
//! in a folder or listed here. A layer's coverage is the
//! convex hull of its features unless `coverage_communes` lists the INSEE codes it covers.
//!
//! Tables of a PostgreSQL + PostGIS database are a `[[database]]` entry, each table given its
//! standard layer (read by [`super::postgis`]):
//!
//! ```toml
//! [[database]]
//! name = "30014_PLU_20171013"                     # the delivery's name, as its folder would be
//! url = "env:URBACLIC_PG"                         # or "postgresql://user@host:5432/base"
//! [[database.table]]
//! table = "urba.zone_urba"
//! layer = "zone_urba"
//! [database.table.fields]                         # only for columns named otherwise
//! libelle = "{lib_zone}"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::scan::{classify_files, scan, Source, SourceKind};
use super::LoadError;

/// File name of the manifest inside a data folder.
pub const MANIFEST_FILE: &str = "urbaclic.toml";

/// A parsed manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Free text shown by `check-data`.
    #[serde(default)]
    pub description: Option<String>,
    /// The `[[source]]` entries, in file order.
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceEntry>,
    /// Communes (INSEE codes) for which the loaded planning data is complete: one of them without a
    /// planning document is under the national rules (RNU). Elsewhere a missing document means
    /// "no data loaded", never RNU.
    #[serde(default)]
    pub planning_complete_communes: Vec<String>,
    /// The `[[database]]` entries: PostGIS tables read as standard layers.
    #[serde(rename = "database", default)]
    pub databases: Vec<DatabaseEntry>,
    #[serde(skip)]
    path: PathBuf,
}

/// One `[[database]]` entry: a PostgreSQL + PostGIS connection and the tables read from it. Its
/// planning tables form one CNIG delivery, its easement tables one SUP delivery, both named
/// `name`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseEntry {
    /// Name of the source in reports, and of its deliveries (`30014_PLU_20171013`,
    /// `110068012_PM3_28_20161104`: the standard names say which document or territory).
    pub name: String,
    /// Connection string (`postgresql://user:password@host:port/base` or `host=… dbname=…`), or
    /// `env:VAR` to read it from that environment variable, so no password sits in a file.
    pub url: String,
    /// Time allowed to connect, in seconds (default 10).
    #[serde(default)]
    pub connect_timeout_s: Option<u64>,
    /// Time allowed to each query, in seconds (default 120).
    #[serde(default)]
    pub statement_timeout_s: Option<u64>,
    /// The tables, each with its layer.
    #[serde(rename = "table", default)]
    pub tables: Vec<TableEntry>,
}

/// One `[[database.table]]`: a table and the standard layer it holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEntry {
    /// `table` or `schema.table`.
    pub table: String,
    /// Standard layer name: `doc_urba`, `doc_urba_com`, `zone_urba`, `secteur_cc`,
    /// `prescription_surf|lin|pct`, `info_surf|lin|pct`, `servitude`, `acte_sup`,
    /// `servitude_acte_sup`, `generateur_sup_s|l|p`, `assiette_sup_s|l|p`, `parcelles`,
    /// `communes`, `departements`.
    pub layer: String,
    /// Geometry column (default: the table's one geometry column).
    #[serde(default)]
    pub geometry: Option<String>,
    /// SRID of the geometries when the column declares none (0).
    #[serde(default)]
    pub srid: Option<u32>,
    /// Standard field → template over the table's columns (`"{COLUMN}"`), for columns named
    /// otherwise than the standard; other columns keep their names.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// One `[[source]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// File or folder, relative to the manifest.
    pub path: String,
    /// How to read a layer outside the standards; `None` for standard deliveries recognised by name.
    #[serde(default)]
    pub role: Option<Role>,
    /// Name of the source (shown in reports and coverage), or of the zoning theme.
    #[serde(default)]
    pub name: Option<String>,
    /// Field mapping: answer field → template, `"{FIELD}"` replaced by the feature's value.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// For `role = "zones"`: the planning document the zones belong to.
    #[serde(default)]
    pub document: Option<DocumentSpec>,
    /// For `role = "risk"`: the risk plan the zones belong to.
    #[serde(default)]
    pub plan: Option<PlanSpec>,
    /// Communes (INSEE codes) where the layer is complete, added to the hull of its features.
    #[serde(default)]
    pub coverage_communes: Vec<String>,
    /// For `role = "zoning"`: the theme key (`sismicite`, `bruit-aeroport`…); `name` is then the
    /// theme's name shown to users.
    #[serde(default)]
    pub theme: Option<String>,
}

/// Role of a layer outside the standards.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A cadastre layer mapped onto parcel fields.
    Parcels,
    /// Planning zones mapped onto `ZONE_URBA` fields.
    Zones,
    /// Risk zones of a plan.
    Risk,
    /// A zoning map of a theme: polygons with a code and a label.
    Zoning,
}

/// The planning document a user zone layer belongs to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// `IDURBA` of the document.
    pub idurba: String,
    /// `PLU`, `PLUi`, `CC`, `POS` or `PSMV`.
    pub typedoc: String,
    /// Approval date, `yyyymmdd`.
    #[serde(default)]
    pub datappro: Option<String>,
    /// INSEE codes of the communes it covers.
    #[serde(default)]
    pub communes: Vec<String>,
    /// Link to the written regulation.
    #[serde(default)]
    pub urlreg: Option<String>,
}

/// The risk plan a user risk layer belongs to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// Procedure code (GASPAR).
    pub code: String,
    /// Name of the plan.
    pub name: String,
    /// `PPRN`, `PPRT`, `PPRM` or `autre`.
    pub kind: String,
    /// Approval date.
    #[serde(default)]
    pub date: Option<String>,
    /// Link to the plan's documents.
    #[serde(default)]
    pub url: Option<String>,
}

/// What the loader needs to read a user layer.
#[derive(Debug, Clone)]
pub struct UserLayerSpec {
    /// What the layer is.
    pub role: Role,
    /// Field mapping (see [`SourceEntry::fields`]).
    pub fields: BTreeMap<String, String>,
    /// See [`SourceEntry::document`].
    pub document: Option<DocumentSpec>,
    /// See [`SourceEntry::plan`].
    pub plan: Option<PlanSpec>,
    /// See [`SourceEntry::coverage_communes`].
    pub coverage_communes: Vec<String>,
    /// The theme of a zoning layer (validated key and name).
    pub theme: Option<crate::model::ZoningTheme>,
}

impl Manifest {
    /// Reads `dir/urbaclic.toml` if there is one.
    pub fn find(dir: &Path) -> Result<Option<Manifest>, LoadError> {
        let path = dir.join(MANIFEST_FILE);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| LoadError::io(&path, e))?;
        let mut m = Manifest::parse(&text).map_err(|reason| LoadError::Manifest {
            path: path.clone(),
            reason,
        })?;
        m.path = path;
        Ok(Some(m))
    }

    /// Parses manifest text.
    ///
    /// ```
    /// use urbaclic::load::manifest::Manifest;
    /// let m = Manifest::parse("[[source]]\npath = \"plu\"\n").unwrap();
    /// assert_eq!(m.sources.len(), 1);
    /// assert!(Manifest::parse("[[source]]\nrole = \"zones\"\n").unwrap_err().contains("path"));
    /// ```
    pub fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Resolves every entry into loadable sources.
    pub fn sources(&self, root: &Path) -> Result<Vec<Source>, LoadError> {
        let mut out = Vec::new();
        for entry in &self.sources {
            let path = root.join(&entry.path);
            // A source may be a ZIP file (a folder) or a file inside one.
            if !(path.is_dir() || super::archive::exists(&path)) {
                return Err(LoadError::Manifest {
                    path: self.path.clone(),
                    reason: format!("source introuvable : {}", entry.path),
                });
            }
            match entry.role {
                Some(role) => {
                    if path.is_dir() {
                        return Err(LoadError::Manifest {
                            path: self.path.clone(),
                            reason: format!(
                                "{} : un rôle se déclare sur un fichier, pas un dossier",
                                entry.path
                            ),
                        });
                    }
                    if role == Role::Risk && entry.plan.is_none() {
                        return Err(LoadError::Manifest {
                            path: self.path.clone(),
                            reason: format!("{} : rôle risk sans [source.plan]", entry.path),
                        });
                    }
                    let theme = match (role, &entry.theme) {
                        (Role::Zoning, Some(key)) => Some(crate::model::ZoningTheme {
                            key: theme_key(key).map_err(|reason| LoadError::Manifest {
                                path: self.path.clone(),
                                reason: format!("{} : {reason}", entry.path),
                            })?,
                            name: entry.name.clone().unwrap_or_else(|| key.clone()),
                        }),
                        (Role::Zoning, None) => {
                            return Err(LoadError::Manifest {
                                path: self.path.clone(),
                                reason: format!(
                                    "{} : rôle zoning sans « theme » (ex. theme = \"sismicite\")",
                                    entry.path
                                ),
                            })
                        }
                        (_, Some(_)) => {
                            return Err(LoadError::Manifest {
                                path: self.path.clone(),
                                reason: format!(
                                    "{} : « theme » ne s'emploie qu'avec role = \"zoning\"",
                                    entry.path
                                ),
                            })
                        }
                        (_, None) => None,
                    };
                    out.push(Source {
                        kind: SourceKind::UserLayer(Box::new(UserLayerSpec {
                            role,
                            fields: entry.fields.clone(),
                            document: entry.document.clone(),
                            plan: entry.plan.clone(),
                            coverage_communes: entry.coverage_communes.clone(),
                            theme,
                        })),
                        name: entry.name.clone().unwrap_or_else(|| entry.path.clone()),
                        files: vec![path],
                    });
                }
                None if path.is_dir() || super::archive::is_zip(&path) => out.extend(scan(&path)?),
                None => {
                    let found = classify_files(vec![path]);
                    if found.is_empty() {
                        return Err(LoadError::Manifest {
                            path: self.path.clone(),
                            reason: format!(
                                "{} : format non reconnu ; donnez-lui un rôle (parcels, zones, risk) et une correspondance de champs",
                                entry.path
                            ),
                        });
                    }
                    out.extend(found);
                }
            }
        }
        Ok(out)
    }
}

impl Manifest {
    /// The `[[database]]` entries as sources, their connection strings resolved.
    pub fn databases(&self) -> Result<Vec<super::postgis::PostgisSource>, LoadError> {
        self.databases
            .iter()
            .map(|d| super::postgis::PostgisSource::new(d, &self.path))
            .collect()
    }
}

/// Layer names that a zoning theme may not take: the map and the answer already use them.
pub const RESERVED_LAYER_NAMES: [&str; 7] = [
    "communes",
    "parcels",
    "zones",
    "prescriptions",
    "informations",
    "servitudes",
    "risks",
];

/// Checks a theme key: lower-case ASCII letters, digits and `-`, not a reserved layer name, since
/// it names a map layer and an answer section.
///
/// ```
/// use urbaclic::load::manifest::theme_key;
/// assert_eq!(theme_key("bruit-aeroport").unwrap(), "bruit-aeroport");
/// assert!(theme_key("Zonage sismique").is_err());
/// assert!(theme_key("zones").is_err());
/// ```
pub fn theme_key(key: &str) -> Result<String, String> {
    let well_formed = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Err(format!(
            "thème « {key} » invalide : lettres minuscules sans accent, chiffres et tirets (ex. sismicite, bruit-aeroport)"
        ));
    }
    if RESERVED_LAYER_NAMES.contains(&key) {
        return Err(format!(
            "thème « {key} » réservé (déjà le nom d'une couche) ; choisissez-en un autre"
        ));
    }
    Ok(key.to_string())
}

/// Fills a field template: `{NAME}` is replaced by that field's value (case-insensitive), other text is
/// kept. `None` when a referenced field is blank, so a missing id is never silently half-built.
///
/// ```
/// use urbaclic::load::manifest::fill_template;
/// let get = |f: &str| match f { "SECTION" => Some("BW".to_string()), "NUMERO" => Some("0655".to_string()), _ => None };
/// assert_eq!(fill_template("35238000{SECTION}{NUMERO}", get).as_deref(), Some("35238000BW0655"));
/// assert_eq!(fill_template("U", get).as_deref(), Some("U"));
/// assert_eq!(fill_template("{MISSING}", get), None);
/// ```
pub fn fill_template(template: &str, get: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    for part in template_parts(template) {
        match part? {
            TemplatePart::Text(t) => out.push_str(t),
            TemplatePart::Field(f) => out.push_str(&get(f)?),
        }
    }
    Some(out)
}

/// The field names a template refers to, in order (an unclosed `{` ends the list).
///
/// ```
/// use urbaclic::load::manifest::template_fields;
/// assert_eq!(template_fields("{CODE_DEP}{CODE_COM}000{SECTION}").collect::<Vec<_>>(), ["CODE_DEP", "CODE_COM", "SECTION"]);
/// ```
pub fn template_fields(template: &str) -> impl Iterator<Item = &str> {
    template_parts(template)
        .map_while(std::convert::identity)
        .filter_map(|p| match p {
            TemplatePart::Field(f) => Some(f),
            TemplatePart::Text(_) => None,
        })
}

/// A piece of a field template.
enum TemplatePart<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// The pieces of `template`; `None` for an unclosed `{`, after which nothing follows.
fn template_parts(template: &str) -> impl Iterator<Item = Option<TemplatePart<'_>>> {
    let mut rest = Some(template);
    std::iter::from_fn(move || {
        let r = rest?;
        if r.is_empty() {
            return None;
        }
        let Some(start) = r.find('{') else {
            rest = None;
            return Some(Some(TemplatePart::Text(r)));
        };
        if start > 0 {
            rest = Some(&r[start..]);
            return Some(Some(TemplatePart::Text(&r[..start])));
        }
        let Some(end) = r.find('}') else {
            rest = None;
            return Some(None);
        };
        rest = Some(&r[end + 1..]);
        Some(Some(TemplatePart::Field(&r[1..end])))
    })
}
