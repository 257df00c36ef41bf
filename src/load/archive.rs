//! Files as they are published: gzip files and ZIP archives read where they lie, never unpacked
//! by hand.
//!
//! A ZIP file is a folder: `data/30014_PLU.zip/30014_PLU_20171013/Donnees_geographiques/x.shp`
//! names an entry of `data/30014_PLU.zip`, and the readers, the scan and the reports use such
//! paths like any other (so errors and `check-data` name `archive.zip/inner/path`). A gzip file
//! (`cadastre-31-parcelles.json.gz`, `adresses-31.csv.gz`) is the file it compresses, streamed
//! through `flate2`: recognised by its magic bytes, named without its `.gz` by the scan.
//!
//! ZIP entries are read into memory when a reader needs them (shapefiles need random access); a
//! GeoPackage, which SQLite opens by name, is extracted to a temporary file deleted after the load
//! ([`LocalFile`]). Hostile archives are refused with the file and the reason: a corrupt or
//! truncated archive, an entry whose path leaves the archive (`..`, absolute), a symbolic link, an
//! encrypted entry, an entry larger than [`MAX_ENTRY_BYTES`] or inflating more than
//! [`MAX_RATIO`] times its compressed size (a decompression bomb). The limits hold on the bytes
//! actually inflated, not only on the sizes an archive declares.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use zip::ZipArchive;

/// Largest size an entry or a gzip file may inflate to (a département's Etalab cadastre, the
/// largest file published, is about 2 GB uncompressed).
pub const MAX_ENTRY_BYTES: u64 = 4 << 30;

/// Largest inflation ratio accepted above [`RATIO_FLOOR`]: published GeoJSON, CSV and shapefiles
/// compress 5 to 50 times, a decompression bomb about a thousand times.
pub const MAX_RATIO: u64 = 200;

/// Below this inflated size the ratio is not checked: a small, blank-padded table may compress
/// very well and cannot exhaust memory.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// The two first bytes of a gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why a published file could not be read. Always names the file (inside its archive, if any).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The system could not read it.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A corrupt or truncated archive, or an entry that is not there.
    #[error("{path}: archive invalide : {reason}")]
    Corrupt {
        /// The file (the archive, or its entry).
        path: PathBuf,
        /// What is wrong, in French.
        reason: String,
    },
    /// An archive refused for safety (path leaving it, link, encryption, bomb).
    #[error("{path}: archive refusée : {reason}")]
    Refused {
        /// The archive, or its entry.
        path: PathBuf,
        /// Why, in French.
        reason: String,
    },
}

impl ArchiveError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ArchiveError::Io { path, .. }
            | ArchiveError::Corrupt { path, .. }
            | ArchiveError::Refused { path, .. } => path,
        }
    }

    fn io(path: &Path, source: std::io::Error) -> ArchiveError {
        ArchiveError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn corrupt(path: &Path, reason: impl Into<String>) -> ArchiveError {
        ArchiveError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    fn refused(path: &Path, reason: impl Into<String>) -> ArchiveError {
        ArchiveError::Refused {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// One item of a folder, real or inside an archive.
#[derive(Debug, Clone)]
pub struct DirEntry {
    /// Its path (below the archive's own path for an entry).
    pub path: PathBuf,
    /// A folder, or a ZIP file (an archive is a folder).
    pub is_dir: bool,
    /// A symbolic link (only on disk: archives holding links are refused).
    pub is_link: bool,
}

/// Whether `path` names a ZIP file by its extension.
pub fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// `path` without a final `.gz`: the name of what a gzip file holds.
///
/// ```
/// use std::path::Path;
/// use urbaclic::load::archive::without_gz;
/// assert_eq!(without_gz(Path::new("a/adresses-31.csv.gz")), Path::new("a/adresses-31.csv"));
/// assert_eq!(without_gz(Path::new("a/x.shp")), Path::new("a/x.shp"));
/// ```
pub fn without_gz(path: &Path) -> PathBuf {
    match path.extension() {
        Some(e) if e.eq_ignore_ascii_case("gz") => path.with_extension(""),
        _ => path.to_path_buf(),
    }
}

/// Where a path lies: on disk, or in a ZIP file.
enum Location {
    Disk,
    Entry { zip: PathBuf, name: String },
}

/// The ZIP file `path` is inside of (its nearest ancestor that is a `.zip` file on disk), if
/// `path` itself is not on disk.
fn locate(path: &Path) -> Location {
    if path.exists() {
        return Location::Disk;
    }
    for zip in path.ancestors().skip(1) {
        if is_zip(zip) && zip.is_file() {
            let name = path
                .strip_prefix(zip)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            return Location::Entry {
                zip: zip.to_path_buf(),
                name,
            };
        }
    }
    Location::Disk
}

/// The items of `dir`, sorted: a folder on disk, a ZIP file, or a folder inside one.
pub fn list(dir: &Path) -> Result<Vec<DirEntry>, ArchiveError> {
    if dir.is_dir() {
        let mut out: Vec<DirEntry> = std::fs::read_dir(dir)
            .map_err(|e| ArchiveError::io(dir, e))?
            .filter_map(Result::ok)
            .map(|e| {
                let path = e.path();
                DirEntry {
                    is_dir: path.is_dir() || (is_zip(&path) && path.is_file()),
                    is_link: e.file_type().is_ok_and(|t| t.is_symlink()),
                    path,
                }
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(out);
    }
    let (zip, prefix) = if is_zip(dir) && dir.is_file() {
        (dir.to_path_buf(), String::new())
    } else {
        match locate(dir) {
            Location::Entry { zip, name } => (zip, format!("{name}/")),
            Location::Disk => {
                return Err(ArchiveError::io(
                    dir,
                    std::io::Error::from(std::io::ErrorKind::NotFound),
                ))
            }
        }
    };
    let mut out: Vec<DirEntry> = Vec::new();
    for name in entry_names(&zip)? {
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let (first, is_dir) = match rest.split_once('/') {
            Some((first, _)) => (first, true),
            None => (rest, false),
        };
        let path = dir.join(first);
        if !out.iter().any(|e| e.path == path) {
            out.push(DirEntry {
                path,
                is_dir,
                is_link: false,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether `path` is a file on disk or an entry of a ZIP file.
pub fn exists(path: &Path) -> bool {
    match locate(path) {
        Location::Disk => path.is_file(),
        Location::Entry { zip, name } => entry_names(&zip).is_ok_and(|names| names.contains(&name)),
    }
}

/// The size of `path` as stored (on disk, or the entry's declared inflated size).
pub fn size(path: &Path) -> Result<u64, ArchiveError> {
    match locate(path) {
        Location::Disk => Ok(std::fs::metadata(path)
            .map_err(|e| ArchiveError::io(path, e))?
            .len()),
        Location::Entry { zip, name } => {
            let archive = open_zip(&zip)?;
            let index = entry_index(&archive, &name, path)?;
            let entry = archive
                .by_index_data(index)
                .map_err(|e| ArchiveError::corrupt(&zip, e.to_string()))?;
            Ok(entry.size())
        }
    }
}

/// Opens `path` for streaming: a gzip stream is inflated on the fly, within the limits.
pub fn open(path: &Path) -> Result<Box<dyn Read>, ArchiveError> {
    let (raw, stored): (Box<dyn Read>, u64) = match locate(path) {
        Location::Disk => {
            let file = File::open(path).map_err(|e| ArchiveError::io(path, e))?;
            let len = file
                .metadata()
                .map_err(|e| ArchiveError::io(path, e))?
                .len();
            (Box::new(BufReader::new(file)), len)
        }
        Location::Entry { zip, name } => {
            let bytes = read_entry(&zip, &name, path)?;
            let len = bytes.len() as u64;
            (Box::new(Cursor::new(bytes)), len)
        }
    };
    let mut raw = raw;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut raw, &mut magic).map_err(|e| ArchiveError::io(path, e))?;
    let head = Cursor::new(magic[..n].to_vec()).chain(raw);
    Ok(if magic[..n] == GZIP_MAGIC {
        Box::new(Bounded {
            inner: MultiGzDecoder::new(head),
            limit: inflate_limit(stored),
            read: 0,
        })
    } else {
        Box::new(head)
    })
}

/// Reads `path` whole (inflated if it is gzip).
pub fn read(path: &Path) -> Result<Vec<u8>, ArchiveError> {
    if let Location::Disk = locate(path) {
        if !is_gzip_on_disk(path) {
            return std::fs::read(path).map_err(|e| ArchiveError::io(path, e));
        }
    }
    let mut out = Vec::new();
    open(path)?
        .read_to_end(&mut out)
        .map_err(|e| inflate_error(path, &e))?;
    Ok(out)
}

/// Reads `path` whole as UTF-8 text (inflated if it is gzip).
pub fn read_to_string(path: &Path) -> Result<String, ArchiveError> {
    String::from_utf8(read(path)?)
        .map_err(|_| ArchiveError::corrupt(path, "texte qui n'est pas en UTF-8"))
}

/// A file that can be opened by name (SQLite needs one): the file itself on disk, or a copy of
/// an entry or of a gzip file's content in the temporary folder, removed when this is dropped.
#[derive(Debug)]
pub struct LocalFile {
    path: PathBuf,
    temporary: bool,
}

impl LocalFile {
    /// Where it can be opened.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LocalFile {
    fn drop(&mut self) {
        if self.temporary {
            // Nothing to do about a file already gone: the temporary folder is the system's.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `path` as a file on disk, extracted to a temporary file when it is in a ZIP or gzip file.
pub fn local_file(path: &Path) -> Result<LocalFile, ArchiveError> {
    if let Location::Disk = locate(path) {
        if !is_gzip_on_disk(path) {
            return Ok(LocalFile {
                path: path.to_path_buf(),
                temporary: false,
            });
        }
    }
    let bytes = read(path)?;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = without_gz(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = std::env::temp_dir().join(format!(
        "urbaclic-{}-{}-{name}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let local = LocalFile {
        path: temp,
        temporary: true,
    };
    std::fs::write(&local.path, bytes).map_err(|e| ArchiveError::io(&local.path, e))?;
    Ok(local)
}

/// How GDAL names `path`: its virtual file system reads ZIP entries and gzip files itself.
pub fn gdal_name(path: &Path) -> String {
    match locate(path) {
        Location::Entry { zip, name } => format!("/vsizip/{}/{name}", zip.display()),
        Location::Disk if is_gzip_on_disk(path) => format!("/vsigzip/{}", path.display()),
        Location::Disk => path.display().to_string(),
    }
}

fn is_gzip_on_disk(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut magic))
        .is_ok_and(|n| n == 2 && magic == GZIP_MAGIC)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// How far `stored` bytes may inflate.
fn inflate_limit(stored: u64) -> u64 {
    stored
        .saturating_mul(MAX_RATIO)
        .clamp(RATIO_FLOOR, MAX_ENTRY_BYTES)
}

/// A read error while inflating: a truncated or corrupt stream, or a limit crossed.
fn inflate_error(path: &Path, e: &std::io::Error) -> ArchiveError {
    if e.kind() == std::io::ErrorKind::FileTooLarge {
        return ArchiveError::refused(path, e.to_string());
    }
    ArchiveError::corrupt(
        path,
        format!("données compressées tronquées ou corrompues : {e}"),
    )
}

/// A reader that fails once more than `limit` bytes came out of it.
struct Bounded<R> {
    inner: R,
    limit: u64,
    read: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "contenu décompressé au-delà de {} octets ({MAX_RATIO} fois la taille compressée, {MAX_ENTRY_BYTES} au plus) : bombe de décompression ?",
                    self.limit
                ),
            ));
        }
        Ok(n)
    }
}

fn open_zip(zip: &Path) -> Result<ZipArchive<BufReader<File>>, ArchiveError> {
    let file = File::open(zip).map_err(|e| ArchiveError::io(zip, e))?;
    ZipArchive::new(BufReader::new(file)).map_err(|e| {
        ArchiveError::corrupt(zip, format!("ZIP illisible (tronqué ou corrompu) : {e}"))
    })
}

/// The names of the files of `zip`, `/`-separated, each checked: an archive holding one unsafe
/// entry is refused whole.
fn entry_names(zip: &Path) -> Result<Vec<String>, ArchiveError> {
    let archive = open_zip(zip)?;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_data(i)
            .map_err(|e| ArchiveError::corrupt(zip, format!("entrée n° {i} illisible : {e}")))?;
        let raw = entry.name().map_err(|e| {
            ArchiveError::corrupt(zip, format!("nom de l'entrée n° {i} illisible : {e}"))
        })?;
        let name = safe_name(&raw).ok_or_else(|| {
            ArchiveError::refused(
                zip,
                format!("entrée « {raw} » : chemin absolu ou sortant de l'archive (..)"),
            )
        })?;
        let at = zip.join(&name);
        if entry.is_symlink() {
            return Err(ArchiveError::refused(&at, "lien symbolique dans l'archive"));
        }
        if entry.is_dir() {
            continue;
        }
        check_entry(
            &at,
            entry.encrypted(),
            entry.size(),
            entry.compressed_size(),
        )?;
        names.push(name);
    }
    Ok(names)
}

/// An entry name as a relative `/`-separated path inside the archive, `None` when absolute or
/// climbing out of it. Windows tools write `\` separators: they count as separators.
fn safe_name(raw: &str) -> Option<String> {
    let unified = raw.replace('\\', "/");
    if unified.starts_with('/') || unified.as_bytes().get(1) == Some(&b':') {
        return None;
    }
    let mut parts = Vec::new();
    for c in Path::new(&unified).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// Refuses an encrypted entry, or one whose declared size breaks the limits.
fn check_entry(at: &Path, encrypted: bool, size: u64, compressed: u64) -> Result<(), ArchiveError> {
    if encrypted {
        return Err(ArchiveError::refused(
            at,
            "entrée chiffrée : les archives protégées par mot de passe ne sont pas lues, livrez-la sans mot de passe",
        ));
    }
    if size > MAX_ENTRY_BYTES {
        return Err(ArchiveError::refused(
            at,
            format!("entrée de {size} octets décompressée, plus que les {MAX_ENTRY_BYTES} admis"),
        ));
    }
    if size > RATIO_FLOOR && size / compressed.max(1) > MAX_RATIO {
        return Err(ArchiveError::refused(
            at,
            format!(
                "entrée de {size} octets pour {compressed} compressés : plus de {MAX_RATIO} fois, bombe de décompression ?"
            ),
        ));
    }
    Ok(())
}

fn entry_index(
    archive: &ZipArchive<BufReader<File>>,
    name: &str,
    at: &Path,
) -> Result<usize, ArchiveError> {
    (0..archive.len())
        .find(|&i| {
            archive
                .name_for_index(i)
                .and_then(Result::ok)
                .and_then(|n| safe_name(&n))
                .is_some_and(|n| n == name)
        })
        .ok_or_else(|| ArchiveError::corrupt(at, "entrée absente de l'archive"))
}

/// The inflated bytes of entry `name` of `zip` (`at` is its full path, for errors).
fn read_entry(zip: &Path, name: &str, at: &Path) -> Result<Vec<u8>, ArchiveError> {
    // Listing the names checks every entry of the archive, this one included.
    if !entry_names(zip)?.iter().any(|n| n == name) {
        return Err(ArchiveError::io(
            at,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let mut archive = open_zip(zip)?;
    let index = entry_index(&archive, name, at)?;
    let entry = archive
        .by_index(index)
        .map_err(|e| ArchiveError::corrupt(at, format!("entrée illisible : {e}")))?;
    let declared = entry.size();
    let limit = inflate_limit(entry.compressed_size()).min(declared);
    let mut out = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    // One byte past the declared size proves the header lies: the inflated bytes are bounded.
    entry
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| inflate_error(at, &e))?;
    if out.len() as u64 > limit {
        return Err(ArchiveError::refused(
            at,
            format!("entrée plus grande que les {declared} octets qu'elle déclare"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_sizes_past_the_limits_are_refused() {
        // Synthetic sizes: 5 GiB declared (past the 4 GiB limit), a 300:1 ratio above the floor,
        // a 300:1 ratio below it (a small blank-padded table), and an ordinary 10:1 entry.
        let at = Path::new("a.zip/x.dbf");
        assert!(check_entry(at, false, 5 << 30, 1 << 30).is_err());
        assert!(check_entry(at, false, 300 << 20, 1 << 20).is_err());
        assert!(check_entry(at, false, 300 << 10, 1 << 10).is_ok());
        assert!(check_entry(at, false, 10 << 20, 1 << 20).is_ok());
        assert!(check_entry(at, true, 10, 10).is_err());
    }

    #[test]
    fn entry_names_are_kept_inside_the_archive() {
        assert_eq!(safe_name("a/./b.shp").as_deref(), Some("a/b.shp"));
        assert_eq!(safe_name("a\\b.shp").as_deref(), Some("a/b.shp"));
        assert_eq!(safe_name("a/../../b.shp"), None);
        assert_eq!(safe_name("/etc/passwd"), None);
        assert_eq!(safe_name("C:\\x.shp"), None);
    }

    #[test]
    fn the_inflate_limit_is_a_ratio_between_a_floor_and_a_ceiling() {
        assert_eq!(inflate_limit(10), RATIO_FLOOR);
        assert_eq!(inflate_limit(1 << 20), 200 << 20);
        assert_eq!(inflate_limit(1 << 40), MAX_ENTRY_BYTES);
    }
}
