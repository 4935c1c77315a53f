-- The audit log read by actor (what did this staff member do?).
CREATE INDEX audit_events_actor ON audit_events (actor, id);
