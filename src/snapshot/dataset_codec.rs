//! A dataset's body in a snapshot: its layers in a fixed order, as [`Resolved`] holds them
//! (indexes are rebuilt on open), then the address index. The parcels are not in it: they have
//! their own section, read in place ([`crate::index::parcels`]).

use super::codec::{encode_slice, Codec, DecodeError, Reader};
use crate::dataset::{Dataset, Resolved, ResolvedParcels};
use crate::geocode::index::AddressIndex;
use crate::index::parcels::ParcelLayer;

/// Writes `d` in the order [`decode`] reads it. Maps are sorted, so that one dataset always
/// gives the same bytes.
pub(super) fn encode(d: &Dataset, out: &mut Vec<u8>) {
    encode_slice(d.communes.features(), out);
    encode_slice(d.departements.features(), out);
    d.documents.encode(out);
    encode_slice(d.zones.features(), out);
    encode_slice(d.prescriptions.features(), out);
    encode_slice(d.informations.features(), out);
    encode_slice(d.servitudes.features(), out);
    encode_slice(d.generateurs.features(), out);
    d.risk_plans.encode(out);
    encode_slice(d.risk_zones.features(), out);
    d.zoning_themes.encode(out);
    encode_slice(d.zoning.features(), out);
    encode_slice(d.coverage.features(), out);
    let mut reglements: Vec<_> = d.reglements.iter().cloned().collect();
    reglements.sort_by(|a, b| a.id_urba.cmp(&b.id_urba));
    reglements.encode(out);
    let mut pieces: Vec<_> = d.pieces.values().cloned().collect();
    pieces.sort_by(|a, b| a.path.cmp(&b.path));
    pieces.encode(out);
    d.planning_complete_communes.encode(out);
    d.report.encode(out);
    match &d.addresses {
        None => out.push(0),
        Some(a) => {
            out.push(1);
            encode_addresses(a, out);
        }
    }
}

/// Reads what [`encode`] wrote, with the parcels of the snapshot's parcel section; every byte
/// must be used.
pub(super) fn decode(bytes: &[u8], parcels: ParcelLayer) -> Result<Resolved, DecodeError> {
    let r = &mut Reader::new(bytes);
    let resolved = Resolved {
        communes: Codec::decode(r)?,
        departements: Codec::decode(r)?,
        parcels: ResolvedParcels::Indexed(parcels),
        documents: Codec::decode(r)?,
        zones: Codec::decode(r)?,
        prescriptions: Codec::decode(r)?,
        informations: Codec::decode(r)?,
        servitudes: Codec::decode(r)?,
        generateurs: Codec::decode(r)?,
        risk_plans: Codec::decode(r)?,
        risk_zones: Codec::decode(r)?,
        zoning_themes: Codec::decode(r)?,
        zoning_zones: Codec::decode(r)?,
        coverage: Codec::decode(r)?,
        reglements: Codec::decode(r)?,
        pieces: Codec::decode(r)?,
        planning_complete_communes: Codec::decode(r)?,
        report: Codec::decode(r)?,
        addresses: match u8::decode(r)? {
            0 => None,
            1 => Some(decode_addresses(r)?),
            tag => {
                return Err(DecodeError::Tag {
                    what: "AddressIndex",
                    tag,
                    at: r.position() - 1,
                })
            }
        },
    };
    if r.is_done() {
        Ok(resolved)
    } else {
        Err(DecodeError::Truncated(r.position()))
    }
}

/// The address index without its R-tree of numbers, rebuilt from the places on open.
fn encode_addresses(a: &AddressIndex, out: &mut Vec<u8>) {
    let AddressIndex {
        places,
        cities,
        vocab,
        numbers_tree: _,
        stats,
        warnings,
    } = a;
    places.encode(out);
    cities.encode(out);
    vocab.encode(out);
    stats.encode(out);
    warnings.encode(out);
}

fn decode_addresses(r: &mut Reader<'_>) -> Result<AddressIndex, DecodeError> {
    let places: Vec<_> = Codec::decode(r)?;
    Ok(AddressIndex {
        numbers_tree: crate::geocode::index::numbers_tree(&places),
        places,
        cities: Codec::decode(r)?,
        vocab: Codec::decode(r)?,
        stats: Codec::decode(r)?,
        warnings: Codec::decode(r)?,
    })
}
