//! Where the settings' tokens are kept: the desktop's keyring (Secret Service, Keychain,
//! Credential Manager) when the settings ask for it and one answers, else the settings file,
//! readable by its owner only. When the keyring holds a token the file names its entry
//! (`token = { keyring = "moysklad.token (/home/me/.config/hookscope/config.toml)" }`), never
//! the value.
//!
//! A token moves either way only once it is safe where it goes: into the keyring before the
//! file stops holding it, out of the keyring after the file holds it. A token the keyring does
//! not give back (locked, no desktop session) stays named in the file, so nothing is lost.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Config, Secret};

/// `[secrets]`: where the tokens are kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    pub keep_in: KeepIn,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepIn {
    /// The desktop's keyring where one answers; the settings file where none does.
    #[default]
    Keyring,
    File,
}

/// Where the tokens are, after a load or a save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub place: Place,
    /// Tokens the file names in the keyring that it did not give back, by key
    /// (`green_api.api_token_instance`): they are kept named, and unset until it does.
    pub unread: Vec<&'static str>,
    /// Tokens not yet where `place` says, until the settings are next saved: in the file
    /// while the keyring is asked for, or the other way round.
    pub not_moved: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Keyring,
    /// The settings file; `why` the keyring was not used when it was asked for.
    File {
        why: Option<String>,
    },
}

/// What the keyring is believed to hold: the entries this process read or wrote, with their
/// values. A token is written only when it changed, and taken out only when it was there.
static HELD: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

fn held() -> std::sync::MutexGuard<'static, BTreeMap<String, String>> {
    HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The keyring entry for the token `key` of the settings file `path`: the path tells apart
/// two settings files of one user.
fn entry_for(key: &str, path: &Path) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    format!("{key} ({})", path.display())
}

/// Reads the tokens `config` names in the keyring. One the keyring does not give back stays
/// unset and named (see [`kept`]).
pub(super) fn read(config: &mut Config) {
    for (_, secret) in config.secrets_mut() {
        let Some(entry) = secret.entry.clone() else {
            continue;
        };
        if let Ok(value) = keyring::read(&entry) {
            held().insert(entry, value.clone());
            secret.value = value;
        }
    }
}

/// Where `config`'s tokens are: what Settings and `hookscope secrets` say.
pub fn kept(config: &Config) -> Kept {
    let place = match config.secrets.keep_in {
        KeepIn::Keyring => match keyring::answers() {
            Ok(()) => Place::Keyring,
            Err(why) => Place::File { why: Some(why) },
        },
        KeepIn::File => Place::File { why: None },
    };
    let in_keyring = place == Place::Keyring;
    Kept {
        unread: unread(config),
        not_moved: keys(config, |s| s.is_set() && s.entry.is_some() != in_keyring),
        place,
    }
}

/// The tokens the file names in the keyring that it did not give back.
pub fn unread(config: &Config) -> Vec<&'static str> {
    keys(config, |s| s.entry.is_some() && !s.is_set())
}

fn keys(config: &Config, wanted: impl Fn(&Secret) -> bool) -> Vec<&'static str> {
    config
        .tokens()
        .into_iter()
        .filter(|(_, secret)| wanted(secret))
        .map(|(key, _)| key)
        .collect()
}

/// What a save does with the tokens: the settings as the file is to hold them, where the
/// tokens went, and the keyring entries to remove once the file is written.
pub(super) struct Plan {
    pub file: Config,
    pub kept: Kept,
    pub remove: Vec<String>,
}

/// Puts `config`'s tokens where its settings ask, writing the keyring's at once.
pub(super) fn plan(config: &Config, path: &Path) -> Plan {
    let mut file = config.clone();
    let mut remove = Vec::new();
    let mut why = None;
    let wanted = config.secrets.keep_in == KeepIn::Keyring;
    for (key, secret) in file.secrets_mut() {
        let entry = secret.entry.clone().unwrap_or_else(|| entry_for(key, path));
        let there = held().get(&entry).cloned();
        if !secret.is_set() {
            // Cleared: out of the keyring too. One named but never read stays named.
            if there.is_some() {
                secret.entry = None;
                remove.push(entry);
            }
            continue;
        }
        let stored = if !wanted {
            Err(None)
        } else if there.as_deref() == Some(secret.expose()) {
            Ok(())
        } else {
            keyring::write(&entry, secret.expose()).map_err(Some)
        };
        match stored {
            Ok(()) => {
                held().insert(entry.clone(), secret.expose().to_string());
                secret.entry = Some(entry);
            }
            Err(e) => {
                why = why.or(e);
                secret.entry = None;
                if there.is_some() {
                    remove.push(entry);
                }
            }
        }
    }
    let mut kept = kept(&file);
    if let Some(why) = why {
        kept.place = Place::File { why: Some(why) };
        kept.not_moved.clear();
    }
    Plan { file, kept, remove }
}

/// Takes the entries out of the keyring, now that the file holds their tokens. One that stays
/// is harmless: the file no longer names it.
pub(super) fn remove(entries: Vec<String>) {
    for entry in entries {
        if keyring::forget(&entry).is_ok() {
            held().remove(&entry);
        }
    }
}

impl Secret {
    /// A token whose value is in the keyring `entry`, not yet read.
    fn named(entry: String) -> Secret {
        Secret {
            value: String::new(),
            entry: Some(entry),
        }
    }
}

/// How a token is written in the settings file: its value, or the keyring entry holding it.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Written {
    Value(String),
    Keyring { keyring: String },
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.entry {
            Some(entry) => Written::Keyring {
                keyring: entry.clone(),
            },
            None => Written::Value(self.value.clone()),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(match Written::deserialize(d)? {
            Written::Value(value) => Secret::new(value),
            Written::Keyring { keyring } => Secret::named(keyring),
        })
    }
}

/// The desktop's keyring, by the `keyring` crate. Its calls block, on a thread of their own:
/// the Secret Service client runs a runtime of its own, which may not start inside hookscope's.
#[cfg(feature = "keyring")]
mod keyring {
    use std::sync::OnceLock;

    const SERVICE: &str = "hookscope";

    fn apart<T: Send>(call: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|s| s.spawn(call).join())
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    }

    fn sentence(e: ::keyring::Error) -> String {
        e.to_string().trim_end_matches('.').to_string()
    }

    /// Whether a keyring answers; asked once a process.
    pub fn answers() -> Result<(), String> {
        static ANSWER: OnceLock<Result<(), String>> = OnceLock::new();
        ANSWER
            .get_or_init(|| {
                apart(|| match ::keyring::Entry::store_status() {
                    Ok(()) => Ok(()),
                    Err(e) => Err(e.to_string()),
                })
            })
            .clone()
    }

    fn entry(name: &str) -> Result<::keyring::Entry, String> {
        answers()?;
        ::keyring::Entry::new(SERVICE, name).map_err(sentence)
    }

    pub fn read(name: &str) -> Result<String, String> {
        apart(|| entry(name)?.get_password().map_err(sentence))
    }

    pub fn write(name: &str, value: &str) -> Result<(), String> {
        apart(|| entry(name)?.set_password(value).map_err(sentence))
    }

    pub fn forget(name: &str) -> Result<(), String> {
        apart(|| match entry(name)?.delete_credential() {
            Ok(()) | Err(::keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(sentence(e)),
        })
    }
}

/// A build without the keyring (`--no-default-features`, for a headless host) keeps every
/// token in the file.
#[cfg(not(feature = "keyring"))]
mod keyring {
    const NONE: &str = "this hookscope was built without the keyring";

    pub fn answers() -> Result<(), String> {
        Err(NONE.into())
    }

    pub fn read(_: &str) -> Result<String, String> {
        Err(NONE.into())
    }

    pub fn write(_: &str, _: &str) -> Result<(), String> {
        Err(NONE.into())
    }

    pub fn forget(_: &str) -> Result<(), String> {
        Err(NONE.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_named_but_not_read_is_written_back_named() {
        let text = "[secrets]\nkeep_in = \"file\"\n[moysklad]\ntoken = { keyring = \"moysklad.token (elsewhere)\" }\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut config = Config::parse(text, &path).unwrap();
        let token = &config.moysklad.token;
        assert!(token.exists() && !token.is_set());
        assert_eq!(format!("{token:?}"), "(in the keyring, not read)");
        assert_eq!(unread(&config), ["moysklad.token"]);
        // Saving while it is kept back, even to the file, keeps the name: nothing is lost.
        let kept = config.save(&path).unwrap();
        assert_eq!(kept.unread, ["moysklad.token"]);
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            written.contains("keyring = \"moysklad.token (elsewhere)\""),
            "{written}"
        );
        let again = Config::parse(&written, &path).unwrap();
        assert_eq!(unread(&again), ["moysklad.token"]);
        // A token typed meanwhile replaces it, in the file as asked.
        config.moysklad.token = Secret::new("typed-again");
        assert_eq!(config.save(&path).unwrap().unread, Vec::<&str>::new());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains("token = \"typed-again\""), "{written}");
    }
}
