//! Rate limits: how often one client address, login name, device or Open311 key may do
//! something, with memory that stays bounded whatever arrives.
//!
//! Every limit is a [`Limiter`]: governor's GCRA (a token bucket: a burst of the quota,
//! then one more every period/quota) over a key store of our own that
//! - keeps only fixed-size keys ([`Key`], 16 bytes: a client address or a digest), never
//!   the text a client sent, so a key costs the same whatever the request carried;
//! - stores nothing for a refused request (a refused key already has its entry);
//! - holds at most `max_keys` keys: keys that are as good as fresh are swept out every
//!   few seconds, and when the store is still full a new key is refused (429) until the
//!   next sweep makes room. Known keys keep working. Failing closed keeps the memory bound
//!   a bound; it takes an attacker with more addresses than `max_keys` within a minute.
//!
//! Client addresses are the TCP peer's: IPv4 as is, IPv6 by its /64 prefix (one
//! connection usually owns a whole /64, so counting single IPv6 addresses would give an
//! attacker 2^64 budgets). `X-Forwarded-For` is not trusted: behind a reverse proxy every
//! client shares the proxy's budget, so raise the per-address limits there.
//!
//! **Login** is checked in this order, each check only when the one before passed:
//! 1. per client address (default 30/min: a town-hall NAT with several colleagues);
//! 2. per client address and login name (`login_attempts_per_minute`, default 10);
//! 3. per login name across all addresses (default 60/min), a ceiling far above what one
//!    address can reach (2. caps it at 10/min).
//!
//! So wrong passwords slow down the address they come from, not the account: the real
//! owner logs in from their own address while an attacker elsewhere is refused. Only an
//! attack from many addresses at once reaches the per-name ceiling, and then slowing
//! everyone down on that one name is the point. Login names and passwords are bounded
//! when the request is parsed ([`augenmerk_domain::credentials`]), before any of this.
//!
//! **Several instances** (PostgreSQL) count in the database instead, through the
//! store's [`RateCounter`] (the same GCRA, one row per key), so that a client gets one
//! budget however the load balancer spreads its requests; the in-memory key stores are
//! then unused. If the database does not answer, the check lets the request pass: it
//! meets the same database next and fails there with a clear error.
//!
//! **Citizens** are limited per client address: device registrations (30/min), reports
//! (60/min) and photo uploads with server anonymization (120/min, shared), generous for
//! a town hall's guest Wi-Fi, tight for a script. Server anonymization also has a
//! per-device limit, and Open311 submissions one per API key.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::{Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use augenmerk_domain::Ags;
use augenmerk_domain::credentials::LoginName;
use augenmerk_domain::error::ErrorCode;
use augenmerk_store::{RateCounter, RateDecision};

use crate::error::ApiError;
use crate::state::AppState;

/// What a limiter counts by: a client address or a digest, always 16 bytes.
pub type Key = [u8; 16];

/// How often stale keys are swept out.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// How soon a full store may be swept again (a sweep walks every key).
const FULL_SWEEP_GAP: Duration = Duration::from_secs(1);

/// The configurable limits (`[rate_limits]` in the settings; all per minute).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Login attempts per client address, whatever the login name.
    pub login_per_address: u32,
    /// Login attempts per login name from all addresses together.
    pub login_per_name: u32,
    /// Device registrations per client address.
    pub devices_per_address: u32,
    /// Reports per client address.
    pub reports_per_address: u32,
    /// Photo uploads and server anonymizations per client address.
    pub uploads_per_address: u32,
    /// Server anonymizations per device.
    pub photos_per_device: u32,
    /// Most keys one limiter remembers (about 100 bytes each).
    pub max_keys: usize,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            login_per_address: 30,
            login_per_name: 60,
            devices_per_address: 30,
            reports_per_address: 60,
            uploads_per_address: 120,
            photos_per_device: 30,
            max_keys: 100_000,
        }
    }
}

/// A request over a limit: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Seconds to wait (at least 1).
    pub retry_after_secs: u64,
}

impl From<RateLimited> for ApiError {
    fn from(r: RateLimited) -> Self {
        ApiError::new(ErrorCode::RateLimited).retry_after(r.retry_after_secs)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Governor's state per key (the theoretical arrival time), at most `max_keys` of them.
#[derive(Clone)]
struct BoundedStore {
    map: Arc<Mutex<HashMap<Key, Nanos>>>,
    max_keys: usize,
}

impl StateStore for BoundedStore {
    type Key = Key;

    fn measure_and_replace<T, F, E>(&self, key: &Key, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut map = lock(&self.map);
        let previous = map.get(key).copied();
        // Refused: nothing is stored.
        let (outcome, next) = f(previous)?;
        if previous.is_some() || map.len() < self.max_keys {
            map.insert(*key, next);
        }
        Ok(outcome)
    }
}

impl ShrinkableKeyedStateStore<Key> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        lock(&self.map).retain(|_, tat| *tat > drop_below);
    }

    fn shrink_to_fit(&self) {
        lock(&self.map).shrink_to_fit();
    }

    fn len(&self) -> usize {
        lock(&self.map).len()
    }

    fn is_empty(&self) -> bool {
        lock(&self.map).is_empty()
    }
}

/// One rate limit over keys, with bounded memory (see the module documentation).
pub struct Limiter<C: Clock = DefaultClock> {
    limiter: RateLimiter<Key, BoundedStore, C, NoOpMiddleware<C::Instant>>,
    store: BoundedStore,
    last_sweep: Mutex<C::Instant>,
    /// Requests per minute (the burst), for the shared counter.
    per_minute: u32,
    /// The limit's name in the shared counter's keys.
    name: &'static str,
    /// The database's counter when several instances share the limit.
    shared: Option<Arc<dyn RateCounter>>,
}

impl Limiter {
    /// `per_minute` requests per key and minute (as a burst, then evenly); 0 counts as 1.
    pub fn per_minute(per_minute: u32, max_keys: usize) -> Self {
        Self::with_clock(per_minute, max_keys, DefaultClock::default())
    }

    /// The same limit, counted in the database for every instance (see the module
    /// documentation); `name` keeps limits with the same keys apart.
    pub fn shared(per_minute: u32, name: &'static str, counter: Arc<dyn RateCounter>) -> Self {
        let mut limiter = Self::per_minute(per_minute, 1);
        limiter.name = name;
        limiter.shared = Some(counter);
        limiter
    }

    /// Counts a request for `key`, or tells how long to wait: in the database when the
    /// limit is shared, else in memory ([`Limiter::check`]).
    pub async fn take(&self, key: &Key) -> Result<(), RateLimited> {
        let Some(counter) = &self.shared else {
            return self.check(key);
        };
        let per_minute = self.per_minute.max(1);
        let interval = 60_000_000 / i64::from(per_minute);
        let id = format!("{}:{}", self.name, hex::encode(key));
        let now = chrono::Utc::now().timestamp_micros();
        match counter.take(&id, now, interval, per_minute).await {
            Ok(RateDecision::Allowed) => Ok(()),
            Ok(RateDecision::Refused { retry_after_micros }) => {
                let secs = u64::try_from(retry_after_micros).unwrap_or(0).div_ceil(1_000_000);
                Err(RateLimited {
                    retry_after_secs: secs.max(1),
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, limit = self.name, "shared rate limit unavailable; request passes");
                Ok(())
            }
        }
    }
}

impl<C: Clock> Limiter<C> {
    /// A limiter on the given clock (tests use a fake one).
    pub fn with_clock(per_minute: u32, max_keys: usize, clock: C) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        let store = BoundedStore {
            map: Arc::new(Mutex::new(HashMap::new())),
            max_keys: max_keys.max(1),
        };
        let now = clock.now();
        Self {
            limiter: RateLimiter::new(quota, store.clone(), clock),
            store,
            last_sweep: Mutex::new(now),
            per_minute,
            name: "",
            shared: None,
        }
    }

    /// Counts a request for `key`, or tells how long to wait. A refused request changes nothing.
    pub fn check(&self, key: &Key) -> Result<(), RateLimited> {
        let now = self.limiter.clock().now();
        self.sweep_if(now, SWEEP_EVERY);
        let known = lock(&self.store.map).contains_key(key);
        if !known && self.is_full() {
            self.sweep_if(now, FULL_SWEEP_GAP);
            if self.is_full() {
                tracing::warn!(
                    keys = self.len(),
                    "rate limiter full: refusing new clients until the next sweep"
                );
                return Err(RateLimited {
                    retry_after_secs: SWEEP_EVERY.as_secs(),
                });
            }
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(now);
            RateLimited {
                // Round up: a client that waits as told must get through.
                retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            }
        })
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    fn is_full(&self) -> bool {
        self.store.len() >= self.store.max_keys
    }

    /// Forgets keys that are as good as new, if the last sweep is at least `gap` ago.
    fn sweep_if(&self, now: C::Instant, gap: Duration) {
        {
            let mut last = lock(&self.last_sweep);
            if Duration::from(now.duration_since(*last)) < gap {
                return;
            }
            *last = now;
        }
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The key of a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64.
pub fn address_key(ip: IpAddr) -> Key {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_ipv6_mapped().octets(),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                octets
            }
        },
    }
}

/// The key of a request without a known peer address (in-process use): all share one.
const UNKNOWN_ADDRESS: Key = [0; 16];

/// A fixed-size key from several parts (a truncated SHA-256; parts are length-prefixed so
/// that `("ab", "c")` and `("a", "bc")` differ).
pub fn digest_key(parts: &[&[u8]]) -> Key {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Every rate limit of the server.
pub struct RateLimits {
    /// Login attempts per client address.
    pub login_per_address: Limiter,
    /// Login attempts per client address and login name.
    pub login_per_address_and_name: Limiter,
    /// Login attempts per login name from anywhere.
    pub login_per_name: Limiter,
    /// `POST /api/v1/devices` per client address.
    pub devices_per_address: Limiter,
    /// `POST /api/v1/reports` per client address.
    pub reports_per_address: Limiter,
    /// Photo uploads (`PUT /api/v1/blobs/…`, `POST /api/v1/photos`) per client address.
    pub uploads_per_address: Limiter,
    /// Server anonymizations per device.
    pub photos_per_device: Limiter,
    /// Open311 submissions per API key.
    pub open311_per_key: Limiter,
}

impl RateLimits {
    /// The limits of the settings, counted in memory (one instance) or by `shared` (the
    /// database of several instances).
    pub fn new(settings: &crate::config::Settings, shared: Option<Arc<dyn RateCounter>>) -> Self {
        let s = &settings.rate_limits;
        let limiter = |per_minute: u32, name: &'static str| match &shared {
            Some(counter) => Limiter::shared(per_minute, name, counter.clone()),
            None => Limiter::per_minute(per_minute, s.max_keys),
        };
        Self {
            login_per_address: limiter(s.login_per_address, "login-address"),
            login_per_address_and_name: limiter(settings.login_attempts_per_minute, "login-address-name"),
            login_per_name: limiter(s.login_per_name, "login-name"),
            devices_per_address: limiter(s.devices_per_address, "devices"),
            reports_per_address: limiter(s.reports_per_address, "reports"),
            uploads_per_address: limiter(s.uploads_per_address, "uploads"),
            photos_per_device: limiter(s.photos_per_device, "photos-device"),
            open311_per_key: limiter(settings.open311_posts_per_minute, "open311"),
        }
    }

    /// Counts a login attempt: the address first, then address and name, then the name.
    pub async fn check_login(
        &self,
        client: Option<IpAddr>,
        scope: Option<&Ags>,
        name: &LoginName,
    ) -> Result<(), RateLimited> {
        let address = client.map_or(UNKNOWN_ADDRESS, address_key);
        let scope = scope.map_or("", |a| a.as_str()).as_bytes();
        self.login_per_address.take(&address).await?;
        self.login_per_address_and_name
            .take(&digest_key(&[&address, scope, name.as_str().as_bytes()]))
            .await?;
        self.login_per_name
            .take(&digest_key(&[scope, name.as_str().as_bytes()]))
            .await
    }
}

/// The TCP peer's address, if the server was started with it (`serve` does).
pub struct ClientAddr(pub Option<IpAddr>);

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(peer(parts)))
    }
}

/// Which per-address limit a route counts against.
pub trait AddressLimit: Send + Sync + 'static {
    /// The limiter.
    fn limiter(limits: &RateLimits) -> &Limiter;
}

/// Device registrations.
pub enum Registrations {}
/// Report submissions.
pub enum Reports {}
/// Photo uploads and server anonymizations.
pub enum Uploads {}

impl AddressLimit for Registrations {
    fn limiter(limits: &RateLimits) -> &Limiter {
        &limits.devices_per_address
    }
}

impl AddressLimit for Reports {
    fn limiter(limits: &RateLimits) -> &Limiter {
        &limits.reports_per_address
    }
}

impl AddressLimit for Uploads {
    fn limiter(limits: &RateLimits) -> &Limiter {
        &limits.uploads_per_address
    }
}

/// An extractor that counts the request against a per-address limit (429 with
/// `Retry-After` when over it). Put it before the body extractor: a refused upload is then
/// refused before its body is read.
pub struct PerAddress<L: AddressLimit>(PhantomData<L>);

impl<L: AddressLimit> FromRequestParts<AppState> for PerAddress<L> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let address = peer(parts).map_or(UNKNOWN_ADDRESS, address_key);
        L::limiter(&state.limits).take(&address).await?;
        Ok(Self(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn key(n: u32) -> Key {
        digest_key(&[&n.to_le_bytes()])
    }

    #[test]
    fn a_key_gets_its_quota_then_waits() {
        let l = Limiter::with_clock(3, 100, FakeRelativeClock::default());
        for _ in 0..3 {
            assert!(l.check(&key(1)).is_ok());
        }
        let refused = l.check(&key(1)).expect_err("over the limit");
        // One more every 20 s.
        assert_eq!(refused.retry_after_secs, 20);
        assert!(l.check(&key(2)).is_ok(), "other keys are not affected");
    }

    #[test]
    fn the_store_stays_bounded_under_a_flood_of_distinct_keys() {
        let clock = FakeRelativeClock::default();
        let l = Limiter::with_clock(10, 1_000, clock.clone());
        let mut refused = 0;
        for n in 0..50_000 {
            if n % 100 == 0 {
                clock.advance(Duration::from_millis(50));
            }
            if l.check(&key(n)).is_err() {
                refused += 1;
            }
            assert!(l.len() <= 1_000, "{} keys after {n}", l.len());
        }
        assert!(refused > 0, "a full store refuses new keys");
        // Once the keys are as good as new, a sweep frees the store and new keys pass.
        clock.advance(Duration::from_secs(60));
        assert!(l.check(&key(1_000_000)).is_ok());
        assert!(l.len() <= 2, "swept: {}", l.len());
    }

    #[test]
    fn refused_requests_add_no_keys() {
        let l = Limiter::with_clock(1, 2, FakeRelativeClock::default());
        assert!(l.check(&key(1)).is_ok());
        assert!(l.check(&key(2)).is_ok());
        assert_eq!(l.len(), 2);
        for n in 3..100 {
            assert!(l.check(&key(n)).is_err(), "full: new keys are refused");
        }
        assert!(l.check(&key(1)).is_err(), "over its own limit");
        assert_eq!(l.len(), 2);
    }

    #[tokio::test]
    async fn login_counts_the_address_first_and_refused_attempts_store_no_name() {
        let settings = crate::config::Settings::default();
        let limits = RateLimits::new(&settings, None);
        let attacker: IpAddr = "192.0.2.1".parse().expect("ip");
        let owner: IpAddr = "198.51.100.7".parse().expect("ip");
        let dispatcher = LoginName::parse("dispatcher").expect("name");
        // The attacker exhausts the address's budget with distinct names …
        let mut n = 0;
        while limits
            .check_login(
                Some(attacker),
                None,
                &LoginName::parse(&format!("name{n}")).expect("name"),
            )
            .await
            .is_ok()
        {
            n += 1;
        }
        assert_eq!(n, settings.rate_limits.login_per_address);
        let names = limits.login_per_name.len();
        // … and then a flood of new names adds no key anywhere but the address's.
        for m in 0..1_000 {
            let name = LoginName::parse(&format!("other{m}")).expect("name");
            assert!(limits.check_login(Some(attacker), None, &name).await.is_err());
        }
        assert_eq!(limits.login_per_name.len(), names);
        assert_eq!(limits.login_per_address_and_name.len(), names);
        assert_eq!(limits.login_per_address.len(), 1);
        // The owner, elsewhere, is not slowed down.
        assert!(limits.check_login(Some(owner), None, &dispatcher).await.is_ok());
    }

    #[tokio::test]
    async fn wrong_passwords_slow_the_address_not_the_account() {
        let settings = crate::config::Settings::default();
        let limits = RateLimits::new(&settings, None);
        let dispatcher = LoginName::parse("dispatcher").expect("name");
        let attacker: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..settings.login_attempts_per_minute {
            assert!(limits.check_login(Some(attacker), None, &dispatcher).await.is_ok());
        }
        assert!(limits.check_login(Some(attacker), None, &dispatcher).await.is_err());
        assert!(
            limits
                .check_login(Some("198.51.100.7".parse().expect("ip")), None, &dispatcher)
                .await
                .is_ok()
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let v4: IpAddr = "192.0.2.1".parse().expect("ip");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
        assert_eq!(address_key(v4), address_key(mapped));
    }
}
