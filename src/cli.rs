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
use crate::geocode::batch::BatchError;
use crate::load::load_dir;
use crate::lookup::batch::{CsvLookup, CsvLookupOptions};
use crate::lookup::{lookup, lookup_address, lookup_parcel, LookupAnswer, LookupError, Position};

/// urbaclic — règles d'urbanisme applicables à une adresse ou une parcelle.
#[derive(Parser, Debug)]
#[command(
    name = "urbaclic",
    version,
    about = "urbaclic — règles d'urbanisme applicables à une adresse, un point ou une parcelle.",
    subcommand_help_heading = "Commandes",
    subcommand_value_name = "COMMANDE",
    disable_help_subcommand = true
)]
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
        #[arg(long, value_name = "DOSSIER")]
        data: Option<PathBuf>,
        /// Adresse d'écoute (défaut 127.0.0.1:8080).
        #[arg(long, value_name = "IP:PORT")]
        listen: Option<SocketAddr>,
        /// Dossier de la page cartographique (défaut : la copie intégrée au binaire).
        #[arg(long, value_name = "DOSSIER")]
        frontend: Option<PathBuf>,
        /// Fichier de configuration du serveur (voir docs/configuration.md).
        #[arg(long, value_name = "FICHIER")]
        config: Option<PathBuf>,
    },
    /// Affiche les règles qui s'appliquent à une adresse, un point ou une parcelle.
    Lookup {
        /// Adresse à géocoder, ex. « 12 rue Ordener Paris ».
        #[arg(value_name = "ADRESSE")]
        address: Option<String>,
        /// Identifiant de parcelle (14 caractères, ex. 91216000AB0037).
        #[arg(long, value_name = "ID")]
        parcel: Option<String>,
        /// Latitude WGS84 en degrés décimaux, avec --lon.
        #[arg(long, allow_hyphen_values = true, value_name = "DEGRÉS")]
        lat: Option<f64>,
        /// Longitude WGS84 en degrés décimaux, avec --lat.
        #[arg(long, allow_hyphen_values = true, value_name = "DEGRÉS")]
        lon: Option<f64>,
        /// Réponse JSON complète au lieu du résumé en français.
        #[arg(long)]
        json: bool,
        /// Dossier de données (par défaut les données embarquées).
        #[arg(long, value_name = "DOSSIER")]
        data: Option<PathBuf>,
        /// Fichier CSV de lieux : le même fichier est écrit, chaque ligne suivie de ses règles
        /// (colonne « parcel », ou « lat » et « lon », ou l'adresse des colonnes --columns).
        #[arg(long, value_name = "FICHIER", conflicts_with_all = ["address", "parcel", "lat", "lon", "json"])]
        csv: Option<PathBuf>,
        /// Avec --csv : colonnes qui forment l'adresse, séparées par des virgules.
        #[arg(long, value_name = "COLONNES", value_delimiter = ',', requires = "csv")]
        columns: Vec<String>,
        /// Avec --csv : fichier à écrire (par défaut la sortie standard).
        #[arg(short = 'o', long, value_name = "FICHIER", requires = "csv")]
        output: Option<PathBuf>,
    },
    /// Écrit le projet de certificat d'urbanisme d'information (CUa) d'une ou plusieurs parcelles
    /// d'une commune, ou d'un point, en PDF ou en HTML selon l'extension du fichier.
    Cua {
        /// Identifiant(s) de parcelle, séparés par des virgules (une même commune).
        #[arg(long, value_name = "ID")]
        parcel: Option<String>,
        /// Latitude WGS84 d'un point, au lieu de --parcel.
        #[arg(long, allow_hyphen_values = true, value_name = "DEGRÉS")]
        lat: Option<f64>,
        /// Longitude WGS84 d'un point, au lieu de --parcel.
        #[arg(long, allow_hyphen_values = true, value_name = "DEGRÉS")]
        lon: Option<f64>,
        /// Fichier à écrire : .pdf ou .html.
        #[arg(long, value_name = "FICHIER")]
        out: PathBuf,
        /// Adresse publique du service, pour le lien et le code QR (ex. https://urbaclic.example.fr).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Dossier de données (par défaut les données embarquées).
        #[arg(long, value_name = "DOSSIER")]
        data: Option<PathBuf>,
    },
    /// Charge un dossier de données et rend compte de chaque couche (code de sortie non nul en cas d'erreur).
    CheckData {
        /// Dossier à vérifier (par défaut les données embarquées).
        #[arg(value_name = "DOSSIER")]
        dir: Option<PathBuf>,
        /// Rapport JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compile un dossier de données en un instantané (un fichier) que `serve --data FICHIER` ouvre
    /// sans relire les sources.
    Build {
        /// Dossier de données à compiler.
        #[arg(value_name = "DOSSIER")]
        dir: PathBuf,
        /// Fichier de l'instantané à écrire (remplacé d'un coup s'il existe).
        #[arg(long, value_name = "FICHIER")]
        out: PathBuf,
    },
}

/// Help layout with French headings (clap's own say "Usage:" and "Print help").
const HELP_TEMPLATE: &str = "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The command line definition with French help throughout: clap's built-in `--help` and
/// `--version` flags and headings are replaced by French ones in every sub-command.
///
/// ```
/// let help = urbaclic::cli::command().render_help().to_string();
/// assert!(help.contains("Utilisation : urbaclic"), "{help}");
/// assert!(help.contains("Affiche cette aide"), "{help}");
/// assert!(!help.contains("Print help"), "{help}");
/// ```
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    french(Cli::command(), true)
}

fn french(cmd: clap::Command, top: bool) -> clap::Command {
    use clap::{Arg, ArgAction};
    let mut cmd = cmd
        .help_template(HELP_TEMPLATE)
        .disable_help_flag(true)
        .arg(
            Arg::new("aide")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Affiche cette aide"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Affiche la version"),
        );
    }
    cmd.mut_subcommands(|sub| french(sub, false))
}

/// Parses the process arguments with [`command`]; a mistake is reported in French with the hint
/// to ask `--help`, and the process exits (status 2, 0 for `--help` and `--version`).
pub fn parse() -> Cli {
    use clap::error::ErrorKind;
    use clap::FromArgMatches;
    let matches = command()
        .override_usage("urbaclic <COMMANDE> [OPTIONS]")
        .try_get_matches()
        .unwrap_or_else(|e| {
            let message = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => e.exit(),
                ErrorKind::UnknownArgument => "argument inconnu",
                ErrorKind::InvalidSubcommand => "commande inconnue",
                ErrorKind::InvalidValue | ErrorKind::ValueValidation => "valeur invalide",
                ErrorKind::MissingRequiredArgument => "argument obligatoire manquant",
                ErrorKind::MissingSubcommand
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    "indiquez une commande : serve, lookup, cua ou check-data"
                }
                ErrorKind::ArgumentConflict => "arguments incompatibles",
                ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
                    "nombre de valeurs incorrect"
                }
                _ => "ligne de commande incorrecte",
            };
            // clap's own detail names the argument or value at fault (after its English "error:").
            let detail = e.to_string();
            let detail = detail
                .lines()
                .next()
                .filter(|l| l.starts_with("error: "))
                .map(|l| format!(" ({})", l.trim_start_matches("error: ")))
                .unwrap_or_default();
            eprintln!("erreur : {message}{detail}\nVoir `urbaclic --help`.");
            std::process::exit(2);
        });
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("erreur : ligne de commande incorrecte ({e})");
            std::process::exit(2);
        }
    }
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
    // On the loader thread, where reloads build and drop datasets too (see `app::loader`).
    let path = dir.clone();
    crate::app::loader::run(move || load_dir(&path))
        .with_context(|| format!("chargement des données de {}", dir.display()))
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
            csv,
            columns,
            output,
        } => {
            let data = load(data)?;
            if let Some(input) = csv {
                return lookup_csv(&data, &input, columns, output.as_deref());
            }
            let answer = match (address, parcel, lat, lon) {
                (Some(q), None, None, None) => {
                    let found =
                        tokio::runtime::Runtime::new()?.block_on(lookup_address(&data, None, &q));
                    let answer = match found {
                        Err(LookupError::AddressNotFound(m)) => {
                            bail!("{m} ; {}", address_territory(&data))
                        }
                        other => other?,
                    };
                    street_only(&answer)?;
                    answer
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
        Command::Build { dir, out } => build(&dir, &out),
    }
}

/// `lookup --csv`: the file's rows with their rules, to `output` or stdout, and a count on stderr.
fn lookup_csv(
    data: &Dataset,
    input: &Path,
    columns: Vec<String>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(input).with_context(|| format!("lecture de {}", input.display()))?;
    let opts = CsvLookupOptions {
        columns,
        ..CsvLookupOptions::default()
    };
    let batch = CsvLookup::new(bytes, &opts).with_context(|| input.display().to_string())?;
    let rows = batch.rows();
    let start = std::time::Instant::now();
    let failed = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("écriture de {}", path.display()))?;
            batch
                .write_all(data, std::io::BufWriter::new(file))
                .with_context(|| format!("écriture de {}", path.display()))?
        }
        None => match batch.write_all(data, std::io::stdout().lock()) {
            // A closed pipe (`| head`) ends the output quietly, as `emit` does.
            Err(BatchError::Write(_)) => std::process::exit(0),
            other => other?,
        },
    };
    eprintln!(
        "{rows} ligne(s) traitée(s) en {:.1} s, dont {failed} sans réponse (colonne « erreur »)",
        start.elapsed().as_secs_f64()
    );
    Ok(())
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
    eprint!("{}", render_warnings(&dataset.report));
    if !dataset.report.ignored.is_empty() {
        eprintln!(
            "{} fichier(s) non reconnu(s) dans {} : la liste et la raison de chacun par `urbaclic check-data {}`",
            dataset.report.ignored.len(),
            data_dir.display(),
            data_dir.display()
        );
    }
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
            .map_err(|e| bind_error(&e, listen))?;
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

/// `urbaclic build`: the snapshot of a data folder, and what went into it.
fn build(dir: &Path, out: &Path) -> anyhow::Result<()> {
    init_logs();
    let start = std::time::Instant::now();
    let meta = crate::snapshot::build(dir, out)?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "{} écrit en {:.1} s : {} fichiers sources, {:.1} Mio",
        out.display(),
        start.elapsed().as_secs_f64(),
        meta.sources.len(),
        size as f64 / f64::from(1 << 20)
    );
    eprintln!("couches : {}", meta.counts);
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
        for w in &l.warnings {
            let _ = writeln!(s, "    avertissement : {w}");
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
    render_unrecognised(&mut s, root, &r.ignored);
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

/// The load warnings, one line each with the layer they come from (for `serve`'s start; the
/// `check-data` report lists them under each layer).
fn render_warnings(r: &crate::report::LoadReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for l in &r.layers {
        for w in &l.warnings {
            let _ = writeln!(s, "  avertissement [{}] : {w}", l.layer);
        }
    }
    s
}

/// Every file the loader left aside, a shapefile's companions on one line, each with why it was
/// not read; `check-data` used to stop at 20.
fn render_unrecognised(s: &mut String, root: &Path, ignored: &[String]) {
    use std::fmt::Write;
    if ignored.is_empty() {
        return;
    }
    // One entry per file stem: `PARCELLE.shp`, `.dbf`, `.prj`… are one layer.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for f in ignored {
        let path = Path::new(f);
        let stem = path.with_extension("").to_string_lossy().into_owned();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == stem) {
            Some((_, exts)) => exts.push(ext),
            None => groups.push((stem, vec![ext])),
        }
    }
    let _ = writeln!(
        s,
        "Fichiers non reconnus ({} fichiers, {} jeux) :",
        ignored.len(),
        groups.len()
    );
    for (stem, exts) in &groups {
        let name = if exts.len() == 1 {
            format!("{stem}.{}", exts[0])
        } else {
            format!("{stem} (.{})", exts.join(", ."))
        };
        let _ = writeln!(s, "    {name} — {}", why_unrecognised(root, stem, exts));
    }
}

/// Why the loader read none of the files of one stem (`exts`: their extensions): a name it
/// recognises was left out of the manifest's paths; otherwise the name or format is not one it
/// reads (the patterns are those of `load::scan`, listed in the README, « Your own data »).
fn why_unrecognised(root: &Path, stem: &str, exts: &[String]) -> &'static str {
    let recognised = exts.iter().any(|e| {
        !crate::load::scan::classify_files(vec![root.join(format!("{stem}.{e}"))]).is_empty()
    });
    if recognised {
        return "nom reconnu, mais hors des chemins que déclare urbaclic.toml : à y ajouter pour le charger";
    }
    let has = |e: &str| exts.iter().any(|x| x == e);
    if has("shp") {
        "shapefile au nom non reconnu (*ZONE_URBA*, *PRESCRIPTION_SURF*, *ASSIETTE_SUP_S*, N_ZONE_REG_PPR*…) : à déclarer dans urbaclic.toml (rôle et champs)"
    } else if has("dbf") {
        "table DBF sans géométrie non lue (seules DOC_URBA, SERVITUDE et ACTE_SUP le sont)"
    } else if has("geojson") || has("json") {
        "JSON au nom non reconnu (*parcelles*.json, communes-*.geojson, *reglement*.json) : à déclarer dans urbaclic.toml"
    } else if has("csv") || has("gz") {
        "CSV qui n'est pas un fichier d'adresses BAN (adresses-*.csv[.gz]) : non lu"
    } else {
        "format non lu par urbaclic"
    }
}

/// The error for a listening address that cannot be taken, with what to do about it.
fn bind_error(e: &std::io::Error, listen: SocketAddr) -> anyhow::Error {
    let mut other = listen;
    other.set_port(listen.port().wrapping_add(1).max(1024));
    match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "le port {} est déjà utilisé : choisissez-en un autre avec --listen {other}",
            listen.port()
        ),
        std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "le port {} demande des droits d'administrateur : choisissez-en un au-dessus de 1023 avec --listen {}",
            listen.port(),
            SocketAddr::new(listen.ip(), 8080)
        ),
        std::io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "l'adresse {} n'appartient pas à cette machine : essayez --listen {}",
            listen.ip(),
            DEFAULT_LISTEN
        ),
        _ => anyhow::anyhow!("écoute impossible sur {listen} : {e}"),
    }
}

/// An address that names a street without a number geocodes to the middle of the street: the
/// parcel there is an accident of geometry, so the command asks for the parcel instead of
/// analysing that one.
fn street_only(answer: &LookupAnswer) -> anyhow::Result<()> {
    let Some(l) = answer.location.as_ref().filter(|l| l.kind == "street") else {
        return Ok(());
    };
    let near = answer
        .parcel
        .as_ref()
        .map(|p| format!(" ; au milieu de la voie se trouve la parcelle {}", p.id))
        .unwrap_or_default();
    bail!(
        "adresse sans numéro : « {} » désigne toute la voie, choisissez la parcelle (--parcel ID) ou précisez le numéro{near}",
        l.label
    )
}

/// The communes whose addresses are loaded, to say where an address was looked for.
fn address_territory(data: &Dataset) -> String {
    let Some(index) = &data.addresses else {
        return "aucun fichier d'adresses n'est chargé (BAN adresses-*.csv)".into();
    };
    let mut names: Vec<String> = Vec::new();
    for p in index
        .places
        .iter()
        .filter(|p| p.kind == crate::geocode::PlaceType::Street)
    {
        let Some(c) = index.cities.get(p.city as usize) else {
            continue;
        };
        let name = format!("{} ({})", c.district.as_deref().unwrap_or(&c.city), c.insee);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("adresses chargées : {}", names.join(", "))
}
