//! The cadastral parcels layer: by far the biggest (a département holds a million parcels,
//! France a hundred million), so it has two backings behind one API.
//!
//! - **Loaded**: parcels read from source files, in a [`SpatialLayer`] with a map of ids.
//! - **Mapped**: parcels in a snapshot section ([`write_section`]), searched in place through a
//!   memory map: a [`PackedTree`] over their boxes, their ids sorted for binary search, each
//!   parcel encoded on its own. A parcel is decoded the first time an answer needs it and kept
//!   (with its prepared polygon) for the dataset's life; the others cost only the pages of the
//!   file the system keeps cached, shared by every process serving the same snapshot.
//!
//! Both answer in load order where several parcels qualify, so that a snapshot answers exactly
//! as the files it was built from.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use geo::{BoundingRect, Point, Rect};

use super::packed::{self, read_u32, PackedTree, TreeError};
use super::{HasGeometry, Layer, SpatialLayer};
use crate::geometry::{window, PreparedArea};
use crate::model::Parcel;
use crate::snapshot::codec::{Codec, Reader};

/// The parcels of a dataset.
pub struct ParcelLayer(Backing);

enum Backing {
    Loaded {
        layer: SpatialLayer<Parcel>,
        ids: HashMap<String, usize>,
    },
    Mapped(MappedParcels),
}

impl ParcelLayer {
    /// Parcels read from files; `ids` maps each id to its first parcel.
    pub fn loaded(parcels: Vec<Parcel>, ids: HashMap<String, usize>) -> ParcelLayer {
        ParcelLayer(Backing::Loaded {
            layer: SpatialLayer::new(parcels),
            ids,
        })
    }

    /// Parcels of a snapshot section.
    pub fn mapped(parcels: MappedParcels) -> ParcelLayer {
        ParcelLayer(Backing::Mapped(parcels))
    }

    /// Number of parcels.
    pub fn len(&self) -> usize {
        match &self.0 {
            Backing::Loaded { layer, .. } => layer.len(),
            Backing::Mapped(m) => m.n,
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parcel `i`, in load order.
    pub fn get(&self, i: usize) -> Option<&Parcel> {
        match &self.0 {
            Backing::Loaded { layer, .. } => layer.get(i),
            Backing::Mapped(m) => m.slot(i).map(|s| &s.0),
        }
    }

    /// The prepared polygon of parcel `i`, which analyses reuse.
    pub fn prepared(&self, i: usize) -> Option<&PreparedArea> {
        match &self.0 {
            Backing::Loaded { layer, .. } => layer.prepared(i),
            Backing::Mapped(m) => m.slot(i).map(|s| &s.1),
        }
    }

    /// The index of the first parcel read with id `id`.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        match &self.0 {
            Backing::Loaded { ids, .. } => ids.get(id).copied(),
            Backing::Mapped(m) => m.by_id(id),
        }
    }

    /// The first parcel (in load order) containing `p`.
    pub fn at(&self, p: Point<f64>) -> Option<(usize, &Parcel)> {
        let first = match &self.0 {
            Backing::Loaded { layer, .. } => layer.at(p, 0.0).map(|(i, _)| i).min(),
            Backing::Mapped(m) => m
                .candidates(window(p, 0.0))
                .into_iter()
                .find(|&i| m.contains(i, p)),
        }?;
        Some((first, self.get(first)?))
    }

    /// Parcels whose envelope meets `rect`, in load order.
    pub fn in_rect(&self, rect: Rect<f64>) -> Vec<(usize, &Parcel)> {
        match &self.0 {
            Backing::Loaded { layer, .. } => layer.in_envelope(rect),
            Backing::Mapped(m) => m
                .candidates(rect)
                .into_iter()
                .filter_map(|i| Some((i, self.get(i)?)))
                .collect(),
        }
    }

    /// The indices of the parcels `keep` accepts, in load order. A mapped parcel is decoded for
    /// the test and dropped: a scan keeps nothing in memory.
    pub fn scan(&self, mut keep: impl FnMut(&Parcel) -> bool) -> Vec<usize> {
        match &self.0 {
            Backing::Loaded { layer, .. } => (0..layer.len())
                .filter(|&i| layer.get(i).is_some_and(&mut keep))
                .collect(),
            Backing::Mapped(m) => (0..m.n)
                .filter(|&i| m.decode(i).is_some_and(|p| keep(&p)))
                .collect(),
        }
    }

    /// Every parcel, decoded one at a time (for writing a snapshot).
    fn for_each(&self, mut f: impl FnMut(&Parcel)) {
        match &self.0 {
            Backing::Loaded { layer, .. } => layer.features().iter().for_each(f),
            Backing::Mapped(m) => (0..m.n).filter_map(|i| m.decode(i)).for_each(|p| f(&p)),
        }
    }
}

impl Layer<Parcel> for ParcelLayer {
    fn at_point(&self, p: Point<f64>, _tolerance_m: f64) -> Vec<(usize, &Parcel)> {
        self.at(p).into_iter().collect()
    }

    fn in_envelope(&self, rect: Rect<f64>) -> Vec<(usize, &Parcel)> {
        self.in_rect(rect)
    }

    fn feature(&self, i: usize) -> Option<&Parcel> {
        self.get(i)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

/// The bytes a mapped section lives in: a memory map (or any bytes) shared by every layer of
/// one snapshot.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A decoded parcel and its prepared polygon.
type Slot = Option<Box<(Parcel, PreparedArea)>>;

/// Parcels in a snapshot section, read in place.
pub struct MappedParcels {
    bytes: SharedBytes,
    n: usize,
    offsets: Range<usize>,
    blob: Range<usize>,
    by_id: Range<usize>,
    tree: Range<usize>,
    slots: Vec<OnceLock<Slot>>,
}

/// The section's first bytes.
const MAGIC: &[u8; 8] = b"PARCEL01";

/// Writes `parcels` as a section: magic, `n`, the lengths of the offsets, blob, id order and
/// tree parts, then those parts.
pub fn write_section(parcels: &ParcelLayer, out: &mut Vec<u8>) {
    let n = parcels.len();
    let mut offsets: Vec<u8> = Vec::with_capacity((n + 1) * 8);
    let mut blob: Vec<u8> = Vec::new();
    let mut boxes: Vec<[f64; 4]> = Vec::with_capacity(n);
    let mut ids: Vec<(String, u32)> = Vec::with_capacity(n);
    parcels.for_each(|p| {
        offsets.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        p.encode(&mut blob);
        boxes.push(p.geometry.bounding_rect().map_or(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |r| [r.min().x, r.min().y, r.max().x, r.max().y],
        ));
        ids.push((p.id.clone(), ids.len() as u32));
    });
    offsets.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    // By id, then load order: a binary search lands on the first parcel read with an id.
    ids.sort_unstable();
    let by_id: Vec<u8> = ids.iter().flat_map(|(_, i)| i.to_le_bytes()).collect();
    let tree = packed::build(&boxes, packed::NODE_SIZE);
    out.extend_from_slice(MAGIC);
    for len in [
        boxes.len(),
        offsets.len(),
        blob.len(),
        by_id.len(),
        tree.len(),
    ] {
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    for part in [&offsets, &blob, &by_id, &tree] {
        out.extend_from_slice(part);
    }
}

/// Why a parcel section is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SectionError {
    /// Sizes that do not add up, offsets out of order.
    #[error("section des parcelles incohérente : {0}")]
    Layout(&'static str),
    /// The spatial index.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

impl MappedParcels {
    /// The section at `range` of `bytes`, checked: its sizes add up, offsets are in order and
    /// within the blob, the id order names each parcel, the tree is consistent. Nothing is
    /// decoded yet.
    pub fn open(bytes: SharedBytes, range: Range<usize>) -> Result<MappedParcels, SectionError> {
        let all = (*bytes).as_ref();
        let s = all
            .get(range.clone())
            .ok_or(SectionError::Layout("hors du fichier"))?;
        if s.get(..8) != Some(&MAGIC[..]) {
            return Err(SectionError::Layout("en-tête"));
        }
        let word =
            |k: usize| packed::read_u64(s, 8 + k * 8).ok_or(SectionError::Layout("tronquée"));
        let (n, offsets_len, blob_len, by_id_len, tree_len) =
            (word(0)?, word(1)?, word(2)?, word(3)?, word(4)?);
        let mut at: usize = 48;
        let mut part = |len: usize| {
            let r = at..at.saturating_add(len);
            at = r.end;
            r
        };
        let (offsets, blob, by_id, tree) = (
            part(offsets_len),
            part(blob_len),
            part(by_id_len),
            part(tree_len),
        );
        if at != s.len() || offsets_len != (n + 1) * 8 || by_id_len != n * 4 {
            return Err(SectionError::Layout("tailles"));
        }
        let offset = |i: usize| packed::read_u64(s, offsets.start + i * 8).unwrap_or(usize::MAX);
        if offset(0) != 0 || offset(n) != blob_len || (0..n).any(|i| offset(i) > offset(i + 1)) {
            return Err(SectionError::Layout("décalages"));
        }
        let mut seen = vec![false; n];
        for k in 0..n {
            let i = read_u32(s, by_id.start + k * 4);
            match seen.get_mut(i) {
                Some(v) if !*v => *v = true,
                _ => return Err(SectionError::Layout("ordre des identifiants")),
            }
        }
        let t = PackedTree::new(&s[tree.clone()])?;
        if t.len() != n {
            return Err(SectionError::Layout("index spatial"));
        }
        let shift = |r: Range<usize>| r.start + range.start..r.end + range.start;
        Ok(MappedParcels {
            n,
            offsets: shift(offsets),
            blob: shift(blob),
            by_id: shift(by_id),
            tree: shift(tree),
            slots: (0..n).map(|_| OnceLock::new()).collect(),
            bytes,
        })
    }

    fn all(&self) -> &[u8] {
        (*self.bytes).as_ref()
    }

    /// The encoded bytes of parcel `i`.
    fn encoded(&self, i: usize) -> Option<&[u8]> {
        let b = self.all();
        let at = |k: usize| packed::read_u64(b, self.offsets.start + k * 8);
        let (start, end) = (at(i)?, at(i + 1)?);
        b.get(self.blob.start + start..self.blob.start + end)
    }

    /// Parcel `i`, decoded afresh.
    fn decode(&self, i: usize) -> Option<Parcel> {
        let mut r = Reader::new(self.encoded(i)?);
        Parcel::decode(&mut r).ok()
    }

    /// Parcel `i` decoded once and kept, with its prepared polygon.
    fn slot(&self, i: usize) -> Option<&(Parcel, PreparedArea)> {
        self.slots
            .get(i)?
            .get_or_init(|| {
                let p = self.decode(i)?;
                let prepared = PreparedArea::new(p.geometry());
                Some(Box::new((p, prepared)))
            })
            .as_deref()
    }

    /// Whether parcel `i` contains `p`, tested as the loaded layer tests it (a prepared polygon),
    /// without keeping the parcel when it is already decoded nowhere.
    fn contains(&self, i: usize, p: Point<f64>) -> bool {
        if let Some(Some(slot)) = self.slots.get(i).and_then(OnceLock::get) {
            return slot.1.contains(p);
        }
        self.decode(i)
            .is_some_and(|parcel| PreparedArea::new(&parcel.geometry).contains(p))
    }

    /// Parcels whose box meets `rect`, in load order.
    fn candidates(&self, rect: Rect<f64>) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(t) = self.all().get(self.tree.clone()).map(PackedTree::trusted) {
            t.search(
                [rect.min().x, rect.min().y, rect.max().x, rect.max().y],
                |i| out.push(i),
            );
        }
        out.sort_unstable();
        out
    }

    /// The id of parcel `i`, read without decoding the rest (the encoding starts with it).
    fn id(&self, i: usize) -> Option<&str> {
        let mut r = Reader::new(self.encoded(i)?);
        let len = usize::decode(&mut r).ok()?;
        std::str::from_utf8(r.take(len).ok()?).ok()
    }

    fn by_id(&self, id: &str) -> Option<usize> {
        let b = self.all();
        let nth = |k: usize| read_u32(b, self.by_id.start + k * 4);
        // First position whose id is not below `id`.
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.id(nth(mid)).is_some_and(|m| m < id) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo < self.n && self.id(nth(lo)) == Some(id)).then(|| nth(lo))
    }
}
