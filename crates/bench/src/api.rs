//! The few OKPay API calls the HTTP benchmarks make, over one keep-alive connection pool.

use std::time::Duration;

use okpay_mail::testing::Inbox;

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A password that passes OKPay's policy.
const PASSWORD: &str = "Velvet-Comet-Harbor-42";
/// A test card the built-in simulator always approves.
const APPROVED_CARD: &str = "4242424242424242";

/// A client for one server.
#[derive(Clone)]
pub struct Api {
    base: String,
    client: reqwest::Client,
    /// What the server's SMTP relay kept: the verification mail.
    inbox: Option<Inbox>,
}

/// How long a verification mail may take to arrive.
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    /// Bearer token.
    pub token: String,
    /// Email, which transfers are addressed to.
    pub email: String,
}

/// A business user with an API key, accepting wallet payments.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// Its `usr_` id.
    pub id: String,
    /// Its API key secret, `sk_...`.
    pub key: String,
}

/// The answer to one request: status, and the body only when it is not the expected one.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Body text of an unexpected answer (for the report), else empty.
    pub unexpected_body: String,
}

impl Answer {
    /// Reads `res` whole (the connection is reused only once its body is consumed), keeping
    /// the body only when the status is not `want`.
    async fn read(res: reqwest::Response, want: StatusCode) -> anyhow::Result<Answer> {
        let status = res.status();
        let text = res.text().await?;
        let unexpected_body = if status == want { String::new() } else { text };
        Ok(Answer { status, unexpected_body })
    }
}

impl Api {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: String, pool: usize) -> anyhow::Result<Api> {
        // reqwest's TLS comes without a crypto provider in this workspace (see Cargo.toml):
        // install ring's, or building the client panics. `Err` means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No timeout: a slow answer is a latency to measure, not an error.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(pool)
            .tcp_nodelay(true)
            .build()
            .context("building the HTTP client")?;
        Ok(Api { base, client, inbox: None })
    }

    /// Reads verification mail from what the server's SMTP relay kept.
    pub fn with_inbox(mut self, inbox: Inbox) -> Api {
        self.inbox = Some(inbox);
        self
    }

    /// Whether `GET /healthz` answers 2xx.
    pub async fn healthy(&self) -> bool {
        let res = self.client.get(format!("{}/healthz", self.base)).send().await;
        res.is_ok_and(|r| r.status().is_success())
    }

    /// `GET /metrics` as text.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let res = self.client.get(format!("{}/metrics", self.base)).send().await?.error_for_status()?;
        Ok(res.text().await?)
    }

    /// Registers a new personal user with email `name@bench.example`, verifies the address with
    /// the token of the mailed link (only verified users may move money) and signs in.
    pub async fn user(&self, name: &str) -> anyhow::Result<User> {
        self.registered(name, "personal").await
    }

    /// Registers a business user like [`Api::user`], creates its API key and makes it accept
    /// wallet payments only.
    pub async fn merchant(&self, name: &str) -> anyhow::Result<Merchant> {
        let user = self.registered(name, "business").await?;
        let key = self.post_expecting("/v1/api-keys", Some(&user.token), None, &json!({}), StatusCode::CREATED).await?;
        let key = key["secret"].as_str().context("API key answer has no secret")?.to_owned();
        let settings = json!({"accepted_payment_methods": ["wallet"]});
        let res = self
            .client
            .patch(format!("{}/v1/merchant", self.base))
            .bearer_auth(&user.token)
            .json(&settings)
            .send()
            .await
            .context("PATCH /v1/merchant")?;
        let status = res.status();
        let text = res.text().await?;
        if status != StatusCode::OK {
            bail!("PATCH /v1/merchant answered {status}: {text}");
        }
        let id = self.me_id(&user).await?;
        Ok(Merchant { id, key })
    }

    async fn registered(&self, name: &str, account_type: &str) -> anyhow::Result<User> {
        let email = format!("{name}@bench.example");
        let body = json!({"email": email, "password": PASSWORD, "name": "Bench User", "account_type": account_type});
        self.post_expecting("/v1/users", None, None, &body, StatusCode::ACCEPTED).await?;
        let token = self.mailed_verification_token(&email).await?;
        self.post_expecting("/v1/users/verify-email", None, None, &json!({"token": token}), StatusCode::OK).await?;
        self.signed_in(name).await
    }

    /// Signs in the user [`Api::user`] registered as `name` (in this run or an earlier one on
    /// the same database).
    pub async fn signed_in(&self, name: &str) -> anyhow::Result<User> {
        let email = format!("{name}@bench.example");
        let session = json!({"email": email, "password": PASSWORD});
        let signed_in = self.post_expecting("/v1/sessions", None, None, &session, StatusCode::CREATED).await?;
        let token = signed_in["token"].as_str().context("sign-in answer has no token")?.to_owned();
        Ok(User { token, email })
    }

    /// Links the approved test card and deposits `amount_minor` USD from it.
    pub async fn fund(&self, user: &User, amount_minor: i64) -> anyhow::Result<()> {
        let card = json!({"type": "card", "card": {"number": APPROVED_CARD, "exp_month": 12, "exp_year": 2035,
            "cvc": "123", "holder_name": "Bench User"}});
        let pm =
            self.post_expecting("/v1/payment-methods", Some(&user.token), None, &card, StatusCode::CREATED).await?;
        let pm = pm["id"].as_str().context("payment method answer has no id")?;
        let deposit = json!({"amount": amount_minor, "currency": "usd", "payment_method": pm});
        let key = format!("fund-{}", user.email);
        self.post_expecting("/v1/deposits", Some(&user.token), Some(&key), &deposit, StatusCode::CREATED).await?;
        Ok(())
    }

    /// `POST /v1/transfers` of `amount_minor` USD to `to`.
    pub async fn transfer(&self, from: &User, to: &str, amount_minor: i64, key: &str) -> anyhow::Result<Answer> {
        let body = json!({"to": to, "amount": amount_minor, "currency": "usd"});
        let res = self.post("/v1/transfers", Some(&from.token), Some(key), &body).send().await?;
        Answer::read(res, StatusCode::CREATED).await
    }

    /// `POST /v1/payments` of `amount_minor` USD with the merchant's API key `key` (no
    /// idempotency key, as a shop's checkout would send it); the answer and, on 201, the `pay_` id.
    pub async fn create_payment(&self, key: &str, amount_minor: i64) -> anyhow::Result<(Answer, Option<String>)> {
        let body = json!({"amount": amount_minor, "currency": "usd", "description": "Bench order"});
        let res = self.post("/v1/payments", Some(key), None, &body).send().await?;
        let status = res.status();
        let text = res.text().await?;
        if status != StatusCode::CREATED {
            return Ok((Answer { status, unexpected_body: text }, None));
        }
        let payment: Value = serde_json::from_str(&text).context("POST /v1/payments answered invalid JSON")?;
        let id = payment["id"].as_str().context("POST /v1/payments answer has no id")?.to_owned();
        Ok((Answer { status, unexpected_body: String::new() }, Some(id)))
    }

    /// `POST /v1/payments/{id}/confirm` from `payer`'s wallet under idempotency key `key`.
    pub async fn confirm_payment(&self, payer: &User, id: &str, key: &str) -> anyhow::Result<Answer> {
        let path = format!("/v1/payments/{id}/confirm");
        let res = self.post(&path, Some(&payer.token), Some(key), &json!({"payment_method": "wallet"})).send().await?;
        Answer::read(res, StatusCode::OK).await
    }

    /// `PATCH /v1/me` renaming `user` to `name`: a profile write (expected 200).
    pub async fn rename(&self, user: &User, name: &str) -> anyhow::Result<Answer> {
        let res = self
            .client
            .patch(format!("{}/v1/me", self.base))
            .bearer_auth(&user.token)
            .json(&json!({"name": name}))
            .send()
            .await?;
        Answer::read(res, StatusCode::OK).await
    }

    /// The signed-in user's `usr_` id (`GET /v1/me`).
    pub async fn me_id(&self, user: &User) -> anyhow::Result<String> {
        let res = self.client.get(format!("{}/v1/me", self.base)).bearer_auth(&user.token).send().await?;
        let me: Value = res.error_for_status()?.json().await?;
        Ok(me["id"].as_str().context("GET /v1/me has no id")?.to_owned())
    }

    /// `GET /v1/transactions{query}`: how many rows the page holds.
    pub async fn history_page(&self, user: &User, query: &str) -> anyhow::Result<usize> {
        let res =
            self.client.get(format!("{}/v1/transactions{query}", self.base)).bearer_auth(&user.token).send().await?;
        let status = res.status();
        let text = res.text().await?;
        if status != StatusCode::OK {
            bail!("GET /v1/transactions{query} answered {status}: {text}");
        }
        let page: Value = serde_json::from_str(&text)?;
        Ok(page["data"].as_array().map_or(0, Vec::len))
    }

    /// `GET /v1/transactions/export.csv{query}`, read as it streams: its data rows.
    pub async fn export_rows(&self, user: &User, query: &str) -> anyhow::Result<u64> {
        let url = format!("{}/v1/transactions/export.csv{query}", self.base);
        let mut res = self.client.get(url).bearer_auth(&user.token).send().await?.error_for_status()?;
        let mut lines = 0_u64;
        while let Some(chunk) = res.chunk().await? {
            lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        Ok(lines.saturating_sub(1)) // the header
    }

    /// Waits for the verification mail to `email` and returns the token of its link.
    async fn mailed_verification_token(&self, email: &str) -> anyhow::Result<String> {
        const VERIFY_PATH: &str = "/verify-email";
        let inbox = self.inbox.as_ref().context("no SMTP relay to read verification mail from")?;
        let mail = inbox.wait_for(email, MAIL_TIMEOUT, |m| m.token(VERIFY_PATH).is_some()).await;
        mail.and_then(|m| m.token(VERIFY_PATH))
            .with_context(|| format!("no verification mail to {email} after {MAIL_TIMEOUT:?}"))
    }

    fn post(&self, path: &str, token: Option<&str>, key: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req
    }

    async fn post_expecting(
        &self,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: &Value,
        want: StatusCode,
    ) -> anyhow::Result<Value> {
        let res = self.post(path, token, key, body).send().await.with_context(|| format!("POST {path}"))?;
        let status = res.status();
        let text = res.text().await?;
        if status != want {
            bail!("POST {path} answered {status} (expected {want}): {text}");
        }
        serde_json::from_str(&text).with_context(|| format!("POST {path} answered invalid JSON"))
    }
}
