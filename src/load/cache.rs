//! The catalog cache (`--cache DIR`): after a data directory loads, its catalog image is written to
//! `DIR/<key>.catalog`; a later load of the same files by the same program reads the image instead
//! of parsing and geocoding every row again. The key is the hash of every input text
//! ([`super::content_version`], cheap as the files stream by; the data version is read from the
//! image) and a hash of the running program, so edited data or a rebuilt binary never meets a stale
//! image. An image that cannot be read (damaged, foreign) is reported and the data is loaded from
//! the files as if there were no cache.
//!
//! An image is written to a temporary file and renamed when whole. A server asked to stop while
//! it writes one waits for it ([`finish_writes`]), up to a bound; past the bound it removes the
//! partial file and says so, and a start that finds the partial file of a server no longer
//! running removes it and says so — a quick restart is never silently a cold one.
//!
//! An image is read by mapping it ([`Catalog::from_mapped`]): the feature texts, most of its bytes,
//! stay in the page cache rather than being copied into the server's memory. An image must
//! therefore never be edited in place while a server runs (replacing it, as the cache does, is
//! safe).

use crate::index::Catalog;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The temporary files of the images being written now.
static WRITING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn writing() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    WRITING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits until no image is being written, for at most `limit`; then removes the partial image of
/// any still being written, saying so. Returns whether every image was finished.
pub fn finish_writes(limit: Duration) -> bool {
    let start = Instant::now();
    let mut said = false;
    loop {
        let pending = writing().clone();
        if pending.is_empty() {
            if said {
                tracing::info!(elapsed = ?start.elapsed(), "the catalog cache is written");
            }
            return true;
        }
        if start.elapsed() >= limit {
            for tmp in pending {
                let _ = std::fs::remove_file(&tmp);
                tracing::warn!(
                    "stopped before the catalog cache {} was written: the partial image is \
                     removed, and the next start loads from the files",
                    tmp.display()
                );
            }
            return false;
        }
        if !said {
            tracing::info!("waiting for the catalog cache being written before stopping");
            said = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Removes the partial images in `dir` left by servers no longer running (stopped mid-write,
/// killed), saying so.
fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Some(pid) = p
            .extension()
            .and_then(|x| x.to_str())
            .and_then(|x| x.strip_prefix("tmp"))
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() as i32 && !alive(pid) {
            let _ = std::fs::remove_file(&p);
            tracing::warn!(
                "removed {}: a partial catalog image of a server (pid {pid}) that stopped while \
                 writing it; this start loads from the files and writes a whole one",
                p.display()
            );
        }
    }
}

/// Whether a process `pid` runs (on Unix; elsewhere every writer is taken to be running).
fn alive(pid: i32) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks only; EPERM means it exists under another user.
        // SAFETY: kill with signal 0 sends nothing and touches no memory.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// A hash of the running executable's bytes (16 hex digits), or "unknown".
///
/// On Linux the executable is mapped, not read: a release build with line tables is ~160 MB, and
/// reading it into fresh memory (the kernel zeroing every page, then copying into it) was a fifth
/// of a warm start at 1M records; its pages are in the page cache already, since the program runs
/// from them.
fn program_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        std::env::current_exe()
            .and_then(|p| executable_hash(&p))
            .map(|h| format!("{h:016x}"))
            .unwrap_or_else(|_| "unknown".into())
    })
}

#[cfg(target_os = "linux")]
fn executable_hash(path: &Path) -> std::io::Result<u64> {
    let f = std::fs::File::open(path)?;
    // SAFETY: the map lives only while it is hashed. Linux refuses to open a running executable
    // for writing (ETXTBSY), and one replaced by a rename leaves this mapping's inode as it was.
    let map = unsafe { memmap2::Mmap::map(&f) }?;
    Ok(xxhash_rust::xxh3::xxh3_64(&map))
}

/// Elsewhere a running executable may be written in place, so it is read.
#[cfg(not(target_os = "linux"))]
fn executable_hash(path: &Path) -> std::io::Result<u64> {
    Ok(xxhash_rust::xxh3::xxh3_64(&std::fs::read(path)?))
}

/// Maps a whole file read-only, its pages faulted in at once (one pass through the page cache, no
/// copy: an image is read end to end by its checksum anyway).
fn map_whole(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the cache never changes a file in place (it writes a new one and renames it), so the
    // mapping stays as it was checked; a user editing an image under a running server is outside
    // what the cache supports, as the module documentation says.
    unsafe { memmap2::MmapOptions::new().populate().map(file) }
}

/// The image file for the inputs hashed `key`.
pub fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}-{}.catalog", program_hash()))
}

/// The cached catalog for the inputs hashed `key`, if there is a readable one.
pub fn read(dir: &Path, key: &str) -> Option<Catalog> {
    let p = path(dir, key);
    let map = match std::fs::File::open(&p).and_then(|f| map_whole(&f)) {
        Ok(m) => Arc::new(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            remove_abandoned(dir);
            return None;
        }
        Err(e) => {
            tracing::warn!("catalog cache {}: {e}; loading from the files", p.display());
            return None;
        }
    };
    match Catalog::from_mapped(map, key) {
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
/// removes the images of other keys.
pub fn write(dir: &Path, key: &str, catalog: &Catalog) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let p = path(dir, key);
    let tmp = p.with_extension(format!("tmp{}", std::process::id()));
    writing().push(tmp.clone());
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        catalog.write_image(key, &mut f)?;
        f.sync_all()
    });
    let written = written.and_then(|()| std::fs::rename(&tmp, &p));
    writing().retain(|t| *t != tmp);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    for e in std::fs::read_dir(dir)?.flatten() {
        let other = e.path();
        if other != p && other.extension().is_some_and(|x| x == "catalog") {
            let _ = std::fs::remove_file(other);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty image (a disk that filled up, a truncation) is refused and removed, as a damaged
    /// one is, so that the load from the files writes a good one.
    #[test]
    fn an_empty_image_is_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = path(dir.path(), "v");
        std::fs::write(&p, b"").expect("write");
        assert!(read(dir.path(), "v").is_none());
        assert!(!p.exists(), "the empty image stays");
    }

    /// The partial image of a server no longer running is removed at the next start; one still
    /// being written past the bound of a stop is removed by the stop.
    #[test]
    fn partial_images_never_outlive_their_writer() {
        let dir = tempfile::tempdir().expect("temp dir");
        // No process has a pid this large (Linux caps pids at 2^22).
        let dead = dir.path().join("v-abc.tmp99999999");
        let mine = dir.path().join(format!("v-abc.tmp{}", std::process::id()));
        std::fs::write(&dead, b"half").expect("write");
        std::fs::write(&mine, b"half").expect("write");
        assert!(read(dir.path(), "v").is_none());
        assert!(!dead.exists(), "the dead writer's partial image stays");
        assert!(
            mine.exists(),
            "a running writer's partial image was removed"
        );

        writing().push(mine.clone());
        assert!(!finish_writes(Duration::from_millis(120)));
        assert!(!mine.exists());
        writing().retain(|t| *t != mine);
        assert!(finish_writes(Duration::from_millis(10)));
    }
}
