//! The hosted checkout page (`GET /checkout/{id}`) in a real headless Chromium, on both
//! backends: a payer opens the merchant's `checkout_url`, signs in, pays with the wallet or a
//! saved card, and lands on the merchant's `return_url`; in English and in Chinese (chosen by
//! the browser's language), with a short wallet refused on the page; and the 404 page. The
//! console is read for Content Security Policy violations and script errors, and the books are
//! verified with the real `okpay ledger verify` after money moved.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::browser::Browser;
use common::shop::{ReturnPage, accept, pay_request_to, payer, shop, system_balance};
use common::{PASSWORD, TestServer};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;

on_both_backends!(
    an_english_payer_pays_with_the_wallet_and_returns_to_the_shop,
    a_chinese_payer_short_of_funds_pays_with_a_saved_card,
    an_unknown_payment_shows_the_not_found_page,
);

/// A server charging merchants 2.90 %, on a port chosen up front so that the `checkout_url`
/// it hands out (built from `public_url`) is the page the browser really opens.
async fn server(backend: TestBackend) -> Option<TestServer> {
    let db = TestDb::new(backend).await.expect("test database")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    Some(
        TestServer::start_on(db, |c| {
            c.merchant_fee_bps = 290;
            c.listen = format!("127.0.0.1:{port}");
            c.public_url = format!("http://127.0.0.1:{port}");
        })
        .await,
    )
}

/// Signs in on the page as `email` and waits for the payment form.
async fn sign_in(b: &Browser, email: &str) {
    b.fill("#signin input[name=email]", email).await;
    b.fill("#signin input[name=password]", PASSWORD).await;
    b.click("#signin button").await;
    b.wait_visible("#pay").await;
    assert!(!b.is_visible("#signin").await, "the sign-in form is gone once signed in");
}

/// Stops the server and runs the real `okpay ledger verify` on its database.
async fn stop_and_verify_books(s: TestServer) {
    let db = s.stop().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_okpay"))
        .args(["ledger", "verify"])
        .env("OKPAY_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run okpay ledger verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "okpay ledger verify: {stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("ok   journals_balance"), "{stdout}");
}

async fn an_english_payer_pays_with_the_wallet_and_returns_to_the_shop(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "Tea House").await;
    accept(&s, &shop, &["wallet", "card"]).await;
    let (token, email, _) = payer(&s, 20_000, "usd").await;
    let back = ReturnPage::start(42).await;
    let p = pay_request_to(&s, &shop, 10_000, "usd", &back.url).await;
    let id = p["id"].as_str().unwrap();
    let checkout_url = p["checkout_url"].as_str().unwrap();
    assert_eq!(checkout_url, format!("{}/checkout/{id}", s.base));

    let b = Browser::start("en-US").await;
    b.goto(checkout_url).await;
    assert_eq!(b.client().title().await.unwrap(), "Pay with OKPay · OKPay");
    assert_eq!(b.run("return document.documentElement.lang", vec![]).await, "en");
    b.wait_text_is("#merchant", "Tea House").await;
    b.wait_text_is("#amount", "100.00 USD").await;
    b.wait_text_is("#status", "Waiting for payment").await;
    assert!(b.body_text().await.contains("Green tea, 2 boxes"));
    assert!(!b.is_visible("#pay").await, "no payment form before signing in");

    sign_in(&b, &email).await;
    // The wallet (with its balance) comes first and is chosen; the card used to fund it follows.
    let methods = b.wait_text("#methods", |t| t.contains("****4242")).await;
    assert_eq!(methods.lines().next(), Some("OKPay wallet balance: 200.00 USD"), "{methods}");
    let wallet_checked = b.run("return document.querySelector('input[value=wallet]').checked", vec![]).await;
    assert_eq!(wallet_checked, true);
    b.wait_text_is("#pay button", "Pay 100.00 USD").await;
    b.click("#pay button").await;

    b.wait_text_is("#message", "Payment complete. Thank you! Taking you back to the merchant…").await;
    b.wait_text_is("#status", "Paid").await;
    b.wait_url("the merchant's return_url", |u| u == back.url).await;
    b.wait_text_is("#thanks", "Thanks for your order").await;
    assert_eq!(back.visits(), 1);
    b.assert_no_csp_or_script_errors().await;
    drop(b);

    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(
        (got.body["status"].as_str(), got.body["payment_method_type"].as_str()),
        (Some("succeeded"), Some("wallet")),
        "{}",
        got.body
    );
    assert_eq!(s.available(&token, "usd").await, 10_000);
    assert_eq!(s.available(&shop.token, "usd").await, 9_710);
    assert_eq!(system_balance(&s, "system:fee_revenue", "usd").await, 290);
    stop_and_verify_books(s).await;
}

async fn a_chinese_payer_short_of_funds_pays_with_a_saved_card(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let shop = shop(&s, "龙井茶馆").await;
    accept(&s, &shop, &["wallet", "card"]).await;
    // 30.00 CNY in the wallet, topped up from a 4242 card that stays saved.
    let (token, email, _) = payer(&s, 3_000, "cny").await;
    let cards = s.get("/v1/payment-methods", Some(&token)).await;
    let card = cards.body["data"][0]["id"].as_str().expect("the saved card").to_owned();
    let back = ReturnPage::start(7).await;
    let p = pay_request_to(&s, &shop, 10_000, "cny", &back.url).await;
    let id = p["id"].as_str().unwrap();

    let b = Browser::start("zh-CN").await;
    b.goto(p["checkout_url"].as_str().unwrap()).await;
    assert_eq!(b.client().title().await.unwrap(), "使用 OKPay 付款 · OKPay");
    assert_eq!(b.run("return document.documentElement.lang", vec![]).await, "zh");
    b.wait_text_is("#merchant", "龙井茶馆").await;
    b.wait_text_is("#amount", "100.00 CNY").await;
    b.wait_text_is("#status", "待付款").await;
    assert!(b.body_text().await.contains("付款给"));
    b.wait_text_is("#signin button", "登录后付款").await;

    sign_in(&b, &email).await;
    b.wait_text("#methods", |t| t.contains("OKPay 钱包余额: 30.00 CNY") && t.contains("****4242")).await;
    b.click("input[name=payment_method][value=wallet]").await;
    b.click("#pay button").await;
    // The API's Chinese message, shown as an error; nothing is charged and the form stays.
    b.wait_text_is("#message", "您该币种的余额不足以支付本次金额（含手续费）。").await;
    assert_eq!(b.run("return document.getElementById('message').className", vec![]).await, "error");
    assert_eq!(b.wait_text("#status", |_| true).await, "待付款");
    assert!(b.is_visible("#pay").await, "still payable on the page");
    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(got.body["status"], "requires_payment", "{}", got.body);
    assert_eq!(s.available(&token, "cny").await, 3_000);

    b.click(&format!("input[name=payment_method][value=\"{card}\"]")).await;
    b.click("#pay button").await;
    b.wait_text_is("#message", "付款成功，谢谢！ 正在返回商户页面…").await;
    b.wait_text_is("#status", "已付款").await;
    b.wait_url("the merchant's return_url", |u| u == back.url).await;
    b.wait_text_is("#thanks", "Thanks for your order").await;
    assert_eq!(back.visits(), 1);
    b.assert_no_csp_or_script_errors().await;
    drop(b);

    let got = s.get(&format!("/v1/payments/{id}"), Some(&shop.key)).await;
    assert_eq!(
        (got.body["status"].as_str(), got.body["payment_method_type"].as_str()),
        (Some("succeeded"), Some("card")),
        "{}",
        got.body
    );
    assert_eq!(s.available(&token, "cny").await, 3_000, "the wallet was not charged");
    assert_eq!(s.available(&shop.token, "cny").await, 9_710);
    assert_eq!(system_balance(&s, "system:fee_revenue", "cny").await, 290);
    stop_and_verify_books(s).await;
}

async fn an_unknown_payment_shows_the_not_found_page(backend: TestBackend) {
    let Some(s) = server(backend).await else { return };
    let url = format!("{}/checkout/pay_nope", s.base);
    let b = Browser::start("en-US").await;
    b.goto(&url).await;
    b.wait_text_is("main h1:not(.brand)", "Payment not found").await;
    assert_eq!(b.client().title().await.unwrap(), "Payment not found · OKPay");
    let text = b.body_text().await;
    assert!(text.contains("This payment link doesn't exist."), "{text}");
    assert!(!b.is_visible("#signin").await && !b.is_visible("#pay").await, "nothing to pay");

    // The console shows the 404 of the page itself (so the log is really read) and no CSP
    // violation: the page's own script carries the response's nonce.
    let log = b.console().await;
    assert!(log.iter().any(|e| e.message.contains(&url) && e.message.contains("404")), "{log:#?}");
    let csp: Vec<_> = log.iter().filter(|e| e.message.contains("Content Security Policy")).collect();
    assert!(csp.is_empty(), "{csp:#?}");

    // The policy is in force: an inline script without the nonce is refused, and the console
    // says so.
    let ran = b
        .run(
            "var s = document.createElement('script'); s.textContent = 'window.injected = true'; \
             document.body.appendChild(s); return window.injected === true;",
            vec![],
        )
        .await;
    assert_eq!(ran, false, "CSP must block a script without the nonce");
    let log = b.poll("the CSP violation in the console", || async {
        let log = b.console().await;
        log.iter().any(|e| e.message.contains("Content Security Policy")).then_some(log)
    });
    let log = log.await;
    assert!(log.iter().any(|e| e.level == "SEVERE"), "{log:#?}");
    drop(b);
    s.stop().await;
}
