//! Unusual-activity rules (issue 4 item 6): when a history row gets the `unusual_activity`
//! flag, and the one clear fraud pattern that freezes an account. Pure: the application reads
//! the user's recent activity and asks these functions.
//!
//! The thresholds are deliberately simple and conservative (a flag asks a person to look, a
//! freeze stops money until staff review):
//! - `large_amount`: an outgoing amount at least [`LARGE_FACTOR`] times the average of the
//!   user's last [`NORM_ROWS`] succeeded outgoing amounts of the same kind and currency, once
//!   there are at least [`MIN_NORM_ROWS`] of them (no norm, no judgement).
//! - `card_failures`: the [`CARD_FAILURES_FLAG`]th declined card deposit within
//!   [`CARD_WINDOW_US`] (and every later one in the window).
//! - `new_recipient_burst`: every transfer made while [`NEW_RECIPIENTS_FLAG`] or more
//!   recipients have been paid for the first time within [`RECIPIENT_WINDOW_US`].
//! - Freeze (card testing): [`CARD_FAILURES_FREEZE`] declined card deposits within the card
//!   window on at least [`CARD_TESTING_CARDS`] different cards; or a burst of
//!   [`NEW_RECIPIENTS_FREEZE`] new recipients within the recipient window (money being
//!   spread out of a taken-over account).

/// The flag shown on history rows.
pub const UNUSUAL_ACTIVITY: &str = "unusual_activity";
/// How many recent amounts make the norm.
pub const NORM_ROWS: u32 = 20;
/// Fewest recent amounts for a norm.
pub const MIN_NORM_ROWS: usize = 5;
/// How far above the norm is unusual.
pub const LARGE_FACTOR: i64 = 10;
/// Window of the card rules, µs (one hour).
pub const CARD_WINDOW_US: i64 = 3_600_000_000;
/// Declined card deposits in the window that flag.
pub const CARD_FAILURES_FLAG: i64 = 3;
/// Declined card deposits in the window that, on enough cards, freeze.
pub const CARD_FAILURES_FREEZE: i64 = 6;
/// Different cards among them that make it card testing.
pub const CARD_TESTING_CARDS: i64 = 3;
/// Window of the recipient rules, µs (ten minutes).
pub const RECIPIENT_WINDOW_US: i64 = 600_000_000;
/// First-time recipients in the window that flag.
pub const NEW_RECIPIENTS_FLAG: i64 = 5;
/// First-time recipients in the window that freeze.
pub const NEW_RECIPIENTS_FREEZE: i64 = 10;

/// A rule that raised a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Far above the user's norm.
    LargeAmount,
    /// Many declined card attempts.
    CardFailures,
    /// Many first-time recipients at once.
    NewRecipientBurst,
}

impl Rule {
    /// Storage and log name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::LargeAmount => "large_amount",
            Rule::CardFailures => "card_failures",
            Rule::NewRecipientBurst => "new_recipient_burst",
        }
    }
}

/// Whether `amount_minor` is far above the norm of `recent` amounts (newest first).
pub fn is_large(amount_minor: i64, recent: &[i64]) -> bool {
    if recent.len() < MIN_NORM_ROWS {
        return false;
    }
    let count = i64::try_from(recent.len()).unwrap_or(i64::MAX);
    let Some(sum) = recent.iter().try_fold(0_i64, |acc, a| acc.checked_add(*a)) else { return false };
    let average = sum / count;
    average > 0 && amount_minor / LARGE_FACTOR >= average
}

/// What the card rules say about `declined` card deposits on `cards` cards within the window.
pub fn card_verdict(declined: i64, cards: i64) -> Verdict {
    if declined >= CARD_FAILURES_FREEZE && cards >= CARD_TESTING_CARDS {
        Verdict::Freeze
    } else if declined >= CARD_FAILURES_FLAG {
        Verdict::Flag
    } else {
        Verdict::Normal
    }
}

/// What the recipient rules say about `new_recipients` first paid within the window.
pub fn recipient_verdict(new_recipients: i64) -> Verdict {
    if new_recipients >= NEW_RECIPIENTS_FREEZE {
        Verdict::Freeze
    } else if new_recipients >= NEW_RECIPIENTS_FLAG {
        Verdict::Flag
    } else {
        Verdict::Normal
    }
}

/// A rule's judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing to see.
    Normal,
    /// Flag the row for a person to look at.
    Flag,
    /// Flag it and freeze the account: a clear fraud pattern.
    Freeze,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_is_relative_to_a_real_norm() {
        assert!(!is_large(1_000_000, &[100, 100, 100, 100]), "four rows are no norm");
        let norm = [100, 120, 80, 100, 100];
        assert!(!is_large(999, &norm));
        assert!(is_large(1_000, &norm));
        assert!(!is_large(5_000, &[0, 0, 0, 0, 0]), "no average, no judgement");
        assert!(!is_large(i64::MAX, &[i64::MAX, i64::MAX, 1, 1, 1]), "an overflowing norm judges nothing");
    }

    #[test]
    fn verdicts_escalate() {
        assert_eq!(card_verdict(2, 2), Verdict::Normal);
        assert_eq!(card_verdict(3, 1), Verdict::Flag);
        assert_eq!(card_verdict(6, 2), Verdict::Flag, "one or two cards failing is a struggling customer");
        assert_eq!(card_verdict(6, 3), Verdict::Freeze);
        assert_eq!(recipient_verdict(4), Verdict::Normal);
        assert_eq!(recipient_verdict(5), Verdict::Flag);
        assert_eq!(recipient_verdict(10), Verdict::Freeze);
        assert_eq!(Rule::NewRecipientBurst.as_str(), "new_recipient_burst");
    }
}
