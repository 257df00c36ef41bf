//! A validated WGS84 position: what every lookup starts from.

use super::error::LookupError;

/// A longitude/latitude in WGS84 degrees, checked to be in range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// Longitude, −180 to 180.
    pub lon: f64,
    /// Latitude, −90 to 90.
    pub lat: f64,
}

impl Position {
    /// Checks ranges: latitude in [-90, 90], longitude in [-180, 180] (NaN is out of range).
    ///
    /// ```
    /// use urbaclic::lookup::Position;
    /// assert!(Position::new(2.35, 48.85).is_ok());
    /// assert_eq!(
    ///     Position::new(2.35, 91.0).unwrap_err().to_string(),
    ///     "latitude hors limites (-90 à 90) : 91"
    /// );
    /// assert!(Position::new(f64::NAN, 48.0).is_err());
    /// ```
    pub fn new(lon: f64, lat: f64) -> Result<Position, LookupError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(LookupError::OutOfRange {
                axis: "latitude",
                range: "-90 à 90",
                value: lat,
            });
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(LookupError::OutOfRange {
                axis: "longitude",
                range: "-180 à 180",
                value: lon,
            });
        }
        Ok(Position { lon, lat })
    }
}
