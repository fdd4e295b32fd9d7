//! FlatGeobuf encoding of a selection, with its packed Hilbert R-tree index. Columns mirror the
//! CSV download, typed from the field table; absent values are left null.

use super::csv::{header, polygon_values, record_values};
use crate::model::columns::{record_field, FieldType, TOTAL_FIELDS};
use crate::store::collections::Selection;
use crate::store::Snapshot;
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

/// Why a FlatGeobuf file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FgbError {
    /// The writer refused the file's layout.
    #[error("FlatGeobuf: {0}")]
    File(#[from] flatgeobuf::Error),
    /// A feature could not be encoded.
    #[error("FlatGeobuf feature: {0}")]
    Feature(#[from] geozero::error::GeozeroError),
}

/// Column types of the records file: integers and numbers where the field table says so, text
/// elsewhere.
fn record_type(name: &str) -> ColumnType {
    match record_field(name).map(|f| f.ty) {
        Some(FieldType::Integer) => ColumnType::Long,
        Some(FieldType::Number) => ColumnType::Double,
        _ => ColumnType::String,
    }
}

fn polygon_type(name: &str) -> ColumnType {
    match name {
        "lon" | "lat" => ColumnType::Double,
        _ if TOTAL_FIELDS.contains(&name) => ColumnType::Long,
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

/// The geometry of a feature that has none.
struct NoGeometry;

impl geozero::GeozeroGeometry for NoGeometry {
    fn process_geom<P: geozero::GeomProcessor>(
        &self,
        _processor: &mut P,
    ) -> geozero::error::Result<()> {
        Ok(())
    }
}

/// Writes the selected features as a FlatGeobuf file in memory.
pub fn write(snap: &Snapshot, sel: &Selection) -> Result<Vec<u8>, FgbError> {
    let mut out = Vec::new();
    write_to(snap, sel, &mut out)?;
    Ok(out)
}

/// Writes the selected features as a FlatGeobuf file to `out` (the service writes to a temporary
/// file, so that nothing is held in memory while a client reads).
pub fn write_to(
    snap: &Snapshot,
    sel: &Selection,
    out: &mut impl std::io::Write,
) -> Result<(), FgbError> {
    let columns = header(sel);
    let (types, geometry_type): (fn(&str) -> ColumnType, GeometryType) = match sel {
        Selection::Records(_) => (record_type, GeometryType::Point),
        Selection::Polygons(..) => (polygon_type, GeometryType::MultiPolygon),
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
    let mut fgb = FgbWriter::create_with_options("iskp-map", geometry_type, options)?;
    for name in columns {
        fgb.add_column(name, types(name), |_, col| col.nullable = true);
    }
    match sel {
        Selection::Records(ids) => {
            for &i in ids.iter() {
                let r = snap.catalog.record(i);
                let row = record_values(snap, &r);
                match r.point {
                    Some([x, y]) => {
                        let geom = geo::Geometry::Point(geo::Point::new(x, y));
                        fgb.add_feature_geom(geom, |feat| put(feat, columns, types, row))?;
                    }
                    // A record known only to an area has no point: an empty geometry, which no
                    // spatial query of the file's index selects.
                    None => {
                        fgb.add_feature_geom(NoGeometry, |feat| put(feat, columns, types, row))?
                    }
                }
            }
        }
        Selection::Polygons(level, ids) => {
            for &i in ids {
                let j = &snap.jurisdictions.of(*level)[i];
                let geom = geo::Geometry::MultiPolygon(j.geometry.clone());
                let row = polygon_values(snap, *level, i);
                fgb.add_feature_geom(geom, |feat| put(feat, columns, types, row))?;
            }
        }
    }
    let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, out);
    fgb.write(&mut buffered)?;
    std::io::Write::flush(&mut buffered).map_err(flatgeobuf::Error::from)?;
    Ok(())
}
