//! [`okpay_app::ports::ApiKeyStore`] and [`okpay_app::ports::MerchantStore`] on PostgreSQL.

crate::merchant_sql::merchant_stores!(super::PgStore);
