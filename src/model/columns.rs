//! The one table of a record's fields, and the column lists of the data files.
//!
//! [`RECORD_FIELDS`] says, for every field a record has anywhere — a column of `records.csv`, a
//! GeoJSON property, a CSV download column, a query parameter — its type, its code list, its title
//! and where it appears. The JSON Schemas (`schema`, `queryables`), the OpenAPI parameters, the CSV
//! download header and the FlatGeobuf column types are all generated from it, so they cannot
//! drift apart. The file layouts (`RECORD_COLUMNS` and friends) are literal lists, in the order the
//! files are written; a test checks each against the table.

use super::codes::{Claim, CountBasis, DatePrecision, EndPrecision, GeoPrecision, Kind, Link};

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// A decimal number (coordinates).
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of a closed list of codes.
    Code(&'static [&'static str]),
    /// A list of strings (`|`-separated in CSV).
    List,
    /// A JSON object (GeoJSON only).
    Object,
    /// The citations: a list of objects in GeoJSON, `S1: section; …` in CSV.
    Citations,
}

/// A field as a query parameter: the name a client sends and what the parameter documentation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The query parameter (the field's own name, except `province` for `admin1_id`).
    pub name: &'static str,
    /// Documentation of the parameter, where it needs more than the type.
    pub description: Option<&'static str>,
    /// A pattern the value must match (case-insensitive codes).
    pub pattern: Option<&'static str>,
    /// Whether the collections' `queryables` list it.
    pub queryable: bool,
}

/// One field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name, in files, properties and columns alike.
    pub name: &'static str,
    /// A title for people (JSON Schema `title`); `None` where the code list says enough.
    pub title: Option<&'static str>,
    /// What it holds.
    pub ty: FieldType,
    /// Whether it may be empty (null in JSON).
    pub nullable: bool,
    /// Smallest allowed value, for integers.
    pub minimum: Option<i64>,
    /// A GeoJSON property of the served features.
    pub property: bool,
    /// A column of the CSV (and FlatGeobuf) download.
    pub download: bool,
    /// A query parameter filtering on it, if any.
    pub filter: Option<Param>,
}

const fn field(name: &'static str, title: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        title: Some(title),
        ty,
        nullable: false,
        minimum: None,
        property: true,
        download: true,
        filter: None,
    }
}

const fn code(name: &'static str, codes: &'static [&'static str]) -> Field {
    Field {
        title: None,
        ..field(name, "", FieldType::Code(codes))
    }
}

const fn nullable(f: Field) -> Field {
    Field {
        nullable: true,
        ..f
    }
}

const fn filtered(f: Field, param: Param) -> Field {
    Field {
        filter: Some(param),
        ..f
    }
}

const fn download_only(f: Field) -> Field {
    Field {
        property: false,
        ..f
    }
}

const fn property_only(f: Field) -> Field {
    Field {
        download: false,
        ..f
    }
}

const PLAIN: Param = Param {
    name: "",
    description: None,
    pattern: None,
    queryable: true,
};

const fn param(name: &'static str) -> Param {
    Param { name, ..PLAIN }
}

/// Every field of a record, in the order of the CSV download.
pub const RECORD_FIELDS: &[Field] = &[
    field("id", "Stable record id", FieldType::Text),
    filtered(
        Field {
            title: Some("Kind of activity"),
            ..code("kind", Kind::CODES)
        },
        param("kind"),
    ),
    field("title", "Title", FieldType::Text),
    field("summary", "Summary", FieldType::Text),
    field("date", "First day", FieldType::Date),
    nullable(field("date_end", "Last day, for periods", FieldType::Date)),
    code("date_precision", DatePrecision::CODES),
    Field {
        title: Some("How precisely a period's start is known (unknown: date is the bound the context allows)"),
        ..nullable(code("start_precision", EndPrecision::CODES))
    },
    Field {
        title: Some("How precisely a period's end is known (unknown: date_end is the bound the context allows)"),
        ..nullable(code("end_precision", EndPrecision::CODES))
    },
    nullable(field(
        "split",
        "The stated time split this record's count shares (splits.csv)",
        FieldType::Text,
    )),
    field("place", "Place as the source gives it", FieldType::Text),
    nullable(field("admin1", "Province", FieldType::Text)),
    filtered(
        nullable(field(
            "admin1_id",
            "Province id (Natural Earth adm1_code)",
            FieldType::Text,
        )),
        Param {
            name: "province",
            description: Some("Province id (Natural Earth adm1_code, e.g. AFG-1762); only records known to province precision or better have one."),
            pattern: None,
            // Not a property of the features (that is admin1_id), so not offered as a queryable.
            queryable: false,
        },
    ),
    filtered(
        nullable(field(
            "country",
            "ISO 3166-1 alpha-3 (null for a record known only to several countries)",
            FieldType::Text,
        )),
        Param {
            name: "country",
            description: Some("ISO 3166-1 alpha-3."),
            pattern: Some("^[A-Za-z]{3}$"),
            queryable: true,
        },
    ),
    nullable(field("country_name", "Country", FieldType::Text)),
    filtered(code("geo_precision", GeoPrecision::CODES), param("geo_precision")),
    field("where_prec", "UCDP where_prec", FieldType::Integer),
    property_only(nullable(field(
        "area",
        "The area a record known only to a province, region, country or group of countries lies in: id, members, bbox (the record then has no point geometry)",
        FieldType::Object,
    ))),
    Field {
        minimum: Some(1),
        ..field("count", "Events the record stands for", FieldType::Integer)
    },
    code("count_basis", CountBasis::CODES),
    nullable(field("fatalities", "Killed", FieldType::Integer)),
    nullable(field("injured", "Injured", FieldType::Integer)),
    filtered(code("claim", Claim::CODES), param("claim")),
    filtered(nullable(code("link", Link::CODES)), param("link")),
    field("denied_by", "States that denied it", FieldType::List),
    nullable(field("target", "Target", FieldType::Text)),
    property_only(nullable(field(
        "origin",
        "Launch site of cross-border fire",
        FieldType::Object,
    ))),
    download_only(nullable(field(
        "origin_place",
        "Launch site as the source gives it",
        FieldType::Text,
    ))),
    download_only(nullable(field(
        "origin_country",
        "Launch site country",
        FieldType::Text,
    ))),
    download_only(nullable(field(
        "origin_lon",
        "Launch site longitude",
        FieldType::Number,
    ))),
    download_only(nullable(field(
        "origin_lat",
        "Launch site latitude",
        FieldType::Number,
    ))),
    field("sources", "Documents and sections", FieldType::Citations),
    download_only(field("lon", "Longitude", FieldType::Number)),
    download_only(field("lat", "Latitude", FieldType::Number)),
];

/// The field called `name`.
pub fn record_field(name: &str) -> Option<&'static Field> {
    RECORD_FIELDS.iter().find(|f| f.name == name)
}

/// The fields that a query parameter filters on, in table order.
pub fn filter_fields() -> impl Iterator<Item = (&'static Field, &'static Param)> {
    RECORD_FIELDS
        .iter()
        .filter_map(|f| f.filter.as_ref().map(|p| (f, p)))
}

/// The columns of the CSV download of records.
pub fn download_columns() -> Vec<&'static str> {
    RECORD_FIELDS
        .iter()
        .filter(|f| f.download)
        .map(|f| f.name)
        .collect()
}

/// Columns of `records.csv`, in the order the committed file (and `db export`) writes them.
pub const RECORD_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "title",
    "summary",
    "date",
    "date_end",
    "date_precision",
    "place",
    "country",
    "geo_precision",
    "lon",
    "lat",
    "count",
    "count_basis",
    "fatalities",
    "injured",
    "claim",
    "link",
    "denied_by",
    "target",
    "origin_place",
    "origin_country",
    "start_precision",
    "end_precision",
    "split",
];

/// Columns of `splits.csv`: the periods of a stated time split of a total, each with its count and
/// where the document states it.
pub const SPLIT_COLUMNS: &[&str] = &[
    "split",
    "date",
    "date_end",
    "start_precision",
    "end_precision",
    "count",
    "source_id",
    "section",
];

/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: &[&str] = &["id", "title", "author", "publisher", "published", "url"];

/// Columns of `citations.csv`.
pub const CITATION_COLUMNS: &[&str] = &["record_id", "source_id", "section"];

/// Columns of `places.csv` (curated gazetteer entries).
pub const PLACE_COLUMNS: &[&str] = &[
    "name", "aliases", "country", "level", "lon", "lat", "note", "members",
];

/// Columns of `cities.csv` (GeoNames).
pub const CITY_COLUMNS: &[&str] = &[
    "geonameid",
    "name",
    "country",
    "lon",
    "lat",
    "population",
    "feature_code",
    "admin1_code",
    "alternates",
];

/// The totals every jurisdiction carries, as served in the polygon layers, their schema and CSV:
/// records, the sum of `count`, and the sum per kind.
pub const TOTAL_FIELDS: [&str; 8] = [
    "records",
    "total",
    "attack",
    "plot",
    "arrest",
    "designation",
    "raid",
    "presence",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of `records.csv` is a field, or a field of its launch site.
    #[test]
    fn file_columns_are_fields() {
        for c in RECORD_COLUMNS {
            assert!(record_field(c).is_some(), "{c} is not in RECORD_FIELDS");
        }
        assert_eq!(
            &TOTAL_FIELDS[2..],
            &Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()[..],
            "one total per kind, in Kind::ALL order"
        );
    }

    /// Each filter parameter is named once.
    #[test]
    fn filter_parameters_are_unique() {
        let mut names: Vec<&str> = filter_fields().map(|(_, p)| p.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
