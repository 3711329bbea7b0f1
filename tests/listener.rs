//! The listener over real sockets: provider answers, durability before acknowledgement,
//! redelivery marks, and bad input.

mod common;

use std::time::{Duration, Instant};

use common::{capture_id, start, GREEN_TEXT, MOYSKLAD_UPDATE, REESTR_CONFIRM, REESTR_DONE};
use hookscope::capture::{Provider, Reason, Verdict};
use hookscope::config::{Malformed, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn reestr_confirm_gets_the_confirmation_string_and_the_rest_ok() {
    let l = start(|c| c.reestr.confirm_string = "873fd5a562".into()).await;
    let confirm = l.post("/reestr", &[], REESTR_CONFIRM).await;
    assert_eq!(confirm.status(), 200);
    assert_eq!(confirm.text().await.unwrap(), "873fd5a562");
    let done = l.post("/reestr/key-1", &[], REESTR_DONE).await;
    assert_eq!(done.status(), 200);
    assert_eq!(done.text().await.unwrap(), "OK");
    let captures = l.captures("provider:reestr");
    assert_eq!(captures.len(), 2);
    assert_eq!(captures[0].judgement.event, "confirm");
    assert_eq!(
        captures[1].judgement.summary,
        "service 5521 of order 880213 done"
    );
    assert_eq!(captures[1].judgement.answer.body, b"OK");
}

#[tokio::test]
async fn reestr_with_a_wrong_or_missing_secret_is_refused_and_kept() {
    let l = start(|c| c.reestr.secret_key = Secret::new("eaa4-1e8485fb21-2117d474")).await;
    assert_eq!(l.post("/reestr", &[], REESTR_DONE).await.status(), 200);
    let forged = REESTR_DONE.replace("eaa4-1e8485fb21-2117d474", "eaa4-1e8485fb21-2117d475");
    assert_eq!(l.post("/reestr", &[], forged).await.status(), 403);
    let missing = r#"{"type":"payment","object":"order","object_id":"1"}"#;
    assert_eq!(l.post("/reestr", &[], missing).await.status(), 403);
    let rejected = l.captures("rejected:yes");
    assert_eq!(rejected.len(), 2);
    let reasons: Vec<_> = rejected
        .iter()
        .map(|c| c.judgement.reason.clone())
        .collect();
    assert_eq!(
        reasons,
        [Some(Reason::SecretWrong), Some(Reason::SecretMissing)]
    );
}

#[tokio::test]
async fn a_forged_notification_does_not_make_the_genuine_one_a_repeat() {
    let l = start(|c| c.reestr.secret_key = Secret::new("eaa4-1e8485fb21-2117d474")).await;
    let forged = REESTR_DONE.replace("eaa4-1e8485fb21-2117d474", "forged");
    assert_eq!(l.post("/reestr", &[], forged).await.status(), 403);
    let genuine = capture_id(&l.post("/reestr", &[], REESTR_DONE).await);
    let again = capture_id(&l.post("/reestr", &[], REESTR_DONE).await);
    assert_eq!(l.reader().get(genuine).unwrap().unwrap().repeat_of, None);
    assert_eq!(
        l.reader().get(again).unwrap().unwrap().repeat_of,
        Some(genuine)
    );
    let shown: Vec<i64> = l
        .captures("-repeat:yes rejected:no")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(shown, vec![genuine]);
}

#[tokio::test]
async fn green_api_token_in_any_accepted_shape() {
    let l = start(|c| c.green_api.webhook_url_token = Secret::new("wh-7f3a")).await;
    for auth in ["Bearer wh-7f3a", "Basic wh-7f3a", "wh-7f3a"] {
        let r = l
            .post("/green-api", &[("authorization", auth)], GREEN_TEXT)
            .await;
        assert_eq!(r.status(), 200, "{auth}");
    }
    let wrong = l
        .post(
            "/green-api",
            &[("authorization", "Bearer wh-7f3b")],
            GREEN_TEXT,
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(l.post("/green-api", &[], GREEN_TEXT).await.status(), 401);
    let rejected = l.captures("rejected:yes");
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].judgement.verdict, Verdict::Rejected);
    assert_eq!(rejected[0].judgement.reason, Some(Reason::TokenWrong));
    assert_eq!(rejected[1].judgement.reason, Some(Reason::TokenMissing));
    assert_eq!(l.captures("rejected:no").len(), 3);
}

#[tokio::test]
async fn moysklad_gets_204_well_inside_its_deadline() {
    let l = start(|_| {}).await;
    let agent = (
        "user-agent",
        "MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)",
    );
    let sent = Instant::now();
    let r = l
        .post("/hooks/s3cr3t?requestId=0c1d", &[agent], MOYSKLAD_UPDATE)
        .await;
    let took = sent.elapsed();
    assert_eq!(r.status(), 204);
    // MoySklad drops the event after 1500 ms; the answer must come far sooner.
    assert!(took < Duration::from_millis(750), "took {took:?}");
    let c = l.last();
    assert_eq!(c.judgement.provider, Provider::Moysklad);
    assert_eq!(c.judgement.event, "product:UPDATE");
    assert_eq!(c.request.query, "requestId=0c1d");
}

#[tokio::test]
async fn generic_requests_get_the_configured_response() {
    let l = start(|c| {
        c.generic.status = 202;
        c.generic.body = "{\"received\":true}".into();
        c.generic.headers = [("content-type".to_string(), "application/json".to_string())].into();
    })
    .await;
    let r = l
        .client
        .put(format!("{}/anything/at/all?x=1&y=%D0%B4", l.base))
        .body("payload")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.text().await.unwrap(), "{\"received\":true}");
    let c = l.last();
    assert_eq!(
        (c.request.method.as_str(), c.request.path.as_str()),
        ("PUT", "/anything/at/all")
    );
    assert_eq!(c.request.query, "x=1&y=%D0%B4");
    assert_eq!(c.judgement.provider, Provider::Generic);
}

#[tokio::test]
async fn malformed_json_is_captured_flagged_and_acknowledged() {
    let l = start(|_| {}).await;
    for (path, status) in [("/reestr", 200), ("/green-api", 200), ("/moysklad", 204)] {
        let r = l.post(path, &[], "{\"typeWebhook\": \"incomingMess").await;
        assert_eq!(r.status(), status, "{path}");
    }
    let reader = l.reader();
    let rows = reader.rows_after(0).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.malformed && !r.rejected), "{rows:?}");
    let captures = l.captures("");
    assert_eq!(
        captures[0].request.body,
        b"{\"typeWebhook\": \"incomingMess"
    );
}

#[tokio::test]
async fn malformed_json_is_refused_when_the_settings_say_so() {
    let l = start(|c| c.listener.malformed = Malformed::Refuse).await;
    for path in ["/reestr", "/green-api", "/moysklad"] {
        let r = l.post(path, &[], "{\"typeWebhook\": \"incomingMess").await;
        assert_eq!(r.status(), 400, "{path}");
        assert!(r.text().await.unwrap().contains("not valid JSON"));
    }
    assert_eq!(l.captures("rejected:yes").len(), 3);
}

#[tokio::test]
async fn bodies_are_stored_byte_for_byte() {
    let l = start(|_| {}).await;
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let r = l
        .post(
            "/upload",
            &[("content-type", "application/octet-stream")],
            binary.clone(),
        )
        .await;
    let stored = l.reader().get(capture_id(&r)).unwrap().unwrap();
    assert_eq!(stored.request.body, binary);
    assert_eq!(stored.request.size, 4096);
    let json = stored.to_json();
    assert!(json["body"].is_null());
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(json["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, binary);

    let cyrillic = GREEN_TEXT.replace(
        "Hello, is the order ready?",
        "Здравствуйте, заказ №1542 готов?",
    );
    let r = l.post("/green-api", &[], cyrillic.clone()).await;
    let stored = l.reader().get(capture_id(&r)).unwrap().unwrap();
    assert_eq!(stored.request.body, cyrillic.as_bytes());
    assert_eq!(stored.to_json()["body"], cyrillic.as_str());
    assert!(stored
        .judgement
        .summary
        .contains("\"Здравствуйте, заказ №1542 готов?\""));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413_but_captured() {
    let l = start(|c| c.listener.max_body_bytes = 1024).await;
    let r = l.post("/green-api", &[], vec![b'x'; 5000]).await;
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("max_body_bytes"));
    let c = l.last();
    assert_eq!(c.request.size, 5000);
    assert!(c.request.body.is_empty());
    assert_eq!(c.judgement.verdict, Verdict::Rejected);
    assert_eq!(
        c.judgement.reason,
        Some(Reason::TooLarge {
            size: 5000,
            limit: 1024
        })
    );
    assert!(c
        .judgement
        .reason_text()
        .contains("over the 1024-byte limit"));
    assert_eq!(c.judgement.provider, Provider::GreenApi);
    // A body at the limit is fine.
    assert_eq!(l.post("/x", &[], vec![b'y'; 1024]).await.status(), 200);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_captured_as_far_as_it_got() {
    let l = start(|c| c.listener.read_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(l.engine.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let c = l.last();
    assert_eq!(c.request.body, b"0123456789");
    assert_eq!(
        c.judgement.reason,
        Some(Reason::SlowBody {
            seconds: 1,
            seen: 10,
            kept_kib: None
        })
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let l = start(|c| c.listener.read_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(l.engine.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 5 s");
    // The listener is still fine afterwards.
    assert_eq!(l.post("/after", &[], "x").await.status(), 200);
}

#[tokio::test]
async fn redeliveries_are_marked_with_the_first_capture() {
    let l = start(|_| {}).await;
    let first = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let again = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let third = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let ms_first = capture_id(
        &l.post("/moysklad?requestId=r-9", &[], MOYSKLAD_UPDATE)
            .await,
    );
    let ms_again = capture_id(
        &l.post("/moysklad?requestId=r-9", &[], MOYSKLAD_UPDATE)
            .await,
    );
    let other = capture_id(
        &l.post("/moysklad?requestId=r-10", &[], MOYSKLAD_UPDATE)
            .await,
    );
    let r1 = capture_id(&l.post("/reestr", &[], REESTR_DONE).await);
    let r2 = capture_id(&l.post("/reestr", &[], REESTR_DONE).await);
    let get = |id| l.reader().get(id).unwrap().unwrap().repeat_of;
    assert_eq!(get(first), None);
    assert_eq!(get(again), Some(first));
    assert_eq!(get(third), Some(first));
    assert_eq!(get(ms_first), None);
    assert_eq!(get(ms_again), Some(ms_first));
    assert_eq!(get(other), None);
    assert_eq!(get(r2), Some(r1));
    let repeats: Vec<i64> = l.captures("repeat:yes").iter().map(|c| c.id).collect();
    assert_eq!(repeats, vec![again, third, ms_again, r2]);
}

#[tokio::test]
async fn every_acknowledged_request_is_already_in_the_store() {
    let l = start(|_| {}).await;
    let reader = l.reader();
    for n in 0..50 {
        let r = l.post("/x", &[], format!("request {n}")).await;
        assert!(r.status().is_success());
        let stored = reader
            .get(capture_id(&r))
            .unwrap()
            .expect("committed before the answer");
        assert_eq!(stored.request.body, format!("request {n}").as_bytes());
    }
}

#[tokio::test]
async fn many_simultaneous_connections_are_all_answered_and_stored() {
    let l = start(|_| {}).await;
    let addr = l.engine.local_addr();
    let tasks: Vec<_> = (0..400)
        .map(|n| {
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                let body = format!("{{\"n\":{n}}}");
                let request = format!(
                    "POST /many HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(request.as_bytes()).await.unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).await.unwrap();
                answer.starts_with("HTTP/1.1 200")
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap());
    }
    assert_eq!(l.reader().count().unwrap(), 400);
}

#[tokio::test]
async fn retention_keeps_the_newest_captures() {
    let l = start(|c| c.listener.max_captures = 5).await;
    for n in 0..12 {
        l.post("/x", &[], format!("{n}")).await;
    }
    let kept: Vec<Vec<u8>> = l.captures("").into_iter().map(|c| c.request.body).collect();
    let expected: Vec<Vec<u8>> = (7..12).map(|n: i32| n.to_string().into_bytes()).collect();
    assert_eq!(kept, expected);
}

#[tokio::test]
async fn headers_keep_their_order_and_new_captures_are_broadcast() {
    let l = start(|_| {}).await;
    let mut live = l.engine.store().subscribe();
    let r = l
        .post(
            "/x",
            &[("x-first", "1"), ("x-second", "2"), ("x-third", "3")],
            "",
        )
        .await;
    let id = capture_id(&r);
    let announced = tokio::time::timeout(Duration::from_secs(2), live.recv())
        .await
        .unwrap()
        .unwrap();
    let [announced] = &announced[..] else {
        panic!("{} captures announced for one request", announced.len());
    };
    assert_eq!(announced.id, id);
    let names: Vec<&str> = announced
        .request
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with("x-"))
        .collect();
    assert_eq!(names, ["x-first", "x-second", "x-third"]);
}

#[tokio::test]
async fn a_config_change_applies_to_the_next_request() {
    let mut l = start(|_| {}).await;
    assert_eq!(
        l.post("/reestr", &[], REESTR_CONFIRM)
            .await
            .text()
            .await
            .unwrap(),
        ""
    );
    let mut config = (*l.engine.config()).clone();
    config.reestr.confirm_string = "a1b2c3".into();
    l.engine.set_config(config);
    assert_eq!(
        l.post("/reestr", &[], REESTR_CONFIRM)
            .await
            .text()
            .await
            .unwrap(),
        "a1b2c3"
    );
}

#[tokio::test]
async fn ids_are_never_reused_and_search_works_after_clearing() {
    let l = start(|_| {}).await;
    let before = capture_id(&l.post("/x", &[], "first body").await);
    l.engine
        .store()
        .edit(hookscope::store::Edit::Clear)
        .await
        .unwrap();
    let after = capture_id(&l.post("/x", &[], "second body").await);
    assert!(after > before, "{after} after {before}");
    // Searchable at once, and again once the index has caught up.
    assert_eq!(l.captures("second").len(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(l.captures("second").len(), 1);
    assert_eq!(l.captures("first").len(), 0);
}

/// This process's open-file limit, as the listener left it.
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse().ok()
        })
        .unwrap_or(4096)
}

/// Opens up to `n` connections to `addr` and sends `first` on each; stops early when this
/// process runs out of file descriptors.
async fn crowd(addr: std::net::SocketAddr, n: usize, first: &'static [u8]) -> Vec<TcpStream> {
    let mut crowd = Vec::with_capacity(n);
    for _ in 0..n {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            break;
        };
        stream.write_all(first).await.unwrap();
        crowd.push(stream);
    }
    crowd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_do_not_lock_out_a_webhook() {
    let l = start(|c| c.listener.read_timeout_secs = 2).await;
    let addr = l.engine.local_addr();
    // Both ends are in this process, which the listener let open as many files as it may.
    let each = (open_file_limit() / 2).saturating_sub(200).min(2400) / 4;
    assert!(
        each * 4 > 1100,
        "this machine allows too few open files ({}) to crowd the old 1 024 slots",
        open_file_limit()
    );
    let mut idle = crowd(addr, each * 2, b"").await;
    idle.extend(crowd(addr, each, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await);
    let slow = crowd(addr, each, b"POST /green-api HTTP/1.1\r\nhost: x\r\nx-a: ").await;
    assert_eq!(
        idle.len() + slow.len(),
        each * 4,
        "not every connection could be opened"
    );
    // More than the 1024 slots there used to be are taken; a webhook is still answered at once.
    let sent = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        l.post("/green-api", &[], GREEN_TEXT),
    )
    .await
    .expect("no answer within 5 s");
    assert_eq!(r.status(), 200);
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "took {:?}",
        sent.elapsed()
    );
    // And every one of them is closed once the read timeout has passed without a whole request.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for mut stream in idle.into_iter().chain(slow) {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut rest));
        assert!(read.await.is_ok(), "a connection was still open");
    }
}

/// A body of `kib` KiB of varied words, so that indexing it costs what real text costs.
fn large_body(seed: usize, kib: usize) -> String {
    let mut body = String::with_capacity(kib * 1024);
    let mut n = seed;
    while body.len() < kib * 1024 {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        body.push_str(&format!("заказ-{:x} item{} ", n >> 40, n % 9973));
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_answered_at_once_while_large_captures_are_indexed() {
    let l = start(|_| {}).await;
    let mut burst = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let (client, base) = (l.client.clone(), l.base.clone());
        burst.spawn(async move {
            for n in 0..150 {
                let body = large_body(worker * 1000 + n, 40);
                let r = client.post(format!("{base}/big")).body(body).send().await;
                assert!(r.unwrap().status().is_success());
            }
        });
    }
    burst.join_all().await;
    // The indexer, a reader, did not keep SQLite from starting the WAL over: 96 MB were written
    // through a WAL that stayed near its 64 MiB limit.
    let wal = std::fs::metadata(l.dir.path().join("captures.sqlite3-wal"))
        .unwrap()
        .len();
    assert!(wal < 72 << 20, "the WAL grew to {wal} bytes");
    // The listener is quiet now, so 96 MB of text is being indexed: probes must not wait for it.
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let sent = Instant::now();
        assert_eq!(
            l.post("/moysklad", &[], MOYSKLAD_UPDATE).await.status(),
            204
        );
        slowest = slowest.max(sent.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(500),
        "a probe took {slowest:?}"
    );
    // Searches are complete however far the index has got.
    let last = large_body(15 * 1000 + 149, 40);
    let words: Vec<&str> = last.split(' ').skip(3).take(2).collect();
    let phrase = words.join(" ");
    assert_eq!(
        l.captures(&format!("path:/big \"{phrase}\"")).len(),
        1,
        "{phrase}"
    );
}

/// Sends a request's head and the first `sent` bytes of a body of `declared` bytes.
async fn start_upload(addr: std::net::SocketAddr, declared: usize, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /upload HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {declared}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'u'; sent]).await.unwrap();
    stream
}

async fn answer_of(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_in_flight_share_a_memory_budget() {
    let l = start(|c| c.listener.max_in_flight_bytes = 1 << 20).await;
    let addr = l.engine.local_addr();
    let first = start_upload(addr, 800 << 10, 100 << 10).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The first upload holds 800 KiB of the 1 MiB: a second one of that size must wait.
    let second = start_upload(addr, 800 << 10, 0).await;
    let refused = answer_of(second).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(
        refused.to_lowercase().contains("retry-after: 5"),
        "{refused}"
    );
    let c = l.last();
    assert_eq!(c.judgement.verdict, Verdict::Rejected);
    assert!(
        c.judgement.reason_text().contains("max_in_flight_bytes"),
        "{:?}",
        c.judgement.reason
    );
    assert_eq!(c.request.size, 800 << 10);
    // Once the first is in, its share is free again.
    let mut first = first;
    first.write_all(&vec![b'u'; 700 << 10]).await.unwrap();
    assert!(answer_of(first).await.starts_with("HTTP/1.1 200"));
    let r = l.post("/upload", &[], vec![b'v'; 800 << 10]).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_upload_keeps_only_its_beginning() {
    let l = start(|_| {}).await;
    let stream = start_upload(l.engine.local_addr(), 5 << 20, 300 << 10).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(5);
    let c = loop {
        if let Some(c) = l.captures("path:/upload").pop() {
            break c;
        }
        assert!(
            Instant::now() < deadline,
            "the aborted upload was not captured"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(c.request.body.len(), 64 << 10);
    assert_eq!(c.request.size, 300 << 10);
    assert!(
        c.judgement
            .reason_text()
            .contains("the first 64 KiB are kept"),
        "{:?}",
        c.judgement.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_within_its_byte_limit_oldest_first() {
    let l = start(|c| c.listener.max_store_bytes = 2 << 20).await;
    let mut ids = Vec::new();
    for n in 0..120 {
        let r = l.post(&format!("/big/{n}"), &[], vec![b'b'; 50_000]).await;
        assert_eq!(r.status(), 200);
        ids.push(capture_id(&r));
    }
    let reader = l.reader();
    let used = reader.used_bytes().unwrap();
    assert!(
        used <= (2 << 20) + (1 << 20) / 4,
        "the store uses {used} bytes"
    );
    let kept: Vec<i64> = l.captures("").iter().map(|c| c.id).collect();
    assert!(kept.len() < 60 && kept.len() > 20, "{} kept", kept.len());
    assert_eq!(kept, ids[ids.len() - kept.len()..]);
}

#[tokio::test]
async fn a_new_retention_applies_from_the_next_capture() {
    let mut l = start(|_| {}).await;
    for n in 0..20 {
        l.post(&format!("/r/{n}"), &[], "x").await;
    }
    let mut config = (*l.engine.config()).clone();
    config.listener.max_captures = 5;
    l.engine.set_config(config);
    let last = capture_id(&l.post("/r/last", &[], "x").await);
    let kept: Vec<i64> = l.captures("").iter().map(|c| c.id).collect();
    assert_eq!(kept, (last - 4..=last).collect::<Vec<_>>());
}
