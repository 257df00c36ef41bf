//! WGS84 → Lambert-93 (EPSG:2154), the closed-form Lambert conformal conic on GRS80.
//!
//! BAN properties carry `x`/`y` in Lambert-93; rows have them already, but municipalities
//! (from commune centroids) and interpolated numbers need them computed. A dozen lines of
//! formula avoid a projection-library round trip on the hot path.

use std::f64::consts::FRAC_PI_4;

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_222_101;
const LON0: f64 = 3.0;
const PHI0: f64 = 46.5;
const PHI1: f64 = 44.0;
const PHI2: f64 = 49.0;
const X0: f64 = 700_000.0;
const Y0: f64 = 6_600_000.0;

fn e() -> f64 {
    (2.0 * F - F * F).sqrt()
}

fn m(phi: f64) -> f64 {
    let e = e();
    phi.cos() / (1.0 - e * e * phi.sin().powi(2)).sqrt()
}

fn t(phi: f64) -> f64 {
    let e = e();
    let es = e * phi.sin();
    (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
}

/// Projects WGS84 `lon`/`lat` (degrees) to Lambert-93 `x`/`y` (metres), rounded to the cm.
///
/// ```
/// use urbaclic::geocode::lambert::to_lambert93;
/// // A BAN row of Paris 18e: x 651419.96, y 6866206.65.
/// let (x, y) = to_lambert93(2.337426, 48.894034);
/// assert!((x - 651419.96).abs() < 0.5 && (y - 6866206.65).abs() < 0.5);
/// ```
pub fn to_lambert93(lon: f64, lat: f64) -> (f64, f64) {
    let (p0, p1, p2) = (PHI0.to_radians(), PHI1.to_radians(), PHI2.to_radians());
    let n = (m(p1).ln() - m(p2).ln()) / (t(p1).ln() - t(p2).ln());
    let big_f = m(p1) / (n * t(p1).powf(n));
    let rho0 = A * big_f * t(p0).powf(n);
    let rho = A * big_f * t(lat.to_radians()).powf(n);
    let theta = n * (lon - LON0).to_radians();
    let x = X0 + rho * theta.sin();
    let y = Y0 + rho0 - rho * theta.cos();
    ((x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0)
}

/// Great-circle distance in metres between two WGS84 points.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ban_rows() {
        // Two rows of adresses-75118.csv.
        let (x, y) = to_lambert93(2.358973, 48.901504);
        assert!((x - 653006.5).abs() < 0.5, "{x}");
        assert!((y - 6867024.24).abs() < 0.5, "{y}");
    }

    #[test]
    fn haversine_is_metric() {
        let d = haversine_m(2.35, 48.89, 2.35, 48.90);
        assert!((d - 1112.0).abs() < 2.0, "{d}");
        assert_eq!(haversine_m(2.0, 45.0, 2.0, 45.0), 0.0);
    }
}
