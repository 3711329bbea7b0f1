//! The API over real sockets: its token and Host check, lists and cursors, the event stream
//! with resumption, the long poll, replay, samples and status.

mod common;

use std::time::{Duration, Instant};

use common::{capture_id, start, Listener, GREEN_TEXT, MOYSKLAD_UPDATE, REESTR_CONFIRM};
use hookscope::api::users::Users;
use hookscope::config::Config;
use hookscope::engine::{ApiState, Engine};
use serde_json::{json, Value};

/// The API of `l`, with its token.
struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    fn of(l: &Listener) -> Api {
        let ApiState::Listening(addr) = l.engine.api() else {
            panic!("the API is not listening: {:?}", l.engine.api());
        };
        let token = std::fs::read_to_string(l.dir.path().join("api-token")).unwrap();
        Api {
            base: format!("http://{addr}/api/v1"),
            token: token.trim().to_string(),
            http: reqwest::Client::new(),
        }
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    async fn json(&self, path: &str) -> (u16, Value) {
        let response = self.get(path).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// Reads Server-Sent Events off a response: `(id, event, data)`.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(api: &Api, path: &str, last_event_id: Option<i64>) -> Events {
        let mut request = api.get(path);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped), within `within`.
    async fn next(&mut self, within: Duration) -> Option<(Option<i64>, String, String)> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() && id.is_none() {
                    continue;
                }
                return Some((id, event, data));
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .ok()?;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk.unwrap()?));
        }
    }

    /// Whether the server ends the stream within `within` (keep-alive comments aside).
    async fn ends(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => {
                    let text = String::from_utf8_lossy(&chunk);
                    assert!(text.trim_start().starts_with(':'), "an event came: {text}");
                }
                Ok(Ok(None) | Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }

    /// The ids of the next `n` capture events.
    async fn captures(&mut self, n: usize) -> Vec<i64> {
        let mut ids = Vec::new();
        while ids.len() < n {
            let (id, event, _) = self
                .next(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("only {} of {n} capture events came", ids.len()));
            if event == "capture" {
                ids.push(id.unwrap());
            }
        }
        ids
    }
}

#[tokio::test]
async fn every_request_needs_the_token_and_its_own_host() {
    let l = start(|_| {}).await;
    let api = Api::of(&l);
    let plain = reqwest::Client::new();
    let refused = plain
        .get(format!("{}/status", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let said: Value = refused.json().await.unwrap();
    let sentence = said["error"].as_str().unwrap();
    assert!(sentence.contains("Authorization: Bearer"), "{sentence}");
    assert!(sentence.contains("api-token"), "{sentence}");

    let wrong = plain
        .get(format!("{}/status", api.base))
        .bearer_auth(format!("{}x", api.token))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    // A page on another site that rebinds its name to 127.0.0.1 still sends its own Host.
    let rebound = api
        .get("/status")
        .header("host", "attacker.example:8788")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);

    let (status, body) = api.json("/status").await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["listener"], l.base);
    assert_eq!(body["captures"], 0);
    let by_name = reqwest::Client::new()
        .get(api.base.replace("127.0.0.1", "localhost") + "/status")
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);
}

#[tokio::test]
async fn captures_are_listed_by_filter_and_cursor_and_read_byte_for_byte() {
    let l =
        start(|c| c.green_api.webhook_url_token = hookscope::config::Secret::new("s3cret-token"))
            .await;
    let api = Api::of(&l);
    let mut ids = Vec::new();
    for n in 0..5 {
        let path = if n % 2 == 0 {
            "/green-api"
        } else {
            "/moysklad?requestId=r"
        };
        let body = if n % 2 == 0 {
            GREEN_TEXT
        } else {
            MOYSKLAD_UPDATE
        };
        let auth = [
            ("authorization", "Bearer s3cret-token"),
            ("content-type", "application/json; charset=utf-8"),
        ];
        ids.push(capture_id(&l.post(path, &auth, body).await));
    }
    let (status, newest) = api.json("/captures?limit=2").await;
    assert_eq!(status, 200);
    let listed: Vec<i64> = newest["captures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [ids[4], ids[3]]);
    let (_, older) = api
        .json(&format!("/captures?before={}&limit=10", ids[3]))
        .await;
    assert_eq!(older["captures"].as_array().unwrap().len(), 3);
    let (_, after) = api
        .json(&format!(
            "/captures?after={}&filter=provider:green-api",
            ids[0]
        ))
        .await;
    let after: Vec<i64> = after["captures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(after, [ids[2], ids[4]]);

    // As `captures --json` prints it, with the webhook token masked unless asked for.
    let (_, one) = api.json(&format!("/captures/{}", ids[0])).await;
    assert_eq!(one["provider"], "green-api");
    assert!(
        one["headers"].to_string().contains("Bearer ***"),
        "{}",
        one["headers"]
    );
    let (_, unmasked) = api.json(&format!("/captures/{}?unmasked=1", ids[0])).await;
    assert!(unmasked["headers"].to_string().contains("s3cret-token"));

    let body = api
        .get(&format!("/captures/{}/body", ids[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        body.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(body.bytes().await.unwrap(), MOYSKLAD_UPDATE.as_bytes());

    let (status, missing) = api.json("/captures/999999").await;
    assert_eq!(status, 404);
    assert!(missing["error"].as_str().unwrap().contains("#999999"));
    let (status, mistake) = api.json("/captures?filter=provder:x").await;
    assert_eq!(status, 400);
    assert!(
        mistake["error"].as_str().unwrap().contains("provder:"),
        "{mistake}"
    );
    let (status, _) = api.json("/captures?limit=lots").await;
    assert_eq!(status, 400);
    let (status, _) = api.json("/nowhere").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_resumes_with_exactly_what_was_missed() {
    let l = start(|_| {}).await;
    let api = Api::of(&l);
    let mut events = Events::open(&api, "/events", None).await;
    let first = capture_id(
        &l.post("/moysklad?requestId=live", &[], MOYSKLAD_UPDATE)
            .await,
    );
    assert_eq!(events.captures(1).await, [first]);
    drop(events);

    // 200 arrive while the client is away; it comes back with the last id it saw.
    let mut missed = Vec::new();
    for n in 0..200 {
        missed.push(capture_id(&l.post(&format!("/away/{n}"), &[], "{}").await));
    }
    let mut events = Events::open(&api, "/events", Some(first)).await;
    let mut seen = events.captures(200).await;
    assert_eq!(seen, missed);
    // And goes on live, nothing twice.
    let next = capture_id(&l.post("/after", &[], "{}").await);
    seen = events.captures(1).await;
    assert_eq!(seen, [next]);

    // A filtered stream from a cursor given as ?after=.
    let mut greens = Events::open(
        &api,
        &format!("/events?filter=provider:green-api&after={first}"),
        None,
    )
    .await;
    let green = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    l.post("/not-green", &[], "{}").await;
    assert_eq!(greens.captures(1).await, [green]);
    let (_, _, data) = {
        let again = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
        let event = greens.next(Duration::from_secs(10)).await.unwrap();
        assert_eq!(event.0, Some(again));
        event
    };
    let capture: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(capture["provider"], "green-api");
}

/// A client that stops reading fills its socket and then falls behind the feed; the listener
/// and a client that reads go on as before, and the stalled one, reading again, gets every
/// capture from the store: none missed, none twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_holds_up_nobody_and_catches_up_after() {
    const POSTS: usize = 1200;
    let l = start(|_| {}).await;
    let api = Api::of(&l);
    let mut stalled = Events::open(&api, "/events", None).await;
    let mut reading = Events::open(&api, "/events", None).await;
    // ~40 KB an event (the body twice, as text and base64): ~50 MB, many times what the
    // stalled client's socket buffers hold.
    let body = format!("{{\"text\":\"{}\"}}", "x".repeat(16 * 1024));
    let mut posting = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let (client, base, body) = (l.client.clone(), l.base.clone(), body.clone());
        posting.spawn(async move {
            let mut ids = Vec::new();
            for n in 0..POSTS / 4 {
                let r = client
                    .post(format!("{base}/slow/{worker}/{n}"))
                    .body(body.clone());
                ids.push(capture_id(&r.send().await.unwrap()));
            }
            ids
        });
    }
    let seen = reading.captures(POSTS).await;
    let mut posted: Vec<i64> = posting.join_all().await.into_iter().flatten().collect();
    posted.sort_unstable();
    assert_eq!(
        seen, posted,
        "the reading client got every capture in order"
    );

    let caught_up = stalled.captures(POSTS).await;
    assert_eq!(
        caught_up, posted,
        "the stalled client, reading again, missed nothing"
    );
    let after = capture_id(&l.post("/after-the-stall", &[], "{}").await);
    assert_eq!(stalled.captures(1).await, [after], "and goes on live");
}

/// A team host's users: each one's token reads and follows captures, none may make the host
/// send requests out, and a revoked one is refused at once, its open stream closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_token_reads_and_follows_until_it_is_revoked() {
    let l = start(|_| {}).await;
    let as_user = |token: String| Api {
        token,
        ..Api::of(&l)
    };
    let anna = as_user(Users::add(l.dir.path(), "anna").unwrap());
    let boris = as_user(Users::add(l.dir.path(), "boris").unwrap());
    // The running API reads the users file again within half a second.
    let deadline = Instant::now() + Duration::from_secs(5);
    while anna.json("/status").await.0 != 200 {
        assert!(
            Instant::now() < deadline,
            "the new user's token was never accepted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let id = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let (status, list) = anna.json("/captures").await;
    assert_eq!(
        (status, &list["captures"][0]["id"]),
        (200, &json!(id)),
        "{list}"
    );
    let mut annas = Events::open(&anna, "/events", Some(id - 1)).await;
    assert_eq!(annas.captures(1).await, [id]);
    let mut boriss = Events::open(&boris, "/events", None).await;

    let replay = anna
        .http
        .post(format!("{}/captures/{id}/replay", anna.base))
        .bearer_auth(&anna.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 403);
    let said: Value = replay.json().await.unwrap();
    assert!(
        said["error"].as_str().unwrap().contains("owner only"),
        "{said}"
    );
    assert!(l.reader().deliveries(id).unwrap().is_empty());

    Users::revoke(l.dir.path(), "anna").unwrap();
    assert!(
        annas.ends(Duration::from_secs(3)).await,
        "the revoked token's stream goes on"
    );
    let (status, refused) = anna.json("/captures").await;
    assert_eq!(status, 401);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("hookscope api token add"),
        "{refused}"
    );
    let next = capture_id(&l.post("/after-the-revocation", &[], "{}").await);
    assert_eq!(boriss.captures(1).await, [next], "the other user goes on");
}

/// An API that other machines reach holds every capture for whoever has a token, so it does
/// not start with only the owner's; once users have theirs, it answers to its addresses and
/// to the names a proxy in front calls it by.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_goes_beyond_loopback_only_once_users_have_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("captures.sqlite3");
    let mut config = Config::default();
    config.listener.listen = "127.0.0.1:0".parse().unwrap();
    config.api.listen = "0.0.0.0:0".parse().unwrap();
    config.api.hosts = vec!["api.team.example".into()];
    let engine = Engine::start(config.clone(), &store).await.unwrap();
    let ApiState::Failed(sentence) = engine.api().clone() else {
        panic!(
            "the API listens beyond loopback without users: {:?}",
            engine.api()
        );
    };
    assert!(
        sentence.contains("hookscope api token add NAME"),
        "{sentence}"
    );
    engine.stop().await;

    let token = Users::add(dir.path(), "anna").unwrap();
    let engine = Engine::start(config, &store).await.unwrap();
    let ApiState::Listening(addr) = engine.api().clone() else {
        panic!("{:?}", engine.api());
    };
    assert!(addr.ip().is_unspecified(), "{addr}");
    let status = |host: &'static str| {
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}/api/v1/status", addr.port()))
            .header("host", host)
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(status("api.team.example").await.unwrap().status(), 200);
    assert_eq!(status("evil.example").await.unwrap().status(), 403);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_returns_the_first_match_or_408() {
    let l = start(|_| {}).await;
    let api = Api::of(&l);
    let waiting = tokio::spawn({
        let request = api.get("/wait?filter=provider:reestr&timeout=10s");
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    l.post("/moysklad?requestId=w", &[], MOYSKLAD_UPDATE).await;
    let confirm = capture_id(&l.post("/reestr", &[], REESTR_CONFIRM).await);
    let (status, capture) = waiting.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(capture["id"], confirm);

    // One that came before the wait is found from a cursor.
    let (status, capture) = api
        .json("/wait?filter=provider:moysklad&after=0&timeout=1s")
        .await;
    assert_eq!(status, 200);
    assert_eq!(capture["provider"], "moysklad");

    let started = Instant::now();
    let (status, said) = api
        .json("/wait?filter=provider:green-api&timeout=300ms")
        .await;
    assert_eq!(status, 408);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        said["error"]
            .as_str()
            .unwrap()
            .contains("No capture matched"),
        "{said}"
    );
    let (status, _) = api.json("/wait?timeout=soon").await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_and_samples_go_through_the_listener_and_are_recorded() {
    let l = start(|_| {}).await;
    let api = Api::of(&l);
    let id = capture_id(
        &l.post("/moysklad?requestId=orig", &[], MOYSKLAD_UPDATE)
            .await,
    );
    let replayed: Value = api
        .http
        .post(format!("{}/captures/{id}/replay", api.base))
        .bearer_auth(&api.token)
        .json(&json!({ "headers": { "X-Test": "1" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(replayed["outcome"]["status"], 204, "{replayed}");
    assert_eq!(replayed["edited"], true, "{replayed}");
    let deliveries = l.reader().deliveries(id).unwrap();
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].replay && deliveries[0].edited);
    let again = l.last();
    assert!(again
        .request
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("x-test") && v.as_str() == Some("1")));

    let sample = |name: &str| {
        api.http
            .post(format!("{}/samples/{name}", api.base))
            .bearer_auth(&api.token)
            .send()
    };
    let sent: Value = sample("reestr-confirm")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let capture = sent["sent"][0]["capture"].as_i64().unwrap();
    assert_eq!(
        l.reader().get(capture).unwrap().unwrap().judgement.event,
        "confirm"
    );
    let unknown = sample("nonsense").await.unwrap();
    assert_eq!(unknown.status(), 404);

    let huge = api
        .http
        .post(format!("{}/captures/{id}/replay", api.base))
        .bearer_auth(&api.token)
        .body(vec![b' '; (1 << 20) + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let (_, status) = api.json("/status").await;
    assert_eq!(
        status["captures"].as_u64().unwrap(),
        l.captures("").len() as u64
    );
}
