//! [`okpay_app::ports::EventStore`] on PostgreSQL (`FOR UPDATE SKIP LOCKED`: concurrent workers
//! of several processes claim disjoint deliveries without waiting).

crate::event_sql::event_store!(super::PgStore, " FOR UPDATE SKIP LOCKED");
