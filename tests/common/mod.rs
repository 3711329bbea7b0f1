//! A real listener on 127.0.0.1:0 with its own store, for tests that talk HTTP to it.
#![allow(dead_code)] // each test binary uses its own part of this

pub mod fakes;
pub mod target;

use hookscope::capture::Capture;
use hookscope::config::Config;
use hookscope::engine::Engine;
use hookscope::filter::Filter;
use hookscope::store::StoreReader;

pub struct Listener {
    pub engine: Engine,
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub async fn start(configure: impl FnOnce(&mut Config)) -> Listener {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "127.0.0.1:0".parse().unwrap();
    configure(&mut config);
    let engine = Engine::start(config, &dir.path().join("captures.sqlite3"))
        .await
        .unwrap();
    Listener {
        base: format!("http://{}", engine.local_addr()),
        engine,
        client: reqwest::Client::new(),
        dir,
    }
}

impl Listener {
    pub async fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    pub fn reader(&self) -> StoreReader {
        self.engine.store().reader().unwrap()
    }

    pub fn captures(&self, filter: &str) -> Vec<Capture> {
        self.reader()
            .list(&Filter::parse(filter).unwrap(), None)
            .unwrap()
    }

    pub fn last(&self) -> Capture {
        self.captures("").pop().expect("at least one capture")
    }
}

/// The capture id hookscope puts on every answer.
pub fn capture_id(response: &reqwest::Response) -> i64 {
    response.headers()["x-hookscope-capture"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

pub const GREEN_TEXT: &str = include_str!("../../assets/samples/green-api-incoming-text.json");
pub const MOYSKLAD_UPDATE: &str = include_str!("../../assets/samples/moysklad-product-update.json");
pub const REESTR_DONE: &str = include_str!("../../assets/samples/reestr-service-done.json");
pub const REESTR_CONFIRM: &str = include_str!("../../assets/samples/reestr-confirm.json");

/// A stand-in `cloudflared` in a `bin` folder of `dir`: it prints what cloudflared prints for a
/// quick tunnel (`https://calm-river-words.trycloudflare.com`), then goes on logging as
/// cloudflared does (so it dies if its output is no longer read), its pid written to
/// `cloudflared.pid` and its arguments to `cloudflared.pid.args`. The `bin` folder's path.
pub fn stand_in_cloudflared(dir: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let pid_file = dir.join("cloudflared.pid");
    let program = bin.join("cloudflared");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\necho $$ > {pid}\necho \"$*\" > {pid}.args\n\
             echo 'INF Requesting new quick Tunnel on trycloudflare.com...' >&2\n\
             echo 'INF |  https://calm-river-words.trycloudflare.com                      |' >&2\n\
             while echo 'INF Registered tunnel connection' >&2; do /bin/sleep 0.1; done\n",
            pid = pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// Whether the process `pid` (as a pid file holds it) still runs: it exists and is not a
/// zombie waiting for its parent to read its end.
pub fn alive(pid: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) else {
        return false;
    };
    // `pid (name) state …`: the state follows the name's closing parenthesis.
    let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
    !matches!(state, Some(Some('Z' | 'X')))
}

/// The standard output of a command that had to succeed.
pub fn ok(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The standard error of a command that had to fail.
pub fn failed(output: &std::process::Output) -> String {
    assert!(
        !output.status.success(),
        "should have failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr.clone()).unwrap()
}
