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
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::geocode::{UpstreamConfig, UpstreamMode};

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
}

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
