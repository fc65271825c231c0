//! A SeaweedFS S3 server (`weed mini`) on 127.0.0.1, one per test process.
//!
//! `weed mini` runs master, volume server, filer, S3 gateway and an admin server (with a
//! maintenance worker) in one process. Every port it opens is chosen free here, so that
//! test binaries can run at the same time; WebDAV, the Iceberg and Lance catalogs and
//! telemetry are turned off. The S3 gateway checks signatures against one identity with
//! random keys, and one bucket exists when [`shared`] returns.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::EnvError;

/// The version `scripts/setup.sh` installs.
const WEED_VERSION: &str = "4.48";
/// The bucket that exists from the start.
const BUCKET: &str = "photos";
/// How long `weed mini` may take until S3 answers and the bucket exists (~1 s usually).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// SeaweedFS's gRPC port is its HTTP port plus this. Some of its components dial that
/// sum rather than the configured gRPC port (the maintenance worker reaches the admin
/// server that way), so every gRPC port is chosen as exactly this offset.
const GRPC_OFFSET: u16 = 10_000;

/// A running SeaweedFS S3 server and the credentials it accepts.
#[derive(Debug)]
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// A bucket that exists (tests share it; give each test its own key prefix).
    pub bucket: String,
    /// The access key id of the only identity.
    pub access_key: String,
    /// Its secret key.
    pub secret_key: String,
    /// The signing region (SeaweedFS accepts any).
    pub region: String,
}

/// Why the shared server could not be started, kept for every later caller.
enum StartError {
    Missing(String),
    Failed(String),
}

/// The server of this test process, started by the first caller. If starting failed,
/// every caller gets the same error.
pub fn shared() -> Result<&'static S3Server, EnvError> {
    static SERVER: OnceLock<Result<S3Server, StartError>> = OnceLock::new();
    let started = SERVER.get_or_init(|| {
        start().map_err(|e| match e {
            EnvError::Missing(_, detail) => StartError::Missing(detail),
            other => StartError::Failed(other.to_string()),
        })
    });
    match started {
        Ok(server) => Ok(server),
        Err(StartError::Missing(detail)) => Err(EnvError::Missing("SeaweedFS (weed)", detail.clone())),
        Err(StartError::Failed(detail)) => Err(EnvError::Failed {
            what: "starting SeaweedFS (weed mini)".into(),
            detail: detail.clone(),
        }),
    }
}

/// `$AUGENMERK_WEED`, else where `scripts/setup.sh` installs it, else `weed` on `PATH`.
fn find_weed() -> Result<PathBuf, EnvError> {
    if let Some(path) = std::env::var_os("AUGENMERK_WEED") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(EnvError::Missing(
                "SeaweedFS (weed)",
                format!("AUGENMERK_WEED={} is not a file", path.display()),
            ))
        };
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")));
    let installed = cache.map(|dir| dir.join(format!("augenmerk-tools/seaweedfs-{WEED_VERSION}/bin/weed")));
    if let Some(path) = installed.as_ref().filter(|path| path.is_file()) {
        return Ok(path.clone());
    }
    let on_path = std::env::var_os("PATH").map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("weed"))
            .find(|p| p.is_file())
    });
    if let Some(path) = on_path.flatten() {
        return Ok(path);
    }
    let looked = installed.map_or_else(String::new, |path| format!("{}, ", path.display()));
    Err(EnvError::Missing(
        "SeaweedFS (weed)",
        format!("not at $AUGENMERK_WEED, {looked}nor on PATH"),
    ))
}

/// The ports of one server: an HTTP port for each component, each with its gRPC port
/// at [`GRPC_OFFSET`] above it.
struct Ports {
    s3: u16,
    filer: u16,
    master: u16,
    volume: u16,
    admin: u16,
}

impl Ports {
    /// Ten distinct free ports. Each is held until all are chosen, so none is picked
    /// twice; they are released together just before `weed` binds them.
    fn choose() -> Result<Self, EnvError> {
        let mut held: Vec<TcpListener> = Vec::new();
        let mut pairs = Vec::new();
        // A port whose partner is taken or above 65535 (a fifth of the ephemeral range)
        // is skipped; 500 tries find five pairs on any machine that is not out of ports.
        for _ in 0..500 {
            if pairs.len() == 5 {
                break;
            }
            let http = TcpListener::bind("127.0.0.1:0")?;
            let port = http.local_addr()?.port();
            let Some(grpc_port) = port.checked_add(GRPC_OFFSET) else {
                continue;
            };
            if let Ok(grpc) = TcpListener::bind(("127.0.0.1", grpc_port)) {
                pairs.push(port);
                held.push(http);
                held.push(grpc);
            }
        }
        let [s3, filer, master, volume, admin] = pairs[..] else {
            return Err(EnvError::Failed {
                what: "choosing free ports".into(),
                detail: format!("found {} of 5 free port pairs (p, p + {GRPC_OFFSET})", pairs.len()),
            });
        };
        Ok(Self {
            s3,
            filer,
            master,
            volume,
            admin,
        })
    }

    /// Every port, HTTP and gRPC.
    fn all(&self) -> Vec<u16> {
        [self.s3, self.filer, self.master, self.volume, self.admin]
            .into_iter()
            .flat_map(|port| [port, port + GRPC_OFFSET])
            .collect()
    }
}

/// Random hex from the kernel (no random-number crate for two keys).
fn random_hex(bytes: usize) -> Result<String, EnvError> {
    let mut buf = vec![0u8; bytes];
    File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn start() -> Result<S3Server, EnvError> {
    let weed = find_weed()?;
    // Under /tmp itself rather than $TMPDIR: weed's Unix sockets live in this directory
    // and a socket path must stay under 108 bytes.
    let dir = tempfile::Builder::new()
        .prefix("augenmerk-s3-")
        .tempdir_in("/tmp")?
        .keep();
    let access_key = format!("AK{}", random_hex(9)?.to_uppercase());
    let secret_key = random_hex(20)?;
    let config = dir.join("s3.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"identities":[{{"name":"augenmerk-test","credentials":[{{"accessKey":"{access_key}","secretKey":"{secret_key}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
        ),
    )?;
    let ports = Ports::choose()?;
    let log_path = dir.join("weed.log");
    let log = File::create(&log_path)?;
    let d = dir.display();
    let mut args = vec![
        // glog to the same file as the banner, not to /tmp/weed.*.
        "-logtostderr".to_owned(),
        "mini".into(),
        format!("-dir={d}"),
        "-ip=127.0.0.1".into(),
        "-ip.bind=127.0.0.1".into(),
        "-master.telemetry=false".into(),
        "-admin.ui=false".into(),
        "-webdav=false".into(),
        "-s3.port.iceberg=0".into(),
        "-s3.port.lance=0".into(),
        format!("-bucket={BUCKET}"),
        format!("-s3.config={}", config.display()),
        // Otherwise /tmp/seaweedfs-{filer,s3}-<port>.sock, left behind by a killed server.
        format!("-filer.localSocket={d}/filer.sock"),
        format!("-s3.localSocket={d}/s3.sock"),
    ];
    for (name, port) in [
        ("s3", ports.s3),
        ("filer", ports.filer),
        ("master", ports.master),
        ("volume", ports.volume),
        ("admin", ports.admin),
    ] {
        args.push(format!("-{name}.port={port}"));
        args.push(format!("-{name}.port.grpc={}", port + GRPC_OFFSET));
    }
    let mut child = Command::new(&weed)
        .args(&args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .map_err(|e| EnvError::Failed {
            what: format!("running {}", weed.display()),
            detail: e.to_string(),
        })?;
    // From here on the watchdog stops the server and removes its directory, whatever
    // happens to this process. The gRPC sockets that weed keeps in /tmp (named by port)
    // are removed too, in case it had to be killed.
    let sockets: Vec<String> = ports
        .all()
        .iter()
        .map(|p| format!("/tmp/seaweedfs-*-grpc-{p}.sock"))
        .collect();
    let pid = child.id();
    crate::watchdog::watch(&format!(
        "kill {pid} 2>/dev/null; i=0; while kill -0 {pid} 2>/dev/null && [ $i -lt 40 ]; do sleep 0.25; i=$((i+1)); done; \
         kill -9 {pid} 2>/dev/null; rm -rf '{d}'; rm -f {}",
        sockets.join(" ")
    ))?;
    if let Err(detail) = wait_ready(&mut child, &ports) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(EnvError::Failed {
            what: format!("starting {} in {d}", weed.display()),
            detail: format!("{detail}\n--- end of weed's log ---\n{}", log_tail(&log_path)),
        });
    }
    Ok(S3Server {
        endpoint: format!("http://127.0.0.1:{}", ports.s3),
        bucket: BUCKET.to_owned(),
        access_key,
        secret_key,
        region: "us-east-1".to_owned(),
    })
}

/// Waits until the S3 gateway answers HTTP and the filer holds the bucket (created a
/// moment after the gateway starts).
fn wait_ready(child: &mut Child, ports: &Ports) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let bucket_path = format!("/buckets/{BUCKET}/");
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("weed exited with {status}"));
        }
        let s3 = http_status(ports.s3, "/");
        // Unsigned, so 403; any answer means the gateway is up.
        if s3.is_some() && http_status(ports.filer, &bucket_path) == Some(200) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no S3 answer on 127.0.0.1:{} or no bucket {BUCKET} after {} s (S3 status {s3:?})",
                ports.s3,
                START_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The status code of a plain `GET` to 127.0.0.1, or `None` without an HTTP answer.
fn http_status(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 64];
    let mut len = 0;
    // "HTTP/1.1 200 ..." needs 12 bytes; read until there are that many or the peer is done.
    while len < 12 {
        match stream.read(&mut head[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let line = std::str::from_utf8(&head[..len]).ok()?;
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// The last lines of weed's log, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
