//! The map page (`frontend/`), embedded in the binary so that `urbaclic serve` works from any
//! directory, with no file beside it.
//!
//! Files are embedded one by one with `include_bytes!` rather than with a directory-embedding
//! crate: the page is a handful of files, and this keeps the dependency list as it is. The test
//! `every_frontend_file_is_embedded` fails when a file is added to `frontend/` but not to
//! [`FILES`], so the list cannot drift.
//!
//! For development, `urbaclic serve --frontend DIR` serves from a folder instead (edit, reload, no
//! rebuild); a file missing from that folder still comes from the embedded copy. Only regular
//! files reached without a symbolic link are served from it (a link could lead anywhere on the
//! disk), and every refusal is the API's JSON error.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::ApiError;

/// Longest path segment looked up on disk: the usual file-name limit of file systems.
const MAX_SEGMENT_BYTES: usize = 255;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/", $path)) as &[u8])),*]
    };
}

/// Every file of `frontend/`, by its path relative to that folder.
pub const FILES: &[(&str, &[u8])] = embed![
    "index.html",
    "favicon.svg",
    "css/app.css",
    "css/print.css",
    "js/api.js",
    "js/app.js",
    "js/config.js",
    "js/draw.js",
    "js/examples.js",
    "js/format.js",
    "js/map.js",
    "js/panel.js",
    "js/permalink.js",
    "js/search.js",
    "js/territory.js",
    "vendor/leaflet/LICENSE",
    "vendor/leaflet/VERSION.md",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/layers-2x.png",
    "vendor/leaflet/images/layers.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-shadow.png",
];

/// Installs the page as the router's fallback: from `dir` when it holds an `index.html`, else (and
/// for any file `dir` lacks) from the embedded copy; anything else is the JSON 404.
pub fn with_frontend(app: Router, dir: Option<PathBuf>) -> Router {
    match dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => app.fallback_service(axum::routing::any(serve_from_dir).with_state(dir)),
        None => app.fallback(serve_embedded),
    }
}

/// The file of `dir` at the request `path` when it is a regular file reached through no symbolic
/// link; `None` otherwise (`..`, over-long segments, links, folders, missing files).
fn file_in(dir: &Path, path: &str) -> Option<PathBuf> {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let mut at = dir.to_path_buf();
    for segment in path.split('/') {
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.len() > MAX_SEGMENT_BYTES
            || segment.contains('\\')
        {
            return None;
        }
        at.push(segment);
        if std::fs::symlink_metadata(&at)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return None;
        }
    }
    std::fs::symlink_metadata(&at)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|_| at)
}

async fn serve_from_dir(State(dir): State<PathBuf>, method: Method, uri: Uri) -> Response {
    let Some(file) = file_in(&dir, uri.path()) else {
        return serve_embedded(method, uri).await;
    };
    if method != Method::GET && method != Method::HEAD {
        return super::method_not_allowed(method, uri).await.into_response();
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => file_response(uri.path(), bytes),
        Err(e) => ApiError::Internal(format!("{}: {e}", file.display())).into_response(),
    }
}

/// The embedded file at `path` (`/` is `index.html`).
pub fn embedded(path: &str) -> Option<&'static [u8]> {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, bytes)| *bytes)
}

async fn serve_embedded(method: Method, uri: Uri) -> Response {
    let Some(bytes) = embedded(uri.path()) else {
        return super::not_found(uri).await.into_response();
    };
    if method != Method::GET && method != Method::HEAD {
        return super::method_not_allowed(method, uri).await.into_response();
    }
    file_response(uri.path(), bytes)
}

/// A file of the page with its type, revalidated on each use.
fn file_response(path: &str, bytes: impl Into<axum::body::Body>) -> Response {
    let path = if path == "/" { "index.html" } else { path };
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(path)),
        ),
        // The page is tiny and changes with the binary: revalidate rather than serve a stale copy
        // after an upgrade.
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (StatusCode::OK, headers, bytes.into()).into_response()
}

/// MIME type by extension, for the few kinds the page uses.
fn content_type(path: &str) -> &'static str {
    match path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("md") | Some("txt") => "text/plain; charset=utf-8",
        _ if path.ends_with("LICENSE") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }

    #[test]
    fn every_frontend_file_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend");
        let mut on_disk = Vec::new();
        walk(&root, &root, &mut on_disk);
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "update FILES in src/api/static_files.rs");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("/js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("/vendor/leaflet/LICENSE"),
            "text/plain; charset=utf-8"
        );
        assert!(embedded("/").is_some());
        assert!(embedded("/nope.js").is_none());
    }
}
