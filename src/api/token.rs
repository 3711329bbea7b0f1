//! The API's bearer token and where a running hookscope says its API is, both in the data
//! folder: `api-token` (created at first start, readable by its owner only) and `api.json`
//! (written while the API listens), so that `hookscope wait` and `hookscope mcp` find both by
//! themselves.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::owner_only;

const TOKEN_FILE: &str = "api-token";
const FOUND_FILE: &str = "api.json";

/// The secret every API request must carry as `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct Token {
    value: String,
    /// Where it is kept, to say in a refusal.
    pub file: PathBuf,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token(*** in {})", self.file.display())
    }
}

impl Token {
    /// The token of the data folder `dir`, created (random, 0600) when there is none yet.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Token> {
        if let Some(token) = Token::load(dir) {
            owner_only::restrict(&token.file)?;
            return Ok(token);
        }
        owner_only::create_dir(dir)?;
        let value = new_secret("hs_");
        let file = dir.join(TOKEN_FILE);
        owner_only::write(&file, format!("{value}\n").as_bytes())?;
        Ok(Token { value, file })
    }

    /// The token of the data folder `dir`, when one exists.
    pub fn load(dir: &Path) -> Option<Token> {
        let file = dir.join(TOKEN_FILE);
        let value = std::fs::read_to_string(&file).ok()?.trim().to_string();
        (!value.is_empty()).then_some(Token { value, file })
    }

    /// A token given on the command line or by a user.
    pub fn given(value: &str) -> Token {
        Token {
            value: value.trim().to_string(),
            file: PathBuf::new(),
        }
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Compares in time that does not depend on where the first difference is.
    pub fn accepts(&self, offered: &str) -> bool {
        same(self.value.as_bytes(), offered.as_bytes())
    }
}

/// A new random token: `prefix` and two random UUIDs (244 random bits) in hex.
pub(super) fn new_secret(prefix: &str) -> String {
    let half = || uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}{}", half(), half())
}

/// Whether two secrets are equal, in time that does not depend on where they first differ.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a running hookscope says of its API in the data folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    /// `http://127.0.0.1:8788/api/v1`
    pub url: String,
    pub pid: u32,
}

impl Announced {
    /// Says that the API of this process listens at `addr`.
    pub fn announce(dir: &Path, addr: SocketAddr) -> std::io::Result<()> {
        let found = Announced {
            url: format!("http://{addr}/api/v1"),
            pid: std::process::id(),
        };
        let text = serde_json::to_string(&found).expect("plain data serializes");
        owner_only::write(&dir.join(FOUND_FILE), text.as_bytes())
    }

    /// Takes back what [`Announced::announce`] said, unless another process has said more since.
    pub fn withdraw(dir: &Path) {
        if Announced::read(dir).is_some_and(|f| f.pid == std::process::id()) {
            let _ = std::fs::remove_file(dir.join(FOUND_FILE));
        }
    }

    /// What the data folder `dir` says; `None` when no hookscope has announced an API there.
    pub fn read(dir: &Path) -> Option<Announced> {
        serde_json::from_slice(&std::fs::read(dir.join(FOUND_FILE)).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_made_once_for_its_owner_and_compared_whole() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let made = Token::load_or_create(&data).unwrap();
        assert!(made.expose().starts_with("hs_") && made.expose().len() > 60);
        let again = Token::load_or_create(&data).unwrap();
        assert_eq!(made.expose(), again.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&made.file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(made.accepts(made.expose()));
        assert!(!made.accepts(&made.expose()[1..]));
        assert!(!made.accepts(""));
        assert!(!format!("{made:?}").contains(made.expose()));
    }

    #[test]
    fn an_announced_api_is_found_and_withdrawn() {
        let dir = tempfile::tempdir().unwrap();
        Announced::announce(dir.path(), "127.0.0.1:8788".parse().unwrap()).unwrap();
        let found = Announced::read(dir.path()).unwrap();
        assert_eq!(found.url, "http://127.0.0.1:8788/api/v1");
        Announced::withdraw(dir.path());
        assert!(Announced::read(dir.path()).is_none());
    }
}
