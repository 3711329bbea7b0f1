//! Where the settings' tokens are kept: a desktop keyring of the test's own (a private D-Bus
//! session bus with gnome-keyring's Secret Service on it), and the owner-only settings file when
//! no keyring answers. A token moves either way without loss, and one the keyring keeps back
//! stays named in the file.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::fakes::moysklad::FakeMoysklad;
use common::{failed, ok};

const TOKEN: &str = "sklad-token-4f1e";
const LOGIN: &str = "admin@acme";
const PASSWORD: &str = "пароль-1";
/// A session bus that is not there: no keyring answers.
const NO_BUS: &str = "unix:path=/nonexistent/hookscope-test-bus";

/// A settings file pointing at the fake MoySklad, with no token yet.
struct Setup {
    dir: tempfile::TempDir,
    /// `DBUS_SESSION_BUS_ADDRESS` for every command.
    bus: String,
}

impl Setup {
    fn new(fake: &FakeMoysklad, bus: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("[moysklad]\napi_url = \"{}\"\n", fake.api_url());
        std::fs::write(dir.path().join("config.toml"), text).unwrap();
        Setup {
            dir,
            bus: bus.into(),
        }
    }

    fn config_file(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn settings_text(&self) -> String {
        std::fs::read_to_string(self.config_file()).unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hookscope"));
        command
            .arg("--config")
            .arg(self.config_file())
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env_remove("HOOKSCOPE_CONFIG")
            .env_remove("HOOKSCOPE_DATA_DIR")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOOKSCOPE_MOYSKLAD_PASSWORD", PASSWORD);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// The same settings, with no keyring answering.
    fn without_keyring(&self) -> Command {
        let mut command = self.command(&[]);
        command.env("DBUS_SESSION_BUS_ADDRESS", NO_BUS);
        command
    }

    /// The keyring entry of the MoySklad token, as hookscope names it.
    fn entry(&self) -> String {
        format!("moysklad.token ({})", self.config_file().display())
    }
}

/// A desktop session's keyring: a private session bus and gnome-keyring's Secret Service on
/// it, unlocked, in a home folder of its own. The keyring daemon ends with the bus.
struct Keyring {
    bus: Child,
    address: String,
    home: tempfile::TempDir,
}

const NEEDED: &str = "the keyring tests need dbus-daemon, gnome-keyring-daemon and secret-tool (apt install dbus-daemon gnome-keyring libsecret-tools)";

impl Keyring {
    fn start() -> Keyring {
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect(NEEDED);
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let keyring = Keyring {
            bus,
            address: address.trim().to_string(),
            home,
        };
        let mut daemon = keyring
            .session(&mut Command::new("gnome-keyring-daemon"))
            .args(["--unlock", "--components=secrets", "--daemonize"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect(NEEDED);
        // --unlock reads the login keyring's password from standard input, to its end.
        daemon.stdin.take().unwrap().write_all(b"pw").unwrap();
        assert!(daemon.wait().unwrap().success(), "gnome-keyring-daemon");
        keyring
    }

    /// `command` in this session: its bus, and the keyring's files under the home folder.
    fn session<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        let (home, run) = (self.home.path(), self.home.path().join("run"));
        std::fs::create_dir_all(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", run)
    }

    /// What the keyring holds for `entry` of hookscope, asked with another client.
    fn lookup(&self, entry: &str) -> Option<String> {
        let out = self
            .session(&mut Command::new("secret-tool"))
            .args(["lookup", "service", "hookscope", "username", entry])
            .output()
            .expect(NEEDED);
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap())
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn login(s: &Setup) -> String {
    ok(&s.run(&["moysklad", "login", "--login", LOGIN]))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn without_a_keyring_tokens_stay_in_the_owner_only_file() {
    let fake = FakeMoysklad::start(TOKEN).with_login(LOGIN, PASSWORD);
    let s = Setup::new(&fake, NO_BUS);
    let out = login(&s);
    let file = s.config_file().display().to_string();
    assert!(
        out.contains(&format!("kept in {file} (readable by you only)")),
        "{out}"
    );
    assert!(s.settings_text().contains(TOKEN));
    #[cfg(unix)]
    assert_eq!(mode(&s.config_file()), 0o600);
    // The next command reads it from the file: the fake takes nothing else.
    ok(&s.run(&["moysklad", "webhooks", "list"]));
    let out = ok(&s.run(&["secrets"]));
    assert!(out.contains("No keyring answered ("), "{out}");
    assert!(
        out.contains(&format!("so tokens are kept in {file}")),
        "{out}"
    );
    assert!(out.contains("Set: moysklad.token."), "{out}");
    // Asked to move them where nothing answers, hookscope moves nothing and says so.
    let err = failed(&s.run(&["secrets", "--move-to", "keyring"]));
    assert!(err.contains("No keyring answered"), "{err}");
    assert!(err.contains("Nothing was moved."), "{err}");
    assert!(s.settings_text().contains(TOKEN));
}

#[cfg(target_os = "linux")]
#[test]
fn tokens_move_to_the_keyring_and_back_and_one_kept_back_is_not_lost() {
    let keyring = Keyring::start();
    let fake = FakeMoysklad::start(TOKEN).with_login(LOGIN, PASSWORD);
    let s = Setup::new(&fake, &keyring.address);
    let out = login(&s);
    assert!(
        out.contains("the token is kept in the system keyring"),
        "{out}"
    );
    let named = format!("keyring = {:?}", s.entry());
    let text = s.settings_text();
    assert!(!text.contains(TOKEN) && text.contains(&named), "{text}");
    assert_eq!(keyring.lookup(&s.entry()).as_deref(), Some(TOKEN));
    // Read back from the keyring for the next command.
    ok(&s.run(&["moysklad", "webhooks", "list"]));
    let out = ok(&s.run(&["secrets"]));
    assert!(
        out.starts_with("Tokens are kept in the system keyring;"),
        "{out}"
    );

    // To the file: the file holds it before the keyring lets it go.
    let out = ok(&s.run(&["secrets", "--move-to", "file"]));
    assert!(out.contains("readable by you only"), "{out}");
    assert!(s.settings_text().contains(TOKEN));
    assert_eq!(keyring.lookup(&s.entry()), None);
    ok(&s.run(&["moysklad", "webhooks", "list"]));

    // And back.
    ok(&s.run(&["secrets", "--move-to", "keyring"]));
    let text = s.settings_text();
    assert!(!text.contains(TOKEN) && text.contains(&named), "{text}");
    assert_eq!(keyring.lookup(&s.entry()).as_deref(), Some(TOKEN));

    // Without the keyring the token is kept named, and said to be kept back: nothing is lost,
    // and serve's settings check says what to do.
    let out = ok(&s.without_keyring().arg("secrets").output().unwrap());
    assert!(
        out.contains("The keyring did not give back moysklad.token"),
        "{out}"
    );
    assert!(s.settings_text().contains(&named));
    let err = failed(
        &s.without_keyring()
            .args(["serve", "--check-config"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("did not give back moysklad.token"), "{err}");
    // With the keyring back, so is the token.
    ok(&s.run(&["moysklad", "webhooks", "list"]));
}
