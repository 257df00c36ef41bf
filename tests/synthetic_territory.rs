//! The labelled-synthetic territory generator (`examples/synthetic_territory`): a small territory
//! loads with no warning and no non-conformity, holds what was asked, its polygons are valid and
//! disjoint, lookups at each address find its parcel and its zone, and a seed gives the same bytes.
//!
//! The expectations come from the written files, read here with `serde_json`, `geojson` and `csv`
//! (not urbaclic's readers), and from geo's geodesic area (Karney's algorithm) for `contenance`.

#[path = "../examples/synthetic_territory/territory/mod.rs"]
mod territory;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{BoundingRect, GeodesicArea, Intersects, Polygon, Validation};
use territory::{generate, Spec};

/// 2,000 parcels in 8 communes of 250 (16 × 16 cells, so zone quarters are whole rows), 4
/// communes per département (2 BAN files), a PLU in every other commune.
fn spec(seed: u64) -> Spec {
    Spec {
        parcels: 2_000,
        seed,
        parcels_per_commune: 250,
        communes_per_departement: 4,
        plu_every: 2,
    }
}

fn generated(name: &str, spec: &Spec) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let summary = generate(spec, &dir).unwrap();
    println!("{summary}");
    assert_eq!(
        (
            summary.parcels,
            summary.addresses,
            summary.communes,
            summary.departements,
            summary.plu_deliveries
        ),
        (2_000, 2_000, 8, 2, 4)
    );
    dir
}

/// Every file below `dir`, relative path → bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// (id, contenance, polygon) of every parcel of the cadastre files.
fn parcels(dir: &Path) -> Vec<(String, f64, Polygon<f64>)> {
    let mut out = Vec::new();
    for (path, bytes) in files(dir) {
        if !path.to_string_lossy().ends_with("-parcelles.json") {
            continue;
        }
        let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).unwrap();
        for f in fc.features {
            let props = f.properties.as_ref().unwrap();
            let id = props["id"].as_str().unwrap().to_string();
            let contenance = props["contenance"].as_f64().unwrap();
            let polygon: Polygon<f64> = f.geometry.unwrap().value.try_into().unwrap();
            out.push((id, contenance, polygon));
        }
    }
    out
}

/// (lon, lat, parcel id, INSEE) of every address of the BAN files.
fn addresses(dir: &Path) -> Vec<(f64, f64, String, String)> {
    let mut out = Vec::new();
    for (path, bytes) in files(dir) {
        if !path.to_string_lossy().ends_with(".csv") {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&bytes[..]);
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (lon, lat, parcel, insee) = (
            col("lon"),
            col("lat"),
            col("cad_parcelles"),
            col("code_insee"),
        );
        for row in reader.records() {
            let row = row.unwrap();
            out.push((
                row[lon].parse().unwrap(),
                row[lat].parse().unwrap(),
                row[parcel].to_string(),
                row[insee].to_string(),
            ));
        }
    }
    out
}

/// (south, north) latitude of each commune, from the boundary files.
fn commune_lats(dir: &Path) -> BTreeMap<String, (f64, f64)> {
    let mut out = BTreeMap::new();
    for (path, bytes) in files(dir) {
        if !path.to_string_lossy().ends_with("-synthetique.geojson") {
            continue;
        }
        let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).unwrap();
        for f in fc.features {
            let code = f.properties.as_ref().unwrap()["code"]
                .as_str()
                .unwrap()
                .to_string();
            let polygon: Polygon<f64> = f.geometry.unwrap().value.try_into().unwrap();
            let r = polygon.bounding_rect().unwrap();
            out.insert(code, (r.min().y, r.max().y));
        }
    }
    out
}

#[test]
fn a_small_territory_loads_cleanly_and_answers_its_parcels_and_zones() {
    let dir = generated("synthetic-2000-seed7", &spec(7));
    let data = urbaclic::load::load_dir(&dir).unwrap();
    let warnings: Vec<&String> = data
        .report
        .layers
        .iter()
        .flat_map(|l| &l.warnings)
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let issues: Vec<_> = data
        .report
        .conformity
        .iter()
        .flat_map(|c| &c.issues)
        .collect();
    assert!(issues.is_empty(), "{issues:#?}");
    assert_eq!(
        data.report.conformity.len(),
        4,
        "one delivery per PLU commune"
    );
    assert_eq!(data.parcels.len(), 2_000);
    assert_eq!(data.addresses.as_ref().unwrap().stats().housenumbers, 2_000);

    // Ids: unique, in the 14-character form (INSEE 5, prefix 3, section 2, number 4).
    let parcels = parcels(&dir);
    assert_eq!(parcels.len(), 2_000);
    let ids: HashSet<&str> = parcels.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids.len(), 2_000, "ids are unique");
    let form = regex::Regex::new(r"^[0-9]{5}000[A-Z]{2}[0-9]{4}$").unwrap();
    assert!(
        ids.iter().all(|id| form.is_match(id)),
        "{:?}",
        ids.iter().next()
    );

    // Polygons: valid (geo's OGC validity), about 12 vertices, pairwise disjoint, and a
    // `contenance` within a square metre (its rounding) and 0.1 % of the geodesic area.
    for (id, contenance, p) in &parcels {
        assert!(p.is_valid(), "{id} invalid");
        assert_eq!(
            p.exterior().0.len(),
            13,
            "{id}: 12 vertices and the closing one"
        );
        let geodesic = p.geodesic_area_unsigned();
        assert!(
            (contenance - geodesic).abs() < 1.0 + geodesic * 0.001,
            "{id}: {contenance} vs {geodesic}"
        );
    }
    let boxes: Vec<_> = parcels
        .iter()
        .map(|(_, _, p)| p.bounding_rect().unwrap())
        .collect();
    for i in 0..parcels.len() {
        for j in i + 1..parcels.len() {
            if boxes[i].intersects(&boxes[j]) {
                assert!(
                    !parcels[i].2.intersects(&parcels[j].2),
                    "{} meets {}",
                    parcels[i].0,
                    parcels[j].0
                );
            }
        }
    }

    // Lookups at each address (its parcel's interior): that parcel, and in a PLU commune the
    // zone of its quarter of the commune from the south (N, A, 1AU, UA: the generator's layout,
    // documented in plu-synthetique/SOURCE.md), none elsewhere.
    let lats = commune_lats(&dir);
    let plu_communes: HashSet<String> = std::fs::read_dir(dir.join("plu-synthetique"))
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .split('_')
                .next()
                .map(str::to_string)
        })
        .filter(|s| s.len() == 5)
        .collect();
    assert_eq!(plu_communes.len(), 4);
    let addresses = addresses(&dir);
    assert_eq!(addresses.len(), 2_000);
    for (lon, lat, parcel, insee) in addresses.iter().step_by(7) {
        let answer = urbaclic::lookup::lookup(&data, *lon, *lat);
        assert_eq!(
            answer.parcel.as_ref().map(|p| p.id.as_str()),
            Some(parcel.as_str())
        );
        let zones: Vec<&str> = answer.zones.iter().map(|z| z.libelle.as_str()).collect();
        if plu_communes.contains(insee) {
            let (south, north) = lats[insee];
            let quarter = ((lat - south) / (north - south) * 4.0).floor() as usize;
            assert_eq!(
                zones,
                [["N", "A", "1AU", "UA"][quarter]],
                "{parcel} at {lat}"
            );
        } else {
            assert!(zones.is_empty(), "{parcel}: {zones:?}");
        }
    }
}

#[test]
fn a_seed_gives_the_same_bytes_and_another_seed_other_parcels() {
    let a = files(&generated("synthetic-2000-seed3-a", &spec(3)));
    let b = files(&generated("synthetic-2000-seed3-b", &spec(3)));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs", path.display());
    }
    let c = files(&generated("synthetic-2000-seed4", &spec(4)));
    let cadastre = Path::new("cadastre-synthetique/01/cadastre-01001-parcelles.json");
    assert_ne!(a[cadastre], c[cadastre], "the seed changes the parcels");
}
