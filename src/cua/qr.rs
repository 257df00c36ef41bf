//! The permalink as a QR code: its modules, merged into horizontal runs that the HTML writer
//! draws as one SVG path and the PDF writer as filled rectangles (vector in both, sharp at any
//! print size).

use qrcode::{Color, EcLevel, QrCode};

/// Light modules to leave around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code's dark modules.
#[derive(Debug, Clone)]
pub struct Qr {
    width: usize,
    /// Dark runs: (column, row, length), in modules.
    runs: Vec<(usize, usize, usize)>,
}

impl Qr {
    /// The code of `text` at error-correction level M (readable when printed and slightly
    /// soiled); `None` when the text is too long for any QR code.
    pub fn new(text: &str) -> Option<Qr> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        let width = code.width();
        let colors = code.to_colors();
        let mut runs = Vec::new();
        for (y, row) in colors.chunks(width).enumerate() {
            let mut x = 0;
            while x < width {
                if row.get(x) == Some(&Color::Dark) {
                    let start = x;
                    while row.get(x) == Some(&Color::Dark) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        Some(Qr { width, runs })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side, quiet zone included.
    pub fn outer_width(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// The dark runs: (column, row, length) in modules, from the top left of the code itself.
    pub fn runs(&self) -> &[(usize, usize, usize)] {
        &self.runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_finder_patterns() {
        let qr = Qr::new("https://urbaclic.example.fr/?parcelle=75118000BT0107").unwrap();
        assert!(qr.width() >= 21);
        // The top-left finder pattern's first row is seven dark modules.
        assert!(qr.runs().contains(&(0, 0, 7)));
        assert!(Qr::new(&"x".repeat(5000)).is_none());
    }
}
