//! [`okpay_app::ports::PaymentStore`] on SQLite.

crate::payment_sql::payment_store!(super::SqliteStore, sqlite);
