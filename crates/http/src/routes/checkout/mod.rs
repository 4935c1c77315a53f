//! `GET /checkout/{id}`: the page where a payer pays a merchant's payment (its `checkout_url`).
//!
//! Server-rendered and self-contained (no external assets): the merchant's name, the amount,
//! the description and the status, in English or Chinese by `Accept-Language`, and a small
//! vanilla-JS form ([`SCRIPT`]) that signs in through `POST /v1/sessions`, lists the payer's
//! cards, confirms with the wallet or a card, shows the outcome and follows `return_url`. The
//! session token lives only in the page's memory. Not part of `/v1`, so not in the OpenAPI
//! document.

pub mod page;
mod texts;

/// The page's script, inlined under a per-response CSP nonce.
const SCRIPT: &str = include_str!("checkout.js");
