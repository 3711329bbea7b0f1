//! The fake provider servers in `tests/common/fakes` refuse what the real services refuse.
//! These tests prove it with raw HTTP, so a client test that passes against a fake shows the
//! client keeps the contract (a fake that accepted anything would prove nothing).

#[path = "../common/mod.rs"]
mod common;

mod green_api;
mod kontur;
mod moysklad;
mod reestr;
mod tunnels;
