//! Work done off the request path at a lower priority: what a new snapshot builds for its first
//! readers once it is installed, and the priority the work pool's threads take too.

use super::Snapshot;
use crate::index::days::Grouping;
use std::sync::Arc;

/// Gives the calling thread `nice` 10, so that the async workers win the CPU from it.
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take plain integers and touch no memory of ours.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Builds, on a thread of its own at a lower priority, what a reader's first view and first
/// `datetime` window ask: the cells of every record at zooms 3 and 4 (the page opens at 4; the
/// world at 3), and the day index of every record and by country with the list of the records it
/// does not hold — so that no reader's first request is the one that waits for them (≈ 60 ms a
/// zoom and ≈ 0.25 s for the day index at a million records). A request arriving meanwhile waits
/// for the same build, not a second one.
pub fn warm_up(snap: &Arc<Snapshot>) {
    let snap = snap.clone();
    let spawned = std::thread::Builder::new()
        .name("iskp-warm-up".into())
        .spawn(move || {
            lower_priority();
            for zoom in [3, 4] {
                snap.clusters(&crate::index::Filter::default(), zoom);
            }
            let catalog = &snap.catalog;
            catalog.day_index(Grouping::All);
            catalog.day_index(Grouping::Country);
            catalog.window_others_list();
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the warm-up thread: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{BundledSource, Store};

    /// Once a store serves a snapshot, the indexes of a first window are built without a request.
    #[test]
    fn a_new_snapshot_builds_the_first_windows_indexes_unasked() {
        let store = Store::open(Box::new(BundledSource::new())).expect("the bundled data loads");
        let snap = store.current();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !(snap.catalog.has_day_index(Grouping::All)
            && snap.catalog.has_day_index(Grouping::Country))
        {
            assert!(std::time::Instant::now() < deadline, "not built in 30 s");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            !snap.catalog.has_day_index(Grouping::Province),
            "left for first need"
        );
    }
}
