//! `hookscope moysklad`: a token from a login, webhook subscriptions, and objects by href.

use std::io::Write;

use anyhow::bail;
use hookscope::capture::Provider;
use hookscope::config::{Paths, Place};
use hookscope::providers::moysklad::api::{self as sklad, Account, NewWebhook, Whereabouts};
use hookscope::tunnel;

use super::{config, runtime, shown};

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

pub fn login(paths: &Paths, login: &str) -> anyhow::Result<()> {
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
    let kept = config.save(&paths.config_file)?;
    let place = match kept.place {
        Place::Keyring => "the system keyring".to_string(),
        Place::File { .. } => format!("{} (readable by you only)", paths.config_file.display()),
    };
    println!("Logged in to MoySklad as {login}; the token is kept in {place}.");
    Ok(())
}

pub enum WebhookAction {
    List { json: bool },
    Create(NewWebhook),
    SetEnabled(String, bool),
    Delete(String),
}

pub fn webhooks(paths: &Paths, action: WebhookAction) -> anyhow::Result<()> {
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
                    new.url = super::tunnel::webhook_url(&config, Provider::Moysklad).await?;
                }
                let made = account.create(&new).await?;
                println!("created {}", webhook_line(&made, None, &[]));
            }
            WebhookAction::SetEnabled(id, enabled) => {
                let webhook = account.webhook(&id).await?;
                let done = account
                    .update(&webhook, serde_json::json!({ "enabled": enabled }))
                    .await?;
                let word = if enabled { "enabled" } else { "disabled" };
                println!("{word} {}", webhook_line(&done, None, &[]));
            }
            WebhookAction::Delete(id) => {
                let webhook = account.webhook(&id).await?;
                account.delete(&webhook).await?;
                println!("deleted {}", webhook_line(&webhook, None, &[]));
            }
        }
        anyhow::Ok(())
    })
}

/// A webhook's row; in a list, marked when it is at this tunnel or at an older one.
fn webhook_line(w: &sklad::Webhook, public: Option<&str>, all: &[sklad::Webhook]) -> String {
    let here = match w.whereabouts(public, all) {
        Whereabouts::ThisTunnel => "  (this tunnel)".to_string(),
        Whereabouts::OlderTunnel { twin: true, .. } => {
            "  (an older tunnel, and also at this one: delete this one)".to_string()
        }
        Whereabouts::OlderTunnel { twin: false, .. } => {
            let old = w.url.split('/').take(3).collect::<Vec<_>>().join("/");
            format!("  (an older tunnel: `hookscope tunnel --repoint {old}` moves it here)")
        }
        Whereabouts::Elsewhere => String::new(),
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
        writeln!(out, "{}", webhook_line(w, public, webhooks))?;
    }
    Ok(())
}

pub fn object(paths: &Paths, href: &str) -> anyhow::Result<()> {
    let config = config(paths)?;
    let account = Account::new(&config.moysklad)?;
    let object = runtime()?.block_on(account.load(href))?;
    println!("{}", serde_json::to_string_pretty(&object)?);
    Ok(())
}
