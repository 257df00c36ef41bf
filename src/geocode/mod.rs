//! Embedded address geocoder, compatible with the BAN search API (addok).
//!
//! - [`ban_csv`] reads BAN CSV files (`;`, optionally gzipped);
//! - [`csv_input`] holds the CSV reader settings they share (the `csv` crate) and reads users' batch
//!   files ([`csv_input::UserCsv`]: encoding, delimiter, row limit);
//! - [`batch`] geocodes a user's CSV file row by row (`POST /search/csv/`);
//! - [`normalize`] turns names and queries into comparable words, after [`clean`] has taken
//!   out what people type around an address (flat, floor, postal box, city first);
//! - [`index`] holds the [`AddressIndex`] (places, numbers, R-tree), with its word vocabulary
//!   (`vocab`) and the house-number rules (`numbers`: loose suffixes, interpolation);
//! - [`parcel_ref`] reads parcel references typed in the search box, [`parcel_search`] finds
//!   the parcels they designate;
//! - [`search`] and [`reverse`] answer forward and reverse queries with BAN-shaped hits;
//! - [`upstream`] optionally asks a remote BAN-compatible API;
//! - [`lambert`] and [`context`] compute the BAN `x`/`y` and `context` properties.
//!
//! ```
//! use urbaclic::geocode::{AddressIndex, SearchQuery};
//! let index = AddressIndex::build(&["data/ban-adresses-75118/adresses-75118.csv".into()], &[])?;
//! let hits = index.search(&SearchQuery::new("18 r ordener paris"));
//! assert_eq!(hits[0].properties.label, "18 Rue Ordener 75018 Paris");
//! # Ok::<(), urbaclic::geocode::GeocodeError>(())
//! ```

pub mod ban_csv;
pub mod batch;
pub mod clean;
pub mod context;
pub mod csv_input;
mod filters;
pub mod index;
pub mod lambert;
pub mod normalize;
mod numbers;
pub mod parcel_ref;
pub mod parcel_search;
pub mod reverse;
pub mod search;
pub mod upstream;
pub(crate) mod vocab;

pub use ban_csv::GeocodeError;
pub use filters::{Filters, MAX_FILTER_VALUES};
pub use index::{AddressIndex, CommuneEntry, IndexStats, PlaceType, UnknownPlaceType};
pub use search::{is_uncertain, HitProperties, SearchHit, SearchQuery, MIN_SCORE};
pub use upstream::{UnknownUpstreamMode, UpstreamConfig, UpstreamMode};
