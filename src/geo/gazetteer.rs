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
use super::trigrams::{self, Trigrams};
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
    /// Other names it is found by (curated aliases, a boundary's other names).
    pub aliases: Vec<String>,
    /// GeoNames alternate names (exonyms, transliterations): found by them, but a place named so
    /// in its own right wins.
    pub alternates: Vec<String>,
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

/// How a search found a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// One of its names is the query.
    Exact,
    /// One of its names starts with the query.
    Prefix,
    /// One of its names holds the query.
    Contains,
    /// One of its names is a close spelling of the query.
    Similar,
}

impl Match {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::Prefix => "prefix",
            Match::Contains => "contains",
            Match::Similar => "similar",
        }
    }
}

/// One place a search found, and how.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The place.
    pub place: &'a Place,
    /// How it matched.
    pub matched: Match,
}

/// The gazetteer: every entry, indexed by normalised name.
#[derive(Debug, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
    /// Every distinct name key, sorted (its position is its id in the trigram index).
    keys: Vec<String>,
    /// Per key: the entries it names, each with whether it is an entry's own name or curated alias
    /// (`true`) or one of its GeoNames alternate names (`false`).
    named: Vec<Vec<(u32, bool)>>,
    /// Built on first need (a name that does not resolve, a search inside names).
    trigrams: std::sync::OnceLock<Trigrams>,
}

impl Gazetteer {
    /// Indexes the entries under every name, alias and alternate name.
    pub fn new(places: Vec<Place>) -> Self {
        let mut pairs: Vec<(String, u32, bool)> = Vec::new();
        for (i, p) in places.iter().enumerate() {
            let own = std::iter::once(&p.name)
                .chain(&p.aliases)
                .map(|n| (n, true));
            let alt = p.alternates.iter().map(|n| (n, false));
            for (n, primary) in own.chain(alt) {
                let k = key(n);
                if !k.is_empty() {
                    pairs.push((k, i as u32, primary));
                }
            }
        }
        // A name an entry has as its own counts once, as its own.
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
        pairs.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
        let mut keys: Vec<String> = Vec::new();
        let mut named: Vec<Vec<(u32, bool)>> = Vec::new();
        for (k, i, primary) in pairs {
            if keys.last() != Some(&k) {
                keys.push(k);
                named.push(Vec::new());
            }
            if let Some(v) = named.last_mut() {
                v.push((i, primary));
            }
        }
        Gazetteer {
            places,
            keys,
            named,
            trigrams: std::sync::OnceLock::new(),
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

    fn lookup(&self, k: &str) -> Option<&[(u32, bool)]> {
        self.keys
            .binary_search_by(|x| x.as_str().cmp(k))
            .ok()
            .map(|i| self.named[i].as_slice())
    }

    fn trigrams(&self) -> &Trigrams {
        self.trigrams
            .get_or_init(|| Trigrams::new(self.keys.iter().map(String::as_str)))
    }

    /// Resolves a name to one entry, optionally within a country (ISO alpha-3) and restricted to
    /// entries that can give the wanted precision. An entry named so in its own right wins over
    /// one that has the name only as a GeoNames alternate.
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
        let mut ids = self.lookup(&k);
        if ids.is_none() {
            if let Some((stripped, w)) = strip_level_word(&k) {
                ids = self.lookup(stripped);
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
        let fitting: Vec<(&Place, bool)> = ids
            .unwrap_or_default()
            .iter()
            .map(|&(i, own)| (&self.places[i as usize], own))
            .filter(|(p, _)| fits(p))
            .collect();
        if fitting.is_empty() {
            return Err(self.unresolved(name, &k, country, want, fits));
        }
        let tier = fitting
            .iter()
            .map(|(p, _)| p.provenance.tier())
            .min()
            .unwrap_or(0);
        let mut fitting: Vec<(&Place, bool)> = fitting
            .into_iter()
            .filter(|(p, _)| p.provenance.tier() == tier)
            .collect();
        fitting.sort_by_key(|p| std::cmp::Reverse(p.0.population));
        // A GeoNames place far more populous than every other of the name wins even when it has
        // the name only as an alternate (Köln for "Cologne" over two villages named Cologne);
        // otherwise places named so in their own right come first.
        let dominant = tier == 1
            && fitting.len() > 1
            && fitting[0].0.population >= DOMINANCE.saturating_mul(fitting[1].0.population.max(1));
        if dominant {
            return Ok(fitting[0].0);
        }
        let any_own = fitting.iter().any(|(_, own)| *own);
        let mut cands: Vec<&Place> = fitting
            .into_iter()
            .filter(|(_, own)| *own || !any_own)
            .map(|(p, _)| p)
            .collect();
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

    /// The entries under keys within `max` edits of `target`, found through the trigram index
    /// (each edit changes at most three trigrams).
    fn near(&self, target: &str, max: usize, fits: &dyn Fn(&Place) -> bool) -> Vec<(usize, u32)> {
        let chars: Vec<char> = target.chars().take(trigrams::MAX_QUERY).collect();
        let grams = chars.len() + 2 - 2;
        let min_shared = grams.saturating_sub(3 * max).max(1) as u16;
        let mut rows = Vec::new();
        // Closest first; among equally close, names a place has in its own right before
        // alternate names (Jalalabad before Sylhet, once called so), then the most populous.
        let mut near: Vec<(usize, bool, u64, u32)> = Vec::new();
        for (id, _) in self.trigrams().similar(target, 256, min_shared) {
            let key2 = &self.keys[id as usize];
            let d = edit_distance_chars(&chars, key2, max, &mut rows);
            if d > max {
                continue;
            }
            for &(i, own) in &self.named[id as usize] {
                let p = &self.places[i as usize];
                if fits(p) {
                    near.push((d, !own, u64::MAX - p.population, i));
                }
            }
        }
        near.sort_unstable();
        let mut seen = std::collections::HashSet::new();
        near.retain(|x| seen.insert(x.3));
        near.into_iter().map(|(d, _, _, i)| (d, i)).collect()
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
        if let Some(v) = self.lookup(k) {
            out.extend(
                v.iter()
                    .take(5)
                    .map(|&(i, _)| self.places[i as usize].label()),
            );
        }
        // Similar spellings of the whole name; failing that, of each of its longer words
        // ("Kabol Citty" finds Kabul).
        let mut targets: Vec<&str> = vec![k];
        targets.extend(k.split(' ').filter(|w| w.chars().count() >= 4 && *w != k));
        for target in targets.into_iter().take(8) {
            let max = (target.chars().count() / 3).clamp(1, 3);
            for (_, i) in self.near(target, max, &fits) {
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

    /// Entries for a search box: names equal to the query, then starting with it, then holding
    /// it, then close spellings of it ("Peshwar" finds Peshawar), closest first. Within each, entries for which
    /// `holds_records` is true come first, then curated entries, countries, provinces and the most
    /// populous places. At most `limit` entries; none when nothing is close.
    pub fn search(
        &self,
        query: &str,
        country: Option<&str>,
        limit: usize,
        holds_records: &dyn Fn(&Place) -> bool,
    ) -> Vec<Hit<'_>> {
        let k: String = key(query).chars().take(trigrams::MAX_QUERY).collect();
        if k.is_empty() || limit == 0 {
            return Vec::new();
        }
        // How each place matched, and for close spellings how far off (0 otherwise).
        let mut best: HashMap<u32, (Match, usize)> = HashMap::new();
        let note = |i: u32, m: (Match, usize), best: &mut HashMap<u32, (Match, usize)>| {
            let p = &self.places[i as usize];
            if country.is_none_or(|c| p.country == c) {
                let e = best.entry(i).or_insert(m);
                *e = (*e).min(m);
            }
        };
        // Names starting with the query: a run of the sorted keys.
        let start = self.keys.partition_point(|x| x.as_str() < k.as_str());
        for (id, key2) in self.keys[start..].iter().enumerate().take(5000) {
            if !key2.starts_with(&k) {
                break;
            }
            let m = if *key2 == k {
                Match::Exact
            } else {
                Match::Prefix
            };
            for &(i, _) in &self.named[start + id] {
                note(i, (m, 0), &mut best);
            }
        }
        // Names holding the query further in.
        if let Some(ids) = self.trigrams().containing(&k) {
            for id in ids.into_iter().take(5000) {
                if self.keys[id as usize].contains(k.as_str()) {
                    for &(i, _) in &self.named[id as usize] {
                        note(i, (Match::Contains, 0), &mut best);
                    }
                }
            }
        }
        // Close spellings, when the query is long enough to be misspelt.
        if best.len() < limit && k.chars().count() >= 4 {
            let max = (k.chars().count() / 3).clamp(1, 3);
            for (d, i) in self.near(&k, max, &|p| country.is_none_or(|c| p.country == c)) {
                note(i, (Match::Similar, d), &mut best);
            }
        }
        let rank = |p: &Place| match p.level {
            PlaceLevel::Country => 0,
            PlaceLevel::Province => 1,
            _ => 2,
        };
        let mut hits: Vec<(Hit, usize)> = best
            .into_iter()
            .map(|(i, (matched, d))| {
                let place = &self.places[i as usize];
                (Hit { place, matched }, d)
            })
            .collect();
        hits.sort_by(|(a, da), (b, db)| {
            (a.matched, da)
                .cmp(&(b.matched, db))
                .then(holds_records(b.place).cmp(&holds_records(a.place)))
                .then(
                    a.place
                        .provenance
                        .tier()
                        .min(1)
                        .cmp(&b.place.provenance.tier().min(1)),
                )
                .then(rank(a.place).cmp(&rank(b.place)))
                .then(b.place.population.cmp(&a.place.population))
                .then(a.place.name.cmp(&b.place.name))
                .then(a.place.provenance.cmp(&b.place.provenance))
        });
        hits.truncate(limit);
        hits.into_iter().map(|(h, _)| h).collect()
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
            alternates: Vec::new(),
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
        let none = |_: &Place| false;
        let names: Vec<_> = g
            .search("ka", None, 10, &none)
            .iter()
            .map(|h| (h.place.name.as_str(), h.place.level, h.matched))
            .collect();
        assert_eq!(names[0], ("Kabul", PlaceLevel::Province, Match::Prefix));
        assert_eq!(names[1], ("Kabul", PlaceLevel::City, Match::Prefix));
        assert!(g.search("zzz", None, 10, &none).is_empty());
        assert!(g.search("", None, 10, &none).is_empty());
        assert!(g.search("kabul", None, 0, &none).is_empty());
    }

    #[test]
    fn search_finds_names_inside_and_misspelt() {
        let g = sample();
        let none = |_: &Place| false;
        let hits = g.search("sharif", None, 10, &none);
        assert_eq!(hits[0].place.name, "Mazar-e Sharif");
        assert_eq!(hits[0].matched, Match::Contains);
        let hits = g.search("Mazar-e Sharf", None, 10, &none);
        assert_eq!(hits[0].place.name, "Mazar-e Sharif");
        assert_eq!(hits[0].matched, Match::Similar);
        assert!(g.search("sharif", Some("USA"), 10, &none).is_empty());
    }

    #[test]
    fn search_puts_places_with_records_first() {
        let g = sample();
        let afg = |p: &Place| p.country == "AFG";
        let hits = g.search("punjab", None, 10, &|p: &Place| p.country == "IND");
        assert_eq!(hits[0].place.country, "IND");
        let hits = g.search("punjab", None, 10, &|p: &Place| p.country == "PAK");
        assert_eq!(hits[0].place.country, "PAK");
        assert_eq!(g.search("kabul", None, 10, &afg).len(), 2);
    }

    #[test]
    fn geonames_alternate_names_resolve_and_a_dominant_city_wins() {
        let mut g = sample();
        let mut koeln = place(
            "Köln",
            &[],
            "DEU",
            PlaceLevel::City,
            1_075_935,
            Provenance::GeoNames { id: 8 },
        );
        koeln.alternates = vec!["Cologne".into(), "Koeln".into()];
        let small = place(
            "Cologne",
            &[],
            "FRA",
            PlaceLevel::City,
            700,
            Provenance::GeoNames { id: 9 },
        );
        let mut bombay = place(
            "Mumbai",
            &[],
            "IND",
            PlaceLevel::City,
            12_691_836,
            Provenance::GeoNames { id: 10 },
        );
        bombay.alternates = vec!["Bombay".into()];
        g = Gazetteer::new(g.places.drain(..).chain([koeln, small, bombay]).collect());
        let p = g.resolve("Cologne", None, None).unwrap();
        assert_eq!((p.name.as_str(), p.country.as_str()), ("Köln", "DEU"));
        let p = g.resolve("Cologne", Some("FRA"), None).unwrap();
        assert_eq!(p.country, "FRA", "a hint still picks the small one");
        assert_eq!(g.resolve("Bombay", None, None).unwrap().name, "Mumbai");
        let err = g.resolve("Bombey", None, None).unwrap_err();
        assert!(err.to_string().contains("Mumbai"), "{err}");
    }
}
