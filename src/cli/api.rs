//! `hookscope api token add|list|revoke`: the team host's user tokens (see `api::users`).

use hookscope::api::users::Users;
use hookscope::config::Paths;

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for a developer; it is printed once and kept only as a hash.
    Add {
        /// Who it is for, e.g. anna (letters, digits, dots, dashes, underscores).
        name: String,
    },
    /// The users that have a token, and since when.
    List,
    /// Take a user's token away; their open streams close at once.
    Revoke { name: String },
}

pub fn token(paths: &Paths, command: TokenCommand) -> anyhow::Result<()> {
    let dir = &paths.data_dir;
    match command {
        TokenCommand::Add { name } => {
            let token = Users::add(dir, &name)?;
            println!("{token}");
            eprintln!(
                "hookscope: this is {}'s token for the API of this host; it is not shown again. They attach with `hookscope attach http://<this host>:<api port> --token <token>`.",
                name.trim()
            );
        }
        TokenCommand::List => {
            let users = Users::load(dir)?;
            if users.is_empty() {
                eprintln!(
                    "hookscope: no user has a token; `hookscope api token add NAME` makes one."
                );
            }
            for user in users.list() {
                println!("{:<24} added {}", user.name, user.added_at);
            }
        }
        TokenCommand::Revoke { name } => {
            Users::revoke(dir, &name)?;
            eprintln!(
                "hookscope: {}'s token is revoked; a running hookscope refuses it from now on.",
                name.trim()
            );
        }
    }
    Ok(())
}
