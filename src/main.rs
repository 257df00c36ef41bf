//! The `urbaclic` command: parses the command line and runs it (see [`urbaclic::cli`]).

fn main() {
    let cli = urbaclic::cli::parse();
    if let Err(e) = urbaclic::cli::run(cli) {
        eprintln!("erreur : {e:#}");
        std::process::exit(1);
    }
}
