//! Geocoder speed: index build, full-address and autocomplete queries, reverse; plus a latency
//! report (p50/p99 per query) and the index memory estimate, printed before criterion runs.
//!
//! `cargo bench --bench geocode` (a few minutes; short measurement times on purpose).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{black_box, Criterion, Throughput};
use urbaclic::geocode::ban_csv::read_ban_file;
use urbaclic::geocode::{AddressIndex, Filters, SearchQuery};

fn csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/ban-adresses-75118/adresses-75118.csv")
}

/// (query, autocomplete) from the labelled set.
fn queries() -> Vec<(String, bool)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geocode/queries.csv");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            (f[2].to_string(), f[1] == "1")
        })
        .collect()
}

fn latency_report(index: &AddressIndex, qs: &[(String, bool)]) {
    let mut times = Vec::new();
    for _ in 0..5 {
        for (q, ac) in qs {
            let mut sq = SearchQuery::new(q.clone());
            sq.autocomplete = *ac;
            let t = Instant::now();
            black_box(index.search(&sq));
            times.push(t.elapsed());
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let total: Duration = times.iter().sum();
    println!(
        "search latency over {} queries: p50 {:?}, p99 {:?}, max {:?}, single-thread {:.0} queries/s",
        times.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0),
        times.len() as f64 / total.as_secs_f64()
    );
    let s = index.stats();
    println!(
        "index: {} numbers, {} streets, {} words, ~{:.1} MiB",
        s.housenumbers,
        s.streets,
        s.words,
        s.memory_bytes as f64 / (1 << 20) as f64
    );
}

/// Index build and query latency on ten copies of the file under ten made-up communes
/// (~98k rows): a build-time figure per 100k addresses, and a worst case for search where every
/// street name exists ten times.
fn scaled_build_report(qs: &[(String, bool)]) {
    let rows = read_ban_file(&csv()).unwrap().rows;
    let mut big = Vec::with_capacity(rows.len() * 10);
    for k in 0..10 {
        for r in &rows {
            let mut r = r.clone();
            r.code_insee = format!("751{:02}", k + 1);
            r.nom_commune = format!("Commune{k}");
            r.id = format!("{k}{}", r.id);
            big.push(r);
        }
    }
    let n = big.len();
    let t = Instant::now();
    let index = AddressIndex::from_rows(big, &[]);
    println!(
        "build from {n} parsed rows (10 copies): {:?}, ~{:.1} MiB",
        t.elapsed(),
        index.stats().memory_bytes as f64 / (1 << 20) as f64
    );
    let t = Instant::now();
    let parsed = (0..10)
        .map(|_| read_ban_file(&csv()).unwrap().rows.len())
        .sum::<usize>();
    println!("CSV parsing of {parsed} rows: {:?}", t.elapsed());
    latency_report(&index, qs);
}

fn main() {
    let t = Instant::now();
    let index = AddressIndex::build(&[csv()], &[]).unwrap();
    println!(
        "build (first, cold cache): {:?} for {} rows",
        t.elapsed(),
        index.stats().housenumbers
    );
    let qs = queries();
    latency_report(&index, &qs);

    scaled_build_report(&qs);

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let mut g = c.benchmark_group("geocode");
    g.throughput(Throughput::Elements(index.stats().housenumbers as u64));
    g.bench_function("build_index", |b| {
        b.iter(|| AddressIndex::build(&[csv()], &[]).unwrap());
    });
    let full: Vec<SearchQuery> = qs
        .iter()
        .filter(|q| !q.1)
        .map(|q| SearchQuery::new(q.0.clone()))
        .collect();
    g.throughput(Throughput::Elements(full.len() as u64));
    g.bench_function("search_full", |b| {
        b.iter(|| {
            for q in &full {
                black_box(index.search(q));
            }
        });
    });
    // Every prefix of a few full queries, as typed key by key in an autocomplete box.
    let mut typed = Vec::new();
    for (q, _) in qs.iter().filter(|q| !q.1).take(60) {
        for end in (3..=q.len()).filter(|&e| q.is_char_boundary(e)) {
            let mut sq = SearchQuery::new(&q[..end]);
            sq.autocomplete = true;
            typed.push(sq);
        }
    }
    g.throughput(Throughput::Elements(typed.len() as u64));
    g.bench_function("search_autocomplete_keystrokes", |b| {
        b.iter(|| {
            for q in &typed {
                black_box(index.search(q));
            }
        });
    });
    let points: Vec<(f64, f64)> = (0..200)
        .map(|i| {
            (
                2.3256 + 0.0459 * (i as f64 / 200.0),
                48.882 + 0.0198 * ((i * 37 % 200) as f64 / 200.0),
            )
        })
        .collect();
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_function("reverse", |b| {
        b.iter(|| {
            for &(lon, lat) in &points {
                black_box(index.reverse(lon, lat, &Filters::default(), 1));
            }
        });
    });
    g.finish();
    c.final_summary();
}
