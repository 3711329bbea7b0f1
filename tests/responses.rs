//! Response rules and faults through the real listener: custom answers, failures on purpose,
//! delays and hang-ups, and the delivery timeline that shows them.

mod common;

use std::time::{Duration, Instant};

use common::{capture_id, start, GREEN_TEXT, MOYSKLAD_UPDATE};
use hookscope::capture::Reason;
use hookscope::capture::ResponseAction;
use hookscope::config::ResponseRule;

#[tokio::test]
async fn a_rule_answers_with_its_own_status_headers_and_body() {
    let l = start(|c| {
        c.respond.push(ResponseRule {
            path: "/orders*".into(),
            method: "post".into(),
            status: 201,
            headers: [("x-made".to_string(), "yes".to_string())].into(),
            body: "made".into(),
            ..ResponseRule::default()
        })
    })
    .await;
    let r = l.post("/orders/7", &[], "{}").await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["x-made"], "yes");
    let id = capture_id(&r);
    assert_eq!(r.text().await.unwrap(), "made");
    let c = l.reader().get(id).unwrap().unwrap();
    assert_eq!(
        c.judgement.reason,
        Some(Reason::Rule {
            number: 1,
            action: ResponseAction::Answer
        })
    );
    // Another path or method keeps the provider's answer.
    assert_eq!(l.post("/other", &[], "{}").await.status(), 200);
    let get = l
        .client
        .get(format!("{}/orders/7", l.base))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
}

/// GREEN-API resends a refused notification; failing the next two shows three arrivals in the
/// timeline, two refused and the last taken.
#[tokio::test]
async fn failing_the_next_two_shows_in_the_timeline() {
    let l = start(|c| {
        c.respond.push(ResponseRule {
            filter: "provider:green-api".into(),
            action: ResponseAction::Fail,
            times: 2,
            ..ResponseRule::default()
        })
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = l.post("/green-api", &[], GREEN_TEXT).await;
        ids.push((capture_id(&r), r.status().as_u16()));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(
        ids.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    assert_eq!(l.engine.faults_remaining(), [(1, 0)]);
    let timeline = l.reader().timeline(ids[2].0).unwrap();
    let statuses: Vec<u16> = timeline.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert!(matches!(
        timeline[0].reason,
        Some(Reason::Rule {
            action: ResponseAction::Fail,
            ..
        })
    ));
    assert_eq!(timeline[2].reason, None);
    let gap = timeline[1].received_at - timeline[0].received_at;
    assert!(gap >= time::Duration::milliseconds(30), "{gap}");
}

#[tokio::test]
async fn a_hang_up_closes_the_connection_and_is_still_captured() {
    let l = start(|c| {
        c.respond.push(ResponseRule {
            path: "/moysklad".into(),
            action: ResponseAction::HangUp,
            times: 1,
            ..ResponseRule::default()
        })
    })
    .await;
    let first = l
        .client
        .post(format!("{}/moysklad?requestId=r1", l.base))
        .body(MOYSKLAD_UPDATE)
        .send()
        .await;
    assert!(first.is_err(), "{first:?}");
    let second = l.post("/moysklad?requestId=r1", &[], MOYSKLAD_UPDATE).await;
    assert_eq!(second.status(), 204);
    let timeline = l.reader().timeline(capture_id(&second)).unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].status, 0);
    assert!(matches!(
        timeline[0].reason,
        Some(Reason::Rule {
            action: ResponseAction::HangUp,
            ..
        })
    ));
}

#[tokio::test]
async fn a_delay_answers_the_providers_way_later() {
    let l = start(|c| {
        c.respond.push(ResponseRule {
            filter: "provider:moysklad".into(),
            action: ResponseAction::Delay,
            delay_ms: 300,
            ..ResponseRule::default()
        })
    })
    .await;
    let started = Instant::now();
    let r = l.post("/moysklad?requestId=r2", &[], MOYSKLAD_UPDATE).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn a_share_of_zero_never_fires_and_a_disabled_rule_does_nothing() {
    let l = start(|c| {
        c.respond.push(ResponseRule {
            action: ResponseAction::Fail,
            percent: 0,
            ..ResponseRule::default()
        });
        c.respond.push(ResponseRule {
            action: ResponseAction::Fail,
            enabled: false,
            ..ResponseRule::default()
        });
    })
    .await;
    for _ in 0..20 {
        assert_eq!(l.post("/x", &[], "{}").await.status(), 200);
    }
}

/// A delayed answer keeps its body's share of `max_in_flight_bytes` until it is sent: a long
/// delay rule cannot let bodies in past the budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_answers_count_in_the_in_flight_budget() {
    let l = start(|c| {
        c.listener.max_in_flight_bytes = 1 << 20;
        c.respond.push(ResponseRule {
            path: "/slow".into(),
            action: ResponseAction::Delay,
            delay_ms: 1500,
            ..ResponseRule::default()
        })
    })
    .await;
    let body = vec![b'd'; 600 << 10];
    let held = tokio::spawn({
        let (client, url) = (l.client.clone(), format!("{}/slow", l.base));
        let body = body.clone();
        async move { client.post(url).body(body).send().await.unwrap().status() }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The first body is stored, its answer held back, and its 600 KiB still counted.
    assert_eq!(l.captures("").len(), 1);
    let refused = l.post("/other", &[], body.clone()).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(held.await.unwrap(), 200);
    // Answered: its share is free again.
    assert_eq!(l.post("/other", &[], body).await.status(), 200);
}

/// What a rule with a limit has taken belongs to the rule, not to the captures: clearing them
/// (and the settings being saved again, as the app does for any change) leaves it used up.
#[tokio::test]
async fn a_used_up_rule_stays_used_up_after_clearing_the_captures() {
    let mut l = start(|c| {
        c.respond.push(ResponseRule {
            filter: "provider:green-api".into(),
            action: ResponseAction::Fail,
            times: 3,
            ..ResponseRule::default()
        })
    })
    .await;
    for _ in 0..3 {
        assert_eq!(l.post("/green-api", &[], GREEN_TEXT).await.status(), 500);
    }
    assert_eq!(l.engine.faults_remaining(), [(1, 0)]);
    l.engine
        .store()
        .edit(hookscope::store::Edit::Clear)
        .await
        .unwrap();
    assert_eq!(l.engine.faults_remaining(), [(1, 0)], "after Clear");
    assert_eq!(l.post("/green-api", &[], GREEN_TEXT).await.status(), 200);
    // The same rules saved again (the app saves the settings on many occasions).
    let config = (*l.engine.config()).clone();
    l.engine.set_config(config);
    assert_eq!(l.engine.faults_remaining(), [(1, 0)], "after saving");
    assert_eq!(l.post("/green-api", &[], GREEN_TEXT).await.status(), 200);
    // A changed rule starts afresh.
    let mut config = (*l.engine.config()).clone();
    config.respond[0].times = 1;
    l.engine.set_config(config);
    assert_eq!(l.engine.faults_remaining(), [(1, 1)], "after changing it");
    assert_eq!(l.post("/green-api", &[], GREEN_TEXT).await.status(), 500);
}
