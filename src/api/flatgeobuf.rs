//! FlatGeobuf encoding of a selection, with its packed Hilbert R-tree index, for the download
//! endpoint. Columns mirror the CSV download; absent values are left null.

use super::download::{polygon_columns, RECORD_CSV};
use super::ogc::Selection;
use crate::geocode::jurisdictions::Level;
use crate::snapshot::Snapshot;
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

/// Column types of the records file: integers where the CSV holds integers, text elsewhere.
fn record_type(name: &str) -> ColumnType {
    match name {
        "where_prec" | "count" | "fatalities" | "injured" => ColumnType::Long,
        "origin_lon" | "origin_lat" | "lon" | "lat" => ColumnType::Double,
        _ => ColumnType::String,
    }
}

fn polygon_type(name: &str) -> ColumnType {
    match name {
        "lon" | "lat" => ColumnType::Double,
        "records" | "total" | "attack" | "plot" | "arrest" | "designation" | "raid"
        | "presence" => ColumnType::Long,
        _ => ColumnType::String,
    }
}

/// Sets the non-empty values of one feature, typed by column.
fn put(
    feat: &mut impl PropertyProcessor,
    columns: &[&str],
    types: fn(&str) -> ColumnType,
    values: Vec<String>,
) {
    for (i, (name, v)) in columns.iter().zip(values).enumerate() {
        if v.is_empty() {
            continue;
        }
        let typed = match types(name) {
            ColumnType::Long => v.parse::<i64>().map(ColumnValue::Long).ok(),
            ColumnType::Double => v.parse::<f64>().map(ColumnValue::Double).ok(),
            _ => None,
        };
        let _ = match typed {
            Some(val) => feat.property(i, name, &val),
            None => feat.property(i, name, &ColumnValue::String(&v)),
        };
    }
}

/// Writes the selected features as a FlatGeobuf file.
pub fn write(snap: &Snapshot, sel: &Selection) -> Result<Vec<u8>, String> {
    let (columns, types, geometry_type): (Vec<&str>, fn(&str) -> ColumnType, GeometryType) =
        match sel {
            Selection::Records(_) => (RECORD_CSV.to_vec(), record_type, GeometryType::Point),
            Selection::Polygons(..) => {
                (polygon_columns(), polygon_type, GeometryType::MultiPolygon)
            }
        };
    let columns = columns.as_slice();
    let options = FgbWriterOptions {
        write_index: true,
        crs: FgbCrs {
            code: 4326,
            ..Default::default()
        },
        title: Some("iskp-map"),
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options("iskp-map", geometry_type, options)
        .map_err(|e| e.to_string())?;
    for name in columns {
        fgb.add_column(name, types(name), |_, col| col.nullable = true);
    }
    match sel {
        Selection::Records(ids) => {
            for &i in ids.iter() {
                let r = snap.catalog.record(i);
                let geom = geo::Geometry::Point(geo::Point::new(r.lon, r.lat));
                let row = super::download::record_values(snap, &r);
                fgb.add_feature_geom(geom, |feat| put(feat, columns, types, row))
                    .map_err(|e| e.to_string())?;
            }
        }
        Selection::Polygons(level, ids) => {
            for &i in ids {
                let j = match level {
                    Level::Country => &snap.jurisdictions.countries[i],
                    Level::Province => &snap.jurisdictions.provinces[i],
                };
                let geom = geo::Geometry::MultiPolygon(j.geometry.clone());
                let row = super::download::polygon_values(snap, *level, i);
                fgb.add_feature_geom(geom, |feat| put(feat, columns, types, row))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let mut out = Vec::new();
    fgb.write(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}
