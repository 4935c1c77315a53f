//! A real headless Chromium driven over WebDriver, for tests of OKPay's web pages.
//!
//! [`Browser::start`] runs `/usr/bin/chromedriver` on a free port as a child process, opens one
//! headless Chromium session with a fresh profile directory, and hands out small helpers that
//! poll the page until a deadline ([`WAIT`]) instead of sleeping. Dropping the browser ends the
//! session (Chromium quits) and kills chromedriver, also when the test panicked.
//!
//! Chromium and chromedriver are Debian's `chromium` and `chromium-driver` (`scripts/test`
//! installs them). When they are missing the test fails: a browser test never passes silently.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Debian's chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a helper waits for the page before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often a helper looks again.
const POLL: Duration = Duration::from_millis(50);

/// Headless flags (docs/operations.md): no sandbox (root in a container), and no background
/// networking, which would otherwise flood the closed network with refused connections.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1000,900",
];

/// One message of the page's console (`level` is `SEVERE`, `WARNING`, `INFO`, ...).
#[derive(Debug, Clone)]
pub struct ConsoleEntry {
    pub level: String,
    pub message: String,
}

/// A running chromedriver with one Chromium session.
pub struct Browser {
    client: Client,
    session_id: String,
    driver: Child,
    driver_port: u16,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium with `lang` (e.g. `en-US`, `zh-CN`) as its UI and `Accept-Language`.
    pub async fn start(lang: &str) -> Browser {
        for path in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: browser tests need Debian's chromium and chromium-driver \
                 (scripts/test installs them; or `apt-get install chromium chromium-driver`)"
            );
        }
        let profile = tempfile::tempdir().expect("profile dir");
        // A port taken between choosing it and chromedriver binding it makes chromedriver
        // exit; a fresh port then almost surely works.
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut driver = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn chromedriver");
            if let Err(e) = wait_for_driver(&mut driver, port).await {
                let _ = driver.kill();
                let _ = driver.wait();
                last_error = e;
                continue;
            }
            let client = match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities(lang, profile.path()))
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    panic!("chromedriver could not start Chromium: {e}");
                }
            };
            let session_id = client.session_id().await.expect("session id").expect("a session");
            return Browser { client, session_id, driver, driver_port: port, _profile: profile };
        }
        panic!("chromedriver did not start: {last_error}");
    }

    /// The WebDriver client, for what the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The URL the browser is at.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("current url").to_string()
    }

    /// Polls `check` until it returns `Some`, failing the test with `what`, the URL and the
    /// page's text after [`WAIT`].
    pub async fn poll<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if Instant::now() >= deadline {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let text = self.body_text().await;
                panic!("waited {WAIT:?} for {what}; at {url}, the page says:\n{text}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The visible text of the element at `css` once it is shown and `accept` likes it.
    pub async fn wait_text(&self, css: &str, accept: impl Fn(&str) -> bool) -> String {
        self.poll(&format!("text of {css}"), || async {
            let el = self.client.find(Locator::Css(css)).await.ok()?;
            let text = el.text().await.ok()?;
            accept(&text).then_some(text)
        })
        .await
    }

    /// Waits until the element at `css` has exactly `expected` as its visible text.
    pub async fn wait_text_is(&self, css: &str, expected: &str) {
        let got = self.wait_text(css, |t| t == expected).await;
        assert_eq!(got, expected, "{css}");
    }

    /// Waits until the element at `css` is displayed.
    pub async fn wait_visible(&self, css: &str) {
        self.poll(&format!("{css} to be shown"), || async {
            let el = self.client.find(Locator::Css(css)).await.ok()?;
            el.is_displayed().await.ok()?.then_some(())
        })
        .await
    }

    /// Whether an element at `css` exists and is displayed right now.
    pub async fn is_visible(&self, css: &str) -> bool {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    /// Types `text` into the field at `css` (waiting for it to be shown).
    pub async fn fill(&self, css: &str, text: &str) {
        self.wait_visible(css).await;
        let el = self.client.find(Locator::Css(css)).await.expect("field");
        el.clear().await.expect("clear");
        el.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks the element at `css` once it is shown and enabled.
    pub async fn click(&self, css: &str) {
        let el = self
            .poll(&format!("{css} to be clickable"), || async {
                let el = self.client.find(Locator::Css(css)).await.ok()?;
                let ready = el.is_displayed().await.ok()? && el.is_enabled().await.ok()?;
                ready.then_some(el)
            })
            .await;
        el.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until the browser is at a URL `accept` likes; returns it.
    pub async fn wait_url(&self, what: &str, accept: impl Fn(&str) -> bool) -> String {
        self.poll(what, || async {
            let url = self.client.current_url().await.ok()?.to_string();
            accept(&url).then_some(url)
        })
        .await
    }

    /// Runs `script` in the page (a function body; `arguments` holds `args`); returns its value.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap_or_else(|e| panic!("run script: {e}"))
    }

    /// The visible text of the whole page.
    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no page: {e})"),
        }
    }

    /// The console messages logged since the last call (chromedriver's `se/log`, browser type).
    pub async fn console(&self) -> Vec<ConsoleEntry> {
        let v = self.client.issue_cmd(BrowserLog).await.expect("read the browser log");
        v.as_array()
            .expect("log entries")
            .iter()
            .map(|e| ConsoleEntry {
                level: e["level"].as_str().unwrap_or("").to_owned(),
                message: e["message"].as_str().unwrap_or("").to_owned(),
            })
            .collect()
    }

    /// Asserts that nothing since the last [`Browser::console`] call was a Content Security
    /// Policy violation (a blocked script, style or request) or an uncaught script error.
    pub async fn assert_no_csp_or_script_errors(&self) {
        let bad: Vec<_> = self
            .console()
            .await
            .into_iter()
            .filter(|e| e.message.contains("Content Security Policy") || e.message.contains("Uncaught"))
            .collect();
        assert!(bad.is_empty(), "the console reports: {bad:#?}");
    }
}

impl Drop for Browser {
    /// Ends the session synchronously (Chromium quits; an async close could not run during a
    /// panic), then kills chromedriver.
    fn drop(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.driver_port));
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session_id, self.driver_port
            );
            if s.write_all(request.as_bytes()).is_ok() {
                read_one_response(&mut s);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Reads one HTTP response (chromedriver keeps the connection open, so reading to the end
/// would wait for the timeout).
fn read_one_response(s: &mut TcpStream) {
    let mut got = Vec::new();
    let mut buf = [0_u8; 4096];
    loop {
        let Ok(n) = s.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        got.extend_from_slice(&buf[..n]);
        let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let chunked = head.contains("transfer-encoding: chunked");
        if (chunked && got.ends_with(b"0\r\n\r\n")) || (!chunked && got.len() >= end + 4 + length) {
            return;
        }
    }
}

/// The session's capabilities: our Chromium, its flags and language, and console logging.
fn capabilities(lang: &str, profile: &Path) -> serde_json::Map<String, Value> {
    let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--lang={lang}"));
    let primary = lang.split('-').next().unwrap_or(lang);
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": {"intl": {"accept_languages": format!("{lang},{primary}")}},
        },
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    match caps {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Waits until chromedriver on `port` answers `/status` as ready, or fails if it exited.
async fn wait_for_driver(driver: &mut Child, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + WAIT;
    let client = reqwest::Client::new();
    loop {
        if let Some(status) = driver.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("chromedriver exited: {status}"));
        }
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/status")).send().await
            && let Ok(v) = r.json::<Value>().await
            && v["value"]["ready"] == true
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("chromedriver on port {port} was not ready after {WAIT:?}"));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

/// chromedriver's `POST /session/{id}/se/log` for the `browser` log (the page's console); not
/// part of W3C WebDriver, so fantoccini has no method for it.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({"type": "browser"}).to_string()))
    }
}
