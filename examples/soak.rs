//! Loopback soak test of the server binary against the targets of issue 12, on real data with a
//! synthetic load (every client here is synthetic). Two bounded phases:
//!
//! 1. **Held connections**: 1,000 idle connections and 100 slow ones (a request body sent one
//!    byte a second) are held open while three clients post worst-case footprints (a 9,999-vertex
//!    star of ~1 km², within every limit, around a vertex of the most detailed zone); `/health`
//!    is timed 400 times meanwhile.
//! 2. **Reloads under load**: four clients ask mixed lookups while the data is reloaded
//!    `--reloads` times through `POST /admin/reload`; every failed request is counted, and the
//!    resident memory is read after the first reload and after the last.
//!
//! ```text
//! cargo build --release --bin urbaclic --example soak
//! target/release/examples/soak [--bin target/release/urbaclic] [--data data] [--reloads 50]
//! ```
//!
//! Loopback only; every loop is bounded in count and time.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use geo::CoordsIter;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const TOKEN: &str = "soak-test-token-0123456789";

struct Args {
    bin: PathBuf,
    data: PathBuf,
    reloads: usize,
}

fn args() -> Args {
    let mut a = Args {
        bin: PathBuf::from("target/release/urbaclic"),
        data: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data"),
        reloads: 50,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--bin" => a.bin = value.into(),
            "--data" => a.data = value.into(),
            "--reloads" => a.reloads = value.parse().expect("--reloads N"),
            other => panic!("option inconnue : {other}"),
        }
    }
    a
}

/// Resident memory of `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The worst footprint the limits accept: a star of 9,999 vertices and about 1 km² (radii 400 and
/// 700 m) centred on a vertex of the zone with the most vertices.
fn worst_footprint(data: &Path) -> String {
    let dataset = urbaclic::load::load_dir(data).expect("the data loads");
    let big = dataset
        .zones
        .features()
        .iter()
        .max_by_key(|z| z.geometry.coords_count())
        .expect("zones");
    let centre = big.geometry.coords_iter().nth(100).expect("vertices");
    let (ky, kx) = urbaclic::geometry::metres_per_degree(centre.y);
    let n = 9_998;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = if i % 2 == 0 { 700.0 } else { 400.0 };
            [centre.x + r * a.cos() / kx, centre.y + r * a.sin() / ky]
        })
        .collect();
    ring.push(ring[0]);
    serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string()
}

fn start(args: &Args, port: u16) -> (Child, PathBuf) {
    let dir = std::env::temp_dir().join(format!("urbaclic-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("urbaclic-server.toml");
    // Idle connections are held for the whole phase (header timeout 60 s), and the connection
    // cap is above the 1,100 held on purpose.
    std::fs::write(
        &config,
        format!(
            "[limits]\nheader_timeout_ms = 60000\nbody_timeout_ms = 60000\nmax_connections = 2000\n\
             reload_max_loss_pct = 100\n[admin]\ntoken = \"{TOKEN}\"\n"
        ),
    )
    .unwrap();
    let child = Command::new(&args.bin)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&args.data)
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    (child, dir)
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server not ready within 60 s");
}

/// Phase 1: `/health` latencies (ms, sorted) while connections are held and footprints run.
async fn held_connections(base: &str, port: u16, footprint: Arc<String>) -> (Vec<f64>, u64) {
    let mut held = Vec::new();
    for _ in 0..1000 {
        held.push(
            TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("idle connection"),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                return;
            };
            let head = "POST /api/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
            let _ = s.write_all(head.as_bytes()).await;
            for _ in 0..60 {
                if stop.load(Ordering::Relaxed) || s.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }));
    }
    let footprints_done = Arc::new(AtomicU64::new(0));
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let (stop, client, footprint, done) = (
            stop.clone(),
            client.clone(),
            footprint.clone(),
            footprints_done.clone(),
        );
        let url = format!("{base}/api/lookup");
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(footprint.to_string())
                    .timeout(Duration::from_secs(60))
                    .send()
                    .await;
                if r.is_ok_and(|r| r.status().is_success()) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::new();
    let health = format!("{base}/health");
    let probe = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for _ in 0..400 {
        let t = Instant::now();
        let ok = probe
            .get(&health)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        latencies.push(if ok {
            t.elapsed().as_secs_f64() * 1e3
        } else {
            f64::INFINITY
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(70), t).await;
    }
    drop(held);
    latencies.sort_by(f64::total_cmp);
    (latencies, footprints_done.load(Ordering::Relaxed))
}

/// What phase 2 measured.
struct Reloads {
    requests: u64,
    failures: u64,
    refused: u64,
    /// Resident memory (MiB) under load before the first reload, after it, after the last.
    rss: [f64; 3],
}

/// Phase 2: requests, failures and memory over `reloads` reloads under load.
async fn reloads_under_load(base: &str, reloads: usize, pid: u32) -> Reloads {
    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let (requests, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let urls = [
        "/api/lookup?lat=43.99982&lon=4.36968",
        "/api/lookup?lat=48.8925&lon=2.3444",
        "/api/lookup?parcel=91216000AB0037",
        "/search/?q=12%20rue%20hermel%20paris&limit=5",
        "/api/layers?bbox=4.35,43.99,4.38,44.01&zoom=16",
        "/health",
    ];
    let mut tasks = Vec::new();
    for k in 0..4 {
        let (stop, client, requests, failures) = (
            stop.clone(),
            client.clone(),
            requests.clone(),
            failures.clone(),
        );
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut i = k;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let r = client
                    .get(format!("{base}{}", urls[i % urls.len()]))
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await;
                requests.fetch_add(1, Ordering::Relaxed);
                let ok = match r {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // The memory under this load before any reload: the baseline of the target.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = rss_mib(pid);
    let mut refused = 0;
    let mut first = 0.0;
    for n in 0..reloads {
        let r = client
            .post(format!("{base}/admin/reload"))
            .bearer_auth(TOKEN)
            .timeout(Duration::from_secs(120))
            .send()
            .await;
        if !r.is_ok_and(|r| r.status().is_success()) {
            refused += 1;
        }
        if n == 0 {
            first = rss_mib(pid);
        }
    }
    let last = rss_mib(pid);
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(40), t).await;
    }
    Reloads {
        requests: requests.load(Ordering::Relaxed),
        failures: failures.load(Ordering::Relaxed),
        refused,
        rss: [before, first, last],
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    let footprint = Arc::new(worst_footprint(&args.data));
    let port = 18_000 + (std::process::id() % 1000) as u16;
    let base = format!("http://127.0.0.1:{port}");
    let (mut child, dir) = start(&args, port);
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;
    let pid = child.id();
    let loaded = rss_mib(pid);

    let (health, footprints) = held_connections(&base, port, footprint).await;
    let after_phase_1 = rss_mib(pid);
    let r = reloads_under_load(&base, args.reloads, pid).await;

    let failed_probes = health.iter().filter(|l| l.is_infinite()).count();
    println!(
        "machine: {} cœurs",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
    println!("phase 1 — 1 000 connexions inactives + 100 lentes + 3 emprises extrêmes en boucle");
    println!(
        "  /health : p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {failed_probes} échec(s) sur {}",
        percentile(&health, 0.5),
        percentile(&health, 0.99),
        health.last().copied().unwrap_or(0.0),
        health.len()
    );
    println!("  emprises extrêmes analysées : {footprints}");
    println!(
        "phase 2 — {} rechargements sous charge (4 clients)",
        args.reloads
    );
    println!(
        "  requêtes : {}, échecs : {}, rechargements refusés : {}",
        r.requests, r.failures, r.refused
    );
    let [before, first, last] = r.rss;
    println!(
        "  mémoire résidente (Mio) : {loaded:.0} au démarrage, {after_phase_1:.0} après la phase 1, \
         {before:.0} sous charge avant rechargement, {first:.0} après le 1er, {last:.0} après le \
         dernier ({:.2}× le 1er chargement sous charge, {:.2}× le 1er rechargement)",
        last / before,
        last / first
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}
