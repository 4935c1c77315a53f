//! SMTP connections of our own: `lettre` speaks the protocol, this module opens the TCP
//! connections (with `TCP_NODELAY`), applies the URL's TLS mode and credentials, and keeps
//! idle connections for the next message.
//!
//! Why not lettre's pooled transport: it leaves Nagle's algorithm on, and it writes a message's
//! body and the closing `.` as two writes. The relay acknowledges the body late (delayed ACK,
//! 40 ms on Linux), Nagle holds the `.` until it does, and so every message took 40 ms and one
//! connection delivered about 25 messages a second (measured: 80 mails/s with four connections
//! while transfers queued 1,000 notices a second). With `TCP_NODELAY` a message costs one round
//! trip per SMTP command.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

/// Default ports, as lettre and RFC 8314 give them.
const SMTP_PORT: u16 = 25;
const SUBMISSION_PORT: u16 = 587;
const SUBMISSIONS_PORT: u16 = 465;

/// Idle connections kept for reuse (more than the mail worker opens at once).
const MAX_IDLE: usize = 16;
/// An idle connection older than this is checked with `NOOP` before reuse (servers close idle
/// sessions after a few minutes); a younger one is used as it is.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(30);

/// How the connection is protected, from the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://`: plain text.
    Plain,
    /// `smtp://...?tls=required` or `?tls=opportunistic`: STARTTLS after the greeting.
    StartTls {
        /// Refuse to send if the server does not offer STARTTLS.
        required: bool,
    },
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// Why an SMTP URL was refused.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

/// Why a message was not handed over.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The TCP connection could not be opened.
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    /// The implicit-TLS handshake failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// The SMTP conversation failed (or the server refused).
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl RelayError {
    /// Whether the server refused for good (a 5xx reply): retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, RelayError::Smtp(e) if e.is_permanent())
    }
}

/// An SMTP relay and the connections open to it.
pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Relay({}:{}, {:?})", self.host, self.port, self.security)
    }
}

impl Relay {
    /// Parses `smtp://[user:password@]host[:port][/ehlo-name][?tls=required|opportunistic]` or
    /// `smtps://...` (the syntax lettre documents for its own transport).
    pub fn from_url(url: &str) -> Result<Relay, UrlError> {
        let url = url::Url::parse(url).map_err(|e| UrlError(e.to_string()))?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| UrlError("no host".into()))?;
        // IPv6 hosts come bracketed; the socket address wants them bare.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, SMTP_PORT),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, SUBMISSION_PORT),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, SUBMISSION_PORT),
            // lettre ignores a tls parameter on smtps://; so do we, so no working URL breaks.
            ("smtps", _) => (Security::Implicit, SUBMISSIONS_PORT),
            (scheme, tls) => {
                return Err(UrlError(format!("unknown scheme {scheme:?} or tls parameter {tls:?}")));
            }
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials = url.password().map(|p| Credentials::new(decode(url.username()), decode(p)));
        let name = url.path().trim_matches('/');
        let hello = if name.is_empty() { ClientId::default() } else { ClientId::Domain(name.to_owned()) };
        Ok(Relay {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends one message (`bytes` as formatted) on an idle connection or a new one. A
    /// connection that saw an error is closed, never reused; a temporary failure on a reused
    /// one (the relay may have closed it meanwhile) is tried once more on a new connection.
    pub async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<(), RelayError> {
        let conn = match self.reusable().await {
            Some(mut conn) => match conn.send(envelope, bytes).await {
                Ok(_) => conn,
                Err(e) if e.is_permanent() => return Err(e.into()),
                Err(_) => self.connect_and_send(envelope, bytes).await?,
            },
            None => self.connect_and_send(envelope, bytes).await?,
        };
        if !conn.has_broken() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push((conn, Instant::now()));
            }
        }
        Ok(())
    }

    /// Sends on a new connection and returns it for reuse.
    async fn connect_and_send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<AsyncSmtpConnection, RelayError> {
        let mut conn = self.connect().await?;
        conn.send(envelope, bytes).await?;
        Ok(conn)
    }

    /// The most recently used idle connection that still answers, if any.
    async fn reusable(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut conn, since) = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
            if since.elapsed() < CHECK_IDLE_AFTER || conn.test_connected().await {
                return Some(conn);
            }
        }
    }

    /// Opens a connection: TCP with `TCP_NODELAY`, TLS as the URL says, EHLO, then AUTH when
    /// the URL has credentials.
    async fn connect(&self) -> Result<AsyncSmtpConnection, RelayError> {
        let tcp = self.open_tcp().await?;
        let stream: Box<dyn AsyncTokioStream> = match self.security {
            Security::Implicit => Box::new(tls::wrap(&self.host, tcp).await?),
            Security::Plain | Security::StartTls { .. } => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        if let Security::StartTls { required } = self.security
            && (required || conn.can_starttls())
        {
            conn.starttls(TlsParameters::new(self.host.clone())?, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await?;
        }
        Ok(conn)
    }

    /// The TCP connection, each write sent at once.
    async fn open_tcp(&self) -> Result<TcpStream, RelayError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await.map_err(RelayError::Connect)?;
        tcp.set_nodelay(true).map_err(RelayError::Connect)?;
        Ok(tcp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Relay {
        Relay::from_url(url).expect(url)
    }

    #[test]
    fn urls_give_lettres_ports_and_tls_modes() {
        let r = parsed("smtp://mail.example.com");
        assert_eq!((r.host.as_str(), r.port, r.security), ("mail.example.com", 25, Security::Plain));
        let r = parsed("smtp://mail.example.com?tls=required");
        assert_eq!((r.port, r.security), (587, Security::StartTls { required: true }));
        let r = parsed("smtp://mail.example.com:2525?tls=opportunistic");
        assert_eq!((r.port, r.security), (2525, Security::StartTls { required: false }));
        let r = parsed("smtps://mail.example.com");
        assert_eq!((r.port, r.security), (465, Security::Implicit));
        assert_eq!(parsed("smtps://mail.example.com?tls=required").security, Security::Implicit);
        assert_eq!(parsed("smtp://[::1]:2525").host, "::1");
        assert!(r.credentials.is_none());
    }

    #[test]
    fn credentials_are_percent_decoded_and_the_path_names_the_client() {
        let r = parsed("smtps://ann%40example.com:p%2Fss@mail.example.com/okpay.example.com");
        let expected = Credentials::new("ann@example.com".into(), "p/ss".into());
        assert_eq!(r.credentials, Some(expected));
        assert_eq!(r.hello, ClientId::Domain("okpay.example.com".into()));
        assert_eq!(parsed("smtp://mail.example.com/").hello, ClientId::default());
    }

    #[test]
    fn unknown_schemes_tls_modes_and_missing_hosts_are_refused() {
        for url in ["http://mail.example.com", "smtp://mail.example.com?tls=maybe", "smtp://"] {
            assert!(Relay::from_url(url).is_err(), "{url}");
        }
    }

    #[tokio::test]
    async fn connections_send_each_write_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let tcp = parsed(&format!("smtp://127.0.0.1:{port}")).open_tcp().await.expect("connected");
        assert!(tcp.nodelay().expect("nodelay"), "Nagle's algorithm must be off (see the module doc)");
    }
}

/// Implicit TLS (`smtps://`) over our own TCP stream, with the Mozilla roots lettre uses for
/// STARTTLS.
mod tls {
    use std::sync::Arc;

    use lettre::transport::smtp::client::AsyncTokioStream;
    use tokio::net::TcpStream;
    use tokio_rustls::client::TlsStream;

    use super::RelayError;

    /// A TLS session over TCP, as lettre's stream trait wants it.
    #[derive(Debug)]
    pub(super) struct Tls(TlsStream<TcpStream>);

    /// Runs the TLS handshake with `host` on `tcp`.
    pub(super) async fn wrap(host: &str, tcp: TcpStream) -> Result<Tls, RelayError> {
        let fail = |e: &dyn std::fmt::Display| RelayError::Tls(e.to_string());
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| fail(&e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| fail(&e))?;
        let stream =
            tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.map_err(|e| fail(&e))?;
        Ok(Tls(stream))
    }

    impl AsyncTokioStream for Tls {
        fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
            self.0.get_ref().0.peer_addr()
        }
    }

    impl tokio::io::AsyncRead for Tls {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
        }
    }

    impl tokio::io::AsyncWrite for Tls {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
        }

        fn poll_flush(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_flush(cx)
        }

        fn poll_shutdown(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
        }
    }
}
