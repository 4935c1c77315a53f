//! Reading money fields from JSON with specific errors: a float, a string, zero, a negative
//! number or an overflow each gets `invalid_amount` with a reason; an unknown or mis-cased
//! currency gets `invalid_currency`.

use okpay_app::{AppError, Code};
use okpay_domain::{Amount, Currency};
use serde_json::Value;

/// Parses `amount` (an integer in minor units).
pub fn amount(v: &Value, param: &str) -> Result<Amount, AppError> {
    let invalid =
        |reason: &'static str| AppError { reason: Some(reason), ..AppError::new(Code::InvalidAmount).param(param) };
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Amount::new(i).map_err(|e| AppError::invalid(e, param))
            } else if n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() > Amount::MAX_MINOR as f64) {
                Err(invalid("is larger than the maximum allowed"))
            } else {
                Err(invalid("not_integer"))
            }
        }
        Value::Null => Err(AppError::new(Code::ParameterMissing).param(param)),
        _ => Err(invalid("not_a_number")),
    }
}

/// Parses `amount` from a query string: the same rules as in JSON bodies (`10.5` is
/// `not_integer`, `ten` is `not_a_number`); empty is `parameter_missing`.
pub fn amount_text(s: &str, param: &str) -> Result<Amount, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::new(Code::ParameterMissing).param(param));
    }
    match serde_json::from_str::<Value>(s) {
        Ok(v @ Value::Number(_)) => amount(&v, param),
        _ => Err(AppError { reason: Some("not_a_number"), ..AppError::new(Code::InvalidAmount).param(param) }),
    }
}

/// Parses `currency` (a lowercase ISO-4217 code OKPay supports).
pub fn currency(v: &Value, param: &str) -> Result<Currency, AppError> {
    match v {
        Value::String(s) => s.parse().map_err(|e| AppError::invalid(e, param)),
        Value::Null => Err(AppError::new(Code::ParameterMissing).param(param)),
        _ => Err(AppError::new(Code::InvalidCurrency).param(param)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reason(v: Value) -> Option<&'static str> {
        amount(&v, "amount").err().and_then(|e| e.reason)
    }

    #[test]
    fn amounts() {
        assert_eq!(amount(&json!(1050), "amount").map(Amount::minor), Ok(1050));
        assert_eq!(reason(json!(0)), Some("must be greater than zero"));
        assert_eq!(reason(json!(-5)), Some("must be greater than zero"));
        assert_eq!(reason(json!(10.5)), Some("not_integer"));
        assert_eq!(reason(json!(u64::MAX)), Some("is larger than the maximum allowed"));
        assert_eq!(reason(json!(1e30)), Some("is larger than the maximum allowed"));
        assert_eq!(reason(json!("100")), Some("not_a_number"));
        assert_eq!(amount(&Value::Null, "amount").map_err(|e| e.code), Err(Code::ParameterMissing));
    }

    #[test]
    fn amounts_in_query_strings() {
        assert_eq!(amount_text("1050", "amount").map(Amount::minor), Ok(1050));
        let reason = |s: &str| amount_text(s, "amount").err().and_then(|e| e.reason);
        assert_eq!(reason("10.5"), Some("not_integer"));
        assert_eq!(reason("-5"), Some("must be greater than zero"));
        assert_eq!(reason("ten"), Some("not_a_number"));
        assert_eq!(reason("[1]"), Some("not_a_number"));
        assert_eq!(reason("99999999999999999999999"), Some("is larger than the maximum allowed"));
        assert_eq!(amount_text(" ", "amount").map_err(|e| e.code), Err(Code::ParameterMissing));
    }

    #[test]
    fn currencies() {
        assert_eq!(currency(&json!("jpy"), "currency"), Ok(Currency::Jpy));
        assert_eq!(currency(&json!("USD"), "currency").map_err(|e| e.code), Err(Code::InvalidCurrency));
        assert_eq!(currency(&json!(840), "currency").map_err(|e| e.code), Err(Code::InvalidCurrency));
    }
}
