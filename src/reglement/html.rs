//! The content of a regulation section: a small tree of HTML elements, rendered back as sanitised
//! HTML (safe by construction: only the tags the CNIG SRU standard allows, every text escaped,
//! links only to `http(s)`) and as plain text for reading and for rule extraction.

use serde::Serialize;

/// An element of a section's content, as the SRU standard describes it (`tag`, `attrs`, `text`,
/// `children`), whichever form (JSON or XHTML) it was read from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HtmlNode {
    /// Lower-case tag name (`p`, `h3`, `li`…); empty for a bare text node.
    pub tag: String,
    /// The link target of an `a` element.
    pub href: Option<String>,
    /// Text before the children.
    pub text: String,
    /// Nested elements.
    pub children: Vec<HtmlNode>,
}

/// Tags kept in the sanitised HTML (the SRU standard's list, plus `b`/`i`/`u`/`th` that XHTML
/// exports use); others are dropped but their text is kept.
const KEPT: [&str; 22] = [
    "p", "div", "span", "ul", "ol", "li", "em", "strong", "b", "i", "u", "table", "tr", "td", "th",
    "a", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// Tags that end a line in plain text.
const BLOCKS: [&str; 13] = [
    "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "ul",
];

impl HtmlNode {
    /// A text node.
    pub fn text(text: impl Into<String>) -> HtmlNode {
        HtmlNode {
            text: text.into(),
            ..HtmlNode::default()
        }
    }
}

/// Sanitised HTML of `nodes`.
///
/// ```
/// use urbaclic::reglement::html::{sanitised_html, HtmlNode};
/// let p = HtmlNode { tag: "p".into(), text: "R < 2 & <b>".into(), ..Default::default() };
/// let script = HtmlNode { tag: "script".into(), text: "alert(1)".into(), ..Default::default() };
/// let a = HtmlNode { tag: "a".into(), href: Some("javascript:x".into()), text: "lien".into(), ..Default::default() };
/// assert_eq!(sanitised_html(&[p, script, a]), "<p>R &lt; 2 &amp; &lt;b&gt;</p><a>lien</a>");
/// ```
pub fn sanitised_html(nodes: &[HtmlNode]) -> String {
    let mut out = String::new();
    for n in nodes {
        write_html(n, &mut out);
    }
    out
}

fn write_html(n: &HtmlNode, out: &mut String) {
    let tag = n.tag.as_str();
    // Scripts and styles are not content; images are not shipped with the deliveries.
    if matches!(tag, "img" | "script" | "style") {
        return;
    }
    let kept = KEPT.contains(&tag);
    if tag == "br" {
        out.push_str("<br>");
    } else if kept {
        out.push('<');
        out.push_str(tag);
        if let Some(href) = n.href.as_deref().filter(|h| is_web_link(h)) {
            out.push_str(" href=\"");
            escape_into(href, out);
            out.push_str("\" rel=\"noopener noreferrer\"");
        }
        out.push('>');
    }
    escape_into(&n.text, out);
    for c in &n.children {
        write_html(c, out);
    }
    if kept {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

fn is_web_link(href: &str) -> bool {
    let h = href.trim_start().to_ascii_lowercase();
    h.starts_with("https://") || h.starts_with("http://")
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Plain text of `nodes`: one line per block element, whitespace collapsed.
///
/// ```
/// use urbaclic::reglement::html::{plain_text, HtmlNode};
/// let strong = HtmlNode { tag: "strong".into(), text: "Hauteur".into(), ..Default::default() };
/// let p1 = HtmlNode { tag: "p".into(), children: vec![strong], ..Default::default() };
/// let p2 = HtmlNode { tag: "p".into(), text: "  La hauteur est\n limitée à 9 m :\n- au faîtage ".into(), ..Default::default() };
/// assert_eq!(plain_text(&[p1, p2]), "Hauteur\nLa hauteur est limitée à 9 m :\n- au faîtage");
/// ```
pub fn plain_text(nodes: &[HtmlNode]) -> String {
    let mut raw = String::new();
    for n in nodes {
        write_text(n, &mut raw);
    }
    raw.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Line breaks inside a text are the source file's layout, except before a dash or a bullet,
/// where producers write lists as lines (« implantées :\n- soit à l'alignement, »).
fn push_text(text: &str, out: &mut String) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            let item = line.trim_start().starts_with(['-', '•', '–', '*']);
            out.push(if item { '\n' } else { ' ' });
        }
        out.push_str(line.trim_end_matches('\r'));
    }
}

fn write_text(n: &HtmlNode, out: &mut String) {
    if matches!(n.tag.as_str(), "img" | "script" | "style") {
        return;
    }
    let block = BLOCKS.contains(&n.tag.as_str());
    if block {
        out.push('\n');
    }
    push_text(&n.text, out);
    for c in &n.children {
        // Inline children continue their parent's line; text nodes carry their own spacing.
        write_text(c, out);
    }
    if block {
        out.push('\n');
    }
}
