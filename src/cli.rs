//! Command line: `urbaclic serve`, `urbaclic lookup`, `urbaclic cua`, `urbaclic check-data`.
//!
//! One binary with subcommands, like martin. `anyhow` is used here, at the edge, only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::api::router_with;
use crate::app::AppState;
use crate::config::ServerConfig;
use crate::cua::{self, Format, Origin, Subject};
use crate::dataset::Dataset;
use crate::load::load_dir;
use crate::lookup::{lookup, lookup_address, lookup_parcel, LookupAnswer, Position};

/// urbaclic — règles d'urbanisme applicables à une adresse ou une parcelle.
#[derive(Parser, Debug)]
#[command(name = "urbaclic", version, about)]
pub struct Cli {
    /// The sub-command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands (their French doc comments are the `--help` text).
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lance le service HTTP (API JSON et carte) sur les données. SIGHUP recharge les données.
    Serve {
        /// Dossier de données (manifeste urbaclic.toml ou fichiers reconnus par leur nom).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Adresse d'écoute (défaut 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Dossier de la page cartographique (défaut : la copie intégrée au binaire).
        #[arg(long)]
        frontend: Option<PathBuf>,
        /// Fichier de configuration du serveur (voir docs/configuration.md).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Affiche les règles qui s'appliquent à une adresse, un point ou une parcelle.
    Lookup {
        /// Adresse à géocoder, ex. « 12 rue Ordener Paris ».
        address: Option<String>,
        /// Identifiant de parcelle (14 caractères, ex. 91216000AB0037).
        #[arg(long)]
        parcel: Option<String>,
        /// Latitude WGS84 en degrés décimaux, avec --lon.
        #[arg(long, allow_hyphen_values = true)]
        lat: Option<f64>,
        /// Longitude WGS84 en degrés décimaux, avec --lat.
        #[arg(long, allow_hyphen_values = true)]
        lon: Option<f64>,
        /// Réponse JSON complète au lieu du résumé en français.
        #[arg(long)]
        json: bool,
        /// Dossier de données (par défaut les données embarquées).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Écrit le projet de certificat d'urbanisme d'information (CUa) d'une ou plusieurs parcelles
    /// d'une commune, ou d'un point, en PDF ou en HTML selon l'extension du fichier.
    Cua {
        /// Identifiant(s) de parcelle, séparés par des virgules (une même commune).
        #[arg(long)]
        parcel: Option<String>,
        /// Latitude WGS84 d'un point, au lieu de --parcel.
        #[arg(long, allow_hyphen_values = true)]
        lat: Option<f64>,
        /// Longitude WGS84 d'un point, au lieu de --parcel.
        #[arg(long, allow_hyphen_values = true)]
        lon: Option<f64>,
        /// Fichier à écrire : .pdf ou .html.
        #[arg(long)]
        out: PathBuf,
        /// Adresse publique du service, pour le lien et le code QR (ex. https://urbaclic.example.fr).
        #[arg(long)]
        base_url: Option<String>,
        /// Dossier de données (par défaut les données embarquées).
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
            config,
        } => {
            let config = match config {
                Some(path) => ServerConfig::read(&path).context("configuration du serveur")?,
                None => ServerConfig::default(),
            };
            serve(
                data.or(config.data.clone()),
                listen.or(config.listen).unwrap_or(DEFAULT_LISTEN),
                frontend.or(config.frontend.clone()),
                &config,
            )
        }
        Command::Lookup {
            address,
            parcel,
            lat,
            lon,
            json,
            data,
        } => {
            let data = load(data)?;
            let answer = match (address, parcel, lat, lon) {
                (Some(q), None, None, None) => {
                    tokio::runtime::Runtime::new()?.block_on(lookup_address(&data, None, &q))?
                }
                (None, Some(id), None, None) => lookup_parcel(&data, &id)?,
                (None, None, Some(lat), Some(lon)) => {
                    let at = Position::new(lon, lat)?;
                    lookup(&data, at.lon, at.lat)
                }
                _ => {
                    bail!("indiquez une adresse, ou --parcel ID, ou --lat et --lon (degrés WGS84)")
                }
            };
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&answer)?));
            } else {
                emit(&render_text(&answer));
            }
            Ok(())
        }
        Command::Cua {
            parcel,
            lat,
            lon,
            out,
            base_url,
            data,
        } => {
            let format = Format::of_path(&out)?;
            let subject = match (parcel, lat, lon) {
                (Some(list), None, None) => Subject::parcels(&list)?,
                (None, Some(lat), Some(lon)) => Subject::Point(Position::new(lon, lat)?),
                _ => bail!("indiquez --parcel ID[,ID…] ou --lat et --lon (degrés WGS84)"),
            };
            let data = load(data)?;
            let c = cua::certificate(&data, &subject, &Origin::now(base_url))?;
            std::fs::write(&out, cua::render(&c, format)?)
                .with_context(|| format!("écriture de {}", out.display()))?;
            eprintln!("{} écrit : {}", out.display(), c.reference);
            Ok(())
        }
        Command::CheckData { dir, json } => check_data(dir, json),
    }
}

/// Where `serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

fn serve(
    data: Option<PathBuf>,
    listen: SocketAddr,
    frontend: Option<PathBuf>,
    config: &ServerConfig,
) -> anyhow::Result<()> {
    init_logs();
    let start = std::time::Instant::now();
    let data_dir = data.unwrap_or_else(default_data_dir);
    let dataset = load(Some(data_dir.clone()))?;
    eprintln!(
        "données chargées en {} ms ({} couches, {} avertissements)",
        start.elapsed().as_millis(),
        dataset.report.layers.len(),
        dataset.report.warning_count()
    );
    let mut state = AppState::new(dataset);
    state.upstream = config.upstream().context("configuration du serveur")?;
    state.frontend_dir = frontend;
    state.workers = config.workers().context("configuration du serveur")?;
    state.admin_token = config.admin_token().context("configuration du serveur")?;
    state.reload_max_loss = config
        .reload_max_loss()
        .context("configuration du serveur")?;
    state.data_dir = Some(data_dir);
    state.public_url = config.public_url.clone();
    state.basemaps = config.basemaps.clone().into();
    let limits = config
        .request_limits()
        .context("configuration du serveur")?;
    // Before the connection cap is derived from it.
    crate::server::raise_open_file_limit();
    let connections = config
        .connection_limits()
        .context("configuration du serveur")?;
    let app = router_with(state.clone(), &limits);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        reload_on_sighup(state);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("écoute sur {listen}"))?;
        eprintln!("urbaclic à l'écoute sur http://{}", listener.local_addr()?);
        crate::server::serve(listener, app, &connections, shutdown_signal()).await;
        eprintln!("urbaclic arrêté");
        Ok(())
    })
}

/// Server logs on stderr through `tracing`, at `info` unless `RUST_LOG` says otherwise; one JSON
/// object per line (with the request span: id, method, route) when `URBACLIC_LOG_FORMAT=json`,
/// for log collectors.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("URBACLIC_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().try_init()
    } else {
        logs.try_init()
    };
}

/// Completes on SIGTERM (what service managers and container runtimes send) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// SIGHUP reloads the data folder; a failed reload is reported and the previous data kept.
fn reload_on_sighup(state: AppState) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            let s = state.clone();
            let outcome = tokio::task::spawn_blocking(move || s.reload()).await;
            match outcome {
                Ok(Ok(())) => eprintln!("données rechargées"),
                Ok(Err(e)) => eprintln!("rechargement refusé, anciennes données conservées : {e}"),
                Err(e) => eprintln!("rechargement interrompu : {e}"),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = state;
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
        emit(&format!("{}\n", serde_json::to_string_pretty(r)?));
    } else {
        emit(&render_report(&data));
    }
    // Only what makes answers wrong fails the check; warnings and infos are reported, not fatal.
    if r.conformity_errors() > 0 {
        std::process::exit(2);
    }
    Ok(())
}

/// How many issues of a delivery the terminal report lists (`--json` has them all).
const ISSUES_SHOWN: usize = 30;

/// The conformity section of the terminal report.
fn render_conformity(s: &mut String, r: &crate::report::LoadReport) {
    use std::fmt::Write;
    for c in r.conformity.iter().filter(|c| !c.issues.is_empty()) {
        let _ = writeln!(
            s,
            "Conformité de {} : {} erreur(s), {} avertissement(s), {} information(s)",
            c.delivery, c.errors, c.warnings, c.infos
        );
        for i in c.issues.iter().take(ISSUES_SHOWN) {
            let row = i.row.map(|r| format!(" ligne {r}")).unwrap_or_default();
            let severity = match i.severity {
                crate::load::conformity::Severity::Error => "ERREUR",
                crate::load::conformity::Severity::Warning => "avertissement",
                crate::load::conformity::Severity::Info => "info",
            };
            let _ = writeln!(
                s,
                "    [{severity}] {} — {}{row} : {} (effet : {})",
                i.rule, i.file, i.message, i.effect
            );
        }
        if c.issues.len() > ISSUES_SHOWN {
            let _ = writeln!(
                s,
                "    … et {} autres (voir --json)",
                c.issues.len() - ISSUES_SHOWN
            );
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// The `check-data` report for a terminal.
fn render_report(data: &Dataset) -> String {
    use std::fmt::Write;
    let r = &data.report;
    let mut s = String::new();
    let _ = writeln!(s, "Données : {}", r.root);
    for l in &r.layers {
        let _ = writeln!(
            s,
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
            let _ = writeln!(s, "    avertissement : {w}");
        }
        if l.warnings.len() > 5 {
            let _ = writeln!(s, "    … et {} autres avertissements", l.warnings.len() - 5);
        }
    }
    let root = Path::new(&r.root);
    for l in crate::load::describe_unrecognised(root, &r.ignored) {
        let _ = writeln!(
            s,
            "- {} [{}] : {} entités — SCR {} — encodage {}",
            l.file,
            l.layer,
            l.features,
            l.crs.as_deref().unwrap_or("-"),
            l.encoding.as_deref().unwrap_or("-")
        );
        for w in &l.warnings {
            let _ = writeln!(s, "    {w}");
        }
    }
    if !r.ignored.is_empty() {
        let _ = writeln!(s, "Fichiers non reconnus ({}) :", r.ignored.len());
        for f in r.ignored.iter().take(20) {
            let _ = writeln!(s, "    {f}");
        }
    }
    render_conformity(&mut s, r);
    let _ = writeln!(s, "Totaux : {}", data.summary_counts());
    let _ = writeln!(
        s,
        "Chargement : {} ms ; mémoire résidente : {}",
        r.load_ms,
        r.memory_mib
            .map(|m| format!("{m} Mio"))
            .unwrap_or_else(|| "inconnue".into())
    );
    let _ = writeln!(
        s,
        "{} avertissement(s) de chargement, {} erreur(s) de conformité qui faussent les réponses",
        r.warning_count(),
        r.conformity_errors()
    );
    s
}

/// The answer for a terminal: what was found, then the summary sentences, then warnings.
pub fn render_text(a: &LookupAnswer) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if let Some(l) = &a.location {
        let _ = writeln!(
            s,
            "Adresse : {} (score {:.2}{})",
            l.label,
            l.score,
            if l.interpolated {
                ", position interpolée"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "Position : {:.6}, {:.6} (lat, lon)", a.lat, a.lon);
    let _ = writeln!(s);
    for sentence in &a.summary {
        let _ = writeln!(s, "• {}", sentence.text);
    }
    for alt in &a.alternatives {
        let _ = writeln!(
            s,
            "  autre proposition : {} (score {:.2})",
            alt.label, alt.score
        );
    }
    for w in &a.warnings {
        let _ = writeln!(s, "Attention : {w}");
    }
    s
}
