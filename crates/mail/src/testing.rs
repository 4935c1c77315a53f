//! A real SMTP server for tests (`mailin-embedded`, listening on a local port) that keeps every
//! message it receives, plus helpers to read links out of them. Enabled by the `testing`
//! feature; never part of the binary.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server, SslConfig};

/// A received (or `.eml`) message, parsed.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// `RCPT TO` addresses (or the `To` header for files).
    pub to: Vec<String>,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// Decoded subject.
    pub subject: String,
    /// Decoded text part.
    pub text: String,
    /// Decoded HTML part.
    pub html: String,
}

impl ReceivedMail {
    /// Parses raw message bytes (MIME, quoted-printable/base64 decoded).
    pub fn parse(to: Vec<String>, raw: Vec<u8>) -> ReceivedMail {
        let parsed = mail_parser::MessageParser::default().parse(&raw);
        let (subject, text, html) = match &parsed {
            Some(m) => (
                m.subject().unwrap_or_default().to_owned(),
                m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
                m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let to = if to.is_empty() {
            parsed
                .as_ref()
                .and_then(|m| m.to())
                .map(|a| a.iter().filter_map(|x| x.address().map(str::to_owned)).collect())
                .unwrap_or_default()
        } else {
            to
        };
        ReceivedMail { to, raw, subject, text, html }
    }

    /// The first link in the text part starting with `prefix` (e.g. `http://h/verify-email?`).
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.text.find(prefix)?;
        let rest = &self.text[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }

    /// The `token` query value of the first link whose path is `path` (e.g. `/verify-email`).
    pub fn token(&self, path: &str) -> Option<String> {
        let marker = format!("{path}?token=");
        let start = self.text.find(&marker)? + marker.len();
        let rest = &self.text[start..];
        let end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// What a sink kept, shared with the test, and what it counted.
#[derive(Debug, Clone, Default)]
pub struct Inbox(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    kept: Mutex<Vec<ReceivedMail>>,
    received: AtomicU64,
    sessions: AtomicU64,
}

impl Inbox {
    /// Messages received so far, kept or not.
    pub fn received(&self) -> u64 {
        self.0.received.load(Ordering::Relaxed)
    }

    /// SMTP sessions (greetings with `HELO`/`EHLO`) so far: shows whether a client reuses its
    /// connections.
    pub fn sessions(&self) -> u64 {
        self.0.sessions.load(Ordering::Relaxed)
    }

    /// Every message so far, in arrival order.
    pub fn all(&self) -> Vec<ReceivedMail> {
        self.0.kept.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The messages to `address` (case-insensitive), in arrival order.
    pub fn to(&self, address: &str) -> Vec<ReceivedMail> {
        self.all().into_iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address))).collect()
    }

    /// Waits until `address` has received a message whose subject satisfies `pick`; returns the
    /// latest such message, or `None` after `timeout`.
    pub async fn wait_for(
        &self,
        address: &str,
        timeout: Duration,
        pick: impl Fn(&ReceivedMail) -> bool,
    ) -> Option<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(m) = self.to(address).into_iter().rev().find(|m| pick(m)) {
                return Some(m);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn push(&self, m: ReceivedMail) {
        self.0.kept.lock().unwrap_or_else(PoisonError::into_inner).push(m);
    }
}

/// A running SMTP server on `127.0.0.1` (its thread lives as long as the test process).
#[derive(Debug, Clone)]
pub struct SmtpSink {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it received.
    pub inbox: Inbox,
}

impl SmtpSink {
    /// Starts a sink on a free port.
    pub fn start() -> std::io::Result<SmtpSink> {
        SmtpSink::start_keeping(|_| true)
    }

    /// Starts a sink on `addr` (e.g. a port a test reserved earlier).
    pub fn start_on(addr: SocketAddr) -> std::io::Result<SmtpSink> {
        SmtpSink::serve(TcpListener::bind(addr)?, |_| true)
    }

    /// Starts a sink on a free port that keeps only the messages whose raw bytes satisfy `keep`
    /// and counts the others (a load test's mail, which nobody reads, would fill the memory).
    pub fn start_keeping(keep: fn(&[u8]) -> bool) -> std::io::Result<SmtpSink> {
        SmtpSink::serve(TcpListener::bind(("127.0.0.1", 0))?, keep)
    }

    fn serve(listener: TcpListener, keep: fn(&[u8]) -> bool) -> std::io::Result<SmtpSink> {
        let addr = listener.local_addr()?;
        let inbox = Inbox::default();
        let mut server = Server::new(Collector { inbox: inbox.clone(), keep, to: Vec::new(), data: Vec::new() });
        if let Err(e) = server.with_name("sink.test").with_ssl(SslConfig::None) {
            return Err(std::io::Error::other(e.to_string()));
        }
        // One thread per connection: more than the mail worker opens at once (its `concurrency`).
        server.with_num_threads(16).with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("SMTP sink stopped: {e}");
            }
        });
        Ok(SmtpSink { addr, inbox })
    }

    /// `smtp://127.0.0.1:PORT` (plain, no TLS), for `OKPAY_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }
}

/// One connection's handler: collects the DATA of each message.
#[derive(Clone)]
struct Collector {
    inbox: Inbox,
    keep: fn(&[u8]) -> bool,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.inbox.0.sessions.fetch_add(1, Ordering::Relaxed);
        mailin_embedded::response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = std::mem::take(&mut self.data);
        self.inbox.0.received.fetch_add(1, Ordering::Relaxed);
        if (self.keep)(&raw) {
            self.inbox.push(ReceivedMail::parse(std::mem::take(&mut self.to), raw));
        }
        mailin_embedded::response::OK
    }
}
