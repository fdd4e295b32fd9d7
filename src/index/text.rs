//! The feature texts of one part of a catalog: built in memory by a load, or a range of a catalog
//! image mapped from the cache (a warm start then neither copies nor zeroes the hundreds of
//! megabytes the texts take: the kernel's page cache holds them, shared with the file).

use std::sync::Arc;

/// One part's feature texts, valid UTF-8 either way. Cloning shares them: a catalog patched with
/// an edit ([`super::Catalog::patch`]) keeps the texts of the catalog it was made from.
#[derive(Clone)]
pub enum Text {
    /// Built by a load.
    Owned(Arc<String>),
    /// `len` bytes at `start` of a mapped image, whose checksum matched and whose writer wrote
    /// them from a `&str` (see [`Text::mapped`]).
    Mapped {
        /// The whole image, kept mapped for as long as any part of it is used.
        map: Arc<memmap2::Mmap>,
        /// Offset of the text in the image.
        start: usize,
        /// Its length in bytes.
        len: usize,
    },
}

impl Text {
    /// A range of a mapped image as text.
    ///
    /// # Safety
    /// The bytes must be valid UTF-8. The image reader calls this only for the texts of an image
    /// whose XXH3 checksum matched: [`super::Catalog::write_image`] wrote each of them from a
    /// `&str`, so a match means they are the same bytes (damage that keeps the checksum is
    /// a 2⁻⁶⁴ chance). Checking them again would cost a tenth of a warm start.
    pub unsafe fn mapped(map: Arc<memmap2::Mmap>, start: usize, len: usize) -> Option<Text> {
        (start.checked_add(len)? <= map.len()).then_some(Text::Mapped { map, start, len })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Text::Owned(s) => s.as_str(),
            Text::Mapped { map, start, len } => {
                // SAFETY: the range lies inside the mapping (checked by `mapped`), the mapping
                // is read-only and lives as long as `self`, and `mapped`'s caller vouched for UTF-8.
                unsafe { std::str::from_utf8_unchecked(&map[*start..*start + *len]) }
            }
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Owned(Arc::new(s))
    }
}
