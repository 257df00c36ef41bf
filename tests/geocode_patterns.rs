//! The BAN API "as people really type" (issue 15 §4): complements (building, flat, floor,
//! residence, BP, CS), the city or district first, bis/ter/quater letters typed apart, and a
//! street named only with street-type words. Queries and expected answers are in
//! tests/fixtures/geocode/patterns.csv, made by make_patterns.py from real rows of the staged
//! BAN file (expected id and label read from the CSV; how rows were picked is in the script).
//!
//! Run with `cargo test --test geocode_patterns -- --nocapture` to see the table.

use std::collections::BTreeMap;
use std::path::PathBuf;

use urbaclic::geocode::{AddressIndex, Filters, PlaceType, SearchQuery};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn index() -> AddressIndex {
    AddressIndex::build(
        &[root().join("data/ban-adresses-75118/adresses-75118.csv")],
        &[],
    )
    .unwrap()
}

/// Rows of patterns.csv: kind, query, expected id, expected label.
fn patterns() -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/geocode/patterns.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            [f[0], f[1], f[2], f[3]].map(str::to_string)
        })
        .collect()
}

#[test]
fn every_pattern_finds_the_ban_row() {
    let index = index();
    let rows = patterns();
    assert!(rows.len() > 200, "{} rows", rows.len());
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for row in &rows {
        let [kind, query, id, label] = row;
        // BAN clients send autocomplete=1 by default, batch files 0: both must work.
        for autocomplete in [false, true] {
            let q = SearchQuery {
                autocomplete,
                ..SearchQuery::new(query.clone())
            };
            let hits = index.search(&q);
            let got = hits.first().map(|h| (h.properties.id.as_str(), h.label()));
            let e = per_kind.entry(kind).or_default();
            e.1 += 1;
            if got == Some((id.as_str(), label.as_str())) {
                e.0 += 1;
            } else {
                failures.push(format!(
                    "{kind} ac={autocomplete}: {query:?} → {got:?}, attendu {id} {label}"
                ));
            }
        }
    }
    println!("{:<28} {:>4} {:>7}", "pattern", "n", "top-1");
    for (kind, (ok, n)) in &per_kind {
        println!("{kind:<28} {n:>4} {:>6.1}%", 100.0 * *ok as f64 / *n as f64);
    }
    for f in &failures {
        println!("  {f}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
}

/// The street itself, without a number: the staged file's only name made of street-type words
/// ("Passage Ruelle"; its id is the BAN street id, the rows' `75118_8430_000NN` without the
/// number: `grep ';Passage Ruelle;' data/ban-adresses-75118/adresses-75118.csv`).
#[test]
fn a_name_of_street_type_words_only_is_found() {
    let index = index();
    for q in [
        "passage ruelle",
        "Passage Ruelle 75018 Paris",
        "pass ruelle",
    ] {
        let hits = index.search(&SearchQuery {
            filters: Filters::kind(PlaceType::Street),
            ..SearchQuery::new(q)
        });
        let top = hits.first().map(|h| (h.properties.id.as_str(), h.label()));
        assert_eq!(
            top,
            Some(("75118_8430", "Passage Ruelle 75018 Paris")),
            "{q}"
        );
    }
}
