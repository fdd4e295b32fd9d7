//! The catalog cache (`--cache DIR`): after a data directory loads, its catalog image is written to
//! `DIR/<key>.catalog`; a later load of the same files by the same program reads the image instead
//! of parsing and geocoding every row again. The key is the data version (a hash of every input
//! file) and a hash of the running program, so edited data or a rebuilt binary never meets a stale
//! image. An image that cannot be read (damaged, foreign) is reported and the data is loaded from
//! the files as if there were no cache.

use crate::index::Catalog;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A hash of the running executable's bytes (16 hex digits), or "unknown".
fn program_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::read)
            .map(|b| format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&b)))
            .unwrap_or_else(|_| "unknown".into())
    })
}

/// The image file for a data version.
pub fn path(dir: &Path, version: &str) -> PathBuf {
    dir.join(format!("{version}-{}.catalog", program_hash()))
}

/// The cached catalog for `version`, if there is a readable one.
pub fn read(dir: &Path, version: &str) -> Option<Catalog> {
    let p = path(dir, version);
    let opened = std::fs::File::open(&p).and_then(|f| Ok((f.metadata()?.len(), f)));
    let (len, file) = match opened {
        Ok(x) => x,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!("catalog cache {}: {e}; loading from the files", p.display());
            return None;
        }
    };
    let src = std::io::BufReader::with_capacity(1 << 20, file);
    match Catalog::read_image(src, len, version) {
        Ok(c) => Some(c),
        Err(e) => {
            // Removed, so that the load about to happen from the files writes a good one.
            tracing::warn!(
                "catalog cache {}: {e}; removed, loading from the files",
                p.display()
            );
            let _ = std::fs::remove_file(&p);
            None
        }
    }
}

/// Writes the image (to a temporary file, then renamed, so a reader never sees half of one) and
/// removes the images of other versions.
pub fn write(dir: &Path, version: &str, catalog: &Catalog) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let p = path(dir, version);
    let tmp = p.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        catalog.write_image(version, &mut f)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &p)?;
    for e in std::fs::read_dir(dir)?.flatten() {
        let other = e.path();
        if other != p && other.extension().is_some_and(|x| x == "catalog") {
            let _ = std::fs::remove_file(other);
        }
    }
    Ok(())
}
