//! Store reads off the UI thread: a worker with its own read connection answers the app's
//! questions and wakes the window when an answer is ready.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::capture::{Capture, CaptureRow, DeliveryState, Provider};
use crate::filter::{Filter, Term, Test};
use crate::store::{Arrival, Delivery, StoreError, StoreReader, TargetState};

pub enum Question {
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
}

pub enum Answer {
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
    Failed(String),
}

pub struct Queries {
    ask: mpsc::Sender<Question>,
    answers: mpsc::Receiver<Answer>,
}

impl Queries {
    pub fn start(store_file: PathBuf, ctx: egui::Context) -> Queries {
        let (ask, questions) = mpsc::channel::<Question>();
        let (reply, answers) = mpsc::channel();
        std::thread::Builder::new()
            .name("hookscope-queries".into())
            .spawn(move || {
                let mut reader: Option<StoreReader> = None;
                for question in questions {
                    let answer = match reader.as_ref() {
                        Some(r) => answer(r, question),
                        None => match StoreReader::open(&store_file) {
                            Ok(r) => answer(reader.insert(r), question),
                            // No store yet (the listener could not start): no captures.
                            Err(StoreError::Missing { .. }) => nothing(question),
                            Err(e) => Answer::Failed(e.to_string()),
                        },
                    };
                    if reply.send(answer).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            })
            .expect("a thread can be started");
        Queries { ask, answers }
    }

    pub fn ask(&self, question: Question) {
        let _ = self.ask.send(question);
    }

    pub fn answers(&self) -> impl Iterator<Item = Answer> + '_ {
        self.answers.try_iter()
    }
}

/// The answer of an empty store.
fn nothing(question: Question) -> Answer {
    match question {
        Question::Newest(_) => Answer::Newest {
            rows: Vec::new(),
            older: 0,
            store_bytes: 0,
        },
        Question::Older { before, .. } => Answer::Older {
            before,
            rows: Vec::new(),
        },
        Question::RowsAfter(_) => Answer::Rows(Vec::new(), 0),
        Question::Matching {
            generation, among, ..
        } => Answer::Matching {
            generation,
            ids: Vec::new(),
            partial: among.is_some(),
        },
        Question::Capture(id) => Answer::Capture(id, None),
        Question::Deliveries(id) => Answer::Deliveries(id, Vec::new()),
        Question::ForwardStates(_) => Answer::ForwardStates(Vec::new()),
        Question::Targets => Answer::Targets(Vec::new()),
        Question::Timeline(id) => Answer::Timeline(id, Vec::new()),
        Question::LatestConfirm => Answer::LatestConfirm(None),
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

fn answer(reader: &StoreReader, question: Question) -> Answer {
    let result = match question {
        Question::Newest(limit) => reader.newest_rows(limit).and_then(|(rows, older)| {
            Ok(Answer::Newest {
                rows,
                older,
                store_bytes: reader.used_bytes()?,
            })
        }),
        Question::Older { before, limit } => reader
            .rows_before(before, limit)
            .map(|rows| Answer::Older { before, rows }),
        Question::RowsAfter(id) => reader
            .rows_after(id)
            .and_then(|rows| Ok(Answer::Rows(rows, reader.used_bytes()?))),
        Question::Matching {
            generation,
            filter,
            among,
        } => reader
            .matching_ids(&filter, among.as_deref())
            .map(|ids| Answer::Matching {
                generation,
                ids,
                partial: among.is_some(),
            }),
        Question::Capture(id) => reader
            .get(id)
            .map(|capture| Answer::Capture(id, capture.map(Box::new))),
        Question::Deliveries(id) => reader
            .deliveries(id)
            .map(|list| Answer::Deliveries(id, list)),
        Question::ForwardStates(ids) => reader.forward_states(&ids).map(Answer::ForwardStates),
        Question::Targets => reader.targets().map(Answer::Targets),
        Question::Timeline(id) => reader.timeline(id).map(|list| Answer::Timeline(id, list)),
        Question::LatestConfirm => reader
            .list(&confirms(), Some(1))
            .map(|mut newest| Answer::LatestConfirm(newest.pop().map(Box::new))),
    };
    result.unwrap_or_else(|e| Answer::Failed(e.to_string()))
}
