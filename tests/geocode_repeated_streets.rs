//! The geocoder when street names repeat across thousands of communes, as « Rue du Moulin » does
//! nationally (issue 13): at 1 M synthetic addresses only 199 of 2,000 "number street commune"
//! queries found anything, because a street word in more than 1,000 places was skipped once
//! the (rarer) commune word had opened its municipality.
//!
//! The territory is labelled-**synthetic**, built here: 3,000 communes with invented one-word
//! names, each with the same four streets (« Rue du Moulin », « Chemin du Moulin », « Rue de la
//! Gare », « Impasse des Tilleuls ») of three numbers each: 36,000 rows, "moulin" in 6,000
//! streets. Queries and the expected BAN id are built from those rows (as the BAN file gives
//! them), not by the code under test. Before the fix, the first two tests failed (973 of 973
//! "number street commune" queries found nothing); the third passed (a commune typed first is a
//! context word, which opens no candidates, so "moulin" opened them all).

use urbaclic::geocode::ban_csv::BanRow;
use urbaclic::geocode::{AddressIndex, SearchQuery};

const COMMUNES: usize = 3_000;
const STREETS: [(&str, &str); 4] = [
    ("Rue du Moulin", "0010"),
    ("Chemin du Moulin", "0020"),
    ("Rue de la Gare", "0030"),
    ("Impasse des Tilleuls", "0040"),
];
const NUMBERS: [u32; 3] = [1, 2, 15];

/// An invented commune name, one per `k < 3,375` (15 × 15 × 15 syllables), so every commune
/// name is a word of its own as real ones are.
fn commune_name(k: usize) -> String {
    const A: [&str; 15] = [
        "Mon", "Bel", "Ver", "Cha", "Lau", "Sau", "Tré", "Pon", "Vil", "Rou", "Gar", "Ber", "Cas",
        "Mar", "Dor",
    ];
    const B: [&str; 15] = [
        "tri", "lo", "va", "ne", "ri", "bu", "so", "mé", "ga", "di", "fo", "pé", "zi", "cu", "la",
    ];
    const C: [&str; 15] = [
        "nac", "ville", "court", "gnac", "zac", "mont", "lieu", "vès", "rac", "dun", "sac", "vert",
        "nay", "gny", "bourg",
    ];
    format!("{}{}{}", A[k / 225], B[k / 15 % 15], C[k % 15])
}

/// The commune's INSEE code and postcode: 500 communes per département from 10.
fn codes(k: usize) -> (String, String) {
    let insee = format!("{}{:03}", 10 + k / 500, k % 500);
    (insee.clone(), insee)
}

fn rows() -> Vec<BanRow> {
    let mut rows = Vec::new();
    for k in 0..COMMUNES {
        let (insee, postcode) = codes(k);
        let name = commune_name(k);
        let lon = 1.0 + (k % 60) as f64 * 0.05;
        let lat = 43.0 + (k / 60) as f64 * 0.05;
        for (s, (street, code)) in STREETS.iter().enumerate() {
            for (i, &n) in NUMBERS.iter().enumerate() {
                let (dlon, dlat) = (s as f64 * 0.002, i as f64 * 0.0005);
                rows.push(BanRow {
                    id: format!("{insee}_{code}_{n:05}"),
                    numero: n,
                    rep: String::new(),
                    nom_voie: (*street).to_string(),
                    code_postal: postcode.clone(),
                    code_insee: insee.clone(),
                    nom_commune: name.clone(),
                    nom_ld: String::new(),
                    lon: lon + dlon,
                    lat: lat + dlat,
                    // Lambert-93 is not used by the search; a plausible placeholder.
                    x: 500_000.0 + (lon + dlon) * 1_000.0,
                    y: 6_200_000.0 + (lat + dlat) * 1_000.0,
                });
            }
        }
    }
    rows
}

/// Every 37th row: (query, expected id, expected label) read from the row.
fn labelled(rows: &[BanRow], query: impl Fn(&BanRow) -> String) -> Vec<(String, String, String)> {
    rows.iter()
        .step_by(37)
        .map(|r| {
            let label = format!(
                "{} {} {} {}",
                r.numero, r.nom_voie, r.code_postal, r.nom_commune
            );
            (query(r), r.id.clone(), label)
        })
        .collect()
}

/// Runs the queries; returns the misses (query, expected label, what came first).
fn misses(index: &AddressIndex, queries: &[(String, String, String)]) -> Vec<String> {
    queries
        .iter()
        .filter_map(|(q, id, label)| {
            let hits = index.search(&SearchQuery::new(q.clone()));
            match hits.first() {
                Some(h) if &h.properties.id == id && h.label() == label => None,
                Some(h) => Some(format!("« {q} »: {} attendu, {} trouvé", label, h.label())),
                None => Some(format!("« {q} »: {label} attendu, rien trouvé")),
            }
        })
        .collect()
}

#[test]
fn number_street_commune_finds_the_address_when_streets_repeat() {
    let rows = rows();
    let index = AddressIndex::from_rows(rows.clone(), &[]);
    let queries = labelled(&rows, |r| {
        format!("{} {} {}", r.numero, r.nom_voie, r.nom_commune)
    });
    assert!(queries.len() > 900, "{} queries", queries.len());
    let missed = misses(&index, &queries);
    assert!(
        missed.is_empty(),
        "{} of {} missed, e.g. {:?}",
        missed.len(),
        queries.len(),
        &missed[..missed.len().min(5)]
    );
}

#[test]
fn lowercase_with_postcode_and_commune_finds_the_address() {
    let rows = rows();
    let index = AddressIndex::from_rows(rows.clone(), &[]);
    let queries = labelled(&rows, |r| {
        format!(
            "{} {} {} {}",
            r.numero,
            r.nom_voie.to_lowercase(),
            r.code_postal,
            r.nom_commune.to_lowercase()
        )
    });
    let missed = misses(&index, &queries);
    assert!(
        missed.is_empty(),
        "{} missed: {:?}",
        missed.len(),
        &missed[..missed.len().min(5)]
    );
}

#[test]
fn commune_typed_first_finds_the_address() {
    let rows = rows();
    let index = AddressIndex::from_rows(rows.clone(), &[]);
    let queries = labelled(&rows, |r| {
        format!("{} {} {}", r.nom_commune, r.numero, r.nom_voie)
    });
    let missed = misses(&index, &queries);
    assert!(
        missed.is_empty(),
        "{} missed: {:?}",
        missed.len(),
        &missed[..missed.len().min(5)]
    );
}
