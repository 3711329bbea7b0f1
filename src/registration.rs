//! Whether each provider sends its webhooks to this hookscope, as the provider itself says:
//! GREEN-API's `webhookUrl` and MoySklad's webhook subscriptions, each compared with the public
//! URL and the provider's path. (Reestr has no such API: a `confirm` capture says it.)

use serde::Serialize;

use crate::capture::Provider;
use crate::config::Config;
use crate::http::ApiError;
use crate::providers::green_api::api::Instance;
use crate::providers::moysklad::api::Account;

/// One webhook address a provider holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hook {
    /// What it is for, in the provider's words: `webhookUrl`, `customerorder CREATE`.
    pub kind: String,
    pub url: String,
    /// MoySklad disables a webhook that answered only errors on more than 7 of 10 days.
    pub enabled: bool,
    /// It reaches this hookscope: it is the public URL with the provider's path.
    pub here: bool,
}

/// What a provider's API said about where its webhooks go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Registration {
    /// Not asked: the settings lack what asking takes; the sentence says what.
    NotAsked { why: String },
    /// Asked, and the provider did not answer as it should; the sentence says what happened.
    Failed { error: String },
    /// Every webhook address the provider holds; `registered` when one of them is enabled and
    /// reaches this hookscope.
    Asked { registered: bool, hooks: Vec<Hook> },
}

impl Registration {
    fn of(result: Result<Vec<Hook>, ApiError>) -> Registration {
        match result {
            Ok(hooks) => Registration::Asked {
                registered: hooks.iter().any(|h| h.enabled && h.here),
                hooks,
            },
            Err(e) if e.is_setting() => Registration::NotAsked { why: e.to_string() },
            Err(e) => Registration::Failed {
                error: e.to_string(),
            },
        }
    }
}

/// Whether `url` reaches this hookscope's `provider` path at the public URL `public`.
fn reaches(url: &str, public: Option<&str>, provider: Provider) -> bool {
    public.is_some_and(|public| url.starts_with(&provider.webhook_url(public)))
}

/// GREEN-API's `webhookUrl` (`getSettings`); an empty one means its webhooks are off.
pub async fn green_api(config: &Config, public: Option<&str>) -> Registration {
    let asked = async {
        let settings = Instance::new(&config.green_api)?.settings().await?;
        let url = settings["webhookUrl"].as_str().unwrap_or_default();
        Ok(match url.is_empty() {
            true => Vec::new(),
            false => vec![Hook {
                kind: "webhookUrl".into(),
                url: url.into(),
                enabled: true,
                here: reaches(url, public, Provider::GreenApi),
            }],
        })
    };
    Registration::of(asked.await)
}

/// Every webhook subscription of the MoySklad account, stock webhooks included.
pub async fn moysklad(config: &Config, public: Option<&str>) -> Registration {
    let asked = async {
        let webhooks = Account::new(&config.moysklad)?.webhooks().await?;
        Ok(webhooks
            .into_iter()
            .map(|w| Hook {
                kind: format!("{} {}", w.entity_type, w.action),
                here: reaches(&w.url, public, Provider::Moysklad),
                enabled: w.enabled,
                url: w.url,
            })
            .collect())
    };
    Registration::of(asked.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_url_with_the_providers_path_reaches_here() {
        let public = Some("https://a.trycloudflare.com");
        let at = |url| reaches(url, public, Provider::Moysklad);
        assert!(at("https://a.trycloudflare.com/moysklad"));
        assert!(at("https://a.trycloudflare.com/moysklad/orders"));
        assert!(!at("https://a.trycloudflare.com/green-api"));
        assert!(!at("https://b.trycloudflare.com/moysklad"));
        assert!(!reaches(
            "https://a.trycloudflare.com/moysklad",
            None,
            Provider::Moysklad
        ));
    }

    #[test]
    fn registered_needs_an_enabled_hook_that_reaches_here() {
        let hook = |enabled, here| Hook {
            kind: "customerorder CREATE".into(),
            url: "https://a.example/moysklad".into(),
            enabled,
            here,
        };
        let registered = |hooks| match Registration::of(Ok(hooks)) {
            Registration::Asked { registered, .. } => registered,
            other => panic!("{other:?}"),
        };
        assert!(registered(vec![hook(false, true), hook(true, true)]));
        assert!(!registered(vec![hook(false, true), hook(true, false)]));
        assert!(!registered(Vec::new()));
    }
}
