//! What the server knows of each connection: when it last read or wrote a byte and how many of its
//! requests are in flight ([`Activity`]), the cap on connections with eviction of the idlest
//! ([`Registry`]), the timer that closes silent connections ([`watchdog`]), and the socket wrapper
//! that keeps the record ([`Watched`]).
//!
//! [`Watched`] also gives hyper's own error answers a JSON body. hyper answers a request it cannot
//! parse (a malformed request line or header, a head over the buffer) itself, before any service
//! sees it, with a status line, `content-length: 0` and nothing else; there is no hook to change
//! that. Every answer the service makes carries `x-content-type-options`, so a head that starts
//! `HTTP/1.1 4xx`, has no body, and lacks that header can only be hyper's: it is replaced, as it is
//! written, by the same status with a JSON body in the API's error format.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// The clock of [`Activity`]: milliseconds are counted from the first use.
static EPOCH: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

fn now() -> u64 {
    u64::try_from(EPOCH.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The timeouts of an open connection (see [`super::server::Limits`]).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Until the first byte.
    pub handshake: Duration,
    /// Silence with no request in flight.
    pub idle: Duration,
    /// No byte written while a request is in flight.
    pub send: Duration,
}

/// One connection's activity, shared by its socket, its requests and its watchdog.
#[derive(Debug)]
pub struct Activity {
    id: u64,
    /// Milliseconds since [`EPOCH`] when the connection was accepted, the last byte read and
    /// written, and the last request started or ended.
    opened: AtomicU64,
    last_read: AtomicU64,
    last_write: AtomicU64,
    last_request: AtomicU64,
    any_read: AtomicBool,
    in_flight: AtomicUsize,
    evicted: AtomicBool,
    wake: Notify,
}

impl Activity {
    fn new(id: u64) -> Self {
        let now = now();
        Activity {
            id,
            opened: AtomicU64::new(now),
            last_read: AtomicU64::new(now),
            last_write: AtomicU64::new(now),
            last_request: AtomicU64::new(now),
            any_read: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            evicted: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        now()
    }

    /// Starts the clocks: the connection is accepted now (its slot may have been reserved while
    /// the server waited for it).
    pub fn accepted(&self) {
        let now = now();
        for t in [
            &self.opened,
            &self.last_read,
            &self.last_write,
            &self.last_request,
        ] {
            t.store(now, Ordering::Relaxed);
        }
    }

    fn read(&self) {
        self.last_read.store(self.now(), Ordering::Relaxed);
        self.any_read.store(true, Ordering::Relaxed);
    }

    fn wrote(&self) {
        self.last_write.store(self.now(), Ordering::Relaxed);
    }

    fn last_io(&self) -> u64 {
        self.last_read
            .load(Ordering::Relaxed)
            .max(self.last_write.load(Ordering::Relaxed))
    }

    /// Counts a request in flight until the returned guard drops (with its response's body).
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.last_request.store(self.now(), Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// When this connection is to be closed unless something happens first, in milliseconds since
    /// it opened.
    fn deadline(&self, t: Timeouts) -> u64 {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if self.in_flight.load(Ordering::Acquire) > 0 {
            let since = self
                .last_write
                .load(Ordering::Relaxed)
                .max(self.last_request.load(Ordering::Relaxed));
            since.saturating_add(ms(t.send))
        } else if !self.any_read.load(Ordering::Relaxed) {
            self.opened
                .load(Ordering::Relaxed)
                .saturating_add(ms(t.handshake))
        } else {
            self.last_io().saturating_add(ms(t.idle))
        }
    }
}

/// A request in flight on a connection; dropped with the response body.
#[derive(Debug)]
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.last_request.store(self.0.now(), Ordering::Relaxed);
            self.0.wake.notify_one();
        }
    }
}

/// Completes when the connection should be closed: silent for longer than its timeouts allow, or
/// evicted to admit another at the connection cap.
pub async fn watchdog(a: &Activity, t: Timeouts) {
    loop {
        if a.evicted.load(Ordering::Acquire) {
            return;
        }
        let now = a.now();
        let deadline = a.deadline(t);
        if now >= deadline {
            super::metrics::connection_timed_out();
            return;
        }
        let wait = Duration::from_millis((deadline - now).max(5));
        let _ = tokio::time::timeout(wait, a.wake.notified()).await;
    }
}

/// The open connections, at most `cap`.
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<RegistryInner>,
}

#[derive(Debug)]
struct RegistryInner {
    cap: usize,
    open: Mutex<Vec<Arc<Activity>>>,
    next: AtomicU64,
    freed: Notify,
}

impl Registry {
    /// A registry admitting at most `cap` connections (at least one).
    pub fn new(cap: usize) -> Self {
        Registry {
            inner: Arc::new(RegistryInner {
                cap: cap.max(1),
                open: Mutex::new(Vec::new()),
                next: AtomicU64::new(0),
                freed: Notify::new(),
            }),
        }
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.inner.open.lock().map(|v| v.len()).unwrap_or(0)
    }

    /// A slot for one more connection. At the cap, the connection that has been silent longest
    /// with no request in flight is closed to make room; when every connection is busy, this waits
    /// for one to end.
    pub async fn admit(&self) -> Slot {
        loop {
            let freed = self.inner.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut open = match self.inner.open.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                if open.len() < self.inner.cap {
                    let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
                    let a = Arc::new(Activity::new(id));
                    open.push(a.clone());
                    super::metrics::connections(open.len());
                    return Slot {
                        activity: a,
                        registry: self.inner.clone(),
                    };
                }
                let idlest = open
                    .iter()
                    .filter(|a| {
                        a.in_flight.load(Ordering::Acquire) == 0
                            && !a.evicted.load(Ordering::Acquire)
                    })
                    .min_by_key(|a| a.last_io());
                if let Some(a) = idlest {
                    a.evicted.store(true, Ordering::Release);
                    a.wake.notify_one();
                    super::metrics::connection_evicted();
                }
            }
            freed.await;
        }
    }
}

/// An admitted connection; frees its place in the registry when dropped.
#[derive(Debug)]
pub struct Slot {
    activity: Arc<Activity>,
    registry: Arc<RegistryInner>,
}

impl Slot {
    /// The connection's activity record.
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let id = self.activity.id;
        let mut open = match self.registry.open.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        open.retain(|a| a.id != id);
        super::metrics::connections(open.len());
        drop(open);
        self.registry.freed.notify_waiters();
    }
}

/// A socket that records its activity and gives hyper's own error answers a JSON body.
#[derive(Debug)]
pub struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
    /// A replacement answer still to be written, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> Watched<S> {
    /// Wraps a socket.
    pub fn new(inner: S, activity: Arc<Activity>) -> Self {
        Watched {
            inner,
            activity,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    /// Writes what is left of a replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = &mut self.pending {
            if *done >= bytes.len() {
                self.pending = None;
                break;
            }
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *done += n;
                    self.activity.wrote();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        if let Some(replacement) = json_error_for(buf) {
            this.pending = Some((replacement, 0));
            // The original bytes count as written; the replacement goes out now or on flush.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// If `buf` is exactly an error head hyper wrote on its own (see the module documentation), the
/// same answer with a JSON body.
fn json_error_for(buf: &[u8]) -> Option<Vec<u8>> {
    let rest = buf.strip_prefix(b"HTTP/1.1 4")?;
    if buf.len() > 512 || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(buf).ok()?.to_ascii_lowercase();
    let mut lines = head.split("\r\n").skip(1).filter(|l| !l.is_empty());
    let only_hyper_headers = lines
        .all(|l| l == "content-length: 0" || l.starts_with("date: ") || l == "connection: close");
    if !only_hyper_headers || !head.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let (code, description) = match &rest[..2] {
        b"00" => (
            "BadRequest",
            "the request is not valid HTTP/1.1 (request line, method, target, version or a header)",
        ),
        b"14" => ("URITooLong", "the request target is too long"),
        b"31" => (
            "RequestHeaderFieldsTooLarge",
            "the request head is larger than the server accepts",
        ),
        _ => return None,
    };
    let status = std::str::from_utf8(&buf[9..12]).ok()?;
    let reason = match status {
        "400" => "Bad Request",
        "414" => "URI Too Long",
        _ => "Request Header Fields Too Large",
    };
    let body = serde_json::json!({ "code": code, "description": description }).to_string();
    super::metrics::protocol_error(status);
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n\
             x-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::json_error_for;

    #[test]
    fn only_hyper_s_bodiless_error_heads_are_replaced() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 11:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(json_error_for(hyper).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("content-type: application/json\r\n"), "{out}");
        assert!(
            out.ends_with("}") && out.contains(r#""code":"BadRequest""#),
            "{out}"
        );
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(String::from_utf8(json_error_for(big).unwrap())
            .unwrap()
            .contains("RequestHeaderFieldsTooLarge"));
        // The service's own answers are never touched.
        for ours in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: 2\r\n\r\n{}"[..],
            b"HTTP/1.1 404 Not Found\r\nx-content-type-options: nosniff\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 304 Not Modified\r\netag: W/\"x\"\r\n\r\n",
            b"{\"type\":\"FeatureCollection\"}",
        ] {
            assert!(json_error_for(ours).is_none(), "{}", String::from_utf8_lossy(ours));
        }
    }
}
