//! Writes a labelled-**synthetic** territory (Etalab cadastre, BAN, commune boundaries, CNIG PLU
//! deliveries; nothing real) for tests, benchmarks and deployment trials:
//!
//! `cargo run --release --example synthetic_territory -- --parcels 1000000 --seed 1 --out /tmp/t`
//!
//! then `urbaclic serve --data /tmp/t`. See `docs/scaling.md`.

mod territory;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// Options of the generator.
#[derive(Parser)]
#[command(about = "Écrit un territoire SYNTHÉTIQUE (cadastre Etalab, BAN, communes, PLU CNIG)")]
struct Args {
    /// Nombre de parcelles (et d'adresses).
    #[arg(long, default_value_t = 100_000)]
    parcels: u64,
    /// Graine : la même graine donne les mêmes fichiers, octet pour octet.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Dossier de sortie (créé).
    #[arg(long)]
    out: PathBuf,
    /// Parcelles par commune.
    #[arg(long, default_value_t = 2_000)]
    parcels_per_commune: u32,
    /// Communes par département (999 au plus).
    #[arg(long, default_value_t = 500)]
    communes_per_departement: u32,
    /// Une commune sur N reçoit un PLU (0 : aucune).
    #[arg(long, default_value_t = 4)]
    plu_every: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = territory::Spec {
        parcels: args.parcels,
        seed: args.seed,
        parcels_per_commune: args.parcels_per_commune,
        communes_per_departement: args.communes_per_departement,
        plu_every: args.plu_every,
    };
    let start = Instant::now();
    match territory::generate(&spec, &args.out) {
        Ok(summary) => {
            println!(
                "{summary} écrit dans {} en {:.1} s",
                args.out.display(),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("erreur : {e}");
            ExitCode::FAILURE
        }
    }
}
