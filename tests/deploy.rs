//! The deployment files: every Kubernetes manifest of `deploy/kubernetes/` validates against the
//! Kubernetes API schemas with `kubernetes-validate` (PyPI, strict: unknown fields refused), the
//! kustomization lists exactly those manifests, the probes and arguments use what `urbaclic
//! serve` offers, and the `Containerfile` is a multi-stage build to a non-root runtime. The image
//! itself is not built here (no registry; hadolint is not installed on this machine).

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes")
}

/// The manifests (every `.yaml` but the kustomization, which is not an API object).
fn manifests() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("kustomization.yaml"))
        .collect();
    out.sort();
    out
}

/// The `kubernetes-validate` command: on PATH, else where `pip install --user` puts it.
fn validator() -> PathBuf {
    let user = std::env::var("HOME").map(|h| Path::new(&h).join(".local/bin/kubernetes-validate"));
    let found = Command::new("kubernetes-validate")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return PathBuf::from("kubernetes-validate");
    }
    match user {
        Ok(p) if p.is_file() => p,
        _ => panic!("kubernetes-validate absent : python3 -m pip install --user kubernetes-validate (fait par .ci/run)"),
    }
}

fn validate(files: &[PathBuf]) -> std::process::Output {
    Command::new(validator())
        .arg("--strict")
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn every_manifest_validates_against_the_kubernetes_schemas() {
    let files = manifests();
    assert!(files.len() >= 7, "{files:?}");
    let out = validate(&files);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    for kind in [
        "deployment/urbaclic",
        "service/urbaclic",
        "horizontalpodautoscaler/urbaclic",
        "job/urbaclic-build",
        "configmap/urbaclic-config",
        "persistentvolumeclaim/urbaclic-territory",
    ] {
        assert!(
            text.contains(&format!("passed for resource {kind}")),
            "{kind} not validated: {text}"
        );
    }
}

#[test]
fn the_validator_refuses_a_broken_manifest() {
    // The same Deployment with a field the API does not have: the check above can fail.
    let broken = std::fs::read_to_string(dir().join("deployment.yaml"))
        .unwrap()
        .replace("replicas: 2", "replicas: 2\n  replica: 2");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-deployment.yaml");
    std::fs::write(&path, broken).unwrap();
    assert!(!validate(&[path]).status.success());
}

#[test]
fn the_kustomization_lists_every_manifest() {
    let k = std::fs::read_to_string(dir().join("kustomization.yaml")).unwrap();
    let mut listed: Vec<String> = k
        .lines()
        .skip_while(|l| !l.starts_with("resources:"))
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- ").map(str::to_string))
        .collect();
    listed.sort();
    let files: Vec<String> = manifests()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, files);
}

#[test]
fn the_manifests_use_what_serve_offers() {
    let d = std::fs::read_to_string(dir().join("deployment.yaml")).unwrap();
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        let after = &d[d.find(probe).unwrap_or_else(|| panic!("{probe} missing"))..];
        assert!(
            after.lines().take(4).any(|l| l.trim() == "path: /health"),
            "{probe} not on /health"
        );
    }
    assert!(d.contains("readOnlyRootFilesystem: true") && d.contains("readOnly: true"));
    assert!(d.contains("claimName: urbaclic-territory"));
    // Every flag the Deployment passes is one `urbaclic serve` knows (from its own --help).
    let help = Command::new(env!("CARGO_BIN_EXE_urbaclic"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in d.lines().filter_map(|l| l.trim().strip_prefix("- --")) {
        assert!(
            help.contains(&format!("--{flag}")),
            "serve has no --{flag}: {help}"
        );
    }
    // The ConfigMap's file is a server configuration urbaclic accepts.
    let cm = std::fs::read_to_string(dir().join("configmap.yaml")).unwrap();
    let toml: String = cm
        .lines()
        .skip_while(|l| !l.contains("urbaclic.toml: |"))
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    urbaclic::config::ServerConfig::parse(&toml, Path::new("/etc/urbaclic")).unwrap();
}

#[test]
fn the_containerfile_builds_in_one_stage_and_runs_unprivileged_in_another() {
    let c = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Containerfile"))
        .unwrap();
    // Instructions only, continuation lines joined: each one a known Dockerfile instruction.
    let joined = c.replace("\\\n", " ");
    let instructions: Vec<&str> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    const KNOWN: [&str; 18] = [
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
        "MAINTAINER",
    ];
    for i in &instructions {
        let word = i.split_whitespace().next().unwrap();
        assert!(KNOWN.contains(&word), "not an instruction: {i}");
    }
    let froms: Vec<&&str> = instructions
        .iter()
        .filter(|i| i.starts_with("FROM "))
        .collect();
    assert_eq!(froms.len(), 2, "builder then runtime: {froms:?}");
    assert!(froms[0].contains("rust") && froms[0].ends_with(" AS builder"));
    assert!(froms[1].contains("debian") && froms[1].contains("slim"));
    assert!(instructions
        .iter()
        .any(|i| i.starts_with("COPY --from=builder ")));
    let user = instructions
        .iter()
        .rev()
        .find(|i| i.starts_with("USER "))
        .unwrap();
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
    assert!(joined.contains(r#""serve", "--data", "/territory", "--listen", "0.0.0.0:8080""#));
}
