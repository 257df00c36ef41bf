//! Built snapshots: a whole territory compiled once (`urbaclic build DATA_DIR --out FILE`) into one
//! read-only file that `urbaclic serve --data FILE` opens without parsing any source format.
//!
//! A snapshot holds the dataset as [`crate::dataset::Resolved`] holds it — reprojected, labels and
//! coverage resolved, with the geocoder's address index — so opening it is mapping the file,
//! decoding the small layers and indexing them ([`Dataset::index`]); the parcels, which are most
//! of a territory, are used where they lie in the file. The layout and what was measured
//! against FlatGeobuf are in `docs/scaling.md`.
//!
//! The file: a 64-byte header (magic, [`FORMAT_VERSION`], the schema fingerprint, section lengths
//! and CRC-32s), the [`SnapshotMeta`] as JSON (what it was built from: every source file's name,
//! size and date), the encoded dataset but its parcels, the parcel section
//! ([`crate::index::parcels`]: searched in place through a memory map, never decoded whole), and
//! an end marker. A file of another format or schema, a
//! truncated file or a checksum mismatch is refused with a [`LoadError`] naming the file and the
//! reason; the loader then keeps the previous data. Snapshots are written to a temporary file and
//! renamed into place, so a reader never sees half of one.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("urbaclic-doc-snap-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let out = dir.join("territoire.urbaclic");
//! let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/plu-cnig-41175-pezou");
//! let meta = urbaclic::snapshot::build(&data, &out).unwrap();
//! assert!(meta.sources.iter().any(|f| f.path.ends_with(".shp")));
//! let dataset = urbaclic::load::load_dir(&out).unwrap();
//! assert!(!dataset.zones.is_empty());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod codec;
mod dataset_codec;
mod model_codec;

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::index::parcels::{MappedParcels, ParcelLayer};
use crate::load::LoadError;

/// Version of the file layout. Bumped when the header or the section order changes; the
/// encoding of each type is covered by [`SCHEMA`].
pub const FORMAT_VERSION: u32 = 2;

/// The file's first bytes. Like PNG's, the line endings and the control character catch a file
/// mangled by a text-mode transfer.
const MAGIC: &[u8; 16] = b"URBACLIC-SNAP\r\n\x1a";
/// The file's last bytes: a file cut short ends elsewhere.
const END: &[u8; 16] = b"\nURBACLIC-END\r\n\x1a";
const HEADER_LEN: usize = 64;

/// A fingerprint of the source files that define what a snapshot encodes: the codec, the
/// domain types and the dataset. A snapshot written by a build whose types differ is refused
/// (rebuild it) instead of being decoded into the wrong fields.
pub const SCHEMA: u64 = fingerprint(&[
    include_str!("codec.rs"),
    include_str!("model_codec.rs"),
    include_str!("dataset_codec.rs"),
    include_str!("../index/parcels.rs"),
    include_str!("../index/packed.rs"),
    include_str!("../model.rs"),
    include_str!("../dataset.rs"),
    include_str!("../report.rs"),
    include_str!("../load/conformity/mod.rs"),
    include_str!("../reglement/mod.rs"),
    include_str!("../reglement/scope.rs"),
    include_str!("../reglement/html.rs"),
    include_str!("../geocode/index.rs"),
    include_str!("../geocode/vocab.rs"),
]);

/// FNV-1a over the texts, at compile time.
const fn fingerprint(texts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut t = 0;
    while t < texts.len() {
        let bytes = texts[t].as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        t += 1;
    }
    hash
}

/// What a snapshot was built from, stored in it as JSON (`urbaclic check-data FILE` prints it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapshotMeta {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// The urbaclic version that built it.
    pub urbaclic: String,
    /// When it was built, seconds since 1970 (UTC).
    pub built_at: u64,
    /// The data folder it was built from, as given.
    pub data_dir: String,
    /// Every source file read, relative to the data folder.
    pub sources: Vec<SourceFile>,
    /// Features per layer (as `/health` counts them).
    pub counts: serde_json::Value,
}

/// One source file of a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceFile {
    /// Its path relative to the data folder.
    pub path: String,
    /// Its size in bytes (inflated, for a file inside an archive).
    pub size: u64,
    /// Its modification time (its archive's, for a file inside one), seconds since 1970, when
    /// the system gives it.
    pub modified: Option<u64>,
}

/// Loads `data_dir` and writes its snapshot to `out` (replacing any file there atomically).
pub fn build(data_dir: &Path, out: &Path) -> Result<SnapshotMeta, LoadError> {
    let (sources, parts) = crate::load::plan(data_dir)?;
    let mut files: Vec<PathBuf> = sources.iter().flat_map(|s| s.files().to_vec()).collect();
    let dataset = crate::load::load_sources(data_dir, parts, &sources)?;
    files.extend(dataset.pieces.values().map(|p| p.file.clone()));
    files.sort();
    files.dedup();
    let meta = SnapshotMeta {
        format: FORMAT_VERSION,
        urbaclic: env!("CARGO_PKG_VERSION").into(),
        built_at: seconds(SystemTime::now()).unwrap_or(0),
        data_dir: data_dir.display().to_string(),
        sources: files
            .iter()
            .map(|f| source_file(data_dir, f))
            .collect::<Result<_, _>>()?,
        counts: dataset.summary_counts(),
    };
    write(&dataset, &meta, out)?;
    Ok(meta)
}

/// A source file's size (an archive entry's inflated size) and date (an entry's is its
/// archive's: the date the delivery was published).
fn source_file(root: &Path, file: &Path) -> Result<SourceFile, LoadError> {
    let size = crate::load::archive::size(file)?;
    let on_disk = file.ancestors().find(|p| p.is_file()).unwrap_or(file);
    let modified = std::fs::metadata(on_disk)
        .and_then(|m| m.modified())
        .ok()
        .and_then(seconds);
    Ok(SourceFile {
        path: crate::load::relative(root, file),
        size,
        modified,
    })
}

fn seconds(t: SystemTime) -> Option<u64> {
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// Writes `dataset` with `meta` to `out`: to a temporary file next to it, synced, then renamed.
pub fn write(dataset: &Dataset, meta: &SnapshotMeta, out: &Path) -> Result<(), LoadError> {
    let meta_bytes = serde_json::to_vec(meta)
        .map_err(|e| LoadError::corrupt(out, format!("métadonnées : {e}")))?;
    let mut body = Vec::new();
    dataset_codec::encode(dataset, &mut body);
    let mut parcels = Vec::new();
    crate::index::parcels::write_section(&dataset.parcels, &mut parcels);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&SCHEMA.to_le_bytes());
    for part in [&meta_bytes, &body, &parcels] {
        header.extend_from_slice(&(part.len() as u64).to_le_bytes());
    }
    for part in [&meta_bytes, &body, &parcels] {
        header.extend_from_slice(&crc32fast::hash(part).to_le_bytes());
    }
    debug_assert_eq!(header.len(), HEADER_LEN);
    let tmp = out.with_extension(format!("tmp-{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        for part in [&header[..], &meta_bytes, &body, &parcels, END] {
            f.write_all(part)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        LoadError::io(out, e)
    })
}

/// Whether `path` is a file that starts like a snapshot (a data folder is not).
pub fn is_snapshot(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 16];
    path.is_file()
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
        && &magic == MAGIC
}

/// Opens the snapshot at `path` into a dataset, refusing a file of another format or schema,
/// a truncated or corrupt one.
pub fn open(path: &Path) -> Result<Dataset, LoadError> {
    let start = Instant::now();
    let file = std::fs::File::open(path).map_err(|e| LoadError::io(path, e))?;
    let layout =
        sections(&file, Check::Whole).map_err(|reason| LoadError::corrupt(path, reason))?;
    let corrupt = |e: String| LoadError::corrupt(path, format!("instantané illisible : {e}"));
    // The small layers are read and decoded, then their bytes dropped; the parcels are used in
    // place, through the map. The checksums were computed by reading the file, not through the
    // map, so that pages no answer needs do not count in the process's memory.
    let body = read_at(&file, &layout.body).map_err(|e| LoadError::io(path, e))?;
    let map: crate::index::parcels::SharedBytes =
        Arc::new(map(&file).map_err(|e| LoadError::io(path, e))?);
    let parcels =
        MappedParcels::open(map, layout.parcels.clone()).map_err(|e| corrupt(e.to_string()))?;
    let resolved = dataset_codec::decode(&body, ParcelLayer::mapped(parcels))
        .map_err(|e| corrupt(e.to_string()))?;
    drop(body);
    let (mut dataset, _) = Dataset::index(resolved);
    dataset.report.load_ms = start.elapsed().as_millis();
    dataset.report.root = format!(
        "{} (instantané construit depuis {})",
        path.display(),
        layout.meta.data_dir
    );
    dataset.report.memory_mib = crate::load::resident_memory_mib();
    Ok(dataset)
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: memmap2's condition is that the file is not changed while mapped. Snapshots are
    // immutable by construction: `write` never writes into an existing snapshot, it renames a new
    // file over the old name, which leaves the mapped file (the old inode) untouched. A snapshot
    // truncated in place by hand would make reads fault (SIGBUS), like any mapped database file.
    unsafe { memmap2::Mmap::map(file) }
}

/// Reads the meta of the snapshot at `path` (what it was built from), checking its header and
/// the meta's checksum only.
pub fn read_meta(path: &Path) -> Result<SnapshotMeta, LoadError> {
    let file = std::fs::File::open(path).map_err(|e| LoadError::io(path, e))?;
    sections(&file, Check::Meta)
        .map(|l| l.meta)
        .map_err(|reason| LoadError::corrupt(path, reason))
}

/// `range` of `file`, read.
fn read_at(file: &std::fs::File, range: &Range<usize>) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut out = vec![0; range.len()];
    file.read_exact_at(&mut out, range.start as u64)?;
    Ok(out)
}

/// The CRC-32 of `range` of `file`, read a mebibyte at a time.
fn crc_at(file: &std::fs::File, range: &Range<usize>) -> std::io::Result<u32> {
    use std::os::unix::fs::FileExt;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0; 1 << 20];
    let mut at = range.start;
    while at < range.end {
        let n = buf.len().min(range.end - at);
        file.read_exact_at(&mut buf[..n], at as u64)?;
        hasher.update(&buf[..n]);
        at += n;
    }
    Ok(hasher.finalize())
}

/// What [`sections`] checks beyond the header and the lengths.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// The meta's checksum.
    Meta,
    /// Every part's checksum.
    Whole,
}

/// Where the parts of a checked snapshot are.
struct Layout {
    meta: SnapshotMeta,
    body: Range<usize>,
    parcels: Range<usize>,
}

/// The parts of the snapshot in `file`, checked (header, lengths, end marker, checksums); the
/// reason in French otherwise.
fn sections(file: &std::fs::File, check: Check) -> Result<Layout, String> {
    use codec::Codec;
    let rebuild = "reconstruisez-le avec `urbaclic build`";
    let unreadable = |e: std::io::Error| format!("lecture impossible : {e}");
    let len = file.metadata().map_err(unreadable)?.len();
    let not_one = || "ce n'est pas un instantané urbaclic (en-tête inattendu)".to_string();
    if len < (HEADER_LEN + END.len()) as u64 {
        return Err(not_one());
    }
    let head = read_at(file, &(0..HEADER_LEN)).map_err(unreadable)?;
    if &head[..16] != MAGIC {
        return Err(not_one());
    }
    let mut r = codec::Reader::new(&head[16..]);
    let header = (|| -> Result<_, codec::DecodeError> {
        let version = (u32::decode(&mut r)?, u64::decode(&mut r)?);
        let lens = [
            u64::decode(&mut r)?,
            u64::decode(&mut r)?,
            u64::decode(&mut r)?,
        ];
        let crcs = [
            u32::decode(&mut r)?,
            u32::decode(&mut r)?,
            u32::decode(&mut r)?,
        ];
        Ok((version, lens, crcs))
    })();
    let Ok(((format, schema), lens, crcs)) = header else {
        return Err("en-tête d'instantané illisible".into());
    };
    if format != FORMAT_VERSION {
        return Err(format!(
            "instantané au format {format}, cette version d'urbaclic lit le format {FORMAT_VERSION} : {rebuild}"
        ));
    }
    if schema != SCHEMA {
        return Err(format!(
            "instantané écrit par une autre version d'urbaclic (schéma {schema:016x}, attendu {SCHEMA:016x}) : {rebuild}"
        ));
    }
    let expected = lens
        .iter()
        .fold(HEADER_LEN as u64 + END.len() as u64, |a, l| {
            a.saturating_add(*l)
        });
    let end = read_at(file, &(len as usize - END.len()..len as usize)).map_err(unreadable)?;
    if len != expected || end != END {
        return Err(format!(
            "instantané tronqué ou incomplet : {len} octets, {expected} attendus ; {rebuild}"
        ));
    }
    // The lengths add up to the file's: each part fits.
    let mut at = HEADER_LEN;
    let mut parts = lens.iter().map(|&l| {
        let r = at..at + l as usize;
        at = r.end;
        r
    });
    let (Some(meta), Some(body), Some(parcels)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("en-tête d'instantané illisible".into());
    };
    let checked = match check {
        Check::Meta => 1,
        Check::Whole => 3,
    };
    for (part, crc) in [&meta, &body, &parcels].into_iter().zip(crcs).take(checked) {
        if crc_at(file, part).map_err(unreadable)? != crc {
            return Err(format!(
                "instantané corrompu (somme de contrôle incorrecte) : {rebuild}"
            ));
        }
    }
    let meta: SnapshotMeta = serde_json::from_slice(&read_at(file, &meta).map_err(unreadable)?)
        .map_err(|e| format!("métadonnées de l'instantané illisibles : {e}"))?;
    Ok(Layout {
        meta,
        body,
        parcels,
    })
}
