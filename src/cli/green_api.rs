//! `hookscope green-api`: the instance's settings, and its webhooks pointed here or off.

use anyhow::anyhow;
use hookscope::capture::Provider;
use hookscope::config::{Paths, Secret};
use hookscope::providers::green_api::api::{self as green, Instance, Notification};
use serde_json::Value;

use super::{config, runtime, shown};

pub fn settings(paths: &Paths, json: bool) -> anyhow::Result<()> {
    let config = config(paths)?;
    let instance = Instance::new(&config.green_api)?;
    let mut settings = runtime()?.block_on(instance.settings())?;
    if json {
        if let Some(token) = settings.get_mut("webhookUrlToken").filter(|t| t != &"") {
            *token = "***".into();
        }
        println!("{}", Value::Object(settings));
        return Ok(());
    }
    let lines = green::describe(&settings);
    let width = lines.iter().map(|(f, _)| f.len()).max().unwrap_or(0);
    for (field, value) in lines {
        println!("{field:<width$}  {}", shown(&value));
    }
    Ok(())
}

pub fn set_webhook(
    paths: &Paths,
    url: Option<&str>,
    token: Option<&str>,
    notify: Option<&[String]>,
) -> anyhow::Result<()> {
    let mut config = config(paths)?;
    let chosen: Vec<Notification> = match notify {
        Some(fields) => fields
            .iter()
            .map(|field| {
                Notification::from_field(field).ok_or_else(|| {
                    let known: Vec<_> = Notification::ALL.iter().map(|n| n.field()).collect();
                    anyhow!(
                        "\"{field}\" is not a GREEN-API notification; choose from {}.",
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?,
        None => Notification::defaults(),
    };
    if let Some(token) = token {
        // The listener must check the token GREEN-API will send, or every webhook gets 401.
        config.green_api.webhook_url_token = Secret::new(token);
    }
    let instance = Instance::new(&config.green_api)?;
    let url = runtime()?.block_on(async {
        let url = match url {
            Some(url) => url.to_string(),
            None => super::tunnel::webhook_url(&config, Provider::GreenApi).await?,
        };
        let token = config.green_api.webhook_url_token.expose();
        instance.connect(&url, token, &chosen).await?;
        anyhow::Ok(url)
    })?;
    if token.is_some() {
        config.save(&paths.config_file)?;
    }
    let token_note = if config.green_api.webhook_url_token.is_set() {
        "with the webhook token"
    } else {
        "without a webhook token (pass --token to have hookscope refuse deliveries that lack it)"
    };
    println!("GREEN-API saved the settings: webhooks go to {url} {token_note}.");
    let fields: Vec<_> = chosen.iter().map(|n| n.field()).collect();
    println!("Notifications on: {}.", fields.join(", "));
    println!("The instance restarts; changes apply within about 5 minutes.");
    Ok(())
}

pub fn disconnect(paths: &Paths) -> anyhow::Result<()> {
    let config = config(paths)?;
    let instance = Instance::new(&config.green_api)?;
    runtime()?.block_on(instance.disconnect())?;
    println!("GREEN-API saved the settings: webhooks are off (empty webhookUrl). Changes apply within about 5 minutes.");
    Ok(())
}
