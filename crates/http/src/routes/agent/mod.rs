//! `/v1/agent/...`: what support agents and administrators do (API.md §5). Every action
//! takes a `reason`, is audited, and answers `permission_denied` to anyone else.

pub mod audit_log;
pub mod closure_decide;
pub mod users_status;
