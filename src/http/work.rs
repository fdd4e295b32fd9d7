//! The pool for work whose cost grows with the data or with the request: filtered selections,
//! clusters, statistics, downloads, geocoding with suggestions.
//!
//! Such work never runs on the async workers, which answer every other request; it runs here, on
//! a fixed number of threads at a lower scheduling priority (`nice` 10 on Linux), so that a burst
//! of expensive requests slows down expensive requests only. At most `queue` jobs wait; a request
//! beyond them is refused at once with 503 rather than queued without end. A job whose request has
//! gone (its client left, or the response timeout answered 408) is dropped unrun when its turn
//! comes; the response timeout holds while a job waits or runs, since the handler only awaits it.

use super::error::ApiError;
use crate::store::background::lower_priority;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A handle on the pool; clones share it.
#[derive(Clone)]
pub struct Work {
    queue: Sender<Job>,
    /// One permit per job running or waiting: `threads + queue`.
    room: Arc<Semaphore>,
    threads: usize,
}

impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Work")
            .field("threads", &self.threads)
            .finish()
    }
}

impl Work {
    /// A pool of `threads` threads (`0`: one per core) with room for `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, usize::from)
        } else {
            threads
        };
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("iskp-work-{n}"))
                .spawn(move || worker(&rx));
            if let Err(e) = spawned {
                tracing::warn!("cannot start a work thread: {e}");
            }
        }
        Work {
            queue: tx,
            room: Arc::new(Semaphore::new(threads + queue.max(1))),
            threads,
        }
    }

    /// How many threads run jobs.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` on the pool and waits for its result. `503` at once when the queue is full; an
    /// [`ApiError::Internal`] if the job panicked.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Ok(permit) = self.room.clone().try_acquire_owned() else {
            super::metrics::rejected("work_queue_full");
            return Err(ApiError::Overloaded);
        };
        self.send(permit, f).await
    }

    /// Runs `f` on the pool once there is room, waiting for it: for the chunks of a download
    /// already under way, which should slow down rather than fail.
    pub async fn run_when_room<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .room
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("the work pool has stopped".into()))?;
        self.send(permit, f).await
    }

    async fn send<T, F>(&self, permit: OwnedSemaphorePermit, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            if tx.is_closed() {
                return; // the request is gone: no one would read the answer
            }
            let _ = tx.send(f());
        });
        self.queue
            .send(job)
            .map_err(|_| ApiError::Internal("the work pool has stopped".into()))?;
        rx.await
            .map_err(|_| ApiError::Internal("a job of the work pool panicked".into()))
    }
}

fn worker(rx: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            match guard.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panic ends the job (its request gets a 500), not the thread.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn jobs_run_off_the_async_workers_and_a_full_queue_refuses() {
        let w = Work::new(1, 1);
        let here = std::thread::current().id();
        let there = w.run(|| std::thread::current().id()).await.unwrap();
        assert_ne!(here, there);
        let (hold, release) = std::sync::mpsc::channel::<()>();
        let w2 = w.clone();
        let busy = tokio::spawn(async move { w2.run(move || release.recv().ok()).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let w3 = w.clone();
        let queued = tokio::spawn(async move { w3.run(|| 1).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(matches!(w.run(|| 2).await, Err(ApiError::Overloaded)));
        hold.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
        assert_eq!(queued.await.unwrap().unwrap(), 1);
        let panicked = w.run(|| panic!("in a job")).await;
        assert!(matches!(panicked, Err(ApiError::Internal(_))));
        assert_eq!(w.run(|| 3).await.unwrap(), 3, "the thread survived");
    }
}
