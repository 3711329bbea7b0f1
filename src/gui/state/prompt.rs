//! A change that waits for the user's yes: what will happen, the button that goes ahead, and
//! the command it then runs.

use super::super::command::Command;

#[derive(Clone, Debug)]
pub struct Prompt {
    /// What will happen, to what: "Delete the MoySklad webhook customerorder CREATE → https://…?"
    pub text: String,
    /// The button that goes ahead: "Delete".
    pub yes: &'static str,
    pub then: Command,
}

impl Prompt {
    /// The command that asks before running `then`.
    pub fn command(text: String, yes: &'static str, then: Command) -> Command {
        Command::Ask(Box::new(Prompt { text, yes, then }))
    }
}
