//! The BAN API's filters (`type`, `postcode`, `citycode`), each with one or several accepted
//! values, as addok reads them: `type=street&type=locality` or `postcode=75018 75017` (values
//! repeated or separated by spaces, at most [`MAX_FILTER_VALUES`] each). A place passes when it
//! matches one value of every filter given. Shared by forward and reverse geocoding.

use super::index::PlaceType;

/// Most values kept per filter (addok's `MAX_FILTER_VALUES`); further ones are ignored.
pub const MAX_FILTER_VALUES: usize = 10;

/// Filters of a search or reverse request; empty lists filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Accepted result types (`type=`).
    pub kinds: Vec<PlaceType>,
    /// Accepted postcodes (`postcode=`).
    pub postcodes: Vec<String>,
    /// Accepted INSEE codes (`citycode=`).
    pub citycodes: Vec<String>,
}

impl Filters {
    /// Only results of this type.
    ///
    /// ```
    /// use urbaclic::geocode::{Filters, PlaceType};
    /// assert!(!Filters::kind(PlaceType::Street).only_numbers());
    /// assert!(Filters::kind(PlaceType::Housenumber).only_numbers());
    /// ```
    pub fn kind(kind: PlaceType) -> Self {
        Filters {
            kinds: vec![kind],
            ..Filters::default()
        }
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.postcodes.is_empty() && self.citycodes.is_empty()
    }

    /// Only house numbers were asked for (`type=housenumber` alone): a street without the
    /// number asked is no answer.
    pub fn only_numbers(&self) -> bool {
        !self.kinds.is_empty() && self.kinds.iter().all(|&k| k == PlaceType::Housenumber)
    }

    /// Types were asked for and house numbers are not among them: streets stay streets.
    pub fn no_numbers(&self) -> bool {
        !self.kinds.is_empty() && !self.kinds.contains(&PlaceType::Housenumber)
    }

    /// Whether a hit of type `kind` passes the type filter.
    pub fn accepts_kind(&self, kind: PlaceType) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    /// Whether a place with this postcode and INSEE code passes the code filters.
    pub fn accepts_codes(&self, postcode: &str, citycode: &str) -> bool {
        (self.postcodes.is_empty() || self.postcodes.iter().any(|p| p == postcode))
            && (self.citycodes.is_empty() || self.citycodes.iter().any(|c| c == citycode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_values_are_alternatives() {
        let f = Filters {
            kinds: vec![PlaceType::Street, PlaceType::Locality],
            postcodes: vec!["75018".into(), "75017".into()],
            citycodes: Vec::new(),
        };
        assert!(f.accepts_kind(PlaceType::Locality) && !f.accepts_kind(PlaceType::Municipality));
        assert!(f.accepts_codes("75017", "75117") && !f.accepts_codes("75016", "75116"));
        assert!(f.no_numbers() && !f.only_numbers());
        assert!(Filters::default().is_empty() && Filters::default().accepts_codes("x", "y"));
    }
}
