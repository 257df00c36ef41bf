//! The word vocabulary of the index: every normalised word of every name, with its postings
//! (which places hold it), its weight, and the structures for prefix (sorted list) and typo
//! (symmetric one-deletion table, first-letter scan for two edits) lookups.

use std::collections::HashMap;

use super::normalize::{is_stopword, is_street_type};

/// Words of every name, with postings and the structures for prefix and typo lookups.
#[derive(Debug, Default)]
pub(crate) struct Vocab {
    pub ids: HashMap<String, u32>,
    pub words: Vec<String>,
    /// Word ids sorted by text, for prefix ranges.
    pub sorted: Vec<u32>,
    /// One-deletion variants of words of 4+ letters → word ids (symmetric-delete typo lookup).
    pub deletes: HashMap<String, Vec<u32>>,
    /// Word id → places whose name holds it.
    pub postings: Vec<Vec<u32>>,
    /// Word id → weight in scores (articles and street types weigh less).
    pub weight: Vec<f32>,
}

/// Weight of a street-type word ("rue", "passage") in coverage scores.
pub(crate) const STREET_TYPE_WEIGHT: f32 = 0.5;

/// Weight of a normalised word in coverage scores.
pub(crate) fn word_weight(w: &str) -> f32 {
    if is_stopword(w) {
        0.2
    } else if is_street_type(w) {
        STREET_TYPE_WEIGHT
    } else {
        1.0
    }
}

impl Vocab {
    pub(crate) fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(w.to_string(), id);
        self.words.push(w.to_string());
        self.postings.push(Vec::new());
        self.weight.push(word_weight(w));
        id
    }

    pub(crate) fn finish(&mut self) {
        let mut sorted: Vec<u32> = (0..self.words.len() as u32).collect();
        sorted.sort_by(|&a, &b| self.words[a as usize].cmp(&self.words[b as usize]));
        self.sorted = sorted;
        for (id, w) in self.words.iter().enumerate() {
            if w.len() >= 4 {
                for d in deletions(w) {
                    self.deletes.entry(d).or_default().push(id as u32);
                }
            }
        }
        for p in &mut self.postings {
            p.sort_unstable();
            p.dedup();
            p.shrink_to_fit();
        }
    }

    pub fn exact(&self, w: &str) -> Option<u32> {
        self.ids.get(w).copied()
    }

    /// Word ids starting with `prefix` (in text order), at most `cap`.
    pub fn prefixed(&self, prefix: &str, cap: usize) -> Vec<u32> {
        let start = self
            .sorted
            .partition_point(|&id| self.words[id as usize].as_str() < prefix);
        self.sorted[start..]
            .iter()
            .take_while(|&&id| self.words[id as usize].starts_with(prefix))
            .take(cap)
            .copied()
            .collect()
    }

    /// Word ids within one edit (insertion, deletion, substitution or transposition) of `w`.
    pub fn fuzzy(&self, w: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut consider = |ids: &[u32]| {
            for &id in ids {
                if !out.contains(&id) && strsim::osa_distance(&self.words[id as usize], w) == 1 {
                    out.push(id);
                }
            }
        };
        // w lacks a letter: w is a deletion of a vocabulary word.
        if let Some(ids) = self.deletes.get(w) {
            consider(ids);
        }
        for d in deletions(w) {
            // w has an extra letter.
            if let Some(&id) = self.ids.get(&d) {
                consider(&[id]);
            }
            // Substitution or transposition: both lose a letter to the same string.
            if let Some(ids) = self.deletes.get(&d) {
                consider(ids);
            }
        }
        out
    }
}

impl Vocab {
    /// Words of 8+ letters within two edits of `w` that share its first letter; a linear
    /// scan of that letter's words, for the rare long word typed with two typos.
    pub fn fuzzy2(&self, w: &str) -> Vec<u32> {
        let Some(first) = w.get(..1) else {
            return Vec::new();
        };
        let start = self
            .sorted
            .partition_point(|&id| self.words[id as usize].as_str() < first);
        self.sorted[start..]
            .iter()
            .take_while(|&&id| self.words[id as usize].starts_with(first))
            .filter(|&&id| {
                let v = &self.words[id as usize];
                v.len() >= 8 && v.len().abs_diff(w.len()) <= 2 && strsim::osa_distance(v, w) <= 2
            })
            .copied()
            .collect()
    }
}

/// All strings obtained by deleting one character (ASCII input).
fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    (0..w.len())
        .filter(|&i| w.is_char_boundary(i) && w.is_char_boundary(i + 1))
        .map(move |i| {
            let mut s = String::with_capacity(w.len() - 1);
            s.push_str(&w[..i]);
            s.push_str(&w[i + 1..]);
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_prefix_and_fuzzy() {
        let mut v = Vocab::default();
        for w in ["ordener", "orsel", "marcadet", "rue", "or"] {
            v.intern(w);
        }
        v.finish();
        let words = |ids: Vec<u32>| -> Vec<String> {
            let mut w: Vec<String> = ids.iter().map(|&i| v.words[i as usize].clone()).collect();
            w.sort();
            w
        };
        assert_eq!(words(v.prefixed("or", 10)), ["or", "ordener", "orsel"]);
        assert_eq!(words(v.fuzzy("ordenr")), ["ordener"]);
        assert_eq!(words(v.fuzzy("orddener")), ["ordener"]);
        assert_eq!(words(v.fuzzy("odrener")), ["ordener"]);
        assert_eq!(words(v.fuzzy("ordemer")), ["ordener"]);
        assert!(v.fuzzy("xxxxxxx").is_empty());
        assert_eq!(words(v.fuzzy2("marcadot")), ["marcadet"]);
        assert_eq!(words(v.fuzzy2("mrcadeet")), ["marcadet"]);
        assert!(v.fuzzy2("narcadet").is_empty(), "first letter kept");
    }
}
