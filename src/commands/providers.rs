//! The provider commands: tunnel discovery, GREEN-API settings, MoySklad webhooks, Reestr
//! orders and the Rosreestr events feed. Each failed call exits non-zero with the provider's
//! own error in the sentence.

use std::io::Write;

use anyhow::{anyhow, bail};
use hookscope::capture::Provider;
use hookscope::config::{Config, Paths, Secret};
use hookscope::providers::green_api::api::{self as green, Instance};
use hookscope::providers::kontur::{self, Feed};
use hookscope::providers::moysklad::api::{self as sklad, Account, NewWebhook};
use hookscope::providers::reestr;
use hookscope::{repoint, tunnel};
use serde_json::Value;

use super::{runtime, shown};

fn config(paths: &Paths) -> anyhow::Result<Config> {
    Ok(Config::load_or_create(&paths.config_file)?)
}

/// The public URL (typed or detected) with a provider's path, or the sentence saying why there
/// is none.
async fn webhook_url(config: &Config, provider: Provider) -> anyhow::Result<String> {
    let found = tunnel::find(&config.tunnel, config.listener.listen.port())
        .await
        .map_err(|e| anyhow!("{e} Or pass --url."))?;
    Ok(provider.webhook_url(&found.url))
}

pub fn tunnel(paths: &Paths, repoint_from: Option<&str>) -> anyhow::Result<()> {
    let config = config(paths)?;
    runtime()?.block_on(async {
        let found = tunnel::find(&config.tunnel, config.listener.listen.port()).await?;
        println!("{}", shown(&found.url));
        println!("  from {}", found.source);
        for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
            println!(
                "  {:<10} {}/{}",
                provider.name(),
                found.url,
                provider.name()
            );
        }
        let Some(old) = repoint_from else {
            return Ok(());
        };
        if old.trim_end_matches('/') == found.url {
            bail!("{old} is the current public URL; pass the old one to --repoint.");
        }
        let mut failed = false;
        for outcome in repoint::repoint(&config, old, &found.url).await {
            let (mark, text) = match outcome.result {
                Ok(done) => ("ok", done.to_string()),
                Err(text) => {
                    failed = true;
                    ("FAILED", text)
                }
            };
            println!("{:<10} {mark}: {}", outcome.provider.name(), shown(&text));
        }
        if failed {
            bail!("Some providers were not re-pointed; see above.");
        }
        Ok(())
    })
}

pub fn green_api_settings(paths: &Paths, json: bool) -> anyhow::Result<()> {
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

pub fn green_api_set_webhook(
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
            None => webhook_url(&config, Provider::GreenApi).await?,
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

pub fn green_api_disconnect(paths: &Paths) -> anyhow::Result<()> {
    let config = config(paths)?;
    let instance = Instance::new(&config.green_api)?;
    runtime()?.block_on(instance.set_settings(&green::webhook_url_only("")))?;
    println!("GREEN-API saved the settings: webhooks are off (empty webhookUrl). Changes apply within about 5 minutes.");
    Ok(())
}

/// A line from standard input; typed at a terminal, it is not shown.
fn read_password() -> std::io::Result<String> {
    let stdin = std::io::stdin();
    #[cfg(unix)]
    let shown = {
        use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
        let saved = tcgetattr(&stdin).ok();
        if let Some(saved) = &saved {
            let mut hidden = saved.clone();
            hidden.local_modes.remove(LocalModes::ECHO);
            let _ = tcsetattr(&stdin, OptionalActions::Now, &hidden);
        }
        saved
    };
    let mut line = String::new();
    let read = stdin.read_line(&mut line);
    #[cfg(unix)]
    if let Some(shown) = shown {
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &shown);
        // The Enter that ended the password was not echoed either.
        eprintln!();
    }
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn moysklad_login(paths: &Paths, login: &str) -> anyhow::Result<()> {
    let mut config = config(paths)?;
    let password = match std::env::var("HOOKSCOPE_MOYSKLAD_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprint!("MoySklad password for {login}: ");
            read_password()?
        }
    };
    if password.is_empty() {
        bail!("No password was given: type it, or set HOOKSCOPE_MOYSKLAD_PASSWORD.");
    }
    let token = runtime()?.block_on(sklad::obtain_token(
        &config.moysklad.api_url,
        login,
        &password,
    ))?;
    config.moysklad.token = token;
    config.save(&paths.config_file)?;
    println!(
        "Logged in to MoySklad as {login}; the token is saved in {} (readable by you only).",
        paths.config_file.display()
    );
    Ok(())
}

pub enum WebhookAction {
    List { json: bool },
    Create(NewWebhook),
    SetEnabled(String, bool),
    Delete(String),
}

pub fn moysklad_webhooks(paths: &Paths, action: WebhookAction) -> anyhow::Result<()> {
    let config = config(paths)?;
    let account = Account::new(&config.moysklad)?;
    runtime()?.block_on(async {
        match action {
            WebhookAction::List { json } => {
                let webhooks = account.webhooks().await?;
                let public = tunnel::find(&config.tunnel, config.listener.listen.port())
                    .await
                    .ok()
                    .map(|f| f.url);
                list_webhooks(&webhooks, public.as_deref(), json)?;
            }
            WebhookAction::Create(mut new) => {
                if new.url.is_empty() {
                    new.url = webhook_url(&config, Provider::Moysklad).await?;
                }
                let made = account.create(&new).await?;
                println!("created {}", webhook_line(&made, None));
            }
            WebhookAction::SetEnabled(id, enabled) => {
                let webhook = account.webhook(&id).await?;
                let done = account
                    .update(&webhook, serde_json::json!({ "enabled": enabled }))
                    .await?;
                let word = if enabled { "enabled" } else { "disabled" };
                println!("{word} {}", webhook_line(&done, None));
            }
            WebhookAction::Delete(id) => {
                let webhook = account.webhook(&id).await?;
                account.delete(&webhook).await?;
                println!("deleted {}", webhook_line(&webhook, None));
            }
        }
        anyhow::Ok(())
    })
}

fn webhook_line(w: &sklad::Webhook, public: Option<&str>) -> String {
    let here = match public {
        Some(p) if w.url.starts_with(p) => "  (this tunnel)",
        _ => "",
    };
    let line = format!(
        "{:<36}  {:<15} {:<9} {:<6} {:<8} {}{here}",
        w.id,
        w.entity_type,
        w.action,
        if w.diff_type.is_empty() {
            "-"
        } else {
            &w.diff_type
        },
        if w.enabled { "enabled" } else { "disabled" },
        w.url
    );
    shown(&line).into_owned()
}

fn list_webhooks(
    webhooks: &[sklad::Webhook],
    public: Option<&str>,
    json: bool,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        for w in webhooks {
            writeln!(out, "{}", w.raw)?;
        }
        return Ok(());
    }
    if webhooks.is_empty() {
        writeln!(out, "No webhooks yet. Create one with `hookscope moysklad webhooks create --entity-type customerorder --action CREATE`.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<36}  {:<15} {:<9} {:<6} {:<8} URL",
        "ID", "ENTITY TYPE", "ACTION", "DIFF", "STATE"
    )?;
    for w in webhooks {
        writeln!(out, "{}", webhook_line(w, public))?;
    }
    Ok(())
}

pub fn moysklad_object(paths: &Paths, href: &str) -> anyhow::Result<()> {
    let config = config(paths)?;
    let account = Account::new(&config.moysklad)?;
    let object = runtime()?.block_on(account.load(href))?;
    println!("{}", serde_json::to_string_pretty(&object)?);
    Ok(())
}

pub fn reestr_order(paths: &Paths, order_id: &str) -> anyhow::Result<()> {
    let config = config(paths)?;
    let order = runtime()?.block_on(reestr::api::order(&config.reestr, order_id))?;
    println!("{}", serde_json::to_string_pretty(&order)?);
    Ok(())
}

pub fn rosreestr_events(
    paths: &Paths,
    after: Option<&str>,
    count: Option<u8>,
    all: bool,
    json: bool,
) -> anyhow::Result<()> {
    let config = config(paths)?;
    let feed = Feed::new(&config.kontur)?;
    let count = count.unwrap_or(if all {
        kontur::MAX_COUNT
    } else {
        kontur::DEFAULT_COUNT
    });
    let mut cursor = after.map(str::to_string);
    let mut out = std::io::stdout().lock();
    let mut shown = 0usize;
    runtime()?.block_on(async {
        loop {
            let page = feed.page(cursor.as_deref(), count).await?;
            for event in &page.events {
                if json {
                    writeln!(out, "{}", event.raw)?;
                } else {
                    writeln!(out, "{}", event_line(event))?;
                }
            }
            shown += page.events.len();
            let advanced = page.cursor != cursor;
            cursor = page.cursor;
            // A short page is the end of the feed for now; so is a cursor that did not move.
            if !all || page.events.len() < usize::from(count) || !advanced {
                break;
            }
        }
        out.flush()?;
        anyhow::Ok(())
    })?;
    if !json && shown == 0 {
        eprintln!("No events after this cursor yet.");
    }
    match cursor {
        Some(cursor) => eprintln!("cursor: {cursor}  (continue with --after {cursor})"),
        None => eprintln!("cursor: (none: the feed is empty)"),
    }
    Ok(())
}

fn event_line(e: &kontur::Event) -> String {
    let requirement = e
        .requirement
        .as_ref()
        .map(|r| format!("  {}: {}", r.service, r.message))
        .unwrap_or_default();
    let line = format!(
        "{:<25} {:<22} {:<20} {:<36} {}{requirement}",
        e.event_date, e.docflow_state, e.docflow_type, e.docflow_id, e.external_id
    );
    shown(&line).into_owned()
}
