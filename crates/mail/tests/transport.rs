//! Delivery through a real SMTP server (started here) and the `.eml` fallback.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use okpay_mail::testing::{ReceivedMail, SmtpSink};
use okpay_mail::{Envelope, Locale, Template, Transport};

const FROM: &str = "OKPay <no-reply@okpay.test>";

fn reset() -> Template {
    Template::PasswordReset { link: "http://pay.test/reset-password?token=abc123".into(), valid_minutes: 30 }
}

#[tokio::test]
async fn smtp_delivers_text_and_html_in_the_users_language() {
    let sink = SmtpSink::start().expect("sink");
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Transport::from_config(Some(&sink.url()), dir.path(), FROM).expect("transport");
    let env = Envelope { id: "mail_1", to: "li@example.com" };
    t.send(&env, &reset().render(Locale::Zh, "李安")).await.expect("sent");
    let m = sink.inbox.wait_for("li@example.com", Duration::from_secs(5), |_| true).await.expect("received");
    assert_eq!(m.subject, "重置您的 OKPay 密码");
    assert!(m.text.contains("李安，您好") && m.html.contains("李安，您好"));
    assert_eq!(m.token("/reset-password").as_deref(), Some("abc123"));
    assert_eq!(m.link("http://pay.test/").as_deref(), Some("http://pay.test/reset-password?token=abc123"));
    let raw = String::from_utf8_lossy(&m.raw);
    assert!(raw.contains("multipart/alternative") && raw.contains("Message-ID: <mail_1@okpay.test>"), "{raw}");
    assert!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0) == 0, "no .eml when SMTP is set");
}

#[tokio::test]
async fn smtp_sends_many_messages_down_one_connection() {
    let sink = SmtpSink::start().expect("sink");
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Transport::from_config(Some(&sink.url()), dir.path(), FROM).expect("transport");
    for i in 0..20 {
        let id = format!("mail_r{i}");
        t.send(&Envelope { id: &id, to: "ann@example.com" }, &reset().render(Locale::En, "Ann")).await.expect("sent");
    }
    // The server answers 250 only once it has the message: all are there now.
    assert_eq!(sink.inbox.received(), 20);
    assert_eq!(sink.inbox.to("ann@example.com").len(), 20);
    assert_eq!(sink.inbox.sessions(), 1, "one connection, reused");
}

#[tokio::test]
async fn without_smtp_each_mail_is_an_eml_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    let t = Transport::from_config(None, &outbox, FROM).expect("transport");
    let env = Envelope { id: "mail_2", to: "ann@example.com" };
    t.send(&env, &reset().render(Locale::En, "Ann")).await.expect("written");
    // A retry of the same row overwrites instead of duplicating.
    t.send(&env, &reset().render(Locale::En, "Ann")).await.expect("written again");
    let files: Vec<_> = std::fs::read_dir(&outbox).expect("outbox dir").filter_map(Result::ok).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name(), "mail_2.eml");
    let m = ReceivedMail::parse(Vec::new(), std::fs::read(files[0].path()).expect("read"));
    assert_eq!(m.to, ["ann@example.com"]);
    assert_eq!(m.subject, "Reset your OKPay password");
    assert!(
        m.text.contains("Hello Ann,") && m.html.contains("<a href=\"http://pay.test/reset-password?token=abc123\"")
    );
    let bad = Envelope { id: "../escape", to: "ann@example.com" };
    assert!(t.send(&bad, &reset().render(Locale::En, "Ann")).await.expect_err("unsafe id").permanent);
}

#[tokio::test]
async fn a_down_server_is_a_temporary_error_and_bad_config_is_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Transport::from_config(Some(&format!("smtp://127.0.0.1:{port}")), dir.path(), FROM).expect("transport");
    let env = Envelope { id: "mail_3", to: "ann@example.com" };
    let e = t.send(&env, &reset().render(Locale::En, "Ann")).await.expect_err("nobody listens");
    assert!(!e.permanent, "{e}");
    let bad_to = Envelope { id: "mail_4", to: "not an address" };
    assert!(t.send(&bad_to, &reset().render(Locale::En, "Ann")).await.expect_err("bad address").permanent);
    assert!(Transport::from_config(Some("http://x"), dir.path(), FROM).is_err());
    assert!(Transport::from_config(None, dir.path(), "nobody").is_err());
    assert!(Transport::from_config(Some("smtps://mail.example.com:465"), dir.path(), FROM).is_ok());
    assert!(Transport::from_config(Some("smtp://mail.example.com:587?tls=required"), dir.path(), FROM).is_ok());
}

/// A relay that closes each connection after one message, as a relay does after its idle
/// timeout: returns its address and the count of messages it accepted.
async fn one_message_per_connection_relay() -> (std::net::SocketAddr, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 relay.test ready\r\n").await.expect("greet");
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = match (in_data, line.as_str()) {
                    (true, ".") => b"250 accepted\r\n",
                    (true, _) => continue,
                    (false, "DATA") => b"354 go on\r\n",
                    (false, l) if l.starts_with("EHLO") => b"250 relay.test\r\n",
                    (false, _) => b"250 ok\r\n",
                };
                in_data = reply.starts_with(b"354");
                write.write_all(reply).await.expect("reply");
                if reply.starts_with(b"250 accepted") {
                    count.fetch_add(1, Ordering::SeqCst);
                    break; // and close the connection the client will keep
                }
            }
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn a_connection_the_relay_closed_is_replaced_without_failing_the_message() {
    let (addr, accepted) = one_message_per_connection_relay().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Transport::from_config(Some(&format!("smtp://{addr}")), dir.path(), FROM).expect("transport");
    for id in ["mail_c1", "mail_c2", "mail_c3"] {
        t.send(&Envelope { id, to: "ann@example.com" }, &reset().render(Locale::En, "Ann")).await.expect(id);
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}
