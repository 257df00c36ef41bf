//! A packed Hilbert R-tree over boxes (the flatbush / FlatGeobuf layout): items sorted by the
//! Hilbert value of their centre, grouped `node_size` at a time into parent boxes, level by
//! level up to one root. Built once, stored as flat arrays of little-endian numbers, searched in
//! place from a memory-mapped file without being read into memory first.
//!
//! ```
//! use urbaclic::index::packed::{PackedTree, build};
//! let boxes = [[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0], [0.5, 0.5, 2.5, 2.5]];
//! let bytes = build(&boxes, 16);
//! let tree = PackedTree::new(&bytes).unwrap();
//! let mut hits = Vec::new();
//! tree.search([0.9, 0.9, 1.1, 1.1], |i| hits.push(i));
//! hits.sort();
//! assert_eq!(hits, vec![0, 2]);
//! ```

/// Children per node: FlatGeobuf's default, a good balance of depth and scan length.
pub const NODE_SIZE: usize = 16;

/// Bytes of one box: four `f64`.
const BOX: usize = 32;

/// The tree over `boxes` (`[min_x, min_y, max_x, max_y]`; an empty item has `min > max` and is
/// never found), as bytes: `n`, `node_size`, the number of levels and their bounds, every node's
/// box, every node's index (an item for a leaf, its first child for a node).
pub fn build(boxes: &[[f64; 4]], node_size: usize) -> Vec<u8> {
    let n = boxes.len();
    let node_size = node_size.max(2);
    // Level bounds, in nodes: leaves end at n, each level above at the running total, up to one
    // root (also over a single item, so that every search starts from a node).
    let mut levels = vec![n];
    let mut count = n;
    let mut total = n;
    while count > 1 || (n == 1 && levels.len() == 1) {
        count = count.div_ceil(node_size);
        total += count;
        levels.push(total);
    }
    let extent = boxes
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |e, b| {
            if b[0] > b[2] {
                return e;
            }
            [
                e[0].min(b[0]),
                e[1].min(b[1]),
                e[2].max(b[2]),
                e[3].max(b[3]),
            ]
        });
    let mut order: Vec<(u32, u32)> = boxes
        .iter()
        .enumerate()
        .map(|(i, b)| (hilbert_of(b, &extent), i as u32))
        .collect();
    order.sort_unstable();
    let mut nodes: Vec<[f64; 4]> = Vec::with_capacity(total);
    let mut indices: Vec<u32> = Vec::with_capacity(total);
    for &(_, i) in &order {
        nodes.push(boxes[i as usize]);
        indices.push(i);
    }
    let mut start = 0;
    for &end in &levels[..levels.len() - 1] {
        let mut pos = start;
        while pos < end {
            let first = pos;
            let mut b = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            while pos < end && pos < first + node_size {
                let c = nodes[pos];
                b = [
                    b[0].min(c[0]),
                    b[1].min(c[1]),
                    b[2].max(c[2]),
                    b[3].max(c[3]),
                ];
                pos += 1;
            }
            nodes.push(b);
            indices.push(first as u32);
        }
        start = end;
    }
    let mut out = Vec::with_capacity(24 + levels.len() * 8 + nodes.len() * (BOX + 4));
    for v in [n, node_size, levels.len()] {
        out.extend_from_slice(&(v as u64).to_le_bytes());
    }
    for l in &levels {
        out.extend_from_slice(&(*l as u64).to_le_bytes());
    }
    for b in &nodes {
        for v in b {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    for i in &indices {
        out.extend_from_slice(&i.to_le_bytes());
    }
    out
}

/// The Hilbert value of a box's centre on a 65,536 × 65,536 grid over `extent`.
fn hilbert_of(b: &[f64; 4], extent: &[f64; 4]) -> u32 {
    if b[0] > b[2] {
        return u32::MAX;
    }
    let scale = |v: f64, lo: f64, hi: f64| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        (t.clamp(0.0, 1.0) * 65535.0) as u32
    };
    hilbert(
        scale((b[0] + b[2]) / 2.0, extent[0], extent[2]),
        scale((b[1] + b[3]) / 2.0, extent[1], extent[3]),
    )
}

/// Position of `(x, y)` (16 bits each) along the Hilbert curve.
fn hilbert(mut x: u32, mut y: u32) -> u32 {
    let mut d = 0u32;
    let mut s = 1u32 << 15;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = 0xffff - x;
                y = 0xffff - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    d
}

/// A tree written by [`build`], read in place.
#[derive(Debug, Clone)]
pub struct PackedTree<'a> {
    n: usize,
    node_size: usize,
    levels: Vec<usize>,
    boxes: &'a [u8],
    indices: &'a [u8],
}

/// Why bytes are not a tree: a size or an index that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("index spatial incohérent : {0}")]
pub struct TreeError(&'static str);

impl<'a> PackedTree<'a> {
    /// Reads the tree's sizes and checks that every array and index fits in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Result<PackedTree<'a>, TreeError> {
        let word = |i: usize| read_u64(bytes, i * 8).ok_or(TreeError("en-tête tronqué"));
        let (n, node_size, nlevels) = (word(0)?, word(1)?, word(2)?);
        if node_size < 2 || nlevels == 0 || nlevels > 64 {
            return Err(TreeError("taille de nœud ou nombre de niveaux"));
        }
        let levels: Vec<usize> = (0..nlevels)
            .map(|l| word(3 + l))
            .collect::<Result<_, _>>()?;
        let total = levels[levels.len() - 1];
        if levels[0] != n || levels.windows(2).any(|w| w[0] > w[1]) {
            return Err(TreeError("bornes des niveaux"));
        }
        let start = (3 + nlevels) * 8;
        let boxes_len = total.checked_mul(BOX).ok_or(TreeError("taille"))?;
        let boxes = bytes
            .get(start..start + boxes_len)
            .ok_or(TreeError("boîtes tronquées"))?;
        let indices = bytes
            .get(start + boxes_len..start + boxes_len + total * 4)
            .ok_or(TreeError("index tronqués"))?;
        let tree = PackedTree {
            n,
            node_size,
            levels,
            boxes,
            indices,
        };
        // Leaves name items, nodes name children: all below what they may point at, so that
        // a search never leaves the arrays (checked once here, not on every step).
        // A node's children lie below it, so a search only goes down and always ends.
        for pos in 0..total {
            let i = tree.index(pos);
            let bound = if pos < n { n } else { pos };
            if i >= bound {
                return Err(TreeError("index hors limites"));
            }
        }
        Ok(tree)
    }

    /// A tree already checked by [`PackedTree::new`] (when its file was opened), read again
    /// without the check. Bytes that are not such a tree give an empty one.
    pub fn trusted(bytes: &'a [u8]) -> PackedTree<'a> {
        let word = |i: usize| read_u64(bytes, i * 8).unwrap_or(0);
        let nlevels = word(2).min(64);
        let levels: Vec<usize> = (0..nlevels).map(|l| word(3 + l)).collect();
        let total = levels.last().copied().unwrap_or(0);
        let start = (3 + nlevels) * 8;
        let boxes_end = start.saturating_add(total.saturating_mul(BOX));
        PackedTree {
            n: if nlevels == 0 { 0 } else { word(0) },
            node_size: word(1).max(2),
            boxes: bytes.get(start..boxes_end).unwrap_or_default(),
            indices: bytes
                .get(boxes_end..boxes_end.saturating_add(total.saturating_mul(4)))
                .unwrap_or_default(),
            levels,
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the tree has no item.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn index(&self, pos: usize) -> usize {
        read_u32(self.indices, pos * 4)
    }

    fn node_box(&self, pos: usize) -> [f64; 4] {
        let o = pos * BOX;
        let v = |k: usize| read_f64(self.boxes, o + k * 8).unwrap_or(f64::NAN);
        [v(0), v(1), v(2), v(3)]
    }

    /// Calls `hit` with every item whose box meets `rect` (`[min_x, min_y, max_x, max_y]`).
    pub fn search(&self, rect: [f64; 4], mut hit: impl FnMut(usize)) {
        if self.n == 0 {
            return;
        }
        let root = self.levels[self.levels.len() - 1] - 1;
        let mut stack = vec![root];
        while let Some(first) = stack.pop() {
            // The level `first` is in ends at the first bound above it.
            let level_end = self
                .levels
                .iter()
                .copied()
                .find(|&b| b > first)
                .unwrap_or(first + 1);
            let end = (first + self.node_size).min(level_end);
            for pos in first..end {
                let b = self.node_box(pos);
                // NaN boxes (empty items) fail every comparison below and are skipped too.
                if !(rect[2] >= b[0] && rect[3] >= b[1] && rect[0] <= b[2] && rect[1] <= b[3]) {
                    continue;
                }
                let i = self.index(pos);
                if pos < self.n {
                    hit(i);
                } else {
                    stack.push(i);
                }
            }
        }
    }
}

pub(crate) fn read_u64(b: &[u8], o: usize) -> Option<usize> {
    let v = u64::from_le_bytes(b.get(o..o + 8)?.try_into().ok()?);
    usize::try_from(v).ok()
}

/// The `u32` at `o`, or `usize::MAX` (an index nothing has) past the end.
pub(crate) fn read_u32(b: &[u8], o: usize) -> usize {
    b.get(o..o + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(usize::MAX, |v| u32::from_le_bytes(v) as usize)
}

pub(crate) fn read_f64(b: &[u8], o: usize) -> Option<f64> {
    Some(f64::from_le_bytes(b.get(o..o + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed tree finds exactly what a scan of every box finds.
    #[test]
    fn finds_what_a_scan_finds() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in [0, 1, 2, 15, 16, 17, 255, 1000] {
            let boxes: Vec<[f64; 4]> = (0..n)
                .map(|i| {
                    if i % 97 == 5 {
                        return [
                            f64::INFINITY,
                            f64::INFINITY,
                            f64::NEG_INFINITY,
                            f64::NEG_INFINITY,
                        ];
                    }
                    let (x, y) = (next() * 100.0, next() * 100.0);
                    [x, y, x + next() * 3.0, y + next() * 3.0]
                })
                .collect();
            let bytes = build(&boxes, NODE_SIZE);
            let tree = PackedTree::new(&bytes).unwrap();
            for _ in 0..50 {
                let (x, y) = (next() * 100.0, next() * 100.0);
                let q = [x, y, x + next() * 10.0, y + next() * 10.0];
                let mut got = Vec::new();
                tree.search(q, |i| got.push(i));
                got.sort_unstable();
                let want: Vec<usize> = (0..n)
                    .filter(|&i| {
                        let b = boxes[i];
                        q[2] >= b[0] && q[3] >= b[1] && q[0] <= b[2] && q[1] <= b[3]
                    })
                    .collect();
                assert_eq!(got, want, "n={n} q={q:?}");
            }
        }
    }

    #[test]
    fn bytes_that_do_not_fit_are_refused() {
        let bytes = build(&[[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 2.0, 2.0]], NODE_SIZE);
        assert!(PackedTree::new(&bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        let last = wrong.len() - 4;
        wrong[last..].copy_from_slice(&99u32.to_le_bytes());
        assert!(PackedTree::new(&wrong).is_err());
    }
}
