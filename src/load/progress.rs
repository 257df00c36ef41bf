//! The progress of a long load: files done out of the total, features read, throughput and the
//! time left (estimated on the bytes of the files, the best measure of the work left when one
//! département file weighs as much as hundreds of commune files).
//!
//! On a terminal it is a bar on standard error (`indicatif`); otherwise (a service, CI, a pipe)
//! a plain log line every few seconds and one at the end, so logs stay readable. Loaders
//! ([`super::load_sources`], a snapshot build) hold one [`Progress`] and tell it each source done.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often a plain log line is written.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// The progress of a load.
#[derive(Debug)]
pub struct Progress {
    files_total: usize,
    bytes_total: u64,
    files_done: usize,
    bytes_done: u64,
    features: u64,
    start: Instant,
    last_log: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Starts the progress of a load of `files` files weighing `bytes` bytes: a bar when
    /// standard error is a terminal, log lines otherwise.
    pub fn start(files: usize, bytes: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(bytes);
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {msg} · reste ≈ {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress {
            files_total: files,
            bytes_total: bytes,
            files_done: 0,
            bytes_done: 0,
            features: 0,
            start: now,
            last_log: now,
            bar,
        }
    }

    /// One source done: its `files` files of `bytes` bytes, holding `features` features.
    pub fn source_done(&mut self, files: usize, bytes: u64, features: u64) {
        self.files_done += files;
        self.bytes_done += bytes;
        self.features += features;
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.bytes_done);
                bar.set_message(self.counts(self.start.elapsed()));
            }
            None if self.last_log.elapsed() >= LOG_EVERY => {
                self.last_log = Instant::now();
                tracing::info!("chargement : {}", self.line(self.start.elapsed()));
            }
            None => {}
        }
    }

    /// The load is over: the bar is cleared, a last line logged.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let elapsed = self.start.elapsed();
        tracing::info!(
            "chargement terminé : {} fichiers, {} entités en {:.1} s",
            self.files_done,
            self.features,
            elapsed.as_secs_f64()
        );
    }

    /// Files, features and throughput after `elapsed`.
    fn counts(&self, elapsed: Duration) -> String {
        let rate = per_second(self.features, elapsed);
        format!(
            "{}/{} fichiers · {} entités · {rate:.0} entités/s",
            self.files_done, self.files_total, self.features
        )
    }

    /// The plain log line after `elapsed`: counts and the time left.
    fn line(&self, elapsed: Duration) -> String {
        let bytes_rate = per_second(self.bytes_done, elapsed);
        let left = self.bytes_total.saturating_sub(self.bytes_done) as f64;
        let eta = match bytes_rate > 0.0 {
            true => format!("{:.0} s", left / bytes_rate),
            false => "inconnu".into(),
        };
        format!("{} · reste ≈ {eta}", self.counts(elapsed))
    }
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
    match elapsed.as_secs_f64() {
        s if s > 0.0 => n as f64 / s,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_line_counts_and_estimates_on_bytes() {
        // By hand: 3 of 10 files, 300 of 1 000 bytes in 6 s → 50 B/s, 700 B left → 14 s;
        // 1 200 features in 6 s → 200 features/s.
        let mut p = Progress::start(10, 1_000);
        p.bar = None;
        p.source_done(1, 100, 200);
        p.source_done(2, 200, 1_000);
        assert_eq!(
            p.line(Duration::from_secs(6)),
            "3/10 fichiers · 1200 entités · 200 entités/s · reste ≈ 14 s"
        );
        assert!(p.line(Duration::ZERO).ends_with("reste ≈ inconnu"));
    }
}
