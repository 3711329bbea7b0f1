//! Custom responses and faults: the settings' `[[respond]]` rules, tried in order before the
//! capture is committed; the first that matches answers instead of the provider's rule.
//!
//! A rule can answer with its own status, headers and body, fail on purpose, delay the
//! provider's own answer, or hang up without answering, for every matching request, the next
//! N of them, or a share of them at random: enough to watch how each provider retries.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::capture::ResponseAction;
use crate::capture::{Answer, Capture, Provider, Reason};
use crate::config::{Config, ResponseRule};
use crate::filter::{Filter, FilterError, Term, Test};

/// A rule ready to be tried, with how many requests it has taken since it was made as it is.
/// The count belongs to the rule: it is shared with the responder made when the settings are
/// saved again with the rule unchanged, and nothing about the stored captures touches it.
struct Prepared {
    rule: ResponseRule,
    filter: Filter,
    taken: Arc<AtomicU32>,
}

/// The enabled rules of the settings, in order.
#[derive(Clone, Default)]
pub struct Responder {
    rules: Arc<[Prepared]>,
    /// Positions in `rules` are the settings' rule numbers minus one.
    numbers: Arc<[usize]>,
    dice: Arc<AtomicU64>,
}

/// What a rule does to the request beyond its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    /// Answer only after this long.
    pub delay: Duration,
    /// Close the connection without answering.
    pub hang_up: bool,
}

/// A rule that cannot be used as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Response rule {number}'s filter does not parse: {error}")]
pub struct ResponseRuleError {
    pub number: usize,
    pub error: FilterError,
}

impl Responder {
    /// The enabled rules of `config`, and the problems of those that cannot be used.
    pub fn new(config: &Config) -> (Responder, Vec<ResponseRuleError>) {
        let (mut rules, mut numbers, mut problems) = (Vec::new(), Vec::new(), Vec::new());
        for (n, rule) in config.respond.iter().enumerate() {
            if !rule.enabled {
                continue;
            }
            match Filter::parse(&rule.filter) {
                Ok(filter) => {
                    rules.push(Prepared {
                        rule: rule.clone(),
                        filter,
                        taken: Arc::new(AtomicU32::new(0)),
                    });
                    numbers.push(n + 1);
                }
                Err(error) => problems.push(ResponseRuleError {
                    number: n + 1,
                    error,
                }),
            }
        }
        let seed = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64 | 1;
        let responder = Responder {
            rules: rules.into(),
            numbers: numbers.into(),
            dice: Arc::new(AtomicU64::new(seed)),
        };
        (responder, problems)
    }

    /// The rules of `config`, as [`Responder::new`], each keeping what it has taken so far in
    /// `before` when it is there unchanged: saving the settings (any of them, as the app does
    /// for a tunnel URL or a provider field) does not re-arm a used-up "fail the next 3". A
    /// rule that was changed, or turned off and on again, starts afresh.
    pub fn after(config: &Config, before: &Responder) -> (Responder, Vec<ResponseRuleError>) {
        let (responder, problems) = Responder::new(config);
        let mut unclaimed: Vec<&Prepared> = before.rules.iter().collect();
        let rules = responder
            .rules
            .iter()
            .map(|prepared| {
                let same = unclaimed.iter().position(|old| old.rule == prepared.rule);
                let taken = match same {
                    Some(at) => unclaimed.swap_remove(at).taken.clone(),
                    None => prepared.taken.clone(),
                };
                Prepared {
                    rule: prepared.rule.clone(),
                    filter: prepared.filter.clone(),
                    taken,
                }
            })
            .collect::<Vec<_>>();
        let responder = Responder {
            rules: rules.into(),
            ..responder
        };
        (responder, problems)
    }

    /// Applies the first rule that takes `capture`: its answer replaces the provider's, and
    /// its reason says which rule answered (unless the capture already has a reason).
    pub fn apply(&self, capture: &mut Capture) -> Effect {
        for (prepared, &number) in self.rules.iter().zip(self.numbers.iter()) {
            if !self.takes(prepared, capture) {
                continue;
            }
            let rule = &prepared.rule;
            let j = &mut capture.judgement;
            let mut effect = Effect::default();
            match rule.action {
                ResponseAction::Answer => {
                    j.answer = rule_answer(rule, rule.status);
                    effect.delay = Duration::from_millis(rule.delay_ms);
                }
                ResponseAction::Fail => {
                    let status = if rule.status >= 400 { rule.status } else { 500 };
                    j.answer = rule_answer(rule, status);
                    if rule.body.is_empty() {
                        j.answer.body = format!(
                            "hookscope is failing this on purpose (response rule {number}).\n"
                        )
                        .into_bytes();
                    }
                }
                ResponseAction::Delay => effect.delay = Duration::from_millis(rule.delay_ms),
                ResponseAction::HangUp => {
                    j.answer = Answer::empty(0);
                    effect.hang_up = true;
                }
            }
            j.reason.get_or_insert(Reason::Rule {
                number,
                action: rule.action,
            });
            return effect;
        }
        Effect::default()
    }

    /// Whether the rule takes this request: its conditions match, it has not taken its
    /// `times` yet, and the dice say so.
    fn takes(&self, prepared: &Prepared, capture: &Capture) -> bool {
        let rule = &prepared.rule;
        let r = &capture.request;
        let matches = prepared.filter.matches(capture)
            && (rule.method.trim().is_empty() || r.method.eq_ignore_ascii_case(rule.method.trim()))
            && path_matches(rule.path.trim(), &r.path);
        if !matches || self.roll() >= u64::from(rule.percent.min(100)) {
            return false;
        }
        if rule.times == 0 {
            return true;
        }
        prepared
            .taken
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |taken| {
                (taken < rule.times).then_some(taken + 1)
            })
            .is_ok()
    }

    /// 0 to 99, evenly (xorshift: fault injection needs no better).
    fn roll(&self) -> u64 {
        let mut x = self.dice.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.dice.store(x, Ordering::Relaxed);
        x % 100
    }

    /// How many requests each enabled rule with a `times` limit has left, by rule number.
    pub fn remaining(&self) -> Vec<(usize, u32)> {
        self.rules
            .iter()
            .zip(self.numbers.iter())
            .filter(|(p, _)| p.rule.times > 0)
            .map(|(p, &n)| {
                let taken = p.taken.load(Ordering::Relaxed);
                (n, p.rule.times.saturating_sub(taken))
            })
            .collect()
    }
}

fn rule_answer(rule: &ResponseRule, status: u16) -> Answer {
    Answer {
        status,
        headers: rule
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
        body: rule.body.clone().into_bytes(),
    }
}

/// `*` stands for any run of characters; an empty pattern matches every path.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields at least one part");
    let Some(mut left) = path.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return left.is_empty();
    };
    for part in middle {
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.ends_with(last)
}

/// What a rule would break in a provider's contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// A Reestr confirm must get 200 with the confirmation string, or the address stays
    /// unconfirmed.
    ReestrConfirm,
    /// MoySklad waits 1.5 s; no answer by then is not delivered and not resent.
    MoyskladDeadline,
    /// After an invalid answer MoySklad tries three more times back to back, then drops it.
    MoyskladRetries,
    /// GREEN-API resends every 60 s and holds every later notification behind this one for up
    /// to a day.
    GreenApiHolds,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Breach::ReestrConfirm => "a Reestr confirm answered by it fails: Reestr needs 200 with the confirmation string",
            Breach::MoyskladDeadline => "MoySklad waits 1.5 s: no answer by then counts as not delivered and is not resent (its changelog of 2022-03-15), so the event is lost",
            Breach::MoyskladRetries => "after an invalid answer MoySklad tries three more times at once, then drops the event for good",
            Breach::GreenApiHolds => "GREEN-API resends it every 60 s and holds every later notification behind it for up to a day",
        })
    }
}

/// The providers a rule can reach: those its filter names, else those its path reaches.
fn reaches(rule: &ResponseRule) -> Vec<Provider> {
    let named: Vec<Provider> = Filter::parse(&rule.filter)
        .map(|f| {
            f.terms
                .iter()
                .filter_map(|Term { negated, test }| match test {
                    Test::Provider(p) if !negated => Some(*p),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if !named.is_empty() {
        return named;
    }
    let prefix = rule.path.trim().split('*').next().unwrap_or("");
    [Provider::Reestr, Provider::GreenApi, Provider::Moysklad]
        .into_iter()
        .filter(|p| prefix.starts_with(p.path()) || p.path().starts_with(prefix))
        .collect()
}

/// What the rule breaks for the providers it can reach, given the settings.
pub fn breaches(rule: &ResponseRule, config: &Config) -> Vec<Breach> {
    let reached = reaches(rule);
    let answers = |status: u16| -> bool {
        matches!(rule.action, ResponseAction::Answer) && rule.status == status
    };
    let failing = matches!(rule.action, ResponseAction::Fail | ResponseAction::HangUp);
    let mut found = Vec::new();
    if reached.contains(&Provider::Reestr) {
        let confirms = answers(200) && rule.body == config.reestr.confirm_string;
        if failing || (matches!(rule.action, ResponseAction::Answer) && !confirms) {
            found.push(Breach::ReestrConfirm);
        }
    }
    if reached.contains(&Provider::Moysklad) {
        let delayed = matches!(rule.action, ResponseAction::Answer | ResponseAction::Delay)
            && rule.delay_ms >= 1500;
        if delayed {
            found.push(Breach::MoyskladDeadline);
        }
        let refused =
            matches!(rule.action, ResponseAction::Answer) && !(answers(200) || answers(204));
        if failing || refused {
            found.push(Breach::MoyskladRetries);
        }
    }
    if reached.contains(&Provider::GreenApi) {
        let refused = matches!(rule.action, ResponseAction::Answer) && !answers(200);
        if failing || refused {
            found.push(Breach::GreenApiHolds);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns() {
        for (pattern, path, expected) in [
            ("", "/x", true),
            ("/moysklad", "/moysklad", true),
            ("/moysklad", "/moysklad/x", false),
            ("/moysklad*", "/moysklad/x", true),
            ("*/hook", "/a/b/hook", true),
            ("/a/*/c", "/a/b/c", true),
            ("/a/*/c", "/a/b/d", false),
        ] {
            assert_eq!(path_matches(pattern, path), expected, "{pattern} {path}");
        }
    }

    #[test]
    fn breaches_follow_the_providers_a_rule_reaches() {
        let config = Config::default();
        let fail = |filter: &str| ResponseRule {
            filter: filter.into(),
            action: ResponseAction::Fail,
            ..ResponseRule::default()
        };
        assert_eq!(
            breaches(&fail("provider:moysklad"), &config),
            [Breach::MoyskladRetries]
        );
        assert_eq!(
            breaches(&fail("provider:green-api"), &config),
            [Breach::GreenApiHolds]
        );
        assert_eq!(breaches(&fail(""), &config).len(), 3, "every provider");
        let slow = ResponseRule {
            path: "/moysklad*".into(),
            action: ResponseAction::Delay,
            delay_ms: 2000,
            ..ResponseRule::default()
        };
        assert_eq!(breaches(&slow, &config), [Breach::MoyskladDeadline]);
        let generic = ResponseRule {
            path: "/orders".into(),
            status: 500,
            ..ResponseRule::default()
        };
        assert!(breaches(&generic, &config).is_empty());
    }
}
