//! Domain types: what the loaders produce and the lookup returns.
//!
//! Every geometry here is in WGS84 longitude/latitude (EPSG:4326), already reprojected by
//! [`crate::load`]. Field names follow the CNIG standards (`libelle`, `typezone`, `idurba`…) so that a
//! user who knows the Géoportail de l'Urbanisme recognises them.

use geo::{Geometry, MultiPolygon};
use serde::Serialize;

/// A commune boundary (INSEE code and name).
#[derive(Debug, Clone, Serialize)]
pub struct Commune {
    pub insee: String,
    pub name: String,
    /// True when no boundary file was loaded for it and its outline is the hull of its parcels.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
    /// Always polygonal.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A cadastral parcel (Etalab cadastre, or a user layer mapped onto it).
#[derive(Debug, Clone, Serialize)]
pub struct Parcel {
    /// 14-character id: INSEE (5) + prefix (3) + section (2) + number (4), e.g. `91216000AB0037`.
    pub id: String,
    pub commune: String,
    pub prefixe: String,
    pub section: String,
    pub numero: String,
    /// Declared area in m² (`contenance`), when the source gives one.
    pub contenance: Option<f64>,
    /// Always polygonal.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A planning document (CNIG `DOC_URBA`): PLU, PLUi, CC, POS, PSMV.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PlanDocument {
    pub idurba: String,
    /// `PLU`, `PLUi`, `CC`, `POS`, `PSMV` (normalised case).
    pub typedoc: String,
    /// Approval date, ISO `yyyy-mm-dd` when the source gives a valid `yyyymmdd`.
    pub datappro: Option<String>,
    pub datefin: Option<String>,
    /// EPCI SIREN for intercommunal plans.
    pub siren: Option<String>,
    pub etat: Option<String>,
    pub nomreg: Option<String>,
    pub urlreg: Option<String>,
    pub nomplan: Option<String>,
    pub urlplan: Option<String>,
    pub siteweb: Option<String>,
    /// INSEE codes of the communes the document covers (`DOC_URBA_COM`).
    pub communes: Vec<String>,
    /// Name of the delivery folder it was read from.
    pub source: String,
}

/// A zone of a planning document (CNIG `ZONE_URBA`, or `SECTEUR_CC` for a carte communale).
#[derive(Debug, Clone, Serialize)]
pub struct ZoneUrba {
    pub libelle: String,
    pub libelong: Option<String>,
    /// `U`, `AUc`, `AUs`, `A`, `N` (or, for a carte communale sector, `TYPESECT` 01/02/03).
    pub typezone: String,
    pub destdomi: Option<String>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    pub idurba: Option<String>,
    pub insee: Option<String>,
    pub datvalid: Option<String>,
    /// Index into [`crate::dataset::Dataset::documents`] of the document this zone belongs to.
    #[serde(skip)]
    pub document: Option<usize>,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

impl ZoneUrba {
    /// The `IDURBA` of the plan whose regulation rules this zone: its own, else its document's.
    pub fn reglement_idurba<'a>(&'a self, documents: &'a [PlanDocument]) -> Option<&'a str> {
        self.idurba
            .as_deref()
            .or_else(|| Some(documents.get(self.document?)?.idurba.as_str()))
    }
}

/// Whether a [`UrbaFeature`] is a prescription or an information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UrbaFeatureKind {
    Prescription,
    Information,
}

/// A CNIG `PRESCRIPTION_SURF/LIN/PCT` or `INFO_SURF/LIN/PCT` feature.
#[derive(Debug, Clone, Serialize)]
pub struct UrbaFeature {
    #[serde(skip)]
    pub kind: UrbaFeatureKind,
    pub libelle: String,
    pub txt: Option<String>,
    /// `TYPEPSC` or `TYPEINF`, two digits.
    pub code: String,
    /// `STYPEPSC` or `STYPEINF`, two digits (absent in the 2014 standard).
    pub subcode: Option<String>,
    pub nomfic: Option<String>,
    pub urlfic: Option<String>,
    pub idurba: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A public-utility easement as it touches the ground: one assiette joined to its générateur and servitude.
#[derive(Debug, Clone, Serialize)]
pub struct Servitude {
    /// SUP category code (`AC1`, `PM3`, `INT1`…) read from the servitude table.
    pub categorie: String,
    pub id_ass: String,
    pub nom_ass: Option<String>,
    pub type_ass: Option<String>,
    pub id_gen: Option<String>,
    pub nom_gen: Option<String>,
    pub type_gen: Option<String>,
    pub id_sup: Option<String>,
    pub nom_sup: Option<String>,
    /// Plain-language name of the servitude (`nomSupLitt`).
    pub nom_sup_litt: Option<String>,
    pub acte: Option<ActeSup>,
    /// GASPAR code of the risk plan behind a PM1/PM3 easement (générateur `ID_GASPAR`), to show it once.
    pub id_gaspar: Option<String>,
    /// The delivery folder it was read from.
    pub source: String,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// The act that instituted a servitude (`ACTE_SUP`).
#[derive(Debug, Clone, Serialize, Default)]
pub struct ActeSup {
    pub nom: Option<String>,
    pub reference: Option<String>,
    pub type_acte: Option<String>,
    pub fichier: Option<String>,
    pub date_decision: Option<String>,
}

/// Kind of risk-prevention plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RiskPlanKind {
    /// Natural hazards (flood, landslide…).
    #[serde(rename = "PPRN")]
    Pprn,
    /// Technological hazards.
    #[serde(rename = "PPRT")]
    Pprt,
    /// Mining hazards.
    #[serde(rename = "PPRM")]
    Pprm,
    /// A risk overlay outside the PPR standards, declared in the manifest.
    #[serde(rename = "autre")]
    Other,
}

/// A risk plan (procedure) and its perimeter.
#[derive(Debug, Clone, Serialize)]
pub struct RiskPlan {
    /// Procedure code, e.g. `38DDT20200002`.
    pub code: String,
    pub kind: RiskPlanKind,
    pub name: String,
    /// State/approval date when the source gives one (ISO).
    pub date: Option<String>,
    /// The procedure's state in words (`approuvé`, `prescrit`…), when the source gives one (CNIG
    /// PPR `etatprocedure`; COVADIS perimeters carry none).
    pub state: Option<String>,
    pub url: Option<String>,
    #[serde(skip)]
    pub perimeter: Option<MultiPolygon<f64>>,
}

/// A regulatory zone of a risk plan.
#[derive(Debug, Clone, Serialize)]
pub struct RiskZone {
    /// Index into [`crate::dataset::Dataset::risk_plans`].
    #[serde(skip)]
    pub plan: usize,
    pub code: String,
    pub label: String,
    /// Regulation type code as in the source (`typereglement` / `typereg`).
    pub regulation: Option<String>,
    pub url: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A theme of zoning maps: a national or local map made of polygons with a code and a label
/// (seismic zoning, airport noise plan, clay-shrinkage hazard, former quarries…), declared in the
/// manifest with `role = "zoning"` and a `theme`. Adding a theme needs no code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ZoningTheme {
    /// Key of the theme (`sismicite`, `bruit-aeroport`, `carrieres`…): the answer section and the
    /// map layer are named after it.
    pub key: String,
    /// Name shown to users (`Zonage sismique`).
    pub name: String,
}

/// A polygon of a zoning map.
#[derive(Debug, Clone, Serialize)]
pub struct ZoningZone {
    /// Index into [`crate::dataset::Dataset::zoning_themes`].
    #[serde(skip)]
    pub theme: usize,
    /// The zone's code as the source writes it (`3`, `C`, `fort`…).
    pub code: String,
    /// The zone's label, from the manifest's field mapping.
    pub label: String,
    /// A link to the text behind the map, when the mapping gives one.
    pub url: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// Where a feature came from: the file and its 0-based feature number, for traceability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub feature: usize,
}

impl Origin {
    /// `file#feature`, the id used in answers to trace a rule back to its source.
    ///
    /// ```
    /// let o = urbaclic::model::Origin { file: "ZONE_URBA.shp".into(), feature: 3 };
    /// assert_eq!(o.id(), "ZONE_URBA.shp#3");
    /// ```
    pub fn id(&self) -> String {
        format!("{}#{}", self.file, self.feature)
    }
}

/// Why parts of a cadastral reference do not make a parcel id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParcelIdError {
    #[error("« insee » doit compter 5 caractères (ex. 91216, 2A004)")]
    Insee,
    #[error("« prefixe » doit compter 3 chiffres (000 en général)")]
    Prefixe,
    #[error("« section » : 1 ou 2 caractères (ex. AB, A)")]
    Section,
    #[error("« numero » : 1 à 4 chiffres")]
    Numero,
    #[error("identifiant de parcelle invalide « {0} » : 14 caractères attendus (INSEE 5 + préfixe 3 + section 2 + numéro 4, ex. 91216000AB0037)")]
    Id(String),
}

/// Length of a cadastral parcel id: INSEE (5) + prefix (3) + section (2) + number (4).
pub const PARCEL_ID_LEN: usize = 14;

/// Builds a 14-character parcel id, padding section and number as the cadastre does.
///
/// ```
/// use urbaclic::model::parcel_id;
/// assert_eq!(parcel_id("91216", "000", "ab", "37").unwrap(), "91216000AB0037");
/// assert_eq!(parcel_id("75118", "000", "A", "8").unwrap(), "751180000A0008");
/// assert!(parcel_id("9121", "000", "AB", "37").is_err());
/// ```
pub fn parcel_id(
    insee: &str,
    prefixe: &str,
    section: &str,
    numero: &str,
) -> Result<String, ParcelIdError> {
    let insee = insee.to_ascii_uppercase();
    if insee.len() != 5 || !insee.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ParcelIdError::Insee);
    }
    if prefixe.len() != 3 || !prefixe.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParcelIdError::Prefixe);
    }
    let section = section.to_ascii_uppercase();
    if section.is_empty()
        || section.len() > 2
        || !section.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ParcelIdError::Section);
    }
    if numero.is_empty() || numero.len() > 4 || !numero.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParcelIdError::Numero);
    }
    Ok(format!("{insee}{prefixe}{section:0>2}{numero:0>4}"))
}

/// Checks a whole parcel id as typed (any case, surrounding blanks), upper-cased.
///
/// ```
/// use urbaclic::model::parse_parcel_id;
/// assert_eq!(parse_parcel_id(" 91216000ab0037 ").unwrap(), "91216000AB0037");
/// assert!(parse_parcel_id("91216AB37").is_err());
/// ```
pub fn parse_parcel_id(id: &str) -> Result<String, ParcelIdError> {
    let id = id.trim().to_ascii_uppercase();
    if id.len() != PARCEL_ID_LEN || !id.is_ascii() {
        return Err(ParcelIdError::Id(id));
    }
    Ok(id)
}

/// The INSEE code of the commune a parcel id belongs to (its first five characters).
///
/// ```
/// assert_eq!(urbaclic::model::parcel_commune("91216000AB0037"), "91216");
/// ```
pub fn parcel_commune(id: &str) -> String {
    id.chars().take(5).collect()
}

/// `91216000AB0037` → `91216 000 AB 0037`, as the cadastre writes references.
///
/// ```
/// assert_eq!(urbaclic::model::spaced_parcel_id("91216000AB0037"), "91216 000 AB 0037");
/// assert_eq!(urbaclic::model::spaced_parcel_id("odd"), "odd");
/// ```
pub fn spaced_parcel_id(id: &str) -> String {
    if id.len() == PARCEL_ID_LEN && id.is_ascii() {
        format!("{} {} {} {}", &id[..5], &id[5..8], &id[8..10], &id[10..])
    } else {
        id.to_string()
    }
}
