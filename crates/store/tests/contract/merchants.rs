//! Merchants' ports: API keys, settings (the first webhook secret is kept), events with their
//! deliveries queued in the same transaction, claims with leases, backoff bookkeeping.

use okpay_app::ports::{ApiKeyRecord, AttemptOutcome, AttemptRecord, DeliveryCounts, EventRecord, MerchantSettings};
use okpay_store::testing::TestBackend;

use crate::app::user;
use crate::common::{Books, TestResult, contract};

contract!(
    api_keys_authenticate_until_revoked,
    settings_keep_the_first_webhook_secret,
    events_queue_deliveries_and_page_newest_first,
    deliveries_are_leased_retried_and_logged,
    concurrent_delivery_claims_are_disjoint
);

fn key(id: &str, merchant: &str, hash: &str, at: i64) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_owned(),
        merchant_id: merchant.to_owned(),
        secret_hash: hash.to_owned(),
        last4: "wxyz".to_owned(),
        created_at_us: at,
        revoked_at_us: None,
    }
}

fn settings(merchant: &str, url: Option<&str>, secret: Option<&str>) -> MerchantSettings {
    MerchantSettings {
        merchant_id: merchant.to_owned(),
        accepted_payment_methods: vec!["wallet".to_owned(), "card".to_owned()],
        webhook_url: url.map(str::to_owned),
        webhook_secret: secret.map(str::to_owned),
        updated_at_us: 10,
    }
}

fn event(id: &str, merchant: &str, at: i64) -> EventRecord {
    EventRecord {
        id: id.to_owned(),
        merchant_id: merchant.to_owned(),
        kind: "payment.succeeded".to_owned(),
        payload: format!(r#"{{"id":"{id}","object":"event","data":{{"object":{{"amount":1050}}}}}}"#),
        created_at_us: at,
    }
}

fn attempt(n: i64, at: i64, status: Option<i64>) -> AttemptRecord {
    AttemptRecord {
        attempt: n,
        at_us: at,
        http_status: status,
        error: status.is_none().then(|| "refused".into()),
        duration_ms: 3,
    }
}

async fn api_keys_authenticate_until_revoked(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_shop", "shop@example.com")).await?;
    s.insert_user(&user("usr_other", "other@example.com")).await?;
    s.insert_api_key(&key("key_old", "usr_shop", "hash_old", 100)).await?;
    s.insert_api_key(&key("key_new", "usr_shop", "hash_new", 200)).await?;
    let ids: Vec<_> = s.api_keys("usr_shop").await?.into_iter().map(|k| k.id).collect();
    assert_eq!(ids, ["key_new", "key_old"], "newest first");
    assert!(s.api_keys("usr_other").await?.is_empty());
    let found = s.api_key_user("hash_new").await?.ok_or("key found")?;
    assert_eq!(
        (found.key_id.as_str(), found.user.id.as_str(), found.user.email.as_str()),
        ("key_new", "usr_shop", "shop@example.com")
    );
    assert!(s.api_key_user("hash_unknown").await?.is_none());
    assert!(!s.revoke_api_key("usr_other", "key_new", 300).await?, "only the owner revokes");
    assert!(s.revoke_api_key("usr_shop", "key_new", 300).await?);
    assert!(!s.revoke_api_key("usr_shop", "key_new", 400).await?, "already revoked");
    assert!(s.api_key_user("hash_new").await?.is_none(), "a revoked key authenticates nobody");
    assert!(s.api_key_user("hash_old").await?.is_some());
    let listed = s.api_keys("usr_shop").await?;
    assert_eq!(listed[0].revoked_at_us, Some(300));
    assert!(s.insert_api_key(&key("key_dup", "usr_other", "hash_old", 500)).await.is_err(), "secret hashes are unique");
    Ok(())
}

async fn settings_keep_the_first_webhook_secret(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_shop", "shop@example.com")).await?;
    assert!(s.merchant_settings("usr_shop").await?.is_none());
    let first = s.save_merchant_settings(&settings("usr_shop", Some("https://a.example/h"), Some("whsec_1"))).await?;
    assert_eq!(first.webhook_secret.as_deref(), Some("whsec_1"));
    // A racing first save with another secret keeps the stored one; the URL is replaced.
    let mut second = settings("usr_shop", Some("https://b.example/h"), Some("whsec_2"));
    second.accepted_payment_methods = vec!["card".to_owned()];
    let saved = s.save_merchant_settings(&second).await?;
    assert_eq!(saved.webhook_secret.as_deref(), Some("whsec_1"));
    assert_eq!(
        (saved.webhook_url.as_deref(), saved.accepted_payment_methods.clone()),
        (Some("https://b.example/h"), vec!["card".to_owned()])
    );
    let cleared = s.save_merchant_settings(&settings("usr_shop", None, None)).await?;
    assert_eq!((cleared.webhook_url, cleared.webhook_secret.as_deref()), (None, Some("whsec_1")));
    assert_eq!(s.merchant_settings("usr_shop").await?.ok_or("saved")?.webhook_secret.as_deref(), Some("whsec_1"));
    Ok(())
}

async fn events_queue_deliveries_and_page_newest_first(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_shop", "shop@example.com")).await?;
    s.insert_user(&user("usr_other", "other@example.com")).await?;
    assert!(!s.insert_event(&event("evt_1", "usr_shop", 100), "whd_1").await?, "no URL: recorded, not queued");
    assert!(s.deliveries("evt_1").await?.is_empty());
    s.save_merchant_settings(&settings("usr_shop", Some("https://a.example/h"), Some("whsec_1"))).await?;
    assert!(s.insert_event(&event("evt_2", "usr_shop", 100), "whd_2").await?);
    assert!(s.insert_event(&event("evt_3", "usr_shop", 50), "whd_3").await?, "order is by insertion, not clock");
    assert!(!s.insert_event(&event("evt_x", "usr_other", 100), "whd_x").await?);
    let d = s.deliveries("evt_2").await?;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].status.as_str(), d[0].attempts, d[0].url.as_str(), d[0].next_attempt_at_us),
        ("pending", 0, "https://a.example/h", 100)
    );
    assert!(s.insert_event(&event("evt_2", "usr_shop", 100), "whd_9").await.is_err(), "event ids are unique");
    assert_eq!(
        s.delivery_counts().await?,
        DeliveryCounts { pending: 2, failed: 0 },
        "the refused insert queued nothing"
    );

    let ids = |v: Vec<EventRecord>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(s.events("usr_shop", None, 10).await?.ok_or("page")?), ["evt_3", "evt_2", "evt_1"]);
    assert_eq!(ids(s.events("usr_shop", None, 2).await?.ok_or("page")?), ["evt_3", "evt_2"]);
    assert_eq!(ids(s.events("usr_shop", Some("evt_2"), 10).await?.ok_or("page")?), ["evt_1"]);
    assert!(s.events("usr_shop", Some("evt_x"), 10).await?.is_none(), "another merchant's cursor");
    assert!(s.event("usr_other", "evt_2").await?.is_none());
    let stored = s.event("usr_shop", "evt_2").await?.ok_or("event")?;
    assert_eq!(stored, event("evt_2", "usr_shop", 100), "payload stored byte-for-byte");

    assert!(s.queue_delivery("usr_shop", "evt_1", "whd_r1", 700).await?, "re-send goes to the current URL");
    assert!(!s.queue_delivery("usr_other", "evt_x", "whd_r2", 700).await?, "no URL, nothing queued");
    assert_eq!(s.deliveries("evt_1").await?[0].next_attempt_at_us, 700);
    Ok(())
}

async fn deliveries_are_leased_retried_and_logged(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_user(&user("usr_shop", "shop@example.com")).await?;
    s.save_merchant_settings(&settings("usr_shop", Some("https://a.example/h"), Some("whsec_1"))).await?;
    s.insert_event(&event("evt_a", "usr_shop", 100), "whd_a").await?;
    s.insert_event(&event("evt_b", "usr_shop", 200), "whd_b").await?;
    assert!(s.claim_deliveries(50, 1_000, 10).await?.is_empty(), "nothing due yet");
    let claimed = s.claim_deliveries(150, 1_000, 10).await?;
    assert_eq!(claimed.len(), 1);
    let a = &claimed[0];
    assert_eq!((a.id.as_str(), a.event_id.as_str(), a.attempts, a.created_at_us), ("whd_a", "evt_a", 1, 100));
    assert_eq!((a.payload.clone(), a.secret.as_deref()), (event("evt_a", "usr_shop", 100).payload, Some("whsec_1")));
    // Leased: not claimable again before the lease ends, though b is due.
    let ids = |v: Vec<okpay_app::ports::ClaimedDelivery>| v.into_iter().map(|d| (d.id, d.attempts)).collect::<Vec<_>>();
    assert_eq!(ids(s.claim_deliveries(300, 1_000, 10).await?), [("whd_b".to_owned(), 1)]);
    // a failed (500): retry at 5_000. b's worker died: after its lease b is claimed again.
    s.record_attempt("whd_a", &attempt(1, 150, Some(500)), AttemptOutcome::RetryAt(5_000)).await?;
    assert_eq!(ids(s.claim_deliveries(1_000, 3_000, 10).await?), [("whd_b".to_owned(), 2)]);
    // The dead worker's late result for attempt 1 must not push back the live lease of attempt 2.
    s.record_attempt("whd_b", &attempt(1, 300, None), AttemptOutcome::RetryAt(9_000)).await?;
    assert_eq!(s.deliveries("evt_b").await?[0].next_attempt_at_us, 3_000);
    s.record_attempt("whd_b", &attempt(2, 1_000, Some(200)), AttemptOutcome::Succeeded).await?;
    assert_eq!(ids(s.claim_deliveries(5_000, 6_000, 10).await?), [("whd_a".to_owned(), 2)]);
    s.record_attempt("whd_a", &attempt(2, 5_000, None), AttemptOutcome::Failed).await?;
    assert_eq!(s.delivery_counts().await?, DeliveryCounts { pending: 0, failed: 1 });
    assert!(s.claim_deliveries(i64::MAX / 2, i64::MAX / 2, 10).await?.is_empty(), "done rows stay put");
    // A late success cannot resurrect a failed delivery, and the same attempt is logged once.
    s.record_attempt("whd_a", &attempt(2, 5_000, Some(200)), AttemptOutcome::Succeeded).await?;
    let a = &s.deliveries("evt_a").await?[0];
    assert_eq!((a.status.as_str(), a.attempts, a.done_at_us), ("failed", 2, Some(8_000)));
    let log: Vec<_> = a.log.iter().map(|x| (x.attempt, x.http_status, x.error.clone())).collect();
    assert_eq!(log, [(1, Some(500), None), (2, None, Some("refused".to_owned()))]);
    let b = &s.deliveries("evt_b").await?[0];
    assert_eq!((b.status.as_str(), b.log.len(), b.done_at_us), ("succeeded", 2, Some(4_000)));
    // Errors are cut to 500 characters.
    s.insert_event(&event("evt_c", "usr_shop", 10), "whd_c").await?;
    let mut long = attempt(1, 10, None);
    long.error = Some("é".repeat(2_000));
    s.claim_deliveries(10, 20, 10).await?;
    s.record_attempt("whd_c", &long, AttemptOutcome::RetryAt(30)).await?;
    assert_eq!(s.deliveries("evt_c").await?[0].log[0].error.as_ref().map(|e| e.chars().count()), Some(500));
    Ok(())
}

async fn concurrent_delivery_claims_are_disjoint(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = books.stores.app.clone();
    s.insert_user(&user("usr_shop", "shop@example.com")).await?;
    s.save_merchant_settings(&settings("usr_shop", Some("https://a.example/h"), Some("whsec_1"))).await?;
    for i in 0..40 {
        s.insert_event(&event(&format!("evt_{i:02}"), "usr_shop", 10), &format!("whd_{i:02}")).await?;
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.claim_deliveries(100, 10_000, 7).await }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await??.into_iter().map(|d| d.id));
    }
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no delivery claimed twice");
    assert_eq!(total, 28, "each claim took its full batch");
    Ok(())
}
