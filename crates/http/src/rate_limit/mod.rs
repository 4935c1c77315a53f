//! Per-IP request budgets on the unauthenticated security endpoints (API.md §1 "overload",
//! §7 `OKPAY_RATE_LIMIT`).
//!
//! * [`Group`]: which endpoints share a budget (sign-in, registration, account recovery).
//! * [`Budget`]: a budget as configured (`"3/m burst 10"`), parsed and checked at start-up.
//! * [`RateLimits`]: one governor (GCRA) keyed limiter per group, in this process's memory,
//!   bounded in size and swept of idle clients by [`sweep_periodically`].
//!
//! [`crate::middleware::rate_limit`] applies them before any other work, so a refused request
//! reads no body, touches no database and counts no failed sign-in.

pub mod budget;
mod limiter;
mod store;

pub use budget::{Budget, BudgetError};
pub use limiter::{RateLimitConfig, RateLimits, sweep_periodically};
pub use store::ClientKey;

use axum::http::Method;

/// Endpoints that share one budget per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `POST /v1/sessions`.
    SignIn,
    /// `POST /v1/users` and `POST /v1/users/verify-email`.
    Registration,
    /// `POST /v1/password-resets`, `POST /v1/password-resets/confirm`, `POST /v1/users/unlock`.
    Recovery,
}

/// Every limited route: (method, route as the router matched it, group).
const ROUTES: &[(Method, &str, Group)] = &[
    (Method::POST, "/v1/sessions", Group::SignIn),
    (Method::POST, "/v1/users", Group::Registration),
    (Method::POST, "/v1/users/verify-email", Group::Registration),
    (Method::POST, "/v1/password-resets", Group::Recovery),
    (Method::POST, "/v1/password-resets/confirm", Group::Recovery),
    (Method::POST, "/v1/users/unlock", Group::Recovery),
];

impl Group {
    /// Every group, in the order of [`Group::index`].
    pub const ALL: [Group; 3] = [Group::SignIn, Group::Registration, Group::Recovery];

    /// The group's name in configuration options and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::SignIn => "sign_in",
            Group::Registration => "registration",
            Group::Recovery => "recovery",
        }
    }

    /// The group a request to `route` (the matched route pattern) belongs to, if limited.
    pub fn of(method: &Method, route: &str) -> Option<Group> {
        ROUTES.iter().find(|(m, r, _)| m == method && *r == route).map(|(_, _, g)| *g)
    }

    /// Position in [`Group::ALL`].
    fn index(self) -> usize {
        match self {
            Group::SignIn => 0,
            Group::Registration => 1,
            Group::Recovery => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_to_groups() {
        assert_eq!(Group::of(&Method::POST, "/v1/sessions"), Some(Group::SignIn));
        assert_eq!(Group::of(&Method::GET, "/v1/sessions"), None, "listing sessions is authenticated");
        assert_eq!(Group::of(&Method::POST, "/v1/users/verify-email"), Some(Group::Registration));
        assert_eq!(Group::of(&Method::POST, "/v1/users/unlock"), Some(Group::Recovery));
        assert_eq!(Group::of(&Method::POST, "/v1/password-resets/confirm"), Some(Group::Recovery));
        assert_eq!(Group::of(&Method::POST, "/v1/transfers"), None);
        for (i, g) in Group::ALL.iter().enumerate() {
            assert_eq!(g.index(), i);
        }
    }
}
