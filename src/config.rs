//! Server configuration file (`urbaclic serve --config FILE`), like martin's: everything the command
//! line says can also live here, and command-line flags win.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! data = "data"                 # data folder (with its urbaclic.toml manifest)
//! frontend = "frontend"         # optional: serve the map page from disk instead of the embedded copy
//!
//! [geocoder]                    # optional remote BAN-compatible geocoder, off by default
//! upstream_url = "https://api-adresse.data.gouv.fr"
//! upstream_timeout_ms = 1500
//! upstream_mode = "fallback"    # "fallback": only when the embedded index has no good match; or "always"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::geocode::{UpstreamConfig, UpstreamMode};

/// The parsed configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub frontend: Option<PathBuf>,
    #[serde(default)]
    pub geocoder: GeocoderConfig,
}

/// `[geocoder]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeocoderConfig {
    pub upstream_url: Option<String>,
    pub upstream_timeout_ms: Option<u64>,
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
    /// ```
    pub fn parse(text: &str, base: &Path) -> Result<ServerConfig, String> {
        let mut c: ServerConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.data = c.data.map(|d| base.join(d));
        c.frontend = c.frontend.map(|d| base.join(d));
        c.upstream()?;
        Ok(c)
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> Result<ServerConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        ServerConfig::parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The upstream geocoder, if one is configured.
    pub fn upstream(&self) -> Result<Option<UpstreamConfig>, String> {
        let g = &self.geocoder;
        let Some(url) = &g.upstream_url else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "geocoder.upstream_url doit commencer par http:// ou https:// : {url}"
            ));
        }
        let mode = match g.upstream_mode.as_deref() {
            None | Some("fallback") => UpstreamMode::Fallback,
            Some("always") => UpstreamMode::Always,
            Some(other) => {
                return Err(format!(
                    "geocoder.upstream_mode : « fallback » ou « always », pas « {other} »"
                ))
            }
        };
        let timeout =
            Duration::from_millis(g.upstream_timeout_ms.unwrap_or(DEFAULT_UPSTREAM_TIMEOUT_MS));
        Ok(Some(UpstreamConfig::new(url.clone(), timeout, mode)))
    }
}
