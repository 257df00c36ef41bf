//! Why a draft certificate could not be produced.

use crate::lookup::LookupError;
use crate::model::ParcelIdError;

/// A certificate that cannot be produced, in French for the user. Every variant but
/// [`CuaError::Render`] is the user's input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CuaError {
    /// The lookup refused the input (malformed or unknown parcel, position out of range).
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// `parcel=` named no parcel at all (`parcel=,`).
    #[error("« parcel » ne contient aucun identifiant de parcelle")]
    NoParcel,
    /// More parcels than one certificate covers.
    #[error("trop de parcelles : {0} (au plus {max} par certificat)", max = super::MAX_PARCELS)]
    TooManyParcels(usize),
    /// A land unit lies in one commune: a certificate is asked of one mayor.
    #[error("les parcelles d'un même certificat doivent être dans une même commune : {0} et {1}")]
    DifferentCommunes(String, String),
    /// An output format other than HTML or PDF.
    #[error("format « {0} » inconnu : « html » ou « pdf »")]
    Format(String),
    /// The document could not be written (font, QR code, PDF serialisation): a fault of the
    /// service, not of the request.
    #[error("le document n'a pas pu être produit : {0}")]
    Render(String),
}

impl From<ParcelIdError> for CuaError {
    fn from(e: ParcelIdError) -> Self {
        CuaError::Lookup(e.into())
    }
}
