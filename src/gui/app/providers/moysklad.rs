//! The MoySklad panel's calls: a token for a login, the webhook subscriptions listed,
//! created, switched, moved and deleted, and the objects a capture names loaded.

use serde_json::json;

use super::{spawn, with_client, Done};
use crate::config::Secret;
use crate::gui::app::{commands::handle, providers::keep_drafts, Work};
use crate::gui::command::{Command, MoyskladCall, ProviderTab};
use crate::gui::state::AppState;
use crate::http::ApiError;
use crate::providers::moysklad::api::{self as sklad, Account, Webhook};

/// What a MoySklad call brought back.
pub enum MoyskladDone {
    Token(Result<Secret, ApiError>),
    Webhooks(Result<Vec<Webhook>, ApiError>),
    /// A webhook changed, with what happened in words.
    Changed(Result<String, ApiError>),
}

pub fn call(state: &mut AppState, work: &mut Work, call: MoyskladCall) {
    let config = keep_drafts(state, work);
    let t = state.texts();
    let account = || Account::new(&config.moysklad);
    match call {
        MoyskladCall::Login { login, password } => {
            let api_url = config.moysklad.api_url.clone();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                Done::Moysklad(MoyskladDone::Token(
                    sklad::obtain_token(&api_url, &login, &password).await,
                ))
            });
        }
        MoyskladCall::List => {
            let account = account();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                let listed = with_client(account, |a| async move { a.webhooks().await }).await;
                Done::Moysklad(MoyskladDone::Webhooks(listed))
            });
        }
        MoyskladCall::Create(new) => {
            let account = account();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                let made = with_client(account, |a| async move { a.create(&new).await }).await;
                changed(made.map(|w| t.sklad_created.replace("{webhook}", &w.name())))
            });
        }
        MoyskladCall::Enable(webhook, enable) => {
            let account = account();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                let done = with_client(account, |a| async move {
                    a.update(&webhook, json!({ "enabled": enable })).await
                })
                .await;
                let said = if enable {
                    t.sklad_enabled
                } else {
                    t.sklad_disabled
                };
                changed(done.map(|w| said.replace("{webhook}", &w.name())))
            });
        }
        MoyskladCall::Repoint(webhook, url) => {
            let account = account();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                let before = webhook.name();
                let done = with_client(account, |a| async move {
                    a.update(&webhook, json!({ "url": url })).await
                })
                .await;
                changed(done.map(|w| {
                    t.sklad_repointed
                        .replace("{webhook}", &before)
                        .replace("{url}", &w.url)
                }))
            });
        }
        MoyskladCall::Delete(webhook) => {
            let account = account();
            spawn(state, work, Some(ProviderTab::Moysklad), async move {
                let name = webhook.name();
                let done = with_client(account, |a| async move { a.delete(&webhook).await }).await;
                changed(done.map(|()| t.sklad_deleted.replace("{webhook}", &name)))
            });
        }
        MoyskladCall::Load { capture, hrefs } => {
            let account = account();
            spawn(state, work, None, async move {
                let result = with_client(account, |a| async move {
                    let mut objects = Vec::new();
                    for href in &hrefs {
                        objects.push(a.load(href).await?);
                    }
                    Ok(objects)
                })
                .await;
                Done::Loaded { capture, result }
            });
        }
    }
}

fn changed(result: Result<String, ApiError>) -> Done {
    Done::Moysklad(MoyskladDone::Changed(result))
}

pub fn apply(state: &mut AppState, work: &mut Work, done: MoyskladDone) {
    let panels = &mut state.panels;
    panels.busy.remove(&ProviderTab::Moysklad);
    match done {
        MoyskladDone::Token(Ok(token)) => {
            panels.draft.moysklad.token = token;
            panels.sklad.password.clear();
            handle(state, work, Command::Moysklad(MoyskladCall::List));
        }
        MoyskladDone::Token(Err(e)) | MoyskladDone::Webhooks(Err(e)) => {
            panels.sklad.outcome = Some(Err(e))
        }
        MoyskladDone::Webhooks(Ok(webhooks)) => panels.sklad.webhooks = Some(webhooks),
        MoyskladDone::Changed(result) => {
            let ok = result.is_ok();
            panels.sklad.outcome = Some(result);
            if ok {
                handle(state, work, Command::Moysklad(MoyskladCall::List));
            }
        }
    }
}
