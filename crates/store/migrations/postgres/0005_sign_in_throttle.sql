-- Failed sign-ins per normalised email address, whether or not an account exists, so that no
-- answer reveals which addresses are registered. `locked_until_us` > now: sign-in refused.
CREATE TABLE sign_in_throttle (
    email           TEXT    PRIMARY KEY,
    window_start_us BIGINT  NOT NULL,
    failures        BIGINT  NOT NULL,
    locked_until_us BIGINT  NOT NULL
);
