//! Start-up: loading and indexing the embedded data folder (`data/`, every staged layer, real
//! data), as `urbaclic serve` does before it listens.
//!
//! `cargo bench --bench load -- --warm-up-time 1 --measurement-time 20`
//!
//! Each iteration is a whole `load_dir`: reading every file, reprojecting, building the R-trees,
//! the coverage areas and the address index. The resident memory after a load is printed first.

use std::path::PathBuf;

use criterion::{black_box, Criterion};
use urbaclic::load::load_dir;

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let report = load_dir(&dir).expect("the embedded data loads").report;
    println!(
        "embedded data: {} layers, resident memory after load {:?} MiB",
        report.layers.len(),
        report.memory_mib
    );
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("embedded_data", |b| {
        b.iter(|| black_box(load_dir(&dir).expect("the embedded data loads")));
    });
    group.finish();
}

// A plain `main`, as in the other benches: `criterion_main!` would generate an undocumented
// `pub fn` that the `missing_docs` gate refuses.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
