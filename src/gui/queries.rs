//! Store reads off the UI thread: a worker with its own read connection answers the app's
//! queries and wakes the window when a result is ready.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::capture::{Capture, CaptureRow, DeliveryState, Provider};
use crate::filter::{Filter, Term, Test};
use crate::store::{Arrival, Delivery, StoreError, StoreReader, TargetState};

pub enum Query {
    /// Table rows of the newest captures, this many: the table's first page.
    Newest(usize),
    /// Table rows of the `limit` captures before `before`: older pages, newest first.
    Older { before: i64, limit: usize },
    /// Table rows of every capture after this id.
    RowsAfter(i64),
    /// Which captures match; `among` limits the check to those ids (new arrivals).
    Matching {
        generation: u64,
        filter: Filter,
        among: Option<Vec<i64>>,
    },
    /// One whole capture, for the detail pane.
    Capture(i64),
    /// A capture's deliveries with their attempts, for the Forward tab.
    Deliveries(i64),
    /// How the forwarding of these captures stands now, for the table.
    ForwardStates(Vec<i64>),
    /// Each forward target: up or down, and how many wait.
    Targets,
    /// Every arrival of a capture's notification.
    Timeline(i64),
    /// The newest Reestr `confirm`, for the address's confirmation state.
    LatestConfirm,
    /// How many bytes of the store are in use, for the top bar.
    StoreBytes,
}

pub enum Fetched {
    /// The newest rows, how many captures are older, and how many bytes of the store are in
    /// use now.
    Newest {
        rows: Vec<CaptureRow>,
        older: u64,
        store_bytes: u64,
    },
    /// Rows before `before`.
    Older {
        before: i64,
        rows: Vec<CaptureRow>,
    },
    /// New rows, and how many bytes of the store are in use now.
    Rows(Vec<CaptureRow>, u64),
    Matching {
        generation: u64,
        ids: Vec<i64>,
        partial: bool,
    },
    Capture(i64, Option<Box<Capture>>),
    Deliveries(i64, Vec<Delivery>),
    ForwardStates(Vec<(i64, Option<DeliveryState>)>),
    Targets(Vec<TargetState>),
    Timeline(i64, Vec<Arrival>),
    LatestConfirm(Option<Box<Capture>>),
    StoreBytes(u64),
    Failed(StoreError),
}

pub struct Queries {
    ask: mpsc::Sender<Query>,
    results: mpsc::Receiver<Fetched>,
}

impl Queries {
    pub fn start(store_file: PathBuf, ctx: egui::Context) -> Queries {
        let (ask, queries) = mpsc::channel::<Query>();
        let (reply, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("hookscope-queries".into())
            .spawn(move || {
                let mut reader: Option<StoreReader> = None;
                for query in queries {
                    let fetched = match reader.as_ref() {
                        Some(r) => fetch(r, query),
                        None => match StoreReader::open(&store_file) {
                            Ok(r) => fetch(reader.insert(r), query),
                            // No store yet (the listener could not start): no captures.
                            Err(StoreError::Missing { .. }) => nothing(query),
                            Err(e) => Fetched::Failed(e),
                        },
                    };
                    if reply.send(fetched).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            })
            .expect("a thread can be started");
        Queries { ask, results }
    }

    pub fn ask(&self, query: Query) {
        let _ = self.ask.send(query);
    }

    pub fn results(&self) -> impl Iterator<Item = Fetched> + '_ {
        self.results.try_iter()
    }
}

/// What an empty store holds.
fn nothing(query: Query) -> Fetched {
    match query {
        Query::Newest(_) => Fetched::Newest {
            rows: Vec::new(),
            older: 0,
            store_bytes: 0,
        },
        Query::Older { before, .. } => Fetched::Older {
            before,
            rows: Vec::new(),
        },
        Query::RowsAfter(_) => Fetched::Rows(Vec::new(), 0),
        Query::Matching {
            generation, among, ..
        } => Fetched::Matching {
            generation,
            ids: Vec::new(),
            partial: among.is_some(),
        },
        Query::Capture(id) => Fetched::Capture(id, None),
        Query::Deliveries(id) => Fetched::Deliveries(id, Vec::new()),
        Query::ForwardStates(_) => Fetched::ForwardStates(Vec::new()),
        Query::Targets => Fetched::Targets(Vec::new()),
        Query::Timeline(id) => Fetched::Timeline(id, Vec::new()),
        Query::LatestConfirm => Fetched::LatestConfirm(None),
        Query::StoreBytes => Fetched::StoreBytes(0),
    }
}

/// Reestr's `confirm` requests.
fn confirms() -> Filter {
    let term = |test| Term {
        negated: false,
        test,
    };
    Filter {
        terms: vec![
            term(Test::Provider(Provider::Reestr)),
            term(Test::Event("confirm".into())),
        ],
    }
}

fn fetch(reader: &StoreReader, query: Query) -> Fetched {
    let result = match query {
        Query::Newest(limit) => reader.newest_rows(limit).and_then(|(rows, older)| {
            Ok(Fetched::Newest {
                rows,
                older,
                store_bytes: reader.used_bytes()?,
            })
        }),
        Query::Older { before, limit } => reader
            .rows_before(before, limit)
            .map(|rows| Fetched::Older { before, rows }),
        Query::RowsAfter(id) => reader
            .rows_after(id)
            .and_then(|rows| Ok(Fetched::Rows(rows, reader.used_bytes()?))),
        Query::Matching {
            generation,
            filter,
            among,
        } => reader
            .matching_ids(&filter, among.as_deref())
            .map(|ids| Fetched::Matching {
                generation,
                ids,
                partial: among.is_some(),
            }),
        Query::Capture(id) => reader
            .get(id)
            .map(|capture| Fetched::Capture(id, capture.map(Box::new))),
        Query::Deliveries(id) => reader
            .deliveries(id)
            .map(|list| Fetched::Deliveries(id, list)),
        Query::ForwardStates(ids) => reader.forward_states(&ids).map(Fetched::ForwardStates),
        Query::Targets => reader.targets().map(Fetched::Targets),
        Query::Timeline(id) => reader.timeline(id).map(|list| Fetched::Timeline(id, list)),
        Query::LatestConfirm => reader
            .list(&confirms(), Some(1))
            .map(|mut newest| Fetched::LatestConfirm(newest.pop().map(Box::new))),
        Query::StoreBytes => reader.used_bytes().map(Fetched::StoreBytes),
    };
    result.unwrap_or_else(Fetched::Failed)
}
