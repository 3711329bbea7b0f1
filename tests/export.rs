//! Export and import through the binary, against captures a real listener took: HAR and
//! NDJSON round trips that keep every byte, masking of configured secrets, cURL commands that
//! reproduce a binary request on another listener, and errors that name the broken line.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use common::{start, Listener, GREEN_TEXT, MOYSKLAD_UPDATE, REESTR_DONE};
use hookscope::capture::{Capture, HeaderValue, Provider, Verdict};
use hookscope::config::{Config, KeepIn, Secret};
use hookscope::filter::Filter;
use hookscope::store::{Edit, StoreReader};
use serde_json::Value;

const MOYSKLAD_AGENT: &str = "MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)";

fn hookscope(config: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookscope"));
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("HOOKSCOPE_CONFIG")
        .env_remove("HOOKSCOPE_DATA_DIR");
    command
}

/// Runs a command off the async runtime, so listeners keep answering meanwhile.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn all(store_file: &Path) -> Vec<Capture> {
    StoreReader::open(store_file)
        .unwrap()
        .list(&Filter::default(), None)
        .unwrap()
}

fn binary_body() -> Vec<u8> {
    (0..=255u8).collect()
}

/// A GREEN-API message in Cyrillic, a body with every byte value, a MoySklad delivery and its
/// redelivery, and a GET with a query string and a repeated header.
/// "При" in cp1251: bytes a header may carry that are not UTF-8.
fn cp1251_header() -> reqwest::header::HeaderValue {
    reqwest::header::HeaderValue::from_bytes(b"\xcf\xf0\xe8").unwrap()
}

async fn send_variety(l: &Listener) {
    let green = GREEN_TEXT.replace(
        "Hello, is the order ready?",
        "Здравствуйте! Заказ №1542 готов? «Ёлка» — 'да'",
    );
    let r = l
        .post("/green-api", &[("content-type", "application/json")], green)
        .await;
    assert_eq!(r.status(), 200);
    let r = l
        .post(
            "/upload/raw?kind=bin&n=256",
            &[
                ("content-type", "application/octet-stream"),
                ("x-note", "it's \"quoted\" 100%"),
            ],
            binary_body(),
        )
        .await;
    assert_eq!(r.status(), 200);
    for _ in 0..2 {
        let r = l
            .post(
                "/moysklad?requestId=7c2b-41a9-9f0e",
                &[
                    ("content-type", "application/json"),
                    ("user-agent", MOYSKLAD_AGENT),
                ],
                MOYSKLAD_UPDATE,
            )
            .await;
        assert_eq!(r.status(), 204);
    }
    let r = l
        .client
        .get(format!(
            "{}/status?q=%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7&tag=a&tag=b&empty=",
            l.base
        ))
        .header("x-tag", "one")
        .header("x-tag", "two")
        .header("x-cp1251", cp1251_header())
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Every field equal, ids aside; `repeat_of` must point at the corresponding new capture.
fn assert_same(originals: &[Capture], imported: &[Capture]) {
    assert_eq!(originals.len(), imported.len());
    let new_id: HashMap<i64, i64> = originals
        .iter()
        .zip(imported)
        .map(|(o, n)| (o.id, n.id))
        .collect();
    for (o, n) in originals.iter().zip(imported) {
        let what = format!(
            "capture #{} ({} {})",
            o.id, o.request.method, o.request.path
        );
        let (or, nr) = (&o.request, &n.request);
        assert_eq!(nr.received_at, or.received_at, "{what}: received_at");
        assert_eq!(nr.remote_addr, or.remote_addr, "{what}: remote_addr");
        assert_eq!(nr.method, or.method, "{what}: method");
        assert_eq!(nr.path, or.path, "{what}: path");
        assert_eq!(nr.query, or.query, "{what}: query");
        assert_eq!(nr.headers, or.headers, "{what}: headers");
        assert!(nr.body == or.body, "{what}: body bytes differ");
        assert_eq!(nr.size, or.size, "{what}: size");
        let (oj, nj) = (&o.judgement, &n.judgement);
        assert_eq!(nj.provider, oj.provider, "{what}: provider");
        assert_eq!(nj.event, oj.event, "{what}: event");
        assert_eq!(nj.summary, oj.summary, "{what}: summary");
        assert_eq!(nj.verdict, oj.verdict, "{what}: verdict");
        assert_eq!(nj.reason, oj.reason, "{what}: reason");
        assert_eq!(
            nj.redelivery_key, oj.redelivery_key,
            "{what}: redelivery_key"
        );
        assert_eq!(nj.answer.status, oj.answer.status, "{what}: status");
        assert!(nj.answer.body == oj.answer.body, "{what}: answer body");
        assert_eq!(
            nj.answer.headers, oj.answer.headers,
            "{what}: answer headers"
        );
        assert_eq!(n.elapsed_ms, o.elapsed_ms, "{what}: elapsed_ms");
        assert_eq!(n.pinned, o.pinned, "{what}: pinned");
        assert_eq!(n.note, o.note, "{what}: note");
        assert_eq!(
            n.repeat_of,
            o.repeat_of.map(|id| new_id[&id]),
            "{what}: repeat_of"
        );
    }
}

/// Exports `source` (a data dir) in `format`, imports the file into a fresh data dir and
/// returns the captures that arrived there, with the exported file's text.
async fn export_and_import(format: &str, source: &Path, count: usize) -> (Vec<Capture>, String) {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    let file = work.path().join(format!("captures.{format}"));
    let out = run({
        let mut c = hookscope(&config, source);
        c.args(["export", "--format", format, "-o"]).arg(&file);
        c
    })
    .await;
    assert!(out.status.success(), "export: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("exported {count} captures")),
        "{}",
        text(&out.stdout)
    );
    // Captured customer data: the file is for its owner only, like the store.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let target: PathBuf = work.path().join("imported");
    let out = run({
        let mut c = hookscope(&config, &target);
        c.arg("import").arg(&file);
        c
    })
    .await;
    assert!(out.status.success(), "import: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("imported {count} captures")
    );
    (
        all(&target.join("captures.sqlite3")),
        std::fs::read_to_string(&file).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn har_and_ndjson_round_trips_keep_every_field_and_byte() {
    let l = start(|_| {}).await;
    send_variety(&l).await;
    let Listener { engine, dir, .. } = l;
    // What the user added travels too: a pin and a note.
    let sent = all(&dir.path().join("captures.sqlite3"));
    let store = engine.store();
    let pin = Edit::Pin {
        id: sent[0].id,
        pinned: true,
    };
    let note = Edit::Note {
        id: sent[1].id,
        note: "перезвонить клиенту".into(),
    };
    store.edit(pin).await.unwrap();
    store.edit(note).await.unwrap();
    // Stopping writes the last timings, so elapsed_ms is final before exporting.
    engine.stop().await;
    let originals = all(&dir.path().join("captures.sqlite3"));
    assert_eq!(originals.len(), 5);
    assert!(originals[0].pinned && originals[1].note == "перезвонить клиенту");
    assert_eq!(originals[1].request.body, binary_body());
    assert_eq!(originals[3].repeat_of, Some(originals[2].id));
    assert_eq!(
        originals[4]
            .request
            .headers
            .iter()
            .filter(|(n, _)| n == "x-tag")
            .count(),
        2
    );
    // A header value that is not UTF-8 is stored byte for byte, not through U+FFFD.
    let cp1251 = originals[4]
        .request
        .headers
        .iter()
        .find(|(n, _)| n == "x-cp1251");
    assert_eq!(
        cp1251.map(|(_, v)| v.as_bytes()),
        Some(&b"\xcf\xf0\xe8"[..])
    );
    assert!(originals.iter().all(|c| c.elapsed_ms.is_some()));

    let (imported, har) = export_and_import("har", dir.path(), 5).await;
    assert_same(&originals, &imported);
    let har: Value = serde_json::from_str(&har).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "hookscope");
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(entries[0]["request"]["postData"]["text"]
        .as_str()
        .unwrap()
        .contains("Здравствуйте"));
    assert_eq!(
        entries[4]["request"]["queryString"][0],
        serde_json::json!({"name": "q", "value": "заказ"})
    );
    assert_eq!(entries[3]["_hookscope"]["repeat_of"], originals[2].id);

    let (imported, ndjson) = export_and_import("ndjson", dir.path(), 5).await;
    // Capture JSON carries the answer's status and body, not its headers.
    assert_same(&originals, &imported);
    let listed = run({
        let mut c = hookscope(&dir.path().join("config.toml"), dir.path());
        c.args(["captures", "--json"]);
        c
    })
    .await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert_eq!(
        ndjson,
        text(&listed.stdout),
        "NDJSON is the captures --json shape"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_secrets_never_leave_in_an_export() {
    const TOKEN: &str = "wh-Secret-7f3a9c";
    const REESTR_KEY: &str = "eaa4-1e8485fb21-2117d474";
    let configure = |c: &mut Config| {
        c.green_api.webhook_url_token = Secret::new(TOKEN);
        c.reestr.secret_key = Secret::new(REESTR_KEY);
    };
    let l = start(configure).await;
    let auth = format!("Bearer {TOKEN}");
    let r = l
        .post(
            "/green-api",
            &[("authorization", auth.as_str())],
            GREEN_TEXT,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(l.post("/reestr", &[], REESTR_DONE).await.status(), 200);
    assert!(REESTR_DONE.contains(REESTR_KEY));

    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    let mut settings = Config::default();
    // The tokens these tests make stay out of the keyring of the machine running them.
    settings.secrets.keep_in = KeepIn::File;
    configure(&mut settings);
    settings.save(&config).unwrap();
    for format in ["har", "ndjson", "curl"] {
        let out = run({
            let mut c = hookscope(&config, l.dir.path());
            c.args(["export", "--format", format]);
            c
        })
        .await;
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        let exported = text(&out.stdout);
        assert!(exported.contains("Bearer ***"), "{format}: {exported}");
        assert!(
            exported.contains(r#"\"secret_key\":\"***\""#)
                || exported.contains(r#""secret_key":"***""#),
            "{format}: {exported}"
        );
        for secret in [TOKEN, REESTR_KEY] {
            assert!(!exported.contains(secret), "{format} holds {secret}");
        }
        // Nor hidden in base64.
        for encoded in exported.split('"').filter(|s| s.len() > 20) {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                let decoded = text(&bytes);
                assert!(
                    !decoded.contains(TOKEN) && !decoded.contains(REESTR_KEY),
                    "{format}: {decoded}"
                );
            }
        }
    }
}

/// Headers that describe the connection rather than the request.
fn request_headers(capture: &Capture) -> Vec<(String, HeaderValue)> {
    capture
        .request
        .headers
        .iter()
        .filter(|(n, _)| !hookscope::export::curl::SKIPPED_HEADERS.contains(&n.as_str()))
        .cloned()
        .collect()
}

fn assert_replayed(original: &Capture, replayed: &Capture) {
    let (o, r) = (&original.request, &replayed.request);
    assert_eq!(r.method, o.method);
    assert_eq!(r.path, o.path);
    assert_eq!(r.query, o.query);
    assert_eq!(request_headers(replayed), request_headers(original));
    assert!(r.body == o.body, "body bytes differ: {:?}", r.body);
    assert_eq!(replayed.judgement.provider, original.judgement.provider);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curl_command_reproduces_a_binary_post_on_another_listener() {
    let first = start(|_| {}).await;
    let r = first
        .client
        .put(format!("{}/replay/bin?x=1&y=%27q%27&z=[1]", first.base))
        .header("content-type", "application/octet-stream")
        .header("user-agent", "hookscope-test/1")
        .header("x-quote", "it's $HOME `date` \\ 100%")
        .header("x-multi", "a")
        .header("x-multi", "b")
        .header("x-empty", "")
        .header("x-cp1251", cp1251_header())
        .body(binary_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let original = first.last();
    assert_eq!(original.request.body, binary_body());

    let second = start(|_| {}).await;
    let command = hookscope::export::curl::command(&original, &second.base);
    let out = run({
        let mut c = Command::new("sh");
        c.arg("-c").arg(&command).stdin(Stdio::null());
        c
    })
    .await;
    assert!(out.status.success(), "{command}\n{}", text(&out.stderr));
    assert_replayed(&original, &second.last());

    // The exported script sends it where --to says, not to the Host the sender chose (the first
    // listener, here).
    let work = tempfile::tempdir().unwrap();
    let script = work.path().join("replay.sh");
    let out = run({
        let mut c = hookscope(&work.path().join("config.toml"), first.dir.path());
        c.args(["export", "--format", "curl", "--to", &second.base, "-o"])
            .arg(&script);
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&script).unwrap();
    assert!(written.starts_with("#!/bin/sh\n"), "{written}");
    let out = run({
        let mut c = Command::new("sh");
        c.arg(&script).stdin(Stdio::null());
        c
    })
    .await;
    assert!(out.status.success(), "{written}\n{}", text(&out.stderr));
    assert_eq!(first.captures("").len(), 1);
    let captures = second.captures("");
    assert_eq!(captures.len(), 2);
    assert_replayed(&original, &captures[1]);
    assert_eq!(captures[1].judgement.verdict, Verdict::Ok);
    assert_eq!(captures[1].judgement.provider, Provider::Generic);
}

#[tokio::test]
async fn a_file_that_is_not_json_is_refused_and_bad_entries_are_skipped_by_number() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    let data = work.path().join("data");

    let ndjson = work.path().join("bad.ndjson");
    std::fs::write(
        &ndjson,
        "{\"method\":\"POST\",\"path\":\"/x\",\"body\":\"hi\"}\n\n{\"method\": POST}\n",
    )
    .unwrap();
    let out = run({
        let mut c = hookscope(&config, &data);
        c.arg("import").arg(&ndjson);
        c
    })
    .await;
    assert!(!out.status.success());
    let message = text(&out.stderr);
    assert!(
        message.contains("bad.ndjson is neither a HAR file nor capture NDJSON: line 3 is not JSON"),
        "{message}"
    );
    assert!(message.contains("Nothing was imported"), "{message}");

    let missing = work.path().join("missing.ndjson");
    std::fs::write(&missing, "{\"method\":\"POST\",\"body\":\"hi\"}\n").unwrap();
    let out = run({
        let mut c = hookscope(&config, &data);
        c.arg("import").arg(&missing);
        c
    })
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("  line 1: path is missing"),
        "{}",
        text(&out.stderr)
    );

    let har = work.path().join("bad.har");
    std::fs::write(
        &har,
        r#"{"log":{"entries":[{"request":{"method":"GET","url":"http://h/"}},{"response":{}}]}}"#,
    )
    .unwrap();
    let out = run({
        let mut c = hookscope(&config, &data);
        c.arg("import").arg(&har);
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "imported 1 captures");
    assert!(
        text(&out.stderr).contains("  HAR entry 2 (log.entries[1]): it has no request"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(all(&data.join("captures.sqlite3")).len(), 1);
}

/// An imported file is trusted no more than the network: what could not have come over HTTP,
/// or would have been refused there, is skipped and named.
#[tokio::test]
async fn import_checks_every_entry_like_a_request_on_the_wire() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    std::fs::write(&config, "[listener]\nmax_body_bytes = 1000\n").unwrap();
    let data = work.path().join("data");
    let lines = [
        serde_json::json!({"method": "POST", "path": "/fine", "body": "ok"}),
        serde_json::json!({"method": "GE T\r\nX", "path": "/"}),
        serde_json::json!({"method": "POST", "path": "/", "headers": [["x\r\nInjected", "v"]]}),
        serde_json::json!({"method": "POST", "path": "/\u{1b}[2J"}),
        serde_json::json!({"method": "POST", "path": "relative/x"}),
        serde_json::json!({"method": "POST", "path": "/big", "body": "b".repeat(2000)}),
        serde_json::json!({"method": "POST", "path": "/huge", "body": "h".repeat(10_000)}),
    ];
    let file = work.path().join("hostile.ndjson");
    let ndjson: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&file, ndjson.join("\n")).unwrap();
    let out = run({
        let mut c = hookscope(&config, &data);
        c.arg("import").arg(&file);
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    for expected in [
        "skipped 6 entries that could not have come over HTTP:",
        r#"line 2: the method "GE T\r\nX" is not an HTTP method"#,
        r#"line 3: the header name "x\r\nInjected" is not a header name"#,
        "line 4: the path \"/\\u{1b}[2J\" holds spaces or control characters",
        "line 5: the path \"relative/x\" does not start with /",
        "line 6: its body of 2000 bytes is over the 1000-byte limit",
        "line 7: its body of 10000 bytes is over",
    ] {
        assert!(said.contains(expected), "{expected}\n{said}");
    }
    // The report shows control characters; it never obeys them.
    assert!(!said.contains('\u{1b}'), "{said:?}");
    let stored = all(&data.join("captures.sqlite3"));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].request.path, "/fine");
}
