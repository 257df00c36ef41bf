//! Quantities written in a regulation sentence: `9 m`, `3,50 mètres`, `40 %`, `deux places`.

use std::sync::LazyLock;

use regex::Regex;

use super::folded::Folded;

/// The unit of a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Unit {
    /// Metres.
    #[serde(rename = "m")]
    Metre,
    /// Per cent (of the plot, for footprint and green space).
    #[serde(rename = "%")]
    Percent,
    /// Parking spaces.
    #[serde(rename = "places")]
    Places,
    /// Storeys above the ground floor (`R+1`: ground floor and one storey).
    #[serde(rename = "R+")]
    Storeys,
}

/// A quantity found in folded text, with its byte span there.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Its value.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// Where it starts in the folded text.
    pub start: usize,
    /// Where it ends in the folded text.
    pub end: usize,
}

// A number then a unit; `m` must not be followed by a letter or digit (`m2`, `mini`, `mm`).
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, checked by the tests below
    Regex::new(
        r"(\d+(?:[.,]\d+)?)\s*(metres?\b|m\b|%|pour ?cents?\b|places?\b)|\b(une?|deux|trois|quatre|cinq)\s+(places?)\b|\br\s*\+\s*(\d+)\b",
    )
    .unwrap()
});

/// Every quantity in `text`.
///
/// ```
/// use urbaclic::rules::key_rules::{folded::Folded, measure::{quantities, Unit}};
/// let q = quantities(&Folded::new("9 m au faîtage, 3,50 mètres, 40 %, 150 m², deux places, R + 1"));
/// let found: Vec<(f64, Unit)> = q.iter().map(|q| (q.value, q.unit)).collect();
/// assert_eq!(found, [(9.0, Unit::Metre), (3.5, Unit::Metre), (40.0, Unit::Percent), (2.0, Unit::Places), (1.0, Unit::Storeys)]);
/// ```
pub fn quantities(text: &Folded<'_>) -> Vec<Quantity> {
    QUANTITY
        .captures_iter(&text.text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let (value, unit) = match (c.get(1), c.get(2), c.get(3), c.get(5)) {
                (Some(n), Some(u), _, _) => {
                    (n.as_str().replace(',', ".").parse().ok()?, u.as_str())
                }
                (_, _, Some(word), _) => (number_word(word.as_str())?, "places"),
                (_, _, _, Some(storeys)) => (storeys.as_str().parse().ok()?, "R+"),
                _ => return None,
            };
            let unit = match unit {
                "R+" => Unit::Storeys,
                "%" => Unit::Percent,
                u if u.starts_with("pour") => Unit::Percent,
                u if u.starts_with("place") => Unit::Places,
                _ => Unit::Metre,
            };
            Some(Quantity {
                value,
                unit,
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

fn number_word(w: &str) -> Option<f64> {
    Some(match w {
        "un" | "une" => 1.0,
        "deux" => 2.0,
        "trois" => 3.0,
        "quatre" => 4.0,
        "cinq" => 5.0,
        _ => return None,
    })
}
