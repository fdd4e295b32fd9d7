//! Per-client fairness: who a client is ([`client_of`]), and a rate and a concurrency limit per
//! client ([`Fairness`]), so that one client cannot take the capacity every other client shares.
//!
//! A client is its IP address — an IPv6 address by its /64, which one host can hold whole — or,
//! when the connection comes from a configured trusted proxy, the address that proxy appended to
//! `X-Forwarded-For` (the rightmost entry that is not itself a trusted proxy; entries further left
//! are the client's own words and are ignored). Requests without a known peer (in-process tests)
//! are not limited; neither are `/healthz`, `/readyz` and `/metrics`, which cost nothing and which
//! orchestrators and scrapers poll from a few addresses.
//!
//! The rate is a token bucket per client (the `governor` crate's GCRA); a request beyond it gets
//! `429` with `Retry-After`. The concurrency limit counts a client's requests until their bodies
//! are sent; one beyond it gets `429` with `Retry-After: 1`.

use super::error::ApiError;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The per-client limits, as configured (`serve --client-rate …`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLimits {
    /// Requests per second each client may sustain; `0` turns the rate limit off.
    pub rate: u32,
    /// Requests a client may send at once above its rate (the bucket's size).
    pub burst: u32,
    /// Requests of one client in flight at once (until their bodies are sent); `0` turns it off.
    pub concurrency: usize,
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for ClientLimits {
    /// Generous enough for the map page (a few dozen requests at load, six connections) and GDAL
    /// paging, on loopback or not: 100 requests a second, bursts of 300, 32 at once.
    fn default() -> Self {
        ClientLimits {
            rate: 100,
            burst: 300,
            concurrency: 32,
            trusted_proxies: Vec::new(),
        }
    }
}

impl ClientLimits {
    /// No per-client limit at all.
    pub fn off() -> Self {
        ClientLimits {
            rate: 0,
            burst: 0,
            concurrency: 0,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The key a client is counted under.
pub type ClientKey = IpAddr;

/// The client of a request from `peer` with these headers (see the module documentation).
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> ClientKey {
    let mut client = peer;
    if trusted.contains(&peer) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for entry in forwarded.iter().rev() {
            let Ok(ip) = entry.parse::<IpAddr>() else {
                break; // garbage: stop at the last address a trusted hop vouched for
            };
            client = ip;
            if !trusted.contains(&ip) {
                break;
            }
        }
    }
    key(client)
}

/// An address as a key: IPv4 whole, IPv6 by its /64, IPv4-mapped IPv6 as IPv4.
fn key(ip: IpAddr) -> ClientKey {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Requests in flight per client.
type Counts = Arc<Mutex<HashMap<ClientKey, usize>>>;

/// The limits in force, shared by every request.
pub struct Fairness {
    limits: ClientLimits,
    rate: Option<DefaultKeyedRateLimiter<ClientKey>>,
    in_flight: Counts,
    checks: AtomicU64,
}

impl std::fmt::Debug for Fairness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fairness")
            .field("limits", &self.limits)
            .finish()
    }
}

impl Fairness {
    /// The state of `limits`.
    pub fn new(limits: ClientLimits) -> Self {
        let rate = NonZeroU32::new(limits.rate).map(|r| {
            let burst = NonZeroU32::new(limits.burst.max(limits.rate)).unwrap_or(r);
            RateLimiter::keyed(Quota::per_second(r).allow_burst(burst))
        });
        Fairness {
            limits,
            rate,
            in_flight: Arc::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// The configured limits.
    pub fn limits(&self) -> &ClientLimits {
        &self.limits
    }

    /// Admits one request of `client`, or says why not. The guard counts it in flight until it
    /// drops (with the response body).
    pub fn admit(&self, client: ClientKey) -> Result<ClientGuard, ApiError> {
        // Concurrency first: a request refused for it does not use up the client's rate.
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if self.limits.concurrency > 0
            && map.get(&client).copied().unwrap_or(0) >= self.limits.concurrency
        {
            super::metrics::rejected("client_concurrency");
            return Err(ApiError::TooManyRequests {
                retry_after: 1,
                why: "this client has as many requests in flight as the server allows",
            });
        }
        if let Some(rate) = &self.rate {
            // Forget clients that have been quiet, now and then, so the table stays small.
            if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
                rate.retain_recent();
                rate.shrink_to_fit();
            }
            if let Err(not_until) = rate.check_key(&client) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                super::metrics::rejected("rate");
                return Err(ApiError::TooManyRequests {
                    retry_after: wait.as_secs() + 1,
                    why: "this client is sending more requests a second than the server allows",
                });
            }
        }
        if self.limits.concurrency == 0 {
            return Ok(ClientGuard(None));
        }
        *map.entry(client).or_insert(0) += 1;
        Ok(ClientGuard(Some((self.in_flight.clone(), client))))
    }
}

/// One admitted request of a client.
pub struct ClientGuard(Option<(Counts, ClientKey)>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        if let Some((map, client)) = self.0.take() {
            let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = map.get_mut(&client) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&client);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        let h = xff("203.0.113.9");
        assert_eq!(
            client_of(peer, &h, &[proxy]),
            peer,
            "untrusted peers speak for themselves"
        );
        assert_eq!(
            client_of(proxy, &h, &[proxy]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // The client's own entries on the left are ignored; a second trusted hop is skipped.
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        let h = xff("1.1.1.1, 203.0.113.9, 10.0.0.2");
        assert_eq!(
            client_of(proxy, &h, &[proxy, two]),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_of(proxy, &xff("garbage"), &[proxy]), proxy);
        let v6: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        assert_eq!(
            client_of(v6, &HeaderMap::new(), &[]),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap(),
            "IPv6 by its /64"
        );
    }

    #[test]
    fn rate_and_concurrency_are_per_client() {
        let f = Fairness::new(ClientLimits {
            rate: 1,
            burst: 2,
            concurrency: 1,
            trusted_proxies: vec![],
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let held = f.admit(a).unwrap();
        assert!(
            matches!(
                f.admit(a),
                Err(ApiError::TooManyRequests { retry_after: 1, .. })
            ),
            "one at a time"
        );
        let _other = f.admit(b).expect("another client is not held up");
        drop(held);
        let _again = f.admit(a).unwrap();
        drop(_again);
        match f.admit(a) {
            Err(ApiError::TooManyRequests { retry_after, .. }) => assert!(retry_after >= 1),
            Ok(_) => panic!("burst of 2 used up"),
            Err(e) => panic!("{e:?}"),
        }
    }
}
