//! The `hookscope` binary as a user runs it: serve, captures, send-sample, settings errors,
//! a clean stop on SIGTERM and no acknowledged capture lost to `kill -9`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use hookscope::filter::Filter;
use hookscope::samples::SAMPLES;
use hookscope::store::StoreReader;
use serde_json::Value;

fn hookscope(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookscope"));
    command
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env_remove("HOOKSCOPE_CONFIG")
        .env_remove("HOOKSCOPE_DATA_DIR");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    hookscope(dir).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

struct Serve {
    child: Child,
    base: String,
    lines: mpsc::Receiver<String>,
}

impl Serve {
    fn start(dir: &Path) -> Serve {
        Serve::start_with(dir, &[])
    }

    fn start_with(dir: &Path, args: &[&str]) -> Serve {
        let mut command = hookscope(dir);
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--api-listen",
                "127.0.0.1:0",
            ])
            .args(args)
            .stderr(Stdio::null());
        Serve::spawn(command)
    }

    /// `serve` as `command` runs it, its first line read.
    fn spawn(mut command: Command) -> Serve {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let (send, lines) = mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines() {
                if send.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("serve printed nothing");
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        assert!(
            base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
            "{base}"
        );
        Serve { child, base, lines }
    }

    /// The next line that mentions `text`, skipping others.
    fn line_with(&self, text: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no line with {text:?}"));
            if line.contains(text) {
                return line;
            }
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap()
    }
}

/// One POST over a connection of its own; the answer's status.
fn post(base: &str, path: &str, headers: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{headers}content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
}

fn store_file(dir: &Path) -> PathBuf {
    dir.join("data").join("captures.sqlite3")
}

#[test]
fn serve_sample_captures_and_a_clean_stop() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[tunnel]\npublic_url = \"https://typed.example/\"\n";
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let serve = Serve::start(dir.path());
    assert_eq!(
        serve.line_with("public URL"),
        "  public URL https://typed.example (from typed in the settings ([tunnel] public_url))"
    );

    let sent = run(
        dir.path(),
        &[
            "send-sample",
            "green-api-incoming-text",
            "--to",
            &serve.base,
        ],
    );
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert!(
        stdout(&sent).contains("-> 200 OK (capture #1)"),
        "{}",
        stdout(&sent)
    );
    let line = serve.line_with("#1");
    assert!(
        line.contains("incomingMessageReceived from 79161234567: \"Hello, is the order ready?\""),
        "{line}"
    );

    let twice = run(
        dir.path(),
        &["send-sample", "moysklad-redelivery", "--to", &serve.base],
    );
    assert_eq!(
        stdout(&twice).matches("-> 204 No Content").count(),
        2,
        "{}",
        stdout(&twice)
    );
    assert!(serve.line_with("#3").contains("[repeat of #2]"));

    // The store is readable while serve is writing to it; flags go after the subcommand too.
    let listed = hookscope(dir.path())
        .args(["captures", "--json"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let captures: Vec<Value> = stdout(&listed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(captures.len(), 3);
    let first = &captures[0];
    for key in [
        "id",
        "received_at",
        "remote_addr",
        "method",
        "path",
        "query",
        "headers",
        "body",
        "body_base64",
        "size",
        "provider",
        "event",
        "summary",
        "verdict",
        "reason",
        "repeat_of",
        "response",
        "elapsed_ms",
    ] {
        assert!(
            first.get(key).is_some(),
            "capture JSON lacks {key}: {first}"
        );
    }
    assert_eq!(first["id"], 1);
    assert_eq!(first["provider"], "green-api");
    assert_eq!(first["event"], "incomingMessageReceived");
    assert_eq!(first["verdict"], "ok");
    assert_eq!(first["response"]["status"], 200);
    assert!(first["received_at"].as_str().unwrap().ends_with('Z'));
    assert!(first["headers"][0].as_array().unwrap().len() == 2);
    assert_eq!(captures[2]["repeat_of"], 2);
    assert_eq!(captures[2]["query"], captures[1]["query"]);

    let table = run(
        dir.path(),
        &["captures", "--filter", "provider:moysklad", "--limit", "1"],
    );
    let rows = stdout(&table);
    assert_eq!(rows.lines().count(), 1, "{rows}");
    assert!(
        rows.starts_with("#3 ") && rows.contains("product UPDATE"),
        "{rows}"
    );

    let status = serve.terminate();
    assert!(status.success(), "serve exited with {status:?} on SIGTERM");
}

#[test]
fn the_settings_file_is_created_for_its_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("config.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(text.contains("listen = \"127.0.0.1:8787\""), "{text}");
    serve.terminate();
}

/// hookscope's own data folder, found 0755 (made by `mkdir -p`, say), is made its owner's
/// only at start, as a new one is created; a folder given with --data-dir is left as it is
/// (it may be `.`).
#[cfg(unix)]
#[test]
fn an_existing_data_folder_of_its_own_is_tightened_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("share");
    let own = xdg.join("hookscope");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookscope"));
    command
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .env("XDG_DATA_HOME", &xdg)
        .env_remove("HOOKSCOPE_CONFIG")
        .env_remove("HOOKSCOPE_DATA_DIR")
        .stderr(Stdio::null());
    let serve = Serve::spawn(command);
    assert_eq!(mode(&own), 0o700);
    assert!(own.join("captures.sqlite3").exists(), "the store is in it");
    serve.terminate();

    // `run` gives --data-dir DIR/data.
    let chosen = dir.path().join("data");
    std::fs::create_dir(&chosen).unwrap();
    std::fs::set_permissions(&chosen, std::fs::Permissions::from_mode(0o755)).unwrap();
    let serve = Serve::start(dir.path());
    assert!(
        chosen.join("captures.sqlite3").exists(),
        "the store is in it"
    );
    serve.terminate();
    assert_eq!(mode(&chosen), 0o755);
}

#[test]
fn the_store_is_for_its_owner_only_and_has_one_writer() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    let status = post(
        &serve.base,
        "/green-api",
        "authorization: Bearer secret-token\r\n",
        "{}",
    );
    assert_eq!(status, 200);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let data = dir.path().join("data");
        assert_eq!(mode(&data), 0o700);
        for file in std::fs::read_dir(&data).unwrap() {
            let file = file.unwrap().path();
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    // A second writer on the same folder is refused, naming the one that holds it.
    let second = run(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!second.status.success());
    let said = stderr(&second);
    let pid = serve.child.id();
    assert!(
        said.contains(&format!(
            "Another hookscope (process {pid}) is already capturing into"
        )),
        "{said}"
    );
    serve.terminate();
}

#[test]
fn printed_lines_show_control_characters_instead_of_obeying_them() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    let hostile = r#"{"typeWebhook":"incomingMessageReceived","idMessage":"x1",
        "senderData":{"chatId":"\u001b[2J\u001b]0;PWNED\u0007@c.us","sender":"\u001b[31m"},
        "messageData":{"typeMessage":"textMessage","textMessageData":{"textMessage":"\u202eevil"}}}"#;
    assert_eq!(post(&serve.base, "/green-api", "", hostile), 200);
    let line = serve.line_with("#1");
    assert!(
        !line.contains('\u{1b}') && !line.contains('\u{7}'),
        "{line:?}"
    );
    assert!(line.contains(r"from \u{1b}[31m"), "{line}");
    let table = stdout(&run(dir.path(), &["captures"]));
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{202e}'),
        "{table:?}"
    );
    assert!(table.contains(r"\u{202e}evil"), "{table}");
    // --json stays faithful: the characters are there, escaped the JSON way.
    let json = stdout(&run(dir.path(), &["captures", "--json"]));
    assert!(json.contains(r"from \u001b[31m"), "{json}");
    let capture: Value = serde_json::from_str(json.trim()).unwrap();
    assert!(capture["summary"].as_str().unwrap().contains("\u{1b}[31m"));
    serve.terminate();
}

/// A listener that other machines can reach is said at start: captures hold customer data and
/// forward rules reach the developer's app.
#[test]
fn serve_says_when_other_machines_can_reach_its_listener() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = hookscope(dir.path())
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    let err = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let said = lines.recv_timeout(Duration::from_secs(30));
    child.kill().unwrap();
    child.wait().unwrap();
    let said = said.expect("serve said nothing on standard error");
    assert!(
        said.contains("0.0.0.0 can be reached from other machines"),
        "{said}"
    );
    assert!(said.contains("--listen 127.0.0.1:"), "{said}");
}

/// A rule that cannot be used stops `serve` before it listens, with a sentence naming it,
/// instead of being skipped: a fault or forward that silently does nothing tests nothing.
#[test]
fn serve_refuses_rules_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let target = format!("http://localhost:{port}/hooks");
    let own = run(
        dir.path(),
        &[
            "serve",
            "--listen",
            &listen,
            "--api-listen",
            "127.0.0.1:0",
            "--forward-to",
            &target,
        ],
    );
    assert!(!own.status.success());
    assert!(
        stderr(&own).contains("hookscope's own listener"),
        "{}",
        stderr(&own)
    );
    assert!(!stdout(&own).contains("listening"), "{}", stdout(&own));

    std::fs::write(
        dir.path().join("config.toml"),
        "[[respond]]\nfilter = \"provider:moysklad\"\npercent = 250\n",
    )
    .unwrap();
    let share = run(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!share.status.success());
    assert!(
        stderr(&share).contains("line 3, percent: 250 is not a share"),
        "{}",
        stderr(&share)
    );
}

/// `serve > fifo 2>&1` with nobody reading: what serve says on standard error, the line about
/// stopping included, must not hold it up either.
#[test]
fn serve_stops_on_sigterm_even_when_nobody_reads_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let inner = hookscope(dir.path());
    let mut command = Command::new("sh");
    command
        .args(["-c", "exec \"$@\" 2>&1", "sh"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .env_remove("HOOKSCOPE_CONFIG")
        .env_remove("HOOKSCOPE_DATA_DIR");
    let serve = Serve::spawn(command);
    // From here on nobody reads serve's output: the pipe fills and stays full.
    let Serve { child, base, lines } = serve;
    drop(lines);
    for n in 0..3000 {
        assert_eq!(
            post(&base, &format!("/fill/{n}"), "", &"x".repeat(100)),
            200
        );
    }
    let mut child = child;
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve did not stop within 15 s of SIGTERM while its output was blocked");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    let stored = StoreReader::open(&store_file(dir.path()))
        .unwrap()
        .count()
        .unwrap();
    assert_eq!(stored, 3000);
}

/// A disk that fills while serving: no webhook gets a 2xx that is not stored, and serve says
/// once a failure, in a sentence, what happened and what to do, and when saving works again.
/// Once there is room again, checkpoints work again too and the WAL stays bounded. The disk is
/// full as far as serve can tell: its files may not grow past 1 MiB (`ulimit -S -f`, with
/// SIGXFSZ ignored, so a write past it fails as on a full disk); then the limit is lifted.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_gets_503_and_serve_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let plain = hookscope(dir.path());
    let mut command = Command::new("sh");
    command
        .args(["-c", "trap '' XFSZ; ulimit -S -f 2048; exec \"$0\" \"$@\""])
        .arg(plain.get_program())
        .args(plain.get_args())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .env_remove("HOOKSCOPE_CONFIG")
        .env_remove("HOOKSCOPE_DATA_DIR")
        .stderr(Stdio::piped());
    let serve = Serve::spawn(command);
    // Until the store file is full too and nothing more fits: with pauses after each refusal,
    // so that background checkpoints have tried to copy into the full file meanwhile.
    let body = "f".repeat(40 << 10);
    let mut answers: Vec<u16> = Vec::new();
    while answers.len() < 400 && !answers.ends_with(&[503; 20]) {
        let status = post(&serve.base, &format!("/fill/{}", answers.len()), "", &body);
        if status == 503 {
            std::thread::sleep(Duration::from_millis(25));
        }
        answers.push(status);
    }
    assert!(answers.ends_with(&[503; 20]), "{answers:?}");
    let acknowledged = answers.iter().filter(|&&status| status == 200).count();
    assert!(
        acknowledged > 0 && answers.iter().all(|&status| status == 200 || status == 503),
        "{answers:?}"
    );
    // A checkpoint that starts the WAL over makes room again, so failures come in streaks.
    let streaks = answers
        .windows(2)
        .filter(|pair| pair[0] != 503 && pair[1] == 503)
        .count();
    assert!(streaks > 0, "the disk never filled: {answers:?}");
    // Room again: thousands of webhooks later the WAL is still started over.
    use rustix::process::{getrlimit, prlimit, Pid, Resource, Rlimit};
    let most = getrlimit(Resource::Fsize).maximum;
    let pid = Pid::from_raw(serve.child.id() as i32);
    let room = Rlimit {
        current: most,
        maximum: most,
    };
    prlimit(pid, Resource::Fsize, room).unwrap();
    let body = "r".repeat(4 << 10);
    for n in 0..6000 {
        assert_eq!(post(&serve.base, &format!("/room/{n}"), "", &body), 200);
    }
    let wal = std::fs::metadata(dir.path().join("data").join("captures.sqlite3-wal"))
        .unwrap()
        .len();
    // Started over at ~4 MB; later while search steps hold older snapshots, at worst when the
    // indexer steps aside at 68 MiB (64 MiB stays on disk, `journal_size_limit`). A WAL that
    // nobody checkpoints grows past 200 MB here.
    assert!(wal < 96 << 20, "the WAL grew to {wal} bytes");
    let Serve { mut child, .. } = serve;
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
    child.wait().unwrap();
    // A file past its size limit fails as a write error (EFBIG), a full disk as SQLITE_FULL:
    // either way the sentence says to look at the free space.
    assert!(
        said.contains("Free some disk space") || said.contains("has free space"),
        "{said}"
    );
    // Said once a failure and once a recovery, alternately. A batch holding only the answer
    // times of earlier webhooks can fail or recover too, so there may be more than the
    // answers show, never fewer.
    let (failed, again) = (
        "hookscope: webhooks could not be saved",
        "hookscope: webhooks are saved again.",
    );
    let events: Vec<bool> = said
        .lines()
        .filter_map(|line| match line {
            l if l.starts_with(failed) => Some(true),
            l if l.starts_with(again) => Some(false),
            _ => None,
        })
        .collect();
    assert!(
        events.iter().step_by(2).all(|&f| f) && events.iter().skip(1).step_by(2).all(|&f| !f),
        "{said}"
    );
    let resumed = answers
        .windows(2)
        .filter(|pair| pair[0] == 503 && pair[1] == 200)
        .count();
    let said_failed = events.iter().filter(|&&f| f).count();
    assert!(said_failed >= streaks, "{streaks} streaks: {said}");
    assert!(
        events.len() - said_failed >= resumed,
        "{resumed} recoveries: {said}"
    );
    let stored = StoreReader::open(&store_file(dir.path()))
        .unwrap()
        .count()
        .unwrap();
    assert_eq!(stored as usize, acknowledged + 6000);
}

/// Garbage over a page in the middle of the file, as a failing disk would leave it.
fn damage_a_page(store: &Path) {
    let mut bytes = std::fs::read(store).unwrap();
    let page = bytes.len() / 4096 / 2;
    bytes[page * 4096..(page + 1) * 4096].fill(0xab);
    std::fs::write(store, bytes).unwrap();
}

/// A store too big to check before serving is checked while serving: damage found there stops
/// `serve` with the same sentence as at start.
#[test]
fn a_big_store_found_damaged_while_serving_stops_serve() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    let big = "b".repeat(1 << 20);
    for n in 0..20 {
        assert_eq!(post(&serve.base, &format!("/big/{n}"), "", &big), 200);
    }
    assert!(serve.terminate().success());
    damage_a_page(&store_file(dir.path()));

    let mut child = hookscope(dir.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve kept serving a damaged store for 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stopped = child.wait_with_output().unwrap();
    assert!(!stopped.status.success());
    assert!(
        stdout(&stopped).starts_with("listening on"),
        "{}",
        stdout(&stopped)
    );
    let said = stderr(&stopped);
    assert!(said.contains("is damaged"), "{said}");
    assert!(said.contains("hookscope store set-aside"), "{said}");
}

#[test]
fn a_damaged_store_is_refused_at_start_salvaged_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    for n in 0..300 {
        let body = format!("{{\"n\":{n},\"pad\":\"{}\"}}", "p".repeat(2000));
        assert_eq!(post(&serve.base, &format!("/keep/{n}"), "", &body), 200);
    }
    assert!(serve.terminate().success());
    damage_a_page(&store_file(dir.path()));

    let refused = run(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("is damaged"), "{said}");
    assert!(said.contains("hookscope store set-aside"), "{said}");
    assert!(
        !stdout(&refused).contains("listening"),
        "{}",
        stdout(&refused)
    );
    let check = run(dir.path(), &["store", "check"]);
    assert!(!check.status.success());
    assert!(stderr(&check).contains("is damaged"), "{}", stderr(&check));

    // What can still be read is exported.
    let export = run(dir.path(), &["export", "--format", "ndjson"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let salvaged = stdout(&export).lines().count();
    assert!((200..300).contains(&salvaged), "{salvaged} salvaged");
    assert!(
        stderr(&export).contains("could not be read"),
        "{}",
        stderr(&export)
    );

    let aside = run(dir.path(), &["store", "set-aside"]);
    assert!(aside.status.success(), "{}", stderr(&aside));
    assert!(stdout(&aside).contains(".damaged-"), "{}", stdout(&aside));
    let serve = Serve::start(dir.path());
    assert_eq!(post(&serve.base, "/fresh", "", "x"), 200);
    assert!(serve.line_with("#1").contains("/fresh"));
    serve.terminate();
    let check = run(dir.path(), &["store", "check"]);
    assert!(
        stdout(&check).contains("is sound: 1 captures"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn mistakes_are_explained_in_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let bad_filter = run(dir.path(), &["captures", "--filter", "provder:reestr"]);
    assert!(!bad_filter.status.success());
    assert!(
        stderr(&bad_filter).contains("Unknown filter field \"provder:\""),
        "{}",
        stderr(&bad_filter)
    );

    let no_store = run(dir.path(), &["captures"]);
    assert!(!no_store.status.success());
    assert!(
        stderr(&no_store).contains("There is no capture store"),
        "{}",
        stderr(&no_store)
    );

    let unknown = run(dir.path(), &["send-sample", "green-api-incoming"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("Did you mean green-api-incoming-text"),
        "{}",
        stderr(&unknown)
    );

    let nobody = run(
        dir.path(),
        &[
            "send-sample",
            "reestr-payment",
            "--to",
            "http://127.0.0.1:9",
        ],
    );
    assert!(!nobody.status.success());
    assert!(
        stderr(&nobody).contains("Nothing is listening at http://127.0.0.1:9"),
        "{}",
        stderr(&nobody)
    );

    std::fs::write(
        dir.path().join("config.toml"),
        "[listener]\nlisten = \"127.0.0.1:8787\"\nmax_body = 10\n",
    )
    .unwrap();
    let bad_config = run(dir.path(), &["serve"]);
    assert!(!bad_config.status.success());
    let message = stderr(&bad_config);
    assert!(
        message.contains("line 3") && message.contains("max_body"),
        "{message}"
    );
}

#[test]
fn a_busy_port_is_reported_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run(
        dir.path(),
        &["serve", "--listen", &addr, "--api-listen", "127.0.0.1:0"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is in use"), "{}", stderr(&out));
}

#[test]
fn send_sample_lists_every_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&run(dir.path(), &["send-sample", "--list"]));
    for sample in SAMPLES {
        assert!(
            out.contains(sample.name),
            "{} missing from --list",
            sample.name
        );
    }
}

/// Sends a burst from several connections, kills the server with SIGKILL in the middle of it,
/// then checks that every request that got a 2xx is in the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_to_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::new();
    let workers: Vec<_> = (0..16)
        .map(|worker| {
            let (client, base, acknowledged, stop) = (
                client.clone(),
                serve.base.clone(),
                acknowledged.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let marker = format!("burst-{worker}-{n}");
                    match client
                        .post(format!("{base}/crash"))
                        .body(marker.clone())
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            acknowledged.lock().unwrap().push(marker)
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut child = serve.child;
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 50,
        "the burst was too small to mean anything: {}",
        acknowledged.len()
    );
    let reader = StoreReader::open(&store_file(dir.path())).unwrap();
    let stored: std::collections::HashSet<Vec<u8>> = reader
        .list(&Filter::parse("path:/crash").unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|c| c.request.body)
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|m| !stored.contains(m.as_bytes()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged but not stored, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}

/// The outbox survives `kill -9`: deliveries waiting for a target that is down arrive, in
/// order, once hookscope runs again and the target is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_kill_9_and_delivers_in_order_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = common::target::Target::down();
    let hooks = target.url("/hooks");
    let serve = Serve::start_with(dir.path(), &["--forward-to", &hooks]);
    serve.line_with(&format!("forward    → {hooks} (every capture; inspect"));
    let client = reqwest::Client::new();
    for n in 0..3 {
        let r = client
            .post(format!("{}/order-{n}", serve.base))
            .body(format!("order {n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    serve.line_with("is not taking deliveries");
    let mut child = serve.child;
    child.kill().unwrap();
    child.wait().unwrap();

    let waiting = stdout(&run(dir.path(), &["forwards", "--waiting"]));
    assert_eq!(waiting.matches("waiting after").count(), 3, "{waiting}");
    assert!(waiting.contains("could not connect"), "{waiting}");

    target.start().await;
    let serve = Serve::start(dir.path());
    let seen = target.wait_for(3, Duration::from_secs(20)).await;
    let uris: Vec<&str> = seen.iter().map(|s| s.uri.as_str()).collect();
    assert_eq!(uris, ["/hooks/order-0", "/hooks/order-1", "/hooks/order-2"]);
    serve.line_with(&format!("→ {hooks} is up"));

    // A replay while serve holds the store is sent and said, though not recorded.
    let replay = run(
        dir.path(),
        &["replay", "1", "--to", &hooks, "--header", "X-Try: 2"],
    );
    assert!(replay.status.success(), "{}", stderr(&replay));
    assert!(stdout(&replay).contains("200 in"), "{}", stdout(&replay));
    assert!(
        stderr(&replay).contains("not recorded"),
        "{}",
        stderr(&replay)
    );
    let last = target
        .wait_for(4, Duration::from_secs(5))
        .await
        .pop()
        .unwrap();
    assert_eq!(last.header("x-try"), "2");
    serve.terminate();

    // With the store free, replays are recorded with their capture; an edited one says so.
    for args in [
        &["replay", "1", "--to", &hooks][..],
        &["replay", "2", "--to", &hooks, "--header", "X-Try: 3"],
    ] {
        let replay = run(dir.path(), args);
        assert!(replay.status.success(), "{}", stderr(&replay));
    }
    let listed = stdout(&run(dir.path(), &["forwards"]));
    assert!(
        listed.contains("capture #1     generic   replay →"),
        "{listed}"
    );
    assert!(
        listed.contains("capture #2     generic   edited replay →"),
        "{listed}"
    );
    let json = stdout(&run(dir.path(), &["forwards", "--json"]));
    let replays: Vec<(i64, bool)> = json
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|d| d["kind"] == "replay")
        .map(|d| {
            (
                d["capture_id"].as_i64().unwrap(),
                d["edited"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(replays, [(2, true), (1, false)], "newest first: {json}");
}

/// A pass-through request that gets serve's own answer because an earlier one of its queue
/// still waits for the app is said, with what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_says_when_a_pass_through_request_gets_its_own_answer() {
    let dir = tempfile::tempdir().unwrap();
    let target = common::target::Target::up().await;
    target.answer(common::target::Answer {
        delay: Duration::from_millis(1000),
        ..Default::default()
    });
    let hooks = target.url("/hooks");
    let serve = Serve::start_with(dir.path(), &["--forward-to", &hooks, "--pass-through"]);
    serve.line_with("pass-through: providers get its answer");
    let base = serve.base.clone();
    let first = tokio::task::spawn_blocking(move || post(&base, "/orders/1", "", "one"));
    target.wait_for(1, Duration::from_secs(5)).await;
    let base = serve.base.clone();
    assert_eq!(
        tokio::task::spawn_blocking(move || post(&base, "/orders/2", "", "two"))
            .await
            .unwrap(),
        200
    );
    let said = serve.line_with("not by your app");
    assert!(
        said.contains(&format!(
            "→ {hooks}: a pass-through request was answered by hookscope"
        )),
        "{said}"
    );
    assert!(said.contains("[pass_through] generic_ms"), "{said}");
    assert_eq!(first.await.unwrap(), 200);
    serve.terminate();
}

/// `forwards` masks the secrets of the settings as exports do: the URL an attempt tried holds
/// the capture's path, and a secret segment in it (here the GREEN-API webhook token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_masks_a_secret_path_segment() {
    const TOKEN: &str = "s3cretT0kenInPath";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[green_api]\nwebhook_url_token = \"{TOKEN}\"\n"),
    )
    .unwrap();
    let target = common::target::Target::down();
    let hooks = target.url("/hooks");
    let serve = Serve::start_with(dir.path(), &["--forward-to", &hooks]);
    let auth = format!("authorization: Bearer {TOKEN}\r\n");
    let path = format!("/green-api/{TOKEN}");
    assert_eq!(post(&serve.base, &path, &auth, common::GREEN_TEXT), 200);
    serve.line_with("is not taking deliveries");
    for args in [&["forwards"][..], &["forwards", "--json"]] {
        let output = run(dir.path(), args);
        let out = stdout(&output);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(out.contains("could not connect to"), "{out}");
        assert!(!out.contains(TOKEN), "{args:?} shows the token: {out}");
        assert!(out.contains("/hooks/***"), "{out}");
    }
    serve.terminate();
}

/// A fault in the settings is said when serve starts, with what it breaks, and the timeline
/// shows what each arrival was answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_names_its_faults_and_timeline_shows_their_answers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[[respond]]\nfilter = \"provider:green-api\"\ndo = \"fail\"\ntimes = 1\n",
    )
    .unwrap();
    let serve = Serve::start(dir.path());
    serve.line_with("respond    rule 1: fail on purpose for filter provider:green-api, the next 1");
    serve.line_with("⚠ GREEN-API resends it every 60 s");
    let client = reqwest::Client::new();
    let body = common::GREEN_TEXT;
    let mut last = 0;
    for expected in [500, 200] {
        let r = client
            .post(format!("{}/green-api", serve.base))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected);
        last = common::capture_id(&r);
    }
    let timeline = run(dir.path(), &["timeline", &last.to_string()]);
    let out = stdout(&timeline);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("500  (failed on purpose by response rule 1"),
        "{out}"
    );
    assert!(lines[1].ends_with(" 200"), "{out}");
    let none = run(dir.path(), &["timeline", "999"]);
    assert!(
        stderr(&none).contains("has no redelivery key"),
        "{}",
        stderr(&none)
    );
    serve.terminate();
}

/// `hookscope wait` finds the serve running for its data folder by itself: 0 and the capture
/// when one matches, 1 with a sentence when none comes in time, 2 on a mistake.
#[test]
fn wait_exits_0_on_a_match_1_on_timeout_and_2_on_a_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());
    let waiting = hookscope(dir.path())
        .args([
            "wait",
            "--filter",
            "provider:reestr",
            "--timeout",
            "20s",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(post(&serve.base, "/moysklad?requestId=x", "", "{}"), 204);
    let confirm = include_str!("../assets/samples/reestr-confirm.json");
    assert_eq!(post(&serve.base, "/reestr", "", confirm), 200);
    let found = waiting.wait_with_output().unwrap();
    assert!(found.status.success(), "{}", stderr(&found));
    let capture: Value = serde_json::from_str(stdout(&found).trim()).unwrap();
    assert_eq!(capture["provider"], "reestr");

    // Both came already: --since finds them, oldest first, as lines.
    let both = run(
        dir.path(),
        &["wait", "--since", "1m", "--count", "2", "--timeout", "5s"],
    );
    assert!(both.status.success(), "{}", stderr(&both));
    let lines: Vec<String> = stdout(&both).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("moysklad") && lines[1].contains("reestr"),
        "{lines:?}"
    );

    let late = run(
        dir.path(),
        &[
            "wait",
            "--filter",
            "provider:green-api",
            "--timeout",
            "300ms",
        ],
    );
    assert_eq!(late.status.code(), Some(1));
    assert!(
        stderr(&late).contains("No capture matched within 300 ms"),
        "{}",
        stderr(&late)
    );
    let mistake = run(dir.path(), &["wait", "--filter", "provder:x"]);
    assert_eq!(mistake.status.code(), Some(2));
    assert!(
        stderr(&mistake).contains("provder:"),
        "{}",
        stderr(&mistake)
    );
    serve.terminate();

    let nobody = run(dir.path(), &["wait", "--timeout", "1s"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        stderr(&nobody).contains("No hookscope is running"),
        "{}",
        stderr(&nobody)
    );
}

/// `attach` as a developer on a team runs it: a real host (`serve`) and a real mirror process.
fn attach(dir: &Path, api: &str, token: &str, forward_to: &str) -> Child {
    hookscope(dir)
        .args(["attach", api, "--forward-to", forward_to])
        .env("HOOKSCOPE_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The host's API address, from serve's start lines.
fn api_of(host: &Serve) -> String {
    let line = host.line_with("  api ");
    line.split_whitespace().last().unwrap().to_string()
}

/// Waits until the mirror's store holds `count` captures; their host ids, oldest first.
fn mirrored(dir: &Path, count: usize) -> Vec<i64> {
    let started = std::time::Instant::now();
    loop {
        let ids: Vec<i64> = StoreReader::open(&store_file(dir))
            .and_then(|r| r.list(&Filter::default(), None))
            .map(|c| c.iter().filter_map(|c| c.host_id).collect())
            .unwrap_or_default();
        if ids.len() >= count || started.elapsed() > Duration::from_secs(30) {
            return ids;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A mirror killed with -9 mid-stream misses nothing and repeats nothing once restarted, and
/// forwards every capture to the developer's app in the host's order; the host stops at once
/// on SIGTERM with a mirror attached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_resumes_after_kill_9_with_nothing_missed_or_twice_and_forwards_in_order() {
    let (host_dir, dev_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let host = Serve::start(host_dir.path());
    let api = api_of(&host);
    let token = std::fs::read_to_string(host_dir.path().join("data").join("api-token")).unwrap();
    let target = common::target::Target::up().await;
    let to = target.url("/hooks");
    let base = host.base.clone();
    let post_n = |from: usize, to: usize| {
        let base = base.clone();
        std::thread::spawn(move || {
            for n in from..to {
                assert_eq!(post(&base, "/hook", "", &format!("{{\"n\":{n}}}")), 200);
            }
        })
    };

    let mut mirror = attach(dev_dir.path(), &api, token.trim(), &to);
    post_n(0, 100).join().unwrap();
    assert_eq!(mirrored(dev_dir.path(), 100).len(), 100);
    let posting = post_n(100, 600);
    std::thread::sleep(Duration::from_millis(100));
    mirror.kill().unwrap();
    mirror.wait().unwrap();
    posting.join().unwrap();

    let mut mirror = attach(dev_dir.path(), &api, token.trim(), &to);
    let ids = mirrored(dev_dir.path(), 600);
    assert_eq!(
        ids,
        (1..=600).collect::<Vec<i64>>(),
        "each host capture once, in order"
    );
    let seen = target.wait_for(600, Duration::from_secs(30)).await;
    // Killed mid-delivery, the mirror cannot know whether the app got the last ones it sent
    // before their delivery was recorded: those are sent again after the restart (at least
    // once, as the outbox promises). In the order of first arrival, each once.
    let mut bodies: Vec<String> = Vec::new();
    for s in &seen {
        let body = String::from_utf8_lossy(&s.body).into_owned();
        if !bodies.contains(&body) {
            bodies.push(body);
        }
    }
    let again = seen.len() - bodies.len();
    // The outbox keeps at most 16 records on their way to the store, and one more may have
    // been answered but not yet handed to the store.
    assert!(again <= 17, "{again} sent again");
    let sent: Vec<String> = (0..600).map(|n| format!("{{\"n\":{n}}}")).collect();
    assert!(
        bodies == sent,
        "not each once in order: {} of 600",
        bodies.len()
    );

    let started = std::time::Instant::now();
    assert!(host.terminate().success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a stream held the host up"
    );
    mirror.kill().unwrap();
    mirror.wait().unwrap();
}

/// A refused token and a URL that is not a hookscope API end `attach` with a sentence.
#[test]
fn attach_refuses_a_wrong_token_and_a_host_that_is_not_hookscope() {
    let (host_dir, dev_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let host = Serve::start(host_dir.path());
    let api = api_of(&host);
    let out = hookscope(dev_dir.path())
        .args(["attach", &api, "--token", "hs_wrong"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("refused the token"),
        "{}",
        stderr(&out)
    );
    // The webhook listener answers, but it is not an API.
    let other = tempfile::tempdir().unwrap();
    let out = hookscope(other.path())
        .args(["attach", &host.base, "--token", "hs_x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a hookscope API"),
        "{}",
        stderr(&out)
    );
    host.terminate();
}

/// The host restarted (same addresses, same data) while two developers are attached: both
/// mirrors come back on their own and end with every capture once, in the host's order.
#[test]
fn both_mirrors_resume_after_the_host_restarts_with_nothing_lost() {
    let host_dir = tempfile::tempdir().unwrap();
    let (anna, boris) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let host = Serve::start(host_dir.path());
    let api = api_of(&host);
    let token = std::fs::read_to_string(host_dir.path().join("data").join("api-token")).unwrap();
    // Nothing listens there: these mirrors only mirror.
    let nowhere = "http://127.0.0.1:9/hooks";
    let mut mirrors =
        [anna.path(), boris.path()].map(|dir| attach(dir, &api, token.trim(), nowhere));
    for n in 0..50 {
        assert_eq!(
            post(&host.base, "/hook", "", &format!("{{\"n\":{n}}}")),
            200
        );
    }
    for dir in [anna.path(), boris.path()] {
        assert_eq!(mirrored(dir, 50).len(), 50);
    }

    let listen = host.base.strip_prefix("http://").unwrap().to_string();
    let api_listen = api
        .strip_prefix("http://")
        .and_then(|a| a.strip_suffix("/api/v1"))
        .unwrap()
        .to_string();
    assert!(host.terminate().success());
    let mut again = hookscope(host_dir.path());
    again
        .args(["serve", "--listen", &listen, "--api-listen", &api_listen])
        .stderr(Stdio::null());
    let host = Serve::spawn(again);
    for n in 50..100 {
        assert_eq!(
            post(&host.base, "/hook", "", &format!("{{\"n\":{n}}}")),
            200
        );
    }
    for dir in [anna.path(), boris.path()] {
        assert_eq!(
            mirrored(dir, 100),
            (1..=100).collect::<Vec<i64>>(),
            "each host capture once, in order"
        );
    }
    for mirror in &mut mirrors {
        mirror.kill().unwrap();
        mirror.wait().unwrap();
    }
    host.terminate();
}

/// A token revoked while attached, and a host whose API is newer than this hookscope's, end
/// `attach` with a sentence that says what to do.
#[test]
fn attach_ends_on_a_revoked_token_and_a_newer_host() {
    let (host_dir, dev_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let added = run(host_dir.path(), &["api", "token", "add", "anna"]);
    let token = stdout(&added).trim().to_string();
    let host = Serve::start(host_dir.path());
    let api = api_of(&host);
    let mut mirror = hookscope(dev_dir.path())
        .args(["attach", &api])
        .env("HOOKSCOPE_TOKEN", &token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert_eq!(post(&host.base, "/hook", "", "{}"), 200);
    assert_eq!(mirrored(dev_dir.path(), 1).len(), 1);
    let revoked = run(host_dir.path(), &["api", "token", "revoke", "anna"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let started = std::time::Instant::now();
    while mirror.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "attach goes on with a revoked token"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = mirror.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("refused the token"),
        "{}",
        stderr(&out)
    );
    host.terminate();

    // A host that speaks a newer API version.
    let newer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let newer_url = format!("http://{}", newer.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in newer.incoming().flatten() {
            let mut request = [0; 4096];
            let _ = stream.read(&mut request);
            let body = r#"{"api_version": 99, "version": "9.0.0"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let other = tempfile::tempdir().unwrap();
    let out = hookscope(other.path())
        .args(["attach", &newer_url, "--token", "hs_x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(said.contains("speaks API version 99"), "{said}");
    assert!(said.contains("update hookscope here"), "{said}");
}

/// A team host's tokens from the command line, and `serve --check-config` for a service: the
/// API beyond loopback is refused until a user has a token, with what to do.
#[test]
fn api_tokens_are_added_listed_and_revoked_and_check_config_says_what_would_fail() {
    let dir = tempfile::tempdir().unwrap();
    let fine = run(dir.path(), &["serve", "--check-config"]);
    assert!(fine.status.success(), "{}", stderr(&fine));
    assert!(stdout(&fine).contains("are fine"), "{}", stdout(&fine));

    let settings = |text: &str| std::fs::write(dir.path().join("config.toml"), text).unwrap();
    settings("[[forward]]\ntarget = \"not a url\"\n");
    let mistake = run(dir.path(), &["serve", "--check-config"]);
    assert!(!mistake.status.success());
    assert!(
        stderr(&mistake).contains("line 2, target"),
        "{}",
        stderr(&mistake)
    );

    settings(
        "[listener]\nlisten = \"127.0.0.1:8787\"\n\n[api]\nlisten = \"0.0.0.0:8788\"\n\n\
         [[forward]]\ntarget = \"http://127.0.0.1:8787/hooks\"\n",
    );
    let refused = run(dir.path(), &["serve", "--check-config"]);
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("is hookscope's own listener"), "{said}");
    assert!(said.contains("hookscope api token add NAME"), "{said}");

    let added = run(dir.path(), &["api", "token", "add", "anna"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let token = stdout(&added).trim().to_string();
    assert!(token.starts_with("hsu_"), "{token}");
    assert!(
        stderr(&added).contains("not shown again"),
        "{}",
        stderr(&added)
    );
    let users = std::fs::read_to_string(dir.path().join("data/api-users.json")).unwrap();
    assert!(!users.contains(&token), "the token itself is kept: {users}");
    let twice = run(dir.path(), &["api", "token", "add", "anna"]);
    assert!(!twice.status.success());
    let said = stderr(&twice);
    assert!(said.contains("There is a user \"anna\" already"), "{said}");
    assert!(stdout(&run(dir.path(), &["api", "token", "list"])).starts_with("anna "));

    settings("[api]\nlisten = \"0.0.0.0:8788\"\n");
    let now_fine = run(dir.path(), &["serve", "--check-config"]);
    assert!(now_fine.status.success(), "{}", stderr(&now_fine));

    let revoked = run(dir.path(), &["api", "token", "revoke", "anna"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let listed = run(dir.path(), &["api", "token", "list"]);
    assert_eq!(stdout(&listed), "");
    assert!(
        stderr(&listed).contains("no user has a token"),
        "{}",
        stderr(&listed)
    );
    let unknown = run(dir.path(), &["api", "token", "revoke", "anna"]);
    assert!(!unknown.status.success());
    let said = stderr(&unknown);
    assert!(said.contains("There is no user \"anna\""), "{said}");
}

/// `serve --tunnel PROGRAM` on free ports, with only `bin` on PATH.
fn serve_with_tunnel(dir: &Path, bin: &Path, program: &str) -> Command {
    let mut command = hookscope(dir);
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--api-listen", "127.0.0.1:0", "--tunnel", program])
        .env("PATH", bin);
    command
}

/// `serve --tunnel cloudflared` starts the program found on PATH (here a stand-in that prints
/// what cloudflared prints), shows its URL as the public URL and stops it with serve; a program
/// that is not installed is said with where to get it.
#[test]
fn serve_starts_a_quick_tunnel_and_stops_it_with_itself() {
    let dir = tempfile::tempdir().unwrap();
    let bin = common::stand_in_cloudflared(dir.path());
    let pid_file = dir.path().join("cloudflared.pid");

    let mut command = serve_with_tunnel(dir.path(), &bin, "cloudflared");
    command.stderr(Stdio::null());
    let host = Serve::spawn(command);
    let port = host.base.rsplit(':').next().unwrap().to_string();
    let line = host.line_with("public URL");
    assert!(
        line.contains("https://calm-river-words.trycloudflare.com"),
        "{line}"
    );
    assert!(line.contains("hookscope started"), "{line}");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let alive = common::alive;
    // Still running a while after its URL was read, logging all the time.
    std::thread::sleep(Duration::from_millis(500));
    assert!(alive(&pid));
    let args = std::fs::read_to_string(dir.path().join("cloudflared.pid.args")).unwrap();
    assert_eq!(
        args.trim(),
        format!("tunnel --no-autoupdate --url http://127.0.0.1:{port}")
    );
    assert!(host.terminate().success());
    let started = std::time::Instant::now();
    while alive(&pid) && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(&pid), "cloudflared still runs after serve stopped");

    let missing = serve_with_tunnel(dir.path(), &bin, "ngrok")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let said = stderr(&missing);
    assert!(said.contains("ngrok is not installed here"), "{said}");
    assert!(said.contains("https://ngrok.com/download"), "{said}");
}
