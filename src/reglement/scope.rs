//! Which zones a section of a regulation applies to.

/// The zones a section or block applies to (SRU `idZone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneScope {
    /// General provisions, applying to every zone (`dispositionGenerale`, `porteeGenerale`).
    General,
    /// These zone codes (`LIBELLE` of `ZONE_URBA`).
    Zones(Vec<String>),
}

/// The values the standard (JSON `dispositionGenerale`) and its XML exports (`porteeGenerale`)
/// use for provisions that apply everywhere.
const GENERAL: [&str; 2] = ["dispositionGenerale", "porteeGenerale"];

impl ZoneScope {
    /// From the codes as written; a list naming a general marker is general.
    ///
    /// ```
    /// use urbaclic::reglement::ZoneScope;
    /// assert_eq!(ZoneScope::from_codes(["porteeGenerale"]), ZoneScope::General);
    /// assert_eq!(ZoneScope::from_codes(["UG", " 1AU "]), ZoneScope::Zones(vec!["UG".into(), "1AU".into()]));
    /// assert_eq!(ZoneScope::from_codes(Vec::<String>::new()), ZoneScope::Zones(vec![]));
    /// ```
    pub fn from_codes<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> ZoneScope {
        let codes: Vec<String> = codes
            .into_iter()
            .map(|c| c.as_ref().trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if codes.iter().any(|c| GENERAL.contains(&c.as_str())) {
            ZoneScope::General
        } else {
            ZoneScope::Zones(codes)
        }
    }

    /// Whether these are general provisions.
    pub fn is_general(&self) -> bool {
        matches!(self, ZoneScope::General)
    }

    /// The zone codes named (none for general provisions).
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        let codes: &[String] = match self {
            ZoneScope::General => &[],
            ZoneScope::Zones(z) => z,
        };
        codes.iter().map(String::as_str)
    }

    /// Whether `zone` is named, itself or as a sector of a named zone.
    ///
    /// French plans name a sector of a zone by the zone's code and lower-case letters (`UGa`,
    /// `Nn` in `N`, `1AUh` in `1AU`): the zone's rules apply to its sectors, which may add
    /// their own. `UB` is not a sector of `U`, nor `UE2` of `UE` (another zone).
    ///
    /// ```
    /// use urbaclic::reglement::ZoneScope;
    /// let s = ZoneScope::from_codes(["UG", "1AU"]);
    /// assert!(s.names("UG") && s.names("UGa") && s.names("1AUh"));
    /// assert!(!s.names("U") && !s.names("UGA") && !s.names("UE"));
    /// assert!(!ZoneScope::General.names("UG"));
    /// ```
    pub fn names(&self, zone: &str) -> bool {
        self.codes().any(|c| c == zone || is_sector_of(zone, c))
    }

    /// Whether the section applies to `zone`: general provisions, or `zone` named.
    pub fn applies_to(&self, zone: &str) -> bool {
        self.is_general() || self.names(zone)
    }
}

fn is_sector_of(sector: &str, zone: &str) -> bool {
    sector
        .strip_prefix(zone)
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase()))
}
