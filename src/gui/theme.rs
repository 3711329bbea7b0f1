//! Colours and sizes, in one place.

use egui::Color32;

use crate::capture::Provider;

pub const ROW_HEIGHT: f32 = 20.0;

/// Green for what went well: a confirmed handshake, a webhook at this tunnel, a new event.
pub const SUCCESS: Color32 = Color32::from_rgb(60, 170, 90);

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
        400..=499 => Color32::from_rgb(0xd9, 0x77, 0x06),
        _ => visuals.error_fg_color,
    }
}

/// A provider name on its colour, for the table and the detail header.
pub fn provider_badge(ui: &mut egui::Ui, provider: Provider) {
    let text = egui::RichText::new(provider.name())
        .small()
        .color(Color32::WHITE)
        .background_color(provider_color(provider));
    ui.label(text);
}
