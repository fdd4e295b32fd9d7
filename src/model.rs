//! The data model of DESIGN.md §2: records, their codes, and the documents they cite.
//!
//! Every code type parses from and prints to the lowercase string used in `geodata/*.csv` and in the
//! API, so the CSV column, the query parameter and the GeoJSON property always agree.

use serde::Serialize;
use std::fmt;
use time::Date;

/// Declares a closed set of lowercase string codes with parsing, printing and the list of valid values.
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as written in data files and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a code; the error lists the valid values.
            pub fn parse(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "{:?} is not one of {}",
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// What kind of activity a record reports.
    Kind {
        /// An executed attack, including failed attempts and cross-border fire.
        Attack => "attack",
        /// An interdicted or foiled plot.
        Plot => "plot",
        /// Arrests for recruiting, fundraising, facilitation or travel.
        Arrest => "arrest",
        /// A sanctions designation.
        Designation => "designation",
        /// A counter-terrorism operation against the group.
        Raid => "raid",
        /// Another sign of presence: flags, cells, camps, networks.
        Presence => "presence",
    }
}

impl Kind {
    /// The name of the per-kind OGC collection (`attacks`, `plots`, …).
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Attack => "attacks",
            Kind::Plot => "plots",
            Kind::Arrest => "arrests",
            Kind::Designation => "designations",
            Kind::Raid => "raids",
            Kind::Presence => "presence",
        }
    }
}

codes! {
    /// How precisely a record's point is known (UCDP `where_prec` in brackets).
    GeoPrecision {
        /// The exact site (1).
        Exact => "exact",
        /// Within a few kilometres of a named place (2).
        Near => "near",
        /// Somewhere in a named district (3).
        District => "district",
        /// Somewhere in a named province (4).
        Province => "province",
        /// Somewhere in a named country (6).
        Country => "country",
    }
}

impl GeoPrecision {
    /// The UCDP GED `where_prec` code for this precision.
    pub fn ucdp_where_prec(self) -> u8 {
        match self {
            GeoPrecision::Exact => 1,
            GeoPrecision::Near => 2,
            GeoPrecision::District => 3,
            GeoPrecision::Province => 4,
            GeoPrecision::Country => 6,
        }
    }
}

codes! {
    /// How precisely a record's date is known.
    DatePrecision {
        /// The day is known.
        Day => "day",
        /// Only the month is known; `date` is its first day.
        Month => "month",
        /// Only the year is known; `date` is 1 January.
        Year => "year",
        /// A span from `date` to `date_end` (totals and series).
        Period => "period",
    }
}

codes! {
    /// Who ties the event to the group.
    Claim {
        /// The group claimed it.
        Claimed => "claimed",
        /// Authorities or analysts attribute it; no claim.
        Attributed => "attributed",
        /// Suspected, not established.
        Suspected => "suspected",
    }
}

codes! {
    /// How an operation was tied to the group, where sources say.
    Link {
        /// Directed by the group.
        Directed => "directed",
        /// Guided remotely.
        Guided => "guided",
        /// Inspired by its propaganda.
        Inspired => "inspired",
    }
}

codes! {
    /// How to read `count`.
    CountBasis {
        /// The sources give this number.
        Exact => "exact",
        /// The sources give it as approximate ("approximately 33").
        Approx => "approx",
        /// A lower bound ("at least", "repeated", or activity stated without a number).
        Minimum => "minimum",
    }
}

/// One document in `geodata/sources.csv`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Source {
    /// Short stable id (`S1`, …).
    pub id: String,
    /// Title as the document states it.
    pub title: String,
    /// Author(s) as stated.
    pub author: String,
    /// Publisher as stated, if it is.
    pub publisher: Option<String>,
    /// Publication date as stated (free text such as `2023-11-30` or `2022-05`), if it is.
    pub published: Option<String>,
    /// A URL, only where the document itself gives one.
    pub url: Option<String>,
}

/// Where in a source a record's facts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Index into the snapshot's source list.
    pub source: usize,
    /// Section, paragraph or list item in that document.
    pub section: String,
}

/// A point with the name and country it was geocoded from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// Place name as the source gives it.
    pub place: String,
    /// ISO 3166-1 alpha-3.
    pub country: String,
    /// Longitude, WGS 84.
    pub lon: f64,
    /// Latitude, WGS 84.
    pub lat: f64,
    /// How precisely the launch site is known.
    pub precision: GeoPrecision,
}

/// One thing that happened, or a reported total of such things, fully resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Stable id, never reused.
    pub id: String,
    /// What happened.
    pub kind: Kind,
    /// Short title.
    pub title: String,
    /// Summary in the project's own words.
    pub summary: String,
    /// First day.
    pub date: Date,
    /// Last day as stated, for periods and explicit ranges.
    pub date_end: Option<Date>,
    /// How precisely the date is known.
    pub date_precision: DatePrecision,
    /// Place name as the source gives it.
    pub place: String,
    /// Province (admin-1) name, from point-in-polygon.
    pub admin1: Option<String>,
    /// Province (admin-1) id (`AFG-1760`).
    pub admin1_id: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub country: String,
    /// Country name.
    pub country_name: String,
    /// How precisely the point is known.
    pub geo_precision: GeoPrecision,
    /// Longitude, rounded to 6 decimals.
    pub lon: f64,
    /// Latitude, rounded to 6 decimals.
    pub lat: f64,
    /// How many events the record stands for.
    pub count: u32,
    /// How to read `count`.
    pub count_basis: CountBasis,
    /// Deaths, if known.
    pub fatalities: Option<u32>,
    /// Injured, if known.
    pub injured: Option<u32>,
    /// Claim status.
    pub claim: Claim,
    /// Operational link, where stated.
    pub link: Option<Link>,
    /// States (ISO alpha-3) that denied the event took place.
    pub denied_by: Vec<String>,
    /// Who or what was targeted.
    pub target: Option<String>,
    /// Launch site of cross-border fire.
    pub origin: Option<Origin>,
    /// Every document that reports it.
    pub citations: Vec<Citation>,
}

impl Record {
    /// The last day the record covers: `date_end` if given, else the end of its month or year for
    /// month- and year-precision dates, else `date`.
    pub fn last_day(&self) -> Date {
        if let Some(end) = self.date_end {
            return end;
        }
        crate::dates::end_of(self.date, self.date_precision)
    }
}
