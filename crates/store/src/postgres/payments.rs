//! [`okpay_app::ports::PaymentStore`] on PostgreSQL.

crate::payment_sql::payment_store!(super::PgStore, postgres);
