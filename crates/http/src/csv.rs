//! CSV rendering of history rows for `GET /v1/transactions/export.csv` (RFC 4180: comma
//! separated, CRLF line ends, fields quoted when they hold a comma, quote or line break).
//!
//! Text a user or their counterparty typed (descriptions, names) is defused against
//! spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
//! return gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.

use okpay_domain::Currency;
use okpay_domain::time::push_rfc3339;
use okpay_ledger::StatementLine;

/// The header row.
pub const HEADER: &str =
    "id,created_at,type,status,amount,fee,currency,counterparty,description,source,failure_code,flags\r\n";

/// Appends one row for `line` with its `flags` to `out`.
///
/// An export writes hundreds of thousands of rows, so this writes straight into `out`: no
/// string per field, no general time or number formatting.
pub fn push_row(out: &mut String, line: &StatementLine, flags: &[String]) {
    push_field(out, &line.id);
    out.push(',');
    push_rfc3339(out, line.created_at_us); // digits, `-`, `:`, `T`, `Z`: never quoted
    out.push(',');
    push_field(out, &line.kind);
    out.push(',');
    push_field(out, &line.status);
    out.push(',');
    push_decimal(out, line.currency, line.amount_minor); // digits, `-`, `.`: never quoted
    out.push(',');
    push_decimal(out, line.currency, line.fee_minor);
    out.push(',');
    push_field(out, line.currency.code());
    out.push(',');
    push_defused(out, line.counterparty.as_deref().unwrap_or(""));
    out.push(',');
    push_defused(out, line.description.as_deref().unwrap_or(""));
    out.push(',');
    push_field(out, &line.source_id);
    out.push(',');
    push_field(out, &failure_code(line.details.as_deref()));
    out.push(',');
    match flags {
        [] => {}
        [one] => push_field(out, one),
        many => push_field(out, &many.join(" ")),
    }
    out.push_str("\r\n");
}

/// The top-level `failure_code` of a row's `details` JSON, or empty. Most rows have none, so
/// the JSON is parsed only when it can hold one: it names the key, or has an escape that might
/// spell it.
fn failure_code(details: Option<&str>) -> String {
    let Some(d) = details.filter(|d| d.contains("failure_code") || d.contains('\\')) else {
        return String::new();
    };
    let details: serde_json::Value = serde_json::from_str(d).unwrap_or_default();
    details.get("failure_code").and_then(|v| v.as_str()).unwrap_or("").to_owned()
}

/// `minor` in major units with the currency's decimals (`1050` usd → `10.50`, jpy as is).
pub fn decimal(currency: Currency, minor: i64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, currency, minor);
    out
}

/// Appends [`decimal`]`(currency, minor)` to `out`.
pub fn push_decimal(out: &mut String, currency: Currency, minor: i64) {
    let exp = currency.exponent();
    if minor < 0 {
        out.push('-');
    }
    let abs = minor.unsigned_abs();
    if exp == 0 {
        push_digits(out, abs, 1);
        return;
    }
    let scale = 10_u64.pow(exp);
    push_digits(out, abs / scale, 1);
    out.push('.');
    push_digits(out, abs % scale, exp as usize);
}

/// Appends `v` in decimal, zero-padded to at least `width` digits (at most 20).
fn push_digits(out: &mut String, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut start = buf.len();
    while v > 0 {
        start -= 1;
        // A digit: `v % 10` < 10, so the cast cannot truncate.
        buf[start] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    start = start.min(buf.len().saturating_sub(width.clamp(1, buf.len())));
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or("0"));
}

/// Appends text a person typed: with a leading apostrophe if a spreadsheet would read it as a
/// formula, then quoted as any field.
fn push_defused(out: &mut String, text: &str) {
    let formula = matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'));
    if !formula {
        return push_field(out, text);
    }
    // The apostrophe needs no quoting; whether the field does depends on `text` alone.
    if needs_quotes(text) {
        out.push_str("\"'");
        push_escaped(out, text);
        out.push('"');
    } else {
        out.push('\'');
        out.push_str(text);
    }
}

fn needs_quotes(f: &str) -> bool {
    f.contains([',', '"', '\n', '\r'])
}

fn push_field(out: &mut String, f: &str) {
    if needs_quotes(f) {
        out.push('"');
        push_escaped(out, f);
        out.push('"');
    } else {
        out.push_str(f);
    }
}

/// Appends `f` with each `"` doubled.
fn push_escaped(out: &mut String, f: &str) {
    let mut parts = f.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push_str("\"\"");
        out.push_str(part);
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

    /// The straightforward rendering the fast one replaced: one string per field.
    fn reference_row(line: &StatementLine, flags: &[String]) -> String {
        let details: serde_json::Value =
            line.details.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
        let failure = details.get("failure_code").and_then(|v| v.as_str()).unwrap_or("");
        let defuse = |t: &str| match t.chars().next() {
            Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{t}"),
            _ => t.to_owned(),
        };
        let decimal = |minor: i64| {
            let exp = line.currency.exponent();
            if exp == 0 {
                return minor.to_string();
            }
            let scale = 10_u64.pow(exp);
            let sign = if minor < 0 { "-" } else { "" };
            let abs = minor.unsigned_abs();
            format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exp as usize)
        };
        let fields = [
            line.id.clone(),
            okpay_domain::time::rfc3339(line.created_at_us),
            line.kind.clone(),
            line.status.clone(),
            decimal(line.amount_minor),
            decimal(line.fee_minor),
            line.currency.code().to_owned(),
            defuse(line.counterparty.as_deref().unwrap_or("")),
            defuse(line.description.as_deref().unwrap_or("")),
            line.source_id.clone(),
            failure.to_owned(),
            flags.join(" "),
        ];
        let quoted: Vec<String> =
            fields
                .iter()
                .map(|f| {
                    if f.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect();
        format!("{}\r\n", quoted.join(","))
    }

    #[test]
    fn fast_rendering_matches_the_reference_on_edge_cases() {
        let texts = [
            None,
            Some(""),
            Some("plain"),
            Some("=1+2"),
            Some("-5"),
            Some("+"),
            Some("@x"),
            Some("\tx"),
            Some("\rx"),
            Some("a,b"),
            Some("a\"b"),
            Some("\""),
            Some("\"\""),
            Some("=\"q\",x"),
            Some("-a\nb"),
            Some("line\nbreak"),
            Some("中文,描述"),
            Some("'already"),
        ];
        let details = [
            None,
            Some("{}"),
            Some(r#"{"failure_code":"card_declined","decline_code":"generic_decline"}"#),
            Some(r#"{"failure_code":"a,\"b"}"#),
            Some(r#"{"failure\u005fcode":"escaped_key"}"#),
            Some(r#"{"nested":{"failure_code":"no"}}"#),
            Some(r#"{"failure_code":42}"#),
            Some("{not json failure_code"),
            Some(r#"["failure_code"]"#),
        ];
        let amounts = [0, 1, 5, 99, 100, 1050, -250, -1, i64::MAX, i64::MIN];
        let times = [0, -1, 1_000_000, 1_767_225_599_999_999, 253_402_300_800_000_000, i64::MIN];
        let flag_sets: [&[&str]; 4] = [&[], &["unusual_activity"], &["unusual_activity", "card_testing"], &["a,b"]];
        let mut rows = 0;
        for (i, text) in texts.iter().enumerate() {
            for (j, d) in details.iter().enumerate() {
                let currency = [Currency::Usd, Currency::Jpy, Currency::Eur, Currency::Cny][(i + j) % 4];
                let flags: Vec<String> = flag_sets[(i * 3 + j) % 4].iter().map(|f| (*f).to_owned()).collect();
                let l = StatementLine {
                    id: format!("txn_{i}_{j}"),
                    owner: "usr_1".into(),
                    kind: "payment".into(),
                    amount_minor: amounts[(i + j) % amounts.len()],
                    fee_minor: amounts[(i * 7 + j) % amounts.len()],
                    currency,
                    status: "failed".into(),
                    source_id: "pay_1".into(),
                    counterparty: texts[(i + j) % texts.len()].map(str::to_owned),
                    description: text.map(str::to_owned),
                    details: d.map(str::to_owned),
                    created_at_us: times[(i + 2 * j) % times.len()],
                    notify: false,
                };
                let mut out = String::from("previous row\r\n");
                push_row(&mut out, &l, &flags);
                assert_eq!(out, format!("previous row\r\n{}", reference_row(&l, &flags)), "{l:?} {flags:?}");
                rows += 1;
            }
        }
        assert_eq!(rows, texts.len() * details.len());
    }

    #[test]
    fn amounts_use_the_currency_decimals() {
        assert_eq!(decimal(Currency::Usd, 5), "0.05");
        assert_eq!(decimal(Currency::Cny, 123_456), "1234.56");
        assert_eq!(decimal(Currency::Jpy, 300_000), "300000");
        assert_eq!(decimal(Currency::Eur, -250), "-2.50");
        assert_eq!(decimal(Currency::Usd, 0), "0.00");
        assert_eq!(decimal(Currency::Jpy, -7), "-7");
        assert_eq!(decimal(Currency::Usd, i64::MIN), "-92233720368547758.08");
        assert_eq!(decimal(Currency::Jpy, i64::MAX), "9223372036854775807");
    }
}
