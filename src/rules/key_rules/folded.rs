//! Text folded for matching (lower case, no accents, `’` as `'`), that still knows where each of
//! its bytes came from, so that what is matched can be quoted from the original.

/// A folded copy of a text.
#[derive(Debug, Clone)]
pub struct Folded<'a> {
    original: &'a str,
    /// The folded text.
    pub text: String,
    /// For each byte of `text`, the byte offset in `original` of the character it comes from.
    origin: Vec<usize>,
}

impl<'a> Folded<'a> {
    /// Folds `original`.
    ///
    /// ```
    /// use urbaclic::rules::key_rules::folded::Folded;
    /// let f = Folded::new("Hauteur au faîtage : 9 m²");
    /// assert_eq!(f.text, "hauteur au faitage : 9 m2");
    /// let at = f.text.find("faitage").unwrap();
    /// assert_eq!(f.original(at, at + "faitage".len()), "faîtage");
    /// ```
    pub fn new(original: &'a str) -> Folded<'a> {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (at, c) in original.char_indices() {
            let folded = match c {
                '’' | '‘' | '`' => "'".to_string(),
                '\u{a0}' | '\u{202f}' => " ".to_string(),
                c if c.is_ascii() => c.to_ascii_lowercase().to_string(),
                c => deunicode::deunicode_char(c)
                    .unwrap_or(" ")
                    .to_ascii_lowercase(),
            };
            origin.extend(std::iter::repeat_n(at, folded.len()));
            text.push_str(&folded);
        }
        Folded {
            original,
            text,
            origin,
        }
    }

    /// The original text of the folded bytes `start..end`.
    pub fn original(&self, start: usize, end: usize) -> &'a str {
        let from = self
            .origin
            .get(start)
            .copied()
            .unwrap_or(self.original.len());
        let to = match self.origin.get(end) {
            Some(&o) => o,
            None => self.original.len(),
        };
        self.original.get(from..to.max(from)).unwrap_or("")
    }

    /// Whether the folded text contains any of `words`.
    pub fn has_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.text.contains(w))
    }
}
