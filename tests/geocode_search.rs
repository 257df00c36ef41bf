//! Behaviour of the geocoder on the real Paris 18e BAN file: where addok is weak (missing
//! numbers, odd suffixes, short prefixes, junk), filters, bias, reverse, municipalities from
//! commune boundaries, and no panic on any input.

use std::path::PathBuf;
use std::sync::OnceLock;

use urbaclic::geocode::lambert::haversine_m;
use urbaclic::geocode::{
    is_uncertain, AddressIndex, CommuneEntry, Filters, PlaceType, SearchHit, SearchQuery,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn index() -> &'static AddressIndex {
    static INDEX: OnceLock<AddressIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let csv = root().join("data/ban-adresses-75118/adresses-75118.csv");
        AddressIndex::build(&[csv], &haute_garonne()).unwrap()
    })
}

/// Commune centroids (mean of the outer ring's vertices: good enough for a label point).
fn haute_garonne() -> Vec<CommuneEntry> {
    let path = root().join("data/communes-france-geojson/communes-31-haute-garonne.geojson");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let g = &f["geometry"];
            let ring = if g["type"] == "Polygon" {
                &g["coordinates"][0]
            } else {
                &g["coordinates"][0][0]
            };
            let pts = ring.as_array().unwrap();
            let n = pts.len() as f64;
            let (lon, lat) = pts.iter().fold((0.0, 0.0), |(a, b), p| {
                (
                    a + p[0].as_f64().unwrap() / n,
                    b + p[1].as_f64().unwrap() / n,
                )
            });
            CommuneEntry {
                insee: f["properties"]["code"].as_str().unwrap().into(),
                name: f["properties"]["nom"].as_str().unwrap().into(),
                lon,
                lat,
            }
        })
        .collect()
}

fn search(q: &str) -> Vec<SearchHit> {
    index().search(&SearchQuery::new(q))
}

fn top(q: &str) -> SearchHit {
    search(q)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no hit for {q:?}"))
}

#[test]
fn typed_lowercase_without_accents_and_with_a_typo() {
    let h = top("6 rue emile duploy paris");
    assert_eq!(h.properties.label, "6 Rue Emile Duployé 75018 Paris");
    assert_eq!(h.properties.kind, PlaceType::Housenumber);
    assert!(h.properties.score > 0.6);
    let h = top("bd barbes 75018");
    assert_eq!(h.properties.label, "Boulevard Barbès 75018 Paris");
    assert_eq!(h.properties.kind, PlaceType::Street);
}

#[test]
fn real_world_filler() {
    let h = top("12-14 rue ordener");
    assert_eq!(h.properties.label, "12 Rue Ordener 75018 Paris");
    let h = top("16, rue Ordener, 75018 PARIS, France");
    assert_eq!(h.properties.label, "16 Rue Ordener 75018 Paris");
    let h = top("rue ordener 16");
    assert_eq!(h.properties.label, "16 Rue Ordener 75018 Paris");
    let h = top("16 rue ordener paris 18eme");
    assert_eq!(h.properties.label, "16 Rue Ordener 75018 Paris");
    // A wrong street type still finds the street, but the right type wins when it exists.
    let h = top("16 avenue ordener");
    assert_eq!(h.properties.label, "16 Rue Ordener 75018 Paris");
    let h = top("12 impasse de la chapelle");
    assert!(h.properties.label.contains("Impasse de la Chapelle"));
    // No data for Lyon: nothing rather than the Paris street of the same name.
    assert!(search("10 rue lepic lyon").is_empty());
}

#[test]
fn junk_returns_nothing() {
    for q in [
        "a",
        "<script>alert(1)</script>",
        "北京市朝阳区",
        "Москва, Красная площадь",
        "zzzzzz qqqqq",
        "!!!! ???",
        "12",
        "75018",
        "rue",
        "rue de la",
        "SELECT * FROM adresses; --",
    ] {
        let hits = search(q);
        assert!(
            hits.is_empty(),
            "{q:?} gave {:?}",
            hits.first().map(|h| h.label().to_string())
        );
    }
}

#[test]
fn missing_number_is_interpolated_on_its_side() {
    // 18 rue Ordener is not in the staged file; 16 and 20 (even side) are.
    let street = index().search(&SearchQuery {
        filters: Filters::kind(PlaceType::Street),
        ..SearchQuery::new("rue ordener")
    });
    assert_eq!(street[0].properties.name, "Rue Ordener");
    let h = top("18 rue ordener paris");
    assert_eq!(h.properties.housenumber.as_deref(), Some("18"));
    assert!(h.properties.interpolated);
    assert_eq!(h.properties.id, "75118_6918_00018");
    let n16 = top("16 rue ordener paris");
    let n20 = top("20 rue ordener paris");
    assert!(!n16.properties.interpolated && !n20.properties.interpolated);
    let d = |a: &SearchHit, b: &SearchHit| haversine_m(a.lon, a.lat, b.lon, b.lat);
    assert!(d(&h, &n16) <= d(&n16, &n20) + 1.0 && d(&h, &n20) <= d(&n16, &n20) + 1.0);
    // Far past the last number: the street itself, not a made-up point.
    let far = top("9999 rue ordener paris");
    assert_eq!(far.properties.kind, PlaceType::Street);
}

#[test]
fn odd_suffixes() {
    let h = top("23bz rue des poissonniers");
    assert!(
        h.properties.label.starts_with("23b"),
        "{}",
        h.properties.label
    );
    let h = top("152ap rue des poissonniers");
    assert_eq!(h.properties.housenumber.as_deref(), Some("152ap"));
    let h = top("2 bis rue marcadet");
    assert!(h
        .properties
        .housenumber
        .as_deref()
        .unwrap()
        .starts_with("2b"));
    let h = top("2bs rue marcadet");
    assert!(h
        .properties
        .housenumber
        .as_deref()
        .unwrap()
        .starts_with("2b"));
}

#[test]
fn short_autocomplete_prefixes() {
    let ac = |q: &str| {
        index().search(&SearchQuery {
            autocomplete: true,
            ..SearchQuery::new(q)
        })
    };
    assert!(ac("18 rue ord")[0].properties.label.contains("Ordener"));
    assert!(ac("bd bar")[0].properties.label.contains("Barbès"));
    assert!(ac("bd b")
        .iter()
        .any(|h| h.properties.label.contains("Barbès")));
    assert!(ac("a").is_empty());
}

#[test]
fn filters_and_bias() {
    let base = SearchQuery::new("rue de la chapelle");
    let only_numbers = index().search(&SearchQuery {
        filters: Filters::kind(PlaceType::Housenumber),
        ..SearchQuery::new("12 rue de la chapelle")
    });
    assert!(only_numbers
        .iter()
        .all(|h| h.properties.kind == PlaceType::Housenumber));
    let with = |filters: Filters| {
        index().search(&SearchQuery {
            filters,
            ..base.clone()
        })
    };
    let postcodes = |p: &[&str]| Filters {
        postcodes: p.iter().map(ToString::to_string).collect(),
        ..Filters::default()
    };
    assert!(with(postcodes(&["75017"])).is_empty());
    // Several values are alternatives (`postcode=75018 75017`).
    assert!(!with(postcodes(&["75017", "75018"])).is_empty());
    let other_city = with(Filters {
        citycodes: vec!["75117".into()],
        ..Filters::default()
    });
    assert!(other_city.is_empty());
    // `type=street&type=locality`: a number typed gives the street, never a house number.
    let streets_or_places = index().search(&SearchQuery {
        filters: Filters {
            kinds: vec![PlaceType::Street, PlaceType::Locality],
            ..Filters::default()
        },
        ..SearchQuery::new("12 rue de la chapelle")
    });
    assert!(!streets_or_places.is_empty());
    assert!(streets_or_places
        .iter()
        .all(|h| matches!(h.properties.kind, PlaceType::Street | PlaceType::Locality)));
    let limited = index().search(&SearchQuery {
        limit: 2,
        ..base.clone()
    });
    assert_eq!(limited.len(), 2);
    // Two streets share "Chapelle"; a point near the impasse pulls it up.
    let plain = index().search(&SearchQuery::new("chapelle"));
    let imp = plain
        .iter()
        .find(|h| h.properties.name.starts_with("Impasse"))
        .cloned();
    if let Some(imp) = imp {
        let biased = index().search(&SearchQuery {
            lon: Some(imp.lon),
            lat: Some(imp.lat),
            ..SearchQuery::new("chapelle")
        });
        assert_eq!(biased[0].properties.id, imp.properties.id);
    }
}

#[test]
fn municipalities_from_commune_boundaries() {
    let h = top("toulouse");
    assert_eq!(h.properties.kind, PlaceType::Municipality);
    assert_eq!(h.properties.citycode, "31555");
    assert_eq!(h.properties.context, "31, Haute-Garonne, Occitanie");
    assert!((h.lon - 1.44).abs() < 0.1 && (h.lat - 43.6).abs() < 0.1);
    // Neither the BAN files nor the commune outlines carry a population or a BAN importance:
    // null, not made up; other hits have no population field at all.
    assert_eq!(
        (h.properties.population, h.properties.importance),
        (Some(None), None)
    );
    let json = serde_json::to_value(&h).unwrap();
    assert!(json["properties"]["population"].is_null());
    assert!(json["properties"]
        .as_object()
        .unwrap()
        .contains_key("population"));
    let number = top("71 rue du mont cenis");
    assert_eq!(number.properties.population, None);
    assert!(number.properties.importance.is_some());
    // Paris 18e has no boundary file here: derived from its addresses.
    let p = top("paris 18e arrondissement");
    assert_eq!(p.properties.kind, PlaceType::Municipality);
    assert_eq!(p.properties.citycode, "75118");
}

#[test]
fn reverse_finds_the_nearest_number() {
    let h = top("71 rue du mont cenis");
    let none = Filters::default();
    let r = index().reverse(h.lon, h.lat, &none, 1);
    assert_eq!(r[0].properties.id, h.properties.id);
    assert_eq!(r[0].properties.distance, Some(0));
    let streets = index().reverse(h.lon, h.lat, &Filters::kind(PlaceType::Street), 3);
    assert_eq!(streets[0].properties.name, "Rue du Mont Cenis");
    let muni = index().reverse(1.44, 43.6, &Filters::kind(PlaceType::Municipality), 1);
    assert_eq!(muni[0].properties.citycode, "31555");
    assert!(index().reverse(f64::NAN, 48.0, &none, 1).is_empty());
    // Code filters on reverse: the same point, in or out of the commune / postcode asked.
    let codes = |postcodes: &[&str], citycodes: &[&str]| Filters {
        postcodes: postcodes.iter().map(ToString::to_string).collect(),
        citycodes: citycodes.iter().map(ToString::to_string).collect(),
        ..Filters::default()
    };
    let at = |f: &Filters| index().reverse(h.lon, h.lat, f, 1);
    assert_eq!(
        at(&codes(&[], &["75118"]))[0].properties.id,
        h.properties.id
    );
    assert!(at(&codes(&[], &["31555"])).is_empty());
    assert!(at(&codes(&["75017"], &[])).is_empty());
    assert_eq!(
        at(&codes(&["75017", "75018"], &[]))[0].properties.id,
        h.properties.id
    );
    // Several types: the nearest of either (Toulouse has no address here, only its centroid).
    let either = Filters {
        kinds: vec![PlaceType::Housenumber, PlaceType::Municipality],
        ..Filters::default()
    };
    assert_eq!(
        index().reverse(1.44, 43.6, &either, 1)[0]
            .properties
            .citycode,
        "31555"
    );
}

#[test]
fn uncertainty_rule() {
    assert!(!is_uncertain(&search("71 rue du mont cenis 75018 paris")));
    // "chapelle" alone: Rue, Impasse, Boulevard… de la Chapelle are all plausible.
    assert!(is_uncertain(&search("chapelle")));
    assert!(is_uncertain(&[]));
}

#[test]
fn no_panic_on_odd_input() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let alphabet: Vec<char> = "aeiouéèàçÿœ ÆßǅＡ１２3bis-'’/\\;,.\u{0}\u{301}\u{200b}\u{feff}\u{202e}北京Москва🏠\u{10FFFF}"
        .chars()
        .collect();
    for _ in 0..3000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 40) as usize;
        for k in 0..len {
            s.push(alphabet[((seed >> (k % 50)) as usize + k * 7) % alphabet.len()]);
        }
        for ac in [false, true] {
            let _ = index().search(&SearchQuery {
                autocomplete: ac,
                ..SearchQuery::new(s.clone())
            });
        }
    }
    let long = "rue ".repeat(10_000);
    assert!(index().search(&SearchQuery::new(long)).is_empty());
    let digits = "9".repeat(300);
    let _ = search(&digits);
    let _ = search("4294967296 rue ordener");
    let _ = search("0 rue ordener");
}
