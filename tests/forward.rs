//! Forwarding, pass-through and replay against a real target server on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::target::{Answer, Target};
use common::{capture_id, start, GREEN_TEXT, MOYSKLAD_UPDATE, REESTR_CONFIRM};
use hookscope::capture::DeliveryState;
use hookscope::config::{ForwardMode, ForwardRule};
use hookscope::forward::replay::{self, Edits};
use hookscope::store::{Decision, Delivery, Next, Outcome};

fn rule(target: &Target, mode: ForwardMode) -> ForwardRule {
    ForwardRule {
        target: target.url("/hooks"),
        mode,
        ..ForwardRule::default()
    }
}

/// Waits until the capture's deliveries satisfy `done`.
async fn deliveries_until(
    l: &common::Listener,
    capture: i64,
    what: &str,
    done: impl Fn(&[Delivery]) -> bool,
) -> Vec<Delivery> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = l.reader().deliveries(capture).unwrap();
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "{what}: {list:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn delivered(list: &[Delivery]) -> bool {
    list.iter().all(|d| d.state == DeliveryState::Delivered) && !list.is_empty()
}

#[tokio::test]
async fn inspect_mode_answers_the_provider_and_the_outbox_delivers_the_same_request() {
    let target = Target::up().await;
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    let body = GREEN_TEXT.replace("Hello", "Привет");
    let response = l
        .client
        .post(format!("{}/green-api/s3cret?x=1", l.base))
        .header("x-custom", "kept")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    // hookscope's own GREEN-API answer, not the target's.
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("x-app").is_none());
    let id = capture_id(&response);

    let seen = target.wait_for(1, Duration::from_secs(10)).await;
    let got = &seen[0];
    assert_eq!(got.method, "POST");
    assert_eq!(got.uri, "/hooks/s3cret?x=1");
    assert_eq!(got.body, body.as_bytes());
    assert_eq!(got.header("x-custom"), "kept");
    assert_eq!(got.header("host"), format!("127.0.0.1:{}", target.port));
    assert_eq!(got.capture_id(), id);

    let list = deliveries_until(&l, id, "delivered", delivered).await;
    let Outcome::Answered {
        status,
        headers,
        body,
    } = &list[0].attempts[0].outcome
    else {
        panic!("{list:?}")
    };
    assert_eq!((*status, body.as_slice()), (200, &b"ok"[..]));
    assert!(headers.contains(&("x-app".into(), "mine".into())));
}

#[tokio::test]
async fn pass_through_answers_with_the_targets_own_answer() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 200,
        body: "873fd5a562",
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::PassThrough))).await;
    let response = l.post("/reestr", &[], REESTR_CONFIRM).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-app"], "mine");
    let id = capture_id(&response);
    assert_eq!(response.text().await.unwrap(), "873fd5a562");

    // The capture records what the provider really got, and the delivery is done.
    deliveries_until(&l, id, "delivered", delivered).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while l.reader().get(id).unwrap().unwrap().judgement.answer.body != b"873fd5a562" {
        assert!(
            Instant::now() < deadline,
            "the stored answer is not the target's"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(target.seen().len(), 1);
}

#[tokio::test]
async fn pass_through_passes_a_refusal_on_and_does_not_retry_it() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 500,
        body: "handler crashed",
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::PassThrough))).await;
    let response = l.post("/green-api", &[], GREEN_TEXT).await;
    assert_eq!(response.status(), 500);
    let id = capture_id(&response);
    let list = deliveries_until(&l, id, "failed", |d| {
        d.first().is_some_and(|d| d.state == DeliveryState::Failed)
    })
    .await;
    assert_eq!(list[0].attempts.len(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(target.seen().len(), 1, "a passed-on answer is not retried");
}

#[tokio::test]
async fn a_target_slower_than_the_deadline_gets_the_rule_answer_and_the_outbox_keeps_it() {
    let target = Target::up().await;
    target.answer(Answer {
        delay: Duration::from_millis(1500),
        ..Answer::default()
    });
    let l = start(|c| {
        c.forward.push(rule(&target, ForwardMode::PassThrough));
        c.pass_through.moysklad_ms = 300;
    })
    .await;
    let started = Instant::now();
    let response = l.post("/moysklad?requestId=r1", &[], MOYSKLAD_UPDATE).await;
    let waited = started.elapsed();
    assert_eq!(response.status(), 204, "MoySklad's own answer");
    assert!(
        waited < Duration::from_millis(1000),
        "answered after {waited:?}"
    );
    let id = capture_id(&response);
    let list = deliveries_until(&l, id, "the late attempt is recorded", |d| {
        d.first().is_some_and(|d| !d.attempts.is_empty())
    })
    .await;
    assert_eq!(list[0].state, DeliveryState::Waiting);
    assert_eq!(
        list[0].attempts[0].outcome,
        Outcome::Failed("no answer within 300 ms".into())
    );
    // The outbox has no deadline but its own: it delivers.
    deliveries_until(&l, id, "delivered by the outbox", delivered).await;
}

/// An app slower than the pass-through deadline gets the abandoned attempt and then the
/// outbox's resend of the same capture: the resend says it is one (`X-Hookscope-Attempt: 2`),
/// the first attempt says nothing, whatever the sender put there.
#[tokio::test]
async fn a_late_app_gets_the_resend_marked_as_the_second_attempt() {
    let target = Target::up().await;
    target.answer(Answer {
        delay: Duration::from_millis(800),
        ..Answer::default()
    });
    let l = start(|c| {
        c.forward.push(rule(&target, ForwardMode::PassThrough));
        c.pass_through.moysklad_ms = 300;
    })
    .await;
    let sent = [("x-hookscope-attempt", "7")];
    let response = l
        .post("/moysklad?requestId=r1", &sent, MOYSKLAD_UPDATE)
        .await;
    assert_eq!(response.status(), 204, "MoySklad's own answer");
    let id = capture_id(&response);
    deliveries_until(&l, id, "delivered by the outbox", delivered).await;
    let seen = target.seen();
    assert_eq!(seen.len(), 2, "the late attempt and the resend");
    assert!(seen.iter().all(|s| s.capture_id() == id));
    assert_eq!(seen[0].header("x-hookscope-attempt"), "");
    assert_eq!(seen[1].header("x-hookscope-attempt"), "2");
    assert_eq!(
        seen[1]
            .headers
            .get_all("x-hookscope-attempt")
            .iter()
            .count(),
        1
    );
}

/// The outbox numbers each retry of a refused delivery.
#[tokio::test]
async fn every_retry_says_which_attempt_it_is() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 503,
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    // Tried at once, then after 1 s and 2 s.
    let seen = target.wait_for(3, Duration::from_secs(10)).await;
    let numbers: Vec<&str> = seen
        .iter()
        .map(|s| s.header("x-hookscope-attempt"))
        .collect();
    assert_eq!(numbers, ["", "2", "3"]);
}

/// A delivery queued behind a pass-through goes as soon as the app has answered that one,
/// not once its hold (the deadline and a second) runs out.
#[tokio::test]
async fn the_queue_behind_a_pass_through_goes_on_once_the_app_answers() {
    let target = Target::up().await;
    target.answer(Answer {
        delay: Duration::from_millis(500),
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::PassThrough))).await;
    let first = {
        let (client, url) = (l.client.clone(), format!("{}/orders/1", l.base));
        tokio::spawn(async move { client.post(url).body("one").send().await.unwrap() })
    };
    target.wait_for(1, Duration::from_secs(5)).await;
    l.post("/orders/2", &[], "two").await;
    first.await.unwrap();
    let answered = Instant::now();
    let seen = target.wait_for(2, Duration::from_secs(5)).await;
    // The generic deadline is 10 s: the hold ran out 11 s after the first arrived.
    let after = seen[1].at.saturating_duration_since(answered);
    assert!(
        after < Duration::from_secs(2),
        "{after:?} after the first was answered"
    );
}

/// While one pass-through request waits for the app, the next in its queue gets hookscope's
/// own answer and waits in the outbox: the engine counts it, so that it can be said.
#[tokio::test]
async fn a_request_behind_a_waiting_pass_through_falls_back_and_is_counted() {
    let target = Target::up().await;
    target.answer(Answer {
        delay: Duration::from_millis(1000),
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::PassThrough))).await;
    let fell_back = l.engine.pass_through_fell_back();
    assert_eq!(fell_back.borrow().count, 0);
    let first = {
        let (client, url) = (l.client.clone(), format!("{}/orders/1", l.base));
        tokio::spawn(async move { client.post(url).body("one").send().await.unwrap() })
    };
    target.wait_for(1, Duration::from_secs(5)).await;
    let second = l.post("/orders/2", &[], "two").await;
    assert!(
        second.headers().get("x-app").is_none(),
        "hookscope's own answer"
    );
    let first = first.await.unwrap();
    assert_eq!(first.headers()["x-app"], "mine", "the app's answer");
    let now = fell_back.borrow().clone();
    assert_eq!(now.count, 1);
    assert_eq!(
        now.last,
        Some((target.url("/hooks"), hookscope::capture::Provider::Generic))
    );
    // It is delivered behind the first.
    deliveries_until(
        &l,
        capture_id(&second),
        "delivered by the outbox",
        delivered,
    )
    .await;
}

#[tokio::test]
async fn a_target_that_is_down_delays_nothing_and_gets_everything_in_order_when_back() {
    let mut target = Target::down();
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    let started = Instant::now();
    let mut ids = Vec::new();
    for n in 0..5 {
        let body = GREEN_TEXT.replace("3EB0A1B2C3D4E5F60718", &format!("MSG{n}"));
        let response = l.post("/green-api", &[], body).await;
        assert_eq!(response.status(), 200);
        ids.push(capture_id(&response));
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "captures waited for the target: {:?}",
        started.elapsed()
    );
    // The first waits with its failed attempts; the rest wait behind it.
    let list = deliveries_until(&l, ids[0], "a failed attempt", |d| {
        d.first().is_some_and(|d| !d.attempts.is_empty())
    })
    .await;
    let Outcome::Failed(error) = &list[0].attempts[0].outcome else {
        panic!("{list:?}")
    };
    assert!(error.contains("could not connect"), "{error}");
    let targets = l.reader().targets().unwrap();
    assert_eq!((targets[0].waiting, targets[0].up), (5, Some(false)));

    target.start().await;
    l.engine
        .outbox()
        .decide(list[0].id, Decision::RetryNow)
        .await
        .unwrap();
    let seen = target.wait_for(5, Duration::from_secs(10)).await;
    let order: Vec<i64> = seen.iter().map(|s| s.capture_id()).collect();
    assert_eq!(order, ids, "delivered in arrival order");
    for id in ids {
        deliveries_until(&l, id, "delivered", delivered).await;
    }
}

/// A delivery failing for a while, as the outbox leaves it: its target answered 500 and the
/// next try is `backoff(6)` (a minute) away. Returns the delivery, once the worker has gone
/// back to sleep until then.
async fn failing_with_a_long_backoff(l: &common::Listener, target: &Target) -> Delivery {
    let id = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let list = deliveries_until(l, id, "a refused attempt", |d| {
        d.first().is_some_and(|d| !d.attempts.is_empty())
    })
    .await;
    let failed = list[0].attempts[0].clone();
    let later = Next::RetryAt(failed.at + hookscope::forward::backoff(6));
    l.engine
        .store()
        .record_attempt(list[0].id, failed, later)
        .await
        .unwrap();
    // Past the first retry's due time: the worker has read the minute-long wait and sleeps.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(target.seen().len(), 1, "tried again before its due time");
    l.reader().deliveries(id).unwrap().remove(0)
}

/// Retry now on a delivery that waits a minute tries it at once, and its next try is never
/// shown as the epoch. (The worker was woken before the decision was committed, read the old
/// due time and slept until it, while the delivery showed "next try 01-01 00:00:00".)
#[tokio::test]
async fn retry_now_tries_a_delivery_waiting_a_long_backoff_at_once() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 500,
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    let delivery = failing_with_a_long_backoff(&l, &target).await;
    let asked = time::OffsetDateTime::now_utc();
    let started = Instant::now();
    l.engine
        .outbox()
        .decide(delivery.id, Decision::RetryNow)
        .await
        .unwrap();
    let due = l.reader().deliveries(delivery.capture_id).unwrap()[0].next_at;
    assert!(
        due >= asked - Duration::from_secs(1),
        "next try shown as {due}"
    );
    target.wait_for(2, Duration::from_secs(2)).await;
    eprintln!("retry now → attempt at the target: {:?}", started.elapsed());
    let list = deliveries_until(&l, delivery.capture_id, "the retry recorded", |d| {
        d[0].attempts.len() == 3
    })
    .await;
    assert_eq!(list[0].state, DeliveryState::Waiting);
    assert!(
        list[0].next_at > asked,
        "next try shown as {}",
        list[0].next_at
    );
}

/// Retry now asked while an attempt is on its way still stands once that attempt fails: the
/// attempt's backoff does not put it off.
#[tokio::test]
async fn retry_now_during_an_attempt_tries_again_right_after_it() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 500,
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    let delivery = failing_with_a_long_backoff(&l, &target).await;
    target.answer(Answer {
        status: 500,
        delay: Duration::from_millis(800),
        ..Answer::default()
    });
    let outbox = l.engine.outbox();
    outbox
        .decide(delivery.id, Decision::RetryNow)
        .await
        .unwrap();
    target.wait_for(2, Duration::from_secs(2)).await;
    // The second attempt is at the target, waiting for its answer: ask again.
    outbox
        .decide(delivery.id, Decision::RetryNow)
        .await
        .unwrap();
    let seen = target.wait_for(3, Duration::from_secs(3)).await;
    // Without it, the third came after the second's backoff: 4 s after its answer.
    let gap = seen[2].at - seen[1].at;
    assert!(gap < Duration::from_millis(2000), "{gap:?} between them");
}

#[tokio::test]
async fn skip_takes_a_delivery_out_of_the_outbox() {
    let target = Target::up().await;
    target.answer(Answer {
        status: 503,
        ..Answer::default()
    });
    let l = start(|c| c.forward.push(rule(&target, ForwardMode::Inspect))).await;
    let id = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let list = deliveries_until(&l, id, "a refused attempt", |d| {
        d.first().is_some_and(|d| !d.attempts.is_empty())
    })
    .await;
    assert_eq!(list[0].state, DeliveryState::Waiting);
    l.engine
        .outbox()
        .decide(list[0].id, Decision::Skip)
        .await
        .unwrap();
    deliveries_until(&l, id, "skipped", |d| d[0].state == DeliveryState::Skipped).await;
}

#[tokio::test]
async fn a_rule_forwards_only_what_its_filter_matches() {
    let target = Target::up().await;
    let l = start(|c| {
        c.forward.push(ForwardRule {
            filter: "provider:moysklad".into(),
            ..rule(&target, ForwardMode::Inspect)
        })
    })
    .await;
    let green = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    let moysklad = capture_id(&l.post("/moysklad?requestId=a", &[], MOYSKLAD_UPDATE).await);
    let seen = target.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].capture_id(), moysklad);
    assert_eq!(seen[0].uri, "/hooks?requestId=a");
    assert!(l.reader().deliveries(green).unwrap().is_empty());
}

#[tokio::test]
async fn replay_sends_edits_and_a_replay_into_hookscope_links_both_ways() {
    let target = Target::up().await;
    let l = start(|_| {}).await;
    let id = capture_id(&l.post("/moysklad?requestId=a", &[], MOYSKLAD_UPDATE).await);
    let original = l.reader().get(id).unwrap().unwrap();
    let http = hookscope::forward::client();

    let edits = Edits {
        headers: vec![("X-Test".into(), "edited".into())],
        body: Some(b"{\"events\":[]}".to_vec()),
        ..Edits::default()
    };
    let attempt = replay::replay_one(&http, &original, &target.url("/hooks"), &edits).await;
    assert!(attempt.outcome.is_success(), "{attempt:?}");
    let seen = target.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(seen[0].body, &b"{\"events\":[]}"[..]);
    assert_eq!(seen[0].header("x-test"), "edited");
    assert_eq!(seen[0].uri, "/hooks?requestId=a");
    assert_eq!(seen[0].header("x-hookscope-replay-of"), id.to_string());
    let to = target.url("/hooks");
    let edited = l.engine.store().record_replay(id, &to, true, attempt);
    let edited = edited.await.unwrap();

    // Into hookscope itself: a redelivery, captured and marked as a repeat.
    let attempt = replay::replay_one(&http, &original, &l.base, &Edits::default()).await;
    let again = replay::became(&attempt).expect("the answer names the new capture");
    let copy = l.reader().get(again).unwrap().unwrap();
    assert_eq!(copy.request.path, "/moysklad");
    assert_eq!(copy.request.body, original.request.body);
    assert_eq!(replay::replay_of(&copy), Some(id));
    assert_eq!(copy.repeat_of, Some(id));
    let recorded = l
        .engine
        .store()
        .record_replay(id, &l.base, false, attempt)
        .await
        .unwrap();
    let list = l.reader().deliveries(id).unwrap();
    let marks: Vec<_> = list.iter().map(|d| (d.id, d.replay, d.edited)).collect();
    assert_eq!(marks, [(edited, true, true), (recorded, true, false)]);
    assert_eq!(list[0].state, DeliveryState::Delivered);
}

#[tokio::test]
async fn a_rule_aimed_at_the_listener_itself_is_refused_and_forwards_nothing() {
    let mut l = start(|_| {}).await;
    let port = l.engine.local_addr().port();
    for target in [
        format!("http://localhost:{port}/green-api"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}/x"),
    ] {
        let mut config = (*l.engine.config()).clone();
        config.forward = vec![ForwardRule {
            target: target.clone(),
            ..ForwardRule::default()
        }];
        l.engine.set_config(config);
        let problems: Vec<String> = l
            .engine
            .rule_problems()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(problems.len(), 1, "{target}: {problems:?}");
        assert!(problems[0].contains("own listener"), "{}", problems[0]);
    }
    let id = capture_id(&l.post("/green-api", &[], GREEN_TEXT).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(l.reader().deliveries(id).unwrap().is_empty());
    assert_eq!(l.captures("").len(), 1);
}

/// Two hookscopes forwarding to each other (or one to its own listener by another address):
/// a forward that comes back is captured and answered, and not forwarded again, so real
/// captures are never pushed out by an endless loop.
#[tokio::test]
async fn a_forward_that_comes_back_is_captured_but_not_forwarded_again() {
    let mut a = start(|_| {}).await;
    let mut b = start(|_| {}).await;
    let mut config = (*b.engine.config()).clone();
    config.forward = vec![ForwardRule {
        target: a.base.clone(),
        ..ForwardRule::default()
    }];
    b.engine.set_config(config);
    let mut config = (*a.engine.config()).clone();
    config.forward = vec![ForwardRule {
        target: b.base.clone(),
        ..ForwardRule::default()
    }];
    a.engine.set_config(config);

    let first = capture_id(
        &a.post("/moysklad?requestId=loop", &[], MOYSKLAD_UPDATE)
            .await,
    );
    deliveries_until(&a, first, "A forwards to B", delivered).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while a.captures("").len() < 2 {
        assert!(Instant::now() < deadline, "B never forwarded back to A");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Long enough for several more rounds, were there any.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (at_a, at_b) = (a.captures(""), b.captures(""));
    assert_eq!((at_a.len(), at_b.len()), (2, 1));
    let back = &at_a[1];
    assert_eq!(back.request.body, MOYSKLAD_UPDATE.as_bytes());
    assert!(a.reader().deliveries(back.id).unwrap().is_empty());
    let via = back
        .request
        .headers
        .iter()
        .find(|(n, _)| n == "x-hookscope-forwarded-by")
        .map(|(_, v)| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap();
    assert_eq!(
        via,
        format!("{}, {}", a.engine.store().name(), b.engine.store().name())
    );
}
