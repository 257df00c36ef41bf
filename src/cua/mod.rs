//! A draft certificat d'urbanisme d'information (CUa, art. L410-1 a of the code de l'urbanisme,
//! CERFA 13410) for one or several parcels of a commune, or a point: what an instructor starts
//! from, marked everywhere as a draft that binds no one.
//!
//! One way through, like the lookup: the [`LookupAnswer`]s of the place → the [`Certificate`]
//! (`content.rs`: the sections in the CERFA's order, as format-neutral blocks of French text,
//! each saying only what an answer carries, with its source) → HTML (`html.rs`, a print-ready
//! page) or PDF (`pdf.rs`). The API (`GET /api/cua`) and the command line (`urbaclic cua`) call
//! [`certificate`] and [`render`] and nothing else.
//!
//! The PDF is written by [`krilla`] (on typst's `pdf-writer`): the binary writes PDFs itself, with
//! no browser at run time. Of the candidates, krilla is the one that embeds a TrueType font as a
//! *subset* with its Unicode map (a few tens of kB per document, text that `pdftotext` and
//! screen readers read back, accents included) and draws vector paths and link annotations;
//! `printpdf` embeds whole fonts, `genpdf` is unmaintained and draws no filled shapes (the QR
//! code), and bare `pdf-writer` would mean writing font subsetting and CID maps by hand. krilla
//! lays out no paragraphs: `pdf.rs` breaks lines itself, measuring words with `skrifa` (the font
//! reader krilla uses). The font is DejaVu Sans (free licence in `src/cua/fonts/LICENSE`),
//! compiled into the binary.

mod content;
mod error;
mod html;
mod pdf;
mod qr;

pub use content::{Block, Certificate, Field, Section};
pub use error::CuaError;

use std::path::Path;

use crate::dataset::Dataset;
use crate::lookup::{lookup, lookup_parcel, LookupAnswer, Position};
use crate::model::{parcel_commune, parse_parcel_id};

/// Most parcels one certificate covers: a land unit, not a district.
pub const MAX_PARCELS: usize = 10;

/// What a certificate is asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Parcels of one commune, by id, forming one land unit (first one first, no repeats).
    Parcels(Vec<String>),
    /// A point: the certificate covers the parcel under it, or the point when it is on none.
    Point(Position),
}

impl Subject {
    /// Parcels from a comma-separated list of ids (`A,B`): each id well formed, at most
    /// [`MAX_PARCELS`], all in one commune.
    ///
    /// ```
    /// use urbaclic::cua::{Subject, CuaError};
    /// let s = Subject::parcels(" 35238000bw0825, 35238000BW0826,35238000BW0825").unwrap();
    /// assert_eq!(s, Subject::Parcels(vec!["35238000BW0825".into(), "35238000BW0826".into()]));
    /// assert!(matches!(Subject::parcels("35238000BW0825,75118000AI0008"), Err(CuaError::DifferentCommunes(..))));
    /// assert!(matches!(Subject::parcels(" , "), Err(CuaError::NoParcel)));
    /// ```
    pub fn parcels(list: &str) -> Result<Subject, CuaError> {
        let mut ids: Vec<String> = Vec::new();
        for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let id = parse_parcel_id(raw)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.len() > MAX_PARCELS {
            return Err(CuaError::TooManyParcels(ids.len()));
        }
        let first = ids.first().ok_or(CuaError::NoParcel)?;
        let commune = parcel_commune(first);
        if let Some(other) = ids.iter().find(|id| parcel_commune(id) != commune) {
            return Err(CuaError::DifferentCommunes(commune, parcel_commune(other)));
        }
        Ok(Subject::Parcels(ids))
    }
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A print-ready HTML page.
    Html,
    /// A PDF document (A4).
    Pdf,
}

impl Format {
    /// `html` or `pdf` (the `format=` parameter).
    ///
    /// ```
    /// use urbaclic::cua::Format;
    /// assert_eq!(Format::parse("PDF").unwrap(), Format::Pdf);
    /// assert!(Format::parse("docx").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Format, CuaError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            _ => Err(CuaError::Format(name.to_string())),
        }
    }

    /// The format a file name asks for by its extension (`fiche.pdf`, `fiche.html`).
    ///
    /// ```
    /// use urbaclic::cua::Format;
    /// assert_eq!(Format::of_path(std::path::Path::new("out/fiche.HTM")).unwrap(), Format::Html);
    /// assert!(Format::of_path(std::path::Path::new("fiche")).is_err());
    /// ```
    pub fn of_path(path: &Path) -> Result<Format, CuaError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "htm" | "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            _ => Err(CuaError::Format(path.display().to_string())),
        }
    }

    /// The `Content-Type` of the format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// What the document needs beyond the data: where the live answer is served, and when it was
/// generated.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The service's public address (`https://urbaclic.example.fr`, no trailing slash), from
    /// the configuration or the request; `None` when unknown (command line without
    /// `--base-url`): the permalink is then only a path.
    pub base_url: Option<String>,
    /// Generation time.
    pub generated: time::OffsetDateTime,
}

impl Origin {
    /// Generated now, for the service at `base_url`.
    pub fn now(base_url: Option<String>) -> Origin {
        Origin {
            base_url: base_url.map(|u| u.trim_end_matches('/').to_string()),
            generated: time::OffsetDateTime::now_utc(),
        }
    }
}

/// The lookups of `subject` and the certificate written from them.
pub fn certificate(
    data: &Dataset,
    subject: &Subject,
    origin: &Origin,
) -> Result<Certificate, CuaError> {
    let answers: Vec<LookupAnswer> = match subject {
        Subject::Parcels(ids) => ids
            .iter()
            .map(|id| lookup_parcel(data, id))
            .collect::<Result<_, _>>()?,
        Subject::Point(at) => vec![lookup(data, at.lon, at.lat)],
    };
    Ok(Certificate::new(&answers, subject, origin))
}

/// The certificate in `format`.
pub fn render(certificate: &Certificate, format: Format) -> Result<Vec<u8>, CuaError> {
    match format {
        Format::Html => Ok(html::render(certificate).into_bytes()),
        Format::Pdf => pdf::render(certificate),
    }
}
