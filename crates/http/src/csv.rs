//! CSV rendering of history rows for `GET /v1/transactions/export.csv` (RFC 4180: comma
//! separated, CRLF line ends, fields quoted when they hold a comma, quote or line break).
//!
//! Text a user or their counterparty typed (descriptions, names) is defused against
//! spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
//! return gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.

use okpay_domain::Currency;
use okpay_domain::time::rfc3339;
use okpay_ledger::StatementLine;

/// The header row.
pub const HEADER: &str =
    "id,created_at,type,status,amount,fee,currency,counterparty,description,source,failure_code,flags\r\n";

/// Appends one row for `line` with its `flags` to `out`.
pub fn push_row(out: &mut String, line: &StatementLine, flags: &[String]) {
    let details: serde_json::Value =
        line.details.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
    let failure = details.get("failure_code").and_then(|v| v.as_str()).unwrap_or("");
    let fields = [
        line.id.as_str(),
        &rfc3339(line.created_at_us),
        &line.kind,
        &line.status,
        &decimal(line.currency, line.amount_minor),
        &decimal(line.currency, line.fee_minor),
        line.currency.code(),
        &defuse(line.counterparty.as_deref().unwrap_or("")),
        &defuse(line.description.as_deref().unwrap_or("")),
        &line.source_id,
        failure,
        &flags.join(" "),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, f);
    }
    out.push_str("\r\n");
}

/// `minor` in major units with the currency's decimals (`1050` usd → `10.50`, jpy as is).
pub fn decimal(currency: Currency, minor: i64) -> String {
    let exp = currency.exponent();
    if exp == 0 {
        return minor.to_string();
    }
    let scale = 10_u64.pow(exp);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exp as usize)
}

fn defuse(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn push_field(out: &mut String, f: &str) {
    if f.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(description: &str) -> StatementLine {
        StatementLine {
            id: "txn_1".into(),
            owner: "usr_1".into(),
            kind: "transfer_out".into(),
            amount_minor: 1050,
            fee_minor: 0,
            currency: Currency::Usd,
            status: "succeeded".into(),
            source_id: "tr_1".into(),
            counterparty: Some("bob@example.com".into()),
            description: Some(description.into()),
            details: Some(r#"{"failure_code":"card_declined"}"#.into()),
            created_at_us: 1_000_000,
            notify: false,
        }
    }

    #[test]
    fn renders_quotes_and_defuses() {
        let mut out = String::new();
        push_row(&mut out, &line("rent, \"May\"\nthanks"), &["unusual_activity".into()]);
        assert_eq!(
            out,
            "txn_1,1970-01-01T00:00:01Z,transfer_out,succeeded,10.50,0.00,usd,bob@example.com,\
             \"rent, \"\"May\"\"\nthanks\",tr_1,card_declined,unusual_activity\r\n"
        );
        let mut out = String::new();
        push_row(&mut out, &line("=HYPERLINK(\"http://x\")"), &[]);
        assert!(out.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{out}");
        assert_eq!(HEADER.matches(',').count(), 11);
        assert_eq!(out.matches(',').count(), 11, "one per field boundary: {out}");
    }

    #[test]
    fn amounts_use_the_currency_decimals() {
        assert_eq!(decimal(Currency::Usd, 5), "0.05");
        assert_eq!(decimal(Currency::Cny, 123_456), "1234.56");
        assert_eq!(decimal(Currency::Jpy, 300_000), "300000");
        assert_eq!(decimal(Currency::Eur, -250), "-2.50");
    }
}
