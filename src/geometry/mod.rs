//! Geometry: the pure algorithms the spatial index and the analyses are built on.
//!
//! Everything here works on `geo` types in WGS84 degrees and knows nothing of layers, features or
//! answers. Containment, areas and their ratios are computed on the degrees themselves: a local
//! metric frame is an affine map of them, which preserves insideness and scales every area by the
//! same factor. Distances are not preserved by that map, so they are measured in metres through the
//! one earth model, [`LocalFrame`] on the WGS84 ellipsoid.
//!
//! One algorithm per file; each is re-exported here, which is its only public path.

mod boxes;
mod earth;
mod geojson;
mod hull;
mod intersection_area;
mod polygons;
mod prepared;
mod ring;
mod rounding;
mod segment_distance;
mod segments;
mod validity;

pub use boxes::{aabb, expand, segment_meets};
pub use earth::{metres_per_degree, window, LocalFrame};
pub use geojson::{first_open_ring, geometry_from_geojson, GeoJsonGeometryError};
pub use hull::convex_hull;
pub use intersection_area::intersection_area;
pub use polygons::{is_areal, polygons_of};
pub use prepared::{PreparedArea, EDGE_INDEX_THRESHOLD};
pub use ring::{oriented_edges, shoelace_term, signed_area};
pub use rounding::{round6, rounded};
pub use segment_distance::{
    distance_m, point_segment_distance, point_segment_distance_m, segment_segment_distance,
};
pub use segments::visit_segments;
pub use validity::{first_invalidity, Invalidity, RingRef};
