//! The command line as an instructor meets it (issue 14): French help, every unrecognised file
//! listed with its reason, load warnings shown when `serve` starts, an actionable error for a
//! taken port, street-only addresses and addresses outside the loaded territory.
//!
//! Runs the built binary on the embedded data. Expected facts from the data, by hand:
//! `data/ban-adresses-75118/adresses-75118.csv` holds only Paris 18e addresses (column
//! code_insee = 75118, nom_commune « Paris 18e Arrondissement »); « Rue Ordener » is a street of it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};

fn urbaclic() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_urbaclic"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = urbaclic().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_is_french_throughout() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["lookup", "--help"],
        &["check-data", "--help"],
    ] {
        let (code, out, _) = run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Utilisation : urbaclic"), "{args:?}: {out}");
        assert!(out.contains("Affiche cette aide"), "{args:?}: {out}");
        for english in ["Usage:", "Print help", "Print version", "Commands:"] {
            assert!(!out.contains(english), "{args:?} says {english}: {out}");
        }
    }
    let (code, _, err) = run(&["lookup", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("erreur : argument inconnu"), "{err}");
}

#[test]
fn check_data_lists_every_unrecognised_file_with_its_reason() {
    let (_, json, _) = run(&["check-data", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ignored: Vec<&str> = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        ignored.len() > 20,
        "the old report stopped at 20: {ignored:?}"
    );
    let (_, text, _) = run(&["check-data"]);
    let section = text
        .split("Fichiers non reconnus")
        .nth(1)
        .expect("the section is there");
    for f in &ignored {
        let (stem, ext) = f.rsplit_once('.').unwrap();
        let line = section
            .lines()
            .find(|l| l.trim_start().starts_with(stem) && l.contains(ext))
            .unwrap_or_else(|| panic!("{f} not listed:\n{section}"));
        assert!(line.contains(" — "), "no reason for {f}: {line}");
    }
    // The Rennes folder's DOC_URBA is a CNIG name the manifest leaves out (its comment says so).
    assert!(
        section
            .contains("demo-02/DOC_URBA (.dbf, .shp, .shx) — nom reconnu, mais hors des chemins"),
        "{section}"
    );
}

#[test]
fn serve_lists_its_warnings_and_a_taken_port_says_what_to_do() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let (code, _, err) = run(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    assert_eq!(code, 1, "{err}");
    let next = port.wrapping_add(1).max(1024);
    assert!(
        err.contains(&format!(
            "le port {port} est déjà utilisé : choisissez-en un autre avec --listen 127.0.0.1:{next}"
        )),
        "{err}"
    );
    // Before it tried to listen, serve listed each load warning it counted.
    let counted: usize = err
        .split(" couches, ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the count line");
    assert!(counted > 0, "{err}");
    assert_eq!(err.matches("  avertissement [").count(), counted, "{err}");
    assert!(err.contains("non reconnu(s)"), "{err}");
    drop(taken);
}

#[test]
fn serve_starts_on_a_free_port_with_the_warnings_first() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut child = urbaclic()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    // Bounded: the start-up writes a few dozen lines before listening.
    for _ in 0..500 {
        let Some(Ok(line)) = lines.next() else { break };
        let listening = line.contains("à l'écoute sur");
        seen.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let at = seen.iter().position(|l| l.contains("à l'écoute sur"));
    let first_warning = seen.iter().position(|l| l.starts_with("  avertissement ["));
    assert!(
        matches!((first_warning, at), (Some(w), Some(a)) if w < a),
        "{seen:#?}"
    );
}

#[test]
fn street_only_and_unknown_addresses_are_answered_plainly() {
    let (code, out, err) = run(&["lookup", "rue ordener paris"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("adresse sans numéro : « Rue Ordener 75018 Paris » désigne toute la voie, choisissez la parcelle"),
        "{err}"
    );
    assert!(
        out.is_empty(),
        "no analysis of the parcel at the street's middle: {out}"
    );
    let (code, _, err) = run(&["lookup", "12 rue de la republique lyon"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("adresses chargées : Paris 18e Arrondissement (75118)"),
        "{err}"
    );
    // A numbered address is analysed as before.
    let (code, out, _) = run(&["lookup", "40 boulevard barbes paris"]);
    assert_eq!(code, 0);
    assert!(out.contains("75118 000 BT 0107"), "{out}");
}
