//! House numbers on a street: finding the one asked with a loosely matched suffix, and placing
//! a number that is not in the data between its neighbours on the same side.

use super::index::{HouseNumber, Pos};
use super::normalize::canonical_rep;

/// Finds the number `n`/`rep` in a sorted number list, matching the suffix loosely: exact,
/// then canonical (`bis` = `b`), then the longest known suffix that starts the asked one
/// (`bz` for `bzz`), then the same first letter; failing that, the bare number for an
/// unknown suffix, or a suffixed number when the bare one is missing.
pub(crate) fn find_number(
    numbers: &[HouseNumber],
    n: u32,
    rep: &str,
) -> Option<(usize, NumberMatch)> {
    let start = numbers.partition_point(|h| h.number < n);
    let same: Vec<usize> = (start..numbers.len())
        .take_while(|&i| numbers[i].number == n)
        .collect();
    let first = *same.first()?;
    let rep_of = |i: usize| &*numbers[i].rep;
    if let Some(&i) = same.iter().find(|&&i| rep_of(i) == rep) {
        return Some((i, NumberMatch::Exact));
    }
    if rep.is_empty() {
        return Some((first, NumberMatch::SuffixedForBare));
    }
    let canonical = same
        .iter()
        .find(|&&i| canonical_rep(rep_of(i)) == canonical_rep(rep));
    if let Some(&i) = canonical {
        return Some((i, NumberMatch::Exact));
    }
    let longest_prefix = same
        .iter()
        .filter(|&&i| !rep_of(i).is_empty() && rep.starts_with(rep_of(i)))
        .max_by_key(|&&i| rep_of(i).len());
    let first_letter = || {
        same.iter()
            .find(|&&i| rep_of(i).chars().next() == rep.chars().next())
    };
    if let Some(&i) = longest_prefix.or_else(first_letter) {
        return Some((i, NumberMatch::Loose));
    }
    let bare = same
        .iter()
        .find(|&&i| rep_of(i).is_empty())
        .unwrap_or(&first);
    Some((*bare, NumberMatch::BareForRep))
}

/// How a number found by [`find_number`] relates to the one asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberMatch {
    /// Same number and suffix (or its usual form: `bis` = `b`).
    Exact,
    /// Same number, a suffix close to the one asked (`bz` for `bzz`, `b` for `bx`).
    Loose,
    /// The suffix asked is unknown: the bare number (or another suffix) is returned.
    BareForRep,
    /// No suffix asked and the bare number is missing: a suffixed one is returned.
    SuffixedForBare,
}

/// How far (in numbers) from an existing neighbour we still place a missing number.
const MAX_NUMBER_GAP: u32 = 30;

/// Position for a number missing from a street: linear interpolation between the nearest
/// existing numbers on the same side (same parity), else the nearest one on that side, else
/// the nearest on any side. `None` when the number is far from everything known.
/// Returns the position and a score factor (lower when less certain).
pub(crate) fn interpolate(numbers: &[HouseNumber], n: u32) -> Option<(Pos, f64)> {
    // Suffixed numbers ("8v", "10v") are often buildings set back from the street (a villa,
    // a courtyard): interpolate between bare numbers when the side has any.
    let bare_on_side = numbers
        .iter()
        .any(|h| h.rep.is_empty() && h.number % 2 == n % 2);
    let usable = |h: &&HouseNumber| h.number % 2 == n % 2 && (h.rep.is_empty() || !bare_on_side);
    // Sorted by (number, rep): the bare number comes first among equal numbers.
    let lo_number = numbers
        .iter()
        .filter(usable)
        .map(|h| h.number)
        .filter(|&m| m < n)
        .max();
    let lo = lo_number.and_then(|m| numbers.iter().filter(usable).find(|h| h.number == m));
    let hi = numbers.iter().filter(usable).find(|h| h.number > n);
    match (lo, hi) {
        (Some(a), Some(b)) => {
            let t = (n - a.number) as f64 / (b.number - a.number) as f64;
            Some((Pos::lerp(a.pos, b.pos, t), 0.92))
        }
        (Some(a), None) if n - a.number <= MAX_NUMBER_GAP => Some((a.pos, 0.88)),
        (None, Some(b)) if b.number - n <= MAX_NUMBER_GAP => Some((b.pos, 0.88)),
        _ => numbers
            .iter()
            .min_by_key(|h| h.number.abs_diff(n))
            .filter(|h| h.number.abs_diff(n) <= MAX_NUMBER_GAP)
            .map(|h| (h.pos, 0.85)),
    }
}
