//! The JSON form of the SRU standard (`SCHEMA_N1_JSON.json`): `idUrba`, `nom`, `lien`,
//! `typeDoc`, nested `titre[]` with `idTitre`, `niveau`, `numero`, `intitule`, `idZone` and
//! `contenu[]` whose `html` is a list of `{tag, attrs, text, children}` nodes.
//!
//! The CNIG's own example files write the lists (`idZone`, `inseeCommune`, `html`) as JSON
//! *encoded in a string* (`"[\"UB\"]"`) where the schema says arrays: both are read.

use serde_json::Value;

use crate::reglement::html::HtmlNode;
use crate::reglement::{Contenu, Reglement, Titre, ZoneScope};

/// Parses a JSON regulation; `file` is its path for reports.
pub(super) fn parse(text: &str, file: String) -> Result<Reglement, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("JSON illisible : {e}"))?;
    let id_urba = string(&root, "idUrba")
        .ok_or("pas de champ « idUrba » : ce n'est pas un règlement structuré CNIG")?;
    let titres_json = root
        .get("titre")
        .and_then(Value::as_array)
        .ok_or("pas de liste « titre »")?;
    let mut titres = Vec::new();
    for t in titres_json {
        read_titre(t, None, &mut titres)?;
    }
    Ok(Reglement {
        nom: string(&root, "nom").unwrap_or_else(|| format!("Règlement {id_urba}")),
        lien: string(&root, "lien"),
        type_doc: string(&root, "typeDoc"),
        id_urba,
        file,
        titres,
    })
}

fn read_titre(t: &Value, parent: Option<usize>, out: &mut Vec<Titre>) -> Result<(), String> {
    let id = string(t, "idTitre").ok_or("un titre sans « idTitre »")?;
    let zones = ZoneScope::from_codes(list(t.get("idZone")));
    let contenus = t
        .get("contenu")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| read_contenu(c, &zones))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let index = out.len();
    out.push(Titre {
        niveau: level(t.get("niveau")),
        numero: string(t, "numero"),
        intitule: string(t, "intitule").unwrap_or_default(),
        parent,
        id,
        zones,
        contenus,
    });
    for child in t
        .get("titre")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        read_titre(child, Some(index), out)?;
    }
    Ok(())
}

/// A block; without its own `idZone`, it has its section's zones.
fn read_contenu(c: &Value, section: &ZoneScope) -> Result<Contenu, String> {
    let zones = match c.get("idZone") {
        Some(z) if !list(Some(z)).is_empty() => ZoneScope::from_codes(list(Some(z))),
        _ => section.clone(),
    };
    let html = match c.get("html") {
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|e| format!("contenu « html » illisible : {e}"))?
        }
        Some(v) => v.clone(),
        None => Value::Array(Vec::new()),
    };
    Ok(Contenu {
        id: string(c, "idContenu"),
        zones,
        nodes: html
            .as_array()
            .map(|a| a.iter().map(node).collect())
            .unwrap_or_default(),
    })
}

fn node(v: &Value) -> HtmlNode {
    match v {
        Value::String(s) => HtmlNode::text(s.clone()),
        Value::Object(o) => HtmlNode {
            tag: o
                .get("tag")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase(),
            href: o
                .get("attrs")
                .and_then(|a| a.get("href"))
                .and_then(Value::as_str)
                .map(str::to_string),
            text: o
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            children: o
                .get("children")
                .and_then(Value::as_array)
                .map(|cs| cs.iter().map(node).collect())
                .unwrap_or_default(),
        },
        _ => HtmlNode::default(),
    }
}

fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list of strings written as an array, as JSON in a string, or as a comma-separated string.
fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => match serde_json::from_str::<Vec<String>>(s) {
            Ok(items) => items,
            Err(_) => s.split(',').map(str::to_string).collect(),
        },
        _ => Vec::new(),
    }
}

fn level(v: Option<&Value>) -> u32 {
    match v {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(1),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(1),
        _ => 1,
    }
}
