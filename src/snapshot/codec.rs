//! The snapshot's binary encoding: little-endian numbers, length-prefixed strings and lists, one
//! tag byte per enum variant, geometries as their rings of `f64` pairs.
//!
//! Decoding never trusts a length: every read is bounded by the bytes left, so a corrupt or
//! truncated section is a [`DecodeError`], never a panic or a huge allocation.
//!
//! ```
//! use urbaclic::snapshot::codec::{Codec, Reader};
//! let mut bytes = Vec::new();
//! (String::from("Ucp"), Some(3.5_f64), vec![1_u32, 2]).encode(&mut bytes);
//! let back: (String, Option<f64>, Vec<u32>) = Codec::decode(&mut Reader::new(&bytes)).unwrap();
//! assert_eq!(back, ("Ucp".into(), Some(3.5), vec![1, 2]));
//! ```

use std::collections::HashMap;
use std::hash::Hash;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes end before the value does.
    #[error("données tronquées à l'octet {0}")]
    Truncated(usize),
    /// A tag byte that no variant has.
    #[error("valeur {tag} inconnue pour {what} à l'octet {at}")]
    Tag {
        /// The type being decoded.
        what: &'static str,
        /// The tag read.
        tag: u8,
        /// Where.
        at: usize,
    },
    /// A string that is not UTF-8.
    #[error("texte non UTF-8 à l'octet {0}")]
    Utf8(usize),
}

/// Reads values from a byte slice, front to back.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(DecodeError::Truncated(self.pos))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// The next `N` bytes as an array.
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A list length, refused when the bytes left cannot hold that many items of at least
    /// `min_item` bytes (so a corrupt length never allocates gigabytes).
    fn len(&mut self, min_item: usize) -> Result<usize, DecodeError> {
        let at = self.pos;
        let n = usize::try_from(u64::decode(self)?).map_err(|_| DecodeError::Truncated(at))?;
        let left = self.bytes.len() - self.pos;
        match n.checked_mul(min_item.max(1)) {
            Some(need) if need <= left || min_item == 0 => Ok(n),
            _ => Err(DecodeError::Truncated(at)),
        }
    }

    /// Whether every byte was read.
    pub fn is_done(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// The current position, for error messages.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn tag(&self, what: &'static str, tag: u8) -> DecodeError {
        DecodeError::Tag {
            what,
            tag,
            at: self.pos - 1,
        }
    }
}

/// A value the snapshot stores.
pub trait Codec: Sized {
    /// Appends the value's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads a value written by [`Codec::encode`].
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

macro_rules! codec_number {
    ($($t:ty),*) => {$(
        impl Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$t>::from_le_bytes(r.array()?))
            }
        }
    )*};
}
codec_number!(u8, u32, u64, u128, f32, f64);

impl Codec for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.position();
        usize::try_from(u64::decode(r)?).map_err(|_| DecodeError::Truncated(at))
    }
}

impl Codec for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(r.tag("bool", t)),
        }
    }
}

impl Codec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(1)?;
        let at = r.position();
        String::from_utf8(r.take(n)?.to_vec()).map_err(|_| DecodeError::Utf8(at))
    }
}

impl Codec for Box<str> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        String::decode(r).map(String::into_boxed_str)
    }
}

impl Codec for std::borrow::Cow<'static, str> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        String::decode(r).map(std::borrow::Cow::Owned)
    }
}

impl Codec for std::path::PathBuf {
    fn encode(&self, out: &mut Vec<u8>) {
        self.to_string_lossy().into_owned().encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        String::decode(r).map(std::path::PathBuf::from)
    }
}

impl<T: Codec> Codec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(None),
            1 => T::decode(r).map(Some),
            t => Err(r.tag("Option", t)),
        }
    }
}

/// Writes a slice as [`Vec`] does, for data held behind an index (a layer's features).
pub fn encode_slice<T: Codec>(items: &[T], out: &mut Vec<u8>) {
    items.len().encode(out);
    for v in items {
        v.encode(out);
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_slice(self, out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // Every encoded value takes at least one byte, but a zero-sized one: the bound is
        // checked item by item below, the capacity only trusted up to the bytes left.
        let n = r.len(0)?;
        let mut v = Vec::with_capacity(n.min(r.bytes.len() - r.pos));
        for _ in 0..n {
            v.push(T::decode(r)?);
        }
        Ok(v)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok((A::decode(r)?, B::decode(r)?))
    }
}

impl<A: Codec, B: Codec, C: Codec> Codec for (A, B, C) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
        self.2.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok((A::decode(r)?, B::decode(r)?, C::decode(r)?))
    }
}

/// Maps are written in key order, so that one dataset always gives the same bytes.
impl<K: Codec + Eq + Hash + Ord, V: Codec> Codec for HashMap<K, V> {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut entries: Vec<(&K, &V)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries.len().encode(out);
        for (k, v) in entries {
            k.encode(out);
            v.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(0)?;
        let mut m = HashMap::with_capacity(n.min(r.bytes.len() - r.pos));
        for _ in 0..n {
            let k = K::decode(r)?;
            m.insert(k, V::decode(r)?);
        }
        Ok(m)
    }
}

impl Codec for Coord<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.x.encode(out);
        self.y.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Coord {
            x: f64::decode(r)?,
            y: f64::decode(r)?,
        })
    }
}

impl Codec for LineString<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Vec::decode(r).map(LineString)
    }
}

impl Codec for Polygon<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.exterior().encode(out);
        self.interiors().len().encode(out);
        for ring in self.interiors() {
            ring.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let exterior = LineString::decode(r)?;
        Ok(Polygon::new(exterior, Vec::decode(r)?))
    }
}

impl Codec for MultiPolygon<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Vec::decode(r).map(MultiPolygon)
    }
}

/// Geometries keep their kind: a Polygon comes back a Polygon, not a one-part MultiPolygon
/// (answers name the geometry type).
impl Codec for Geometry<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Geometry::Point(p) => {
                out.push(0);
                p.0.encode(out);
            }
            Geometry::LineString(l) => {
                out.push(1);
                l.encode(out);
            }
            Geometry::Polygon(p) => {
                out.push(2);
                p.encode(out);
            }
            Geometry::MultiPoint(m) => {
                out.push(3);
                m.0.iter().map(|p| p.0).collect::<Vec<_>>().encode(out);
            }
            Geometry::MultiLineString(m) => {
                out.push(4);
                m.0.encode(out);
            }
            Geometry::MultiPolygon(m) => {
                out.push(5);
                m.encode(out);
            }
            Geometry::GeometryCollection(c) => {
                out.push(6);
                c.0.encode(out);
            }
            // The loaders never make these; kept exact as polygons and lines would lose nothing.
            Geometry::Rect(rect) => {
                out.push(2);
                rect.to_polygon().encode(out);
            }
            Geometry::Triangle(t) => {
                out.push(2);
                t.to_polygon().encode(out);
            }
            Geometry::Line(l) => {
                out.push(1);
                LineString::from(*l).encode(out);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match u8::decode(r)? {
            0 => Geometry::Point(Point(Coord::decode(r)?)),
            1 => Geometry::LineString(LineString::decode(r)?),
            2 => Geometry::Polygon(Polygon::decode(r)?),
            3 => Geometry::MultiPoint(MultiPoint(
                Vec::<Coord<f64>>::decode(r)?
                    .into_iter()
                    .map(Point)
                    .collect(),
            )),
            4 => Geometry::MultiLineString(MultiLineString(Vec::decode(r)?)),
            5 => Geometry::MultiPolygon(MultiPolygon::decode(r)?),
            6 => Geometry::GeometryCollection(geo::GeometryCollection(Vec::decode(r)?)),
            t => return Err(r.tag("Geometry", t)),
        })
    }
}

/// [`Codec`] for a struct, field by field. The pattern names every field, so a field added to
/// the struct and not here is a compile error, not a field silently left out of snapshots.
macro_rules! codec_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $crate::snapshot::codec::Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                let $t { $($f),* } = self;
                $( $crate::snapshot::codec::Codec::encode($f, out); )*
            }
            fn decode(
                r: &mut $crate::snapshot::codec::Reader<'_>,
            ) -> Result<Self, $crate::snapshot::codec::DecodeError> {
                // Struct expressions evaluate their fields in the order written: the order above.
                Ok($t { $($f: $crate::snapshot::codec::Codec::decode(r)?),* })
            }
        }
    };
}

/// [`Codec`] for an enum of unit variants: one tag byte, the variant's place in the list. The
/// `match` names every variant, so a new one is a compile error until it is listed. The enum must
/// be `Copy` and `PartialEq`.
macro_rules! codec_unit_enum {
    ($t:ident { $($v:ident),* $(,)? }) => {
        impl $crate::snapshot::codec::Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                // Every variant is in the list (checked below), so the position is always found.
                let tag = [$($t::$v),*].iter().position(|v| v == self).unwrap_or(0);
                out.push(tag as u8);
            }
            fn decode(
                r: &mut $crate::snapshot::codec::Reader<'_>,
            ) -> Result<Self, $crate::snapshot::codec::DecodeError> {
                let all = [$($t::$v),*];
                let tag = <u8 as $crate::snapshot::codec::Codec>::decode(r)?;
                all.get(usize::from(tag)).copied().ok_or_else(|| {
                    $crate::snapshot::codec::DecodeError::Tag {
                        what: stringify!($t),
                        tag,
                        at: r.position() - 1,
                    }
                })
            }
        }
        // Exhaustiveness: this match fails to compile when a variant is missing from the list.
        const _: fn($t) = |v| match v { $( $t::$v => {} )* };
    };
}

pub(crate) use codec_struct;
pub(crate) use codec_unit_enum;
