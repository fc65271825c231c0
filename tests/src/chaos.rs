//! A fault-injecting TCP proxy for loopback tests.
//!
//! Retry and idempotency logic only earns trust once it has seen connections die at
//! awkward moments, above all after the server handled a request but before the
//! client saw the answer. Loopback never does that by itself, so this proxy does it
//! on purpose, reproducibly from a seed.
//!
//! With several targets it is also the load balancer of the scale-out test: connections
//! go round robin, and a target that refuses the connection (a killed instance) is
//! skipped for the next one, as a load balancer's health check would.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

// The same idea one level up: requests seen, counted and answered by the proxy itself.
pub mod http;

/// Range of the `reset_after` byte budget: an HTTP request head plus a small JSON
/// answer fits in it, so resets land inside typical exchanges instead of after them.
const RESET_WINDOW: u64 = 1024;

/// Read buffer per direction; larger chunks would only make cut points coarser.
const CHUNK: usize = 16 * 1024;

/// Faults to inject, each rolled once per accepted connection; `Default` injects none.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability to accept a connection and close it at once without sending a byte.
    pub refuse: f64,
    /// Probability that every chunk of a connection is held back by a random delay.
    pub delay: f64,
    /// Upper bound of one chunk's delay.
    pub max_delay: Duration,
    /// Probability to forward only a prefix of the client's bytes, then close both sides.
    pub truncate_request: f64,
    /// Probability to forward only a prefix of the server's bytes, then close both sides.
    pub truncate_response: f64,
    /// Probability to close both sides after a random number of bytes (either direction).
    pub reset_after: f64,
    /// Close every other connection after a random number of bytes below this (0: never),
    /// as NATs and mobile handovers end long-lived connections; without it, a client
    /// that keeps its connections alive would meet the per-connection faults only once.
    pub max_connection_bytes: u64,
}

/// Snapshot of the proxy's counters; a fault counts only once it actually happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChaosStats {
    /// Connections accepted, refused ones included.
    pub connections: u64,
    /// Connections closed right after accepting.
    pub refused: u64,
    /// Connections whose request bytes were cut short.
    pub truncated_requests: u64,
    /// Connections whose response bytes were cut short.
    pub truncated_responses: u64,
    /// Connections closed once their byte budget ran out.
    pub resets: u64,
    /// Connections whose chunks were delayed.
    pub delayed: u64,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    refused: AtomicU64,
    truncated_requests: AtomicU64,
    truncated_responses: AtomicU64,
    resets: AtomicU64,
    delayed: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> ChaosStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ChaosStats {
            connections: get(&self.connections),
            refused: get(&self.refused),
            truncated_requests: get(&self.truncated_requests),
            truncated_responses: get(&self.truncated_responses),
            resets: get(&self.resets),
            delayed: get(&self.delayed),
        }
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

#[derive(Debug)]
struct Shared {
    faults: Mutex<Faults>,
    counters: Counters,
    upstreams: Upstreams,
}

/// TCP proxy on 127.0.0.1 that forwards to one target and breaks connections on purpose.
#[derive(Debug)]
pub struct ChaosProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl ChaosProxy {
    /// Listens on 127.0.0.1:0 and forwards to `target`; equal seeds and faults give equal fault sequences.
    pub async fn start(target: SocketAddr, faults: Faults, seed: u64) -> std::io::Result<ChaosProxy> {
        Self::round_robin(vec![target], faults, seed).await
    }

    /// Listens on 127.0.0.1:0 and spreads connections over `targets` in turn, skipping a
    /// target that refuses; faults as in [`ChaosProxy::start`].
    pub async fn round_robin(targets: Vec<SocketAddr>, faults: Faults, seed: u64) -> std::io::Result<ChaosProxy> {
        if targets.is_empty() {
            return Err(std::io::Error::other("a proxy needs a target"));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: Mutex::new(faults),
            counters: Counters::default(),
            upstreams: Upstreams {
                targets,
                next: AtomicU64::new(0),
            },
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), StdRng::seed_from_u64(seed)));
        Ok(ChaosProxy {
            addr,
            shared,
            accept_task,
        })
    }

    /// Address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the proxy, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the faults for connections accepted from now on, e.g. to heal the network.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// Current counters.
    pub fn stats(&self) -> ChaosStats {
        self.shared.counters.snapshot()
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        // Only the listener goes away; connections in flight run to their end.
        self.accept_task.abort();
    }
}

/// The faults drawn for one connection.
struct Plan {
    refuse: bool,
    delay: Option<Duration>,
    truncate_request: bool,
    truncate_response: bool,
    reset_budget: Option<u64>,
    seed: u64,
}

impl Plan {
    fn draw(rng: &mut StdRng, faults: &Faults) -> Plan {
        // Every value is drawn unconditionally so that the random sequence of later
        // connections does not depend on which faults earlier ones happened to get.
        let refuse = roll(rng, faults.refuse);
        let delay = roll(rng, faults.delay);
        let truncate_request = roll(rng, faults.truncate_request);
        let truncate_response = roll(rng, faults.truncate_response);
        let reset = roll(rng, faults.reset_after);
        let budget = rng.random_range(0..RESET_WINDOW);
        let lifetime = rng.random_range(0..faults.max_connection_bytes.max(1));
        let reset_budget = if reset {
            Some(budget)
        } else {
            (faults.max_connection_bytes > 0).then_some(lifetime)
        };
        Plan {
            refuse,
            delay: delay.then_some(faults.max_delay),
            truncate_request,
            truncate_response,
            reset_budget,
            seed: rng.random(),
        }
    }
}

/// Unlike `random_bool`, tolerates probabilities outside 0..=1 (and NaN) instead of panicking.
fn roll(rng: &mut StdRng, probability: f64) -> bool {
    rng.random::<f64>() < probability
}

/// The proxy's targets and whose turn it is.
#[derive(Debug)]
struct Upstreams {
    targets: Vec<SocketAddr>,
    next: AtomicU64,
}

impl Upstreams {
    /// Connects to the target whose turn it is, or the next one that accepts.
    async fn connect(&self) -> Option<TcpStream> {
        let n = self.targets.len() as u64;
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            let target = self.targets[usize::try_from((first + i) % n).unwrap_or(0)];
            if let Ok(stream) = TcpStream::connect(target).await {
                return Some(stream);
            }
        }
        None
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut rng: StdRng) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Typically fd exhaustion; backing off beats spinning on the error.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let counters = &shared.counters;
        bump(&counters.connections);
        let faults = *shared.faults.lock().unwrap_or_else(|p| p.into_inner());
        let plan = Plan::draw(&mut rng, &faults);
        if plan.refuse {
            bump(&counters.refused);
            drop(client);
            continue;
        }
        if plan.delay.is_some() {
            bump(&counters.delayed);
        }
        tokio::spawn(serve(client, plan, Arc::clone(&shared)));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The source closed normally; the other direction may still be busy.
    Eof,
    /// A fault closed the connection on purpose.
    Cut,
    /// An I/O error, usually a peer that went away.
    Broken,
}

async fn serve(client: TcpStream, plan: Plan, shared: Arc<Shared>) {
    let Some(server) = shared.upstreams.connect().await else {
        // Dropping the client is what a dead upstream looks like anyway.
        return;
    };
    // Without Nagle every small write reaches the peer promptly, so cut points
    // depend on what the peers wrote, not on timing.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();

    let closing = AtomicBool::new(false);
    let budget = plan.reset_budget.map(AtomicU64::new);
    let reset = budget.as_ref().map(|b| (b, &shared.counters.resets));
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let upstream = pump(
        client_read,
        server_write,
        Direction {
            delay: plan.delay,
            rng: StdRng::seed_from_u64(rng.random()),
            truncate: plan.truncate_request.then_some(&shared.counters.truncated_requests),
            reset,
            closing: &closing,
        },
    );
    let downstream = pump(
        server_read,
        client_write,
        Direction {
            delay: plan.delay,
            rng: StdRng::seed_from_u64(rng.random()),
            truncate: plan.truncate_response.then_some(&shared.counters.truncated_responses),
            reset,
            closing: &closing,
        },
    );
    let mut upstream = std::pin::pin!(upstream);
    let mut downstream = std::pin::pin!(downstream);
    let (mut up_done, mut down_done) = (false, false);
    while !(up_done && down_done) {
        let outcome = tokio::select! {
            o = &mut upstream, if !up_done => { up_done = true; o }
            o = &mut downstream, if !down_done => { down_done = true; o }
        };
        if outcome != Outcome::Eof {
            // Returning drops all halves, which closes both sockets.
            break;
        }
    }
}

/// Faults of one direction of one connection.
struct Direction<'a> {
    delay: Option<Duration>,
    rng: StdRng,
    truncate: Option<&'a AtomicU64>,
    /// Remaining byte budget shared by both directions, and the counter to bump.
    reset: Option<(&'a AtomicU64, &'a AtomicU64)>,
    /// Set by whichever direction cuts first, so a connection is counted once.
    closing: &'a AtomicBool,
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut dir: Direction<'_>) -> Outcome {
    let mut buf = vec![0u8; CHUNK];
    let mut first = true;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => {
                // Pass the half-close on, the peer may still be answering.
                let _ = to.shutdown().await;
                return Outcome::Eof;
            }
            Ok(n) => n,
            Err(_) => return Outcome::Broken,
        };
        if dir.closing.load(Ordering::Relaxed) {
            return Outcome::Cut;
        }
        let mut keep = n;
        let mut cut: Option<&AtomicU64> = None;
        if std::mem::take(&mut first)
            && let Some(counter) = dir.truncate
        {
            // The cut lies inside the first chunk so that truncation is guaranteed to
            // happen, however short the message turns out to be.
            keep = dir.rng.random_range(0..n);
            cut = Some(counter);
        }
        if let Some((budget, counter)) = dir.reset {
            let left = budget.load(Ordering::Relaxed);
            let left_here = usize::try_from(left).unwrap_or(usize::MAX);
            if left_here < keep || (left_here == keep && cut.is_none()) {
                keep = left_here;
                cut = Some(counter);
            }
            budget.store(left.saturating_sub(keep as u64), Ordering::Relaxed);
        }
        if let Some(counter) = cut
            && !dir.closing.swap(true, Ordering::Relaxed)
        {
            // Counted before the prefix goes out, so a test that saw the close also sees the count.
            bump(counter);
        }
        if let Some(max) = dir.delay {
            let max_nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
            let pause = Duration::from_nanos(dir.rng.random_range(0..=max_nanos));
            tokio::time::sleep(pause).await;
        }
        if keep > 0 && to.write_all(&buf[..keep]).await.is_err() {
            return Outcome::Broken;
        }
        if cut.is_some() {
            // A FIN after the prefix lets the peer read what it got before noticing the close.
            let _ = to.shutdown().await;
            return Outcome::Cut;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generous, because the test machine is shared; only a hang should hit it.
    const TIMEOUT: Duration = Duration::from_secs(10);

    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind echo server");
        let addr = listener.local_addr().expect("echo server address");
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = stream.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    /// Answers every request with `response` and counts requests it has processed.
    async fn http_server(response: Vec<u8>) -> (SocketAddr, Arc<AtomicU64>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind http server");
        let addr = listener.local_addr().expect("http server address");
        let handled = Arc::new(AtomicU64::new(0));
        let response = Arc::new(response);
        let counter = Arc::clone(&handled);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let response = Arc::clone(&response);
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    // Counted before answering: the request counts as processed even if
                    // the answer never arrives, which is the point of the test.
                    bump(&counter);
                    let _ = stream.write_all(&response).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        (addr, handled)
    }

    /// Sends `payload`, half-closes and returns everything read until the peer closes.
    async fn round_trip(addr: SocketAddr, payload: &[u8]) -> std::io::Result<Vec<u8>> {
        let stream = TcpStream::connect(addr).await?;
        let (mut r, mut w) = stream.into_split();
        let data = payload.to_vec();
        // Writing concurrently with reading keeps large payloads from deadlocking on full buffers.
        let writer = tokio::spawn(async move {
            w.write_all(&data).await?;
            w.shutdown().await
        });
        let mut out = Vec::new();
        r.read_to_end(&mut out).await?;
        writer.await.expect("writer task panicked")?;
        Ok(out)
    }

    /// Reads until EOF or an error, either of which means the connection is gone.
    async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    #[tokio::test]
    async fn without_faults_bytes_pass_unchanged() {
        let proxy = ChaosProxy::start(echo_server().await, Faults::default(), 1)
            .await
            .expect("start proxy");
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let echoed = tokio::time::timeout(TIMEOUT, round_trip(proxy.addr(), &payload))
            .await
            .expect("round trip timed out")
            .expect("round trip failed");
        assert_eq!(echoed, payload);
        assert!(proxy.url().starts_with("http://127.0.0.1:"));
        assert_eq!(
            proxy.stats(),
            ChaosStats {
                connections: 1,
                ..ChaosStats::default()
            }
        );
    }

    #[tokio::test]
    async fn truncated_response_is_cut_after_server_processed_request() {
        let body = vec![b'x'; 1000];
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let (server, handled) = http_server(response.clone()).await;
        let faults = Faults {
            truncate_response: 1.0,
            ..Faults::default()
        };
        let proxy = ChaosProxy::start(server, faults, 7).await.expect("start proxy");
        const ATTEMPTS: u64 = 5;
        for _ in 0..ATTEMPTS {
            let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect to proxy");
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                .await
                .expect("send request");
            let received = tokio::time::timeout(TIMEOUT, read_until_closed(&mut stream))
                .await
                .expect("connection was not closed");
            assert!(received.len() < response.len(), "got {} bytes", received.len());
            assert!(response.starts_with(&received), "the prefix must be unchanged");
        }
        assert_eq!(handled.load(Ordering::Relaxed), ATTEMPTS);
        let stats = proxy.stats();
        assert_eq!(stats.connections, ATTEMPTS);
        assert_eq!(stats.truncated_responses, ATTEMPTS);
        assert_eq!(stats.truncated_requests, 0);
    }

    #[tokio::test]
    async fn refused_connection_reads_eof_until_healed() {
        let faults = Faults {
            refuse: 1.0,
            ..Faults::default()
        };
        let proxy = ChaosProxy::start(echo_server().await, faults, 3)
            .await
            .expect("start proxy");
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect to proxy");
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(TIMEOUT, stream.read(&mut buf))
            .await
            .expect("refused connection stayed open");
        assert!(matches!(read, Ok(0)), "expected EOF, got {read:?}");

        proxy.set_faults(Faults::default());
        let echoed = tokio::time::timeout(TIMEOUT, round_trip(proxy.addr(), b"healed"))
            .await
            .expect("round trip timed out")
            .expect("round trip failed");
        assert_eq!(echoed, b"healed");
        let stats = proxy.stats();
        assert_eq!((stats.connections, stats.refused), (2, 1));
    }
}
