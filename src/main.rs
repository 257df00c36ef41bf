//! The `urbaclic` command: parses the command line and runs it (see [`urbaclic::cli`]).

/// mimalloc rather than glibc's allocator: each reload frees a whole dataset, and glibc's
/// per-thread arenas kept it (resident memory ×2.8 after 50 reloads under load, ×1.8 with
/// `MALLOC_ARENA_MAX=2`; with mimalloc and the loader thread of `app::loader`, 1.45×: README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = urbaclic::cli::parse();
    if let Err(e) = urbaclic::cli::run(cli) {
        eprintln!("erreur : {e:#}");
        std::process::exit(1);
    }
}
