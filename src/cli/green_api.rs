//! `hookscope green-api`: the instance's settings, and its webhooks pointed here or off.

use anyhow::bail;
use hookscope::capture::Provider;
use hookscope::config::{Paths, Secret};
use hookscope::providers::green_api::api::{self as green, Instance};
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
    let chosen: Vec<&str> = match notify {
        Some(fields) => fields.iter().map(String::as_str).collect(),
        None => green::default_switches(),
    };
    if let Some(unknown) = chosen
        .iter()
        .find(|f| !green::SWITCHES.iter().any(|s| s.field == **f))
    {
        let known: Vec<_> = green::SWITCHES.iter().map(|s| s.field).collect();
        bail!(
            "\"{unknown}\" is not a GREEN-API notification; choose from {}.",
            known.join(", ")
        );
    }
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
        let body =
            green::webhook_settings(&url, config.green_api.webhook_url_token.expose(), &chosen);
        instance.set_settings(&body).await?;
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
    println!("Notifications on: {}.", chosen.join(", "));
    println!("The instance restarts; changes apply within about 5 minutes.");
    Ok(())
}

pub fn disconnect(paths: &Paths) -> anyhow::Result<()> {
    let config = config(paths)?;
    let instance = Instance::new(&config.green_api)?;
    runtime()?.block_on(instance.set_settings(&green::webhook_url_only("")))?;
    println!("GREEN-API saved the settings: webhooks are off (empty webhookUrl). Changes apply within about 5 minutes.");
    Ok(())
}
