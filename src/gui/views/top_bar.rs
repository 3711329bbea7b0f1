//! The top of the window: listener state, public URL and webhook URLs, counters, filter bar.

use egui::{RichText, Ui};

use crate::capture::Provider;
use crate::filter::Filter;
use crate::gui::command::Command;
use crate::gui::command::TunnelCall;
use crate::gui::state::prompt::Prompt;
use crate::gui::state::AppState;
use crate::gui::texts::Counted;
use crate::providers::reestr::Confirmation;
use crate::tunnel::quick::Program;
use crate::tunnel::Source;

pub fn show(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    egui::Panel::top("listener").show(ui, |ui| {
        ui.add_space(4.0);
        // Everything wraps onto a second line in a narrow window instead of overlapping; each
        // label moves whole rather than breaking mid-label.
        ui.horizontal_wrapped(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            ui.heading("hookscope");
            ui.separator();
            match (&state.listening, &state.listen_error) {
                (Some(addr), _) => {
                    ui.label(format!("{} http://{addr}", t.listening_on));
                    if crate::engine::open_to_others(*addr) {
                        let warning = ui.visuals().warn_fg_color;
                        ui.colored_label(warning, t.open_to_others).on_hover_text(
                            t.open_to_others_hint
                                .replace("{ip}", &addr.ip().to_string()),
                        );
                    }
                }
                (None, Some(_)) => {
                    ui.colored_label(ui.visuals().error_fg_color, t.not_listening);
                }
                (None, None) => {
                    ui.spinner();
                    ui.label(t.not_listening);
                }
            }
            ui.separator();
            counters(ui, state);
            unconfirmed(ui, state);
            fell_back(ui, state);
            ui.separator();
            if ui.button(t.providers).clicked() {
                state.commands.push(Command::ToggleProviders);
            }
            if ui.button(t.settings).clicked() {
                state.commands.push(Command::OpenSettings);
            }
            super::team::top_bar(ui, state);
            super::forward::top_bar(ui, state);
            super::responses::top_bar(ui, state);
        });
        if let Some(not_saving) = &state.not_saving {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {not_saving}"));
        }
        if let (None, Some(error)) = (&state.listening, state.listen_error.clone()) {
            // Why it is not listening, and the address to try instead, right there.
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, error);
                if state.store_damaged {
                    if ui.button(t.set_store_aside).clicked() {
                        state.commands.push(Command::SetStoreAside);
                    }
                } else {
                    listen_field(ui, state);
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(t.public_url);
            let id = egui::Id::new("public-url");
            let mut url = ui
                .data(|d| d.get_temp::<String>(id))
                .unwrap_or_else(|| state.config.tunnel.public_url.clone());
            let edit = ui.add(
                egui::TextEdit::singleline(&mut url)
                    .hint_text(t.public_url_hint)
                    .desired_width(260.0),
            );
            if edit.changed() {
                ui.data_mut(|d| d.insert_temp(id, url.clone()));
            }
            if edit.lost_focus() && url != state.config.tunnel.public_url {
                ui.data_mut(|d| d.remove::<String>(id));
                state.commands.push(Command::SetPublicUrl(url));
            }
            if ui.button(t.detect).on_hover_text(t.detect_hint).clicked() {
                // Detection only runs while no URL is typed: clearing it hands over to it.
                ui.data_mut(|d| d.remove::<String>(id));
                state.commands.push(Command::SetPublicUrl(String::new()));
            }
            quick_tunnel(ui, state);
            if let Some(found) = state
                .panels
                .tunnel
                .as_ref()
                .filter(|f| f.source != Source::Typed)
            {
                let source = state.language.tunnel_source(&found.source);
                ui.label(RichText::new(&found.url).monospace())
                    .on_hover_text(format!("{} {source}", t.found_at));
            } else if let (None, Some(missing)) =
                (&state.panels.tunnel, &state.panels.tunnel_missing)
            {
                ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {}", t.no_tunnel))
                    .on_hover_text(missing);
            }
            // The base is shown once (above, or in the listener line); each provider shows its
            // path, and its copy button copies the whole URL.
            let base = public_base(state);
            for provider in [Provider::Reestr, Provider::GreenApi, Provider::Moysklad] {
                let path = provider.path();
                let url = provider.webhook_url(&base);
                ui.separator();
                super::theme::provider_badge(ui, provider);
                ui.label(RichText::new(path).monospace().small())
                    .on_hover_text(&url);
                if ui
                    .small_button("📋")
                    .on_hover_text(format!("{} {url}", t.copy))
                    .clicked()
                {
                    state.commands.push(Command::CopyText(url));
                }
            }
        });
        ui.add_space(2.0);
    });
    if state.panels.url_changed.is_some() {
        egui::Panel::top("url-changed").show(ui, |ui| url_changed(ui, state));
    }
    egui::Panel::top("filter").show(ui, |ui| filter_bar(ui, state));
    if let Some((notice, _)) = &state.notice {
        egui::Panel::bottom("notice").show(ui, |ui| {
            ui.label(notice);
        });
    }
}

/// The public URL when one is typed or found, else the local listener's.
fn public_base(state: &AppState) -> String {
    if let Some(found) = &state.panels.tunnel {
        return found.url.clone();
    }
    format!(
        "http://{}",
        state.listening.unwrap_or(state.config.listener.listen)
    )
}

/// The tunnel's URL changed: offer to move every provider over, then say how each went.
fn url_changed(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    let Some((old, new)) = state.panels.url_changed.clone() else {
        return;
    };
    let outcomes = &state.panels.repointed;
    let all_moved = !outcomes.is_empty() && outcomes.iter().all(|o| o.result.is_ok());
    ui.horizontal_wrapped(|ui| {
        if all_moved {
            let text = t.reregistered.replace("{new}", &new);
            ui.colored_label(
                super::theme::palette(ui.visuals()).success,
                format!("✔ {text}"),
            );
        } else {
            let text = t.url_changed.replace("{old}", &old).replace("{new}", &new);
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {text}"));
            if ui.button(t.reregister).clicked() {
                state.commands.push(Prompt::command(
                    t.ask_reregister
                        .replace("{old}", &old)
                        .replace("{new}", &new),
                    t.yes_reregister,
                    Command::Tunnel(TunnelCall::Repoint { old, new }),
                ));
            }
        }
        if ui.button(t.dismiss).clicked() {
            state.commands.push(Command::DismissUrlChange);
        }
    });
    let language = state.language;
    for outcome in &state.panels.repointed {
        let name = outcome.provider.name();
        match &outcome.result {
            Ok(done) => ui.label(format!("{name}: {}", language.repointed(done))),
            Err(e) => {
                let said = language.api_error(e);
                ui.colored_label(ui.visuals().error_fg_color, format!("{name}: {said}"))
            }
        };
    }
}

/// Shown when the listener is not running: change the address right here.
fn listen_field(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    let id = egui::Id::new("listen-address");
    let mut text = ui
        .data(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| state.config.listener.listen.to_string());
    ui.label(t.address);
    let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(140.0));
    if edit.changed() {
        ui.data_mut(|d| d.insert_temp(id, text.clone()));
    }
    let parsed = text.trim().parse();
    let start = ui.add_enabled(parsed.is_ok(), egui::Button::new(t.start));
    if start.clicked() || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
        if let Ok(addr) = parsed {
            state.commands.push(Command::Listen(addr));
        }
    }
}

/// The newest Reestr confirm could not succeed: said here too, since the address stays
/// unconfirmed until the cabinet asks again.
fn unconfirmed(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    if let Some((time, Confirmation::NoString)) = &state.panels.reestr.confirmation {
        let hover = t.confirm_unanswered_hint.replace("{time}", time);
        let warning =
            RichText::new(format!("⚠ {}", t.confirm_unanswered)).color(ui.visuals().warn_fg_color);
        if ui.link(warning).on_hover_text(hover).clicked() {
            state.commands.push(Command::ShowProvider(
                crate::gui::command::ProviderTab::Reestr,
            ));
        }
    }
}

/// Pass-through requests that got hookscope's answer, not the app's, because the app was
/// still answering an earlier one of their queue.
fn fell_back(ui: &mut Ui, state: &AppState) {
    let fell_back = &state.fell_back;
    if fell_back.count == 0 {
        return;
    }
    let t = state.texts();
    let said = t.fell_back.replace("{n}", &fell_back.count.to_string());
    let target = fell_back
        .last
        .as_ref()
        .map_or("", |(target, _)| target.as_str());
    ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {said}"))
        .on_hover_text(t.fell_back_hint.replace("{target}", target));
}

fn counters(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    let rate = state.list.per_second();
    let language = state.language;
    ui.label(language.count(state.list.repeats(), Counted::Repeat));
    ui.label(
        t.rejected
            .replace("{n}", &state.list.rejected().to_string()),
    );
    ui.label(format!("{rate}{}", t.per_second));
    let held = state.list.rows().len() as u64;
    let all = held + state.older_left;
    let filtered = state.filter.parsed.as_ref().is_ok_and(|f| !f.is_empty());
    let total = if filtered {
        t.shown_of
            .replace("{n}", &state.list.visible().len().to_string())
            .replace("{all}", &all.to_string())
    } else {
        t.total.replace("{n}", &all.to_string())
    };
    ui.label(RichText::new(total).strong());
    if state.older_left > 0 {
        ui.spinner();
        ui.label(
            t.reading_older
                .replace("{n}", &state.older_left.to_string()),
        );
    }
    let limit = state.config.listener.max_store_bytes;
    let full = state.store_bytes as f64 / limit.max(1) as f64;
    let usage = format!(
        "{} / {} {}",
        language.size(state.store_bytes),
        language.size(limit),
        t.on_disk
    );
    // Past nine tenths the oldest captures are about to go.
    let usage = if full > 0.9 {
        RichText::new(usage).color(ui.visuals().warn_fg_color)
    } else {
        RichText::new(usage).weak()
    };
    ui.label(usage).on_hover_text(t.store_limit_hint);
}

fn filter_bar(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    ui.add_space(2.0);
    ui.horizontal_wrapped(|ui| {
        let mut text = state.filter.text.clone();
        // Room for the chips beside it; below them when the window is narrow.
        let edit = ui.add(
            egui::TextEdit::singleline(&mut text)
                .id(egui::Id::new("filter"))
                .hint_text(t.filter_hint)
                .desired_width((ui.available_width() - 340.0).max(260.0)),
        );
        if std::mem::take(&mut state.filter.focus) {
            edit.request_focus();
        }
        if edit.changed() {
            state.commands.push(Command::SetFilter(text));
        }
        if ui
            .add_enabled(!state.filter.text.is_empty(), egui::Button::new("✖"))
            .on_hover_text(t.clear_filter)
            .clicked()
        {
            state.commands.push(Command::SetFilter(String::new()));
        }
        let current = Filter::parse(&state.filter.text).ok();
        for provider in Provider::ALL {
            let on = current.as_ref().is_some_and(|f| f.names_provider(provider));
            if ui.selectable_label(on, provider.name()).clicked() {
                let toggled = toggle_chip(&state.filter.text, provider, on);
                state.commands.push(Command::SetFilter(toggled));
            }
        }
        if state.filter.pending && current.is_some() {
            ui.spinner();
            ui.label(t.filtering);
        }
    });
    if let Some(error) = state.filter.error() {
        let text = state.language.filter_error(error);
        ui.colored_label(ui.visuals().error_fg_color, text);
    }
    ui.add_space(2.0);
}

/// Adds a `provider:` chip to the filter, replacing another provider's, or removes it (in
/// whichever spelling it was typed) when it is `on`.
fn toggle_chip(filter: &str, provider: Provider, on: bool) -> String {
    let names = |word: &str| {
        word.strip_prefix("provider:")
            .and_then(|value| Filter::parse(&format!("provider:{value}")).ok())
            .is_some_and(|f| f.names_provider(provider))
    };
    let mut kept: Vec<String> = filter
        .split_whitespace()
        .filter(|w| {
            if on {
                !names(w)
            } else {
                !w.starts_with("provider:")
            }
        })
        .map(str::to_string)
        .collect();
    if !on {
        kept.push(format!("provider:{}", provider.name()));
    }
    kept.join(" ")
}

/// Start tunnel (with the programs to choose from), its progress, or Stop tunnel.
fn quick_tunnel(ui: &mut Ui, state: &mut AppState) {
    let t = state.texts();
    if let Some(program) = state.panels.starting {
        ui.spinner();
        ui.label(t.tunnel_starting.replace("{program}", program.name()));
    } else if state.config.tunnel.started.is_some() {
        if ui.button(t.stop_tunnel).clicked() {
            state.commands.push(Command::Tunnel(TunnelCall::Stop));
        }
    } else {
        ui.menu_button(t.start_tunnel, |ui| {
            for program in Program::ALL {
                if ui.button(program.name()).clicked() {
                    state
                        .commands
                        .push(Command::Tunnel(TunnelCall::Start(program)));
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text(t.start_tunnel_hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_toggle_and_replace_each_other_in_any_spelling() {
        assert_eq!(toggle_chip("", Provider::Reestr, false), "provider:reestr");
        assert_eq!(
            toggle_chip("x provider:reestr", Provider::Reestr, true),
            "x"
        );
        assert_eq!(
            toggle_chip("provider:reestr x", Provider::Moysklad, false),
            "x provider:moysklad"
        );
        // Typed as greenapi, it lights the GREEN-API chip, which takes it off again.
        let typed = Filter::parse("provider:greenapi status:200").unwrap();
        assert!(typed.names_provider(Provider::GreenApi));
        assert_eq!(
            toggle_chip("provider:greenapi status:200", Provider::GreenApi, true),
            "status:200"
        );
    }
}
