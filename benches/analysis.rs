//! Parcel-level and footprint analyses per second on the embedded data (issue 5).
//!
//! - `parcel`: `lookup_parcel` on real parcels of Paris 18e, Épinay-sur-Orge and Rennes, by id.
//! - `footprint_arpaillargues`: 60 m squares centred on real parcel-sized spots across the
//!   Arpaillargues PLU, straddling zone boundaries (synthetic footprints, real zones).
//! - `footprint_plui_big_zone`: 60 m squares centred on vertices of the 16,354-vertex zone A of the
//!   PLUi, so every footprint crosses that zone's boundary (synthetic footprints, real zone).
//!
//! Run: `cargo bench --bench analysis -- --warm-up-time 1 --measurement-time 5`.

use criterion::Criterion;
use geo::{polygon, CoordsIter, Geometry};
use urbaclic::analysis::Footprint;
use urbaclic::dataset::Dataset;
use urbaclic::load::load_dir;
use urbaclic::lookup::{lookup_footprint, lookup_parcel};

fn data() -> Dataset {
    load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).expect("data loads")
}

/// A square of `side_m` metres centred on (lon, lat).
fn square(lon: f64, lat: f64, side_m: f64) -> Geometry<f64> {
    let (ky, kx) = urbaclic::geometry::metres_per_degree(lat);
    let (dx, dy) = (side_m / 2.0 / kx, side_m / 2.0 / ky);
    Geometry::Polygon(polygon![
        (x: lon - dx, y: lat - dy), (x: lon + dx, y: lat - dy),
        (x: lon + dx, y: lat + dy), (x: lon - dx, y: lat + dy)
    ])
}

fn bench(c: &mut Criterion) {
    let data = data();
    let ids: Vec<String> = (0..data.parcels.len())
        .step_by(23)
        .filter_map(|i| Some(data.parcels.get(i)?.id.clone()))
        .collect();
    let mut g = c.benchmark_group("analysis");
    let mut i = 0;
    g.bench_function("parcel", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            lookup_parcel(&data, &ids[i]).unwrap()
        });
    });
    let arpaillargues: Vec<Footprint> = data
        .zones
        .features()
        .iter()
        .filter(|z| z.origin.file.contains("30014"))
        .flat_map(|z| z.geometry.coords_iter().step_by(40).collect::<Vec<_>>())
        .filter_map(|c| Footprint::new(square(c.x, c.y, 60.0)))
        .collect();
    let mut j = 0;
    g.bench_function("footprint_arpaillargues", |b| {
        b.iter(|| {
            j = (j + 1) % arpaillargues.len();
            lookup_footprint(&data, &arpaillargues[j]).unwrap()
        });
    });
    let big = data
        .zones
        .features()
        .iter()
        .max_by_key(|z| z.geometry.coords_count())
        .unwrap();
    let around_big: Vec<Footprint> = big
        .geometry
        .coords_iter()
        .step_by(97)
        .filter_map(|c| Footprint::new(square(c.x, c.y, 60.0)))
        .collect();
    let mut k = 0;
    g.bench_function("footprint_plui_big_zone", |b| {
        b.iter(|| {
            k = (k + 1) % around_big.len();
            lookup_footprint(&data, &around_big[k]).unwrap()
        });
    });
    g.finish();
}

// A plain `main`, as in the other benches: `criterion_main!` would generate an undocumented
// `pub fn` that the `missing_docs` gate refuses.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
