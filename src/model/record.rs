//! A record, the documents it cites, and where in them.

use super::codes::{Claim, CountBasis, DatePrecision, EndPrecision, GeoPrecision, Kind, Link};
use serde::Serialize;
use time::Date;

/// One document in `geodata/sources.csv`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Document {
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
    pub document: usize,
    /// Section, paragraph or list item in that document.
    pub section: String,
}

/// A point with the name and country it was geocoded from.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchSite {
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
    /// For a period: how precisely its start is known (`None`: to the day).
    pub start_precision: Option<EndPrecision>,
    /// For a period: how precisely its end is known (`None`: to the day).
    pub end_precision: Option<EndPrecision>,
    /// The stated time split its count shares (`splits.csv`), if any.
    pub split: Option<String>,
    /// Place name as the source gives it.
    pub place: String,
    /// Province (admin-1) name, from point-in-polygon.
    pub admin1: Option<String>,
    /// Province (admin-1) id (`AFG-1760`).
    pub admin1_id: Option<String>,
    /// ISO 3166-1 alpha-3 (`None` for a record known only to several countries).
    pub country: Option<String>,
    /// Country name.
    pub country_name: Option<String>,
    /// How precisely the place is known.
    pub geo_precision: GeoPrecision,
    /// The point `[lon, lat]`, rounded to 6 decimals, for records located to a district or better;
    /// `None` for records known only to an area.
    pub point: Option<[f64; 2]>,
    /// The area a record known only to a province, region, country or group of countries lies in.
    pub area: Option<Area>,
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
    pub launch_site: Option<LaunchSite>,
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
        super::dates::end_of(self.date, self.date_precision)
    }
}

/// An area a record is known to lie in, and no more precisely.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Its id: the country's ISO alpha-3, the province's `adm1_code`, or the region's name.
    pub id: String,
    /// Its members, for a region (ISO 3166-2 codes of its provinces) or a group of countries (ISO
    /// alpha-3 codes); empty for a single province or country.
    pub members: Vec<String>,
    /// `[minLon, minLat, maxLon, maxLat]` of the whole area.
    pub bbox: [f64; 4],
}

/// Rounds a coordinate to 6 decimals (about 0.1 m), the precision the API serves. The index holds the
/// rounded value, so a served point is always inside the bbox that selected it.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
