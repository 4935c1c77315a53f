//! [`okpay_app::ports::ApiKeyStore`] and [`okpay_app::ports::MerchantStore`] on SQLite.

crate::merchant_sql::merchant_stores!(super::SqliteStore);
