//! Etalab cadastre GeoJSON, one file per commune (`cadastre-<insee>-parcelles.json`, as
//! cadastre.data.gouv.fr publishes them): one feature per line, written as it is drawn.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::grid::{CommuneCell, SynthParcel};

/// Date written in `created`/`updated`: fixed, so a seed gives the same bytes every day.
const DATE: &str = "2024-01-01";

/// A commune's parcel file being written.
pub struct CadastreFile {
    out: BufWriter<File>,
    first: bool,
}

impl CadastreFile {
    /// Starts `dir/cadastre-<insee>-parcelles.json`.
    pub fn create(dir: &Path, commune: &CommuneCell) -> io::Result<CadastreFile> {
        let path = dir.join(format!("cadastre-{}-parcelles.json", commune.insee));
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        Ok(CadastreFile { out, first: true })
    }

    /// Appends one parcel with Etalab's properties.
    pub fn write(&mut self, commune: &CommuneCell, p: &SynthParcel) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        write!(
            self.out,
            "{{\"type\":\"Feature\",\"id\":\"{id}\",\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[",
            id = p.id
        )?;
        write_ring(&mut self.out, &p.ring)?;
        write!(
            self.out,
            "]}},\"properties\":{{\"id\":\"{id}\",\"commune\":\"{insee}\",\"prefixe\":\"000\",\"section\":\"{section}\",\"numero\":\"{numero}\",\"contenance\":{contenance},\"arpente\":false,\"created\":\"{DATE}\",\"updated\":\"{DATE}\"}}}}",
            id = p.id,
            insee = commune.insee,
            section = p.section,
            numero = p.numero,
            contenance = p.contenance,
        )
    }

    /// Closes the collection and flushes the file.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}

/// A ring as GeoJSON positions, 7 decimals (about 1 cm, as Etalab writes them).
pub fn write_ring(out: &mut impl Write, ring: &[(f64, f64)]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, (lon, lat)) in ring.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "[{lon:.7},{lat:.7}]")?;
    }
    out.write_all(b"]")
}
