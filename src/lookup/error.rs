//! Why a lookup could not be answered: always the user's input, never the data.

use crate::model::ParcelIdError;

/// A lookup that cannot be answered, in French for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// A position outside WGS84 ranges.
    #[error("{axis} hors limites ({range}) : {value}")]
    OutOfRange {
        /// `longitude` or `latitude`.
        axis: &'static str,
        /// The accepted range, as written to the user.
        range: &'static str,
        /// The value given.
        value: f64,
    },
    /// An address query longer than any real address.
    #[error("« q » trop long ({MAX_QUERY_CHARS} caractères au plus)")]
    QueryTooLong,
    /// No address matches (the message carries the geocoders' warnings).
    #[error("{0}")]
    AddressNotFound(String),
    /// A malformed parcel reference.
    #[error(transparent)]
    InvalidParcel(#[from] ParcelIdError),
    /// A well-formed parcel id that is not in the loaded cadastre.
    #[error("parcelle {0} inconnue dans les données chargées")]
    UnknownParcel(String),
}

/// Longest address query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
