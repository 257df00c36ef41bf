//! The geometries a lookup adds to its items when asked (`geometry=true`), so that a client can
//! draw the answer: each feature whole, as the GPU shows it (not clipped to the parcel), on the
//! 6-decimal grid and RFC 7946 winding of every GeoJSON answer ([`rounded`]).

use geo::Geometry;

use crate::family::risks::RiskOut;
use crate::family::servitudes::ServitudeOut;
use crate::family::urba::UrbaFeatureOut;
use crate::family::zones::ZoneOut;
use crate::family::zoning::ZoningZoneOut;
use crate::geometry::rounded;

use super::ParcelOut;

/// How a lookup writes its answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LookupOptions {
    /// Add the whole geometry of the parcel and of every item found (`geometry=true`).
    pub geometry: bool,
}

/// An answer item that can carry the geometry of its feature.
pub(super) trait Drawable {
    /// Where the item keeps it.
    fn geometry_slot(&mut self) -> &mut Option<geojson::Geometry>;

    /// Sets it from the feature's geometry when `options` ask for it; returns the item.
    fn drawn(mut self, g: &Geometry<f64>, options: LookupOptions) -> Self
    where
        Self: Sized,
    {
        if options.geometry {
            *self.geometry_slot() = Some(geojson::Geometry::from(&rounded(g)));
        }
        self
    }
}

macro_rules! drawable {
    ($($t:ty),*) => {$(
        impl Drawable for $t {
            fn geometry_slot(&mut self) -> &mut Option<geojson::Geometry> {
                &mut self.geometry
            }
        }
    )*};
}

drawable!(
    ParcelOut,
    ZoneOut,
    UrbaFeatureOut,
    ServitudeOut,
    RiskOut,
    ZoningZoneOut
);
