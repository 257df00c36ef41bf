//! The XML form of the SRU standard (`XSD_Standard_SRU.xsd`): a `ReglementDU` (or, in the first
//! XSD, `ReglementPLU`) root with attributes `idUrba`, `nom`, `lien`, `typeDoc`, nested
//! `plu:Titre` elements (`id`, `niveau`, `numero`, `intitule`, `idZone` as a comma-separated
//! list) holding `plu:Contenu` blocks of XHTML.

use roxmltree::{Document, Node, ParsingOptions};

use crate::reglement::html::HtmlNode;
use crate::reglement::{Contenu, Reglement, Titre, ZoneScope};

const ROOTS: [&str; 2] = ["ReglementDU", "ReglementPLU"];

/// Parses an XML regulation; `file` is its path for reports.
pub(super) fn parse(text: &str, file: String) -> Result<Reglement, String> {
    // No DTD: a regulation has none, and refusing it rules out entity expansion attacks.
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc =
        Document::parse_with_options(text, options).map_err(|e| format!("XML illisible : {e}"))?;
    let root = doc.root_element();
    if !ROOTS.contains(&root.tag_name().name()) {
        return Err(format!(
            "élément racine « {} » : un règlement structuré CNIG commence par « ReglementDU »",
            root.tag_name().name()
        ));
    }
    let id_urba = attr(root, "idUrba").ok_or("pas d'attribut « idUrba » sur l'élément racine")?;
    let mut titres = Vec::new();
    for t in root.children().filter(|n| is(n, "Titre")) {
        read_titre(t, None, &mut titres)?;
    }
    Ok(Reglement {
        nom: attr(root, "nom").unwrap_or_else(|| format!("Règlement {id_urba}")),
        lien: attr(root, "lien"),
        type_doc: attr(root, "typeDoc"),
        id_urba,
        file,
        titres,
    })
}

fn read_titre(t: Node<'_, '_>, parent: Option<usize>, out: &mut Vec<Titre>) -> Result<(), String> {
    let id = attr(t, "id").ok_or("un élément Titre sans « id »")?;
    let zones = scope(t).unwrap_or(ZoneScope::Zones(Vec::new()));
    let contenus = t
        .children()
        .filter(|n| is(n, "Contenu"))
        .map(|c| Contenu {
            id: attr(c, "id"),
            zones: scope(c).unwrap_or_else(|| zones.clone()),
            nodes: c.children().filter_map(html).collect(),
        })
        .collect();
    let index = out.len();
    out.push(Titre {
        niveau: attr(t, "niveau").and_then(|n| n.parse().ok()).unwrap_or(1),
        numero: attr(t, "numero"),
        intitule: attr(t, "intitule").unwrap_or_default(),
        parent,
        id,
        zones,
        contenus,
    });
    for child in t.children().filter(|n| is(n, "Titre")) {
        read_titre(child, Some(index), out)?;
    }
    Ok(())
}

fn html(n: Node<'_, '_>) -> Option<HtmlNode> {
    if n.is_text() {
        return n.text().map(HtmlNode::text);
    }
    if !n.is_element() {
        return None;
    }
    Some(HtmlNode {
        tag: n.tag_name().name().to_ascii_lowercase(),
        href: n
            .attributes()
            .find(|a| a.name() == "href")
            .map(|a| a.value().to_string()),
        text: String::new(),
        children: n.children().filter_map(html).collect(),
    })
}

fn is(n: &Node<'_, '_>, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name
}

fn attr(n: Node<'_, '_>, name: &str) -> Option<String> {
    n.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn scope(n: Node<'_, '_>) -> Option<ZoneScope> {
    attr(n, "idZone").map(|z| ZoneScope::from_codes(z.split([',', ' '])))
}
