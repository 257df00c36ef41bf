//! A throwaway PostgreSQL + PostGIS server for tests: Debian's binaries (`postgresql`,
//! `postgresql-15-postgis-3`), a cluster made by `initdb` under the target dir, started by
//! `pg_ctl` on a free loopback port (as the `postgres` user when the test runs as root: the server
//! refuses root), trusting local connections, stopped when dropped. Layers are loaded with GDAL's
//! `ogr2ogr` (Debian `gdal-bin`). A missing binary is a failure naming the package to install.

#![allow(dead_code, reason = "each test file uses part of the helper")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `.ci/run` installs; named in every failure about a missing binary.
const INSTALL: &str =
    "apt-get install -y --no-install-recommends postgresql postgresql-15-postgis-3 gdal-bin";

/// A running server.
pub struct PgServer {
    /// Its loopback port.
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    stopped: bool,
}

/// The folder holding Debian's `initdb` and `pg_ctl` (`/usr/lib/postgresql/<version>/bin`).
fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL absent (pas d'initdb sous /usr/lib/postgresql/*/bin) : {INSTALL}")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `tool` of the PostgreSQL binaries, run as `postgres` when the test runs as root.
fn pg_command(bin: &Path, as_postgres: bool, tool: &str) -> Command {
    let program = bin.join(tool);
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl PgServer {
    /// Makes a cluster under the target dir (`name` keeps tests apart) and starts it with
    /// PostGIS enabled in database `postgres`.
    pub fn start(name: &str) -> PgServer {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pg-{name}"));
        if dir.exists() {
            // A cluster left by a killed run: stop it if it still runs, then start afresh.
            let data = dir.join("data").display().to_string();
            let _ = pg_command(&bin, as_postgres, "pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
            std::fs::remove_dir_all(&dir).expect("remove the old cluster");
        }
        std::fs::create_dir_all(&dir).expect("cluster folder");
        let server = PgServer {
            port: free_port(),
            dir,
            bin,
            as_postgres,
            stopped: false,
        };
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres", &server.dir.display().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {} ({INSTALL})", server.dir.display());
        }
        let data = server.dir.join("data").display().to_string();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.port,
            server.dir.display()
        );
        let log = server.dir.join("server.log").display().to_string();
        server.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        let mut client = server.client();
        client
            .batch_execute("CREATE EXTENSION postgis")
            .unwrap_or_else(|e| {
                panic!("CREATE EXTENSION postgis : {e} ; PostGIS absent ? {INSTALL}")
            });
        server
    }

    /// Runs a PostgreSQL binary, as `postgres` when needed; a failure shows its output.
    fn run(&self, tool: &str, args: &[&str]) {
        let out = pg_command(&self.bin, self.as_postgres, tool)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| panic!("{tool} : {e} ({INSTALL})"));
        assert!(
            out.status.success(),
            "{tool} {args:?} : {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Its connection string (no password: the cluster trusts loopback).
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A client, for SQL of the test's own.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connexion à {} : {e}", self.url()))
    }

    /// Loads `file` (shapefile, `.dbf`, GeoJSON) into `table` (`schema.table`) with `ogr2ogr`,
    /// geometries as they are (any type, the file's SRID), columns named as GDAL launders them
    /// (lower case).
    pub fn ogr2ogr(&self, file: &Path, table: &str) {
        let target = format!(
            "PG:host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        );
        let (schema, name) = table.split_once('.').unwrap_or(("public", table));
        // A bare table (`.dbf`) gets no geometry column; a layer keeps each feature's type.
        let table_only = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("dbf"));
        let geometry: &[&str] = if table_only {
            &[]
        } else {
            &["-nlt", "GEOMETRY", "-lco", "GEOMETRY_NAME=geom"]
        };
        let out = Command::new("ogr2ogr")
            .args(["-f", "PostgreSQL", &target])
            .arg(file)
            .args(["-nln", name])
            .args(geometry)
            .args(["-lco", &format!("SCHEMA={schema}")])
            .output()
            .unwrap_or_else(|e| panic!("ogr2ogr : {e} ; {INSTALL}"));
        assert!(
            out.status.success(),
            "ogr2ogr {} → {table} : {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server now (it stays stopped: the database is "down").
    pub fn stop(&mut self) {
        if !self.stopped {
            let data = self.dir.join("data").display().to_string();
            self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
            self.stopped = true;
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if !self.stopped {
            let data = self.dir.join("data").display().to_string();
            let _ = pg_command(&self.bin, self.as_postgres, "pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}
