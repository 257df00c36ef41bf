//! Command line: `urbaclic serve`, `urbaclic lookup`, `urbaclic check-data`.
//!
//! One binary with subcommands, like martin. `anyhow` is used here, at the edge, only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::api::{router, AppState};
use crate::dataset::Dataset;
use crate::load::load_dir;
use crate::lookup::{lookup, LookupAnswer};

/// urbaclic — règles d'urbanisme applicables à une adresse ou une parcelle.
#[derive(Parser, Debug)]
#[command(name = "urbaclic", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lance le service HTTP (API JSON et carte) sur les données.
    Serve {
        /// Dossier de données (manifeste urbaclic.toml ou fichiers reconnus par leur nom).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Adresse d'écoute.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Dossier de la page cartographique.
        #[arg(long)]
        frontend: Option<PathBuf>,
    },
    /// Interroge les données en un point et affiche ce qui s'y applique.
    Lookup {
        #[arg(long, allow_hyphen_values = true)]
        lat: Option<f64>,
        #[arg(long, allow_hyphen_values = true)]
        lon: Option<f64>,
        /// Réponse JSON complète au lieu du résumé en français.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Charge un dossier de données et rend compte de chaque couche (code de sortie non nul en cas d'erreur).
    CheckData {
        /// Dossier à vérifier (par défaut les données embarquées).
        dir: Option<PathBuf>,
        /// Rapport JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The embedded default data: `./data` when run from the repository, else the folder the binary was built from.
pub fn default_data_dir() -> PathBuf {
    let local = PathBuf::from("data");
    if local.join(crate::load::manifest::MANIFEST_FILE).exists() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The map page folder, found the same way as the data.
pub fn default_frontend_dir() -> PathBuf {
    let local = PathBuf::from("frontend");
    if local.join("index.html").exists() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend")
}

fn load(dir: Option<PathBuf>) -> anyhow::Result<Dataset> {
    let dir = dir.unwrap_or_else(default_data_dir);
    load_dir(&dir).with_context(|| format!("chargement des données de {}", dir.display()))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            data,
            listen,
            frontend,
        } => serve(data, listen, frontend),
        Command::Lookup {
            lat,
            lon,
            json,
            data,
        } => {
            let (Some(lat), Some(lon)) = (lat, lon) else {
                bail!("indiquez --lat et --lon (degrés WGS84)");
            };
            let at = crate::api::Coordinates::new(lon, lat).map_err(|e| anyhow::anyhow!("{e}"))?;
            let data = load(data)?;
            let answer = lookup(&data, at.lon, at.lat);
            if json {
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                print!("{}", render_text(&answer));
            }
            Ok(())
        }
        Command::CheckData { dir, json } => check_data(dir, json),
    }
}

fn serve(
    data: Option<PathBuf>,
    listen: SocketAddr,
    frontend: Option<PathBuf>,
) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let dataset = load(data)?;
    eprintln!(
        "données chargées en {} ms ({} couches, {} avertissements)",
        start.elapsed().as_millis(),
        dataset.report.layers.len(),
        dataset.report.warning_count()
    );
    let mut state = AppState::new(dataset);
    state.frontend_dir = Some(frontend.unwrap_or_else(default_frontend_dir));
    let app = router(state);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("écoute sur {listen}"))?;
        eprintln!("urbaclic à l'écoute sur http://{}", listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

fn check_data(dir: Option<PathBuf>, json: bool) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(default_data_dir);
    let data = match load_dir(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ERREUR : {e}");
            std::process::exit(1);
        }
    };
    let r = &data.report;
    if json {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    println!("Données : {}", r.root);
    for l in &r.layers {
        println!(
            "- {} [{}] : {} entités{} — SCR {} — encodage {}",
            l.file,
            l.layer,
            l.features,
            if l.skipped > 0 {
                format!(" ({} ignorées)", l.skipped)
            } else {
                String::new()
            },
            l.crs.as_deref().unwrap_or("-"),
            l.encoding.as_deref().unwrap_or("-"),
        );
        for w in l.warnings.iter().take(5) {
            println!("    avertissement : {w}");
        }
        if l.warnings.len() > 5 {
            println!("    … et {} autres avertissements", l.warnings.len() - 5);
        }
    }
    if !r.ignored.is_empty() {
        println!("Fichiers non reconnus ({}) :", r.ignored.len());
        for f in r.ignored.iter().take(20) {
            println!("    {f}");
        }
    }
    println!("Totaux : {}", data.summary_counts());
    println!(
        "Chargement : {} ms ; mémoire résidente : {}",
        r.load_ms,
        r.memory_mib
            .map(|m| format!("{m} Mio"))
            .unwrap_or_else(|| "inconnue".into())
    );
    println!("{} avertissement(s), 0 erreur", r.warning_count());
    Ok(())
}

/// A readable French listing of an answer, for the terminal.
pub fn render_text(a: &LookupAnswer) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "Point {:.6}, {:.6}", a.lat, a.lon);
    match &a.commune {
        Some(c) => {
            let _ = writeln!(s, "Commune : {} ({})", c.name, c.insee);
        }
        None => {
            let _ = writeln!(
                s,
                "Commune : inconnue (aucune limite communale chargée ici)"
            );
        }
    }
    match &a.parcel {
        Some(p) => {
            let _ = writeln!(
                s,
                "Parcelle : {} (section {}, n° {}{})",
                p.id,
                p.section,
                p.numero,
                p.contenance
                    .map(|c| format!(", {c} m²"))
                    .unwrap_or_default()
            );
        }
        None if a.coverage.cadastre => {
            let _ = writeln!(
                s,
                "Parcelle : aucune (point hors parcelle, sur la voirie ?)"
            );
        }
        None => {
            let _ = writeln!(s, "Parcelle : cadastre non chargé ici");
        }
    }
    match &a.document {
        Some(d) => {
            let _ = writeln!(
                s,
                "Document d'urbanisme : {} {}{}",
                d.document.typedoc,
                d.document.idurba,
                d.document
                    .datappro
                    .as_deref()
                    .map(|x| format!(", approuvé le {x}"))
                    .unwrap_or_default()
            );
        }
        None if a.coverage.planning => {
            let _ = writeln!(s, "Document d'urbanisme : données chargées, aucun document");
        }
        None => {
            let _ = writeln!(
                s,
                "Document d'urbanisme : aucune donnée d'urbanisme chargée ici"
            );
        }
    }
    for z in &a.zones {
        let _ = writeln!(
            s,
            "Zone {} ({}){}{}",
            z.libelle,
            z.typezone_label.unwrap_or(&z.typezone),
            z.libelong
                .as_deref()
                .map(|l| format!(" : {l}"))
                .unwrap_or_default(),
            z.urlfic
                .as_deref()
                .or(z.nomfic.as_deref())
                .map(|r| format!(" — règlement : {r}"))
                .unwrap_or_default()
        );
    }
    for p in &a.prescriptions {
        let _ = writeln!(
            s,
            "Prescription {}-{} : {}",
            p.code,
            p.subcode.as_deref().unwrap_or("00"),
            p.libelle
        );
    }
    for i in &a.informations {
        let _ = writeln!(s, "Information {} : {}", i.code, i.libelle);
    }
    for sup in &a.servitudes {
        let _ = writeln!(
            s,
            "Servitude {} ({}) : {}",
            sup.categorie,
            sup.categorie_label.unwrap_or("catégorie sans libellé"),
            sup.nom_sup_litt
                .as_deref()
                .or(sup.nom_gen.as_deref())
                .unwrap_or(&sup.id_ass)
        );
    }
    for r in &a.risks {
        let _ = writeln!(
            s,
            "Risque : {} — zone {} : {}{}",
            r.plan,
            r.zone_code,
            r.zone_label,
            r.regulation_label
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        );
    }
    let c = &a.coverage;
    let flag = |b: bool| if b { "oui" } else { "non" };
    let _ = writeln!(
        s,
        "Données chargées ici — cadastre : {}, urbanisme : {}, servitudes : {}, risques : {}",
        flag(c.cadastre),
        flag(c.planning),
        flag(c.servitudes),
        flag(c.risks)
    );
    s
}
