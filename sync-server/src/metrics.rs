//! Prometheus metrics at `/metrics` (OpenMetrics text, which Prometheus reads): requests by route and status
//! with their latency, reports accepted, sync pulls, mail and forwarding jobs (finished,
//! and waiting or failed as read from the database at each scrape), and the server-side
//! anonymization's time. One registry per server state (no global recorder), so that
//! several servers in one process — the tests — count apart.
//!
//! Who may read it: a request from a configured network (`metrics.allow_from`, default
//! the machine itself), or one with the configured bearer token (`metrics.token`).

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};

use crate::limits::ClientAddr;
use crate::state::AppState;

/// Who may read `/metrics` (`[metrics]` in the settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// Serve `/metrics` at all.
    pub enabled: bool,
    /// Networks (CIDR, or single addresses) whose requests may read it; default the machine
    /// itself. A Prometheus elsewhere is listed here, or uses the token.
    pub allow_from: Vec<String>,
    /// A bearer token that may read it from anywhere (best set as
    /// `AUGENMERK__METRICS__TOKEN`).
    pub token: Option<String>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_from: vec!["127.0.0.1/32".into(), "::1/128".into()],
            token: None,
        }
    }
}

/// Whether `ip` lies in `network` (`10.0.0.0/8`, `::1/128`, or a bare address).
pub fn in_network(ip: IpAddr, network: &str) -> bool {
    let network = network.trim();
    let Some(net) = network
        .parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| network.parse::<IpAddr>().ok().map(ipnet::IpNet::from))
    else {
        return false;
    };
    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    };
    net.contains(&ip)
}

/// Whether a request may read the metrics (pure: the handler passes what it saw).
pub fn may_read(settings: &MetricsSettings, peer: Option<IpAddr>, bearer: Option<&str>) -> bool {
    if let (Some(token), Some(given)) = (settings.token.as_deref().filter(|t| !t.is_empty()), bearer) {
        // Compared as digests: the time taken tells nothing of how much of it matched.
        use sha2::{Digest, Sha256};
        if Sha256::digest(token.as_bytes()) == Sha256::digest(given.as_bytes()) {
            return true;
        }
    }
    peer.is_some_and(|ip| settings.allow_from.iter().any(|n| in_network(ip, n)))
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    kind: String,
    state: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 1 ms to ~33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily<RouteLabels>,
    reports: Family<ChannelLabels, Counter>,
    sync_pulls: Counter,
    sync_changes: Counter,
    jobs: Family<JobLabels, Counter>,
    queue: Family<QueueLabels, Gauge>,
    anonymize: Histogram,
    /// The scrape reads the queue from the database; one at a time.
    scrape: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("augenmerk");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        let durations: HistogramFamily<RouteLabels> = Family::new_with_constructor(latency);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            durations.clone(),
        );
        let reports = Family::<ChannelLabels, Counter>::default();
        registry.register("reports_accepted", "New reports accepted, by channel", reports.clone());
        let sync_pulls = Counter::default();
        registry.register(
            "sync_pulls",
            "Devices' requests for changes of their reports",
            sync_pulls.clone(),
        );
        let sync_changes = Counter::default();
        registry.register("sync_changes", "Changes sent to devices", sync_changes.clone());
        let jobs = Family::<JobLabels, Counter>::default();
        registry.register(
            "jobs_finished",
            "Mail and forwarding attempts, by kind and outcome (done, retry, failed, suppressed)",
            jobs.clone(),
        );
        let queue = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "jobs",
            "Mail and forwarding jobs waiting (pending) or given up (failed), as in the database",
            queue.clone(),
        );
        let anonymize = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        registry.register(
            "anonymize_seconds",
            "Server-side anonymization of a photo that came without it",
            anonymize.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            reports,
            sync_pulls,
            sync_changes,
            jobs,
            queue,
            anonymize,
            scrape: Mutex::new(()),
        }
    }

    /// A report was accepted (new, not a repeat).
    pub fn report_accepted(&self, channel: &str) {
        self.reports
            .get_or_create(&ChannelLabels {
                channel: channel.to_owned(),
            })
            .inc();
    }

    /// A device asked for its changes and got `changes`.
    pub fn sync_pull(&self, changes: usize) {
        self.sync_pulls.inc();
        self.sync_changes.inc_by(changes as u64);
    }

    /// A job attempt ended.
    pub fn job_finished(&self, kind: &str, outcome: &str) {
        self.jobs
            .get_or_create(&JobLabels {
                kind: kind.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// A photo was anonymized on the server in `seconds`.
    pub fn anonymized(&self, seconds: f64) {
        self.anonymize.observe(seconds);
    }

    fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// The text of a scrape, with the queue as `counts` says (kind, state, jobs).
    pub fn render(&self, counts: &[(String, String, u64)]) -> String {
        let _one = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        self.queue.clear();
        for (kind, state, n) in counts {
            self.queue
                .get_or_create(&QueueLabels {
                    kind: kind.clone(),
                    state: state.clone(),
                })
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

/// Counts every request by its route's pattern (`/api/v1/reports/{id}`, never the id
/// itself: the number of series stays bounded) and status.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| {
            // The UI's files and unknown paths: one series each, not one per path.
            if request.uri().path().starts_with("/api/") {
                "unmatched".to_owned()
            } else {
                "ui".to_owned()
            }
        });
    let response = next.run(request).await;
    state.metrics.request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, ClientAddr(peer): ClientAddr, headers: HeaderMap) -> Response {
    let settings = &state.settings.metrics;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !settings.enabled || !may_read(settings, peer, bearer) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let counts = match state.store.job_counts().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "job counts for the metrics failed");
            Vec::new()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(&counts),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn networks_match_by_prefix_and_ipv4_mapped_addresses_count_as_ipv4() {
        assert!(in_network(ip("10.1.2.3"), "10.0.0.0/8"));
        assert!(!in_network(ip("11.1.2.3"), "10.0.0.0/8"));
        assert!(in_network(ip("127.0.0.1"), "127.0.0.1"));
        assert!(in_network(ip("::ffff:127.0.0.1"), "127.0.0.1/32"));
        assert!(in_network(ip("::1"), "::1/128"));
        assert!(in_network(ip("fd00::5"), "fd00::/8"));
        assert!(!in_network(ip("10.0.0.1"), "fd00::/8"));
        assert!(!in_network(ip("10.0.0.1"), "kein netz"));
        assert!(in_network(ip("192.0.2.1"), "0.0.0.0/0"));
    }

    #[test]
    fn the_machine_or_the_token_may_read() {
        let s = MetricsSettings {
            token: Some("geheim".into()),
            ..MetricsSettings::default()
        };
        assert!(may_read(&s, Some(ip("127.0.0.1")), None));
        assert!(!may_read(&s, Some(ip("192.0.2.7")), None));
        assert!(may_read(&s, Some(ip("192.0.2.7")), Some("geheim")));
        assert!(!may_read(&s, Some(ip("192.0.2.7")), Some("falsch")));
        assert!(!may_read(&s, None, None));
    }

    #[test]
    fn a_scrape_is_prometheus_text_with_the_queue() {
        let m = Metrics::new();
        m.report_accepted("app");
        m.request("GET", "/api/v1/reports/{id}", 200, 0.004);
        let text = m.render(&[("mail".into(), "pending".into(), 3)]);
        assert!(
            text.contains("augenmerk_reports_accepted_total{channel=\"app\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("augenmerk_jobs{kind=\"mail\",state=\"pending\"} 3"),
            "{text}"
        );
        assert!(
            text.contains(
                "augenmerk_http_requests_total{method=\"GET\",route=\"/api/v1/reports/{id}\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
