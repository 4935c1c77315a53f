//! A merchant's webhook endpoint for tests: a real HTTP server on 127.0.0.1:0 that records
//! every request and answers a scripted status (e.g. 500 first, then 200).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request the endpoint received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The `OKPay-Signature` header.
    pub signature: String,
    /// The raw body.
    pub body: Vec<u8>,
    /// The `Content-Type` header.
    pub content_type: String,
}

#[derive(Default)]
struct Script {
    /// Statuses to answer, in order; 200 once they run out.
    statuses: Vec<u16>,
    hits: Vec<Hit>,
}

/// The running endpoint.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    /// Starts an endpoint answering `statuses` in order, then 200.
    pub async fn start(statuses: &[u16]) -> Receiver {
        let script = Arc::new(Mutex::new(Script { statuses: statuses.to_vec(), hits: vec![] }));
        let app = axum::Router::new().route("/hooks/okpay", axum::routing::post(hook)).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url: format!("http://{addr}/hooks/okpay"), script }
    }

    /// Everything received so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.script.lock().expect("lock").hits.clone()
    }

    /// Waits until at least `n` requests arrived (panics after 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            assert!(tokio::time::Instant::now() < deadline, "only {} of {n} webhook requests arrived", hits.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn hook(State(script): State<Arc<Mutex<Script>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut s = script.lock().expect("lock");
    s.hits.push(Hit {
        signature: header("okpay-signature"),
        body: body.to_vec(),
        content_type: header("content-type"),
    });
    let status = if s.statuses.is_empty() { 200 } else { s.statuses.remove(0) };
    StatusCode::from_u16(status).expect("status")
}

/// Verifies `OKPay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` the way a
/// merchant would, independently of OKPay's code; returns `t`.
pub fn verify_signature(secret: &str, header: &str, body: &[u8]) -> Option<i64> {
    let mut parts = header.split(',');
    let t: i64 = parts.next()?.strip_prefix("t=")?.parse().ok()?;
    let v1 = hex::decode(parts.next()?.strip_prefix("v1=")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).ok().map(|()| t)
}
