//! Moving provider registrations from an old public URL to a new one: a quick tunnel gets a new
//! URL at every start, and every provider still pointing at the old one loses its webhooks.

use serde_json::json;

use crate::api::ApiError;
use crate::capture::Provider;
use crate::config::Config;
use crate::providers::green_api::api::{self as green_api, Instance};
use crate::providers::moysklad::api::Account;

/// What happened at one provider, as a sentence.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub provider: Provider,
    pub result: Result<String, String>,
}

/// `url` with its `old` base replaced by `new`, when it starts with `old`
/// (`https://a.trycloudflare.com/moysklad/k8J` → `https://b.trycloudflare.com/moysklad/k8J`).
pub fn moved(url: &str, old: &str, new: &str) -> Option<String> {
    let old = old.trim_end_matches('/');
    let rest = url.strip_prefix(old)?;
    (old.len() > "https://".len() && (rest.is_empty() || rest.starts_with('/')))
        .then(|| format!("{}{rest}", new.trim_end_matches('/')))
}

/// Re-points GREEN-API and every MoySklad webhook that use `old` to `new`; Reestr has no API for
/// it, so its outcome says what to do in the cabinet. Providers without credentials are skipped.
pub async fn repoint(config: &Config, old: &str, new: &str) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    if !config.green_api.id_instance.is_empty() {
        outcomes.push(Outcome {
            provider: Provider::GreenApi,
            result: green_api(config, old, new).await.map_err(|e| e.to_string()),
        });
    }
    if config.moysklad.token.is_set() {
        outcomes.push(Outcome {
            provider: Provider::Moysklad,
            result: moysklad(config, old, new).await.map_err(|e| e.to_string()),
        });
    }
    outcomes.push(Outcome {
        provider: Provider::Reestr,
        result: Ok(format!(
            "Reestr has no API for this: paste {}/reestr into the Reestr cabinet (API settings > access key > Webhooks) and press confirm.",
            new.trim_end_matches('/')
        )),
    });
    outcomes
}

async fn green_api(config: &Config, old: &str, new: &str) -> Result<String, ApiError> {
    let instance = Instance::new(&config.green_api)?;
    let settings = instance.settings().await?;
    let current = settings["webhookUrl"].as_str().unwrap_or_default();
    let Some(url) = moved(current, old, new) else {
        return Ok(format!(
            "its webhook URL is \"{current}\", not under {old}: left as it is."
        ));
    };
    instance
        .set_settings(&green_api::webhook_url_only(&url))
        .await?;
    Ok(format!(
        "the webhook URL is now {url}; GREEN-API applies it within about 5 minutes."
    ))
}

async fn moysklad(config: &Config, old: &str, new: &str) -> Result<String, ApiError> {
    let account = Account::new(&config.moysklad)?;
    let webhooks = account.webhooks().await?;
    let (mut moved_kinds, mut dropped_kinds) = (Vec::new(), Vec::new());
    for webhook in &webhooks {
        let Some(url) = moved(&webhook.url, old, new) else {
            continue;
        };
        let kind = format!("{} {}", webhook.entity_type, webhook.action);
        // When the new URL already has this kind, the old registration only points at a dead
        // tunnel, and moving it would be refused.
        if webhook.has_twin_at(&url, &webhooks) {
            account.delete(webhook).await?;
            dropped_kinds.push(kind);
        } else {
            account.update(webhook, json!({ "url": url })).await?;
            moved_kinds.push(kind);
        }
    }
    let mut said = Vec::new();
    if !moved_kinds.is_empty() {
        said.push(format!(
            "{} webhook(s) now point at {new}: {}.",
            moved_kinds.len(),
            moved_kinds.join(", ")
        ));
    }
    if !dropped_kinds.is_empty() {
        said.push(format!(
            "deleted {} old webhook(s) whose kind already had one at {new}: {}.",
            dropped_kinds.len(),
            dropped_kinds.join(", ")
        ));
    }
    if said.is_empty() {
        said.push(format!("no webhook points at {old}."));
    }
    Ok(said.join(" "))
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn only_urls_under_the_old_base_move() {
        let old = "https://a.trycloudflare.com";
        let new = "https://b.trycloudflare.com/";
        assert_eq!(
            moved("https://a.trycloudflare.com/moysklad/k8J", old, new).as_deref(),
            Some("https://b.trycloudflare.com/moysklad/k8J")
        );
        assert_eq!(moved("https://a.trycloudflare.com.evil/x", old, new), None);
        assert_eq!(moved("https://c.example/x", old, new), None);
        assert_eq!(moved("https://anything", "https://", new), None);
    }
}
