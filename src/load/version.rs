//! The key a catalog image is found under: [`content_version`], a hash of the eight input texts,
//! cheap as the files stream by. It is not the data version served, which names what the data says
//! rather than how its files are written ([`crate::index::version`]).

/// XXH3-64 over the inputs (each followed by a 0xff separator byte), as 16 hex digits: a data
/// version that every replica computes alike.
pub fn content_version<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut h = VersionHash::default();
    for p in parts {
        h.part(p.as_bytes());
    }
    h.finish()
}

/// [`content_version`] made one input at a time, an input given whole or read from a stream (the
/// same bytes give the same version either way).
#[derive(Default)]
pub struct VersionHash(xxhash_rust::xxh3::Xxh3);

impl VersionHash {
    /// Adds one input given whole.
    pub fn part(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
        self.0.update(&[0xff]);
    }

    /// Adds one input read to its end from `r`, through a small buffer: nothing of it is kept.
    pub fn part_from(&mut self, mut r: impl std::io::Read) -> std::io::Result<()> {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.0.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.0.update(&[0xff]);
        Ok(())
    }

    /// The version: 16 hex digits.
    pub fn finish(&self) -> String {
        format!("{:016x}", self.0.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_the_same_from_texts_and_from_streams() {
        let big = "id,x\n".repeat(300_000); // over the stream's 1 MiB buffer
        let parts = ["a", "", big.as_str(), "ü\r\n"];
        let whole = content_version(parts.iter().copied());
        let mut h = VersionHash::default();
        for (i, p) in parts.iter().enumerate() {
            if i % 2 == 0 {
                h.part_from(std::io::Cursor::new(p.as_bytes())).unwrap();
            } else {
                h.part(p.as_bytes());
            }
        }
        assert_eq!(h.finish(), whole);
        // The separator keeps the inputs apart: moving a byte from one to the next is another version.
        assert_ne!(
            content_version(["ab", "c"].into_iter()),
            content_version(["a", "bc"].into_iter())
        );
    }
}
