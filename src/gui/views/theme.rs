//! Colours and sizes, in one place.

use egui::Color32;

use crate::capture::Provider;

pub const ROW_HEIGHT: f32 = 20.0;
/// Provider badges' text: small, but not below what reads at a glance.
const BADGE_TEXT: f32 = 11.5;

/// The colours that carry meaning, for the theme in use: egui's own warning and error
/// colours, and a green that reads on both backgrounds.
pub struct Palette {
    /// What went well: a confirmed handshake, a webhook at this tunnel, a new event.
    pub success: Color32,
    pub warning: Color32,
    pub error: Color32,
}

/// Darker warnings for the light theme: egui's orange reads poorly on its light grey.
const LIGHT_WARNING: Color32 = Color32::from_rgb(166, 77, 0);

/// Sets the colours egui's own themes get wrong for this app; once, at start.
pub fn set_up(ctx: &egui::Context) {
    ctx.style_mut_of(egui::Theme::Light, |style| {
        style.visuals.warn_fg_color = LIGHT_WARNING;
    });
}

pub fn palette(visuals: &egui::Visuals) -> Palette {
    Palette {
        success: if visuals.dark_mode {
            Color32::from_rgb(60, 170, 90)
        } else {
            Color32::from_rgb(21, 101, 52)
        },
        warning: visuals.warn_fg_color,
        error: visuals.error_fg_color,
    }
}

pub fn provider_color(provider: Provider) -> Color32 {
    match provider {
        Provider::Reestr => Color32::from_rgb(0x3b, 0x82, 0xf6),
        Provider::GreenApi => Color32::from_rgb(0x16, 0xa3, 0x4a),
        Provider::Moysklad => Color32::from_rgb(0xea, 0x58, 0x0c),
        Provider::Generic => Color32::from_rgb(0x6b, 0x72, 0x80),
    }
}

pub fn status_color(status: u16, visuals: &egui::Visuals) -> Color32 {
    match status {
        200..=299 => visuals.text_color(),
        400..=499 => palette(visuals).warning,
        _ => palette(visuals).error,
    }
}

/// A provider name on its colour, for the table and the detail header.
pub fn provider_badge(ui: &mut egui::Ui, provider: Provider) {
    let text = egui::RichText::new(provider.name())
        .size(BADGE_TEXT)
        .color(Color32::WHITE)
        .background_color(provider_color(provider));
    ui.label(text);
}
