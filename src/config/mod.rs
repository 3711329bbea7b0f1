//! The settings file: where it lives, what it holds, and keeping its secrets to its owner.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

use crate::capture::ResponseAction;
use crate::owner_only;

mod check;
pub mod vault;

pub use vault::{KeepIn, Kept, Place, SecretsConfig};

/// A token or password. It prints as `***` so it cannot end up in a log by accident. The
/// settings file holds its value, or names the keyring entry that does ([`vault`]).
#[derive(Clone, Default)]
pub struct Secret {
    value: String,
    /// The keyring entry holding it, when it is kept there.
    entry: Option<String>,
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret {
            value: value.into(),
            entry: None,
        }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn is_set(&self) -> bool {
        !self.value.is_empty()
    }

    /// Set, or kept in a keyring that did not give it back: a check against it refuses all
    /// rather than letting all through.
    pub fn exists(&self) -> bool {
        self.is_set() || self.entry.is_some()
    }

    /// For the app's masked text fields.
    pub fn edit(&mut self) -> &mut String {
        &mut self.value
    }
}

/// Two tokens are the same when their values are: where one is kept is not a change to it.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.value == other.value
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.is_set(), &self.entry) {
            (true, _) => "***",
            (false, Some(_)) => "(in the keyring, not read)",
            (false, None) => "(not set)",
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listener: ListenerConfig,
    pub generic: GenericConfig,
    pub reestr: ReestrConfig,
    pub green_api: GreenApiConfig,
    pub moysklad: MoyskladConfig,
    pub kontur: KonturConfig,
    pub tunnel: TunnelConfig,
    /// `[[forward]]`: where captures are handed on, in order.
    pub forward: Vec<ForwardRule>,
    /// `[[respond]]`: custom answers and faults, the first match wins.
    pub respond: Vec<ResponseRule>,
    pub pass_through: PassThroughConfig,
    pub api: ApiConfig,
    pub team: TeamConfig,
    pub window: WindowConfig,
    pub secrets: SecretsConfig,
}

/// `[team]`: the team host the app mirrors (`attach`), remembered between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamConfig {
    /// The host's API, e.g. `https://api.team.example`.
    pub host: String,
    pub token: Secret,
    /// Attach at start: connected when the app last closed.
    pub attached: bool,
}

/// `[window]`: how the app looks; `serve` has no window and ignores it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    pub theme: Theme,
    /// Absent: the system's language (`LANG`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Dark,
    Light,
    /// As the desktop is.
    #[default]
    System,
}

/// The app's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[serde(alias = "en")]
    English,
    #[serde(alias = "ru")]
    Russian,
}

impl Language {
    /// Russian when the system locale says so (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
    pub fn from_system() -> Language {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("ru") {
            Language::Russian
        } else {
            Language::English
        }
    }
}

impl WindowConfig {
    /// The language chosen, or the system's.
    pub fn language(&self) -> Language {
        self.language.unwrap_or_else(Language::from_system)
    }
}

/// `[api]`: the API for scripts, tests and assistants (`api.rs`), on a listener of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    pub enabled: bool,
    /// Loopback by default: the API serves every capture to whoever holds its token. Beyond
    /// loopback only once user tokens exist (`hookscope api token add NAME`).
    pub listen: SocketAddr,
    /// Names the API is also called by, behind a reverse proxy or tunnel (`api.team.example`):
    /// any other name in `Host` is refused, against DNS rebinding.
    pub hosts: Vec<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 8788)),
            hosts: Vec::new(),
        }
    }
}

/// Answers the requests it matches instead of the provider's rule: a custom answer, a
/// failure on purpose, a delay or a hang-up (see `responses.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseRule {
    pub enabled: bool,
    /// In the filter language (`provider:moysklad`); empty matches every request.
    pub filter: String,
    /// `*` stands for any run of characters (`/moysklad*`); empty matches every path.
    pub path: String,
    /// Empty matches every method.
    pub method: String,
    #[serde(rename = "do")]
    pub action: ResponseAction,
    /// The answer's status (`answer`); a `fail` below 400 fails with 500.
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// `answer` and `delay`: how long to wait before answering.
    pub delay_ms: u64,
    /// Only the next N matching requests (0: every one); counted from when the rule was saved
    /// as it is: clearing captures or saving other settings keeps the count.
    pub times: u32,
    /// Only this share of matching requests, at random (100: every one).
    pub percent: u8,
}

impl Default for ResponseRule {
    fn default() -> Self {
        ResponseRule {
            enabled: true,
            filter: String::new(),
            path: String::new(),
            method: String::new(),
            action: ResponseAction::Answer,
            status: 200,
            headers: BTreeMap::new(),
            body: String::new(),
            delay_ms: 0,
            times: 0,
            percent: 100,
        }
    }
}

/// Hands the captures a filter matches on to a URL, such as the app being written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardRule {
    /// `http://localhost:3000/hooks`: the capture's path after its provider's prefix is
    /// appended, and its query kept.
    pub target: String,
    /// In the filter language; empty forwards every capture.
    pub filter: String,
    pub mode: ForwardMode,
    /// Send the capture's own `Host` instead of the target's.
    pub keep_host: bool,
    pub enabled: bool,
}

impl Default for ForwardRule {
    fn default() -> Self {
        ForwardRule {
            target: String::new(),
            filter: String::new(),
            mode: ForwardMode::Inspect,
            keep_host: false,
            enabled: true,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardMode {
    /// The provider gets hookscope's answer; an outbox delivers to the target.
    #[default]
    Inspect,
    /// The provider gets the target's own answer, when it comes in time.
    PassThrough,
}

/// How long a pass-through waits for the target before answering with the provider's rule,
/// per provider: each must be answered before it gives up on the delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PassThroughConfig {
    pub reestr_ms: u64,
    pub green_api_ms: u64,
    /// MoySklad drops an event after 1.5 s and three failed tries.
    pub moysklad_ms: u64,
    pub generic_ms: u64,
}

impl Default for PassThroughConfig {
    fn default() -> Self {
        PassThroughConfig {
            reestr_ms: 5_000,
            green_api_ms: 10_000,
            moysklad_ms: 1_200,
            generic_ms: 10_000,
        }
    }
}

impl PassThroughConfig {
    pub fn deadline(&self, provider: crate::capture::Provider) -> std::time::Duration {
        use crate::capture::Provider;
        std::time::Duration::from_millis(match provider {
            Provider::Reestr => self.reestr_ms,
            Provider::GreenApi => self.green_api_ms,
            Provider::Moysklad => self.moysklad_ms,
            Provider::Generic => self.generic_ms,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListenerConfig {
    /// 127.0.0.1 unless the user asks otherwise: captures can hold customer data.
    pub listen: SocketAddr,
    pub max_body_bytes: u64,
    pub max_captures: u64,
    /// The store file's size at most; the oldest unpinned captures go first.
    pub max_store_bytes: u64,
    /// Bodies being received at once hold at most this much memory; beyond it a request gets
    /// 503 with Retry-After, and is captured without its body.
    pub max_in_flight_bytes: u64,
    /// Seconds a client gets to send its headers, and again its body (slow clients).
    pub read_timeout_secs: u64,
    /// What a provider gets for a body that is not valid JSON.
    pub malformed: Malformed,
}

/// The answer for a provider's body that does not parse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Malformed {
    /// The provider's success answer: resending cannot fix a body, and GREEN-API would hold
    /// every later notification behind it for up to a day.
    #[default]
    Acknowledge,
    /// 400, saying what is wrong with it.
    Refuse,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            max_body_bytes: 10 * 1024 * 1024,
            max_captures: 100_000,
            max_store_bytes: 2 << 30,
            max_in_flight_bytes: 256 << 20,
            read_timeout_secs: 30,
            malformed: Malformed::Acknowledge,
        }
    }
}

/// The answer for requests no provider claims.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenericConfig {
    pub status: u16,
    pub body: String,
    pub headers: BTreeMap<String, String>,
}

impl Default for GenericConfig {
    fn default() -> Self {
        GenericConfig {
            status: 200,
            body: "OK".into(),
            headers: BTreeMap::from([(
                "content-type".to_string(),
                "text/plain; charset=utf-8".to_string(),
            )]),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReestrConfig {
    /// Shown in the Reestr cabinet next to the "confirm" button, e.g. `873fd5a562`.
    pub confirm_string: String,
    pub secret_key: Secret,
    pub api_url: String,
    pub access_token: Secret,
}

impl Default for ReestrConfig {
    fn default() -> Self {
        ReestrConfig {
            confirm_string: String::new(),
            secret_key: Secret::default(),
            api_url: "https://reestr.net/api/method".into(),
            access_token: Secret::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GreenApiConfig {
    pub api_url: String,
    #[serde(deserialize_with = "string_or_number")]
    pub id_instance: String,
    pub api_token_instance: Secret,
    pub webhook_url_token: Secret,
}

impl Default for GreenApiConfig {
    fn default() -> Self {
        GreenApiConfig {
            api_url: "https://api.green-api.com".into(),
            id_instance: String::new(),
            api_token_instance: Secret::default(),
            webhook_url_token: Secret::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoyskladConfig {
    pub api_url: String,
    pub token: Secret,
}

impl Default for MoyskladConfig {
    fn default() -> Self {
        MoyskladConfig {
            api_url: "https://api.moysklad.ru/api/remap/1.2".into(),
            token: Secret::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KonturConfig {
    pub api_url: String,
    pub api_key: Secret,
    pub org_id: String,
}

impl Default for KonturConfig {
    fn default() -> Self {
        KonturConfig {
            api_url: "https://api.kontur.ru".into(),
            api_key: Secret::default(),
            org_id: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TunnelConfig {
    /// Typed by the user; wins over detection.
    pub public_url: String,
    /// A quick tunnel this process started (`tunnel::quick`): its URL wins while it runs, and
    /// is never written to the settings file.
    #[serde(skip)]
    pub started: Option<StartedTunnel>,
    pub ngrok_api: String,
    pub cloudflared_metrics: String,
}

/// A quick tunnel hookscope started, while it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct StartedTunnel {
    /// `https://…`, without a trailing slash.
    pub url: String,
    /// `cloudflared` or `ngrok`.
    pub program: String,
}

impl Default for TunnelConfig {
    fn default() -> Self {
        TunnelConfig {
            public_url: String::new(),
            started: None,
            ngrok_api: "http://127.0.0.1:4040".into(),
            cloudflared_metrics: "127.0.0.1:20241-20245".into(),
        }
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(i64),
    }
    Ok(match Either::deserialize(d)? {
        Either::Text(s) => s,
        Either::Number(n) => n.to_string(),
    })
}

/// `target` as an http(s) URL with a host, if it is one.
pub fn http_url(target: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(target.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// The keys whose values are tokens: a mistake on their line is described without the value.
const SECRET_KEYS: [&str; 6] = [
    "secret_key",
    "access_token",
    "api_token_instance",
    "webhook_url_token",
    "token",
    "api_key",
];

/// Where a settings mistake is and what it is, naming the key but never quoting the line: the
/// line may hold a token.
fn mistake(error: &toml::de::Error, text: &str) -> String {
    let Some(span) = error.span() else {
        return error.message().trim_end().to_string();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let key = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.split_once('='))
        .map(|(key, _)| key.trim().trim_matches('"'))
        .filter(|key| !key.is_empty());
    match key {
        Some(key) if SECRET_KEYS.contains(&key) => {
            format!("line {line}, {key}: the value is not valid; write it as a quoted string")
        }
        Some(key) => format!("line {line}, {key}: {}", error.message().trim_end()),
        None => format!("line {line}: {}", error.message().trim_end()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("Could not read the settings file {path}: {source}. Check that it exists and that you may read it, or pass another one with --config.")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Could not write the settings file {path}: {source}. Check that its folder is writable, or pass another one with --config.")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The settings file {path} has a mistake; fix it or delete the file to start from defaults.\n{message}")]
    Invalid { path: PathBuf, message: String },
    #[error("No settings folder could be found for this user; pass --config FILE.")]
    NoConfigDir,
    #[error("Could not make the data folder {path} readable by its owner only: {source}. It holds captured tokens; check who owns it, or choose another with --data-dir.")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Config {
    /// Every token of the settings, by its key.
    fn secrets_mut(&mut self) -> [(&'static str, &mut Secret); 7] {
        [
            ("reestr.secret_key", &mut self.reestr.secret_key),
            ("reestr.access_token", &mut self.reestr.access_token),
            (
                "green_api.api_token_instance",
                &mut self.green_api.api_token_instance,
            ),
            (
                "green_api.webhook_url_token",
                &mut self.green_api.webhook_url_token,
            ),
            ("moysklad.token", &mut self.moysklad.token),
            ("kontur.api_key", &mut self.kontur.api_key),
            ("team.token", &mut self.team.token),
        ]
    }

    /// Every token of the settings, by its key.
    pub fn tokens(&self) -> Vec<(&'static str, Secret)> {
        let mut copy = self.clone();
        copy.secrets_mut()
            .into_iter()
            .map(|(key, secret)| (key, secret.clone()))
            .collect()
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(mistake(&e, text)))?;
        match check::first_mistake(&config, text) {
            Some(message) => Err(invalid(message)),
            None => Ok(config),
        }
    }

    /// Reads the settings file, creating it with defaults (readable by its owner only) when
    /// it does not exist yet, and tightening its permissions when others could read it.
    pub fn load_or_create(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                owner_only::restrict(path).map_err(|source| ConfigError::Write {
                    path: path.to_owned(),
                    source,
                })?;
                let mut config = Config::parse(&text, path)?;
                vault::read(&mut config);
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut config = Config::default();
                config.save(path)?;
                Ok(config)
            }
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the whole file atomically, mode 0600 from the first byte, with the tokens where
    /// `[secrets]` asks (see [`vault`]); says where they went, and remembers it.
    pub fn save(&mut self, path: &Path) -> Result<Kept, ConfigError> {
        let err = |source| ConfigError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let plan = vault::plan(self, path);
        let text = format!(
            "# hookscope settings. This file may hold API tokens: keep it readable by you only.\n\n{}",
            toml::to_string_pretty(&plan.file).expect("settings always serialize")
        );
        let tmp = path.with_extension("toml.tmp");
        owner_only::write(&tmp, text.as_bytes()).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)?;
        vault::remove(plan.remove);
        *self = plan.file;
        Ok(plan.kept)
    }
}

/// Where the settings file and the capture store live.
#[derive(Clone, Debug)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// `--config` / `--data-dir` win; otherwise the platform's folders for hookscope. That
    /// data folder is hookscope's own: when it exists already it is made its owner's only
    /// (on Unix), as a new one is created; one made 0755 (by `mkdir -p`, a backup restored,
    /// an older hookscope) let other users list and read the captures. A folder given with
    /// `--data-dir` is left as it is: it may be `.` or a shared one, and the files hookscope
    /// makes in it are its owner's only anyway.
    pub fn resolve(
        config: Option<PathBuf>,
        data_dir: Option<PathBuf>,
    ) -> Result<Paths, ConfigError> {
        let dirs = directories::ProjectDirs::from("", "", "hookscope");
        let config_file = match config {
            Some(path) => path,
            None => dirs
                .as_ref()
                .ok_or(ConfigError::NoConfigDir)?
                .config_dir()
                .join("config.toml"),
        };
        let data_dir = match data_dir {
            Some(path) => path,
            None => {
                let own = dirs.as_ref().ok_or(ConfigError::NoConfigDir)?.data_dir();
                match owner_only::restrict(own) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(ConfigError::DataDir {
                            path: own.to_owned(),
                            source: e,
                        });
                    }
                    _ => own.to_owned(),
                }
            }
        };
        Ok(Paths {
            config_file,
            data_dir,
        })
    }

    pub fn store_file(&self) -> PathBuf {
        self.data_dir.join("captures.sqlite3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "[listener]\nlisten = \"127.0.0.1:9000\"\nmax_body = 5\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("max_body"), "{err}");
    }

    #[test]
    fn a_mistake_on_a_token_line_does_not_quote_the_token() {
        for text in [
            "[green_api]\napi_token_instance = \"d75b3a66374942c5b3c019c698abc2067\n",
            "[green_api]\napi_token_instance = 75133374942536\n",
            "[moysklad]\ntoken = d75b3a66374942c5b3c0\n",
        ] {
            let err = Config::parse(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("line 2"), "{err}");
            assert!(!err.contains("7513337") && !err.contains("d75b3a"), "{err}");
        }
    }

    #[test]
    fn bad_address_is_named_with_its_line() {
        let text = "\n[listener]\nlisten = \"localhost-ish\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("listen"), "{err}");
    }

    #[test]
    fn id_instance_may_be_a_number_or_text() {
        let a = Config::parse("[green_api]\nid_instance = 7103000001\n", Path::new("a")).unwrap();
        let b = Config::parse(
            "[green_api]\nid_instance = \"7103000001\"\n",
            Path::new("b"),
        )
        .unwrap();
        assert_eq!(a.green_api.id_instance, "7103000001");
        assert_eq!(b.green_api.id_instance, a.green_api.id_instance);
    }

    #[test]
    fn language_may_be_its_name_or_code_and_absent_means_the_systems() {
        let parse = |text: &str| Config::parse(text, Path::new("c")).unwrap().window;
        assert_eq!(
            parse("[window]\nlanguage = \"ru\"\n").language,
            Some(Language::Russian)
        );
        let window = parse("[window]\nlanguage = \"english\"\ntheme = \"light\"\n");
        assert_eq!(
            (window.language, window.theme),
            (Some(Language::English), Theme::Light)
        );
        assert_eq!(parse("").language, None);
        let err = Config::parse("[window]\nlanguage = \"fr\"\n", Path::new("c")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let mut config = Config::default();
        config.moysklad.token = Secret::new("tok-123");
        assert!(!format!("{config:?}").contains("tok-123"));
    }

    #[cfg(unix)]
    #[test]
    fn created_file_is_owner_only_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let created = Config::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Config::load_or_create(&path).unwrap();
        assert_eq!(again.listener.listen, created.listener.listen);
        assert_eq!(
            again.moysklad.api_url,
            "https://api.moysklad.ru/api/remap/1.2"
        );
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[moysklad]\ntoken = \"t\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Config::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
