//! CNIG PLU/PLUi/CC deliveries (2014 and 2017 standards): `DOC_URBA`, `DOC_URBA_COM`, `ZONE_URBA`,
//! `SECTEUR_CC`, `PRESCRIPTION_SURF/LIN/PCT`, `INFO_SURF/LIN/PCT`.

use std::path::Path;

use super::dbf::{DbfTable, Record};
use super::normalise::{iso_date, normalise_typedoc, two_digits};
use super::scan::Source;
use super::shp::{self, ShpLayer};
use super::{relative, LayerReport, LoadError, LoadReport};
use crate::dataset::DatasetParts;
use crate::model::{Origin, PlanDocument, UrbaFeature, UrbaFeatureKind, ZoneUrba};

/// Loads one delivery: documents first, then every layer linked to them.
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let name_of = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default()
    };
    let first_doc = parts.documents.len();
    let (com_files, doc_files): (Vec<&std::path::PathBuf>, Vec<&std::path::PathBuf>) = source
        .files
        .iter()
        .filter(|f| name_of(f).contains("DOC_URBA"))
        .partition(|f| name_of(f).contains("DOC_URBA_COM"));
    for file in doc_files {
        read_documents(root, file, source, parts, report)?;
    }
    // Without DOC_URBA, a delivery folder named as the standard says (`41175_PLU_20140603`) still
    // tells which document it is; any other folder name tells nothing, and nothing is invented.
    let guessed = (parts.documents.len() == first_doc)
        .then(|| document_from_folder_name(&source.name))
        .flatten();
    if let Some(doc) = guessed {
        report.layers.push(LayerReport {
            file: source.name.clone(),
            layer: "DOC_URBA".into(),
            warnings: vec![format!(
                "{} : pas de table DOC_URBA, document déduit du nom du dossier ({} {})",
                source.name, doc.typedoc, doc.idurba
            )],
            ..Default::default()
        });
        parts.documents.push(doc);
    }
    for file in com_files {
        let table = DbfTable::read(file)?;
        let mut r = LayerReport::for_table(root, file, "DOC_URBA_COM", &table);
        for rec in &table.records {
            let (Some(idurba), Some(insee)) = (table.get(rec, "IDURBA"), table.get(rec, "INSEE"))
            else {
                continue;
            };
            match find_document(&parts.documents[first_doc..], Some(idurba)) {
                Some(i) => push_unique(&mut parts.documents[first_doc + i].communes, insee),
                None => r.warnings.push(format!(
                    "{} : IDURBA {idurba} inconnu dans DOC_URBA",
                    r.file
                )),
            }
        }
        report.layers.push(r);
    }
    for file in source
        .files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp")))
    {
        let upper = name_of(file);
        let label = relative(root, file);
        if upper.contains("ZONE_URBA") || upper.contains("SECTEUR_CC") {
            let layer = if upper.contains("SECTEUR_CC") {
                "SECTEUR_CC"
            } else {
                "ZONE_URBA"
            };
            let shp = shp::read(file, &label, layer)?;
            read_zones(shp, &label, first_doc, parts, report);
        } else {
            let (layer, kind) = if upper.contains("PRESCRIPTION_") {
                ("PRESCRIPTION", UrbaFeatureKind::Prescription)
            } else {
                ("INFO", UrbaFeatureKind::Information)
            };
            let shp = shp::read(file, &label, layer)?;
            read_urba_features(shp, kind, &label, parts, report);
        }
    }
    // Communes named by the zones (2014 standard has INSEE on each zone).
    let zone_communes: Vec<(usize, String)> = parts
        .zones
        .iter()
        .filter_map(|z| Some((z.document?, z.insee.clone()?)))
        .filter(|(d, _)| *d >= first_doc)
        .collect();
    for (d, insee) in zone_communes {
        push_unique(&mut parts.documents[d].communes, &insee);
    }
    super::pieces::index(root, source, parts);
    Ok(())
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

fn read_documents(
    root: &Path,
    file: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let table = DbfTable::read(file)?;
    let mut r = LayerReport::for_table(root, file, "DOC_URBA", &table);
    if !table.has("IDURBA") {
        return Err(LoadError::corrupt(file, "champ IDURBA absent de DOC_URBA"));
    }
    let first = parts.documents.len();
    for rec in &table.records {
        let doc = document(&table, rec, &source.name);
        if find_document(&parts.documents[first..], Some(&doc.idurba)).is_some() {
            // Some deliveries repeat the document once per reference (TYPEREF): one is enough.
            r.warnings.push(format!(
                "{} : document {} en double, une seule ligne gardée",
                r.file, doc.idurba
            ));
            continue;
        }
        parts.documents.push(doc);
    }
    report.layers.push(r);
    Ok(())
}

fn document(table: &DbfTable, rec: &Record, source: &str) -> PlanDocument {
    let t = |f: &str| table.text(rec, f);
    PlanDocument {
        idurba: t("IDURBA").unwrap_or_default(),
        typedoc: normalise_typedoc(&t("TYPEDOC").unwrap_or_default()),
        datappro: t("DATAPPRO").and_then(|d| iso_date(&d)),
        datefin: t("DATEFIN").and_then(|d| iso_date(&d)),
        siren: t("SIREN"),
        etat: t("ETAT"),
        nomreg: t("NOMREG"),
        urlreg: t("URLREG"),
        nomplan: t("NOMPLAN"),
        urlplan: t("URLPLAN"),
        siteweb: t("SITEWEB"),
        communes: Vec::new(),
        source: source.to_string(),
    }
}

/// `41175_PLU_20140603` → a PLU of commune 41175 approved 2014-06-03; `None` for other names.
fn document_from_folder_name(folder: &str) -> Option<PlanDocument> {
    let parts: Vec<&str> = folder.split('_').collect();
    let [id, typedoc, date] = parts.as_slice() else {
        return None;
    };
    let typedoc = normalise_typedoc(typedoc);
    let known = ["PLU", "PLUi", "CC", "POS", "PSMV"].contains(&typedoc.as_str());
    let date = iso_date(date);
    if !known || date.is_none() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let is_insee = id.len() == 5;
    Some(PlanDocument {
        idurba: folder.to_string(),
        siren: (!is_insee && id.len() == 9).then(|| id.to_string()),
        communes: if is_insee {
            vec![id.to_string()]
        } else {
            Vec::new()
        },
        typedoc,
        datappro: date,
        source: folder.to_string(),
        ..Default::default()
    })
}

fn find_document(docs: &[PlanDocument], idurba: Option<&str>) -> Option<usize> {
    let id = idurba?;
    docs.iter().position(|d| d.idurba.eq_ignore_ascii_case(id))
}

/// The document a feature belongs to: by IDURBA when it matches, else the delivery's first document
/// (the 2014 standard has no IDURBA on features, and some deliveries carry a stale one).
fn document_of(parts: &DatasetParts, first_doc: usize, idurba: Option<&str>) -> Option<usize> {
    if parts.documents.len() == first_doc {
        return None;
    }
    Some(first_doc + find_document(&parts.documents[first_doc..], idurba).unwrap_or(0))
}

fn read_zones(
    shp: ShpLayer,
    label: &str,
    first_doc: usize,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) {
    let ShpLayer {
        table,
        features,
        report: mut r,
    } = shp;
    let code_field = if r.layer == "SECTEUR_CC" {
        "TYPESECT"
    } else {
        "TYPEZONE"
    };
    if !table.has("LIBELLE") || !table.has(code_field) {
        r.warnings.push(format!(
            "{label} : champs CNIG LIBELLE/{code_field} absents, couche ignorée (déclarez-la dans le manifeste avec une correspondance de champs)"
        ));
        r.skipped += r.features;
        r.features = 0;
        report.layers.push(r);
        return;
    }
    for (i, rec, geometry) in features {
        let t = |f: &str| table.text(&rec, f);
        let idurba = t("IDURBA");
        parts.zones.push(ZoneUrba {
            libelle: t("LIBELLE").unwrap_or_default(),
            libelong: t("LIBELONG"),
            typezone: t(code_field).unwrap_or_default(),
            destdomi: t("DESTDOMI").map(|c| two_digits(&c)),
            nomfic: t("NOMFIC"),
            urlfic: t("URLFIC"),
            insee: t("INSEE"),
            datvalid: t("DATVALID").and_then(|d| iso_date(&d)),
            document: document_of(parts, first_doc, idurba.as_deref()),
            idurba,
            origin: Origin {
                file: label.to_string(),
                feature: i,
            },
            geometry,
        });
    }
    report.layers.push(r);
}

fn read_urba_features(
    shp: ShpLayer,
    kind: UrbaFeatureKind,
    label: &str,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) {
    let (code_field, sub_field) = match kind {
        UrbaFeatureKind::Prescription => ("TYPEPSC", "STYPEPSC"),
        UrbaFeatureKind::Information => ("TYPEINF", "STYPEINF"),
    };
    let ShpLayer {
        table,
        features,
        report: mut r,
    } = shp;
    if !table.has(code_field) {
        r.warnings.push(format!(
            "{label} : champ {code_field} absent, couche ignorée"
        ));
        r.skipped += r.features;
        r.features = 0;
    } else {
        for (i, rec, geometry) in features {
            let t = |f: &str| table.text(&rec, f);
            parts.urba_features.push(UrbaFeature {
                kind,
                libelle: t("LIBELLE").unwrap_or_default(),
                txt: t("TXT"),
                code: t(code_field).map(|c| two_digits(&c)).unwrap_or_default(),
                subcode: t(sub_field).map(|c| two_digits(&c)),
                nomfic: t("NOMFIC"),
                urlfic: t("URLFIC"),
                idurba: t("IDURBA"),
                origin: Origin {
                    file: label.to_string(),
                    feature: i,
                },
                geometry,
            });
        }
    }
    report.layers.push(r);
}
