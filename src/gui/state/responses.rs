//! A response rule as the Responses window edits it.

use crate::config::ResponseRule;

/// A rule with its headers as `Name: value` lines.
#[derive(Clone, Debug)]
pub struct RuleDraft {
    pub rule: ResponseRule,
    pub headers: String,
}

impl RuleDraft {
    pub fn of(rule: &ResponseRule) -> RuleDraft {
        let headers = rule
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        RuleDraft {
            rule: rule.clone(),
            headers,
        }
    }

    /// The rule with its headers read back; lines without a colon are left out.
    pub fn rule(&self) -> ResponseRule {
        let mut rule = self.rule.clone();
        rule.headers = self
            .headers
            .lines()
            .filter_map(|line| line.split_once(':'))
            .filter(|(name, _)| !name.trim().is_empty())
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        rule
    }
}
