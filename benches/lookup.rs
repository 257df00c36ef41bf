//! In-process point lookups per second on the embedded data (issue 3: target ≤ 2 µs median).
//!
//! `cargo bench --bench lookup -- --warm-up-time 1 --measurement-time 5`
//!
//! Points are **synthetic**: drawn with a seeded LCG from the data's bounding boxes (lon/lat boxes
//! computed with pyproj/shapely in `tests/fixtures/real_data/expected.txt`, section [bboxes]) and from
//! a box over metropolitan France that is mostly outside the loaded data, so the mix has points inside
//! and outside coverage. The big-zone group uses the real-data points of `points.tsv` that shapely
//! places in PLUi zone 204 (16,354 vertices, 159 holes), plus its representative point.
//!
//! Groups:
//! - `lookup/mixed`: the full answer (`urbaclic::lookup::lookup`), one point per iteration, cycling.
//! - `lookup/plui_big_zone`: the full answer for points inside the 16,354-vertex zone.
//! - `lookup/in_parcel`: real-data points inside a parcel, answered for the whole parcel.
//! - `index/*`: only the R-tree + point-in-polygon step (`SpatialLayer::at` on the zones and parcels
//!   layers) for the same points, to tell index time from answer-building time.
//!
//! Before criterion runs, a latency report (p50/p90/p99 of single lookups timed with `Instant`,
//! split by whether the point fell in a parcel) is printed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use geo::Point;
use urbaclic::dataset::Dataset;
use urbaclic::lookup::{find_at, lookup};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Linear congruential generator (Knuth MMIX constants), seeded: the same points on every run.
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn in_box(&mut self, [x0, y0, x1, y1]: [f64; 4]) -> (f64, f64) {
        (
            x0 + (x1 - x0) * self.next_f64(),
            y0 + (y1 - y0) * self.next_f64(),
        )
    }
}

/// [bboxes] of expected.txt (lon/lat): the areas where data is loaded.
const COVERED: [(&str, [f64; 4]); 5] = [
    (
        "arpaillargues",
        [4.3376954801, 43.9762479939, 4.3990728001, 44.020062564],
    ),
    (
        "pezou",
        [1.1139820632, 47.8354333031, 1.1821647703, 47.900812577],
    ),
    (
        "plui",
        [2.7412740405, 46.7264269429, 3.0696038597, 46.9024855177],
    ),
    (
        "pprn_20200002",
        [5.9695541264, 44.983597074, 6.0843962165, 45.1188912444],
    ),
    ("paris18", [2.325749, 48.882236, 2.371732, 48.901837]),
];
/// Metropolitan France, roughly: most of it has no data loaded (synthetic "outside coverage" points).
const FRANCE: [f64; 4] = [-4.8, 42.3, 8.2, 51.1];

/// 2,000 synthetic points: half inside the covered boxes (round-robin), half anywhere in France.
fn mixed_points() -> Vec<(f64, f64)> {
    let mut lcg = Lcg(20261125);
    (0..2000)
        .map(|i| {
            if i % 2 == 0 {
                lcg.in_box(COVERED[(i / 2) % COVERED.len()].1)
            } else {
                lcg.in_box(FRANCE)
            }
        })
        .collect()
}

/// Real-data points of `points.tsv` that shapely places inside exactly one parcel (Paris 18e,
/// Épinay-sur-Orge, Rennes): these are answered for the whole parcel (zone shares, overlaps).
fn parcel_points() -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/real_data/points.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| {
            l.split('\t')
                .nth(4)
                .is_some_and(|p| p != "-" && !p.contains('|'))
        })
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect()
}

/// Real-data points inside PLUi zone 204 (shapely, make_points.py) and its representative point
/// ([plui_big] of expected.txt).
fn big_zone_points() -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/real_data/points.tsv")).unwrap();
    let mut pts: Vec<(f64, f64)> = text
        .lines()
        .skip(1)
        .filter(|l| {
            l.split('\t')
                .nth(5)
                .is_some_and(|z| z.contains("241800432_ZONE_URBA_20200128.shp#204"))
        })
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    pts.push((2.8290342325, 46.8144949948));
    pts
}

fn latency_report(data: &Dataset, name: &str, points: &[(f64, f64)]) {
    let mut in_parcel = Vec::new();
    let mut elsewhere = Vec::new();
    for _ in 0..5 {
        for &(lon, lat) in points {
            let t = Instant::now();
            let a = black_box(lookup(data, lon, lat));
            let dt = t.elapsed();
            if a.parcel.is_some() {
                in_parcel.push(dt);
            } else {
                elsewhere.push(dt);
            }
        }
    }
    let stats = |v: &mut Vec<Duration>| {
        if v.is_empty() {
            return "none".to_string();
        }
        v.sort();
        let p = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
        format!(
            "n={} p50 {:?} p90 {:?} p99 {:?} max {:?}",
            v.len(),
            p(0.5),
            p(0.9),
            p(0.99),
            p(1.0)
        )
    };
    let mut all: Vec<Duration> = in_parcel.iter().chain(&elsewhere).copied().collect();
    println!("{name}: all {}", stats(&mut all));
    println!(
        "{name}:   point in a parcel (answered for the parcel) {}",
        stats(&mut in_parcel)
    );
    println!("{name}:   point on no parcel {}", stats(&mut elsewhere));
}

fn main() {
    let t = Instant::now();
    let data = urbaclic::load::load_dir(&root().join("data")).expect("the embedded data loads");
    println!("load: {:?} (in the bench profile)", t.elapsed());
    let mixed = mixed_points();
    let big = big_zone_points();
    let in_parcel = parcel_points();
    println!(
        "points: {} mixed synthetic, {} of them answered with a zone, {} with a parcel; {} in PLUi zone 204",
        mixed.len(),
        mixed.iter().filter(|&&(x, y)| data.zones.at(Point::new(x, y), 0.0).next().is_some()).count(),
        mixed.iter().filter(|&&(x, y)| data.parcels.at(Point::new(x, y)).is_some()).count(),
        big.len()
    );
    println!("{} real-data points inside a parcel", in_parcel.len());
    latency_report(&data, "mixed (synthetic)", &mixed);
    latency_report(&data, "PLUi zone 204", &big);
    latency_report(&data, "in a parcel (real data)", &in_parcel);

    let mut c = Criterion::default().configure_from_args();
    for (name, points) in [
        ("mixed", &mixed),
        ("plui_big_zone", &big),
        ("in_parcel", &in_parcel),
    ] {
        let mut g = c.benchmark_group("lookup");
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % points.len();
                let (lon, lat) = points[i];
                black_box(lookup(&data, lon, lat))
            });
        });
        g.finish();
        // The core of the lookup: every layer's features at the point, borrowed, plus coverage —
        // what a spatial database query returns, before the parcel analysis and the French answer.
        let mut g = c.benchmark_group("find_at");
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % points.len();
                let (lon, lat) = points[i];
                black_box(find_at(&data, lon, lat).zones.len())
            });
        });
        g.finish();
        let mut g = c.benchmark_group("index");
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("zones_at", name), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % points.len();
                let (lon, lat) = points[i];
                black_box(data.zones.at(Point::new(lon, lat), 0.0).count())
            });
        });
        g.bench_function(BenchmarkId::new("parcels_at", name), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % points.len();
                let (lon, lat) = points[i];
                black_box(data.parcels.at(Point::new(lon, lat)).is_some())
            });
        });
        g.finish();
    }
    c.final_summary();
}
