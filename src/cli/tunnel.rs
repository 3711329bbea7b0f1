//! `hookscope tunnel`: the public URL, and moving providers over when it changed.

use anyhow::{anyhow, bail};
use hookscope::capture::Provider;
use hookscope::config::{Config, Paths};
use hookscope::repoint;
use hookscope::tunnel;

use super::{config, runtime, shown};

/// The public URL (typed or detected) with a provider's path, or the sentence saying why there
/// is none.
pub(super) async fn webhook_url(config: &Config, provider: Provider) -> anyhow::Result<String> {
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
                Err(error) => {
                    failed = true;
                    ("FAILED", error.to_string())
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
