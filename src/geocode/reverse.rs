//! Reverse geocoding: a point → the nearest house numbers (or streets, localities,
//! municipalities), with their distance in metres.
//!
//! House numbers come from the R-tree (scaled lon/lat, see `index::LON_SCALE`); the
//! few nearest are re-ranked by exact haversine distance. Beyond [`MAX_DISTANCE_M`] nothing is
//! returned: a point far from every known address has no address, not a random one.

use super::filters::Filters;
use super::index::{AddressIndex, Place, PlaceType};
use super::lambert::haversine_m;
use super::search::SearchHit;

/// Farthest house number or street returned, in metres.
pub const MAX_DISTANCE_M: f64 = 1_000.0;
/// Farthest municipality centroid returned, in metres.
pub const MAX_MUNICIPALITY_M: f64 = 30_000.0;

impl AddressIndex {
    /// Nearest entries to `lon`/`lat` of the types asked in `filters` (house numbers when
    /// none), in its postcodes and communes if given, nearest first.
    ///
    /// ```no_run
    /// use urbaclic::geocode::{AddressIndex, Filters};
    /// let index = AddressIndex::build(&["data/ban-adresses-75118/adresses-75118.csv".into()], &[]).unwrap();
    /// let hits = index.reverse(2.3437, 48.8917, &Filters::default(), 1);
    /// println!("{} à {} m", hits[0].properties.label, hits[0].properties.distance.unwrap());
    /// ```
    pub fn reverse(&self, lon: f64, lat: f64, filters: &Filters, limit: usize) -> Vec<SearchHit> {
        if !lon.is_finite() || !lat.is_finite() || limit == 0 {
            return Vec::new();
        }
        let kinds = if filters.kinds.is_empty() {
            &[PlaceType::Housenumber][..]
        } else {
            &filters.kinds[..]
        };
        let mut found: Vec<(f64, SearchHit)> = Vec::new();
        for &kind in kinds {
            found.extend(match kind {
                PlaceType::Housenumber => self.nearest_numbers(lon, lat, limit, false, filters),
                PlaceType::Street => self.nearest_numbers(lon, lat, limit, true, filters),
                k => self.nearest_places(lon, lat, k, filters),
            });
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.truncate(limit);
        found
            .into_iter()
            .map(|(d, mut h)| {
                let max = if h.properties.kind == PlaceType::Municipality {
                    MAX_MUNICIPALITY_M
                } else {
                    MAX_DISTANCE_M
                };
                h.properties.distance = Some(d.round() as u32);
                h.properties.score =
                    ((1.0 - d / max).clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
                h
            })
            .collect()
    }

    /// Nearest numbers, or (when `streets`) the streets of the nearest numbers, one each.
    fn nearest_numbers(
        &self,
        lon: f64,
        lat: f64,
        limit: usize,
        streets: bool,
        filters: &Filters,
    ) -> Vec<(f64, SearchHit)> {
        // The scaled-degree metric is only approximately isotropic: look a bit further than
        // `limit` and re-rank by true distance; streets and filtered numbers need more.
        let by_code = !(filters.postcodes.is_empty() && filters.citycodes.is_empty());
        let want = if streets || by_code {
            400
        } else {
            limit.saturating_mul(4).max(16)
        };
        let mut near: Vec<(f64, u32, u32)> = self
            .numbers_tree
            .nearest_neighbor_iter(&[lon * super::index::LON_SCALE, lat])
            .take(want)
            .map(|p| {
                let (pi, ni) = p.data;
                let h = &self.places[pi as usize].numbers[ni as usize];
                (haversine_m(lon, lat, h.pos.lon, h.pos.lat), pi, ni)
            })
            .filter(|&(d, pi, _)| {
                d <= MAX_DISTANCE_M && self.in_codes(&self.places[pi as usize], filters)
            })
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (d, pi, ni) in near {
            let place = &self.places[pi as usize];
            if streets {
                if seen.contains(&pi) {
                    continue;
                }
                seen.push(pi);
                out.push((d, self.hit(place, place.pos, 1.0, None, place.id.clone())));
            } else {
                let h = &place.numbers[ni as usize];
                let hn = format!("{}{}", h.number, h.rep);
                out.push((d, self.hit(place, h.pos, 1.0, Some(hn), h.id.to_string())));
            }
            if out.len() >= limit {
                break;
            }
        }
        out
    }

    fn nearest_places(
        &self,
        lon: f64,
        lat: f64,
        kind: PlaceType,
        filters: &Filters,
    ) -> Vec<(f64, SearchHit)> {
        let max = if kind == PlaceType::Municipality {
            MAX_MUNICIPALITY_M
        } else {
            MAX_DISTANCE_M
        };
        self.places
            .iter()
            .filter(|p| p.kind == kind && self.in_codes(p, filters))
            .map(|p| (haversine_m(lon, lat, p.pos.lon, p.pos.lat), p))
            .filter(|(d, _)| *d <= max)
            .map(|(d, p)| (d, self.hit(p, p.pos, 1.0, None, p.id.clone())))
            .collect()
    }

    /// Whether the place is in the postcodes and communes of the filters.
    pub(crate) fn in_codes(&self, place: &Place, filters: &Filters) -> bool {
        filters.accepts_codes(&place.postcode, &self.cities[place.city as usize].insee)
    }
}
