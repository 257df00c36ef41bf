//! The certificate as an A4 PDF, written by krilla (why krilla: see the module doc of
//! [`crate::cua`]).
//!
//! Two passes: the blocks are laid out into pages of drawing operations (lines broken to the
//! width with the font's own advances, a heading never left alone at the foot of a page), then
//! each page is drawn with its running header and its footer "page n / N", the total being
//! known only once everything is laid out.

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::content::{Block, Certificate, Field, TITLE};
use super::qr::{Qr, QUIET_ZONE};
use super::CuaError;

const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// 18 mm side margins, room for the running header and the footer.
const LEFT: f32 = 51.0;
const RIGHT: f32 = PAGE_W - 51.0;
const TOP: f32 = 66.0;
const BOTTOM: f32 = PAGE_H - 62.0;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
/// Width of the label column of label–value rows.
const LABEL_W: f32 = 128.0;
/// Indent of an entry's details and of list items.
const INDENT: f32 = 11.0;
/// Side of the printed QR code (30 mm).
const QR_SIDE: f32 = 85.0;

type Colour = (u8, u8, u8);
const INK: Colour = (26, 26, 26);
const GREY: Colour = (74, 83, 97);
const NAVY: Colour = (31, 58, 95);
const RED: Colour = (176, 0, 32);
const WHITE: Colour = (255, 255, 255);
const NOTE_BG: Colour = (243, 244, 246);
const NOTICE_BG: Colour = (255, 245, 246);
const RULE: Colour = (197, 205, 216);

/// A face: the font krilla embeds, and its advances to measure text with.
struct Face {
    font: Font,
    metrics: GlyphMetrics<'static>,
    charmap: skrifa::charmap::Charmap<'static>,
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Face, CuaError> {
        let bad = || CuaError::Render("police intégrée illisible".into());
        let font = Font::new(data.into(), 0).ok_or_else(bad)?;
        let reader = FontRef::new(data).map_err(|_| bad())?;
        Ok(Face {
            font,
            metrics: reader.glyph_metrics(Size::new(1.0), LocationRef::default()),
            charmap: reader.charmap(),
        })
    }

    /// Width of `text` at `size` points (advances, without kerning: a little generous).
    fn width(&self, text: &str, size: f32) -> f32 {
        let em: f32 = text
            .chars()
            .map(|c| {
                self.charmap
                    .map(c)
                    .and_then(|g| self.metrics.advance_width(g))
                    .unwrap_or(0.6)
            })
            .sum();
        em * size
    }
}

struct Faces {
    regular: Face,
    bold: Face,
}

/// One drawing operation, in page coordinates (points, origin top left, y down).
enum Op {
    /// Text on a baseline.
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        colour: Colour,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Colour,
    },
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        url: String,
    },
}

/// A run of text style.
#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
    colour: Colour,
}

impl Style {
    const BODY: Style = Style {
        bold: false,
        size: BODY,
        colour: INK,
    };

    fn leading(self) -> f32 {
        self.size * 1.42
    }
}

/// The pages being laid out, and where the next line goes.
struct Layout<'f> {
    faces: &'f Faces,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(faces: &'f Faces) -> Layout<'f> {
        Layout {
            faces,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn face(&self, bold: bool) -> &'f Face {
        if bold {
            &self.faces.bold
        } else {
            &self.faces.regular
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn gap(&mut self, h: f32) {
        if self.y > TOP {
            self.y += h;
        }
    }

    /// `text` broken into lines of at most `width` points: at spaces, and inside a word (a
    /// file path, a URL) only when it is longer than a line.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style.bold);
        let space = face.width(" ", style.size);
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in text.split([' ', '\n', '\t']).filter(|w| !w.is_empty()) {
            let w = face.width(word, style.size);
            if !line.is_empty() && line_w + space + w <= width {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= width {
                line = word.to_string();
                line_w = w;
                continue;
            }
            // A word longer than the line: cut it where it overflows.
            line_w = 0.0;
            for c in word.chars() {
                let cw = face.width(c.encode_utf8(&mut [0; 4]), style.size);
                if line_w + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A paragraph from `x` to the right margin; each line may carry a background (notes)
    /// and a left bar, drawn line by line so that a page break splits the box cleanly.
    fn paragraph(&mut self, text: &str, style: Style, x: f32, boxed: Option<(Colour, Colour)>) {
        let pad = if boxed.is_some() { 6.0 } else { 0.0 };
        let lines = self.wrap(text, style, RIGHT - x - 2.0 * pad);
        let lead = style.leading();
        let count = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            // The first line carries the box's top padding, the last its bottom one.
            let top = if i == 0 { pad * 0.6 } else { 0.0 };
            let bottom = if i + 1 == count { pad * 0.6 } else { 0.0 };
            self.ensure(lead + top + bottom);
            if let Some((bg, bar)) = boxed {
                self.push(Op::Rect {
                    x,
                    y: self.y,
                    w: RIGHT - x,
                    h: lead + top + bottom,
                    colour: bg,
                });
                self.push(Op::Rect {
                    x,
                    y: self.y,
                    w: 2.5,
                    h: lead + top + bottom,
                    colour: bar,
                });
            }
            self.y += top;
            self.text(x + pad, line, style);
            self.y += lead + bottom;
        }
    }

    /// One line of text whose top is at the current position.
    fn text(&mut self, x: f32, text: String, style: Style) {
        let baseline = self.y + style.size * 1.05;
        self.push(Op::Text {
            x,
            y: baseline,
            bold: style.bold,
            size: style.size,
            colour: style.colour,
            text,
        });
    }

    fn section_heading(&mut self, title: &str) {
        let h = 17.0;
        // Keep the heading with the first lines under it.
        self.gap(8.0);
        self.ensure(h + 40.0);
        self.push(Op::Rect {
            x: LEFT,
            y: self.y,
            w: RIGHT - LEFT,
            h,
            colour: NAVY,
        });
        self.y += 3.0;
        self.text(
            LEFT + 6.0,
            title.to_string(),
            Style {
                bold: true,
                size: 10.5,
                colour: WHITE,
            },
        );
        self.y += h - 3.0 + 5.0;
    }

    fn block(&mut self, b: &Block, x: f32) {
        match b {
            Block::Text(t) => {
                self.paragraph(t, Style::BODY, x, None);
                self.y += 3.0;
            }
            Block::Note(t) => {
                let style = Style {
                    colour: GREY,
                    ..Style::BODY
                };
                self.paragraph(t, style, x, Some((NOTE_BG, GREY)));
                self.y += 4.0;
            }
            Block::Fields(rows) => {
                for f in rows {
                    self.field(f, x);
                }
                self.y += 3.0;
            }
            Block::Entry { title, blocks } => {
                let style = Style {
                    bold: true,
                    size: 9.5,
                    colour: NAVY,
                };
                self.ensure(style.leading() + 30.0);
                let start_page = self.pages.len();
                let start = self.y;
                self.paragraph(title, style, x + 6.0, None);
                self.y += 1.5;
                for b in blocks {
                    self.block(b, x + INDENT);
                }
                // The entry's left rule, on the part of it on the page it started on.
                let end = if self.pages.len() == start_page {
                    self.y
                } else {
                    BOTTOM
                };
                if let Some(page) = self.pages.get_mut(start_page - 1) {
                    page.push(Op::Rect {
                        x,
                        y: start,
                        w: 1.5,
                        h: (end - start - 3.0).max(0.0),
                        colour: RULE,
                    });
                }
                self.y += 2.0;
            }
            Block::Quote { text, from } => {
                let style = Style {
                    colour: (51, 51, 51),
                    ..Style::BODY
                };
                self.paragraph(&format!("« {text} »"), style, x, Some((WHITE, NAVY)));
                if let Some(f) = from {
                    let small = Style {
                        size: SMALL,
                        colour: GREY,
                        bold: false,
                    };
                    self.paragraph(f, small, x + 6.0, None);
                }
                self.y += 3.0;
            }
            Block::List(items) => {
                for item in items {
                    let lead = Style::BODY.leading();
                    self.ensure(lead);
                    self.text(x + 2.0, "•".into(), Style::BODY);
                    self.paragraph(item, Style::BODY, x + INDENT, None);
                    self.y += 1.0;
                }
                self.y += 2.0;
            }
        }
    }

    /// A label–value row: the label in its column, the value wrapped beside it (a link when it
    /// has one).
    fn field(&mut self, f: &Field, x: f32) {
        let label_style = Style {
            colour: GREY,
            ..Style::BODY
        };
        let value_style = Style {
            colour: if f.url.is_some() { NAVY } else { INK },
            ..Style::BODY
        };
        let label_w = LABEL_W - (x - LEFT).min(40.0);
        let vx = x + label_w;
        let labels = self.wrap(&f.label, label_style, label_w - 6.0);
        let values = self.wrap(&f.value, value_style, RIGHT - vx);
        let lead = Style::BODY.leading();
        let rows = labels.len().max(values.len()).max(1);
        // Rows are short: one is never split across pages.
        self.ensure(lead * rows as f32 + 1.5);
        let top = self.y;
        for (i, l) in labels.into_iter().enumerate() {
            self.y = top + lead * i as f32;
            self.text(x, l, label_style);
        }
        for (i, v) in values.into_iter().enumerate() {
            self.y = top + lead * i as f32;
            if let Some(url) = &f.url {
                let w = self.face(false).width(&v, BODY);
                self.push(Op::Link {
                    x: vx,
                    y: self.y,
                    w,
                    h: lead,
                    url: url.clone(),
                });
            }
            self.text(vx, v, value_style);
        }
        self.y = top + lead * rows as f32 + 1.5;
    }

    /// The QR code with the generation note beside it.
    fn permalink(&mut self, c: &Certificate) {
        self.gap(4.0);
        self.ensure(QR_SIDE + 6.0);
        let top = self.y;
        if let Some(qr) = &c.qr {
            self.qr(qr, LEFT, top);
        }
        let x = LEFT + QR_SIDE + 12.0;
        let style = Style {
            colour: GREY,
            size: 8.0,
            bold: false,
        };
        let text = format!(
            "Projet généré le {} par urbaclic, à partir des données chargées à cette date. \
             La réponse à jour est en ligne à l'adresse suivante (code QR ci-contre) :",
            c.generated
        );
        self.y = top + 6.0;
        self.paragraph(&text, style, x, None);
        let link = Field {
            label: String::new(),
            value: c.permalink.clone(),
            url: super::content::link_target(&c.permalink),
        };
        let url_style = Style {
            colour: NAVY,
            ..style
        };
        for line in self.wrap(&link.value, url_style, RIGHT - x) {
            if let Some(url) = &link.url {
                let w = self.face(false).width(&line, url_style.size);
                self.push(Op::Link {
                    x,
                    y: self.y,
                    w,
                    h: url_style.leading(),
                    url: url.clone(),
                });
            }
            self.text(x, line, url_style);
            self.y += url_style.leading();
        }
        self.y = self.y.max(top + QR_SIDE + 4.0);
    }

    fn qr(&mut self, qr: &Qr, x: f32, y: f32) {
        let module = QR_SIDE / qr.outer_width() as f32;
        let origin = QUIET_ZONE as f32 * module;
        for &(cx, cy, len) in qr.runs() {
            self.push(Op::Rect {
                x: x + origin + cx as f32 * module,
                y: y + origin + cy as f32 * module,
                // A hair wider, so that adjacent rows leave no white seam when printed.
                w: len as f32 * module + 0.05,
                h: module + 0.05,
                colour: INK,
            });
        }
    }
}

/// The certificate as PDF bytes.
pub fn render(c: &Certificate) -> Result<Vec<u8>, CuaError> {
    let faces = Faces {
        regular: Face::new(REGULAR)?,
        bold: Face::new(BOLD)?,
    };
    let mut layout = Layout::new(&faces);
    // Page one: the heading and the notice.
    layout.paragraph(
        &c.title,
        Style {
            bold: true,
            size: 14.0,
            colour: INK,
        },
        LEFT,
        None,
    );
    layout.y += 2.0;
    layout.paragraph(
        &c.reference,
        Style {
            bold: true,
            size: 11.5,
            colour: NAVY,
        },
        LEFT,
        None,
    );
    layout.y += 5.0;
    layout.paragraph(&c.notice, Style::BODY, LEFT, Some((NOTICE_BG, RED)));
    layout.y += 4.0;
    for s in &c.sections {
        layout.section_heading(&format!("{}. {}", s.number, s.title));
        for b in &s.blocks {
            layout.block(b, LEFT);
        }
        if s.number == 8 {
            layout.permalink(c);
        }
    }
    write(c, &faces, layout.pages)
}

/// Draws the laid-out pages, each with its header and footer.
fn write(c: &Certificate, faces: &Faces, pages: Vec<Vec<Op>>) -> Result<Vec<u8>, CuaError> {
    let mut doc = Document::new();
    doc.set_metadata(metadata(c));
    let total = pages.len();
    let size = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| CuaError::Render("format de page".into()))?;
    for (n, mut ops) in pages.into_iter().enumerate() {
        running_marks(&mut ops, c, faces, n + 1, total);
        let mut page = doc.start_page_with(size.clone());
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Link { x, y, w, h, url } => links.push((x, y, w, h, url)),
                    other => draw(&mut surface, faces, other),
                }
            }
            surface.finish();
        }
        for (x, y, w, h, url) in links {
            if let Some(rect) = Rect::from_xywh(x, y, w.max(1.0), h) {
                let target = Target::Action(Action::Link(LinkAction::new(url)));
                page.add_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, target),
                    None,
                ));
            }
        }
        page.finish();
    }
    doc.finish()
        .map_err(|e| CuaError::Render(format!("écriture PDF : {e:?}")))
}

/// The draft mark and place on top of every page, the page number at the foot.
fn running_marks(ops: &mut Vec<Op>, c: &Certificate, faces: &Faces, n: usize, total: usize) {
    let small = |colour| Style {
        bold: false,
        size: SMALL,
        colour,
    };
    ops.push(Op::Text {
        x: LEFT,
        y: 34.0,
        bold: true,
        size: SMALL,
        colour: RED,
        text: TITLE.to_string(),
    });
    ops.push(Op::Rect {
        x: LEFT,
        y: 39.0,
        w: RIGHT - LEFT,
        h: 0.8,
        colour: RED,
    });
    ops.push(Op::Rect {
        x: LEFT,
        y: PAGE_H - 44.0,
        w: RIGHT - LEFT,
        h: 0.5,
        colour: RULE,
    });
    let footer = format!("PROJET — non opposable · {}", c.reference);
    let style = small(GREY);
    let number = format!("page {n} / {total}");
    let number_w = faces.regular.width(&number, SMALL);
    // A long list of parcels is cut short rather than run into the page number.
    let mut left = footer;
    while faces.regular.width(&left, SMALL) > RIGHT - LEFT - number_w - 20.0 && left.len() > 10 {
        left.pop();
        while !left.is_char_boundary(left.len()) {
            left.pop();
        }
    }
    ops.push(Op::Text {
        x: LEFT,
        y: PAGE_H - 33.0,
        bold: false,
        size: SMALL,
        colour: style.colour,
        text: left,
    });
    ops.push(Op::Text {
        x: RIGHT - number_w,
        y: PAGE_H - 33.0,
        bold: false,
        size: SMALL,
        colour: style.colour,
        text: number,
    });
}

fn draw(surface: &mut Surface<'_>, faces: &Faces, op: Op) {
    let fill = |(r, g, b): Colour| Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    };
    match op {
        Op::Text {
            x,
            y,
            bold,
            size,
            colour,
            text,
        } => {
            surface.set_fill(Some(fill(colour)));
            let face = if bold { &faces.bold } else { &faces.regular };
            surface.draw_text(
                Point::from_xy(x, y),
                face.font.clone(),
                size,
                &text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, colour } => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(Some(fill(colour)));
                surface.draw_path(&path);
            }
        }
        Op::Link { .. } => {}
    }
}

fn metadata(c: &Certificate) -> Metadata {
    let mut m = Metadata::new()
        .title(format!("{} — {}", c.title, c.reference))
        .language("fr".into())
        .creator(format!("urbaclic {}", env!("CARGO_PKG_VERSION")));
    let t = c.generated_at;
    if let Ok(year) = u16::try_from(t.year()) {
        let date = DateTime::new(year)
            .month(u8::from(t.month()))
            .day(t.day())
            .hour(t.hour())
            .minute(t.minute())
            .second(t.second())
            .utc_offset_hour(0);
        m = m.creation_date(date);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_character_french_text_needs() {
        let face = Face::new(REGULAR).unwrap();
        for c in "éèêëàâçôûùîïœæÉÈÀÇŒ«»’—–…²≥≤€\u{202f}".chars()
        {
            assert!(face.charmap.map(c).is_some(), "no glyph for {c:?}");
        }
    }

    #[test]
    fn lines_break_within_the_width() {
        let faces = Faces {
            regular: Face::new(REGULAR).unwrap(),
            bold: Face::new(BOLD).unwrap(),
        };
        let layout = Layout::new(&faces);
        let text = "L'emprise au sol des constructions ne peut excéder 40 % de la superficie du \
                    terrain, https://example.fr/un/chemin/tres/long/sans/espace/qui/deborde/de/la/ligne/a/coup/sur";
        let lines = layout.wrap(text, Style::BODY, 150.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(faces.regular.width(l, BODY) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" ").replace(' ', ""), text.replace(' ', ""));
    }
}
