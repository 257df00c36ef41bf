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
    /// INSEE code, 5 characters (`91216`, `2A004`).
    pub insee: String,
    /// Official name, from the boundary file or, failing one, the address files.
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
    /// INSEE code of the commune (5 characters).
    pub commune: String,
    /// Cadastral prefix, 3 digits: `000` except for absorbed communes and Paris/Lyon/Marseille arrondissements.
    pub prefixe: String,
    /// Cadastral section, 2 characters left-padded with `0` (`0A`, `AB`).
    pub section: String,
    /// Parcel number within the section, 4 digits (`0037`).
    pub numero: String,
    /// Declared area in m² (`contenance`), when the source gives one.
    pub contenance: Option<f64>,
    /// Always polygonal.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A planning document (CNIG `DOC_URBA`): PLU, PLUi, CC, POS, PSMV.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct PlanDocument {
    /// CNIG `IDURBA`: the document's id, `<INSEE or SIREN>_<TYPEDOC>_<DATAPPRO>` by convention.
    pub idurba: String,
    /// `PLU`, `PLUi`, `CC`, `POS`, `PSMV` (normalised case).
    pub typedoc: String,
    /// Approval date, ISO `yyyy-mm-dd` when the source gives a valid `yyyymmdd`.
    pub datappro: Option<String>,
    /// End of validity (`DATEFIN`), ISO like `datappro`; `None` when absent or not a valid date.
    pub datefin: Option<String>,
    /// EPCI SIREN for intercommunal plans.
    pub siren: Option<String>,
    /// CNIG `ETAT`: state of the procedure, the code as the source writes it.
    pub etat: Option<String>,
    /// File name of the written regulation (`NOMREG`).
    pub nomreg: Option<String>,
    /// Link to the written regulation (`URLREG`).
    pub urlreg: Option<String>,
    /// File name of the zoning map (`NOMPLAN`).
    pub nomplan: Option<String>,
    /// Link to the zoning map (`URLPLAN`).
    pub urlplan: Option<String>,
    /// Web site of the document (`SITEWEB`).
    pub siteweb: Option<String>,
    /// INSEE codes of the communes the document covers (`DOC_URBA_COM`).
    pub communes: Vec<String>,
    /// Name of the delivery folder it was read from.
    pub source: String,
    /// Which of its layers the delivery gave: "not delivered" is not "nothing here".
    pub layers: DeliveredLayers,
}

/// Whether a delivery gave one of its document's layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LayerDelivery {
    /// The layer was read: where it has no feature, there is none.
    Delivered,
    /// No file of that layer in the delivery: nothing can be said of it.
    #[default]
    NotDelivered,
    /// A file was delivered but could not be read (its report says why).
    Unreadable,
}

/// The state of each layer family of a planning document's delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, utoipa::ToSchema)]
pub struct DeliveredLayers {
    /// Zones (`ZONE_URBA`) or carte communale sectors (`SECTEUR_CC`).
    pub zones: LayerDelivery,
    /// `PRESCRIPTION_SURF/LIN/PCT`.
    pub prescriptions: LayerDelivery,
    /// `INFO_SURF/LIN/PCT`.
    pub informations: LayerDelivery,
}

/// A zone of a planning document (CNIG `ZONE_URBA`, or `SECTEUR_CC` for a carte communale).
#[derive(Debug, Clone, Serialize)]
pub struct ZoneUrba {
    /// Short zone code (`LIBELLE`, e.g. `UA`, `1AUb`, `Nh`).
    pub libelle: String,
    /// Long zone name (`LIBELONG`).
    pub libelong: Option<String>,
    /// `U`, `AUc`, `AUs`, `A`, `N` (or, for a carte communale sector, `TYPESECT` 01/02/03).
    pub typezone: String,
    /// Dominant use (`DESTDOMI`, 2014 standard), two digits; `None` in the 2017 standard.
    pub destdomi: Option<String>,
    /// File name of the zone's regulation (`NOMFIC`).
    pub nomfic: Option<String>,
    /// Link to the zone's regulation (`URLFIC`).
    pub urlfic: Option<String>,
    /// `IDURBA` of the document the zone belongs to, as the zone's own row gives it.
    pub idurba: Option<String>,
    /// INSEE code of the commune (`INSEE`), mostly given in PLUi deliveries.
    pub insee: Option<String>,
    /// Validation date (`DATVALID`), ISO `yyyy-mm-dd`.
    pub datvalid: Option<String>,
    /// A carte communale sector (`SECTEUR_CC`, `typezone` holds its `TYPESECT`), not a PLU zone.
    #[serde(skip)]
    pub sector: bool,
    /// Index into [`crate::dataset::Dataset::documents`] of the document this zone belongs to.
    #[serde(skip)]
    pub document: Option<usize>,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// Always polygonal.
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
    /// A `PRESCRIPTION_*` feature: a rule drawn on the map (classified woodland, reserved site…).
    Prescription,
    /// An `INFO_*` feature: information shown for the record (ZAC, pre-emption right…).
    Information,
}

/// A CNIG `PRESCRIPTION_SURF/LIN/PCT` or `INFO_SURF/LIN/PCT` feature.
#[derive(Debug, Clone, Serialize)]
pub struct UrbaFeature {
    /// Prescription or information: which CNIG table it was read from.
    #[serde(skip)]
    pub kind: UrbaFeatureKind,
    /// Its name as the document writes it (`LIBELLE`).
    pub libelle: String,
    /// Free text of the feature (`TXT`).
    pub txt: Option<String>,
    /// `TYPEPSC` or `TYPEINF`, two digits.
    pub code: String,
    /// `STYPEPSC` or `STYPEINF`, two digits (absent in the 2014 standard).
    pub subcode: Option<String>,
    /// File name of its regulation (`NOMFIC`).
    pub nomfic: Option<String>,
    /// Link to its regulation (`URLFIC`).
    pub urlfic: Option<String>,
    /// `IDURBA` of the planning document it belongs to.
    pub idurba: Option<String>,
    /// Date the feature was validated (`DATVALID`), ISO.
    pub datvalid: Option<String>,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// Polygon, line or point.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A public-utility easement as it touches the ground: one assiette joined to its générateur and servitude.
#[derive(Debug, Clone, Serialize)]
pub struct Servitude {
    /// SUP category code (`AC1`, `PM3`, `INT1`…) read from the servitude table.
    pub categorie: String,
    /// Id of the assiette (`IdAss`), or `<file>#<feature>` when the row has none.
    pub id_ass: String,
    /// Name of the assiette (`nomAss`).
    pub nom_ass: Option<String>,
    /// Type of the assiette (`typeAss`, e.g. a protection perimeter).
    pub type_ass: Option<String>,
    /// Id of the générateur (`IdGen`): the monument, pipe, line… the easement protects.
    pub id_gen: Option<String>,
    /// Name of the générateur (`nomGen`).
    pub nom_gen: Option<String>,
    /// Type of the générateur (`typeGen`).
    pub type_gen: Option<String>,
    /// Id of the servitude (`IdSup`).
    pub id_sup: Option<String>,
    /// Name of the servitude (`nomSup`).
    pub nom_sup: Option<String>,
    /// Plain-language name of the servitude (`nomSupLitt`).
    pub nom_sup_litt: Option<String>,
    /// The act that instituted it (`ACTE_SUP`), when the delivery links one.
    pub acte: Option<ActeSup>,
    /// GASPAR code of the risk plan behind a PM1/PM3 easement (générateur `ID_GASPAR`), to show it once.
    pub id_gaspar: Option<String>,
    /// The delivery folder it was read from.
    pub source: String,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// The assiette: polygon, line or point (lines and points count within a tolerance).
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// A générateur of a CNIG SUP delivery (`GENERATEUR_SUP_S/L/P`): the monument, pipe, line… an
/// easement protects, drawn as delivered. Answers meet the assiettes ([`Servitude`]); the
/// générateurs are served as API Carto's `generateur-sup-*` tables.
#[derive(Debug, Clone, Serialize)]
pub struct Generateur {
    /// SUP category code of its servitude (as [`Servitude::categorie`]).
    pub categorie: String,
    /// Its id (`IdGen`).
    pub id_gen: Option<String>,
    /// Its name (`nomGen`).
    pub nom_gen: Option<String>,
    /// Its type (`typeGen`).
    pub type_gen: Option<String>,
    /// How its geometry was made (`modeGenere`).
    pub mode_genere: Option<String>,
    /// Source of its geometry (`srcGeoGen`).
    pub src_geo_gen: Option<String>,
    /// Date of that source (`dateSrcGen`), as delivered.
    pub date_src_gen: Option<String>,
    /// File of the act that instituted its servitude, when the delivery links one.
    pub fichier: Option<String>,
    /// The delivery folder it was read from.
    pub source: String,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// Polygon, line or point.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// The act that instituted a servitude (`ACTE_SUP`).
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct ActeSup {
    /// Name of the act (`nomActe`).
    pub nom: Option<String>,
    /// Reference of the act (`reference`); `None` when the source says `inconnu`.
    pub reference: Option<String>,
    /// Type of act (`typeActe`: decree, order…).
    pub type_acte: Option<String>,
    /// File of the act (`fichier`).
    pub fichier: Option<String>,
    /// Decision date (`dateDecis`), ISO `yyyy-mm-dd`.
    pub date_decision: Option<String>,
}

/// Kind of risk-prevention plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    /// Natural, technological, mining or other.
    pub kind: RiskPlanKind,
    /// Name of the procedure.
    pub name: String,
    /// State/approval date when the source gives one (ISO).
    pub date: Option<String>,
    /// The procedure's state in words (`approuvé`, `prescrit`…), when the source gives one (CNIG
    /// PPR `etatprocedure`; COVADIS perimeters carry none).
    pub state: Option<String>,
    /// Link to the plan's documents, when the source gives one.
    pub url: Option<String>,
    /// The plan's perimeter (CNIG `perimetre_s`), when delivered: inside it and in no zone is an answer too.
    #[serde(skip)]
    pub perimeter: Option<MultiPolygon<f64>>,
}

/// Which regulatory zoning of a risk plan a zone belongs to (CNIG Géostandard Risques PPR v1.0:
/// classes `ZoneReglementaireUrba` and `ZoneReglementaireFoncier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskZoneKind {
    /// Rules for building and land use (`*_zonereglementaireurba_s`, COVADIS zones, manifest zones).
    Urba,
    /// Land measures of a PPRT (`*_zonereglementairefoncier_s`): secteurs de délaissement or
    /// d'expropriation possibles.
    Foncier,
}

/// A regulatory zone of a risk plan.
#[derive(Debug, Clone, Serialize)]
pub struct RiskZone {
    /// Index into [`crate::dataset::Dataset::risk_plans`].
    #[serde(skip)]
    pub plan: usize,
    /// Zone code (`codezonereglement`, e.g. `R`, `B1`).
    pub code: String,
    /// Zone label (`libellezonereglement`).
    pub label: String,
    /// Which zoning it belongs to: rules for building, or land measures.
    pub kind: RiskZoneKind,
    /// Regulation type code as in the source (`typereglement` / `typereg`); its list depends on
    /// `kind` (`typereglementurba` or `typereglementfoncier`).
    pub regulation: Option<String>,
    /// Link to the zone's regulation, when the source gives one.
    pub url: Option<String>,
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// Always polygonal.
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
    /// Where it was read from: file name and feature number.
    #[serde(skip)]
    pub origin: Origin,
    /// Always polygonal.
    #[serde(skip)]
    pub geometry: Geometry<f64>,
}

/// Where a feature came from: the file and its 0-based feature number, for traceability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// File name (as shown in load reports, e.g. `ZONE_URBA.shp`).
    pub file: String,
    /// 0-based number of the feature in that file.
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
    /// The INSEE code is not 5 characters.
    #[error("« insee » doit compter 5 caractères (ex. 91216, 2A004)")]
    Insee,
    /// The prefix is not 3 digits.
    #[error("« prefixe » doit compter 3 chiffres (000 en général)")]
    Prefixe,
    /// The section is not 1 or 2 characters.
    #[error("« section » : 1 ou 2 caractères (ex. AB, A)")]
    Section,
    /// The number is not 1 to 4 digits.
    #[error("« numero » : 1 à 4 chiffres")]
    Numero,
    /// A whole id that is not 14 characters of the expected layout.
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

/// A written piece of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The delivery it belongs to ([`crate::model::PlanDocument::source`]).
    pub delivery: String,
    /// Its path relative to the data folder, `/`-separated: its address under `/api/pieces/`.
    pub path: String,
    /// Its file name, to match `NOMFIC`/`NOMREG`.
    pub name: String,
    /// Where it is on disk.
    pub file: std::path::PathBuf,
}

impl Piece {
    /// Its address on the server: `/api/pieces/<path>`, percent-encoded.
    pub fn url(&self) -> String {
        format!("/api/pieces/{}", url_path(&self.path))
    }
}

/// `path` with each segment percent-encoded, for a URL.
///
/// ```
/// assert_eq!(urbaclic::model::url_path("a b/Règlement.pdf"), "a%20b/R%C3%A8glement.pdf");
/// ```
pub fn url_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            seg.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}
