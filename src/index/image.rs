//! A catalog's binary image: everything [`Catalog::assemble`] computed, written once so that a later
//! start over the same data reads it back instead of parsing, geocoding and serialising every row
//! again. The R-tree and extents are rebuilt from the entries (bulk loading is fast).
//!
//! Layout, little-endian: magic `ISKPCAT1`, format number, the key of the inputs, the tables,
//! entries, feature texts, id index, the inputs' hash and the records' content hashes, then an
//! XXH3-64 checksum of everything before it. Reading checks the checksum first and then every index
//! and length against the tables it points into, so a truncated, corrupt or foreign file is an
//! error, never a panic or a wrong answer.

use super::cites::CiteTable;
use super::part::{Entry, NO_AREA, NO_COUNTRY, NO_PROVINCE, NO_SPLIT};
use super::text::Text;
use super::{widen, AreaSlot, Catalog, IndexedPoint, Leaf, Split, SHORT_DAYS};
use crate::model::{Claim, Document, GeoPrecision, Kind};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use std::io::Write as _;
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"ISKPCAT1";
/// Bumped whenever the layout or the meaning of a field changes.
const FORMAT: u32 = 4;

/// Writes through a buffer, hashing every byte, and remembers the first I/O error.
struct Writer<'w, W: std::io::Write> {
    out: std::io::BufWriter<&'w mut W>,
    hash: xxhash_rust::xxh3::Xxh3,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> Writer<'_, W> {
    fn bytes(&mut self, b: &[u8]) {
        self.hash.update(b);
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(b) {
                self.error = Some(e);
            }
        }
    }
    fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.bytes(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
}

/// Reads an image front to back from the bytes before its checksum (checked first, in one pass,
/// by [`body`]). Lengths are checked against the bytes left before anything is allocated for them.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Why an image cannot be read back: damaged, truncated, of another format or data version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImageError(String);

impl From<&str> for ImageError {
    fn from(s: &str) -> Self {
        ImageError(s.to_string())
    }
}

impl From<String> for ImageError {
    fn from(s: String) -> Self {
        ImageError(s)
    }
}

type R<T> = Result<T, ImageError>;

/// The bytes of an image before its checksum, if the checksum (the last 8 bytes) matches them.
fn body(image: &[u8]) -> R<&[u8]> {
    let at = image.len().checked_sub(8).ok_or("truncated")?;
    let (body, sum) = image.split_at(at);
    let sum: [u8; 8] = sum.try_into().map_err(|_| "truncated")?;
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(sum) {
        return Err("checksum mismatch".into());
    }
    Ok(body)
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or("truncated")?;
        let b = &self.buf[self.pos..end];
        self.pos = end;
        Ok(b)
    }
    fn arr<const N: usize>(&mut self) -> R<[u8; N]> {
        let b = self.take(N)?;
        b.try_into().map_err(|_| "truncated".into())
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> R<u16> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    fn len(&mut self) -> R<usize> {
        let n = self.u64()?;
        // No count can exceed the bytes left, so a corrupt count cannot ask for a huge allocation.
        if n > (self.buf.len() - self.pos) as u64 {
            return Err("a count is larger than the file".into());
        }
        usize::try_from(n).map_err(|_| "a count is too large".into())
    }
    fn f64(&mut self) -> R<f64> {
        Ok(f64::from_le_bytes(self.arr()?))
    }
    /// A text's offset in the image and its length, not yet checked as UTF-8.
    fn span(&mut self) -> R<(usize, usize)> {
        let n = self.len()?;
        let at = self.pos;
        self.take(n)?;
        Ok((at, n))
    }
    fn str(&mut self) -> R<String> {
        let n = self.len()?;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| "text is not UTF-8".into())
    }
    fn opt(&mut self) -> R<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err("bad optional marker".into()),
        }
    }
    /// Everything was read.
    fn finish(self) -> R<()> {
        if self.pos != self.buf.len() {
            return Err("trailing bytes".into());
        }
        Ok(())
    }
}

fn code<T: Copy>(all: &[T], b: u8, what: &str) -> R<T> {
    all.get(usize::from(b))
        .copied()
        .ok_or_else(|| format!("bad {what} code {b}").into())
}

impl Catalog {
    /// The catalog's image, stamped with the data version it was built from.
    pub fn image(&self, version: &str) -> Vec<u8> {
        let mut v = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_image(version, &mut v);
        v
    }

    /// Writes the catalog's image to `out`, streaming (no copy of the whole image in memory).
    pub fn write_image(&self, version: &str, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut w = Writer {
            out: std::io::BufWriter::with_capacity(1 << 20, out),
            hash: xxhash_rust::xxh3::Xxh3::new(),
            error: None,
        };
        w.bytes(MAGIC);
        w.u32(FORMAT);
        w.str(version);
        w.u64(self.documents.len() as u64);
        for s in &self.documents {
            w.str(&s.id);
            w.str(&s.title);
            w.str(&s.author);
            w.opt(s.publisher.as_deref());
            w.opt(s.published.as_deref());
            w.opt(s.url.as_deref());
        }
        for table in [&self.countries, &self.provinces] {
            w.u64(table.len() as u64);
            for (a, b) in table {
                w.str(a);
                w.str(b);
            }
        }
        w.u64(self.areas.len() as u64);
        for a in &self.areas {
            w.str(&a.key);
            for x in a.bbox {
                w.f64(x);
            }
        }
        w.u64(self.splits.len() as u64);
        for s in &self.splits {
            w.str(&s.id);
            w.u64(s.periods.len() as u64);
            for &(a, b, n) in &s.periods {
                w.u32(a as u32);
                w.u32(b as u32);
                w.u32(n);
            }
            w.u64(s.cited.len() as u64);
            for (d, section) in &s.cited {
                w.str(d);
                w.str(section);
            }
        }
        w.u64(self.cites.len() as u64);
        for i in 0..self.cites.len() as u32 {
            let (s, section) = self.cites.entry(i);
            w.u64(s as u64);
            w.str(section);
        }
        w.u64(self.cite_list.len() as u64);
        for &c in &self.cite_list {
            w.u32(c);
        }
        w.u64(self.entries.len() as u64);
        for e in &self.entries {
            w.f64(e.lon);
            w.f64(e.lat);
            w.u32(e.first_day as u32);
            w.u32(e.last_day as u32);
            w.u32(e.count);
            w.u64(e.text);
            w.u32(e.len);
            w.u32(e.cites);
            w.u32(e.admin1);
            w.u32(e.area);
            w.u16(e.country);
            w.u16(e.split);
            w.u16(e.ncites);
            w.u16(e.id_len);
            w.u8(e.kind as u8);
            w.u8(e.claim as u8);
            w.u8(e.geo_precision as u8);
        }
        w.u64(self.texts.len() as u64);
        for t in &self.texts {
            w.str(t);
        }
        w.u64(self.by_id.len() as u64);
        for &i in &self.by_id {
            w.u32(i);
        }
        w.u64(self.inputs);
        w.u64(self.hashes.len() as u64);
        for &h in &self.hashes {
            w.u64(h);
        }
        if let Some(e) = w.error {
            return Err(e);
        }
        let sum = w.hash.digest();
        w.out.write_all(&sum.to_le_bytes())?;
        w.out.flush()
    }

    /// Reads an image written by [`Catalog::image`] for data version `version`, copying its feature
    /// texts. Any difference of version, format or checksum, and any index out of its table, is
    /// an error.
    pub fn from_image(buf: &[u8], version: &str) -> Result<Catalog, ImageError> {
        Catalog::parse_image(buf, version, |at, n| {
            std::str::from_utf8(&buf[at..at + n])
                .map(|t| Text::from(t.to_string()))
                .map_err(|_| "text is not UTF-8".into())
        })
    }

    /// Reads an image mapped from a file, as [`Catalog::from_image`], but its feature texts stay
    /// in the mapping: nothing of them is copied. The file must not change while the catalog
    /// lives (the cache replaces an image by renaming a new file over it, which leaves a mapped
    /// one intact).
    pub fn from_mapped(map: Arc<memmap2::Mmap>, version: &str) -> Result<Catalog, ImageError> {
        let texts = map.clone();
        Catalog::parse_image(&map, version, move |at, n| {
            // SAFETY: `parse_image` asks for texts only after the image's checksum matched.
            unsafe { Text::mapped(texts.clone(), at, n) }
                .ok_or_else(|| "a text lies outside the image".into())
        })
    }

    /// Checks the checksum, then reads the tables, making each feature text with `text` from
    /// its offset and length in `buf`.
    fn parse_image(
        buf: &[u8],
        version: &str,
        text: impl Fn(usize, usize) -> R<Text>,
    ) -> Result<Catalog, ImageError> {
        let mut r = Reader {
            buf: body(buf)?,
            pos: 0,
        };
        if &r.arr::<8>()? != MAGIC {
            return Err("not a catalog image".into());
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(format!("image format {format}, this build reads {FORMAT}").into());
        }
        let v = r.str()?;
        if v != version {
            return Err(format!("image of data version {v}, not {version}").into());
        }
        let mut sources = Vec::new();
        for _ in 0..r.len()? {
            sources.push(Document {
                id: r.str()?,
                title: r.str()?,
                author: r.str()?,
                publisher: r.opt()?,
                published: r.opt()?,
                url: r.opt()?,
            });
        }
        let mut tables: [Vec<(Box<str>, Box<str>)>; 2] = [Vec::new(), Vec::new()];
        for t in &mut tables {
            for _ in 0..r.len()? {
                t.push((r.str()?.into(), r.str()?.into()));
            }
        }
        let [countries, provinces] = tables;
        let mut areas = Vec::new();
        for _ in 0..r.len()? {
            let key: Box<str> = r.str()?.into();
            let bbox = [r.f64()?, r.f64()?, r.f64()?, r.f64()?];
            if !bbox.iter().all(|x| x.is_finite()) || bbox[0] > bbox[2] || bbox[1] > bbox[3] {
                return Err(format!("area {key} has a bad box").into());
            }
            areas.push(AreaSlot { key, bbox });
        }
        let mut splits = Vec::new();
        for _ in 0..r.len()? {
            let id = r.str()?;
            let mut periods = Vec::new();
            for _ in 0..r.len()? {
                periods.push((r.u32()? as i32, r.u32()? as i32, r.u32()?));
            }
            let mut cited = Vec::new();
            for _ in 0..r.len()? {
                cited.push((r.str()?, r.str()?));
            }
            splits.push(Split { id, periods, cited });
        }
        let mut cites = CiteTable::default();
        for i in 0..r.len()? {
            let s = usize::try_from(r.u64()?).map_err(|_| "bad source index")?;
            if s >= sources.len() {
                return Err(format!("citation {i} names source {s} of {}", sources.len()).into());
            }
            let section = r.str()?;
            if cites.intern(s, &section) as usize != i {
                return Err(format!("citation {i} repeats an earlier one").into());
            }
        }
        let n = r.len()?;
        let mut cite_list = Vec::with_capacity(n);
        for _ in 0..n {
            let c = r.u32()?;
            if c as usize >= cites.len() {
                return Err(format!("citation number {c} of {}", cites.len()).into());
            }
            cite_list.push(c);
        }
        let n = r.len()?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            entries.push(Entry {
                lon: r.f64()?,
                lat: r.f64()?,
                first_day: r.u32()? as i32,
                last_day: r.u32()? as i32,
                count: r.u32()?,
                text: r.u64()?,
                len: r.u32()?,
                cites: r.u32()?,
                admin1: r.u32()?,
                area: r.u32()?,
                country: r.u16()?,
                split: r.u16()?,
                ncites: r.u16()?,
                id_len: r.u16()?,
                kind: code(Kind::ALL, r.u8()?, "kind")?,
                claim: code(Claim::ALL, r.u8()?, "claim")?,
                geo_precision: code(GeoPrecision::ALL, r.u8()?, "precision")?,
            });
        }
        let mut texts = Vec::new();
        for _ in 0..r.len()? {
            let (at, n) = r.span()?;
            texts.push(text(at, n)?);
        }
        let n = r.len()?;
        let mut by_id = Vec::with_capacity(n);
        let mut seen = vec![false; entries.len()];
        for _ in 0..n {
            let i = r.u32()?;
            match seen.get_mut(i as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err(format!("id index names record {i} twice or out of range").into()),
            }
            by_id.push(i);
        }
        if by_id.len() != entries.len() {
            return Err("the id index does not match the entries".into());
        }
        let inputs = r.u64()?;
        let n = r.len()?;
        if n != 0 && n != entries.len() {
            return Err("the content hashes do not match the entries".into());
        }
        let mut hashes = Vec::with_capacity(n);
        for _ in 0..n {
            hashes.push(r.u64()?);
        }
        r.finish()?;
        for (k, e) in entries.iter().enumerate() {
            let text = texts
                .get(e.part())
                .ok_or_else(|| format!("record {k}: no text part"))?;
            let head = e.offset().checked_add(e.len as usize);
            let id_end = e.offset() + 24 + usize::from(e.id_len);
            let fits = head.is_some_and(|h| h <= text.len() && id_end <= h)
                && text.is_char_boundary(e.offset())
                && head.is_some_and(|h| text.is_char_boundary(h))
                && text.is_char_boundary(id_end.min(text.len()));
            let cites_fit = (e.cites as usize)
                .checked_add(usize::from(e.ncites))
                .is_some_and(|end| end <= cite_list.len());
            if !fits
                || !cites_fit
                || (e.country != NO_COUNTRY && usize::from(e.country) >= countries.len())
                || (e.admin1 != NO_PROVINCE && e.admin1 as usize >= provinces.len())
                || (e.area != NO_AREA && e.area as usize >= areas.len())
                || (e.split != NO_SPLIT && usize::from(e.split) >= splits.len())
                || !e.lon.is_finite()
                || !e.lat.is_finite()
            {
                return Err(format!("record {k} points outside the image").into());
            }
        }
        let mut cat = Catalog {
            cite_json: cites.to_json(&sources),
            entries,
            texts,
            cite_list,
            cites,
            countries,
            provinces,
            areas,
            area_records: Vec::new(),
            area_tree: RTree::new(),
            splits,
            documents: sources,
            tree: RTree::new_with_params(),
            by_id,
            hashes,
            inputs,
            dead: 0,
            extents: Vec::new(),
            long: Vec::new(),
            columns: std::sync::OnceLock::new(),
            day_indexes: Default::default(),
            others: std::sync::OnceLock::new(),
        };
        cat.index_points();
        Ok(cat)
    }

    /// Builds the R-tree, the extents and the time index from the entries.
    pub(super) fn index_points(&mut self) {
        // Sized at once (most records have a point): collected through a filter, the vector
        // doubled twenty times, each a copy into fresh pages.
        let mut points: Vec<IndexedPoint> = Vec::with_capacity(self.entries.len());
        points.extend(
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.area == NO_AREA)
                .map(|(i, e)| Leaf::point(i as u32, e)),
        );
        self.tree = RTree::bulk_load_with_params(points);
        self.index_rest();
    }

    /// Builds what [`Catalog::index_points`] builds besides the point R-tree: the time index, the
    /// areas' records and R-tree, and the extents.
    pub(super) fn index_rest(&mut self) {
        self.long = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.last_day - e.first_day > SHORT_DAYS)
            .map(|(i, _)| i as u32)
            .collect();
        let mut area_records = vec![Vec::new(); self.areas.len()];
        let mut extents = vec![None; Kind::ALL.len() + 1];
        for (i, e) in self.entries.iter().enumerate() {
            let span = (e.first_day, e.last_day);
            if let Some(list) = area_records.get_mut(e.area as usize) {
                list.push(i as u32);
                let b = self.areas[e.area as usize].bbox;
                for k in [0, e.kind as usize + 1] {
                    widen(&mut extents[k], b[0], b[1], span);
                    widen(&mut extents[k], b[2], b[3], span);
                }
            } else {
                widen(&mut extents[0], e.lon, e.lat, span);
                widen(&mut extents[e.kind as usize + 1], e.lon, e.lat, span);
            }
        }
        self.area_records = area_records;
        self.area_tree = RTree::bulk_load(
            self.areas
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    GeomWithData::new(
                        Rectangle::from_corners([a.bbox[0], a.bbox[1]], [a.bbox[2], a.bbox[3]]),
                        k as u32,
                    )
                })
                .collect(),
        );
        self.extents = extents;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Filter;
    use crate::synth;

    fn catalog() -> Catalog {
        Catalog::new(synth::records(3_000, 9), vec![synth::document()]).expect("fits")
    }

    /// A catalog read back from its image answers exactly as the original.
    #[test]
    fn an_image_reads_back_as_the_same_catalog() {
        let cat = catalog();
        let back = Catalog::from_image(&cat.image("v1"), "v1").expect("reads back");
        assert_eq!(back.len(), cat.len());
        for i in 0..cat.len() as u32 {
            assert_eq!(back.feature(i), cat.feature(i));
            assert_eq!(back.record(i), cat.record(i));
            assert_eq!(back.find(cat.id(i)), Some(i));
        }
        let f = Filter::default();
        assert_eq!(back.matching(&f), cat.matching(&f));
        assert_eq!(back.kind_extent(None), cat.kind_extent(None));
    }

    /// Another version, a flipped byte or a cut file is refused with a reason, never a panic.
    #[test]
    fn damaged_or_foreign_images_are_refused() {
        let img = catalog().image("v1");
        assert!(Catalog::from_image(&img, "v2")
            .unwrap_err()
            .to_string()
            .contains("version"));
        for at in [
            0,
            9,
            img.len() / 3,
            img.len() / 2,
            img.len() - 9,
            img.len() - 1,
        ] {
            let mut bad = img.clone();
            bad[at] ^= 0x40;
            assert!(Catalog::from_image(&bad, "v1").is_err(), "byte {at}");
        }
        for len in [0, 7, 8, 100, img.len() - 1] {
            assert!(
                Catalog::from_image(&img[..len], "v1").is_err(),
                "cut at {len}"
            );
        }
    }
}
