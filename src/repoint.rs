//! Moving provider registrations from an old public URL to a new one: a quick tunnel gets a new
//! URL at every start, and every provider still pointing at the old one loses its webhooks.

use serde_json::json;

use crate::capture::Provider;
use crate::config::Config;
use crate::http::ApiError;
use crate::providers::green_api::api::{self as green_api, Instance};
use crate::providers::moysklad::api::Account;
use crate::tunnel;

/// What happened at one provider, or why its API refused.
#[derive(Clone, Debug)]
pub struct Repointing {
    pub provider: Provider,
    pub result: Result<Repointed, ApiError>,
}

/// What re-pointing did at a provider; `Display` says it in English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repointed {
    /// GREEN-API's webhook URL is now `url`.
    GreenMoved { url: String },
    /// GREEN-API's webhook URL was elsewhere, and was left alone.
    GreenElsewhere { current: String, old: String },
    /// MoySklad webhooks (by kind) moved to `new`, and old ones deleted because their kind
    /// already had one there.
    Moysklad {
        moved: Vec<String>,
        deleted: Vec<String>,
        old: String,
        new: String,
    },
    /// Reestr has no API for it: the user pastes `url` into the cabinet.
    ReestrByHand { url: String },
}

impl std::fmt::Display for Repointed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repointed::GreenMoved { url } => write!(
                f,
                "the webhook URL is now {url}; GREEN-API applies it within about 5 minutes."
            ),
            Repointed::GreenElsewhere { current, old } => write!(
                f,
                "its webhook URL is \"{current}\", not under {old}: left as it is."
            ),
            Repointed::Moysklad {
                moved,
                deleted,
                old,
                new,
            } => {
                let plural = |n: usize| if n == 1 { "webhook" } else { "webhooks" };
                let mut said = Vec::new();
                if !moved.is_empty() {
                    let verb = if moved.len() == 1 { "points" } else { "point" };
                    said.push(format!(
                        "{} {} now {verb} at {new}: {}.",
                        moved.len(),
                        plural(moved.len()),
                        moved.join(", ")
                    ));
                }
                if !deleted.is_empty() {
                    said.push(format!(
                        "deleted {} old {} whose kind already had one at {new}: {}.",
                        deleted.len(),
                        plural(deleted.len()),
                        deleted.join(", ")
                    ));
                }
                if said.is_empty() {
                    said.push(format!("no webhook points at {old}."));
                }
                f.write_str(&said.join(" "))
            }
            Repointed::ReestrByHand { url } => write!(
                f,
                "Reestr has no API for this: paste {url} into the Reestr cabinet (API settings > access key > Webhooks) and press confirm."
            ),
        }
    }
}

/// Re-points GREEN-API and every MoySklad webhook that use `old` to `new`; Reestr has no API for
/// it, so its outcome says what to do in the cabinet. Providers without credentials are skipped.
pub async fn repoint(config: &Config, old: &str, new: &str) -> Vec<Repointing> {
    let mut outcomes = Vec::new();
    if !config.green_api.id_instance.is_empty() {
        outcomes.push(Repointing {
            provider: Provider::GreenApi,
            result: green_api(config, old, new).await,
        });
    }
    if config.moysklad.token.is_set() {
        outcomes.push(Repointing {
            provider: Provider::Moysklad,
            result: moysklad(config, old, new).await,
        });
    }
    outcomes.push(Repointing {
        provider: Provider::Reestr,
        result: Ok(Repointed::ReestrByHand {
            url: Provider::Reestr.webhook_url(new),
        }),
    });
    outcomes
}

async fn green_api(config: &Config, old: &str, new: &str) -> Result<Repointed, ApiError> {
    let instance = Instance::new(&config.green_api)?;
    let settings = instance.settings().await?;
    let current = settings["webhookUrl"].as_str().unwrap_or_default();
    let Some(url) = tunnel::moved(current, old, new) else {
        return Ok(Repointed::GreenElsewhere {
            current: current.into(),
            old: old.into(),
        });
    };
    instance
        .set_settings(&green_api::webhook_url_only(&url))
        .await?;
    Ok(Repointed::GreenMoved { url })
}

async fn moysklad(config: &Config, old: &str, new: &str) -> Result<Repointed, ApiError> {
    let account = Account::new(&config.moysklad)?;
    let webhooks = account.webhooks().await?;
    let (mut moved_kinds, mut deleted) = (Vec::new(), Vec::new());
    for webhook in &webhooks {
        let Some(url) = tunnel::moved(&webhook.url, old, new) else {
            continue;
        };
        let kind = format!("{} {}", webhook.entity_type, webhook.action);
        // When the new URL already has this kind, the old registration only points at a dead
        // tunnel, and moving it would be refused.
        if webhook.has_twin_at(&url, &webhooks) {
            account.delete(webhook).await?;
            deleted.push(kind);
        } else {
            account.update(webhook, json!({ "url": url })).await?;
            moved_kinds.push(kind);
        }
    }
    Ok(Repointed::Moysklad {
        moved: moved_kinds,
        deleted,
        old: old.into(),
        new: new.into(),
    })
}
