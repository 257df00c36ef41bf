//! urbaclic — urban-planning rules lookup.
//!
//! The crate is laid out as the pipeline it runs:
//! [`load`] reads the layer files (CNIG PLU/SUP shapefiles, PPR GeoPackages, cadastre GeoJSON…) and
//! reprojects them with [`crs`] into the immutable [`dataset::Dataset`]; [`index`] holds the R-trees,
//! built on the algorithms of [`geometry`];
//! [`geocode`] turns addresses into points; [`lookup`] intersects a point with every layer;
//! [`api`] serves it over HTTP and [`cli`] on the command line.

pub mod analysis;
pub mod api;
pub mod cli;
pub mod config;
pub mod crs;
pub mod dataset;
pub mod geocode;
pub mod geometry;
pub mod index;
pub mod load;
pub mod lookup;
pub mod model;
pub mod nomenclature;
pub mod rules;
