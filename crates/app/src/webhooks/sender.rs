//! The HTTP client that POSTs webhooks: 10 s timeout, no redirects, no proxies, and a DNS
//! resolver that drops non-public addresses (unless private networks are allowed), so the
//! address OKPay connects to is the address that was checked.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::destination::{self, is_public};
use super::signature;

/// How long one attempt may take, connection included (API.md §4).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes of a response body read (only for the log; the status is what counts).
const MAX_ERROR_BODY_CHARS: usize = 200;

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status, if the server answered.
    pub status: Option<u16>,
    /// Why it did not succeed, if it did not.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

impl Answer {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Installs rustls's `ring` provider as the process default, once. reqwest is built with TLS
/// but without a provider in this workspace (no aws-lc), and panics when it builds a client
/// before one is installed: call this before building any `reqwest::Client`.
pub fn install_tls_provider() {
    // `Err` only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Sends signed webhooks.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    /// A sender; with `allow_private`, loopback and private addresses are allowed.
    pub fn new(allow_private: bool) -> Result<Sender, String> {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("OKPay-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Sender { client, allow_private })
    }

    /// POSTs `body` to `url`, signed with `secret` at `unix_secs`.
    pub async fn send(&self, target: &str, secret: &str, unix_secs: i64, body: &str) -> Answer {
        let started = Instant::now();
        let elapsed = || i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let parsed = match destination::parse(target) {
            Ok(u) => u,
            Err(_) => return Answer { status: None, error: Some("invalid webhook URL".into()), duration_ms: 0 },
        };
        // Literal addresses never reach the resolver: check them here.
        let literal = match parsed.host() {
            Some(::url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(::url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal.filter(|ip| !self.allow_private && !is_public(*ip)) {
            let error = format!("address {ip} is not public");
            return Answer { status: None, error: Some(error), duration_ms: 0 };
        }
        let result = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signature::sign(secret, unix_secs, body.as_bytes()))
            .body(body.to_owned())
            .send()
            .await;
        match result {
            Ok(res) => {
                let status = res.status().as_u16();
                let error = if res.status().is_success() {
                    None
                } else {
                    let text = res.text().await.unwrap_or_default();
                    let snippet: String = text.chars().take(MAX_ERROR_BODY_CHARS).collect();
                    Some(format!("HTTP {status}: {snippet}"))
                };
                Answer { status: Some(status), error, duration_ms: elapsed() }
            }
            Err(e) => {
                let what = if e.is_timeout() { "no answer within 10 s" } else { "request failed" };
                Answer { status: None, error: Some(format!("{what}: {}", error_chain(&e))), duration_ms: elapsed() }
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Resolves with the system resolver and keeps only the addresses webhooks may go to.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if allowed.is_empty() {
                let e: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to no public address").into();
                return Err(e);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn literal_private_addresses_are_never_contacted() {
        let sender = Sender::new(false).unwrap_or_else(|e| panic!("{e}"));
        let answer = sender.send("http://127.0.0.1:9/hook", "whsec_x", 1, "{}").await;
        assert_eq!(answer.status, None);
        assert!(answer.error.is_some_and(|e| e.contains("not public")));
    }

    #[tokio::test]
    async fn https_speaks_tls() {
        // A plain-HTTP server: an https:// URL must try a TLS handshake with it (and fail),
        // not refuse the scheme.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        tokio::spawn(async move {
            if let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let sender = Sender::new(true).unwrap_or_else(|e| panic!("{e}"));
        let answer = sender.send(&format!("https://127.0.0.1:{port}/hook"), "whsec_x", 1, "{}").await;
        let error = answer.error.unwrap_or_default();
        assert_eq!(answer.status, None, "{error}");
        assert!(error.contains("corrupt message") || error.contains("InvalidContentType"), "a TLS error: {error}");
    }
}
