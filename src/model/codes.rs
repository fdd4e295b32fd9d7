//! The closed code lists of a record (kind, precision, claim, link, count basis).
//!
//! Every code type parses from and prints to the lowercase string used in `geodata/*.csv` and in the
//! API, so the CSV column, the query parameter and the GeoJSON property always agree.

use serde::Serialize;
use std::fmt;

/// A value that is not one of a code list's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of {}", expected.join(", "))]
pub struct CodeError {
    /// The value given (control characters dropped, at most 64 characters).
    pub value: String,
    /// The codes that would have been accepted.
    pub expected: &'static [&'static str],
}

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

            /// How many values there are.
            pub const COUNT: usize = Self::ALL.len();

            /// Every code as written, in declaration order.
            pub const CODES: &'static [&'static str] = &[$($text),+];

            /// The code as written in data files and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a code; the error lists the valid values.
            pub fn parse(s: &str) -> Result<Self, CodeError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(CodeError {
                        value: s.chars().filter(|c| !c.is_control()).take(64).collect(),
                        expected: Self::CODES,
                    }),
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
        /// Somewhere in a named region of several provinces of one country (5).
        Region => "region",
        /// Somewhere in a named country (6).
        Country => "country",
        /// Somewhere in a named group of several countries ("Europe, Russia, Iran and Turkey") (7).
        Multinational => "multinational",
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
            GeoPrecision::Region => 5,
            GeoPrecision::Country => 6,
            GeoPrecision::Multinational => 7,
        }
    }

    /// Whether a record of this precision is known only to an area (a province or larger): it is
    /// then no point, but the area's extent.
    pub fn is_area(self) -> bool {
        self >= GeoPrecision::Province
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
    /// How precisely one end of a period is known.
    EndPrecision {
        /// To the day.
        Day => "day",
        /// To the month: a start on the 1st, an end on the month's last day.
        Month => "month",
        /// To the year: a start on 1 January, an end on 31 December.
        Year => "year",
        /// Not given by the documents: the date is the bound the context allows (the data's
        /// README and the statement ledger say which).
        Unknown => "unknown",
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
