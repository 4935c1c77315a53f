//! [`okpay_app::ports::ApiKeyStore`], [`okpay_app::ports::MerchantStore`] and
//! [`okpay_app::ports::EventStore`] on PostgreSQL (`FOR UPDATE SKIP LOCKED`: concurrent workers
//! of several processes claim disjoint deliveries without waiting).

crate::merchant_sql::merchant_stores!(super::PgStore, " FOR UPDATE SKIP LOCKED");
