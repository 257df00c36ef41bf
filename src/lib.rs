//! urbaclic — urban-planning rules lookup.
//!
//! The crate is laid out as the pipeline it runs:
//! [`load`] reads the layer files (CNIG PLU/SUP shapefiles, PPR GeoPackages, cadastre GeoJSON…) and
//! reprojects them with [`crs`] into the immutable [`dataset::Dataset`]; [`index`] holds the R-trees, built on
//! the algorithms of [`geometry`];
//! [`family`] says, per kind of layer, what a hit means and how it is drawn; [`geocode`] turns
//! addresses into points; [`lookup`] finds what meets a place and writes the answer, with the
//! [`rules`] (status, summary) deciding from facts only; [`app`] holds the served dataset; [`api`]
//! serves it over HTTP ([`server`] holds the connections) and [`cli`] on the command line. Imports run one way: `api`/`cli` → `app`
//! → `lookup` → `family` → `rules` → `model`, and `dataset` → `index` → geometry.

// No unsafe code but one audited memory map (`snapshot::map`), allowed there by name.
#![deny(unsafe_code)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod analysis;
pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod crs;
pub mod cua;
pub mod dataset;
pub mod family;
pub mod geocode;
pub mod geometry;
pub mod index;
pub mod load;
pub mod lookup;
pub mod model;
pub mod nomenclature;
pub mod reglement;
pub mod report;
pub mod rules;
pub mod server;
pub mod snapshot;
