//! [`okpay_app::ports::ApiKeyStore`], [`okpay_app::ports::MerchantStore`] and
//! [`okpay_app::ports::EventStore`] on SQLite (one writer at a time, so the claiming `UPDATE` is
//! atomic on its own).

crate::merchant_sql::merchant_stores!(super::SqliteStore, "");
