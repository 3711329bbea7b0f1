//! `hookscope send-sample`: the built-in provider samples, posted to the listener.

use anyhow::bail;
use hookscope::capture::Provider;
use hookscope::config::{Config, Paths};
use hookscope::samples::{self, SAMPLES};

use super::{runtime, target};

/// Whether the provider of `sample` has no token or secret configured to check against.
fn status_unchecked(config: &Config, sample: &samples::Sample) -> bool {
    if sample.path == Provider::GreenApi.path() {
        !config.green_api.webhook_url_token.is_set()
    } else if sample.path == Provider::Reestr.path() {
        !config.reestr.secret_key.is_set()
    } else {
        false
    }
}

pub fn send(paths: &Paths, name: Option<&str>, to: Option<&str>, list: bool) -> anyhow::Result<()> {
    if list {
        for sample in SAMPLES {
            println!("{:<34} {:<10} {}", sample.name, sample.path, sample.about);
        }
        return Ok(());
    }
    let Some(name) = name else {
        bail!("Name a sample to send, e.g. `hookscope send-sample green-api-incoming-text`; `hookscope send-sample --list` shows them all.");
    };
    let Some(sample) = samples::find(name) else {
        let near: Vec<&str> = SAMPLES
            .iter()
            .map(|s| s.name)
            .filter(|n| {
                name.split('-')
                    .any(|part| part.len() > 2 && n.contains(part))
            })
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" Did you mean {}?", near.join(", "))
        };
        bail!(
            "There is no sample \"{name}\".{hint} `hookscope send-sample --list` shows them all."
        );
    };
    let config = Config::load_or_create(&paths.config_file)?;
    let base = target(&config, to);
    runtime()?.block_on(async {
        for sent in samples::send(sample, &config, &base).await? {
            let capture = sent
                .capture
                .map(|id| format!(" (capture #{id})"))
                .unwrap_or_default();
            let status = reqwest::StatusCode::from_u16(sent.status)
                .map_or_else(|_| sent.status.to_string(), |s| s.to_string());
            println!("POST {} -> {status}{capture} {:?}", sent.url, sent.body);
        }
        if sample.variant == samples::Variant::WrongToken && status_unchecked(&config, sample) {
            println!("(accepted because no token or secret is configured for this provider, so nothing is checked)");
        }
        Ok(())
    })
}
