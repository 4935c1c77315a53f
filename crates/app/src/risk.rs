//! Unusual-activity flags and the fraud freeze (issue 4 item 6), applied after a movement
//! commits.
//!
//! The rules are in [`okpay_domain::risk`]; this module reads the user's recent activity,
//! stores flags on the history row, and freezes the account on a clear fraud pattern (every
//! session ends, the owner is mailed, the freeze is audited with the `system` actor, all in
//! the status change's transaction). It runs in the background, after the answer: a flag
//! never delays or undoes a payment, and a failure here is logged, not shown to the user.

use okpay_domain::UserStatus;
use okpay_domain::limits::Movement;
use okpay_domain::risk::{self, Rule, Verdict};
use okpay_domain::time::now_us;
use okpay_ledger::StatementLine;
use okpay_mail::Template;

use crate::App;
use crate::audit::{self, Event, SYSTEM};
use crate::error::AppError;
use crate::outbox::compose;
use crate::ports::{FlagRecord, RiskQuery, StatusChange};

impl App {
    /// Assesses `line` (just committed) in the background.
    pub fn assess_later(&self, line: StatementLine) {
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(e) = app.assess(&line).await {
                tracing::warn!(txn = %line.id, error = %e, "risk assessment failed");
            }
        });
    }

    /// Assesses, in the background, `owner`'s history row of the resource `source_id` (for use
    /// cases whose row the ledger wrote from a command built elsewhere).
    pub fn assess_source_later(&self, owner: &str, source_id: &str) {
        let (app, owner, source) = (self.clone(), owner.to_owned(), source_id.to_owned());
        tokio::spawn(async move {
            let assessed = match app.store.line_by_source(&owner, &source).await {
                Ok(Some(line)) => app.assess(&line).await.map(|_| ()),
                Ok(None) => Ok(()),
                Err(e) => Err(AppError::from(e)),
            };
            if let Err(e) = assessed {
                tracing::warn!(source = %source, error = %e, "risk assessment failed");
            }
        });
    }

    /// Applies the rules to `line`: flags it and, on a clear fraud pattern, freezes its owner.
    /// Returns the rules that fired.
    pub async fn assess(&self, line: &StatementLine) -> Result<Vec<(Rule, Verdict)>, AppError> {
        let mut fired = Vec::new();
        let outgoing = match line.kind.as_str() {
            "transfer_out" | "payment" => Some(Movement::Transfer),
            "withdrawal" => Some(Movement::Withdrawal),
            _ => None,
        };
        let compare = outgoing.filter(|_| line.status != "failed").map(|m| (line.currency, m.history_kinds()));
        let succeeded_transfer = line.kind == "transfer_out" && line.status == "succeeded";
        let recipients_since_us =
            succeeded_transfer.then(|| line.created_at_us.saturating_sub(risk::RECIPIENT_WINDOW_US));
        if compare.is_some() || recipients_since_us.is_some() {
            // Batched with the reads of other rows assessed now: one statement on PostgreSQL.
            let query = RiskQuery {
                owner: line.owner.clone(),
                recent: compare,
                before_us: line.created_at_us,
                recipients_since_us,
            };
            let inputs = self.risk_reads.call(query).await?;
            if compare.is_some() && risk::is_large(line.amount_minor, &inputs.recent) {
                fired.push((Rule::LargeAmount, Verdict::Flag));
            }
            if recipients_since_us.is_some() {
                push(&mut fired, Rule::NewRecipientBurst, risk::recipient_verdict(inputs.new_recipients));
            }
        }
        if line.kind == "deposit" && line.status == "failed" {
            let since = line.created_at_us.saturating_sub(risk::CARD_WINDOW_US);
            let (declined, cards) = self.store.declined_cards_since(&line.owner, since).await?;
            push(&mut fired, Rule::CardFailures, risk::card_verdict(declined, cards));
        }
        if fired.is_empty() {
            return Ok(fired);
        }
        let now = now_us();
        let flags: Vec<FlagRecord> = fired
            .iter()
            .map(|(rule, _)| FlagRecord {
                txn_id: line.id.clone(),
                flag: risk::UNUSUAL_ACTIVITY.to_owned(),
                rule: rule.as_str().to_owned(),
                owner: line.owner.clone(),
                txn_created_us: line.created_at_us,
                created_at_us: now,
            })
            .collect();
        // Batched with other assessments' flags: one commit for many.
        self.after_money.write(crate::group_commit::AfterMoney::Flags(flags)).await?;
        for (rule, _) in &fired {
            metrics::counter!("okpay_risk_flags_total", "rule" => rule.as_str()).increment(1);
            tracing::info!(txn = %line.id, owner = %line.owner, rule = rule.as_str(), "unusual activity flagged");
        }
        if let Some((rule, _)) = fired.iter().find(|(_, v)| *v == Verdict::Freeze) {
            self.freeze_for_fraud(&line.owner, *rule).await?;
        }
        Ok(fired)
    }

    /// Freezes `owner` for `rule`, unless the account is no longer in a state that can be frozen.
    async fn freeze_for_fraud(&self, owner: &str, rule: Rule) -> Result<(), AppError> {
        let Some(user) = self.store.user_by_id(owner).await? else { return Ok(()) };
        if UserStatus::parse(&user.status).is_some_and(|s| !s.can_receive()) {
            return Ok(()); // already frozen, locked or closed
        }
        let reason = match rule {
            Rule::CardFailures => "many declined card payments on several cards in a short time",
            Rule::NewRecipientBurst => "money sent to many new recipients in a short time",
            Rule::LargeAmount => "an amount far above your usual activity",
        };
        let template = Template::AccountFrozen {
            reason: format!("Our automatic risk checks saw {reason}. An agent will review it."),
            help_url: self.link("/help/articles/account-locked"),
        };
        let mail = compose(&user.email, &user.locale, &user.name, &template);
        let event = Event {
            actor: SYSTEM,
            subject: Some(owner),
            action: StatusChange::Freeze.action(),
            success: true,
            client: None,
            reason: Some(rule.as_str()),
            session_id: None,
        };
        if self
            .store
            .change_status(owner, StatusChange::Freeze, now_us(), &mail, &audit::record(&event))
            .await?
            .is_some()
        {
            self.mail_queued();
            metrics::counter!("okpay_risk_freezes_total", "rule" => rule.as_str()).increment(1);
            tracing::warn!(user = %owner, rule = rule.as_str(), "account frozen by risk rule");
        }
        Ok(())
    }
}

fn push(fired: &mut Vec<(Rule, Verdict)>, rule: Rule, verdict: Verdict) {
    if verdict != Verdict::Normal {
        fired.push((rule, verdict));
    }
}
