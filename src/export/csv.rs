//! CSV of a selection: the records' columns of [`crate::model::columns::RECORD_FIELDS`] (with
//! `lon`, `lat`, and `sources` as `S1: section; …`), or a jurisdiction's identity and totals.

use crate::geo::jurisdictions::{Jurisdiction, Level};
use crate::model::columns::{download_columns, TOTAL_FIELDS};
use crate::model::dates::format_date;
use crate::model::Record;
use crate::store::collections::Selection;
use crate::store::Snapshot;

/// The header of a selection's CSV.
pub fn header(sel: &Selection) -> Vec<&'static str> {
    match sel {
        Selection::Records(_) => download_columns(),
        Selection::Polygons(..) => polygon_columns(),
    }
}

/// The header of a record selection's CSV with `id` and only the columns `properties` names (in
/// the table's order; all when `None`), and `lon`, `lat` unless `skip_geometry`. A polygon
/// selection keeps all its columns.
pub fn header_of(
    sel: &Selection,
    properties: Option<&[&str]>,
    skip_geometry: bool,
) -> Vec<&'static str> {
    let all = header(sel);
    match sel {
        Selection::Records(_) => all
            .into_iter()
            .filter(|c| match *c {
                "id" => true,
                "lon" | "lat" => !skip_geometry,
                _ => properties.is_none_or(|keep| keep.contains(c)),
            })
            .collect(),
        _ => all,
    }
}

/// Columns of the jurisdictions CSV: identity, the [`Totals`](crate::views::totals::Totals) fields, and
/// `lon`, `lat` (the representative point).
pub fn polygon_columns() -> Vec<&'static str> {
    let mut v = vec!["id", "name", "level", "country", "iso_3166_2"];
    v.extend(TOTAL_FIELDS);
    v.extend(["lon", "lat"]);
    v
}

/// The CSV values of a record, in [`download_columns`] order (empty where a value is absent).
pub fn record_values(snap: &Snapshot, r: &Record) -> Vec<String> {
    download_columns()
        .into_iter()
        .map(|c| record_value(snap, r, c))
        .collect()
}

/// One CSV value of a record, by column name.
fn record_value(snap: &Snapshot, r: &Record, column: &str) -> String {
    let num = |v: Option<u32>| v.map_or_else(String::new, |x| x.to_string());
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    let site = r.launch_site.as_ref();
    match column {
        "id" => r.id.clone(),
        "kind" => r.kind.to_string(),
        "title" => r.title.clone(),
        "summary" => r.summary.clone(),
        "date" => format_date(r.date),
        "date_end" => r.date_end.map(format_date).unwrap_or_default(),
        "date_precision" => r.date_precision.to_string(),
        "start_precision" => text(r.start_precision.map(|p| p.as_str())),
        "end_precision" => text(r.end_precision.map(|p| p.as_str())),
        "split" => text(r.split.as_deref()),
        "place" => r.place.clone(),
        "admin1" => text(r.admin1.as_deref()),
        "admin1_id" => text(r.admin1_id.as_deref()),
        "country" => text(r.country.as_deref()),
        "country_name" => text(r.country_name.as_deref()),
        "geo_precision" => r.geo_precision.to_string(),
        "where_prec" => r.geo_precision.ucdp_where_prec().to_string(),
        "count" => r.count.to_string(),
        "count_basis" => r.count_basis.to_string(),
        "fatalities" => num(r.fatalities),
        "injured" => num(r.injured),
        "claim" => r.claim.to_string(),
        "link" => text(r.link.map(|l| l.as_str())),
        "denied_by" => r.denied_by.join("|"),
        "target" => text(r.target.as_deref()),
        "origin_place" => text(site.map(|o| o.place.as_str())),
        "origin_country" => text(site.map(|o| o.country.as_str())),
        "origin_lon" => site.map(|o| o.lon.to_string()).unwrap_or_default(),
        "origin_lat" => site.map(|o| o.lat.to_string()).unwrap_or_default(),
        "sources" => r
            .citations
            .iter()
            .map(|c| format!("{}: {}", snap.catalog.documents()[c.document].id, c.section))
            .collect::<Vec<_>>()
            .join("; "),
        "lon" => r.point.map(|p| p[0].to_string()).unwrap_or_default(),
        "lat" => r.point.map(|p| p[1].to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// The CSV values of a jurisdiction, in [`polygon_columns`] order.
pub fn polygon_values(snap: &Snapshot, level: Level, i: usize) -> Vec<String> {
    let (j, t): (&Jurisdiction, _) = match level {
        Level::Country => (&snap.jurisdictions.countries[i], snap.countries.totals[i]),
        Level::Province => (&snap.jurisdictions.provinces[i], snap.provinces.totals[i]),
    };
    let mut row = vec![
        j.id.clone(),
        j.name.clone(),
        if level == Level::Country {
            "country"
        } else {
            "province"
        }
        .into(),
        j.country.clone(),
        j.iso_3166_2.clone().unwrap_or_default(),
    ];
    row.extend(t.values().iter().map(u64::to_string));
    row.extend([j.label.0.to_string(), j.label.1.to_string()]);
    row
}

/// The rows `range` of a selection as CSV, holding the record columns `columns` (a subset of
/// [`download_columns`], from [`header_of`]), after the header when `header` is set.
pub fn chunk_of(
    snap: &Snapshot,
    sel: &Selection,
    range: std::ops::Range<usize>,
    header: Option<&[&str]>,
    columns: &[&str],
) -> Vec<u8> {
    match sel {
        Selection::Records(v) if columns.len() < download_columns().len() => write_rows(
            v[range].iter().map(|&i| {
                let r = snap.catalog.record(i);
                columns.iter().map(|c| record_value(snap, &r, c)).collect()
            }),
            header,
        ),
        _ => chunk(snap, sel, range, header),
    }
}

/// The rows `range` of a selection as CSV (CRLF line ends), after the header when `header` is set.
pub fn chunk(
    snap: &Snapshot,
    sel: &Selection,
    range: std::ops::Range<usize>,
    header: Option<&[&str]>,
) -> Vec<u8> {
    match sel {
        Selection::Records(v) => write_rows(
            v[range]
                .iter()
                .map(|&i| record_values(snap, &snap.catalog.record(i))),
            header,
        ),
        Selection::Polygons(level, v) => write_rows(
            v[range].iter().map(|&i| polygon_values(snap, *level, i)),
            header,
        ),
    }
}

fn write_rows(rows: impl Iterator<Item = Vec<String>>, header: Option<&[&str]>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(h) = header {
        let _ = w.write_record(h);
    }
    for r in rows {
        let cells: Vec<_> = r.iter().map(|cell| neutralised(cell)).collect();
        let _ = w.write_record(cells.iter().map(|c| c.as_bytes()));
    }
    w.into_inner().unwrap_or_default()
}

/// A cell as a spreadsheet will not run it: text that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP, "CSV Injection"), so Excel, LibreOffice and Google
/// Sheets show it as text instead of evaluating a formula. Numbers (`-12.5`, `+3`) are left as
/// they are: a spreadsheet reads them as numbers, which cannot run anything.
pub fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = cell.parse::<f64>().is_ok_and(f64::is_finite)
        && cell
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("-1e5", "-1e5"),
            ("Kabul", "Kabul"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralised(cell), out, "{cell:?}");
        }
    }
}
