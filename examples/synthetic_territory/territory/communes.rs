//! Commune boundaries, one GeoJSON file per département (`communes-<dep>-synthetique.geojson`,
//! properties `code` and `nom` as in gregoiredavid/france-geojson).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::cadastre::write_ring;
use super::grid::CommuneCell;

/// A département's boundary file being written.
pub struct CommunesFile {
    out: BufWriter<File>,
    first: bool,
}

impl CommunesFile {
    /// Starts `dir/communes-<dep>-synthetique.geojson`.
    pub fn create(dir: &Path, dep: &str) -> io::Result<CommunesFile> {
        let path = dir.join(format!("communes-{dep}-synthetique.geojson"));
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        Ok(CommunesFile { out, first: true })
    }

    /// Appends one commune's square.
    pub fn write(&mut self, c: &CommuneCell) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        self.out.write_all(
            b"{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[",
        )?;
        write_ring(&mut self.out, &c.outline())?;
        write!(
            self.out,
            "]}},\"properties\":{{\"code\":\"{}\",\"nom\":\"{}\"}}}}",
            c.insee, c.name
        )
    }

    /// Closes the collection and flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}
