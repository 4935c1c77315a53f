//! Delivery: SMTP (`lettre` speaking it on [`crate::relay`]'s connections), or `.eml` files when no
//! SMTP server is configured.
//!
//! The `.eml` fallback means a fresh install still "sends" mail somewhere an operator (or a
//! test) can read it. Files are named after the outbox id and written through a temporary
//! name and a rename, so a crash never leaves half a message and a retry overwrites rather
//! than duplicates.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

use crate::Rendered;
use crate::relay::Relay;

/// How long one SMTP delivery (connecting included) may take before it counts as a failed
/// attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What went wrong (safe to log: no message bodies).
    pub message: String,
    /// Retrying cannot help (e.g. the address or the message is refused for good).
    pub permanent: bool,
}

impl SendError {
    fn temporary(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: false }
    }

    fn permanent(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: true }
    }
}

/// Who a message goes to, and under which id it was queued.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Outbox id (`Message-ID` local part and `.eml` file name).
    pub id: &'a str,
    /// Recipient address.
    pub to: &'a str,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP relay (`smtp://`, `smtps://`, `smtp://...?tls=required` for STARTTLS).
    Smtp {
        /// The relay and its open connections.
        relay: Arc<Relay>,
        /// The sender.
        from: Mailbox,
    },
    /// One `.eml` file per message in a directory.
    Files {
        /// The directory (`<data dir>/outbox`).
        dir: PathBuf,
        /// The sender.
        from: Mailbox,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp { relay, from } => write!(f, "Transport::Smtp({relay:?}, from {from})"),
            Transport::Files { dir, from } => write!(f, "Transport::Files({}, from {from})", dir.display()),
        }
    }
}

/// Why a transport could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `smtp_url` does not parse (lettre's URL syntax).
    #[error("smtp_url is not a valid SMTP URL (smtp://host:port, smtps://..., ?tls=required): {0}")]
    SmtpUrl(String),
    /// `mail_from` is not an address.
    #[error("mail_from is not a valid mailbox such as \"OKPay <no-reply@example.com>\": {0}")]
    From(String),
}

impl Transport {
    /// SMTP when `smtp_url` is set, otherwise `.eml` files under `outbox_dir`.
    pub fn from_config(smtp_url: Option<&str>, outbox_dir: &Path, from: &str) -> Result<Transport, ConfigError> {
        let from: Mailbox =
            from.parse().map_err(|e: lettre::address::AddressError| ConfigError::From(e.to_string()))?;
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let relay = Relay::from_url(url).map_err(|e| ConfigError::SmtpUrl(e.to_string()))?;
                Ok(Transport::Smtp { relay: Arc::new(relay), from })
            }
            None => Ok(Transport::Files { dir: outbox_dir.to_owned(), from }),
        }
    }

    /// Delivers one message.
    pub async fn send(&self, env: &Envelope<'_>, mail: &Rendered) -> Result<(), SendError> {
        match self {
            Transport::Smtp { relay, from } => {
                let message = build(from, env, mail)?;
                let bytes = message.formatted();
                match tokio::time::timeout(SMTP_TIMEOUT, relay.send(message.envelope(), &bytes)).await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) if e.is_permanent() => {
                        Err(SendError::permanent(format!("SMTP refused the message: {e}")))
                    }
                    Ok(Err(e)) => Err(SendError::temporary(format!("SMTP: {e}"))),
                    Err(_) => Err(SendError::temporary(format!("SMTP: no answer within {SMTP_TIMEOUT:?}"))),
                }
            }
            Transport::Files { dir, from } => {
                let message = build(from, env, mail)?;
                write_eml(dir, env.id, &message.formatted()).await
            }
        }
    }
}

/// The MIME message: `multipart/alternative` with the text and HTML parts.
fn build(from: &Mailbox, env: &Envelope<'_>, mail: &Rendered) -> Result<Message, SendError> {
    let to: Mailbox = env.to.parse().map_err(|e| SendError::permanent(format!("bad recipient address: {e}")))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", env.id)))
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
}

async fn write_eml(dir: &Path, id: &str, bytes: &[u8]) -> Result<(), SendError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(SendError::permanent(format!("outbox id {id:?} is not a safe file name")));
    }
    let io = |what: &str, e: std::io::Error| SendError::temporary(format!("{what} {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(|e| io("creating", e))?;
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    tokio::fs::write(&tmp, bytes).await.map_err(|e| io("writing into", e))?;
    tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await.map_err(|e| io("renaming in", e))
}
