//! A labelled-**synthetic** territory (nothing in it is real): communes on a grid, parcels on a
//! grid inside each commune, one BAN address per parcel, and a CNIG PLU delivery for some
//! communes, written in the formats they are published in — Etalab cadastre GeoJSON per commune,
//! BAN CSV per département, commune boundaries GeoJSON per département, CNIG shapefiles and
//! tables — with a manifest and a `SOURCE.md` in every folder saying it is synthetic.
//!
//! Every writer streams, one parcel at a time: 10 M parcels take the memory of one.
//! Shared by `examples/synthetic_territory` (the command), `tests/synthetic_territory.rs` and
//! `benches/scale.rs`.

mod ban;
mod cadastre;
mod communes;
mod grid;
mod plu;

use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Parcels over the territory (as many addresses).
    pub parcels: u64,
    /// Seed: the same seed gives byte-identical files.
    pub seed: u64,
    /// Parcels in a commune (the last commune takes the rest). Haute-Garonne has ~1,700.
    pub parcels_per_commune: u32,
    /// Communes in a département (at most 999; Haute-Garonne has 586).
    pub communes_per_departement: u32,
    /// One commune in `plu_every` has a PLU delivery (the first one of every such run).
    pub plu_every: u32,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            parcels: 100_000,
            seed: 1,
            parcels_per_commune: 2_000,
            communes_per_departement: 500,
            plu_every: 4,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Parcels written.
    pub parcels: u64,
    /// Addresses written (one per parcel).
    pub addresses: u64,
    /// Communes written.
    pub communes: u64,
    /// Départements (one BAN file and one boundary file each).
    pub departements: u64,
    /// Communes with a PLU delivery.
    pub plu_deliveries: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "territoire SYNTHÉTIQUE : {} parcelles, {} adresses, {} communes, {} départements, {} PLU",
            self.parcels, self.addresses, self.communes, self.departements, self.plu_deliveries
        )
    }
}

/// Folders of the territory, each named `…-synthetique`.
const CADASTRE: &str = "cadastre-synthetique";
const BAN: &str = "ban-synthetique";
const COMMUNES: &str = "communes-synthetique";
const PLU: &str = "plu-synthetique";

/// Writes the territory of `spec` into `out` (created; files already there are overwritten).
pub fn generate(spec: &Spec, out: &Path) -> io::Result<Summary> {
    let layout = grid::Layout::new(spec)?;
    for folder in [CADASTRE, BAN, COMMUNES, PLU] {
        fs::create_dir_all(out.join(folder))?;
    }
    write_notes(spec, out)?;
    let mut summary = Summary {
        parcels: 0,
        addresses: 0,
        communes: 0,
        departements: 0,
        plu_deliveries: 0,
    };
    let mut files: Option<DepartementFiles> = None;
    for k in 0..layout.communes {
        let c = layout.commune(k);
        // Communes come département by département: its files are open until the next one.
        let f = match files.take() {
            Some(f) if f.dep == c.dep => files.insert(f),
            previous => {
                if let Some(f) = previous {
                    f.finish()?;
                }
                summary.departements += 1;
                files.insert(DepartementFiles::create(out, &c.dep)?)
            }
        };
        f.communes.write(&c)?;
        let dir = out.join(CADASTRE).join(&c.dep);
        fs::create_dir_all(&dir)?;
        let mut cadastre = cadastre::CadastreFile::create(&dir, &c)?;
        for j in 0..c.parcels {
            let p = c.parcel(j, spec.seed);
            cadastre.write(&c, &p)?;
            f.ban.write(&c, &p, spec.seed)?;
        }
        cadastre.finish()?;
        summary.parcels += u64::from(c.parcels);
        summary.addresses += u64::from(c.parcels);
        summary.communes += 1;
        if spec.plu_every > 0 && k % u64::from(spec.plu_every) == 0 {
            plu::write_delivery(&out.join(PLU), &c)?;
            summary.plu_deliveries += 1;
        }
    }
    if let Some(f) = files {
        f.finish()?;
    }
    Ok(summary)
}

/// The files of the département being written: its addresses and its commune boundaries.
struct DepartementFiles {
    dep: String,
    ban: ban::BanFile,
    communes: communes::CommunesFile,
}

impl DepartementFiles {
    fn create(out: &Path, dep: &str) -> io::Result<DepartementFiles> {
        Ok(DepartementFiles {
            dep: dep.to_string(),
            ban: ban::BanFile::create(&out.join(BAN), dep)?,
            communes: communes::CommunesFile::create(&out.join(COMMUNES), dep)?,
        })
    }

    fn finish(self) -> io::Result<()> {
        self.ban.finish()?;
        self.communes.finish()
    }
}

/// The manifest (with its description) and a `SOURCE.md` in the territory and each folder.
fn write_notes(spec: &Spec, out: &Path) -> io::Result<()> {
    let what = format!(
        "Territoire SYNTHÉTIQUE (données inventées, rien de réel) : {} parcelles et autant d'adresses, {} parcelles par commune, {} communes par département, un PLU CNIG pour une commune sur {}, graine {}. Produit par `cargo run --release --example synthetic_territory`.",
        spec.parcels, spec.parcels_per_commune, spec.communes_per_departement, spec.plu_every, spec.seed
    );
    let manifest = format!(
        "# SYNTHETIC territory written by examples/synthetic_territory: nothing here is real.\ndescription = \"{what}\"\n\n[[source]]\npath = \"{COMMUNES}\"\n\n[[source]]\npath = \"{CADASTRE}\"\n\n[[source]]\npath = \"{BAN}\"\n\n[[source]]\npath = \"{PLU}\"\n"
    );
    fs::write(out.join("urbaclic.toml"), manifest)?;
    let source = |title: &str, body: &str| {
        format!(
            "# SYNTHETIC — {title}\n\n- Origin: labelled-synthetic data written by `examples/synthetic_territory` (urbaclic), not copied from any source. Nothing here describes a real place, parcel, address or plan: commune names are invented words (`Montrinac`), street names common French ones, and the folders are named `…-synthetique`.\n- {body}\n- Spec: {} parcels, seed {}, {} parcels per commune, {} communes per département, a PLU for one commune in {}.\n- CRS: EPSG:4326 (lon/lat), south-west corner at 1.0°E 43.0°N.\n",
            spec.parcels, spec.seed, spec.parcels_per_commune, spec.communes_per_departement, spec.plu_every
        )
    };
    fs::write(
        out.join("SOURCE.md"),
        source("territoire synthétique", "Formats: Etalab cadastre GeoJSON per commune, BAN « adresses » CSV per département, commune boundaries GeoJSON per département (france-geojson properties), CNIG PLU 2017 deliveries (DOC_URBA, DOC_URBA_COM, ZONE_URBA shapefile)."),
    )?;
    for (folder, body) in [
        (CADASTRE, "Etalab cadastre parcels (`cadastre-<insee>-parcelles.json`, one folder per département): 12-vertex polygons, one per grid cell, never overlapping; `contenance` is the polygon's area in m²."),
        (BAN, "BAN « adresses » CSV (`adresses-<dep>.csv`, the 23 BAN columns): one address per parcel at its cell centre, `cad_parcelles` names the parcel."),
        (COMMUNES, "Commune squares (`communes-<dep>-synthetique.geojson`, properties `code`, `nom`)."),
        (PLU, "CNIG PLU deliveries (standard 2017): zones UA (U), 1AU (AUc), A, N each a quarter of the commune's cell rows, from the south (N, A, 1AU, UA), edges on parcel cell edges."),
    ] {
        fs::write(out.join(folder).join("SOURCE.md"), source(folder, body))?;
    }
    Ok(())
}
