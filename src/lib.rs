//! hookscope: a local webhook inspector that answers Reestr, GREEN-API and MoySklad the way
//! each of them requires, and keeps every capture in a durable store.
//!
//! This library is the engine; the `hookscope` binary puts a CLI (`src/cli/`) and, with the
//! default `gui` feature, a desktop app over it.
//!
//! # Layout
//!
//! ```text
//! provider ──HTTP──▶ listener ──▶ providers (rules) ──▶ store writer (SQLite WAL, group commit)
//!                       │                                        │
//!                       └────── answer only after commit ◀───────┘──▶ broadcast ──▶ app / serve
//! ```
//!
//! * [`listener`] — the embedded HTTP server: any method and path, bounded bodies, idle
//!   connections closed, the answer sent only after the capture is committed.
//! * [`providers`] — one module per provider: recognise, verify, answer, summarise, the
//!   redelivery key, the overview fields; each provider's API client in its `api` module
//!   (Kontur.Reestro has only an API: [`providers::kontur`]).
//! * [`capture`] — what a capture is: the request byte for byte, the judgement, the answer.
//! * [`store`] — the durable store: one writer thread, readers on their own connections,
//!   the search index in a file of its own, a [`filter::Filter`] turned into SQL.
//! * [`filter`] — the filter language: a parser, its syntax tree, and matching one capture.
//! * [`responses`] — response rules and faults, tried before the commit.
//! * [`forward`] — forward rules, the outbox that delivers in order, pass-through, replay;
//!   the deliveries themselves are kept by [`store::outbox`].
//! * [`engine`] — listener, store, outbox and API together, as the app and `serve` run them.
//! * [`api`] — the captures for scripts, tests and assistants: a token-guarded HTTP API with
//!   a live event stream and a long poll, and its client (`hookscope wait`, `hookscope mcp`).
//! * [`attach`] — mirroring a team host's captures into the local store, resumed after the
//!   newest one mirrored.
//! * [`http`] — the one HTTP client for provider APIs; failures become sentences.
//! * [`tunnel`], [`registration`], [`repoint`] — the public URL, whether each provider sends
//!   to it, and moving providers to a new one.
//! * [`export`] — HAR, NDJSON and cURL out (secrets masked), HAR and NDJSON in.
//! * [`samples`] — built-in provider payloads, sent to a listener.
//! * [`config`], [`owner_only`] — the settings file, and files only their owner reads.
//! * `gui` — the desktop app, by role: what it holds (`state/`, `command`), what a screen
//!   shows (`views/`), what a button does (`app/`).

pub mod api;
pub mod attach;
pub mod capture;
pub mod config;
pub mod engine;
pub mod export;
pub mod filter;
pub mod forward;
#[cfg(feature = "gui")]
pub mod gui;
pub mod http;
pub mod listener;
pub mod owner_only;
pub mod providers;
pub mod registration;
pub mod repoint;
pub mod responses;
pub mod samples;
pub mod store;
pub mod tunnel;
