//! A team host's users: one token each, made by `hookscope api token add NAME` and shown once,
//! kept only as its SHA-256 in `api-users.json` (readable by its owner only) in the data
//! folder. A running API re-reads the file when it changes ([`watch`]), so a token revoked
//! while `serve` runs is refused at once and its open streams close.
//!
//! The owner's token (`api-token`, [`super::Token`]) stays what it was: the host's own, for
//! everything. A user's token reads captures, follows the stream and waits; it cannot ask the
//! host to send requests out (replay).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::owner_only;

const USERS_FILE: &str = "api-users.json";
/// How often a running API looks whether the users file changed.
const LOOK_EVERY: Duration = Duration::from_millis(500);

/// One user of a team host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    /// The SHA-256 of the token, in hex: the token itself is never kept.
    sha256: String,
    /// RFC 3339.
    pub added_at: String,
}

/// Every user of the data folder, as last read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Users {
    users: Vec<User>,
}

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("{name:?} cannot be a user name: use letters, digits, dots, dashes and underscores, at most 64.")]
    BadName { name: String },
    #[error("There is a user {name:?} already; revoke that token first or choose another name.")]
    Taken { name: String },
    #[error("There is no user {name:?}; `hookscope api token list` shows who there is.")]
    Unknown { name: String },
    #[error("{} could not be read as a list of users ({error}); fix or remove it.", path.display())]
    Damaged { path: PathBuf, error: String },
    #[error("{} could not be written: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Users {
    fn file(dir: &Path) -> PathBuf {
        dir.join(USERS_FILE)
    }

    /// The users of the data folder `dir`; none when it has no users file.
    pub fn load(dir: &Path) -> Result<Users, UsersError> {
        let path = Users::file(dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| UsersError::Damaged {
                path,
                error: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Users::default()),
            Err(source) => Err(UsersError::Io { path, source }),
        }
    }

    fn save(&self, dir: &Path) -> Result<(), UsersError> {
        let path = Users::file(dir);
        let io = |source| UsersError::Io {
            path: path.clone(),
            source,
        };
        owner_only::create_dir(dir).map_err(io)?;
        let text = serde_json::to_string_pretty(self).expect("plain data serializes");
        owner_only::write(&path, text.as_bytes()).map_err(io)
    }

    /// Adds a user to the data folder `dir`; returns their token, which is kept nowhere else.
    pub fn add(dir: &Path, name: &str) -> Result<String, UsersError> {
        let name = name.trim();
        let valid = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_');
        if name.is_empty() || name.chars().count() > 64 || !name.chars().all(valid) {
            return Err(UsersError::BadName { name: name.into() });
        }
        let mut users = Users::load(dir)?;
        if users
            .users
            .iter()
            .any(|u| u.name.eq_ignore_ascii_case(name))
        {
            return Err(UsersError::Taken { name: name.into() });
        }
        let token = super::token::new_secret("hsu_");
        users.users.push(User {
            name: name.into(),
            sha256: sha256(&token),
            added_at: crate::capture::format_rfc3339(time::OffsetDateTime::now_utc()),
        });
        users.save(dir)?;
        Ok(token)
    }

    /// Takes a user's token away.
    pub fn revoke(dir: &Path, name: &str) -> Result<(), UsersError> {
        let mut users = Users::load(dir)?;
        let before = users.users.len();
        users
            .users
            .retain(|u| !u.name.eq_ignore_ascii_case(name.trim()));
        if users.users.len() == before {
            return Err(UsersError::Unknown { name: name.into() });
        }
        users.save(dir)
    }

    pub fn list(&self) -> &[User] {
        &self.users
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Whose token `offered` is, compared in time that does not depend on where the first
    /// difference is.
    pub fn who(&self, offered: &str) -> Option<&str> {
        let hash = sha256(offered);
        self.users
            .iter()
            .find(|u| super::token::same(u.sha256.as_bytes(), hash.as_bytes()))
            .map(|u| u.name.as_str())
    }

    /// Whether `name` is still a user.
    pub fn has(&self, name: &str) -> bool {
        self.users.iter().any(|u| u.name == name)
    }
}

fn sha256(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The users of `dir` as they change: the file is read again twice a second and passed on
/// when it changed. A file that cannot be read counts as no users, so that a damaged one lets
/// nobody in; that is said when it is found.
pub fn watch(dir: &Path) -> watch::Receiver<Arc<Users>> {
    let dir = dir.to_owned();
    let bytes = {
        let file = Users::file(&dir);
        move || std::fs::read(&file).ok()
    };
    // Taken before the users are read: a change in between is then seen as one.
    let mut seen = bytes();
    let (sender, receiver) = watch::channel(Arc::new(readable(&dir)));
    tokio::spawn(async move {
        while !sender.is_closed() {
            tokio::time::sleep(LOOK_EVERY).await;
            let now = bytes();
            if now != seen {
                seen = now;
                sender.send_replace(Arc::new(readable(&dir)));
            }
        }
    });
    receiver
}

fn readable(dir: &Path) -> Users {
    Users::load(dir).unwrap_or_else(|e| {
        tracing::warn!("{e}");
        Users::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_shown_once_kept_hashed_and_revoked_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let anna = Users::add(dir.path(), "anna").unwrap();
        let boris = Users::add(dir.path(), "boris.dev").unwrap();
        assert!(anna.starts_with("hsu_") && anna.len() > 60 && anna != boris);
        let text = std::fs::read_to_string(dir.path().join(USERS_FILE)).unwrap();
        assert!(!text.contains(&anna) && !text.contains(&boris), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(USERS_FILE)).unwrap();
            assert_eq!(mode.permissions().mode() & 0o777, 0o600);
        }
        let users = Users::load(dir.path()).unwrap();
        assert_eq!(users.who(&anna), Some("anna"));
        assert_eq!(users.who(&format!(" {boris}\n")), Some("boris.dev"));
        assert_eq!(users.who(&anna[..anna.len() - 1]), None);
        assert_eq!(users.who(""), None);

        assert!(matches!(
            Users::add(dir.path(), "ANNA"),
            Err(UsersError::Taken { .. })
        ));
        assert!(matches!(
            Users::add(dir.path(), "a b"),
            Err(UsersError::BadName { .. })
        ));
        Users::revoke(dir.path(), "anna").unwrap();
        let users = Users::load(dir.path()).unwrap();
        assert_eq!(
            (users.who(&anna), users.who(&boris)),
            (None, Some("boris.dev"))
        );
        assert!(matches!(
            Users::revoke(dir.path(), "anna"),
            Err(UsersError::Unknown { .. })
        ));
    }

    #[test]
    fn a_damaged_users_file_is_said_and_lets_nobody_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(USERS_FILE), "{not json").unwrap();
        let e = Users::load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("api-users.json") && e.contains("fix or remove it"),
            "{e}"
        );
        assert!(readable(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn a_running_api_sees_a_revocation_within_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let token = Users::add(dir.path(), "anna").unwrap();
        let mut users = watch(dir.path());
        assert_eq!(users.borrow().who(&token), Some("anna"));
        Users::revoke(dir.path(), "anna").unwrap();
        tokio::time::timeout(Duration::from_secs(2), users.changed())
            .await
            .expect("the change was seen")
            .unwrap();
        assert_eq!(users.borrow().who(&token), None);
    }
}
