//! A section's text cut into sentences, each with what it continues: the lead-in it completes
//! (« La hauteur maximale est fixée à : » before a list) and the heading it stands under.

/// A sentence of a regulation, with its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The sentence as written.
    pub text: &'a str,
    /// The line ending in `:` this sentence completes, if any.
    pub lead: Option<&'a str>,
    /// The heading it stands under (a short line without final punctuation), else the
    /// section's title.
    pub topic: &'a str,
    /// When that heading only qualifies the one before (« Pour les constructions
    /// existantes »): the one before.
    pub within: Option<&'a str>,
}

#[derive(Clone, Copy)]
struct Topic<'a> {
    heading: &'a str,
    within: Option<&'a str>,
}

/// Headings that narrow the subject of the heading before them.
const QUALIFIERS: [&str; 5] = ["pour ", "en ", "dans ", "sur ", "à "];

fn is_qualifier(heading: &str) -> bool {
    let lower = heading.to_lowercase();
    QUALIFIERS.iter().any(|q| lower.starts_with(q))
}

/// Longest line taken as a heading.
const HEADING_MAX_CHARS: usize = 80;

/// Cuts `text` (one paragraph per line) into sentences.
///
/// ```
/// use urbaclic::rules::key_rules::sentences::sentences;
/// let text = "Hauteur\nLa hauteur est mesurée au faîtage. Elle est limitée à :\n9 m pour les habitations ;\nLes annexes sont libres.";
/// let s = sentences(text, "Titre");
/// assert_eq!(s.len(), 4);
/// assert_eq!((s[0].text, s[0].topic, s[0].lead), ("La hauteur est mesurée au faîtage.", "Hauteur", None));
/// assert_eq!(s[2].text, "9 m pour les habitations ;");
/// assert_eq!(s[2].lead, Some("Elle est limitée à :"));
/// assert_eq!(s[3].lead, None);
/// ```
pub fn sentences<'a>(text: &'a str, title: &'a str) -> Vec<Sentence<'a>> {
    let mut out = Vec::new();
    let mut topic = Topic {
        heading: title,
        within: None,
    };
    let mut lead: Option<&'a str> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if is_heading(line) {
            // « Pour les maisons existantes » under « Les clôtures » narrows it, not replaces it;
            // so does « Pour les autres constructions » after it.
            let subject = if is_qualifier(topic.heading) {
                topic.within.unwrap_or(topic.heading)
            } else {
                topic.heading
            };
            topic = Topic {
                within: is_qualifier(line).then_some(subject),
                heading: line,
            };
            lead = None;
            continue;
        }
        // A list item continues the lead-in; a new capitalised sentence ends the list.
        if !continues_list(line) {
            lead = None;
        }
        let parts = split_sentences(line);
        for part in &parts {
            out.push(Sentence {
                text: part,
                lead,
                topic: topic.heading,
                within: topic.within,
            });
        }
        if let Some(last) = parts.last().filter(|p| p.ends_with(':')) {
            lead = Some(last);
        }
    }
    out
}

fn is_heading(line: &str) -> bool {
    line.chars().count() <= HEADING_MAX_CHARS
        && !line.ends_with(['.', ':', ';', ','])
        && !line.chars().any(|c| c.is_ascii_digit())
}

fn continues_list(line: &str) -> bool {
    line.chars()
        .next()
        .is_some_and(|c| !c.is_uppercase() || matches!(c, '-' | '•' | '–'))
}

/// Words whose final `.` does not end a sentence.
const ABBREVIATIONS: [&str; 6] = ["art", "cf", "ex", "al", "mini", "maxi"];

/// Sentences end at `.`, `!` or `?` followed by a space and a capital letter (not at `art. L151`, an
/// abbreviation, nor in `3.5`).
fn split_sentences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for w in 0..chars.len() {
        let (at, c) = chars[w];
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next_is_space = chars.get(w + 1).is_some_and(|(_, n)| n.is_whitespace());
        let then_capital = chars.get(w + 2).is_some_and(|(_, n)| n.is_uppercase());
        let abbreviation = line[start..at]
            .rsplit(' ')
            .next()
            .is_some_and(|word| ABBREVIATIONS.contains(&word.to_lowercase().as_str()));
        if next_is_space && then_capital && !abbreviation {
            out.push(line[start..=at].trim());
            start = at + 1;
        }
    }
    let rest = line[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}
