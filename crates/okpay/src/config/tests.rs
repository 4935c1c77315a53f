//! Tests of the configuration layers, option parsing and validation.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn limits_default_to_the_contract_floor_and_are_configurable() {
    let c = Config::load(None, env(&[])).expect("defaults");
    let p = c.limit_policy().expect("valid");
    assert_eq!(p.limits(0, Currency::Cny).daily_minor, 1_500_000);
    assert_eq!(p.limits(1, Currency::Jpy).daily_minor, 3_000_000);
    let c = Config::load(None, env(&[("OKPAY_DAILY_LIMIT_USD", "5000"), ("OKPAY_MONTHLY_LIMIT_FACTOR", "3")]))
        .expect("valid");
    let usd = c.limit_policy().expect("valid").limits(0, Currency::Usd);
    assert_eq!((usd.daily_minor, usd.monthly_minor), (5_000, 15_000));
    let low = Config::load(None, env(&[("OKPAY_VERIFIED_LIMIT_FACTOR", "5")])).expect_err("below tenfold");
    assert!(format!("{low:#}").contains("verified_limit_factor"), "{low:#}");
    assert!(Config::load(None, env(&[("OKPAY_DAILY_LIMIT_EUR", "0")])).is_err());
}

#[test]
fn layers_apply_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("okpay.toml");
    std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nmax_body_bytes = 2048\n").expect("write");
    let c = Config::load(Some(&file), env(&[("OKPAY_MAX_BODY_BYTES", "4096"), ("OKPAY_TEST_PG_URL", "x")]))
        .expect("config");
    assert_eq!(c.listen, "0.0.0.0:9000");
    assert_eq!(c.max_body_bytes, 4096);
    assert_eq!(c.database_url, "sqlite://okpay-data/okpay.db");
    assert_eq!(
        Config::load(None, env(&[("OKPAY_SMTP_URL", "smtp://x:25")])).expect("c").smtp_url.as_deref(),
        Some("smtp://x:25")
    );
}

#[test]
fn data_dir_follows_the_database() {
    let c = Config::default();
    assert_eq!(c.data_dir(), PathBuf::from("okpay-data"));
    let c = Config { database_url: "sqlite:///var/lib/okpay/main.db?mode=rwc".into(), ..Config::default() };
    assert_eq!(c.data_dir(), PathBuf::from("/var/lib/okpay"));
    let c = Config { database_url: "postgres://u@h/db".into(), ..Config::default() };
    assert_eq!(c.data_dir(), PathBuf::from("okpay-data"));
    let c = Config { data_dir: Some("/srv/okpay".into()), ..c };
    assert_eq!(c.data_dir(), PathBuf::from("/srv/okpay"));
    assert!(Config::load(None, env(&[("OKPAY_MAIL_RETRY_DELAY", "often")])).is_err());
    assert!(Config::load(None, env(&[("OKPAY_MAIL_MAX_ATTEMPTS", "0")])).is_err());
}

#[test]
fn bad_values_are_named() {
    let e = Config::load(None, env(&[("OKPAY_RATE_LIMIT", "maybe")])).expect_err("invalid");
    assert!(e.to_string().contains("rate_limit"));
    let e = Config::load(None, env(&[("OKPAY_MAX_BODY_BYTES", "lots")])).expect_err("invalid");
    assert!(e.to_string().contains("OKPAY_MAX_BODY_BYTES"));
    assert!(Config::load(None, env(&[("OKPAY_BANK_SETTLEMENT_DELAY", "soon")])).is_err());
}

#[test]
fn webhook_options() {
    let c = Config::load(None, env(&[])).expect("defaults");
    assert!(!c.webhook_allow_private_networks, "private networks are refused by default");
    assert_eq!(c.webhook_retry_delay().expect("delay"), Duration::from_secs(30));
    let c = Config::load(None, env(&[("OKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")])).expect("bool");
    assert!(c.webhook_allow_private_networks);
    let e = Config::load(None, env(&[("OKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "yes")])).expect_err("invalid");
    assert!(e.to_string().contains("OKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS"), "{e}");
    let e = Config::load(None, env(&[("OKPAY_WEBHOOK_RETRY_DELAY", "2m")])).expect_err("too slow");
    assert!(e.to_string().contains("60s"), "{e}");
    assert!(Config::load(None, env(&[("OKPAY_WEBHOOK_RETRY_DELAY", "0s")])).is_err());
    assert!(Config::load(None, env(&[("OKPAY_WEBHOOK_RETRY_FOR", "forever")])).is_err());
    assert!(Config::example().contains("webhook_allow_private_networks = false"));
}

#[test]
fn merchant_fee() {
    assert_eq!(Config::load(None, env(&[])).expect("defaults").merchant_fee_bps, 0, "off by default");
    let c = Config::load(None, env(&[("OKPAY_MERCHANT_FEE_BPS", "290")])).expect("valid");
    assert_eq!(c.merchant_fee_bps, 290);
    let e = Config::load(None, env(&[("OKPAY_MERCHANT_FEE_BPS", "9000")])).expect_err("too high");
    assert!(e.to_string().contains("merchant_fee_bps"), "{e}");
    assert!(Config::example().contains("merchant_fee_bps = 0"));
}

#[test]
fn rate_limits_parse_from_every_layer() {
    let c = Config::load(None, env(&[])).expect("defaults");
    let limits = c.rate_limits().expect("valid").expect("on by default");
    assert_eq!(limits.sign_in.to_string(), "5/m burst 10");
    assert_eq!(limits.registration.to_string(), "3/m burst 10");
    assert_eq!(limits.recovery.to_string(), "3/m burst 10");
    assert_eq!(limits.max_clients, 100_000);

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("okpay.toml");
    std::fs::write(&file, "rate_limit_sign_in = \"20/h\"\nrate_limit_max_clients = 50\n").expect("write");
    let c = Config::load(Some(&file), env(&[("OKPAY_RATE_LIMIT_RECOVERY", "1/15m burst 2")])).expect("config");
    let limits = c.rate_limits().expect("valid").expect("on");
    assert_eq!(limits.sign_in.to_string(), "20/h");
    assert_eq!(limits.recovery.to_string(), "1/15m burst 2");
    assert_eq!(limits.max_clients, 50);

    let off = Config::load(None, env(&[("OKPAY_RATE_LIMIT", "off")])).expect("off");
    assert_eq!(off.rate_limits().expect("valid"), None);
}

#[test]
fn bad_rate_limits_are_named_even_when_off() {
    for (var, value, name) in [
        ("OKPAY_RATE_LIMIT_SIGN_IN", "lots", "rate_limit_sign_in"),
        ("OKPAY_RATE_LIMIT_REGISTRATION", "3/week", "rate_limit_registration"),
        ("OKPAY_RATE_LIMIT_RECOVERY", "0/m", "rate_limit_recovery"),
        ("OKPAY_RATE_LIMIT_MAX_CLIENTS", "0", "rate_limit_max_clients"),
    ] {
        let e = Config::load(None, env(&[("OKPAY_RATE_LIMIT", "off"), (var, value)])).expect_err(value);
        assert!(format!("{e:#}").contains(name), "{var}={value}: {e:#}");
    }
    let e = Config::load(None, env(&[("OKPAY_RATE_LIMIT_MAX_CLIENTS", "many")])).expect_err("not a number");
    assert!(e.to_string().contains("OKPAY_RATE_LIMIT_MAX_CLIENTS"));
}

#[test]
fn withdrawal_options() {
    let c = Config::load(None, env(&[])).expect("defaults");
    assert_eq!(c.withdrawal_cancel_window().expect("window"), Duration::from_secs(60));
    let fees = c.withdrawal_fees().expect("fees");
    assert_eq!(fees, WithdrawalFees::default());
    let c = Config::load(
        None,
        env(&[("OKPAY_WITHDRAWAL_CANCEL_WINDOW", "2s"), ("OKPAY_WITHDRAWAL_FEES_CARD", "usd:10+200bps")]),
    )
    .expect("config");
    assert_eq!(c.withdrawal_cancel_window().expect("window"), Duration::from_secs(2));
    let fees = c.withdrawal_fees().expect("fees");
    assert_eq!(fees.rule(WithdrawalMethod::Card, okpay_domain::Currency::Usd).fee(1_000), Some(30));
    assert_eq!(fees.rule(WithdrawalMethod::Card, okpay_domain::Currency::Eur).fee(1_000), Some(15));
    let e = Config::load(None, env(&[("OKPAY_WITHDRAWAL_FEES_BANK_ACCOUNT", "usd:lots")])).expect_err("bad");
    assert!(format!("{e:#}").contains("withdrawal_fees_bank_account"), "{e:#}");
    assert!(Config::load(None, env(&[("OKPAY_WITHDRAWAL_CANCEL_WINDOW", "soon")])).is_err());
    assert!(Config::example().contains("withdrawal_fees_card = \"usd:0+150bps"), "{}", Config::example());
}

#[test]
fn durations_and_example() {
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
    assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
    assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
    let ex = Config::example();
    for (k, _) in OPTIONS {
        assert!(ex.contains(k), "{k} documented");
    }
    let parsed: Config = toml::from_str(&ex).expect("example parses as a config");
    assert_eq!(parsed.listen, Config::default().listen);
    assert_eq!(parsed.rate_limit_sign_in, Config::default().rate_limit_sign_in);
    assert!(ex.contains("rate_limit_sign_in = \"5/m burst 10\""), "{ex}");
}
