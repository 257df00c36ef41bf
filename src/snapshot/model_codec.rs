//! [`Codec`] for every type a snapshot stores: the domain types, the load report, the
//! regulations and the address index. One line per type; the macros refuse to compile when a
//! field or variant is left out.

use super::codec::{codec_struct, codec_unit_enum, Codec, DecodeError, Reader};
use crate::dataset::{Coverage, CoverageLayer};
use crate::geocode::index::{City, HouseNumber, IndexStats, Place, PlaceType, Pos};
use crate::geocode::vocab::Vocab;
use crate::load::conformity::{DeliveryConformity, Issue, Severity};
use crate::model::{
    ActeSup, Commune, DeliveredLayers, Generateur, LayerDelivery, Origin, Parcel, Piece,
    PlanDocument, RiskPlan, RiskPlanKind, RiskZone, RiskZoneKind, Servitude, UrbaFeature,
    UrbaFeatureKind, ZoneUrba, ZoningTheme, ZoningZone,
};
use crate::reglement::html::HtmlNode;
use crate::reglement::{Contenu, Reglement, Titre, ZoneScope};
use crate::report::{LayerReport, LoadReport};

codec_struct!(Origin { file, feature });
codec_struct!(Commune {
    insee,
    name,
    approximate,
    geometry
});
codec_struct!(Parcel {
    id,
    commune,
    prefixe,
    section,
    numero,
    contenance,
    geometry
});
codec_unit_enum!(LayerDelivery {
    Delivered,
    NotDelivered,
    Unreadable
});
codec_struct!(DeliveredLayers {
    zones,
    prescriptions,
    informations
});
codec_struct!(PlanDocument {
    idurba,
    typedoc,
    datappro,
    datefin,
    siren,
    etat,
    nomreg,
    urlreg,
    nomplan,
    urlplan,
    siteweb,
    communes,
    source,
    layers,
});
codec_struct!(ZoneUrba {
    libelle,
    libelong,
    typezone,
    destdomi,
    nomfic,
    urlfic,
    idurba,
    insee,
    datvalid,
    sector,
    document,
    origin,
    geometry,
});
codec_unit_enum!(UrbaFeatureKind {
    Prescription,
    Information
});
codec_struct!(UrbaFeature {
    kind,
    libelle,
    txt,
    code,
    subcode,
    nomfic,
    urlfic,
    idurba,
    datvalid,
    origin,
    geometry,
});
codec_struct!(ActeSup {
    nom,
    reference,
    type_acte,
    fichier,
    date_decision
});
codec_struct!(Servitude {
    categorie,
    id_ass,
    nom_ass,
    type_ass,
    id_gen,
    nom_gen,
    type_gen,
    id_sup,
    nom_sup,
    nom_sup_litt,
    acte,
    id_gaspar,
    source,
    origin,
    geometry,
});
codec_struct!(Generateur {
    categorie,
    id_gen,
    nom_gen,
    type_gen,
    mode_genere,
    src_geo_gen,
    date_src_gen,
    fichier,
    source,
    origin,
    geometry,
});
codec_unit_enum!(RiskPlanKind {
    Pprn,
    Pprt,
    Pprm,
    Other
});
codec_struct!(RiskPlan {
    code,
    kind,
    name,
    date,
    state,
    url,
    perimeter
});
codec_unit_enum!(RiskZoneKind { Urba, Foncier });
codec_struct!(RiskZone {
    plan,
    code,
    label,
    kind,
    regulation,
    url,
    origin,
    geometry
});
codec_struct!(ZoningTheme { key, name });
codec_struct!(ZoningZone {
    theme,
    code,
    label,
    url,
    origin,
    geometry
});
codec_struct!(Piece {
    delivery,
    path,
    name,
    file
});
codec_unit_enum!(CoverageLayer {
    Cadastre,
    Planning,
    Servitudes,
    Risks,
    Zoning
});
codec_struct!(Coverage {
    layer,
    source,
    scope,
    basis,
    geometry
});

codec_struct!(HtmlNode {
    tag,
    href,
    text,
    children
});
codec_struct!(Contenu { id, zones, nodes });
codec_struct!(Titre {
    id,
    niveau,
    numero,
    intitule,
    zones,
    parent,
    contenus
});
codec_struct!(Reglement {
    id_urba,
    nom,
    lien,
    type_doc,
    file,
    titres
});

impl Codec for ZoneScope {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ZoneScope::General => out.push(0),
            ZoneScope::Zones(zones) => {
                out.push(1);
                zones.encode(out);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(ZoneScope::General),
            1 => Vec::decode(r).map(ZoneScope::Zones),
            tag => Err(DecodeError::Tag {
                what: "ZoneScope",
                tag,
                at: r.position() - 1,
            }),
        }
    }
}

codec_unit_enum!(Severity {
    Error,
    Warning,
    Info
});
codec_struct!(Issue {
    rule,
    severity,
    file,
    row,
    message,
    effect
});
codec_struct!(DeliveryConformity {
    delivery,
    errors,
    warnings,
    infos,
    issues
});
codec_struct!(LayerReport {
    file,
    layer,
    features,
    skipped,
    crs,
    encoding,
    warnings
});
codec_struct!(LoadReport {
    root,
    layers,
    conformity,
    ignored,
    load_ms,
    memory_mib
});

codec_unit_enum!(PlaceType {
    Housenumber,
    Street,
    Locality,
    Municipality
});
codec_struct!(Pos { lon, lat, x, y });
codec_struct!(HouseNumber {
    number,
    rep,
    id,
    pos
});
codec_struct!(Place {
    kind,
    name,
    words,
    city,
    postcode,
    id,
    pos,
    numbers
});
codec_struct!(City {
    insee,
    city,
    district,
    context,
    words
});
codec_struct!(IndexStats {
    housenumbers,
    streets,
    localities,
    municipalities,
    words,
    skipped_rows,
    memory_bytes,
});
codec_struct!(Vocab {
    ids,
    words,
    sorted,
    deletes,
    postings,
    weight
});
