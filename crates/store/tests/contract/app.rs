//! The app's ports: users, sessions, payment methods, history, idempotency keys.

use okpay_app::ports::{
    AppStore, FlagRecord, HistoryFilter, KeyedResponse, PaymentMethodRecord, SessionRecord, StoredResponse, UserRecord,
};
use okpay_ledger::StatementLine;
use okpay_store::testing::TestBackend;

use crate::common::{Books, R, TestResult, contract, line};

contract!(
    users,
    sessions,
    payment_methods,
    history_pages_newest_first,
    idempotency_keeps_the_first_response,
    idempotency_batch_stores_all_in_one_call,
    after_money_rows_share_one_commit
);

pub(crate) fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.to_owned(),
        email: email.to_owned(),
        name: "Alice Liddell".to_owned(),
        account_type: "personal".to_owned(),
        status: "active".to_owned(),
        email_verified: true,
        locale: "zh".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        roles: "user agent".to_owned(),
        kyc_level: 2,
        created_at_us: 1_700_000_000_000_000,
    }
}

async fn users(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    let alice = user("usr_alice", "alice@example.com");
    assert!(app.insert_user(&alice).await?);
    assert!(!app.insert_user(&user("usr_other", "alice@example.com")).await?, "email taken");
    assert_eq!(app.user_by_email("alice@example.com").await?, Some(alice.clone()));
    assert_eq!(app.user_by_id("usr_alice").await?, Some(alice.clone()));
    assert_eq!(app.user_by_id("usr_other").await?, None, "the refused insert wrote nothing");
    assert_eq!(app.user_by_email("bob@example.com").await?, None);
    let bob = user("usr_bob", "bob@example.com");
    assert!(app.insert_user(&bob).await?);
    let mut both = app.users_by_ids(&["usr_bob", "usr_nobody", "usr_alice"]).await?;
    both.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(both, vec![alice, bob], "both users read whole, the unknown id left out");
    assert!(app.users_by_ids(&[]).await?.is_empty());
    assert_eq!((app.backend(), books.stores.backend), (books.stores.backend, app.backend()));
    app.ping().await?;
    Ok(())
}

async fn sessions(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    app.insert_user(&user("usr_alice", "alice@example.com")).await?;
    let s = SessionRecord {
        id: "ses_1".to_owned(),
        user_id: "usr_alice".to_owned(),
        token_hash: "ab".repeat(32),
        user_agent: "curl/8".to_owned(),
        ip: "127.0.0.1".to_owned(),
        created_at_us: 100,
        last_seen_us: 100,
        expires_at_us: 1_000,
        revoked: false,
    };
    app.insert_session(&s).await?;
    assert_eq!(app.session_by_token_hash(&s.token_hash).await?, Some(s.clone()));
    app.touch_session("ses_1", 200).await?;
    app.touch_session("ses_1", 150).await?;
    let seen = app.session_by_token_hash(&s.token_hash).await?.ok_or("session")?.last_seen_us;
    assert_eq!(seen, 200, "last_seen never moves backwards");
    let joined = app.session_user(&s.token_hash).await?.ok_or("session with user")?;
    assert_eq!((joined.session_id.as_str(), joined.expires_at_us, joined.last_seen_us), ("ses_1", 1_000, 200));
    assert_eq!(Some(joined.user), app.user_by_id("usr_alice").await?);
    let revoked = SessionRecord { id: "ses_2".to_owned(), token_hash: "cd".repeat(32), revoked: true, ..s.clone() };
    app.insert_session(&revoked).await?;
    assert_eq!(app.session_by_token_hash(&revoked.token_hash).await?, None, "revoked sessions do not authenticate");
    assert_eq!(app.session_user(&revoked.token_hash).await?, None, "nor do they join their user");
    assert!(
        app.insert_session(&SessionRecord { id: "ses_3".to_owned(), ..s.clone() }).await.is_err(),
        "token hash is unique"
    );

    // Many reads at once (on PostgreSQL they share statements): each gets its own answer.
    app.insert_user(&user("usr_bob", "bob@example.com")).await?;
    let (alices, unknown) = (s.token_hash.clone(), "00".repeat(32));
    let bobs =
        SessionRecord { id: "ses_4".to_owned(), user_id: "usr_bob".to_owned(), token_hash: "ef".repeat(32), ..s };
    app.insert_session(&bobs).await?;
    let asked = [&bobs.token_hash, &unknown, &revoked.token_hash, &alices];
    let reads = (0..64).map(|i| app.session_user(asked[i % asked.len()]));
    let answers = futures::future::try_join_all(reads).await?;
    for (i, answer) in answers.iter().enumerate() {
        let who = answer.as_ref().map(|a| (a.session_id.as_str(), a.user.id.as_str()));
        let expected = [Some(("ses_4", "usr_bob")), None, None, Some(("ses_1", "usr_alice"))][i % asked.len()];
        assert_eq!(who, expected, "read {i}");
    }
    Ok(())
}

async fn payment_methods(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    app.insert_user(&user("usr_alice", "alice@example.com")).await?;
    app.insert_user(&user("usr_bob", "bob@example.com")).await?;
    let card = PaymentMethodRecord {
        id: "pm_card".to_owned(),
        user_id: "usr_alice".to_owned(),
        kind: "card".to_owned(),
        brand: Some("visa".to_owned()),
        last4: "4242".to_owned(),
        exp_month: Some(12),
        exp_year: Some(2030),
        holder_name: "Alice".to_owned(),
        bank_name: None,
        country: None,
        rail_token: "tok_1".to_owned(),
        created_at_us: 10,
    };
    let bank = PaymentMethodRecord {
        id: "pm_bank".to_owned(),
        kind: "bank_account".to_owned(),
        brand: None,
        last4: "6789".to_owned(),
        exp_month: None,
        exp_year: None,
        bank_name: Some("ICBC".to_owned()),
        country: Some("CN".to_owned()),
        rail_token: "tok_2".to_owned(),
        created_at_us: 20,
        ..card.clone()
    };
    app.insert_payment_method(&card).await?;
    app.insert_payment_method(&bank).await?;
    assert_eq!(app.payment_methods("usr_alice").await?, vec![bank.clone(), card.clone()], "newest first");
    assert_eq!(app.payment_method("usr_alice", "pm_card").await?, Some(card));
    assert_eq!(app.payment_method("usr_bob", "pm_card").await?, None, "another user's method is invisible");
    assert!(app.payment_methods("usr_bob").await?.is_empty());
    Ok(())
}

/// Pages through `owner`'s history `limit` rows at a time.
async fn all_pages(books: &Books, owner: &str, f: &HistoryFilter, limit: u32) -> R<Vec<String>> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = books.stores.app.lines(owner, f, after.as_deref(), limit).await?;
        assert!(page.len() <= limit as usize);
        ids.extend(page.iter().map(|l| l.id.clone()));
        match page.last() {
            Some(last) if page.len() == limit as usize => after = Some(last.id.clone()),
            _ => return Ok(ids),
        }
    }
}

async fn history_pages_newest_first(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    // 30 rows over 10 timestamps (three share each one), kinds and statuses alternating.
    let mut rows: Vec<StatementLine> = Vec::new();
    for i in 0..30_i64 {
        let kind = if i % 2 == 0 { "deposit" } else { "transfer_out" };
        let status = if i % 3 == 0 { "failed" } else { "succeeded" };
        rows.push(line(&format!("txn_{:02}", (i * 7) % 30), "alice", kind, status, 1_000 + (i / 3) * 10));
    }
    for r in &rows {
        app.insert_line(r).await?;
        app.insert_line(r).await?; // a replayed insert is ignored
    }
    app.insert_line(&line("txn_bob", "bob", "deposit", "succeeded", 1_050)).await?;
    let expect = |keep: &dyn Fn(&StatementLine) -> bool| {
        let mut v: Vec<_> = rows.iter().filter(|r| keep(r)).collect();
        v.sort_by(|a, b| (b.created_at_us, &b.id).cmp(&(a.created_at_us, &a.id)));
        v.into_iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    };

    let all = HistoryFilter::default();
    assert_eq!(all_pages(&books, "alice", &all, 7).await?, expect(&|_| true));
    assert_eq!(all_pages(&books, "alice", &all, 100).await?, expect(&|_| true));
    let f = HistoryFilter { from_us: Some(1_020), to_us: Some(1_070), kind: Some("deposit".into()), status: None };
    let want = expect(&|r| r.kind == "deposit" && (1_020..1_070).contains(&r.created_at_us));
    assert_eq!(all_pages(&books, "alice", &f, 2).await?, want);
    let f = HistoryFilter { status: Some("failed".into()), ..Default::default() };
    assert_eq!(all_pages(&books, "alice", &f, 3).await?, expect(&|r| r.status == "failed"));
    let f = HistoryFilter { to_us: Some(1_030), ..Default::default() };
    assert_eq!(all_pages(&books, "alice", &f, 4).await?, expect(&|r| r.created_at_us < 1_030));

    // Cursors: continue strictly after the row, also when it falls outside the filter.
    let everything = expect(&|_| true);
    let page = app.lines("alice", &all, Some(&everything[4]), 3).await?;
    assert_eq!(page.iter().map(|l| l.id.clone()).collect::<Vec<_>>(), everything[5..8].to_vec());
    let failed = HistoryFilter { status: Some("failed".into()), ..Default::default() };
    let want: Vec<_> = everything[5..]
        .iter()
        .filter(|id| rows.iter().any(|r| &&r.id == id && r.status == "failed"))
        .take(3)
        .cloned()
        .collect();
    let page = app.lines("alice", &failed, Some(&everything[4]), 3).await?;
    assert_eq!(page.iter().map(|l| l.id.clone()).collect::<Vec<_>>(), want);
    assert!(app.lines("alice", &all, Some("txn_bob"), 10).await?.is_empty(), "not alice's row");
    assert!(app.lines("alice", &all, Some("txn_nope"), 10).await?.is_empty());
    assert_eq!(app.lines("bob", &all, None, 10).await?.len(), 1);

    let row = app.line("alice", "txn_00").await?.ok_or("txn_00")?;
    assert_eq!(row.line, rows[0]);
    assert_eq!(row.status_history, vec![("failed".to_owned(), 1_000)]);
    assert_eq!(app.line_by_source("alice", "src_txn_07").await?.map(|l| l.id), Some("txn_07".to_owned()));
    assert_eq!(app.line_by_source("bob", "src_txn_07").await?, None);
    Ok(())
}

async fn idempotency_keeps_the_first_response(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    let first = StoredResponse {
        request_hash: "h1".to_owned(),
        status: 201,
        body: br#"{"id":"tr_1"}"#.to_vec(),
        request_id: "req_1".to_owned(),
        created_at_us: 100,
    };
    let second =
        StoredResponse { status: 500, body: b"\x00\xff".to_vec(), request_id: "req_2".into(), ..first.clone() };
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, None);
    store_one(app.as_ref(), "usr_a", "k1", &first).await?;
    store_one(app.as_ref(), "usr_a", "k1", &second).await?;
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, Some(first.clone()));
    assert_eq!(app.idempotent_response("usr_b", "k1").await?, None, "keys are per owner");
    store_one(app.as_ref(), "usr_b", "k1", &StoredResponse { created_at_us: 300, ..second.clone() }).await?;
    assert_eq!(app.purge_idempotency_keys(200).await?, 1);
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, None);
    assert_eq!(app.idempotent_response("usr_b", "k1").await?.map(|r| r.body), Some(second.body));
    Ok(())
}

/// Stores one idempotent response (a batch of one, no flags).
async fn store_one(app: &dyn AppStore, owner: &str, key: &str, response: &StoredResponse) -> R<()> {
    let row = KeyedResponse { owner: owner.into(), key: key.into(), response: response.clone() };
    Ok(app.store_after_money(&[row], &[]).await?)
}

async fn idempotency_batch_stores_all_in_one_call(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    let response = |n: u8| StoredResponse {
        request_hash: format!("h{n}"),
        status: 201,
        body: vec![n, 0, 255],
        request_id: format!("req_{n}"),
        created_at_us: i64::from(n),
    };
    let row =
        |owner: &str, key: &str, n: u8| KeyedResponse { owner: owner.into(), key: key.into(), response: response(n) };
    store_one(app.as_ref(), "usr_a", "k0", &response(0)).await?;
    // One key already stored, two new ones, and the same key twice in one batch.
    app.store_after_money(
        &[
            row("usr_a", "k0", 9),
            row("usr_a", "k1", 1),
            row("usr_b", "k1", 2),
            row("usr_a", "k2", 3),
            row("usr_a", "k2", 4),
        ],
        &[],
    )
    .await?;
    assert_eq!(app.idempotent_response("usr_a", "k0").await?, Some(response(0)), "the first response wins");
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, Some(response(1)));
    assert_eq!(app.idempotent_response("usr_b", "k1").await?, Some(response(2)));
    assert_eq!(app.idempotent_response("usr_a", "k2").await?, Some(response(3)), "first in the batch wins");
    Ok(())
}

async fn after_money_rows_share_one_commit(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let app = &books.stores.app;
    app.insert_line(&line("txn_after", "usr_a", "transfer_out", "succeeded", 10)).await?;
    let response = |n: u8| StoredResponse {
        request_hash: format!("h{n}"),
        status: 201,
        body: vec![n],
        request_id: format!("req_{n}"),
        created_at_us: i64::from(n),
    };
    let row = |key: &str, n: u8| KeyedResponse { owner: "usr_a".into(), key: key.into(), response: response(n) };
    let flag = |rule: &str| FlagRecord {
        txn_id: "txn_after".into(),
        flag: "unusual_activity".into(),
        rule: rule.into(),
        owner: "usr_a".into(),
        txn_created_us: 10,
        created_at_us: 11,
    };
    app.store_after_money(&[], &[]).await?;
    app.store_after_money(&[row("k1", 1), row("k2", 2)], &[flag("new_recipient_burst")]).await?;
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, Some(response(1)));
    assert_eq!(app.idempotent_response("usr_a", "k2").await?, Some(response(2)));
    let flags = app.flags_between("usr_a", 0, 100).await?;
    assert_eq!(flags, vec![("txn_after".to_owned(), "unusual_activity".to_owned())]);
    // Again, with a new key: the stored response and the raised flag are kept, the new key stored.
    app.store_after_money(&[row("k1", 9), row("k3", 3)], &[flag("large_amount")]).await?;
    assert_eq!(app.idempotent_response("usr_a", "k1").await?, Some(response(1)), "the first response wins");
    assert_eq!(app.idempotent_response("usr_a", "k3").await?, Some(response(3)));
    assert_eq!(app.flags_between("usr_a", 0, 100).await?, flags, "one flag per row and kind");
    // A flag on a row that does not exist fails the commit, and nothing of it is stored.
    let mut orphan = flag("large_amount");
    orphan.txn_id = "txn_missing".into();
    assert!(app.store_after_money(&[row("k4", 4)], &[orphan]).await.is_err());
    assert_eq!(app.idempotent_response("usr_a", "k4").await?, None, "all or none");
    Ok(())
}
