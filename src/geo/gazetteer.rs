//! Place name → point.
//!
//! Entries come in four tiers, searched in this order: curated places
//! (`geodata/places.csv`: landmarks, districts, aliases), GeoNames cities (`geodata/cities.csv`),
//! province names and country names (from the boundary files). A name is looked up by its
//! [normalised key](super::normalize::key); a country hint keeps only entries in that country; a wanted
//! precision keeps only entries that can give it (a `province` record needs a province, an `exact`
//! one a landmark). Within a tier, one candidate wins; several cities resolve to the most populous only
//! when it has at least [`DOMINANCE`] times the population of the next, otherwise the name is
//! ambiguous. An unresolved or ambiguous name is an error listing the closest candidates.

use super::normalize::{edit_distance_chars, key, strip_level_word, LevelWord};
use crate::model::{CodeError, GeoPrecision};
use std::collections::HashMap;
use std::fmt;

/// A city wins over same-named cities when it is at least this many times as populous as the next.
pub const DOMINANCE: u64 = 5;

/// What kind of place an entry is; it fixes the precision a point from it can claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceLevel {
    /// A site: an airport, a concert hall, a border post.
    Landmark,
    /// A town or city.
    City,
    /// A district (admin-2).
    District,
    /// A province (admin-1).
    Province,
    /// A named region of several provinces of one country ("Kunar and Badakhshan").
    Region,
    /// A country (admin-0).
    Country,
    /// A named group of countries ("Europe, Russia, Iran and Turkey").
    Multinational,
}

impl PlaceLevel {
    /// Parses the `level` column of `places.csv`.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        match s {
            "landmark" => Ok(PlaceLevel::Landmark),
            "city" => Ok(PlaceLevel::City),
            "district" => Ok(PlaceLevel::District),
            "province" => Ok(PlaceLevel::Province),
            "region" => Ok(PlaceLevel::Region),
            "country" => Ok(PlaceLevel::Country),
            "multinational" => Ok(PlaceLevel::Multinational),
            _ => Err(CodeError {
                value: s.chars().filter(|c| !c.is_control()).take(64).collect(),
                expected: &[
                    "landmark",
                    "city",
                    "district",
                    "province",
                    "region",
                    "country",
                    "multinational",
                ],
            }),
        }
    }

    /// The level as written in data and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceLevel::Landmark => "landmark",
            PlaceLevel::City => "city",
            PlaceLevel::District => "district",
            PlaceLevel::Province => "province",
            PlaceLevel::Region => "region",
            PlaceLevel::Country => "country",
            PlaceLevel::Multinational => "multinational",
        }
    }

    /// The finest precision a point taken from such an entry can honestly claim.
    pub fn precision(self) -> GeoPrecision {
        match self {
            PlaceLevel::Landmark => GeoPrecision::Exact,
            PlaceLevel::City => GeoPrecision::Near,
            PlaceLevel::District => GeoPrecision::District,
            PlaceLevel::Province => GeoPrecision::Province,
            PlaceLevel::Region => GeoPrecision::Region,
            PlaceLevel::Country => GeoPrecision::Country,
            PlaceLevel::Multinational => GeoPrecision::Multinational,
        }
    }

    /// Whether a record of precision `p` may be placed at an entry of this level.
    fn serves(self, p: GeoPrecision) -> bool {
        match p {
            GeoPrecision::Exact => self == PlaceLevel::Landmark,
            GeoPrecision::Near => matches!(self, PlaceLevel::Landmark | PlaceLevel::City),
            GeoPrecision::District => self == PlaceLevel::District,
            GeoPrecision::Province => self == PlaceLevel::Province,
            GeoPrecision::Region => self == PlaceLevel::Region,
            GeoPrecision::Country => self == PlaceLevel::Country,
            GeoPrecision::Multinational => self == PlaceLevel::Multinational,
        }
    }
}

/// Where an entry comes from; also its search tier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Provenance {
    /// `geodata/places.csv`, at this line.
    Curated {
        /// Line in places.csv.
        line: u64,
    },
    /// GeoNames, by geonameid.
    GeoNames {
        /// The geonameid.
        id: u64,
    },
    /// A Natural Earth province, by `adm1_code`.
    Province {
        /// The adm1_code.
        id: String,
    },
    /// A Natural Earth country, by code.
    Country {
        /// ISO 3166-1 alpha-3.
        id: String,
    },
}

impl Provenance {
    fn tier(&self) -> u8 {
        match self {
            Provenance::Curated { .. } => 0,
            Provenance::GeoNames { .. } => 1,
            Provenance::Province { .. } => 2,
            Provenance::Country { .. } => 3,
        }
    }

    /// A short citation of the entry (`places.csv:12`, `GeoNames 1138958`, …).
    pub fn describe(&self) -> String {
        match self {
            Provenance::Curated { line } => format!("places.csv:{line}"),
            Provenance::GeoNames { id } => format!("GeoNames {id}"),
            Provenance::Province { id } => format!("Natural Earth admin-1 {id}"),
            Provenance::Country { id } => format!("Natural Earth admin-0 {id}"),
        }
    }
}

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Primary name.
    pub name: String,
    /// Other names it is found by.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-3 (empty for a group of countries).
    pub country: String,
    /// For a region, the `adm1_code` of its provinces; for a group of countries, their ISO alpha-3
    /// codes; empty otherwise.
    pub members: Vec<String>,
    /// Longitude (of the label anchor, for a region or a group of countries).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Kind of place.
    pub level: PlaceLevel,
    /// Population, where known (0 otherwise); breaks ties between same-named cities.
    pub population: u64,
    /// Provenance and tier.
    pub provenance: Provenance,
}

impl Place {
    fn label(&self) -> String {
        format!(
            "{} ({}, {}, {})",
            self.name,
            self.country,
            self.level.as_str(),
            self.provenance.describe()
        )
    }
}

/// Why a name did not resolve to one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeocodeError {
    /// The name holds no letters or digits.
    Empty,
    /// No entry has this name (under the hint and precision given).
    Unresolved {
        /// The name asked for.
        name: String,
        /// What narrowed the search, for the message.
        scope: String,
        /// Closest names, best first.
        suggestions: Vec<String>,
    },
    /// Several entries fit equally well.
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The entries that fit.
        candidates: Vec<String>,
    },
}

impl fmt::Display for GeocodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeocodeError::Empty => f.write_str("the place name is empty"),
            GeocodeError::Unresolved {
                name,
                scope,
                suggestions,
            } => {
                write!(f, "{name:?} is not in the gazetteer{scope}")?;
                if suggestions.is_empty() {
                    write!(f, "; no similar names")
                } else {
                    write!(f, "; closest: {}", suggestions.join("; "))
                }
            }
            GeocodeError::Ambiguous { name, candidates } => {
                write!(
                    f,
                    "{name:?} is ambiguous: {}; give a country or a more specific name",
                    candidates.join("; ")
                )
            }
        }
    }
}

impl std::error::Error for GeocodeError {}

/// The gazetteer: every entry, indexed by normalised name.
#[derive(Debug, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
    by_key: HashMap<String, Vec<u32>>,
    keys: Vec<(String, u32)>,
}

impl Gazetteer {
    /// Indexes the entries under every name and alias.
    pub fn new(places: Vec<Place>) -> Self {
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                let k = key(n);
                if k.is_empty() {
                    continue;
                }
                let v = by_key.entry(k).or_default();
                if v.last() != Some(&(i as u32)) {
                    v.push(i as u32);
                }
            }
        }
        let mut keys: Vec<(String, u32)> = by_key
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |&i| (k.clone(), i)))
            .collect();
        keys.sort_unstable();
        Gazetteer {
            places,
            by_key,
            keys,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Every entry.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Resolves a name to one entry, optionally within a country (ISO alpha-3) and restricted to
    /// entries that can give the wanted precision.
    pub fn resolve(
        &self,
        name: &str,
        country: Option<&str>,
        want: Option<GeoPrecision>,
    ) -> Result<&Place, GeocodeError> {
        let k = key(name);
        if k.is_empty() {
            return Err(GeocodeError::Empty);
        }
        let mut level_word = None;
        let mut ids = self.by_key.get(&k);
        if ids.is_none() {
            if let Some((stripped, w)) = strip_level_word(&k) {
                ids = self.by_key.get(stripped);
                level_word = Some(w);
            }
        }
        let fits = |p: &Place| {
            country.is_none_or(|c| p.country == c)
                && want.is_none_or(|w| p.level.serves(w))
                && level_word.is_none_or(|w| match w {
                    LevelWord::Province => p.level == PlaceLevel::Province,
                    LevelWord::District => p.level == PlaceLevel::District,
                    LevelWord::City => p.level == PlaceLevel::City,
                })
        };
        let mut cands: Vec<&Place> = ids
            .map(|v| {
                v.iter()
                    .map(|&i| &self.places[i as usize])
                    .filter(|p| fits(p))
                    .collect()
            })
            .unwrap_or_default();
        if cands.is_empty() {
            return Err(self.unresolved(name, &k, country, want, fits));
        }
        let tier = cands.iter().map(|p| p.provenance.tier()).min().unwrap_or(0);
        cands.retain(|p| p.provenance.tier() == tier);
        cands.sort_by(|a, b| {
            b.population
                .cmp(&a.population)
                .then_with(|| a.provenance.cmp(&b.provenance))
        });
        if cands.len() == 1 {
            return Ok(cands[0]);
        }
        let (first, second) = (cands[0], cands[1]);
        if tier == 1 && first.population >= DOMINANCE.saturating_mul(second.population.max(1)) {
            return Ok(first);
        }
        Err(GeocodeError::Ambiguous {
            name: name.to_string(),
            candidates: cands.iter().take(8).map(|p| p.label()).collect(),
        })
    }

    fn unresolved(
        &self,
        name: &str,
        k: &str,
        country: Option<&str>,
        want: Option<GeoPrecision>,
        fits: impl Fn(&Place) -> bool,
    ) -> GeocodeError {
        let mut scope = String::new();
        if let Some(c) = country {
            scope.push_str(&format!(" for country {c}"));
        }
        if let Some(w) = want {
            scope.push_str(&format!(" at {w} precision"));
        }
        // Same name elsewhere (other country or level) first, then similar spellings.
        let mut out: Vec<String> = Vec::new();
        if let Some(v) = self.by_key.get(k) {
            out.extend(v.iter().take(5).map(|&i| self.places[i as usize].label()));
        }
        // Similar spellings of the whole name; failing that, of each of its longer words
        // ("Kabol Citty" finds Kabul).
        let mut targets: Vec<String> = vec![k.to_string()];
        targets.extend(
            k.split(' ')
                .filter(|w| w.chars().count() >= 4 && *w != k)
                .map(str::to_string),
        );
        let mut rows = Vec::new();
        for target in targets {
            let chars: Vec<char> = target.chars().collect();
            let max = (chars.len() / 3).clamp(1, 3);
            let mut near: Vec<(usize, u64, u32)> = Vec::new();
            for (key2, i) in &self.keys {
                let d = edit_distance_chars(&chars, key2, max, &mut rows);
                if d <= max && fits(&self.places[*i as usize]) {
                    near.push((d, u64::MAX - self.places[*i as usize].population, *i));
                }
            }
            near.sort_unstable();
            for (_, _, i) in near {
                let label = self.places[i as usize].label();
                if !out.contains(&label) {
                    out.push(label);
                }
                if out.len() >= 6 {
                    break;
                }
            }
            if !out.is_empty() {
                break;
            }
        }
        GeocodeError::Unresolved {
            name: name.to_string(),
            scope,
            suggestions: out,
        }
    }

    /// Entries whose name starts with `prefix` (normalised), for a search box: exact matches first,
    /// then countries, provinces and the most populous places. At most `limit` entries.
    pub fn search(&self, prefix: &str, country: Option<&str>, limit: usize) -> Vec<&Place> {
        let k = key(prefix);
        if k.is_empty() {
            return Vec::new();
        }
        let start = self
            .keys
            .partition_point(|(key2, _)| key2.as_str() < k.as_str());
        let mut hits: Vec<(bool, &Place)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (key2, i) in &self.keys[start..] {
            if !key2.starts_with(&k) {
                break;
            }
            let p = &self.places[*i as usize];
            if country.is_some_and(|c| p.country != c) || !seen.insert(*i) {
                continue;
            }
            hits.push((key2 == &k, p));
            if hits.len() > 5000 {
                break;
            }
        }
        let rank = |p: &Place| match p.level {
            PlaceLevel::Country => 0,
            PlaceLevel::Province => 1,
            _ => 2,
        };
        hits.sort_by(|(ea, a), (eb, b)| {
            eb.cmp(ea)
                .then(a.provenance.tier().min(1).cmp(&b.provenance.tier().min(1)))
                .then(rank(a).cmp(&rank(b)))
                .then(b.population.cmp(&a.population))
                .then(a.name.cmp(&b.name))
        });
        hits.into_iter().take(limit).map(|(_, p)| p).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(
        name: &str,
        aliases: &[&str],
        country: &str,
        level: PlaceLevel,
        pop: u64,
        provenance: Provenance,
    ) -> Place {
        Place {
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            country: country.into(),
            lon: 1.0,
            lat: 2.0,
            members: Vec::new(),
            level,
            population: pop,
            provenance,
        }
    }

    fn sample() -> Gazetteer {
        Gazetteer::new(vec![
            place(
                "Mazar-e Sharif",
                &[],
                "AFG",
                PlaceLevel::City,
                458_000,
                Provenance::GeoNames { id: 1 },
            ),
            place(
                "Kerman",
                &[],
                "IRN",
                PlaceLevel::City,
                577_514,
                Provenance::GeoNames { id: 2 },
            ),
            place(
                "Kerman",
                &[],
                "USA",
                PlaceLevel::City,
                14_475,
                Provenance::GeoNames { id: 3 },
            ),
            place(
                "Springfield",
                &[],
                "USA",
                PlaceLevel::City,
                160_000,
                Provenance::GeoNames { id: 4 },
            ),
            place(
                "Springfield",
                &[],
                "USA",
                PlaceLevel::City,
                110_000,
                Provenance::GeoNames { id: 5 },
            ),
            place(
                "Kabul",
                &[],
                "AFG",
                PlaceLevel::City,
                3_043_532,
                Provenance::GeoNames { id: 6 },
            ),
            place(
                "Kabul",
                &[],
                "AFG",
                PlaceLevel::Province,
                0,
                Provenance::Province { id: "AFG-1".into() },
            ),
            place(
                "Termez",
                &["Termiz"],
                "UZB",
                PlaceLevel::City,
                0,
                Provenance::Curated { line: 2 },
            ),
            place(
                "Termiz",
                &[],
                "UZB",
                PlaceLevel::City,
                136_000,
                Provenance::GeoNames { id: 7 },
            ),
            place(
                "Afghanistan",
                &[],
                "AFG",
                PlaceLevel::Country,
                0,
                Provenance::Country { id: "AFG".into() },
            ),
            place(
                "Punjab",
                &[],
                "PAK",
                PlaceLevel::Province,
                0,
                Provenance::Province { id: "PAK-1".into() },
            ),
            place(
                "Punjab",
                &[],
                "IND",
                PlaceLevel::Province,
                0,
                Provenance::Province { id: "IND-1".into() },
            ),
        ])
    }

    #[test]
    fn transliterations_and_diacritics_resolve() {
        let g = sample();
        for n in [
            "Mazar-i-Sharif",
            "Mazār-e Sharīf",
            "mazar sharif",
            "MAZAR-E-SHARIF",
        ] {
            assert_eq!(
                g.resolve(n, None, None).unwrap().name,
                "Mazar-e Sharif",
                "{n}"
            );
        }
    }

    #[test]
    fn a_dominant_city_wins_and_a_hint_disambiguates() {
        let g = sample();
        assert_eq!(g.resolve("Kerman", None, None).unwrap().country, "IRN");
        assert_eq!(
            g.resolve("Kerman", Some("USA"), None).unwrap().country,
            "USA"
        );
        let err = g.resolve("Springfield", None, None).unwrap_err();
        assert!(
            matches!(err, GeocodeError::Ambiguous { ref candidates, .. } if candidates.len() == 2),
            "{err}"
        );
        let err = g.resolve("Punjab", None, None).unwrap_err();
        assert!(
            err.to_string().contains("PAK") && err.to_string().contains("IND"),
            "{err}"
        );
        assert_eq!(
            g.resolve("Punjab", Some("PAK"), None).unwrap().country,
            "PAK"
        );
    }

    #[test]
    fn curated_entries_come_first_and_precision_picks_the_level() {
        let g = sample();
        assert!(matches!(
            g.resolve("Termiz", None, None).unwrap().provenance,
            Provenance::Curated { .. }
        ));
        assert_eq!(
            g.resolve("Kabul", None, None).unwrap().level,
            PlaceLevel::City
        );
        assert_eq!(
            g.resolve("Kabul", None, Some(GeoPrecision::Province))
                .unwrap()
                .level,
            PlaceLevel::Province
        );
        assert_eq!(
            g.resolve("Kabul Province", None, None).unwrap().level,
            PlaceLevel::Province
        );
        assert!(
            g.resolve("Kabul", None, Some(GeoPrecision::Exact)).is_err(),
            "a city is no exact site"
        );
    }

    #[test]
    fn unresolved_names_suggest_the_closest() {
        let g = sample();
        let err = g.resolve("Kabol", None, None).unwrap_err();
        assert!(err.to_string().contains("Kabul"), "{err}");
        let err = g.resolve("Kerman", Some("AFG"), None).unwrap_err();
        assert!(
            err.to_string().contains("IRN"),
            "the same name elsewhere is suggested: {err}"
        );
        assert_eq!(
            g.resolve(" -- ", None, None).unwrap_err(),
            GeocodeError::Empty
        );
    }

    #[test]
    fn search_ranks_exact_then_larger() {
        let g = sample();
        let names: Vec<_> = g
            .search("ka", None, 10)
            .iter()
            .map(|p| (p.name.as_str(), p.level))
            .collect();
        assert_eq!(names[0], ("Kabul", PlaceLevel::Province));
        assert_eq!(names[1], ("Kabul", PlaceLevel::City));
        assert!(g.search("zzz", None, 10).is_empty());
    }
}
