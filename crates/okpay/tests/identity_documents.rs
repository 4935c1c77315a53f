//! Identity documents (KYC, API.md §2): uploads checked by size and content with nothing left
//! behind on refusal, staff-only review that raises limits, mails the owner and is audited.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{MAIL_WAIT, Resp, TestServer, set_status};
use okpay_store::testing::{TestBackend, TestDb};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sqlx::Connection;

on_both_backends!(
    uploads_are_recognised_by_content_and_listed,
    bad_uploads_get_specific_codes_and_leave_nothing,
    oversized_uploads_leave_nothing,
    staff_review_raises_limits_mails_and_audits,
    only_staff_review_and_download,
    frozen_accounts_may_upload_closed_ones_may_not,
    a_failed_insert_removes_the_file,
    owners_are_mailed_in_their_language,
    closing_the_account_erases_its_documents,
);

/// A PNG signature followed by `len - 8` bytes of filler.
fn png(len: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.resize(len, 7);
    v
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn file_part(content: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(content).file_name(name.to_owned()).mime_str(mime).unwrap()
}

/// Posts a multipart form to the upload route.
async fn upload_form(s: &TestServer, token: &str, form: Form, key: Option<&str>) -> Resp {
    let mut req = s.client.post(format!("{}/v1/me/identity-documents", s.base)).bearer_auth(token).multipart(form);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status();
    let headers = res.headers().clone();
    let body = serde_json::from_slice(&res.bytes().await.expect("body")).unwrap_or(Value::Null);
    Resp { status, headers, body }
}

async fn upload(s: &TestServer, token: &str, kind: &str, content: Vec<u8>, name: &str, mime: &str) -> Resp {
    let form = Form::new().text("kind", kind.to_owned()).part("file", file_part(content, name, mime));
    upload_form(s, token, form, None).await
}

/// Runs one SQL statement returning a count on the server's database.
async fn count(db: &TestDb, sql: &'static str, arg: &str) -> i64 {
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar(sql).bind(arg).fetch_one(&mut c).await.expect("count")
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar(sql).bind(arg).fetch_one(&mut c).await.expect("count")
    }
}

async fn document_rows(db: &TestDb, user_id: &str) -> i64 {
    count(db, "SELECT COUNT(*) FROM identity_documents WHERE user_id = $1", user_id).await
}

/// Files in the server's document store (temporary ones included).
fn stored_files(s: &TestServer) -> usize {
    std::fs::read_dir(s.data.path().join("documents")).map(|d| d.count()).unwrap_or(0)
}

async fn review(s: &TestServer, token: &str, id: &str, decision: &str, body: &Value) -> Resp {
    s.post(&format!("/v1/agent/identity-documents/{id}/{decision}"), Some(token), None, body).await
}

async fn uploads_are_recognised_by_content_and_listed(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user_id) = s.user().await;
    let a = upload(&s, &token, "passport", png(2_000), "passport.png", "image/png").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert!(a.body["id"].as_str().unwrap().starts_with("idv_"));
    assert_eq!((a.body["status"].as_str(), a.body["kind"].as_str()), (Some("pending_review"), Some("passport")));
    assert_eq!((a.body["content_type"].as_str(), a.body["size"].as_i64()), (Some("image/png"), Some(2_000)));
    // The type comes from the content, not the name or the declared type.
    let b = upload(&s, &token, "proof_of_address", pdf(), "bill.jpg", "image/jpeg").await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.body);
    assert_eq!(b.body["content_type"], "application/pdf");
    // Bigger than a JSON body may be (64 KiB), with an Idempotency-Key too: still accepted.
    let form = Form::new().text("kind", "id_card").part("file", file_part(png(1 << 20), "id.png", "image/png"));
    let c = upload_form(&s, &token, form, Some("upload-1")).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let list = s.get("/v1/me/identity-documents?limit=2", Some(&token)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let ids: Vec<&str> = list.body["data"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [c.body["id"].as_str().unwrap(), b.body["id"].as_str().unwrap()]);
    assert_eq!(list.body["has_more"], true);
    let rest = s.get(&format!("/v1/me/identity-documents?starting_after={}", ids[1]), Some(&token)).await;
    assert_eq!(rest.body["data"][0]["id"], a.body["id"]);
    assert_eq!(rest.body["has_more"], false);
    // Another user sees none of them.
    let (other, _, _) = s.user().await;
    assert_eq!(s.get("/v1/me/identity-documents", Some(&other)).await.body["data"], json!([]));
    assert_eq!(document_rows(&s.db, &user_id).await, 3);
    assert_eq!(stored_files(&s), 3, "one file per document, no temporary files");
}

async fn bad_uploads_get_specific_codes_and_leave_nothing(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user_id) = s.user().await;
    let text = b"Just some text pretending to be a passport scan. ".repeat(4);
    let r = upload(&s, &token, "passport", text, "passport.png", "image/png").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type"), "{}", r.body);
    assert_eq!(r.body["error"]["param"], "file");
    let html = b"<html><script>alert(1)</script></html>".repeat(3);
    let r = upload(&s, &token, "passport", html, "scan.pdf", "application/pdf").await;
    assert_eq!(r.code(), "unsupported_file_type");
    let r = upload(&s, &token, "passport", Vec::new(), "empty.png", "image/png").await;
    assert_eq!(r.code(), "unsupported_file_type", "an empty file");
    let r = upload(&s, &token, "selfie", png(500), "me.png", "image/png").await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_document_kind"), "{}", r.body);
    assert_eq!(r.body["error"]["param"], "kind");
    let only_file = Form::new().part("file", file_part(png(500), "a.png", "image/png"));
    let r = upload_form(&s, &token, only_file, None).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_missing", Some("kind")), "{}", r.body);
    let r = upload_form(&s, &token, Form::new().text("kind", "passport"), None).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_missing", Some("file")), "{}", r.body);
    let extra =
        Form::new().text("kind", "passport").text("note", "hi").part("file", file_part(png(500), "a.png", "image/png"));
    let r = upload_form(&s, &token, extra, None).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_unknown", Some("note")), "{}", r.body);
    let twice = Form::new()
        .text("kind", "passport")
        .part("file", file_part(png(500), "a.png", "image/png"))
        .part("file", file_part(png(500), "b.png", "image/png"));
    let r = upload_form(&s, &token, twice, None).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_invalid", Some("file")), "{}", r.body);
    let r = s.post("/v1/me/identity-documents", Some(&token), None, &json!({"kind": "passport"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"), "{}", r.body);
    let broken = s
        .client
        .post(format!("{}/v1/me/identity-documents", s.base))
        .bearer_auth(&token)
        .header("Content-Type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npassport\r\n--XY")
        .send()
        .await
        .expect("sent");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let body: Value = broken.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_multipart");
    let anonymous = s.client.post(format!("{}/v1/me/identity-documents", s.base)).send().await.expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(document_rows(&s.db, &user_id).await, 0, "no row for any refused upload");
    assert_eq!(stored_files(&s), 0, "no file for any refused upload");
}

async fn oversized_uploads_leave_nothing(backend: TestBackend) {
    let Some(db) = TestDb::new(backend).await.expect("test database") else { return };
    let s = TestServer::start_on(db, |c| c.max_document_bytes = 100_000).await;
    let (token, _, user_id) = s.user().await;
    let ok = upload(&s, &token, "passport", png(100_000), "max.png", "image/png").await;
    assert_eq!(ok.status, StatusCode::CREATED, "exactly the limit is fine: {}", ok.body);
    // One byte over; past the whole body limit; and through the idempotency layer.
    for size in [100_001, 500_000] {
        let r = upload(&s, &token, "passport", png(size), "big.png", "image/png").await;
        assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"), "{size}: {}", r.body);
        assert_eq!(r.body["error"]["param"], "file");
    }
    let form = Form::new().text("kind", "passport").part("file", file_part(png(400_000), "big.png", "image/png"));
    let r = upload_form(&s, &token, form, Some("big-1")).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"), "{}", r.body);
    // A disguised oversized file is still too large first.
    let r = upload(&s, &token, "passport", vec![b'a'; 200_000], "big.png", "image/png").await;
    assert_eq!(r.code(), "file_too_large");
    // Far past any limit the server stops reading: the client sees the answer or a closed
    // connection (a fresh client: the server may close it), never anything else, and nothing is
    // written.
    let form = Form::new().text("kind", "passport").part("file", file_part(png(5_000_000), "huge.png", "image/png"));
    let url = format!("{}/v1/me/identity-documents", s.base);
    if let Ok(res) = reqwest::Client::new().post(url).bearer_auth(&token).multipart(form).send().await {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(body.is_null() || body["error"]["code"] == "file_too_large", "{body}");
    }
    assert_eq!(document_rows(&s.db, &user_id).await, 1, "only the accepted upload has a row");
    assert_eq!(stored_files(&s), 1, "only the accepted upload has a file");
}

async fn staff_review_raises_limits_mails_and_audits(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, user_id) = s.user().await;
    let (staff, _, staff_id) = s.staff("agent").await;
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["kyc_level"], 0);
    let usd = |me: &Resp| me.body["limits"].as_array().unwrap().iter().find(|l| l["currency"] == "usd").cloned();
    let before = usd(&me).expect("usd limits");
    assert_eq!((before["deposit"].as_i64(), before["period"].as_str()), (Some(200_000), Some("day")));
    assert_eq!(me.body["limits"].as_array().unwrap().len(), 4, "usd, eur, cny, jpy");

    let passport = upload(&s, &token, "passport", png(800), "p.png", "image/png").await;
    let id = passport.body["id"].as_str().unwrap().to_owned();
    let r = review(&s, &staff, &id, "approve", &json!({"reason": "Photo and name match the account"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["user"].as_str()), (Some("approved"), Some(user_id.as_str())));
    let me = s.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["kyc_level"], 1);
    let after = usd(&me).expect("usd limits");
    for k in ["deposit", "transfer", "withdrawal"] {
        assert_eq!(after[k].as_i64().unwrap(), before[k].as_i64().unwrap() * 10, "{k}");
    }
    let inbox = s.inbox.as_ref().unwrap();
    let approved = inbox.wait_for(&email, MAIL_WAIT, |m| m.subject.contains("approved")).await.expect("approval mail");
    assert!(approved.text.contains("passport") && approved.text.contains("10 times"), "{}", approved.text);

    // Reviewed once only, whichever way.
    for decision in ["approve", "reject"] {
        let again = review(&s, &staff, &id, decision, &json!({"reason": "again"})).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "document_already_reviewed"), "{}", again.body);
    }

    let bill = upload(&s, &token, "proof_of_address", pdf(), "bill.pdf", "application/pdf").await;
    let bill_id = bill.body["id"].as_str().unwrap().to_owned();
    let r = review(&s, &staff, &bill_id, "reject", &json!({})).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_missing", Some("reason")), "{}", r.body);
    let r = review(&s, &staff, &bill_id, "reject", &json!({"reason": "   "})).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_missing", Some("reason")), "{}", r.body);
    let r = review(&s, &staff, &bill_id, "reject", &json!({"reason": "x".repeat(1_001)})).await;
    assert_eq!((r.code(), r.body["error"]["param"].as_str()), ("parameter_invalid", Some("reason")), "{}", r.body);
    let reason = "The statement is older than three months";
    let r = review(&s, &staff, &bill_id, "reject", &json!({"reason": reason})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("rejected")), "{}", r.body);
    let rejected = inbox.wait_for(&email, MAIL_WAIT, |m| m.text.contains(reason)).await.expect("rejection mail");
    assert!(rejected.subject.contains("couldn't approve"), "{}", rejected.subject);
    assert_eq!(s.get("/v1/me", Some(&token)).await.body["kyc_level"], 1, "a rejection lowers nothing");
    let mine = s.get("/v1/me/identity-documents", Some(&token)).await;
    assert_eq!(mine.body["data"][0]["review_reason"], reason);
    assert!(mine.body["data"][0].get("user").is_none(), "owners are not shown staff fields");

    let missing = review(&s, &staff, "idv_doesnotexist", "approve", &json!({"reason": "x"})).await;
    assert_eq!((missing.status, missing.code()), (StatusCode::NOT_FOUND, "resource_missing"));

    // Who, what, when, why — in the audit trail, for each decision.
    let sql = "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND actor = $2 AND action = $3 AND reason = $4 \
               AND at_us > 0";
    for (action, why) in
        [("identity_document_approved", "Photo and name match the account"), ("identity_document_rejected", reason)]
    {
        let n = audit_count(&s.db, sql, &user_id, &staff_id, action, why).await;
        assert_eq!(n, 1, "{action}");
    }
}

async fn audit_count(db: &TestDb, sql: &'static str, subject: &str, actor: &str, action: &str, why: &str) -> i64 {
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("connect");
        let q = sqlx::query_scalar(sql).bind(subject).bind(actor).bind(action).bind(why);
        q.fetch_one(&mut c).await.expect("count")
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let q = sqlx::query_scalar(sql).bind(subject).bind(actor).bind(action).bind(why);
        q.fetch_one(&mut c).await.expect("count")
    }
}

async fn only_staff_review_and_download(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user_id) = s.user().await;
    let content = png(1_500);
    let doc = upload(&s, &token, "id_card", content.clone(), "id.png", "image/png").await;
    let id = doc.body["id"].as_str().unwrap().to_owned();
    // The owner (or any customer) may neither review nor download.
    for decision in ["approve", "reject"] {
        let r = review(&s, &token, &id, decision, &json!({"reason": "looks fine"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
    }
    let file_url = format!("/v1/agent/identity-documents/{id}/file");
    let r = s.get(&file_url, Some(&token)).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"));
    assert_eq!(s.get("/v1/me", Some(&token)).await.body["kyc_level"], 0);
    assert_eq!(count(&s.db, "SELECT COUNT(*) FROM identity_documents WHERE status = $1", "pending_review").await, 1);
    let refused = "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND outcome = 'failure' \
                   AND reason = 'permission_denied' AND action LIKE 'identity_document_%'";
    assert_eq!(count(&s.db, refused, &user_id).await, 2, "refused attempts are audited");
    // Staff may not review their own document either.
    let (staff, _, _) = s.staff("admin").await;
    let own = upload(&s, &staff, "passport", png(700), "mine.png", "image/png").await;
    let own_id = own.body["id"].as_str().unwrap();
    let r = review(&s, &staff, own_id, "approve", &json!({"reason": "it is me"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{}", r.body);
    // Staff download the exact bytes, as an attachment that browsers will not sniff; audited.
    let res = s.client.get(format!("{}{file_url}", s.base)).bearer_auth(&staff).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), content);
    // No static route serves the stored files, under any path.
    let key = std::fs::read_dir(s.data.path().join("documents")).unwrap().next().unwrap().unwrap().file_name();
    let key = key.to_str().unwrap().to_owned();
    for path in [format!("/{key}"), format!("/documents/{key}"), format!("/v1/documents/{key}")] {
        let r = s.get(&path, Some(&staff)).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "route_not_found"), "{path}");
    }
    let viewed = "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND action = 'identity_document_viewed'";
    assert_eq!(count(&s.db, viewed, &user_id).await, 1);
}

async fn frozen_accounts_may_upload_closed_ones_may_not(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, user_id) = s.user().await;
    set_status(&s.db, &email, "frozen").await;
    let r = upload(&s, &token, "passport", png(900), "p.png", "image/png").await;
    assert_eq!(r.status, StatusCode::CREATED, "uploading is how a freeze is lifted: {}", r.body);
    set_status(&s.db, &email, "closed").await;
    let r = upload(&s, &token, "passport", png(900), "p.png", "image/png").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_closed"), "{}", r.body);
    assert_eq!(document_rows(&s.db, &user_id).await, 1);
    assert_eq!(stored_files(&s), 1);
}

async fn a_failed_insert_removes_the_file(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, _) = s.user().await;
    let ok = upload(&s, &token, "passport", png(900), "p.png", "image/png").await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    // Fault injection: the row can no longer be written once the file is.
    let sql = "DROP TABLE identity_documents";
    if s.db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&s.db.url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("drop");
    } else {
        let mut c = sqlx::PgConnection::connect(&s.db.url).await.expect("connect");
        sqlx::query(sql).execute(&mut c).await.expect("drop");
    }
    let r = upload(&s, &token, "passport", png(900), "p.png", "image/png").await;
    assert_eq!((r.status, r.code()), (StatusCode::INTERNAL_SERVER_ERROR, "api_error"), "{}", r.body);
    assert_eq!(stored_files(&s), 1, "the second file was removed with its failed row");
}

async fn owners_are_mailed_in_their_language(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, email, _) = s.user().await;
    let (staff, _, _) = s.staff("agent").await;
    let body = json!({"locale": "zh"});
    let r = s.request(reqwest::Method::PATCH, "/v1/me", Some(&token), None, Some(&body), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc = upload(&s, &token, "id_card", png(600), "id.png", "image/png").await;
    let reason = "照片模糊，无法辨认";
    let r = review(&s, &staff, doc.body["id"].as_str().unwrap(), "reject", &json!({"reason": reason})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let inbox = s.inbox.as_ref().unwrap();
    let mail = inbox.wait_for(&email, MAIL_WAIT, |m| m.text.contains(reason)).await.expect("rejection mail");
    assert!(mail.subject.contains("未通过审核"), "{}", mail.subject);
    assert!(mail.text.contains("身份证"), "names the document kind in Chinese: {}", mail.text);
}

async fn closing_the_account_erases_its_documents(backend: TestBackend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (token, _, user_id) = s.user().await;
    let (other, _, _) = s.user().await;
    let (staff, _, _) = s.staff("agent").await;
    for kind in ["passport", "proof_of_address"] {
        let r = upload(&s, &token, kind, png(700), "doc.png", "image/png").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let kept = upload(&s, &other, "passport", png(700), "doc.png", "image/png").await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert_eq!(stored_files(&s), 3);
    let body = json!({"reason": "moving abroad", "accept_terms": true});
    let r = s.post("/v1/me/closure-requests", Some(&token), None, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    let r =
        s.post(&format!("/v1/agent/closure-requests/{id}/approve"), Some(&staff), None, &json!({"reason": "ok"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(document_rows(&s.db, &user_id).await, 0, "the closed account's documents are erased");
    assert_eq!(stored_files(&s), 1, "their files too; another user's stays");
    let r =
        s.get(&format!("/v1/agent/identity-documents/{}/file", kept.body["id"].as_str().unwrap()), Some(&staff)).await;
    assert_eq!(r.status, StatusCode::OK);
}
