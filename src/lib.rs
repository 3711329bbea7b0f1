//! hookscope: a local webhook inspector that answers Reestr, GREEN-API and MoySklad the way
//! each of them requires, and keeps every capture in a durable store.
//!
//! This library is the engine; the `hookscope` binary puts a CLI and a desktop app over it.

pub mod capture;
pub mod config;
pub mod engine;
pub mod export;
pub mod filter;
#[cfg(feature = "gui")]
pub mod gui;
pub mod http;
pub mod listener;
pub mod owner_only;
pub mod providers;
pub mod repoint;
pub mod samples;
pub mod store;
pub mod tunnel;
