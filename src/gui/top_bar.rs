//! The top of the window: listener state, public URL and webhook URLs, counters, filter bar.

use egui::{RichText, Ui};

use super::ask::Question;
use super::panels::Call;
use super::texts::Counted;
use super::{App, Command};
use crate::capture::Provider;
use crate::filter::Filter;
use crate::providers::reestr::Confirmation;
use crate::tunnel::Source;

pub fn show(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    egui::Panel::top("listener").show(ui, |ui| {
        ui.add_space(4.0);
        // Everything wraps onto a second line in a narrow window instead of overlapping.
        ui.horizontal_wrapped(|ui| {
            ui.heading("hookscope");
            ui.separator();
            match (&app.engine, &app.listen_error) {
                (Some(engine), _) => {
                    ui.label(format!("{} http://{}", t.listening_on, engine.local_addr()));
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
            counters(ui, app);
            unconfirmed(ui, app);
            ui.separator();
            if ui.button(t.providers).clicked() {
                app.commands.push(Command::ToggleProviders);
            }
            if ui.button(t.settings).clicked() {
                app.commands.push(Command::OpenSettings);
            }
        });
        if let (None, Some(error)) = (&app.engine, app.listen_error.clone()) {
            // Why it is not listening, and the address to try instead, right there.
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, error);
                if app.store_damaged {
                    if ui.button(t.set_store_aside).clicked() {
                        app.commands.push(Command::SetStoreAside);
                    }
                } else {
                    listen_field(ui, app);
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(t.public_url);
            let id = egui::Id::new("public-url");
            let mut url = ui
                .data(|d| d.get_temp::<String>(id))
                .unwrap_or_else(|| app.config.tunnel.public_url.clone());
            let edit = ui.add(
                egui::TextEdit::singleline(&mut url)
                    .hint_text(t.public_url_hint)
                    .desired_width(260.0),
            );
            if edit.changed() {
                ui.data_mut(|d| d.insert_temp(id, url.clone()));
            }
            if edit.lost_focus() && url != app.config.tunnel.public_url {
                ui.data_mut(|d| d.remove::<String>(id));
                app.commands.push(Command::SetPublicUrl(url));
            }
            if ui.button(t.detect).on_hover_text(t.detect_hint).clicked() {
                // Detection only runs while no URL is typed: clearing it hands over to it.
                ui.data_mut(|d| d.remove::<String>(id));
                app.commands.push(Command::SetPublicUrl(String::new()));
            }
            if let Some(found) = app
                .panels
                .tunnel
                .as_ref()
                .filter(|f| f.source != Source::Typed)
            {
                let source = app.remembered.language.tunnel_source(&found.source);
                ui.label(RichText::new(&found.url).monospace())
                    .on_hover_text(format!("{} {source}", t.found_at));
            } else if let (None, Some(missing)) = (&app.panels.tunnel, &app.panels.tunnel_missing) {
                ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {}", t.no_tunnel))
                    .on_hover_text(missing);
            }
            // The base is shown once (above, or in the listener line); each provider shows its
            // path, and its copy button copies the whole URL.
            let base = public_base(app);
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
                    app.commands.push(Command::CopyText(url));
                }
            }
        });
        ui.add_space(2.0);
    });
    if app.panels.url_changed.is_some() {
        egui::Panel::top("url-changed").show(ui, |ui| url_changed(ui, app));
    }
    egui::Panel::top("filter").show(ui, |ui| filter_bar(ui, app));
    if let Some((notice, _)) = &app.notice {
        egui::Panel::bottom("notice").show(ui, |ui| {
            ui.label(notice);
        });
    }
}

/// The public URL when one is typed or found, else the local listener's.
fn public_base(app: &App) -> String {
    if let Some(found) = &app.panels.tunnel {
        return found.url.clone();
    }
    let addr = app
        .engine
        .as_ref()
        .map_or(app.config.listener.listen, |e| e.local_addr());
    format!("http://{addr}")
}

/// The tunnel's URL changed: offer to move every provider over, then say how each went.
fn url_changed(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    let Some((old, new)) = app.panels.url_changed.clone() else {
        return;
    };
    let outcomes = &app.panels.repointed;
    let all_moved = !outcomes.is_empty() && outcomes.iter().all(|o| o.result.is_ok());
    ui.horizontal_wrapped(|ui| {
        if all_moved {
            let text = t.reregistered.replace("{new}", &new);
            ui.colored_label(super::theme::SUCCESS, format!("✔ {text}"));
        } else {
            let text = t.url_changed.replace("{old}", &old).replace("{new}", &new);
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {text}"));
            if ui.button(t.reregister).clicked() {
                app.commands.push(Question::command(
                    t.ask_reregister
                        .replace("{old}", &old)
                        .replace("{new}", &new),
                    t.yes_reregister,
                    Command::Provider(Call::Repoint { old, new }),
                ));
            }
        }
        if ui.button(t.dismiss).clicked() {
            app.commands.push(Command::DismissUrlChange);
        }
    });
    let language = app.remembered.language;
    for outcome in &app.panels.repointed {
        let name = outcome.provider.name();
        match &outcome.result {
            Ok(done) => ui.label(format!("{name}: {}", language.repointed(done))),
            Err(e) => ui.colored_label(ui.visuals().error_fg_color, format!("{name}: {e}")),
        };
    }
}

/// Shown when the listener is not running: change the address right here.
fn listen_field(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    let id = egui::Id::new("listen-address");
    let mut text = ui
        .data(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| app.config.listener.listen.to_string());
    ui.label(t.address);
    let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(140.0));
    if edit.changed() {
        ui.data_mut(|d| d.insert_temp(id, text.clone()));
    }
    let parsed = text.trim().parse();
    let start = ui.add_enabled(parsed.is_ok(), egui::Button::new(t.start));
    if start.clicked() || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
        if let Ok(addr) = parsed {
            app.commands.push(Command::Listen(addr));
        }
    }
}

/// The newest Reestr confirm could not succeed: said here too, since the address stays
/// unconfirmed until the cabinet asks again.
fn unconfirmed(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    if let Some((time, Confirmation::NoString)) = &app.panels.reestr.confirmation {
        let hover = t.confirm_no_string.replace("{time}", time);
        let warning =
            RichText::new(format!("⚠ {}", t.confirm_unanswered)).color(ui.visuals().warn_fg_color);
        if ui.link(warning).on_hover_text(hover).clicked() {
            app.commands
                .push(Command::ShowProvider(super::panels::Tab::Reestr));
        }
    }
}

fn counters(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    let rate = app.list.per_second();
    let language = app.remembered.language;
    ui.label(language.count(app.list.repeats(), Counted::Repeat));
    ui.label(t.rejected.replace("{n}", &app.list.rejected().to_string()));
    ui.label(format!("{rate}{}", t.per_second));
    let total = t.total.replace("{n}", &app.list.rows().len().to_string());
    ui.label(RichText::new(total).strong());
    let limit = app.config.listener.max_store_bytes;
    let full = app.store_bytes as f64 / limit.max(1) as f64;
    let usage = format!(
        "{} / {} {}",
        language.size(app.store_bytes),
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

fn filter_bar(ui: &mut Ui, app: &mut App) {
    let t = app.texts();
    ui.add_space(2.0);
    ui.horizontal_wrapped(|ui| {
        let mut text = app.filter.text.clone();
        // Room for the chips beside it; below them when the window is narrow.
        let edit = ui.add(
            egui::TextEdit::singleline(&mut text)
                .id(egui::Id::new("filter"))
                .hint_text(t.filter_hint)
                .desired_width((ui.available_width() - 340.0).max(260.0)),
        );
        if std::mem::take(&mut app.filter.focus) {
            edit.request_focus();
        }
        if edit.changed() {
            app.commands.push(Command::SetFilter(text));
        }
        if ui
            .add_enabled(!app.filter.text.is_empty(), egui::Button::new("✖"))
            .on_hover_text(t.clear_filter)
            .clicked()
        {
            app.commands.push(Command::SetFilter(String::new()));
        }
        let current = Filter::parse(&app.filter.text).ok();
        for provider in Provider::ALL {
            let chip = format!("provider:{}", provider.name());
            let on = app.filter.text.split_whitespace().any(|w| w == chip);
            if ui.selectable_label(on, provider.name()).clicked() {
                app.commands
                    .push(Command::SetFilter(toggle_chip(&app.filter.text, &chip)));
            }
        }
        if app.filter.pending && current.is_some() {
            ui.spinner();
            ui.label(t.filtering);
        }
    });
    if let Some(error) = &app.filter.error {
        let text = app.remembered.language.filter_error(error);
        ui.colored_label(ui.visuals().error_fg_color, text);
    }
    ui.add_space(2.0);
}

/// Adds a `provider:` chip to the filter, replacing another provider chip, or removes it.
fn toggle_chip(filter: &str, chip: &str) -> String {
    let words: Vec<&str> = filter.split_whitespace().collect();
    if words.contains(&chip) {
        return words
            .into_iter()
            .filter(|w| *w != chip)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut kept: Vec<&str> = words
        .into_iter()
        .filter(|w| !w.starts_with("provider:"))
        .collect();
    kept.push(chip);
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::toggle_chip;

    #[test]
    fn chips_toggle_and_replace_each_other() {
        assert_eq!(toggle_chip("", "provider:reestr"), "provider:reestr");
        assert_eq!(toggle_chip("x provider:reestr", "provider:reestr"), "x");
        assert_eq!(
            toggle_chip("provider:reestr x", "provider:moysklad"),
            "x provider:moysklad"
        );
    }
}
