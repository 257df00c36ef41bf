//! The written pieces of a CNIG delivery (`Pieces_ecrites/`: regulation, annexes, orientations…),
//! indexed so that answers can link to them and the server can serve them, and nothing else.

use std::path::{Path, PathBuf};

use super::scan::Source;
use crate::dataset::DatasetParts;
use crate::model::Piece;

/// The folder of written pieces in a CNIG delivery.
const PIECES_DIR: &str = "Pieces_ecrites";

/// File types served: the documents producers deliver, never scripts or pages with active content.
pub const SERVED_EXTENSIONS: [&str; 8] = ["pdf", "odt", "doc", "docx", "jpg", "jpeg", "png", "csv"];

/// Indexes the written pieces of `source`'s delivery folder (regular files only: a symbolic
/// link could lead out of the data folder).
pub fn index(root: &Path, source: &Source, parts: &mut DatasetParts) {
    let Some(delivery) = delivery_dir(source) else {
        return;
    };
    let Some(pieces) = child_dir(&delivery, PIECES_DIR) else {
        return;
    };
    let mut files = Vec::new();
    walk(&pieces, 0, &mut files);
    files.sort();
    for file in files {
        let served = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .is_some_and(|e| SERVED_EXTENSIONS.contains(&e.as_str()));
        if !served {
            continue;
        }
        parts.pieces.push(Piece {
            delivery: source.name.clone(),
            path: super::relative(root, &file).replace('\\', "/"),
            name: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            file,
        });
    }
}

/// The delivery folder: the parent of `Donnees_geographiques/`, or the folder of its files.
fn delivery_dir(source: &Source) -> Option<PathBuf> {
    let parent = source.files.first()?.parent()?;
    let is_data_dir = parent
        .file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("Donnees_geographiques"));
    Some(if is_data_dir {
        parent.parent()?.to_path_buf()
    } else {
        parent.to_path_buf()
    })
}

fn child_dir(dir: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name().to_string_lossy().eq_ignore_ascii_case(name)
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
        .map(|e| e.path())
}

/// Deeper folders than this are not searched (deliveries have two levels).
const MAX_DEPTH: usize = 4;

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        // `file_type` does not follow symbolic links: links are neither walked nor served.
        match e.file_type() {
            Ok(t) if t.is_dir() && depth < MAX_DEPTH => walk(&e.path(), depth + 1, out),
            Ok(t) if t.is_file() => out.push(e.path()),
            _ => {}
        }
    }
}
