//! The written pieces of a CNIG delivery (`Pieces_ecrites/`: regulation, annexes, orientations…),
//! indexed so that answers can link to them and the server can serve them, and nothing else.
//!
//! A delivery inside a ZIP file (as the GPU serves them) is indexed the same way; its pieces stay
//! in the archive and are read from it on request (`/api/pieces/…`, [`super::archive::read`]):
//! nothing is extracted, so nothing has to be cleaned up and a reload sees the new archive.

use std::path::{Path, PathBuf};

use super::scan::Source;
use crate::dataset::DatasetParts;
use crate::model::Piece;

/// The folder of written pieces in a CNIG delivery.
const PIECES_DIR: &str = "Pieces_ecrites";

/// File types served, with their media type: the documents producers deliver, never scripts or
/// pages with active content.
pub const SERVED_TYPES: [(&str, &str); 8] = [
    ("pdf", "application/pdf"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("csv", "text/csv"),
];

/// The media type of a served piece, by its extension; `None` for a file that is not served.
///
/// ```
/// use std::path::Path;
/// use urbaclic::load::pieces::served_type;
/// assert_eq!(served_type(Path::new("a/Reglement.PDF")), Some("application/pdf"));
/// assert_eq!(served_type(Path::new("a/page.html")), None);
/// ```
pub fn served_type(file: &Path) -> Option<&'static str> {
    let ext = file.extension()?.to_string_lossy().to_ascii_lowercase();
    SERVED_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, media)| *media)
}

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
        if served_type(&file).is_none() {
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
    super::archive::list(dir)
        .ok()?
        .into_iter()
        .find(|e| {
            e.is_dir
                && !e.is_link
                && e.path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(name))
        })
        .map(|e| e.path)
}

/// Deeper folders than this are not searched (deliveries have two levels).
const MAX_DEPTH: usize = 4;

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = super::archive::list(dir) else {
        return;
    };
    for e in entries {
        // Symbolic links are neither walked nor served; a ZIP file among the pieces is a piece
        // (not served), not a folder.
        let is_zip = super::archive::is_zip(&e.path) && e.path.is_file();
        match e {
            e if e.is_link => {}
            e if e.is_dir && !is_zip => {
                if depth < MAX_DEPTH {
                    walk(&e.path, depth + 1, out);
                }
            }
            e => out.push(e.path),
        }
    }
}
