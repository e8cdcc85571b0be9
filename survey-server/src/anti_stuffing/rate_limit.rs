//! Rate limits per client address and per network (/24 for IPv4, /64 for IPv6), kept in memory
//! only: a fixed window per key that expires on its own, so no address is ever stored. The
//! client's address comes from `X-Forwarded-For` only when the peer is a trusted proxy.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    Network(IpAddr),
}

/// Which limit a request ran into, and when the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub network: bool,
    pub retry_after: Duration,
}

pub struct RateLimiter {
    per_address: u32,
    per_network: u32,
    window: Duration,
    windows: Mutex<HashMap<Key, (Instant, u32)>>,
}

/// The network an address belongs to: its /24 (IPv4) or /64 (IPv6).
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::from([a, b, c, 0])
        }
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::from(segments)
        }
    }
}

impl RateLimiter {
    /// Limits per window; 0 turns a limit off.
    pub fn new(per_address: u32, per_network: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            per_address,
            per_network,
            window,
            windows: Mutex::default(),
        }
    }

    /// Counts one request from `ip`; `Err` when it is over a limit (it is then not counted).
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Limited> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 50_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let keys = [
            (Key::Address(ip), self.per_address, false),
            (Key::Network(network_of(ip)), self.per_network, true),
        ];
        for (key, limit, network) in keys {
            if limit == 0 {
                continue;
            }
            if let Some((start, count)) = windows.get(&key) {
                let age = now.duration_since(*start);
                if age < self.window && *count >= limit {
                    return Err(Limited {
                        network,
                        retry_after: self.window - age,
                    });
                }
            }
        }
        for (key, limit, _) in keys {
            if limit == 0 {
                continue;
            }
            let entry = windows.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
        Ok(())
    }
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the last address
/// in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_and_its_network_have_their_own_limits() {
        let limiter = RateLimiter::new(2, 3, Duration::from_secs(60));
        let t = Instant::now();
        let a: IpAddr = "10.1.2.3".parse().unwrap();
        let b: IpAddr = "10.1.2.4".parse().unwrap();
        let other: IpAddr = "10.1.3.4".parse().unwrap();
        assert!(limiter.check(a, t).is_ok());
        assert!(limiter.check(a, t).is_ok());
        let limited = limiter.check(a, t).unwrap_err();
        assert!(!limited.network);
        assert!(limiter.check(b, t).is_ok(), "the third from the /24");
        assert!(
            limiter.check(b, t).unwrap_err().network,
            "the fourth from the /24"
        );
        assert!(limiter.check(other, t).is_ok(), "another /24");
        assert!(
            limiter.check(a, t + Duration::from_secs(61)).is_ok(),
            "a new window"
        );
    }

    #[test]
    fn ipv6_networks_are_slash_64() {
        let ip: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        assert_eq!(network_of(ip), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
    }
}
