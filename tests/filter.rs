//! The filter language against a real store filled through the real listener.

mod common;

use common::{capture_id, start, GREEN_TEXT, MOYSKLAD_UPDATE, REESTR_DONE};
use hookscope::config::Secret;
use hookscope::filter::Filter;

struct Fixture {
    listener: common::Listener,
    green: i64,
    green_repeat: i64,
    moysklad_many: i64,
    reestr: i64,
    forged: i64,
    generic: i64,
}

const SEVERAL: &str = include_str!("../assets/samples/moysklad-several-events.json");
const ORDER: &str = include_str!("../assets/samples/moysklad-order-create.json");

async fn fixture() -> Fixture {
    let listener = start(|c| c.green_api.webhook_url_token = Secret::new("tok")).await;
    let auth = [("authorization", "Bearer tok")];
    let cyrillic = GREEN_TEXT.replace("Hello, is the order ready?", "Заказ ГОТОВ к выдаче");
    let green = capture_id(&listener.post("/green-api", &auth, cyrillic.clone()).await);
    let green_repeat = capture_id(&listener.post("/green-api", &auth, cyrillic).await);
    let moysklad_many = capture_id(&listener.post("/moysklad?requestId=a", &[], SEVERAL).await);
    capture_id(&listener.post("/moysklad?requestId=b", &[], ORDER).await);
    let reestr = capture_id(&listener.post("/reestr", &[], REESTR_DONE).await);
    let forged = capture_id(
        &listener
            .post("/green-api", &[("authorization", "Bearer no")], GREEN_TEXT)
            .await,
    );
    let generic = capture_id(
        &listener
            .client
            .get(format!("{}/status/check?x=1", listener.base))
            .header("x-trace", "abc-123")
            .send()
            .await
            .unwrap(),
    );
    listener
        .post("/moysklad?requestId=c", &[], MOYSKLAD_UPDATE)
        .await;
    Fixture {
        listener,
        green,
        green_repeat,
        moysklad_many,
        reestr,
        forged,
        generic,
    }
}

impl Fixture {
    /// The store's answer, checked against `Filter::matches` (what forward rules use).
    fn ids(&self, query: &str) -> Vec<i64> {
        let filter = Filter::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        let reader = self.listener.reader();
        let ids: Vec<i64> = reader
            .list(&filter, None)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let in_memory: Vec<i64> = reader
            .list(&Filter::default(), None)
            .unwrap()
            .iter()
            .filter(|c| filter.matches(c))
            .map(|c| c.id)
            .collect();
        assert_eq!(in_memory, ids, "{query}: in memory and in the store differ");
        ids
    }
}

#[tokio::test]
async fn every_field_selects_what_it_says() {
    let f = fixture().await;
    let all = f.ids("");
    assert_eq!(all.len(), 8);
    assert_eq!(f.ids("provider:reestr"), [f.reestr]);
    assert_eq!(
        f.ids("provider:green-api"),
        [f.green, f.green_repeat, f.forged]
    );
    assert_eq!(f.ids("event:customerorder:CREATE").len(), 1);
    // One of several events in a delivery is enough; `event:product` matches any product action.
    assert_eq!(f.ids("event:product:UPDATE").len(), 2);
    assert!(f.ids("event:product").contains(&f.moysklad_many));
    assert_eq!(f.ids("method:get"), [f.generic]);
    assert_eq!(f.ids("path:/status"), [f.generic]);
    assert_eq!(f.ids("status:204").len(), 3);
    assert_eq!(f.ids("status:>=400"), [f.forged]);
    assert_eq!(f.ids("status:4xx"), [f.forged]);
    assert_eq!(f.ids("status:<300").len(), 7);
    assert_eq!(f.ids("header.x-trace:abc"), [f.generic]);
    assert_eq!(f.ids("header.authorization:*").len(), 3);
    assert_eq!(f.ids("repeat:yes"), [f.green_repeat]);
    assert_eq!(f.ids("rejected:yes"), [f.forged]);
    assert_eq!(f.ids("rejected:no").len(), 7);
    assert_eq!(f.ids("after:1h").len(), 8);
    assert_eq!(f.ids("before:1h").len(), 0);
    assert_eq!(f.ids("after:2000-01-01 before:2100-01-01").len(), 8);
}

#[tokio::test]
async fn free_words_search_path_headers_and_body_in_any_case() {
    let f = fixture().await;
    assert_eq!(f.ids("готов"), [f.green, f.green_repeat]);
    assert_eq!(f.ids("ГОТОВ выдаче"), [f.green, f.green_repeat]);
    assert_eq!(f.ids("\"the order ready\""), [f.forged]);
    assert_eq!(f.ids("\"ready order\"").len(), 0);
    assert_eq!(f.ids("salePrices").len(), 2);
    assert_eq!(f.ids("abc-123"), [f.generic]);
    assert_eq!(f.ids("x=1"), [f.generic]);
    // Shorter than three characters falls back to a scan, and still works.
    assert_eq!(f.ids("x=").len(), 1);
    assert_eq!(f.ids("880213"), [f.reestr]);
}

#[tokio::test]
async fn minus_negates_and_terms_combine() {
    let f = fixture().await;
    assert_eq!(
        f.ids("provider:green-api -repeat:yes -rejected:yes"),
        [f.green]
    );
    assert_eq!(
        f.ids("-provider:moysklad -provider:green-api"),
        [f.reestr, f.generic]
    );
    assert_eq!(f.ids("-готов provider:green-api"), [f.forged]);
}

/// Free words find the same captures whether the search index has caught up or not.
#[tokio::test]
async fn results_do_not_depend_on_the_search_index_having_caught_up() {
    let f = fixture().await;
    // Every trigram of "омск" and "томск", but neither word: the index alone would say yes.
    let scattered = capture_id(&f.listener.post("/notes", &[], "омс, мск и том").await);
    // Not UTF-8 around the word: indexed and found all the same.
    let binary = b"\xff\xfe zqx9-tail \x00\x81".to_vec();
    let binary = capture_id(&f.listener.post("/notes", &[], binary).await);
    let store_file = f.listener.engine.store().path().to_owned();
    let raw = rusqlite::Connection::open(&store_file).unwrap();
    raw.execute(
        "ATTACH DATABASE ?1 AS search",
        [hookscope::store::search_index_path(&store_file).to_string_lossy()],
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (upto, max): (i64, i64) = raw
            .query_row(
                "SELECT (SELECT indexed_upto FROM search.search_progress),
                        (SELECT max(id) FROM captures)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        if upto == max {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let queries = [
        "готов",
        "ГОТОВ выдаче",
        "salePrices",
        "abc-123",
        "x=",
        "\"the order ready\"",
        "\"x-trace: abc-123\"",
        "омск",
        "Томск",
        "\"мск и\"",
        "ZQX9-tail",
    ];
    let indexed: Vec<Vec<i64>> = queries.iter().map(|q| f.ids(q)).collect();
    assert_eq!(indexed[1], [f.green, f.green_repeat]);
    assert_eq!(indexed[6], [f.generic]);
    assert_eq!(indexed[7], [] as [i64; 0]);
    assert_eq!(indexed[8], [] as [i64; 0]);
    assert_eq!(indexed[9], [scattered]);
    assert_eq!(indexed[10], [binary]);

    // Forget the index, as if these captures had just arrived: the scan must find the same.
    raw.execute_batch(
        "DELETE FROM search.captures_text; UPDATE search.search_progress SET indexed_upto = 0;",
    )
    .unwrap();
    let scanned: Vec<Vec<i64>> = queries.iter().map(|q| f.ids(q)).collect();
    assert_eq!(scanned, indexed);
}

/// Pins and notes are filter terms, and a note's words are found like any other text.
#[tokio::test]
async fn pins_and_notes_are_searchable() {
    let f = fixture().await;
    let store = f.listener.engine.store();
    use hookscope::store::Edit;
    store
        .edit(Edit::Pin {
            id: f.reestr,
            pinned: true,
        })
        .await
        .unwrap();
    store
        .edit(Edit::Note {
            id: f.generic,
            note: "Проверить ДУБЛЬ".into(),
        })
        .await
        .unwrap();
    // Edits are applied by the writer in order; wait for the last one. (Not with `ids`: the
    // note can land between its two reads, which would then rightly differ.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let noted = Filter::parse("note:*").unwrap();
    while f.listener.reader().list(&noted, None).unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the note was never saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(f.ids("pinned:yes"), [f.reestr]);
    assert_eq!(f.ids("pinned:no").len(), 7);
    assert_eq!(f.ids("note:дубль"), [f.generic]);
    assert_eq!(f.ids("note:other").len(), 0);
    assert_eq!(f.ids("-note:*").len(), 7);
    // Free words find note text, long and short, in any case.
    assert_eq!(f.ids("дубль"), [f.generic]);
    assert_eq!(f.ids("ДУ"), [f.generic]);
}

/// GREEN-API's MAX and Telegram instances and its buttons are found by the words people look
/// for: the messenger, the message kind, the text of the button pressed.
#[tokio::test]
async fn max_telegram_and_button_messages_are_found_by_their_words() {
    let listener = start(|_| {}).await;
    let mut ids = Vec::new();
    for body in [
        include_str!("../assets/samples/green-api-max-text.json"),
        include_str!("../assets/samples/green-api-telegram-text.json"),
        include_str!("../assets/samples/green-api-interactive-buttons.json"),
        include_str!("../assets/samples/green-api-button-clicked.json"),
    ] {
        ids.push(capture_id(&listener.post("/green-api", &[], body).await));
    }
    let found = |query: &str| -> Vec<i64> {
        let filter = Filter::parse(query).unwrap();
        let listed = listener.reader().list(&filter, None).unwrap();
        listed.iter().map(|c| c.id).collect()
    };
    assert_eq!(found("telegram"), [ids[1]]);
    assert_eq!(found("supergroup"), [ids[1]]);
    assert_eq!(found("interactiveButtonsResponse"), [ids[3]]);
    // Any case: the MAX text says "завтра", the buttons offer "Завтра", the customer chose it.
    assert_eq!(found("ЗАВТРА"), [ids[0], ids[2], ids[3]]);
    assert_eq!(found("interactiveButtons").len(), 2);
}
