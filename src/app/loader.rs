//! The loader thread: every dataset is built, and every replaced dataset dropped, on one long-lived
//! thread.
//!
//! The allocator (mimalloc) keeps per-thread heaps and gives a page back to the system only once
//! its owning thread has seen it free. A dataset built on a short-lived blocking thread and
//! dropped from a request thread leaves its pages stranded: resident memory grew by a dataset's
//! worth over the first reload and crept on after. Building and dropping on the same thread
//! returns them as soon as the old dataset's last request is done.

use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::dataset::Dataset;

type Job = Box<dyn FnOnce() + Send>;

/// The thread's queue, started on first use.
fn queue() -> Option<&'static mpsc::Sender<Job>> {
    static QUEUE: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (send, receive) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("urbaclic-chargement".into())
                .spawn(move || {
                    for job in receive {
                        job();
                    }
                })
                .ok()
                .map(|_| send)
        })
        .as_ref()
}

/// Runs `f` on the loader thread and waits for its result (on the calling thread when the loader
/// thread could not be started).
pub fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let _ = send.send(f());
    });
    match queue() {
        Some(q) => {
            let _ = q.send(job);
        }
        None => job(),
    }
    match receive.recv() {
        Ok(value) => value,
        // The job panicked on the loader thread: the caller sees the same panic (callers catch it).
        Err(_) => panic!("le chargement a échoué sur le fil de chargement"),
    }
}

/// Longest a replaced dataset waits for the requests still using it before being dropped anyway
/// (by the last of them, then).
const RETIRE_WAIT: Duration = Duration::from_secs(120);

/// Hands a replaced dataset to the loader thread, which drops it once no request uses it.
pub fn retire(old: Arc<Dataset>) {
    let job: Job = Box::new(move || {
        let start = Instant::now();
        while Arc::strong_count(&old) > 1 && start.elapsed() < RETIRE_WAIT {
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(old);
    });
    if let Some(q) = queue() {
        let _ = q.send(job);
    }
}
