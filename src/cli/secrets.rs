//! `hookscope secrets`: where the settings' tokens are kept, and `--move-to` to move them.

use std::path::Path;

use anyhow::bail;
use hookscope::config::{vault, KeepIn, Kept, Paths, Place};

pub fn secrets(paths: &Paths, move_to: Option<KeepIn>) -> anyhow::Result<()> {
    let mut config = super::config(paths)?;
    let kept = match move_to {
        Some(keep_in) => {
            config.secrets.keep_in = keep_in;
            config.save(&paths.config_file)?
        }
        None => vault::kept(&config),
    };
    let said = where_kept(&kept, &paths.config_file);
    if move_to == Some(KeepIn::Keyring) && kept.place != Place::Keyring {
        bail!("{said} Nothing was moved.");
    }
    println!("{said}");
    let set: Vec<_> = config
        .tokens()
        .into_iter()
        .filter(|(_, token)| token.is_set())
        .map(|(key, _)| key)
        .collect();
    match set.is_empty() {
        true => println!("No token is set."),
        false => println!("Set: {}.", set.join(", ")),
    }
    Ok(())
}

/// Where the tokens are, as a sentence; and what to do about tokens the keyring kept back.
pub fn where_kept(kept: &Kept, file: &Path) -> String {
    let file = file.display();
    let mut said = match &kept.place {
        Place::Keyring => {
            format!("Tokens are kept in the system keyring; {file} names them, never holds them.")
        }
        Place::File { why: None } => format!(
            "Tokens are kept in {file}, readable by you only (`hookscope secrets --move-to keyring` moves them to the system keyring)."
        ),
        Place::File { why: Some(why) } => format!(
            "No keyring answered ({why}), so tokens are kept in {file}, readable by you only."
        ),
    };
    if !kept.not_moved.is_empty() {
        let (now, to) = match kept.place {
            Place::Keyring => ("the settings file", "keyring"),
            Place::File { .. } => ("the keyring", "file"),
        };
        said.push_str(&format!(
            " Not moved yet, in {now}: {}; `hookscope secrets --move-to {to}` moves {}.",
            kept.not_moved.join(", "),
            if kept.not_moved.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
    }
    if !kept.unread.is_empty() {
        said.push_str(&format!(
            " The keyring did not give back {}: unlock it (sign in to your desktop session) and run hookscope again, or set {} again.",
            kept.unread.join(", "),
            them(&kept.unread),
        ));
    }
    said
}

fn them(keys: &[&str]) -> &'static str {
    if keys.len() == 1 {
        "it"
    } else {
        "them"
    }
}
