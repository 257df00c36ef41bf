//! The certificate as one print-ready HTML page (French, A4 print style, no script, no external
//! resource): every text escaped, links only to web addresses and the service's own paths, the
//! QR code inline as SVG.

use std::fmt::Write;

use super::content::{link_target, Block, Certificate, Field};
use super::qr::{Qr, QUIET_ZONE};

/// Screen and print style: an administrative document, black on white; printed on A4 with the
/// draft mark and "page n / N" in the margin of every page.
const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #e9ecef; color: #1a1a1a; font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 210mm; margin: 12px auto; padding: 16mm 17mm 14mm; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
.mark { margin: 0 0 6mm; padding: 1.5mm 0; border-top: 2px solid #b00020; border-bottom: 1px solid #b00020; color: #b00020; font-weight: bold; font-size: 8.5pt; letter-spacing: .04em; text-align: center; text-transform: uppercase; }
h1 { margin: 0 0 2mm; font-size: 15pt; line-height: 1.25; }
.reference { margin: 0 0 4mm; font-size: 12pt; font-weight: bold; }
.notice { margin: 0 0 6mm; padding: 3mm 4mm; border: 1px solid #b00020; border-left-width: 4px; background: #fff5f6; font-size: 9.5pt; }
section { margin: 0 0 5mm; }
h2 { margin: 0 0 2.5mm; padding: 1.2mm 2.5mm; background: #1f3a5f; color: #fff; font-size: 11pt; break-after: avoid; }
h3 { margin: 3mm 0 1.5mm; font-size: 10.5pt; break-after: avoid; }
.entry { margin: 0 0 3mm; padding-left: 3mm; border-left: 2px solid #c5cdd8; break-inside: avoid; }
.entry .entry { border-left-color: #e0e4ea; }
p { margin: 0 0 2mm; }
.note { padding: 1.5mm 3mm; background: #f3f4f6; border-left: 3px solid #8a94a3; font-style: italic; }
table.fields { border-collapse: collapse; width: 100%; margin: 0 0 2mm; }
table.fields th { width: 32%; padding: .6mm 3mm .6mm 0; text-align: left; vertical-align: top; font-weight: normal; color: #4a5361; }
table.fields td { padding: .6mm 0; vertical-align: top; overflow-wrap: anywhere; }
blockquote { margin: 0 0 2mm; padding: 1mm 3mm; border-left: 3px solid #1f3a5f; color: #333; font-style: italic; }
blockquote footer { font-style: normal; font-size: 8.5pt; color: #4a5361; }
ul { margin: 0 0 2mm; padding-left: 5mm; }
li { margin: 0 0 .8mm; overflow-wrap: anywhere; }
a { color: #1f3a5f; }
.permalink { display: flex; gap: 6mm; align-items: flex-start; margin-top: 3mm; }
.permalink svg { flex: none; width: 30mm; height: 30mm; }
.generated { font-size: 9pt; color: #4a5361; }
@page {
  size: A4; margin: 14mm 15mm 16mm;
  @bottom-left { content: "PROJET — document non opposable"; font: bold 7.5pt "DejaVu Sans", sans-serif; color: #b00020; }
  @bottom-right { content: "page " counter(page) " / " counter(pages); font: 7.5pt "DejaVu Sans", sans-serif; color: #4a5361; }
}
@media print {
  body { background: #fff; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole page.
pub fn render(c: &Certificate) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<main class=\"cua\">\n",
        escape(&c.reference),
        escape(&c.title)
    );
    let _ = writeln!(s, "<p class=\"mark\">Projet — document non opposable</p>");
    let _ = writeln!(s, "<h1>{}</h1>", escape(&c.title));
    let _ = writeln!(
        s,
        "<p class=\"reference\" data-testid=\"reference\">{}</p>",
        escape(&c.reference)
    );
    let _ = writeln!(
        s,
        "<div class=\"notice\" role=\"note\">{}</div>",
        escape(&c.notice)
    );
    for section in &c.sections {
        let _ = writeln!(
            s,
            "<section id=\"section-{n}\" data-section=\"{n}\">\n<h2>{n}. {}</h2>",
            escape(&section.title),
            n = section.number
        );
        for b in &section.blocks {
            block(&mut s, b);
        }
        if section.number == 8 {
            permalink(&mut s, c);
        }
        s.push_str("</section>\n");
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

fn block(s: &mut String, b: &Block) {
    match b {
        Block::Text(t) => {
            let _ = writeln!(s, "<p>{}</p>", escape(t));
        }
        Block::Note(t) => {
            let _ = writeln!(s, "<p class=\"note\">{}</p>", escape(t));
        }
        Block::Fields(rows) => {
            s.push_str("<table class=\"fields\">\n");
            for f in rows {
                let _ = writeln!(
                    s,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    escape(&f.label),
                    value(f)
                );
            }
            s.push_str("</table>\n");
        }
        Block::Entry { title, blocks } => {
            let _ = writeln!(s, "<div class=\"entry\">\n<h3>{}</h3>", escape(title));
            for b in blocks {
                block(s, b);
            }
            s.push_str("</div>\n");
        }
        Block::Quote { text, from } => {
            let _ = write!(s, "<blockquote><p>« {} »</p>", escape(text));
            if let Some(f) = from {
                let _ = write!(s, "<footer>{}</footer>", escape(f));
            }
            s.push_str("</blockquote>\n");
        }
        Block::List(items) => {
            s.push_str("<ul>\n");
            for i in items {
                let _ = writeln!(s, "<li>{}</li>", escape(i));
            }
            s.push_str("</ul>\n");
        }
    }
}

fn value(f: &Field) -> String {
    match &f.url {
        Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(&f.value)),
        None => escape(&f.value),
    }
}

fn permalink(s: &mut String, c: &Certificate) {
    s.push_str("<div class=\"permalink\">\n");
    if let Some(qr) = &c.qr {
        s.push_str(&qr_svg(qr));
    }
    let link = Field {
        label: String::new(),
        value: c.permalink.clone(),
        url: link_target(&c.permalink),
    };
    let _ = writeln!(
        s,
        "<div class=\"generated\"><p>Projet généré le {} par urbaclic, à partir des données \
         chargées à cette date.</p><p>Réponse à jour en ligne (code QR ci-contre) : {}</p></div>",
        escape(&c.generated),
        value(&link)
    );
    s.push_str("</div>\n");
}

/// The QR code as one SVG path of its dark runs, one unit per module, quiet zone included.
fn qr_svg(qr: &Qr) -> String {
    let mut d = String::new();
    for &(x, y, len) in qr.runs() {
        let _ = write!(d, "M{} {}h{len}v1h-{len}z", x + QUIET_ZONE, y + QUIET_ZONE);
    }
    let w = qr.outer_width();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {w}\" role=\"img\" \
         aria-label=\"Code QR du lien vers la réponse en ligne\" shape-rendering=\"crispEdges\">\
         <rect width=\"{w}\" height=\"{w}\" fill=\"#fff\"/><path d=\"{d}\" fill=\"#000\"/></svg>\n"
    )
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cua::content::Section;

    fn certificate(text: &str) -> Certificate {
        Certificate {
            title: "T".into(),
            notice: "N".into(),
            reference: text.into(),
            file_stem: "cua-x".into(),
            sections: vec![Section {
                number: 8,
                title: text.into(),
                blocks: vec![
                    Block::Text(text.into()),
                    Block::Fields(vec![Field {
                        label: text.into(),
                        value: text.into(),
                        url: Some("https://e.fr/?a=1&b=\"2\"".into()),
                    }]),
                    Block::Quote {
                        text: text.into(),
                        from: Some(text.into()),
                    },
                    Block::List(vec![text.into()]),
                ],
            }],
            generated: text.into(),
            generated_at: time::OffsetDateTime::UNIX_EPOCH,
            permalink: "/?parcelle=1".into(),
            qr: Qr::new("/?parcelle=1"),
        }
    }

    #[test]
    fn every_text_is_escaped() {
        let html = render(&certificate("<script>alert('x')</script> & \"y\""));
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;")
        );
        assert!(html.contains("href=\"https://e.fr/?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("<svg"));
    }
}
