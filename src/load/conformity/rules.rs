//! The rules, one function each: what the standard requires, and what breaking it does to answers.

use std::collections::HashMap;

use geo::algorithm::sweep::Intersections;
use geo::{Coord, Geometry, LineIntersection, Polygon};

use super::{Issue, Severity};
use crate::load::cnig_layer::{text, Attributes};
use crate::load::normalise::{iso_date, normalise_typedoc, two_digits};
use crate::load::plu::{PluLayer, PluStandard, ReadDelivery};
use crate::nomenclature::nomenclature;

fn issue(
    rule: &'static str,
    severity: Severity,
    file: &str,
    row: Option<usize>,
    message: String,
    effect: &'static str,
) -> Issue {
    Issue {
        rule: rule.into(),
        severity,
        file: file.to_string(),
        row,
        message,
        effect: effect.into(),
    }
}

/// The document type the delivery declares: its folder name's, else its first `DOC_URBA` row's.
fn declared_typedoc(d: &ReadDelivery) -> Option<String> {
    d.named
        .as_ref()
        .and_then(|n| n.typedoc.clone())
        .or_else(|| {
            d.tables
                .iter()
                .filter(|(l, _)| *l == PluLayer::DocUrba)
                .flat_map(|(_, t)| &t.rows)
                .find_map(|(_, r)| text(r, "TYPEDOC"))
                .map(|t| normalise_typedoc(&t))
        })
}

/// `FILE_MISSING`: `DOC_URBA`, the zones (`ZONE_URBA`, or `SECTEUR_CC` for a carte communale)
/// and `DOC_URBA_COM` are required by the standard.
pub fn required_files(d: &ReadDelivery, out: &mut Vec<Issue>) {
    let typedoc = declared_typedoc(d);
    if !d.has(PluLayer::DocUrba) {
        let (severity, effect) = if typedoc.is_some() {
            (Severity::Warning, "document déduit du nom du dossier : ni liens vers le règlement, ni état de la procédure")
        } else {
            (
                Severity::Error,
                "aucun document identifiable : les zones sont répondues sans document applicable",
            )
        };
        out.push(issue(
            "FILE_MISSING",
            severity,
            &d.name,
            None,
            "table DOC_URBA absente".into(),
            effect,
        ));
    }
    let zones = if typedoc.as_deref() == Some("CC") {
        PluLayer::Sectors
    } else {
        PluLayer::Zones
    };
    if !d.has(PluLayer::Zones) && !d.has(PluLayer::Sectors) {
        out.push(issue(
            "FILE_MISSING",
            Severity::Error,
            &d.name,
            None,
            format!("couche {} absente", zones.name()),
            "aucune zone ni aucun secteur ne peut être répondu pour ce document",
        ));
    }
    if d.has(PluLayer::DocUrba) && !d.has(PluLayer::DocUrbaCom) {
        out.push(issue(
            "FILE_MISSING",
            Severity::Warning,
            &d.name,
            None,
            "table DOC_URBA_COM absente".into(),
            "communes du document connues seulement par les zones : la couverture hors zones est inconnue",
        ));
    }
}

/// `FILE_FORMAT_UNSUPPORTED`: a layer delivered in a form this build cannot read.
pub fn unreadable_layers(d: &ReadDelivery, out: &mut Vec<Issue>) {
    for (layer, file, why) in &d.unreadable {
        out.push(issue(
            "FILE_FORMAT_UNSUPPORTED",
            Severity::Error,
            file,
            None,
            format!("{} non lue : {why}", layer.name()),
            "la couche manque aux réponses, qui disent qu'elle n'a pas pu être lue",
        ));
    }
}

/// `ATTRIBUTE_NOT_UNIQUE` (same `IDURBA` on differing rows), `ROW_DUPLICATED` (identical rows)
/// and `ATTRIBUTE_UNEXPECTED_VALUE` (`TYPEDOC`) in `DOC_URBA`; `CNIG_IDURBA_UNEXPECTED` in
/// `DOC_URBA_COM`.
pub fn doc_urba_rows(d: &ReadDelivery, out: &mut Vec<Issue>) {
    let ids = doc_ids(d);
    for (layer, t) in &d.tables {
        let file = &t.report.file;
        if *layer == PluLayer::DocUrbaCom {
            for (row, attrs) in &t.rows {
                if let Some(id) =
                    text(attrs, "IDURBA").filter(|id| !ids.contains(&id.to_ascii_uppercase()))
                {
                    out.push(issue(
                        "CNIG_IDURBA_UNEXPECTED",
                        Severity::Warning,
                        file,
                        Some(*row),
                        format!("IDURBA {id} absent de DOC_URBA"),
                        "la commune n'est rattachée à aucun document par cette ligne",
                    ));
                }
            }
            continue;
        }
        let mut first: HashMap<String, &Attributes> = HashMap::new();
        for (row, attrs) in &t.rows {
            if let Some(typedoc) = text(attrs, "TYPEDOC") {
                if !crate::load::attribution::TYPEDOCS
                    .contains(&normalise_typedoc(&typedoc).as_str())
                {
                    out.push(issue("ATTRIBUTE_UNEXPECTED_VALUE", Severity::Error, file, Some(*row),
                        format!("TYPEDOC « {typedoc} » hors de la liste CNIG (PLU, PLUi, CC, POS, PSMV)"),
                        "le type du document applicable est inconnu des réponses"));
                }
            }
            let Some(id) = text(attrs, "IDURBA") else {
                continue;
            };
            match first.get(&id.to_ascii_uppercase()) {
                Some(kept) if *kept == attrs => out.push(issue(
                    "ROW_DUPLICATED",
                    Severity::Info,
                    file,
                    Some(*row),
                    format!("ligne du document {id} répétée à l'identique"),
                    "aucun : une seule ligne est lue",
                )),
                Some(_) => out.push(issue(
                    "ATTRIBUTE_NOT_UNIQUE",
                    Severity::Warning,
                    file,
                    Some(*row),
                    format!("IDURBA {id} sur plusieurs lignes différentes"),
                    "seule la première ligne est lue : dates et liens des réponses sont les siens",
                )),
                None => {
                    first.insert(id.to_ascii_uppercase(), attrs);
                }
            }
        }
    }
}

/// Upper-case `IDURBA`s of the delivery's `DOC_URBA` rows.
fn doc_ids(d: &ReadDelivery) -> Vec<String> {
    d.tables
        .iter()
        .filter(|(l, _)| *l == PluLayer::DocUrba)
        .flat_map(|(_, t)| &t.rows)
        .filter_map(|(_, r)| text(r, "IDURBA"))
        .map(|id| id.to_ascii_uppercase())
        .collect()
}

/// `CNIG_IDURBA_UNEXPECTED`: a feature whose `IDURBA` names no `DOC_URBA` row.
pub fn unexpected_idurba(d: &ReadDelivery, out: &mut Vec<Issue>) {
    if !d.has(PluLayer::DocUrba) {
        return;
    }
    let ids = doc_ids(d);
    for (_, l) in &d.layers {
        for (row, attrs, _) in &l.features {
            if let Some(id) =
                text(attrs, "IDURBA").filter(|id| !ids.contains(&id.to_ascii_uppercase()))
            {
                out.push(issue("CNIG_IDURBA_UNEXPECTED", Severity::Warning, &l.report.file, Some(*row),
                    format!("IDURBA {id} absent de DOC_URBA"),
                    "entité rattachée au document de la livraison (nom du dossier, commune et date), s'il est identifiable"));
            }
        }
    }
}

/// The `TYPEZONE` list of each standard version, as IGN's validator configures it
/// (IGNF/validator 6f803083c4c7, `validator-plugin-cnig/src/test/resources/config/
/// cnig_{PLU,PLUi,POS}_{2013,2014,2017}/types/ZONE_URBA.json`, constraint `enum`; PLU, PLUi and
/// POS share it).
fn typezones(standard: PluStandard) -> &'static [&'static str] {
    match standard {
        PluStandard::V2013 => &["U", "AUc", "AUs", "A", "N", "Nh", "Nd"],
        PluStandard::V2014 => &["U", "AUc", "AUs", "A", "N", "Nh", "Nd", "Ah"],
        PluStandard::V2017 => &["U", "AUc", "AUs", "A", "N"],
    }
}

const TYPESECTS: [&str; 4] = ["01", "02", "03", "99"];

/// `ATTRIBUTE_UNEXPECTED_VALUE`: `TYPEZONE`, `TYPESECT`, `TYPEPSC`/`STYPEPSC` and
/// `TYPEINF`/`STYPEINF` outside the CNIG lists.
pub fn code_lists(d: &ReadDelivery, out: &mut Vec<Issue>) {
    for (layer, l) in &d.layers {
        for (row, attrs, _) in &l.features {
            let bad = match layer {
                PluLayer::Zones => text(attrs, "TYPEZONE")
                    .filter(|c| !typezones(d.standard).contains(&c.as_str()))
                    .map(|c| format!("TYPEZONE « {c} » (standard {})", d.standard.year())),
                PluLayer::Sectors => text(attrs, "TYPESECT")
                    .filter(|c| !TYPESECTS.contains(&two_digits(c).as_str()))
                    .map(|c| format!("TYPESECT « {c} »")),
                PluLayer::Prescriptions => urba_code(attrs, false, "TYPEPSC", "STYPEPSC"),
                PluLayer::Informations => urba_code(attrs, true, "TYPEINF", "STYPEINF"),
                PluLayer::DocUrba | PluLayer::DocUrbaCom => None,
            };
            if let Some(what) = bad {
                out.push(issue(
                    "ATTRIBUTE_UNEXPECTED_VALUE",
                    Severity::Warning,
                    &l.report.file,
                    Some(*row),
                    format!("{what} hors de la liste CNIG"),
                    "la réponse donne le code sans sa signification",
                ));
            }
        }
    }
}

fn urba_code(attrs: &Attributes, information: bool, code: &str, sub: &str) -> Option<String> {
    let c = two_digits(&text(attrs, code)?);
    let s = text(attrs, sub).map(|s| two_digits(&s));
    (!nomenclature().has_urba_type(information, &c, s.as_deref())).then(|| match &s {
        Some(s) => format!("{code}/{sub} « {c}/{s} »"),
        None => format!("{code} « {c} »"),
    })
}

/// Whether `value` is a date written `yyyymmdd`, as the standard writes every date.
fn is_cnig_date(value: &str) -> bool {
    value.len() == 8 && value.chars().all(|c| c.is_ascii_digit()) && iso_date(value).is_some()
}

/// `ATTRIBUTE_INVALID_FORMAT`: dates not written `yyyymmdd` (`DATEREF` may be a year or a month).
pub fn dates(d: &ReadDelivery, out: &mut Vec<Issue>) {
    let rows = d
        .tables
        .iter()
        .flat_map(|(l, t)| t.rows.iter().map(move |(i, a)| (*l, &t.report.file, *i, a)))
        .chain(d.layers.iter().flat_map(|(l, x)| {
            x.features
                .iter()
                .map(move |(i, a, _)| (*l, &x.report.file, *i, a))
        }));
    for (layer, file, row, attrs) in rows {
        for field in ["DATAPPRO", "DATEFIN", "DATVALID", "DATEREF", "DATEMAJ"] {
            let Some(value) = text(attrs, field) else {
                continue;
            };
            let ok = match field {
                "DATEREF" => {
                    matches!(value.len(), 4 | 6) && value.chars().all(|c| c.is_ascii_digit())
                        || is_cnig_date(&value)
                }
                _ => is_cnig_date(&value),
            };
            if ok {
                continue;
            }
            let (severity, effect) = match (layer, field) {
                (PluLayer::DocUrba, "DATAPPRO") => (
                    Severity::Error,
                    "date d'approbation absente des réponses, document non rattachable par sa date",
                ),
                (_, "DATAPPRO") => (
                    Severity::Warning,
                    "l'entité ne peut pas être rattachée à son document par sa date",
                ),
                _ => (Severity::Info, "date ignorée"),
            };
            out.push(issue(
                "ATTRIBUTE_INVALID_FORMAT",
                severity,
                file,
                Some(row),
                format!("{field} « {value} » n'est pas une date AAAAMMJJ"),
                effect,
            ));
        }
    }
}

/// `GEOMETRY_INVALID`: zones and sectors whose outline crosses itself or doubles back on
/// itself. A sweep over each ring's segments (geo's `Validation` is quadratic per ring, minutes on
/// a real PLUi); rings touching themselves at a vertex are left to the validator.
pub fn invalid_geometries(d: &ReadDelivery, out: &mut Vec<Issue>) {
    for (layer, l) in &d.layers {
        if !matches!(layer, PluLayer::Zones | PluLayer::Sectors) {
            continue;
        }
        for (row, _, geometry) in &l.features {
            if let Some(at) = self_crossing(geometry) {
                out.push(issue(
                    "GEOMETRY_INVALID",
                    Severity::Warning,
                    &l.report.file,
                    Some(*row),
                    format!("contour qui se recoupe (vers {:.6}, {:.6})", at.y, at.x),
                    "près du défaut, un point peut être dit dans la zone ou hors d'elle à tort",
                ));
            }
        }
    }
}

/// Where a ring of `g` crosses itself properly or overlaps itself along a segment, if it does.
fn self_crossing(g: &Geometry<f64>) -> Option<Coord<f64>> {
    let polygons: Vec<&Polygon<f64>> = match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => Vec::new(),
    };
    polygons
        .into_iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .find_map(|ring| {
            Intersections::from_iter(ring.lines()).find_map(|(_, _, x)| match x {
                LineIntersection::SinglePoint {
                    intersection,
                    is_proper: true,
                } => Some(intersection),
                LineIntersection::Collinear { intersection }
                    if intersection.start != intersection.end =>
                {
                    Some(intersection.start)
                }
                LineIntersection::SinglePoint { .. } | LineIntersection::Collinear { .. } => None,
            })
        })
}
