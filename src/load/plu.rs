//! CNIG PLU/PLUi/CC/POS/PSMV deliveries (2014 and 2017 standards): `DOC_URBA`, `DOC_URBA_COM`,
//! `ZONE_URBA`, `SECTEUR_CC`, `PRESCRIPTION_SURF/LIN/PCT`, `INFO_SURF/LIN/PCT`, in any file form
//! [`super::cnig_layer`] reads. A delivery is read whole first ([`ReadDelivery`]), checked
//! against the standard ([`super::conformity`]), then turned into documents and features, each
//! feature attributed to its document as [`super::attribution`] says.

use std::path::{Path, PathBuf};

use super::attribution::{attribute, DeliveryName, FeatureKeys};
use super::cnig_layer::{self, text, Attributes, CnigLayer, CnigTable};
use super::gpkg::GeoPackage;
use super::normalise::{iso_date, normalise_typedoc, two_digits};
use super::scan::Source;
use super::{relative, LayerReport, LoadError, LoadReport};
use crate::dataset::DatasetParts;
use crate::model::{
    DeliveredLayers, LayerDelivery, Origin, PlanDocument, UrbaFeature, UrbaFeatureKind, ZoneUrba,
};

/// The layers of a CNIG planning delivery, as named in its files or GeoPackage tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluLayer {
    /// `DOC_URBA`: the documents.
    DocUrba,
    /// `DOC_URBA_COM`: the communes of each document.
    DocUrbaCom,
    /// `ZONE_URBA`: the zones of a PLU/PLUi/POS/PSMV.
    Zones,
    /// `SECTEUR_CC`: the sectors of a carte communale.
    Sectors,
    /// `PRESCRIPTION_SURF/LIN/PCT`.
    Prescriptions,
    /// `INFO_SURF/LIN/PCT`.
    Informations,
}

impl PluLayer {
    /// The layer a file stem or table name designates (`19182_SECTEUR_CC_20150517`,
    /// `zone_urba`, `PRESCRIPTION_SURF`), whatever the case.
    pub fn of_name(name: &str) -> Option<PluLayer> {
        let n = name.to_ascii_uppercase();
        [
            ("DOC_URBA_COM", PluLayer::DocUrbaCom),
            ("DOC_URBA", PluLayer::DocUrba),
            ("ZONE_URBA", PluLayer::Zones),
            ("SECTEUR_CC", PluLayer::Sectors),
            ("PRESCRIPTION_", PluLayer::Prescriptions),
            ("INFO_SURF", PluLayer::Informations),
            ("INFO_LIN", PluLayer::Informations),
            ("INFO_PCT", PluLayer::Informations),
        ]
        .into_iter()
        .find_map(|(key, layer)| n.contains(key).then_some(layer))
    }

    /// The layer's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            PluLayer::DocUrba => "DOC_URBA",
            PluLayer::DocUrbaCom => "DOC_URBA_COM",
            PluLayer::Zones => "ZONE_URBA",
            PluLayer::Sectors => "SECTEUR_CC",
            PluLayer::Prescriptions => "PRESCRIPTION",
            PluLayer::Informations => "INFO",
        }
    }

    /// Tables without geometry (their geometry, when a shapefile carries one, means nothing).
    pub fn is_table(self) -> bool {
        matches!(self, PluLayer::DocUrba | PluLayer::DocUrbaCom)
    }
}

/// A delivery as read, before attribution: what the conformity checks look at.
pub struct ReadDelivery {
    /// The delivery's name (its folder).
    pub name: String,
    /// What its folder or file names say it is.
    pub named: Option<DeliveryName>,
    /// Its tables (`DOC_URBA`, `DOC_URBA_COM`).
    pub tables: Vec<(PluLayer, CnigTable)>,
    /// Its layers with geometry.
    pub layers: Vec<(PluLayer, CnigLayer)>,
    /// Layers delivered but unreadable: (layer, file, why).
    pub unreadable: Vec<(PluLayer, String, String)>,
    /// The CNIG standard version it follows, whose code lists the checks apply.
    pub standard: PluStandard,
}

/// A version of the CNIG PLU/PLUi/CC/POS standard (its code lists differ: `TYPEZONE` `Nh`, `Nd`
/// and `Ah` exist until 2014).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluStandard {
    /// CNIG of 2013.
    V2013,
    /// CNIG of 02/10/2014.
    V2014,
    /// CNIG of 08/12/2017, the current one.
    V2017,
}

impl PluStandard {
    /// The version the delivery's metadata declares (« CNIG PLU v2013 »…); without metadata, the
    /// 2017 standard when its files are named `<id>_ZONE_URBA_<date>`, else (bare `ZONE_URBA`,
    /// the earlier naming) the 2014 one, whose lists hold the 2013 ones.
    fn of_delivery(files: &[PathBuf], stems: &[String]) -> PluStandard {
        match super::metadata::declared_version(files, &["PLU", "PLUi", "CC", "POS", "PSMV"]) {
            Some(2013) => PluStandard::V2013,
            Some(2014) => PluStandard::V2014,
            Some(_) => PluStandard::V2017,
            None => {
                let bare = stems.iter().any(|s| {
                    [PluLayer::Zones, PluLayer::Sectors, PluLayer::DocUrba]
                        .iter()
                        .any(|l| s.eq_ignore_ascii_case(l.name()))
                });
                if bare {
                    PluStandard::V2014
                } else {
                    PluStandard::V2017
                }
            }
        }
    }

    /// Its year, as reports name it.
    pub fn year(self) -> u16 {
        match self {
            PluStandard::V2013 => 2013,
            PluStandard::V2014 => 2014,
            PluStandard::V2017 => 2017,
        }
    }
}

impl ReadDelivery {
    /// Whether the delivery holds a file of `layer`, readable or not.
    pub fn has(&self, layer: PluLayer) -> bool {
        self.tables.iter().any(|(l, _)| *l == layer)
            || self.layers.iter().any(|(l, _)| *l == layer)
            || self.unreadable.iter().any(|(l, _, _)| *l == layer)
    }

    fn state(&self, layers: &[PluLayer]) -> LayerDelivery {
        if self.layers.iter().any(|(l, _)| layers.contains(l)) {
            LayerDelivery::Delivered
        } else if self.unreadable.iter().any(|(l, _, _)| layers.contains(l)) {
            LayerDelivery::Unreadable
        } else {
            LayerDelivery::NotDelivered
        }
    }
}

/// Loads one delivery: read it, check it, then documents and every layer linked to them.
pub fn load(
    root: &Path,
    source: &Source,
    parts: &mut DatasetParts,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let delivery = read(root, source)?;
    load_read(delivery, parts, report);
    super::pieces::index(root, source, parts);
    Ok(())
}

/// Loads a delivery once read, from files or from database tables: check it, then its documents
/// and every layer linked to them.
pub(super) fn load_read(delivery: ReadDelivery, parts: &mut DatasetParts, report: &mut LoadReport) {
    report
        .conformity
        .push(super::conformity::check(&delivery.name, &delivery));
    let mut docs = documents(&delivery, report);
    let delivery_doc = delivery.named.as_ref().and_then(|n| n.document(&docs));
    let layers = DeliveredLayers {
        zones: delivery.state(&[PluLayer::Zones, PluLayer::Sectors]),
        prescriptions: delivery.state(&[PluLayer::Prescriptions]),
        informations: delivery.state(&[PluLayer::Informations]),
    };
    let mut zones = Vec::new();
    let mut urba = Vec::new();
    for (layer, l) in delivery.layers {
        let mut r = l.report;
        match layer {
            PluLayer::Zones | PluLayer::Sectors => {
                zones.extend(read_zones(
                    layer,
                    l.fields,
                    l.features,
                    &docs,
                    delivery_doc,
                    &mut r,
                ));
            }
            PluLayer::Prescriptions | PluLayer::Informations => {
                urba.extend(read_urba_features(layer, &l.fields, l.features, &mut r));
            }
            PluLayer::DocUrba | PluLayer::DocUrbaCom => {}
        }
        report.layers.push(r);
    }
    for (layer, label, why) in &delivery.unreadable {
        report.layers.push(LayerReport::warning(
            label.clone(),
            layer.name(),
            format!("couche {} non lue : {why}", layer.name()),
        ));
    }
    for d in &mut docs {
        d.layers = layers;
    }
    // Only the delivery's own documents are kept: an extract listing other communes' documents
    // must not make them answer where this delivery has nothing of theirs.
    let referenced =
        |i: usize| Some(i) == delivery_doc || zones.iter().any(|z| z.document == Some(i));
    let has_features = layers.zones != LayerDelivery::NotDelivered;
    let keep: Vec<bool> = (0..docs.len())
        .map(|i| referenced(i) || (!has_features && delivery_doc.is_none()))
        .collect();
    let dropped = keep.iter().filter(|k| !**k).count();
    if dropped > 0 {
        report.layers.push(LayerReport::warning(
            delivery.name.clone(),
            "DOC_URBA",
            format!("{dropped} ligne(s) DOC_URBA d'autres documents (autres communes ou versions) non retenue(s) : aucune entité de la livraison ne s'y rattache"),
        ));
    }
    let mut new_index = vec![None; docs.len()];
    for (i, (doc, kept)) in docs.into_iter().zip(&keep).enumerate() {
        if *kept {
            new_index[i] = Some(parts.documents.len());
            parts.documents.push(doc);
        }
    }
    let unattributed = zones.iter().filter(|z| z.document.is_none()).count();
    if unattributed > 0 {
        report.layers.push(LayerReport::warning(
            delivery.name.clone(),
            "attribution",
            format!("{unattributed} zone(s) ou secteur(s) sans document identifiable (ni IDURBA connu, ni document de la livraison)"),
        ));
    }
    for mut z in zones {
        z.document = z.document.and_then(|d| new_index[d]);
        if let (Some(d), Some(insee)) = (z.document, &z.insee) {
            push_unique(&mut parts.documents[d].communes, insee);
        }
        parts.zones.push(z);
    }
    parts.urba_features.extend(urba);
}

/// Reads every file of the delivery; a layer whose form cannot be read here is kept as
/// unreadable (reported, and its document says so), any other failure is an error.
fn read(root: &Path, source: &Source) -> Result<ReadDelivery, LoadError> {
    let stems: Vec<String> = source
        .files
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    let mut delivery = ReadDelivery {
        name: source.name.clone(),
        named: DeliveryName::of_delivery(&source.name, stems.iter().map(String::as_str)),
        tables: Vec::new(),
        layers: Vec::new(),
        unreadable: Vec::new(),
        standard: PluStandard::of_delivery(&source.files, &stems),
    };
    for file in &source.files {
        let label = relative(root, file);
        if is_gpkg(file) {
            read_gpkg(file, &label, &mut delivery)?;
            continue;
        }
        let Some(layer) = file
            .file_stem()
            .and_then(|s| PluLayer::of_name(&s.to_string_lossy()))
        else {
            continue;
        };
        if layer.is_table() {
            delivery
                .tables
                .push((layer, cnig_layer::read_table(file, &label, layer.name())?));
            continue;
        }
        match cnig_layer::read_layer(file, &label, layer.name()) {
            Ok(l) => delivery.layers.push((layer, l)),
            Err(LoadError::Unsupported { reason, .. }) => {
                delivery.unreadable.push((layer, label, reason));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(delivery)
}

fn is_gpkg(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// The CNIG tables of a GeoPackage (`doc_urba`, `zone_urba`, `prescription_surf`…).
fn read_gpkg(file: &Path, label: &str, delivery: &mut ReadDelivery) -> Result<(), LoadError> {
    let gpkg = GeoPackage::open(file)?;
    for table in gpkg.tables()? {
        let Some(layer) = PluLayer::of_name(&table) else {
            continue;
        };
        if layer.is_table() {
            let t = cnig_layer::read_gpkg_table(&gpkg, &table, label, layer.name())?;
            delivery.tables.push((layer, t));
        } else {
            let l = cnig_layer::read_gpkg_layer(&gpkg, &table, label, layer.name())?;
            delivery.layers.push((layer, l));
        }
    }
    Ok(())
}

/// The delivery's documents: its `DOC_URBA` rows (one per `IDURBA`) with their communes from
/// `DOC_URBA_COM`, or, without `DOC_URBA`, the document its standard folder name describes.
fn documents(delivery: &ReadDelivery, report: &mut LoadReport) -> Vec<PlanDocument> {
    let mut docs: Vec<PlanDocument> = Vec::new();
    for (layer, t) in &delivery.tables {
        let mut r = t.report.clone();
        if *layer == PluLayer::DocUrba {
            if !t.has("IDURBA") {
                r.warnings.push(format!(
                    "{} : champ IDURBA absent de DOC_URBA, table ignorée",
                    r.file
                ));
            }
            for (_, row) in t.rows.iter().filter(|_| t.has("IDURBA")) {
                let doc = document(row, &delivery.name);
                if docs
                    .iter()
                    .any(|d| d.idurba.eq_ignore_ascii_case(&doc.idurba))
                {
                    // Some deliveries repeat the document once per reference (TYPEREF): one is enough.
                    r.warnings.push(format!(
                        "{} : document {} en double, une seule ligne gardée",
                        r.file, doc.idurba
                    ));
                    continue;
                }
                docs.push(doc);
            }
        }
        if *layer == PluLayer::DocUrbaCom {
            for (_, row) in &t.rows {
                let (Some(idurba), Some(insee)) = (text(row, "IDURBA"), text(row, "INSEE")) else {
                    continue;
                };
                match docs
                    .iter_mut()
                    .find(|d| d.idurba.eq_ignore_ascii_case(&idurba))
                {
                    Some(d) => push_unique(&mut d.communes, &insee),
                    None => r.warnings.push(format!(
                        "{} : IDURBA {idurba} inconnu dans DOC_URBA",
                        r.file
                    )),
                }
            }
        }
        report.layers.push(r);
    }
    if docs.is_empty() {
        // Without DOC_URBA, a delivery folder named as the standard says (`41175_PLU_20140603`)
        // still tells which document it is; any other name tells nothing, and nothing is invented.
        if let Some(doc) = document_from_folder_name(&delivery.name) {
            report.layers.push(LayerReport::warning(
                delivery.name.clone(),
                "DOC_URBA",
                format!(
                    "pas de table DOC_URBA, document déduit du nom du dossier ({} {})",
                    doc.typedoc, doc.idurba
                ),
            ));
            docs.push(doc);
        }
    }
    docs
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// A `DOC_URBA` row. In the 2014 standard a PLUi is `TYPEDOC = PLU` with `INTERCO = T` and the
/// EPCI's `SIREN`: it is a PLUi all the same.
fn document(row: &Attributes, source: &str) -> PlanDocument {
    let t = |f: &str| text(row, f);
    let interco = t("INTERCO").is_some_and(|i| i.eq_ignore_ascii_case("T"));
    let typedoc = match normalise_typedoc(&t("TYPEDOC").unwrap_or_default()) {
        plu if plu == "PLU" && interco => "PLUi".to_string(),
        other => other,
    };
    PlanDocument {
        idurba: t("IDURBA").unwrap_or_default(),
        typedoc,
        datappro: t("DATAPPRO").and_then(|d| iso_date(&d)),
        datefin: t("DATEFIN").and_then(|d| iso_date(&d)),
        siren: t("SIREN"),
        etat: t("ETAT").map(|e| two_digits(&e)),
        nomreg: t("NOMREG"),
        urlreg: t("URLREG"),
        nomplan: t("NOMPLAN"),
        urlplan: t("URLPLAN"),
        siteweb: t("SITEWEB"),
        communes: Vec::new(),
        source: source.to_string(),
        layers: DeliveredLayers::default(),
    }
}

/// `41175_PLU_20140603` → a PLU of commune 41175 approved 2014-06-03; `None` for other names.
fn document_from_folder_name(folder: &str) -> Option<PlanDocument> {
    let name = DeliveryName::parse(folder)?;
    let typedoc = name.typedoc?;
    let is_insee = name.id.len() == 5;
    Some(PlanDocument {
        idurba: folder.to_string(),
        siren: (!is_insee).then(|| name.id.clone()),
        communes: if is_insee { vec![name.id] } else { Vec::new() },
        typedoc,
        datappro: Some(name.datappro),
        source: folder.to_string(),
        ..Default::default()
    })
}

fn has(fields: &[String], field: &str) -> bool {
    fields.iter().any(|f| f.eq_ignore_ascii_case(field))
}

fn read_zones(
    layer: PluLayer,
    fields: Vec<String>,
    features: super::geometry::Features<Attributes>,
    docs: &[PlanDocument],
    delivery_doc: Option<usize>,
    r: &mut LayerReport,
) -> Vec<ZoneUrba> {
    let sector = layer == PluLayer::Sectors;
    let code_field = if sector { "TYPESECT" } else { "TYPEZONE" };
    if !has(&fields, "LIBELLE") || !has(&fields, code_field) {
        r.ignore_layer(format!(
            "champs CNIG LIBELLE/{code_field} absents, couche ignorée (déclarez-la dans le manifeste avec une correspondance de champs)"
        ));
        return Vec::new();
    }
    let label = r.file.clone();
    features
        .into_iter()
        .map(|(i, attrs, geometry)| {
            let t = |f: &str| text(&attrs, f);
            let idurba = t("IDURBA");
            let insee = t("INSEE");
            let datappro = t("DATAPPRO").and_then(|d| iso_date(&d));
            let keys = FeatureKeys {
                idurba: idurba.as_deref(),
                insee: insee.as_deref(),
                datappro: datappro.as_deref(),
            };
            let code = t(code_field).unwrap_or_default();
            ZoneUrba {
                libelle: t("LIBELLE").unwrap_or_default(),
                libelong: t("LIBELONG"),
                typezone: if sector { two_digits(&code) } else { code },
                destdomi: t("DESTDOMI").map(|c| two_digits(&c)),
                nomfic: t("NOMFIC"),
                urlfic: t("URLFIC"),
                datvalid: t("DATVALID").and_then(|d| iso_date(&d)),
                document: attribute(docs, delivery_doc, keys).index(),
                idurba,
                insee,
                sector,
                origin: Origin {
                    file: label.clone(),
                    feature: i,
                },
                geometry,
            }
        })
        .collect()
}

fn read_urba_features(
    layer: PluLayer,
    fields: &[String],
    features: super::geometry::Features<Attributes>,
    r: &mut LayerReport,
) -> Vec<UrbaFeature> {
    let (kind, code_field, sub_field) = match layer {
        PluLayer::Informations => (UrbaFeatureKind::Information, "TYPEINF", "STYPEINF"),
        _ => (UrbaFeatureKind::Prescription, "TYPEPSC", "STYPEPSC"),
    };
    if !has(fields, code_field) {
        r.ignore_layer(format!("champ {code_field} absent, couche ignorée"));
        return Vec::new();
    }
    let label = r.file.clone();
    features
        .into_iter()
        .map(|(i, attrs, geometry)| {
            let t = |f: &str| text(&attrs, f);
            UrbaFeature {
                kind,
                libelle: t("LIBELLE").unwrap_or_default(),
                txt: t("TXT"),
                code: t(code_field).map(|c| two_digits(&c)).unwrap_or_default(),
                subcode: t(sub_field).map(|c| two_digits(&c)),
                nomfic: t("NOMFIC"),
                urlfic: t("URLFIC"),
                idurba: t("IDURBA"),
                datvalid: t("DATVALID").and_then(|d| iso_date(&d)),
                origin: Origin {
                    file: label.clone(),
                    feature: i,
                },
                geometry,
            }
        })
        .collect()
}
