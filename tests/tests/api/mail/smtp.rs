//! A real SMTP server for the mail tests: aiosmtpd (Debian `python3-aiosmtpd`, installed
//! by `scripts/setup.sh`) writing every mail it accepts into a Maildir, and the arriving
//! mails parsed with `mail-parser` as a mail client would.
//!
//! One server is shared by the whole test binary ([`shared`]): tests tell their mails
//! apart by unique recipient addresses. A static is never dropped, so the server cannot
//! be stopped by a `Drop`: it runs under a small shell watchdog that kills it (and
//! removes its Maildir) once the test process is gone, however the process ended. Tests
//! that stop and restart the SMTP server use a [`PrivateSmtp`] of their own.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use augenmerk_tests::ports::start_on_free_port;
use mail_parser::{MessageParser, MimeHeaders};

/// How long a test waits for a mail before it fails.
pub const MAIL_TIMEOUT: Duration = Duration::from_secs(20);

/// A parsed mail as it arrived.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The Maildir file.
    pub file: PathBuf,
    /// Envelope recipients (aiosmtpd's `X-RcptTo`), lower case.
    pub rcpt_to: Vec<String>,
    /// `To` addresses, lower case.
    pub to: Vec<String>,
    /// The sender's display name (the municipality).
    pub from_name: String,
    /// `Message-ID`, without angle brackets.
    pub message_id: String,
    /// Decoded subject.
    pub subject: String,
    /// Decoded plain-text body.
    pub text: String,
    /// Decoded HTML body.
    pub html: String,
    /// The `List-Unsubscribe` URL, without angle brackets.
    pub list_unsubscribe: Option<String>,
    /// `List-Unsubscribe-Post`.
    pub list_unsubscribe_post: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
}

/// An attachment of a mail.
#[derive(Debug, Clone)]
#[allow(
    dead_code,
    reason = "for mails with photos (forwardings); the tests here only read the names"
)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// `type/subtype`.
    pub content_type: String,
    /// Decoded bytes.
    pub bytes: Vec<u8>,
}

impl Mail {
    /// Parses a stored mail; `None` for bytes that are no mail.
    pub fn parse(file: &Path, bytes: &[u8]) -> Option<Self> {
        let m = MessageParser::default().parse(bytes)?;
        let raw = |name: &'static str| m.header_raw(name).map(|v| v.trim().to_owned());
        let addresses = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
            a.map(|a| {
                a.clone()
                    .into_list()
                    .iter()
                    .filter_map(|x| x.address().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default()
        };
        let attachments = m
            .attachments()
            .map(|p| Attachment {
                name: p.attachment_name().unwrap_or_default().to_owned(),
                content_type: p
                    .content_type()
                    .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
                    .unwrap_or_default(),
                bytes: p.contents().to_vec(),
            })
            .collect();
        Some(Self {
            file: file.to_owned(),
            rcpt_to: raw("X-RcptTo")
                .map(|v| v.split(',').map(|s| s.trim().to_lowercase()).collect())
                .unwrap_or_default(),
            to: addresses(m.to()),
            from_name: m
                .from()
                .and_then(|f| f.first())
                .and_then(|f| f.name())
                .unwrap_or_default()
                .to_owned(),
            message_id: m.message_id().unwrap_or_default().to_owned(),
            subject: m.subject().unwrap_or_default().to_owned(),
            // The parts, not `body_text`: that one borrows the message for the bytes' lifetime.
            text: m
                .text_part(0)
                .and_then(|p| p.text_contents())
                .unwrap_or_default()
                .to_owned(),
            html: m
                .html_part(0)
                .and_then(|p| p.text_contents())
                .unwrap_or_default()
                .to_owned(),
            list_unsubscribe: raw("List-Unsubscribe").map(|v| v.trim_matches(['<', '>']).to_owned()),
            list_unsubscribe_post: raw("List-Unsubscribe-Post"),
            attachments,
        })
    }

    /// Whether the mail went to `address`.
    pub fn is_to(&self, address: &str) -> bool {
        let address = address.to_lowercase();
        self.rcpt_to.contains(&address) || self.to.contains(&address)
    }

    /// Everything a reader sees: subject, both bodies, attachment names.
    pub fn readable(&self) -> String {
        let names: Vec<&str> = self.attachments.iter().map(|a| a.name.as_str()).collect();
        format!("{}\n{}\n{}\n{}", self.subject, self.text, self.html, names.join("\n"))
    }
}

/// A Maildir that aiosmtpd fills.
#[derive(Debug, Clone)]
pub struct Maildir {
    dir: PathBuf,
}

impl Maildir {
    /// Every mail delivered so far.
    pub fn all(&self) -> Vec<Mail> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) {
                files.extend(entries.flatten().map(|e| e.path()));
            }
        }
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok().and_then(|b| Mail::parse(f, &b)))
            .collect()
    }

    /// The mails delivered to `address` so far (checked against the leak rules).
    pub fn to(&self, address: &str) -> Vec<Mail> {
        let mails: Vec<Mail> = self.all().into_iter().filter(|m| m.is_to(address)).collect();
        super::leaks::check(&mails);
        mails
    }

    /// Waits until `address` received at least `n` mails; returns them all.
    pub async fn wait_for(&self, address: &str, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + MAIL_TIMEOUT;
        loop {
            let mails = self.to(address);
            if mails.len() >= n {
                return mails;
            }
            if Instant::now() > deadline {
                let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
                panic!("{address} received {} of {n} mails in time: {subjects:?}", mails.len());
            }
            // Async: the server under test runs on this test's runtime.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a mail to `address` whose subject contains `subject`.
    pub async fn wait_for_subject(&self, address: &str, subject: &str) -> Mail {
        let deadline = Instant::now() + MAIL_TIMEOUT;
        loop {
            let mails = self.to(address);
            if let Some(m) = mails.iter().find(|m| m.subject.contains(subject)) {
                return m.clone();
            }
            if Instant::now() > deadline {
                let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
                panic!("no mail „{subject}“ reached {address} in time; it has {subjects:?}");
            }
            // Async: the server under test runs on this test's runtime.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Maildir {
    /// Waits `settle` and asserts that `address` still has exactly `n` mails.
    pub async fn expect_exactly(&self, address: &str, n: usize, settle: Duration) -> Vec<Mail> {
        tokio::time::sleep(settle).await;
        let mails = self.to(address);
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(
            mails.len(),
            n,
            "{address} received other mails than expected: {subjects:?}"
        );
        mails
    }
}

/// The shared server of this test binary.
pub struct SharedSmtp {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Where it stores the mails.
    pub maildir: Maildir,
}

/// The shared SMTP server, started on first use.
pub fn shared() -> &'static SharedSmtp {
    static SHARED: OnceLock<SharedSmtp> = OnceLock::new();
    SHARED.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mail-smtp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let maildir = root.join("Maildir");
        std::fs::create_dir_all(&root).expect("SMTP directory");
        let (child, port) = start_on_free_port("aiosmtpd", |port| {
            let mut child = spawn_aiosmtpd(port, &maildir, &root).expect("start aiosmtpd");
            match wait_until_listening(&mut child, port, &root.join("smtp.log")) {
                Ok(()) => Ok((child, port)),
                Err(why) => {
                    kill_group(&mut child);
                    Err(why)
                }
            }
        });
        // Neither waited for nor killed by us: the watchdog ends it with this process.
        std::mem::forget(child);
        SharedSmtp {
            port,
            maildir: Maildir { dir: maildir },
        }
    })
}

/// `smtp_url` for a server on `port`.
pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}?tls=none")
}

/// aiosmtpd under a shell watchdog: the watchdog ends aiosmtpd (and removes `cleanup`)
/// when this test process is gone or aiosmtpd died. Its own process group, so that
/// [`PrivateSmtp`] can kill both at once.
fn spawn_aiosmtpd(port: u16, maildir: &Path, cleanup: &Path) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(cleanup.join("smtp.log"))?;
    let script = r#"/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$1" -c aiosmtpd.handlers.Mailbox "$2" &
smtp=$!
while kill -0 "$3" 2>/dev/null && kill -0 "$smtp" 2>/dev/null; do sleep 0.5; done
kill "$smtp" 2>/dev/null
wait "$smtp" 2>/dev/null
if ! kill -0 "$3" 2>/dev/null; then rm -rf "$4"; fi"#;
    Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(port.to_string())
        .arg(maildir)
        .arg(std::process::id().to_string())
        .arg(cleanup)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
}

/// Waits until an SMTP server greets on `port` (220); `Err` (with the log) when aiosmtpd
/// ended first, say because another process took the port, or did not greet in time.
fn wait_until_listening(child: &mut Child, port: u16, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let greeting = || -> std::io::Result<bool> {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(2)))?;
            let mut buf = [0u8; 3];
            s.read_exact(&mut buf)?;
            Ok(&buf == b"220")
        };
        if greeting().unwrap_or(false) {
            return Ok(());
        }
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "aiosmtpd did not come up on port {port} (is python3-aiosmtpd installed? scripts/setup.sh); log: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    ))
}

/// An SMTP server of one test, which it may stop and start again on the same port.
pub struct PrivateSmtp {
    /// Its port.
    pub port: u16,
    /// Its mails.
    pub maildir: Maildir,
    root: tempfile::TempDir,
    child: Mutex<Option<Child>>,
}

impl PrivateSmtp {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        start_on_free_port("aiosmtpd", |port| {
            let root = tempfile::Builder::new()
                .prefix("augenmerk-smtp-")
                .tempdir()
                .expect("temporary directory");
            let smtp = Self {
                port,
                maildir: Maildir {
                    dir: root.path().join("Maildir"),
                },
                root,
                child: Mutex::new(None),
            };
            smtp.try_resume().map(|()| smtp)
        })
    }

    /// Stops the server (connections are refused until [`PrivateSmtp::resume`]).
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().expect("lock").take() {
            kill_group(&mut child);
        }
        // Refused, not hanging: the port is closed.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "aiosmtpd on {} did not stop", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the server again on the same port, with the same Maildir.
    pub fn resume(&self) {
        self.try_resume().unwrap_or_else(|why| panic!("{why}"));
    }

    fn try_resume(&self) -> Result<(), String> {
        let mut slot = self.child.lock().expect("lock");
        if slot.is_some() {
            return Ok(());
        }
        // The watchdog's cleanup is the temporary directory itself, which the Drop of
        // `root` removes anyway.
        let mut child = spawn_aiosmtpd(self.port, &self.maildir.dir, self.root.path()).expect("start aiosmtpd");
        let up = wait_until_listening(&mut child, self.port, &self.root.path().join("smtp.log"));
        if up.is_ok() {
            *slot = Some(child);
        } else {
            kill_group(&mut child);
        }
        up
    }
}

impl Drop for PrivateSmtp {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.child.lock()
            && let Some(mut child) = slot.take()
        {
            kill_group(&mut child);
        }
    }
}

/// Kills a process group led by `child` (watchdog and aiosmtpd) and reaps the leader.
fn kill_group(child: &mut Child) {
    let pid = child.id();
    if pid > 1 {
        // `--` is essential: without it procps-ng's `kill -KILL -<pgid>` may signal
        // every process of the user (see tests/src/process.rs).
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}
