//! Server configuration file (`urbaclic serve --config FILE`), like martin's: everything the command
//! line says can also live here, and command-line flags win.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! data = "data"                 # data folder (with its urbaclic.toml manifest)
//! frontend = "frontend"         # optional: serve the map page from disk instead of the embedded copy
//! public_url = "https://urbaclic.example.fr"  # optional: the address printed in documents (CUa permalink);
//!                                             # default: the request's Host
//!
//! [geocoder]                    # optional remote BAN-compatible geocoder, off by default
//! upstream_url = "https://api-adresse.data.gouv.fr"
//! upstream_timeout_ms = 1500
//! upstream_mode = "fallback"    # "fallback": only when the embedded index has no good match; or "always"
//!
//! [limits]                      # optional, what one client may cost
//! analysis_workers = 2          # footprint/parcel/map analyses at once (default: one per core)
//! analysis_budget_ms = 10000    # an analysis not done by then is answered 504
//! header_timeout_ms = 10000     # to send a request head; also the keep-alive idle limit
//! body_timeout_ms = 10000       # to send a request body (408 beyond)
//! request_timeout_ms = 30000    # whole request, head to answer (504 beyond)
//! write_timeout_ms = 30000      # a client not reading the answer for that long is disconnected
//! max_connections = 1000        # beyond, new connections are closed at once (default: from `ulimit -n`)
//! max_in_flight = 256           # requests at once; beyond, 503 with Retry-After
//! shutdown_grace_ms = 10000     # SIGTERM: how long requests in flight may finish
//! reload_max_loss_pct = 50      # a reload cutting a file's features by more is refused
//!
//! [admin]
//! token = "…"                   # enables POST /admin/reload with "Authorization: Bearer …"
//!
//! [[basemap]]                   # optional, repeatable: raster basemaps offered by the map page
//! name = "Plan IGN"
//! url = "https://data.geopf.fr/wmts?…&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"  # XYZ or WMTS template
//! attribution = "© IGN – Plan IGN"
//! max_zoom = 19                 # deepest zoom the tile server has (default 19)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::api::RequestLimits;
use crate::app::{Workers, DEFAULT_BUDGET, DEFAULT_RELOAD_MAX_LOSS};
use crate::geocode::{UpstreamConfig, UpstreamMode};
use crate::server::ConnectionLimits;

/// Why a configuration file was refused. The messages are the ones printed at startup.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The file was read but its content is refused (`error` says why).
    #[error("{}: {error}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The refused setting.
        error: Box<ConfigError>,
    },
    /// Not TOML, or an unknown or mistyped key.
    #[error("{0}")]
    Syntax(toml::de::Error),
    /// `geocoder.upstream_url` is not an `http://` or `https://` URL.
    #[error("geocoder.upstream_url doit commencer par http:// ou https:// : {0}")]
    UpstreamUrl(String),
    /// `public_url` is not an http(s) address.
    #[error("public_url doit commencer par http:// ou https:// : {0}")]
    PublicUrl(String),
    /// `geocoder.upstream_mode` is neither `fallback` nor `always`.
    #[error("geocoder.upstream_mode : « fallback » ou « always », pas « {0} »")]
    UpstreamMode(String),
    /// A `[limits]` value that would stop the service from answering.
    #[error("{0}")]
    Limit(&'static str),
    /// A `[[basemap]]` entry the map page could not use (`name` says which, `why` what is wrong).
    #[error("basemap « {name} » : {why}")]
    Basemap {
        /// The entry's `name` (or its position when it has none).
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// The parsed configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on (`--listen` wins over it).
    pub listen: Option<SocketAddr>,
    /// Data folder (`--data` wins over it).
    pub data: Option<PathBuf>,
    /// Folder of the map page, instead of the copy built into the binary.
    pub frontend: Option<PathBuf>,
    /// The service's public address, printed in documents (the draft certificate's permalink).
    pub public_url: Option<String>,
    /// The `[geocoder]` section.
    #[serde(default)]
    pub geocoder: GeocoderConfig,
    /// The `[limits]` section.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// The `[admin]` section.
    #[serde(default)]
    pub admin: AdminConfig,
    /// The `[[basemap]]` entries, in the order the map page lists them; none by default (the page
    /// then needs no network).
    #[serde(default, rename = "basemap")]
    pub basemaps: Vec<Basemap>,
}

/// One `[[basemap]]` entry: a raster tile layer the map page offers under the data, switchable in
/// its layer control. Published as given (URL normalised) in `GET /api/catalog` `basemaps`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// Its name in the layer control (« Plan IGN »).
    pub name: String,
    /// Tile URL template: XYZ (`{z}`, `{x}`, `{y}`), or WMTS in the Web Mercator tile matrix set
    /// (`{TileMatrix}`, `{TileCol}`, `{TileRow}`, rewritten to `{z}`, `{x}`, `{y}` when read).
    pub url: String,
    /// Text shown on the map while the basemap is on: most tile licences require it.
    pub attribution: String,
    /// Deepest zoom the tile server has (default [`DEFAULT_BASEMAP_MAX_ZOOM`]); the page enlarges
    /// those tiles beyond it.
    #[serde(default = "default_basemap_max_zoom")]
    pub max_zoom: u8,
}

/// Default of `basemap.max_zoom`: what most XYZ and WMTS servers have.
pub const DEFAULT_BASEMAP_MAX_ZOOM: u8 = 19;

/// Deepest zoom the map page shows.
const MAP_MAX_ZOOM: u8 = 20;

fn default_basemap_max_zoom() -> u8 {
    DEFAULT_BASEMAP_MAX_ZOOM
}

impl Basemap {
    /// Checks the entry and rewrites WMTS placeholders to the XYZ ones the page uses.
    ///
    /// ```
    /// use urbaclic::config::Basemap;
    /// let b = Basemap {
    ///     name: "Plan".into(),
    ///     url: "https://t.example/wmts?TILEMATRIX={TileMatrix}&TILECOL={TileCol}&TILEROW={TileRow}".into(),
    ///     attribution: "© IGN".into(),
    ///     max_zoom: 19,
    /// };
    /// assert_eq!(b.checked().unwrap().url, "https://t.example/wmts?TILEMATRIX={z}&TILECOL={x}&TILEROW={y}");
    /// ```
    pub fn checked(mut self) -> Result<Basemap, ConfigError> {
        let fail = |why| ConfigError::Basemap {
            name: self.name.clone(),
            why,
        };
        if self.name.trim().is_empty() {
            return Err(fail("name est vide"));
        }
        if self.attribution.trim().is_empty() {
            return Err(fail(
                "attribution est vide (la licence des tuiles l'exige presque toujours)",
            ));
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(fail("url doit commencer par http:// ou https://"));
        }
        if self.max_zoom > MAP_MAX_ZOOM {
            return Err(fail("max_zoom doit être entre 0 et 20"));
        }
        for (wmts, xyz) in [
            ("{TileMatrix}", "{z}"),
            ("{TileCol}", "{x}"),
            ("{TileRow}", "{y}"),
        ] {
            self.url = self.url.replace(wmts, xyz);
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| self.url.contains(p)) {
            return Err(fail(
                "url doit contenir {z}, {x} et {y} (ou {TileMatrix}, {TileCol} et {TileRow})",
            ));
        }
        Ok(self)
    }
}

/// `[admin]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Bearer token of `POST /admin/reload`; without one the route answers 404.
    pub token: Option<String>,
}

/// Shortest admin token accepted: long enough not to be guessed.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;

/// `[limits]` section; every key has a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Threads running footprint, parcel and map-layer analyses (see docs/configuration.md).
    pub analysis_workers: Option<usize>,
    /// Time budget of one analysis, in ms (beyond: 504).
    pub analysis_budget_ms: Option<u64>,
    /// Time for a request head to arrive, and for an idle keep-alive connection, in ms.
    pub header_timeout_ms: Option<u64>,
    /// Time for a request body to arrive, in ms (beyond: 408).
    pub body_timeout_ms: Option<u64>,
    /// Time for a whole request, in ms (beyond: 504).
    pub request_timeout_ms: Option<u64>,
    /// Time a write of the answer may wait for the client to read, in ms (beyond: disconnected).
    pub write_timeout_ms: Option<u64>,
    /// Connections held at once; more are closed at once.
    pub max_connections: Option<usize>,
    /// Requests handled at once; more get 503 with `Retry-After`.
    pub max_in_flight: Option<usize>,
    /// Time given to requests in flight on SIGTERM, in ms.
    pub shutdown_grace_ms: Option<u64>,
    /// Largest share of a file's features a reload may lose, in percent (default 50).
    pub reload_max_loss_pct: Option<f64>,
}

/// Default of `limits.header_timeout_ms`: generous for a phone on a bad network, short enough
/// that idle sockets do not pile up.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (start line and headers), in bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Default of `limits.write_timeout_ms`: as long as the request deadline; a client that reads
/// nothing for that long has gone.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of `limits.shutdown_grace_ms`.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `[geocoder]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeocoderConfig {
    /// Remote BAN-compatible geocoder (`https://api-adresse.data.gouv.fr`); none: local only.
    pub upstream_url: Option<String>,
    /// Time limit of one remote call, in milliseconds (default [`DEFAULT_UPSTREAM_TIMEOUT_MS`]).
    pub upstream_timeout_ms: Option<u64>,
    /// `fallback` (ask the remote when the local match is poor, the default) or `always`.
    pub upstream_mode: Option<String>,
}

/// Default time limit of an upstream geocoder call: a user is waiting.
pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 1500;

impl ServerConfig {
    /// Reads and validates a configuration file; paths in it are relative to the file.
    ///
    /// ```
    /// let c = urbaclic::config::ServerConfig::parse("listen = \"127.0.0.1:9000\"\n[geocoder]\nupstream_url = \"http://127.0.0.1:1\"\n", std::path::Path::new(".")).unwrap();
    /// assert_eq!(c.listen.unwrap().port(), 9000);
    /// assert!(c.upstream().unwrap().is_some());
    /// let e = urbaclic::config::ServerConfig::parse("[geocoder]\nupstream_url = \"ftp://x\"\n", std::path::Path::new(".")).unwrap_err();
    /// assert_eq!(e.to_string(), "geocoder.upstream_url doit commencer par http:// ou https:// : ftp://x");
    /// ```
    pub fn parse(text: &str, base: &Path) -> Result<ServerConfig, ConfigError> {
        let mut c: ServerConfig = toml::from_str(text).map_err(ConfigError::Syntax)?;
        c.data = c.data.map(|d| base.join(d));
        c.frontend = c.frontend.map(|d| base.join(d));
        if let Some(url) = &c.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::PublicUrl(url.clone()));
            }
        }
        c.upstream()?;
        c.workers()?;
        c.request_limits()?;
        c.connection_limits()?;
        c.reload_max_loss()?;
        c.admin_token()?;
        c.basemaps = std::mem::take(&mut c.basemaps)
            .into_iter()
            .map(Basemap::checked)
            .collect::<Result<_, _>>()?;
        for (i, b) in c.basemaps.iter().enumerate() {
            if c.basemaps[..i].iter().any(|o| o.name == b.name) {
                return Err(ConfigError::Basemap {
                    name: b.name.clone(),
                    why: "ce nom est déjà celui d'un autre fond",
                });
            }
        }
        Ok(c)
    }

    /// Reads `path`; errors name the file.
    pub fn read(path: &Path) -> Result<ServerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        ServerConfig::parse(&text, base).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            error: Box::new(e),
        })
    }

    /// The pool analyses run on: `[limits]` or [`Workers::default`].
    ///
    /// ```
    /// let c = urbaclic::config::ServerConfig::parse("[limits]\nanalysis_workers = 0\n", std::path::Path::new(".")).unwrap_err();
    /// assert_eq!(c.to_string(), "limits.analysis_workers doit être au moins 1");
    /// ```
    pub fn workers(&self) -> Result<Workers, ConfigError> {
        let l = &self.limits;
        let default = Workers::default();
        if l.analysis_workers == Some(0) {
            return Err(ConfigError::Limit(
                "limits.analysis_workers doit être au moins 1",
            ));
        }
        Ok(Workers::new(
            l.analysis_workers.unwrap_or(default.size()),
            l.analysis_budget_ms
                .map_or(DEFAULT_BUDGET, Duration::from_millis),
        ))
    }

    /// The admin token, if set; one shorter than [`MIN_ADMIN_TOKEN_CHARS`] is refused.
    pub fn admin_token(&self) -> Result<Option<std::sync::Arc<str>>, ConfigError> {
        match &self.admin.token {
            Some(t) if t.chars().count() < MIN_ADMIN_TOKEN_CHARS => Err(ConfigError::Limit(
                "admin.token doit compter au moins 16 caractères",
            )),
            t => Ok(t.as_deref().map(std::sync::Arc::from)),
        }
    }

    /// `limits.reload_max_loss_pct` as a share (0–1).
    pub fn reload_max_loss(&self) -> Result<f64, ConfigError> {
        match self.limits.reload_max_loss_pct {
            None => Ok(DEFAULT_RELOAD_MAX_LOSS),
            Some(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
            Some(_) => Err(ConfigError::Limit(
                "limits.reload_max_loss_pct est un pourcentage, de 0 à 100",
            )),
        }
    }

    /// Per-request limits: `[limits]` or [`RequestLimits::default`].
    pub fn request_limits(&self) -> Result<RequestLimits, ConfigError> {
        let l = &self.limits;
        let d = RequestLimits::default();
        if l.max_in_flight == Some(0) {
            return Err(ConfigError::Limit(
                "limits.max_in_flight doit être au moins 1",
            ));
        }
        Ok(RequestLimits {
            max_in_flight: l.max_in_flight.unwrap_or(d.max_in_flight),
            body_timeout: l
                .body_timeout_ms
                .map_or(d.body_timeout, Duration::from_millis),
            request_timeout: l
                .request_timeout_ms
                .map_or(d.request_timeout, Duration::from_millis),
        })
    }

    /// Connection limits: `[limits]` or their defaults.
    ///
    /// ```
    /// let c = urbaclic::config::ServerConfig::parse("[limits]\nmax_connections = 10\n", std::path::Path::new(".")).unwrap();
    /// assert_eq!(c.connection_limits().unwrap().max_connections, 10);
    /// ```
    pub fn connection_limits(&self) -> Result<ConnectionLimits, ConfigError> {
        let l = &self.limits;
        if l.max_connections == Some(0) {
            return Err(ConfigError::Limit(
                "limits.max_connections doit être au moins 1",
            ));
        }
        Ok(ConnectionLimits {
            header_timeout: l
                .header_timeout_ms
                .map_or(DEFAULT_HEADER_TIMEOUT, Duration::from_millis),
            max_connections: l
                .max_connections
                .unwrap_or_else(crate::server::default_max_connections),
            max_header_bytes: MAX_HEADER_BYTES,
            write_timeout: l
                .write_timeout_ms
                .map_or(DEFAULT_WRITE_TIMEOUT, Duration::from_millis),
            shutdown_grace: l
                .shutdown_grace_ms
                .map_or(DEFAULT_SHUTDOWN_GRACE, Duration::from_millis),
        })
    }

    /// The upstream geocoder, if one is configured.
    pub fn upstream(&self) -> Result<Option<UpstreamConfig>, ConfigError> {
        let g = &self.geocoder;
        let Some(url) = &g.upstream_url else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError::UpstreamUrl(url.clone()));
        }
        let mode = match g.upstream_mode.as_deref() {
            None => UpstreamMode::Fallback,
            Some(m) => m
                .parse()
                .map_err(|_| ConfigError::UpstreamMode(m.to_string()))?,
        };
        let timeout =
            Duration::from_millis(g.upstream_timeout_ms.unwrap_or(DEFAULT_UPSTREAM_TIMEOUT_MS));
        Ok(Some(UpstreamConfig::new(url.clone(), timeout, mode)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ServerConfig, ConfigError> {
        ServerConfig::parse(text, Path::new("."))
    }

    #[test]
    fn no_basemap_by_default() {
        assert!(parse("").unwrap().basemaps.is_empty());
    }

    #[test]
    fn basemaps_keep_their_order_and_wmts_placeholders_become_xyz() {
        // IGN's Géoplateforme WMTS, key-value form, as docs/configuration.md shows it.
        let c = parse(
            r#"
[[basemap]]
name = "Plan IGN"
url = "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}"
attribution = "© IGN – Plan IGN"

[[basemap]]
name = "OSM local"
url = "http://127.0.0.1:8081/{z}/{x}/{y}.png"
attribution = "© contributeurs OpenStreetMap"
max_zoom = 18
"#,
        )
        .unwrap();
        let names: Vec<&str> = c.basemaps.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["Plan IGN", "OSM local"]);
        assert!(c.basemaps[0]
            .url
            .ends_with("&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"));
        assert_eq!(c.basemaps[0].max_zoom, DEFAULT_BASEMAP_MAX_ZOOM);
        assert_eq!(c.basemaps[1].max_zoom, 18);
    }

    #[test]
    fn unusable_basemaps_are_refused_with_a_french_reason() {
        let entry = |name: &str, url: &str, attribution: &str, extra: &str| {
            format!("[[basemap]]\nname = \"{name}\"\nurl = \"{url}\"\nattribution = \"{attribution}\"\n{extra}")
        };
        let ok_url = "https://t.example/{z}/{x}/{y}.png";
        let cases = [
            (entry("", ok_url, "©", ""), "basemap «  » : name est vide"),
            (
                entry("A", ok_url, " ", ""),
                "basemap « A » : attribution est vide (la licence des tuiles l'exige presque toujours)",
            ),
            (
                entry("A", "ftp://t.example/{z}/{x}/{y}", "©", ""),
                "basemap « A » : url doit commencer par http:// ou https://",
            ),
            (
                entry("A", "https://t.example/{z}/{x}.png", "©", ""),
                "basemap « A » : url doit contenir {z}, {x} et {y} (ou {TileMatrix}, {TileCol} et {TileRow})",
            ),
            (
                entry("A", ok_url, "©", "max_zoom = 23"),
                "basemap « A » : max_zoom doit être entre 0 et 20",
            ),
            (
                format!("{}\n{}", entry("A", ok_url, "©", ""), entry("A", ok_url, "©", "")),
                "basemap « A » : ce nom est déjà celui d'un autre fond",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(&text).unwrap_err().to_string(), message, "{text}");
        }
        // A key of its own is a syntax error, like everywhere else in the file.
        assert!(matches!(
            parse(&entry("A", ok_url, "©", "opacity = 1")),
            Err(ConfigError::Syntax(_))
        ));
    }
}
