//! PostgreSQL + PostGIS as a source: the tables of a manifest's `[[database]]` entry, each read as
//! the standard layer it holds and handed to the steps the file readers use — the CNIG planning
//! tables become one delivery for [`super::plu`] (checks, documents, attribution), the SUP tables
//! one delivery for [`super::sup`] (joins, checks), parcels and boundaries the models
//! [`super::user_layer`] builds. A row is what a file's feature is: attributes keyed by lower-case
//! column name (renamed by the table's `[database.table.fields]`), and its geometry, taken in the
//! table's SRID and reprojected by [`crate::crs`] like a file's, so both give the same coordinates.
//!
//! Errors name the database as `postgresql://host:port/base` (never the user or password) and
//! the table; connecting and every query have a time limit.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use geozero::wkb::Wkb;
use geozero::ToGeo;
use postgres::config::Host;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls};

use super::attribution::DeliveryName;
use super::cnig_layer::{text, Attributes, CnigLayer, CnigTable};
use super::conformity::sup::SupStandard;
use super::geometry::collect;
use super::manifest::{fill_template, DatabaseEntry, TableEntry};
use super::plu::{PluLayer, PluStandard, ReadDelivery};
use super::sup::{SupInput, SupLayer};
use super::{user_layer, LayerReport, LoadError, LoadReport};
use crate::crs::Crs;
use crate::dataset::DatasetParts;

/// Time allowed to connect when the manifest does not say.
const CONNECT_TIMEOUT_S: u64 = 10;
/// Time allowed to one query when the manifest does not say.
const STATEMENT_TIMEOUT_S: u64 = 120;

/// The standard layer a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableLayer {
    /// A CNIG planning layer or table.
    Plu(PluLayer),
    /// `SERVITUDE`.
    Servitude,
    /// `ACTE_SUP`.
    Acte,
    /// `SERVITUDE_ACTE_SUP`.
    ServitudeActe,
    /// `GENERATEUR_SUP_S|L|P`.
    Generateur(char),
    /// `ASSIETTE_SUP_S|L|P`.
    Assiette(char),
    /// Etalab parcels.
    Parcelles,
    /// Commune boundaries (`code`, `nom`).
    Communes,
    /// Département boundaries (`code`, `nom`).
    Departements,
}

impl TableLayer {
    /// The layer a manifest names (`zone_urba`, `assiette_sup_s`, `parcelles`…), any case.
    fn of_name(name: &str) -> Option<TableLayer> {
        let n = name.to_ascii_lowercase();
        let plu = match n.as_str() {
            "doc_urba" => Some(PluLayer::DocUrba),
            "doc_urba_com" => Some(PluLayer::DocUrbaCom),
            "zone_urba" => Some(PluLayer::Zones),
            "secteur_cc" => Some(PluLayer::Sectors),
            "prescription_surf" | "prescription_lin" | "prescription_pct" => {
                Some(PluLayer::Prescriptions)
            }
            "info_surf" | "info_lin" | "info_pct" => Some(PluLayer::Informations),
            _ => None,
        };
        if let Some(l) = plu {
            return Some(TableLayer::Plu(l));
        }
        let kind = |prefix: &str| {
            n.strip_prefix(prefix)
                .and_then(|k| k.chars().next().filter(|_| k.len() == 1))
                .filter(|k| matches!(k, 's' | 'l' | 'p'))
                .map(|k| k.to_ascii_uppercase())
        };
        match n.as_str() {
            "servitude" => Some(TableLayer::Servitude),
            "acte_sup" => Some(TableLayer::Acte),
            "servitude_acte_sup" => Some(TableLayer::ServitudeActe),
            "parcelles" => Some(TableLayer::Parcelles),
            "communes" => Some(TableLayer::Communes),
            "departements" => Some(TableLayer::Departements),
            _ => kind("generateur_sup_")
                .map(TableLayer::Generateur)
                .or_else(|| kind("assiette_sup_").map(TableLayer::Assiette)),
        }
    }

    /// Its name in reports, as the file readers name it.
    fn report_name(self) -> &'static str {
        match self {
            TableLayer::Plu(l) => l.name(),
            TableLayer::Servitude => "SERVITUDE",
            TableLayer::Acte => "ACTE_SUP",
            TableLayer::ServitudeActe => "SERVITUDE_ACTE_SUP",
            TableLayer::Generateur(_) => "GENERATEUR_SUP",
            TableLayer::Assiette(_) => "ASSIETTE_SUP",
            TableLayer::Parcelles => "cadastre (parcelles Etalab)",
            TableLayer::Communes => "limites de communes",
            TableLayer::Departements => "limites de départements",
        }
    }

    /// Whether its rows need a geometry.
    fn has_geometry(self) -> bool {
        !matches!(
            self,
            TableLayer::Plu(PluLayer::DocUrba | PluLayer::DocUrbaCom)
                | TableLayer::Servitude
                | TableLayer::Acte
                | TableLayer::ServitudeActe
        )
    }
}

/// The tables of one `[[database]]` entry, read as one source.
#[derive(Debug)]
pub struct PostgisSource {
    name: String,
    /// The connection string, resolved (it may hold a password: never shown).
    url: String,
    /// `postgresql://host:port/base`, naming the database in reports and errors.
    location: String,
    connect_timeout: Duration,
    statement_timeout: Duration,
    tables: Vec<(TableLayer, TableEntry)>,
}

impl PostgisSource {
    /// The source an entry describes, its `env:VAR` resolved and its layers checked; `manifest`
    /// names the manifest in errors.
    pub fn new(entry: &DatabaseEntry, manifest: &Path) -> Result<PostgisSource, LoadError> {
        let manifest_error = |reason: String| LoadError::Manifest {
            path: manifest.to_path_buf(),
            reason: format!("[[database]] {} : {reason}", entry.name),
        };
        let url = match entry.url.strip_prefix("env:") {
            Some(var) => std::env::var(var).map_err(|_| {
                manifest_error(format!("variable d'environnement {var} absente ou vide"))
            })?,
            None => entry.url.clone(),
        };
        let config: Config = url.parse().map_err(|_| {
            manifest_error(
                "chaîne de connexion PostgreSQL invalide (attendu : postgresql://utilisateur@hôte:port/base ou host=… dbname=…)"
                    .into(),
            )
        })?;
        let mut tables = Vec::new();
        for t in &entry.tables {
            let layer = TableLayer::of_name(&t.layer).ok_or_else(|| {
                manifest_error(format!(
                    "table {} : couche « {} » inconnue (doc_urba, doc_urba_com, zone_urba, secteur_cc, prescription_surf|lin|pct, info_surf|lin|pct, servitude, acte_sup, servitude_acte_sup, generateur_sup_s|l|p, assiette_sup_s|l|p, parcelles, communes, departements)",
                    t.table, t.layer
                ))
            })?;
            tables.push((layer, t.clone()));
        }
        if tables.is_empty() {
            return Err(manifest_error(
                "aucune table ([[database.table]] avec table et layer)".into(),
            ));
        }
        Ok(PostgisSource {
            name: entry.name.clone(),
            location: location(&config),
            url,
            connect_timeout: Duration::from_secs(
                entry.connect_timeout_s.unwrap_or(CONNECT_TIMEOUT_S),
            ),
            statement_timeout: Duration::from_secs(
                entry.statement_timeout_s.unwrap_or(STATEMENT_TIMEOUT_S),
            ),
            tables,
        })
    }

    /// An error about the database, or one of its tables.
    fn error(&self, table: Option<&str>, reason: impl std::fmt::Display) -> LoadError {
        LoadError::Database {
            location: match table {
                Some(t) => format!("{} table {t}", self.location),
                None => self.location.clone(),
            },
            reason: reason.to_string(),
        }
    }

    fn connect(&self) -> Result<Client, LoadError> {
        let mut config: Config = self
            .url
            .parse()
            .map_err(|_| self.error(None, "chaîne de connexion invalide"))?;
        config
            .connect_timeout(self.connect_timeout)
            .application_name("urbaclic")
            .options(&format!(
                "-c statement_timeout={}",
                self.statement_timeout.as_millis()
            ));
        config
            .connect(NoTls)
            .map_err(|e| self.error(None, format!("connexion impossible : {}", pg_reason(&e))))
    }
}

/// `postgresql://host:port/base` of a connection, without user nor password.
fn location(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or_else(|| config.get_user())
        .unwrap_or("postgres");
    format!("postgresql://{host}:{port}/{db}")
}

/// What the server said (its message, not the driver's wrapper), in one line.
fn pg_reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                s.push_str(&format!(" ({inner})"));
                source = inner.source();
            }
            s
        }
    }
}

/// `"schema"."table"` (or `"table"`), quoted for SQL.
fn quoted_table(table: &str) -> String {
    table.split('.').map(quote).collect::<Vec<_>>().join(".")
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// A table as read: with geometry (a layer), or without (a table).
enum Read {
    Layer(CnigLayer),
    Table(CnigTable),
}

impl Read {
    fn into_table(self) -> CnigTable {
        match self {
            Read::Layer(l) => l.into_table(),
            Read::Table(t) => t,
        }
    }
}

/// One table's columns, as the catalogue gives them.
struct Columns {
    /// Attribute columns, in table order.
    attributes: Vec<String>,
    /// Whether each attribute column is a number with a fractional part (`numeric`, `real`…),
    /// whose integral values are written in their integer form, as the `.dbf` reader does.
    decimal: Vec<bool>,
    /// The geometry column and its SRID (0 when it declares none).
    geometry: Option<(String, u32)>,
    /// The primary key columns, which order the rows as a file's are ordered.
    key: Vec<String>,
}

impl PostgisSource {
    /// Reads one table as `layer`.
    fn read_table(
        &self,
        client: &mut Client,
        layer: TableLayer,
        entry: &TableEntry,
    ) -> Result<Read, LoadError> {
        let err = |reason: String| self.error(Some(&entry.table), reason);
        let label = format!("{} table {}", self.location, entry.table);
        let columns = self.columns(client, entry)?;
        let geometry = match (&columns.geometry, layer.has_geometry()) {
            (Some((column, srid)), true) => {
                let srid = match (entry.srid, *srid) {
                    (Some(s), _) => s,
                    (None, 0) => {
                        return Err(err(format!(
                            "colonne {column} sans SRID déclaré ; précisez srid = … dans [[database.table]]"
                        )))
                    }
                    (None, s) => s,
                };
                let crs = self
                    .crs(client, srid)
                    .map_err(|e| err(format!("système de coordonnées : {e}")))?;
                Some((column.clone(), crs))
            }
            (None, true) => {
                return Err(err(format!(
                    "aucune colonne géométrique : la couche {} en demande une",
                    entry.layer
                )))
            }
            (_, false) => None,
        };
        let mut select: Vec<String> = columns
            .attributes
            .iter()
            .map(|c| format!("{}::text", quote(c)))
            .collect();
        if let Some((column, _)) = &geometry {
            select.push(format!("ST_AsBinary(ST_Force2D({}))", quote(column)));
        }
        // Qualified: a bare name would sort by the selected column of that name, cast to text
        // ("10" before "2").
        let order = match columns.key.is_empty() {
            true => String::new(),
            false => format!(
                " ORDER BY {}",
                columns
                    .key
                    .iter()
                    .map(|c| format!("src.{}", quote(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let sql = format!(
            "SELECT {} FROM {} AS src{order}",
            select.join(", "),
            quoted_table(&entry.table)
        );
        let mut rows = client
            .query_raw(&sql, std::iter::empty::<&str>())
            .map_err(|e| err(pg_reason(&e)))?;
        let fields = mapped_fields(&columns.attributes, &entry.fields);
        let mut report = LayerReport {
            file: label.clone(),
            layer: layer.report_name().to_string(),
            encoding: Some("UTF-8 (PostgreSQL)".into()),
            crs: geometry.as_ref().map(|(_, crs)| crs.name.clone()),
            ..Default::default()
        };
        warn_unknown_columns(&entry.fields, &columns.attributes, &mut report);
        let mut items = Vec::new();
        let mut i = 0;
        while let Some(row) = rows.next().map_err(|e| err(pg_reason(&e)))? {
            let mut attrs: Attributes = HashMap::new();
            for (n, column) in columns.attributes.iter().enumerate() {
                let value: Option<String> = row.try_get(n).map_err(|e| err(pg_reason(&e)))?;
                let Some(v) = value
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                else {
                    continue;
                };
                let v = match columns.decimal[n] {
                    true => super::dbf::normalise_number(&v),
                    false => v,
                };
                attrs.insert(column.to_ascii_lowercase(), v);
            }
            let attrs = apply_fields(attrs, &entry.fields);
            let geometry = match geometry {
                Some(_) => {
                    let wkb: Option<Vec<u8>> = row
                        .try_get(columns.attributes.len())
                        .map_err(|e| err(pg_reason(&e)))?;
                    Some(decode(wkb))
                }
                None => None,
            };
            items.push((i, attrs, geometry));
            i += 1;
        }
        match geometry {
            Some((_, crs)) => {
                let features = collect(
                    items.into_iter().map(|(i, a, g)| {
                        (i, a, g.unwrap_or_else(|| Err("géométrie nulle".into())))
                    }),
                    &crs,
                    &label,
                    &mut report,
                );
                Ok(Read::Layer(CnigLayer {
                    fields,
                    features,
                    report,
                }))
            }
            None => {
                report.features = items.len();
                Ok(Read::Table(CnigTable {
                    fields,
                    rows: items.into_iter().map(|(i, a, _)| (i, a)).collect(),
                    report,
                }))
            }
        }
    }

    /// The CRS of `srid`, as `spatial_ref_sys` defines it: by its EPSG code, else by its WKT (GDAL
    /// adds an SRID of its own, 900914…, for a `.prj` it could not match to a code).
    fn crs(&self, client: &mut Client, srid: u32) -> Result<Crs, String> {
        let srid_param = i32::try_from(srid).map_err(|e| e.to_string())?;
        let row = client
            .query_opt(
                "SELECT auth_name::text, auth_srid, srtext::text FROM spatial_ref_sys WHERE srid = $1",
                &[&srid_param],
            )
            .map_err(|e| pg_reason(&e))?;
        let found: Option<(Option<String>, Option<i32>, Option<String>)> =
            row.map(|r| (r.get(0), r.get(1), r.get(2)));
        let result = match found {
            Some((Some(auth), Some(code), _)) if auth.eq_ignore_ascii_case("EPSG") => {
                Crs::from_epsg(u32::try_from(code).unwrap_or(srid))
            }
            Some((_, _, Some(wkt))) if !wkt.is_empty() => Crs::from_wkt(&wkt),
            _ => Crs::from_epsg(srid),
        };
        result.map_err(|e| e.to_string())
    }

    /// The table's columns from the catalogue; a table that does not exist is an error.
    fn columns(&self, client: &mut Client, entry: &TableEntry) -> Result<Columns, LoadError> {
        let err = |reason: String| self.error(Some(&entry.table), reason);
        let quoted = quoted_table(&entry.table);
        let exists = client
            .query_one("SELECT to_regclass($1)::text", &[&quoted])
            .map_err(|e| err(pg_reason(&e)))?
            .get::<_, Option<String>>(0)
            .is_some();
        if !exists {
            return Err(err("table introuvable".into()));
        }
        let rows = client
            .query(
                "SELECT attname::text, format_type(atttypid, atttypmod), \
                 CASE WHEN format_type(atttypid, atttypmod) LIKE 'geometry%' \
                 THEN postgis_typmod_srid(atttypmod) ELSE 0 END \
                 FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 \
                 AND NOT attisdropped ORDER BY attnum",
                &[&quoted],
            )
            .map_err(|e| err(pg_reason(&e)))?;
        let mut attributes = Vec::new();
        let mut decimal = Vec::new();
        let mut geometries = Vec::new();
        for r in rows {
            let (name, kind, srid): (String, String, i32) = (r.get(0), r.get(1), r.get(2));
            if kind.starts_with("geometry") {
                geometries.push((name, u32::try_from(srid).unwrap_or(0)));
            } else {
                attributes.push(name);
                decimal.push(
                    kind.starts_with("numeric") || kind == "real" || kind == "double precision",
                );
            }
        }
        let geometry = match &entry.geometry {
            Some(g) => Some(
                geometries
                    .into_iter()
                    .find(|(n, _)| n == g)
                    .ok_or_else(|| err(format!("colonne géométrique {g} introuvable")))?,
            ),
            None if geometries.len() > 1 => {
                return Err(err(format!(
                    "plusieurs colonnes géométriques ({}) : précisez geometry = … dans [[database.table]]",
                    geometries
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            None => geometries.into_iter().next(),
        };
        let key = client
            .query(
                "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a \
                 ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = $1::text::regclass AND i.indisprimary ORDER BY a.attnum",
                &[&quoted],
            )
            .map_err(|e| err(pg_reason(&e)))?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        Ok(Columns {
            attributes,
            decimal,
            geometry,
            key,
        })
    }
}

/// A geometry from PostGIS's WKB, checked as a GeoPackage's is before decoding.
fn decode(wkb: Option<Vec<u8>>) -> Result<geo::Geometry<f64>, String> {
    let wkb = wkb.ok_or_else(|| "géométrie nulle".to_string())?;
    super::gpkg::check_wkb_bytes(&wkb).map_err(|e| e.to_string())?;
    Wkb(wkb).to_geo().map_err(|e| e.to_string())
}

/// The row with `[database.table.fields]` applied: each mapped field filled from its template
/// (absent when a column it names is blank); other columns keep their names.
fn apply_fields(mut attrs: Attributes, fields: &BTreeMap<String, String>) -> Attributes {
    if fields.is_empty() {
        return attrs;
    }
    let mapped: Vec<(String, Option<String>)> = fields
        .iter()
        .map(|(key, template)| {
            let value = fill_template(template, |f| text(&attrs, f));
            (key.to_ascii_lowercase(), value)
        })
        .collect();
    for (key, value) in mapped {
        match value {
            Some(v) => attrs.insert(key, v),
            None => attrs.remove(&key),
        };
    }
    attrs
}

/// The field names a reader sees: the columns, lower case, and the mapped fields.
fn mapped_fields(columns: &[String], fields: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = columns.iter().map(|c| c.to_ascii_lowercase()).collect();
    for key in fields.keys().map(|k| k.to_ascii_lowercase()) {
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// A template naming a column the table does not have fills nothing: say so.
fn warn_unknown_columns(
    fields: &BTreeMap<String, String>,
    columns: &[String],
    report: &mut LayerReport,
) {
    let mut lower: Vec<String> = columns.iter().map(|c| c.to_ascii_lowercase()).collect();
    lower.sort();
    user_layer::warn_unknown_template_fields(fields, &lower, report);
}

/// Everything the tables of one entry hold, sorted by destination.
#[derive(Default)]
struct Tables {
    plu_tables: Vec<(PluLayer, CnigTable)>,
    plu_layers: Vec<(PluLayer, CnigLayer)>,
    servitudes: Vec<CnigTable>,
    actes: Vec<CnigTable>,
    links: Vec<CnigTable>,
    generateurs: Vec<SupLayer>,
    assiettes: Vec<SupLayer>,
}

impl PostgisSource {
    /// Reads every table, in order, on a thread of its own: the synchronous client runs a
    /// runtime of its own, which cannot start on a thread already driving one (an async caller).
    fn read_all(&self) -> Result<Vec<(TableLayer, &TableEntry, Read)>, LoadError> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut client = self.connect()?;
                    self.tables
                        .iter()
                        .map(|(layer, entry)| {
                            let read = self.read_table(&mut client, *layer, entry)?;
                            Ok((*layer, entry, read))
                        })
                        .collect()
                })
                .join()
                .unwrap_or_else(|_| {
                    Err(self.error(None, "lecture interrompue par une erreur interne"))
                })
        })
    }
}

impl super::DataSource for PostgisSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn files(&self) -> &[PathBuf] {
        &[]
    }

    fn load(
        &self,
        _root: &Path,
        parts: &mut DatasetParts,
        report: &mut LoadReport,
    ) -> Result<(), LoadError> {
        let mut t = Tables::default();
        for (layer, entry, read) in self.read_all()? {
            match (layer, read) {
                (TableLayer::Plu(l), Read::Table(table)) => t.plu_tables.push((l, table)),
                (TableLayer::Plu(l), Read::Layer(layer)) => t.plu_layers.push((l, layer)),
                (TableLayer::Servitude, r) => t.servitudes.push(r.into_table()),
                (TableLayer::Acte, r) => t.actes.push(r.into_table()),
                (TableLayer::ServitudeActe, r) => t.links.push(r.into_table()),
                (TableLayer::Generateur(k), Read::Layer(layer)) => t.generateurs.push(SupLayer {
                    category: None,
                    geometry_kind: Some(k),
                    layer,
                }),
                (TableLayer::Assiette(k), Read::Layer(layer)) => t.assiettes.push(SupLayer {
                    category: None,
                    geometry_kind: Some(k),
                    layer,
                }),
                (TableLayer::Parcelles, Read::Layer(layer)) => {
                    let mut r = layer.report;
                    user_layer::push_parcels(layer.features, text, &mut r, parts);
                    report.layers.push(r);
                }
                (TableLayer::Communes, Read::Layer(layer)) => {
                    let mut r = layer.report;
                    let found = user_layer::boundaries(layer.features, text, &mut r);
                    parts.communes.extend(found);
                    report.layers.push(r);
                }
                (TableLayer::Departements, Read::Layer(layer)) => {
                    let mut r = layer.report;
                    let found = user_layer::boundaries(layer.features, text, &mut r);
                    parts.departements.extend(found);
                    report.layers.push(r);
                }
                (_, Read::Table(_)) => {
                    return Err(self.error(Some(&entry.table), "aucune colonne géométrique"))
                }
            }
        }
        if !t.plu_tables.is_empty() || !t.plu_layers.is_empty() {
            let stems: Vec<&str> = self
                .tables
                .iter()
                .filter(|(l, _)| matches!(l, TableLayer::Plu(_)))
                .map(|(_, e)| e.table.as_str())
                .collect();
            let delivery = ReadDelivery {
                named: DeliveryName::of_delivery(&self.name, stems),
                name: self.name.clone(),
                tables: t.plu_tables,
                layers: t.plu_layers,
                unreadable: Vec::new(),
                // A database says nothing of the standard its tables follow: the current one.
                standard: PluStandard::V2017,
            };
            super::plu::load_read(delivery, parts, report);
        }
        if !t.assiettes.is_empty() || !t.servitudes.is_empty() {
            let input = SupInput {
                name: self.name.clone(),
                standard: SupStandard::V2016,
                servitudes: t.servitudes,
                actes: t.actes,
                links: t.links,
                generateurs: t.generateurs,
                assiettes: t.assiettes,
            };
            super::sup::load_read(input, parts, report);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_by_standard_name() {
        assert_eq!(
            TableLayer::of_name("ZONE_URBA"),
            Some(TableLayer::Plu(PluLayer::Zones))
        );
        assert_eq!(
            TableLayer::of_name("assiette_sup_l"),
            Some(TableLayer::Assiette('L'))
        );
        assert_eq!(
            TableLayer::of_name("generateur_sup_p"),
            Some(TableLayer::Generateur('P'))
        );
        assert_eq!(TableLayer::of_name("assiette_sup_x"), None);
        assert_eq!(TableLayer::of_name("zones"), None);
    }

    #[test]
    fn location_hides_the_password() {
        let c: Config = "postgresql://ddt:s3cret@db.example:6543/urba"
            .parse()
            .unwrap();
        assert_eq!(location(&c), "postgresql://db.example:6543/urba");
        let c: Config = "host=10.0.0.1 user=ddt password=s3cret dbname=plu"
            .parse()
            .unwrap();
        assert_eq!(location(&c), "postgresql://10.0.0.1:5432/plu");
    }

    #[test]
    fn fields_renamed_by_templates() {
        let attrs: Attributes = [("lib_zone".to_string(), "UA".to_string())].into();
        let fields: BTreeMap<String, String> = [
            ("LIBELLE".to_string(), "{LIB_ZONE}".to_string()),
            ("typezone".to_string(), "{type}".to_string()),
        ]
        .into();
        let out = apply_fields(attrs, &fields);
        assert_eq!(out.get("libelle").map(String::as_str), Some("UA"));
        assert!(!out.contains_key("typezone"));
    }

    #[test]
    fn tables_quoted() {
        assert_eq!(quoted_table("urba.zone_urba"), "\"urba\".\"zone_urba\"");
        assert_eq!(quoted_table("a\"b"), "\"a\"\"b\"");
    }
}
