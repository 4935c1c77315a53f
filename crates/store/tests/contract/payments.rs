//! Payments and refunds: inserts are idempotent, pages follow the cursor, one payer wins a
//! claim, completion queues its mail once, and refund reservations never exceed the payment,
//! even when many race; a failed refund gives its reservation back.

use okpay_app::ports::{
    EventRecord, NewEvent, OutboxMail, PaymentCompletion, PaymentRecord, RefundOutcome, RefundRecord, RefundReservation,
};
use okpay_domain::Currency;
use okpay_store::testing::TestBackend;

use crate::common::{Books, TestResult, contract};

contract!(
    payments_insert_page_claim_and_complete_once,
    refund_reservations_stay_within_the_payment,
    concurrent_claims_and_refunds_have_one_outcome,
);

fn payment(id: &str, merchant: &str, at: i64) -> PaymentRecord {
    PaymentRecord {
        id: id.to_owned(),
        merchant_id: merchant.to_owned(),
        amount_minor: 1_000,
        currency: Currency::Eur,
        fee_minor: 29,
        description: Some("Tea".to_owned()),
        return_url: Some("https://shop.example/done".to_owned()),
        status: "requires_payment".to_owned(),
        payer_id: None,
        method: None,
        payment_method: None,
        charge_ref: None,
        failure_code: None,
        decline_code: None,
        refunded_minor: 0,
        created_at_us: at,
        updated_at_us: at,
        paid_at_us: None,
    }
}

fn refund(id: &str, payment: &str, merchant: &str, amount: i64) -> RefundRecord {
    RefundRecord {
        id: id.to_owned(),
        payment_id: payment.to_owned(),
        merchant_id: merchant.to_owned(),
        amount_minor: amount,
        currency: Currency::Eur,
        status: "pending".to_owned(),
        failure_code: None,
        rail_reference: None,
        created_at_us: 50,
        updated_at_us: 50,
    }
}

fn mail(id: &str) -> OutboxMail {
    OutboxMail {
        id: id.to_owned(),
        to: "payer@example.com".to_owned(),
        kind: "payment_succeeded".to_owned(),
        subject: "paid".to_owned(),
        text: "t".to_owned(),
        html: "h".to_owned(),
        attempts: 0,
        created_at_us: 20,
    }
}

fn completion<'a>(payer: &'a str, m: Option<&'a OutboxMail>) -> PaymentCompletion<'a> {
    PaymentCompletion {
        payer_id: payer,
        method: "wallet",
        payment_method: None,
        charge_ref: None,
        at_us: 40,
        mail: m,
        event: None,
    }
}

/// A stored, succeeded payment `id` of merchant `usr_m`.
async fn paid(books: &Books, id: &str) -> TestResult {
    let s = &books.stores.app;
    s.insert_payment(&payment(id, "usr_m", 10)).await?;
    assert!(s.complete_payment(id, &completion("usr_p", None)).await?);
    Ok(())
}

async fn payments_insert_page_claim_and_complete_once(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    let a = payment("pay_a", "usr_m", 10);
    assert_eq!(s.insert_payment(&a).await?, a);
    // A replay with other values keeps the first row.
    let again = s.insert_payment(&PaymentRecord { amount_minor: 500, ..payment("pay_a", "usr_m", 99) }).await?;
    assert_eq!(again, a);
    s.insert_payment(&payment("pay_b", "usr_m", 20)).await?;
    s.insert_payment(&payment("pay_c", "usr_m", 20)).await?;
    s.insert_payment(&payment("pay_other", "usr_x", 30)).await?;
    assert_eq!(s.payment("pay_missing").await?, None);

    let ids = |v: Option<Vec<PaymentRecord>>| v.map(|v| v.into_iter().map(|p| p.id).collect::<Vec<_>>());
    assert_eq!(ids(s.payments("usr_m", None, 2).await?), Some(vec!["pay_c".into(), "pay_b".into()]));
    assert_eq!(ids(s.payments("usr_m", Some("pay_b"), 10).await?), Some(vec!["pay_a".into()]));
    assert_eq!(ids(s.payments("usr_m", Some("pay_c"), 10).await?), Some(vec!["pay_b".into(), "pay_a".into()]));
    assert_eq!(ids(s.payments("usr_m", Some("pay_other"), 10).await?), None, "not this merchant's cursor");

    // One claim wins; a card failure needs the claimer.
    assert!(s.claim_payment("pay_b", "usr_p", "pm_1", 30).await?);
    assert!(!s.claim_payment("pay_b", "usr_q", "pm_2", 31).await?);
    assert!(!s.fail_payment("pay_b", "usr_q", "card_declined", None, 32, None).await?, "not the claimer");
    assert!(s.fail_payment("pay_b", "usr_p", "card_declined", Some("generic_decline"), 32, None).await?);
    let b_row = s.payment("pay_b").await?.ok_or("pay_b")?;
    assert_eq!(
        (b_row.status.as_str(), b_row.failure_code.as_deref(), b_row.decline_code.as_deref(), b_row.method.as_deref()),
        ("failed", Some("card_declined"), Some("generic_decline"), Some("card"))
    );
    assert!(!s.complete_payment("pay_b", &completion("usr_p", None)).await?, "failed is terminal");

    // Completion records how it was paid and queues the receipt and stores the event, once.
    s.insert_user(&crate::app::user("usr_m", "merchant@example.com")).await?;
    let m = mail("mail_receipt");
    let event = NewEvent {
        record: EventRecord {
            id: "evt_pay_c".into(),
            merchant_id: "usr_m".into(),
            kind: "payment.succeeded".into(),
            payload: "{}".into(),
            created_at_us: 40,
        },
        delivery_id: "whd_pay_c".into(),
    };
    let card = PaymentCompletion {
        method: "card",
        payment_method: Some("pm_1"),
        charge_ref: Some("sim_ch_pay_c"),
        event: Some(&event),
        ..completion("usr_p", Some(&m))
    };
    assert!(s.claim_payment("pay_c", "usr_p", "pm_1", 33).await?);
    assert!(s.complete_payment("pay_c", &card).await?);
    let c_row = s.payment("pay_c").await?.ok_or("pay_c")?;
    assert_eq!(
        (c_row.status.as_str(), c_row.payer_id.as_deref(), c_row.charge_ref.as_deref(), c_row.paid_at_us),
        ("succeeded", Some("usr_p"), Some("sim_ch_pay_c"), Some(40))
    );
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert!(!s.complete_payment("pay_c", &card).await?, "completes once");
    assert_eq!(s.mail_counts().await?.pending, 1, "no second receipt");
    let events = s.events("usr_m", None, 10).await?.ok_or("events")?;
    assert_eq!(events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["evt_pay_c"], "stored once, with it");
    Ok(())
}

async fn refund_reservations_stay_within_the_payment(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = &books.stores.app;
    s.insert_payment(&payment("pay_unpaid", "usr_m", 5)).await?;
    assert_eq!(s.reserve_refund(&refund("re_0", "pay_unpaid", "usr_m", 100)).await?, RefundReservation::NotRefundable);
    assert_eq!(s.refund("re_0").await?, None, "a refused reservation writes nothing");
    paid(&books, "pay_p").await?;
    let other = s.reserve_refund(&refund("re_x", "pay_p", "usr_other", 100)).await?;
    assert_eq!(other, RefundReservation::NotRefundable, "another merchant's payment");

    let r1 = refund("re_1", "pay_p", "usr_m", 600);
    assert_eq!(s.reserve_refund(&r1).await?, RefundReservation::Reserved(r1.clone()));
    assert_eq!(s.reserve_refund(&refund("re_1", "pay_p", "usr_m", 1)).await?, RefundReservation::Existing(r1.clone()));
    assert_eq!(s.reserve_refund(&refund("re_2", "pay_p", "usr_m", 401)).await?, RefundReservation::Exceeds);
    assert_eq!(s.payment("pay_p").await?.ok_or("pay_p")?.refunded_minor, 600);

    // A failure gives the reservation back (once); a success keeps it.
    let failed = RefundOutcome {
        status: "failed",
        failure_code: Some("insufficient_funds"),
        rail_reference: None,
        at_us: 60,
        mail: None,
        event: None,
    };
    assert!(s.finish_refund("re_1", &failed).await?);
    assert!(!s.finish_refund("re_1", &failed).await?, "ends once");
    assert_eq!(s.payment("pay_p").await?.ok_or("pay_p")?.refunded_minor, 0);
    let stored = s.refund("re_1").await?.ok_or("re_1")?;
    assert_eq!((stored.status.as_str(), stored.failure_code.as_deref()), ("failed", Some("insufficient_funds")));

    let r3 = refund("re_3", "pay_p", "usr_m", 1_000);
    assert!(matches!(s.reserve_refund(&r3).await?, RefundReservation::Reserved(_)));
    let m = mail("mail_refund");
    let ok = RefundOutcome {
        status: "succeeded",
        failure_code: None,
        rail_reference: Some("sim_re_re_3"),
        mail: Some(&m),
        ..failed
    };
    assert!(s.finish_refund("re_3", &ok).await?);
    assert_eq!(s.payment("pay_p").await?.ok_or("pay_p")?.refunded_minor, 1_000);
    assert_eq!(s.refund("re_3").await?.ok_or("re_3")?.rail_reference.as_deref(), Some("sim_re_re_3"));
    assert_eq!(s.mail_counts().await?.pending, 1);
    assert_eq!(s.reserve_refund(&refund("re_4", "pay_p", "usr_m", 1)).await?, RefundReservation::Exceeds);
    let all = s.refunds_of("pay_p").await?;
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["re_1", "re_3"]);
    Ok(())
}

async fn concurrent_claims_and_refunds_have_one_outcome(b: TestBackend) -> TestResult {
    let Some(books) = Books::new(b).await? else { return Ok(()) };
    let s = books.stores.app.clone();
    s.insert_payment(&payment("pay_race", "usr_m", 10)).await?;
    let mut claims = Vec::new();
    for i in 0..6 {
        let s = s.clone();
        claims.push(tokio::spawn(async move { s.claim_payment("pay_race", &format!("usr_{i}"), "pm", 20).await }));
    }
    let mut winners = 0;
    for c in claims {
        winners += usize::from(c.await??);
    }
    assert_eq!(winners, 1, "exactly one payer holds the claim");

    paid(&books, "pay_r").await?;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let s = s.clone();
        tasks.push(tokio::spawn(
            async move { s.reserve_refund(&refund(&format!("re_{i}"), "pay_r", "usr_m", 300)).await },
        ));
    }
    let mut reserved = 0;
    for t in tasks {
        match t.await?? {
            RefundReservation::Reserved(_) => reserved += 1,
            RefundReservation::Exceeds => {}
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
    assert_eq!(reserved, 3, "3 × 300 fit in 1000, a fourth does not");
    assert_eq!(s.payment("pay_r").await?.ok_or("pay_r")?.refunded_minor, 900);
    Ok(())
}
