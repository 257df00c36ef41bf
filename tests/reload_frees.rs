//! A reload frees the dataset it replaces once the requests using it are done: nothing else
//! (caches, views, the reload itself) keeps it alive, so memory does not grow reload after reload.

use std::path::PathBuf;
use std::sync::Arc;

use urbaclic::app::AppState;
use urbaclic::load::load_dir;

#[test]
fn the_replaced_dataset_is_freed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut state = AppState::new(load_dir(&dir).unwrap());
    state.data_dir = Some(dir);
    let old = Arc::downgrade(&state.dataset());
    state.reload().unwrap();
    // It is dropped by the loader thread once no request holds it: at once here.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while old.upgrade().is_some() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        old.upgrade().is_none(),
        "the old dataset is still referenced after the reload"
    );
}
