//! The `hookscope` command: the desktop app by default, and the same engine from the terminal.

mod cli;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use cli::moysklad::WebhookAction;
use hookscope::config::KeepIn;
use hookscope::http::ApiError;
use hookscope::providers::moysklad::api::NewWebhook;

#[derive(Parser)]
#[command(
    name = "hookscope",
    version,
    about = "See and answer the webhooks of Reestr, GREEN-API, MoySklad and anything else, locally.",
    after_help = "With no command, the desktop app opens. Without a display, use `hookscope serve`."
)]
struct Cli {
    /// Settings file (created with defaults, readable by you only, if missing).
    #[arg(long, global = true, env = "HOOKSCOPE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder for the capture store.
    #[arg(long, global = true, env = "HOOKSCOPE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the desktop app (the default).
    Gui,
    /// Run the listener without a window; one line per capture.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8787 (port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Also forward captures to URL, e.g. http://localhost:3000/hooks (added to the
        /// [[forward]] rules of the settings for this run).
        #[arg(long, value_name = "URL")]
        forward_to: Option<String>,
        /// Forward only the captures this filter matches.
        #[arg(long, value_name = "QUERY", requires = "forward_to")]
        forward_filter: Option<String>,
        /// Answer providers with the target's own answer (when it comes in time) instead of
        /// hookscope's.
        #[arg(long, requires = "forward_to")]
        pass_through: bool,
        /// Address of the API for scripts and assistants (default 127.0.0.1:8788; port 0
        /// picks a free one).
        #[arg(long, value_name = "ADDR")]
        api_listen: Option<SocketAddr>,
        /// Only read the settings and say whether serve could start with them: exits 0 when
        /// they are fine, 1 with each mistake otherwise (for a service's ExecStartPre).
        #[arg(long)]
        check_config: bool,
        /// Start a quick tunnel to the listener with this program, installed here; it stops
        /// with serve.
        #[arg(long, value_name = "PROGRAM", value_parser = ["cloudflared", "ngrok"])]
        tunnel: Option<String>,
    },
    /// The API's user tokens, for developers attaching to this host.
    #[command(subcommand)]
    Api(ApiCommand),
    /// Wait for a capture that matches, print it and exit 0; exit 1 when none comes in time
    /// (asks the API of the serve or app running for this data folder).
    Wait(cli::wait::Wait),
    /// Mirror a team host's captures into this data folder as they arrive, resuming after the
    /// last one mirrored, and forward them to your own app (--forward-to).
    Attach(cli::attach::Attach),
    /// Serve hookscope's captures to an AI assistant over the Model Context Protocol (stdio).
    Mcp {
        /// Also offer the replay_capture tool, which sends a capture again (to hookscope's
        /// listener, or to any URL the assistant names).
        #[arg(long)]
        allow_replay: bool,
        /// The API of another hookscope, e.g. http://team-host:8788 (with --token).
        #[arg(long, value_name = "URL", requires = "token")]
        api: Option<String>,
        /// Its token.
        #[arg(long, value_name = "TOKEN", requires = "api")]
        token: Option<String>,
    },
    /// List deliveries to forward targets and replays, newest first.
    Forwards {
        /// Only those waiting in the outbox.
        #[arg(long)]
        waiting: bool,
        /// Show the newest N (default 50).
        #[arg(long, short = 'n', value_name = "N", default_value_t = 50)]
        limit: u64,
        /// One JSON object per delivery, with its attempts.
        #[arg(long)]
        json: bool,
    },
    /// Every arrival of a notification a provider sent more than once, with what hookscope
    /// answered each and the gaps between them.
    Timeline {
        /// Any capture of the notification.
        #[arg(value_name = "ID")]
        id: i64,
        /// One JSON object per arrival.
        #[arg(long)]
        json: bool,
    },
    /// Send stored captures again, to your app or to hookscope itself.
    Replay {
        /// Capture ids (the first column of `captures`), sent in order of arrival.
        #[arg(value_name = "ID", required = true)]
        ids: Vec<i64>,
        /// A URL with a path gets what followed the provider's prefix appended, like a forward
        /// target; a bare origin (e.g. hookscope's own http://127.0.0.1:8787) gets the whole
        /// path, as a redelivery.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Keep the original gaps between captures.
        #[arg(long)]
        keep_timing: bool,
        /// With --keep-timing, this many times faster (2 halves the gaps).
        #[arg(
            long,
            value_name = "FACTOR",
            default_value_t = 1.0,
            requires = "keep_timing"
        )]
        speed: f64,
        /// Set a header, replacing any of that name; repeatable.
        #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
        headers: Vec<String>,
        /// Send this file's bytes as the body instead.
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
        /// Send with this method instead.
        #[arg(long, short = 'X', value_name = "METHOD")]
        method: Option<String>,
    },
    /// List stored captures, oldest first.
    Captures {
        /// Filter, e.g. 'provider:green-api status:>=400 -repeat:yes "order 1542"'.
        #[arg(long, short, value_name = "QUERY")]
        filter: Option<String>,
        /// Show the newest N (default: 50 in the table, all with --json).
        #[arg(long, short = 'n', value_name = "N")]
        limit: Option<u64>,
        /// One capture-JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Post a built-in sample webhook to the listener.
    SendSample {
        /// Sample name; see --list.
        name: Option<String>,
        /// Base URL to post to (default: the configured listener); the sample's path is appended.
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        /// List the samples.
        #[arg(long)]
        list: bool,
    },
    /// Write stored captures, oldest first, with configured secrets replaced by ***.
    Export {
        /// har (browser devtools, HTTP Toolkit), ndjson (capture JSON per line) or curl (a
        /// shell script that sends the requests again).
        #[arg(long, value_enum, value_name = "FORMAT")]
        format: ExportFormat,
        /// Only captures matching this filter (see `captures --filter`).
        #[arg(long, short, value_name = "QUERY")]
        filter: Option<String>,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Where a curl script sends the requests (default: the listener in the settings).
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// Add the captures of a HAR or capture NDJSON file (`-` reads standard input) to the store.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Check the capture store, or set a damaged one aside.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Say where the settings' tokens are kept (the system keyring or the settings file), or
    /// move them all.
    Secrets {
        /// Move every token to the system keyring or to the settings file.
        #[arg(long, value_name = "PLACE", value_parser = ["keyring", "file"])]
        move_to: Option<String>,
    },
    /// Print the public URL of the tunnel in front of the listener and where it was found.
    Tunnel {
        /// Then move every provider registration from this old public URL to the current one.
        #[arg(long, value_name = "OLD_URL")]
        repoint: Option<String>,
    },
    /// GREEN-API instance settings and webhooks.
    #[command(subcommand, name = "green-api")]
    GreenApi(GreenApiCommand),
    /// MoySklad webhook subscriptions and objects.
    #[command(subcommand)]
    Moysklad(MoyskladCommand),
    /// Reestr orders.
    #[command(subcommand)]
    Reestr(ReestrCommand),
    /// Kontur.Reestro's feed of Rosreestr document-flow events.
    #[command(subcommand, visible_alias = "rosreestr")]
    Kontur(KonturCommand),
}

#[derive(Subcommand)]
enum ApiCommand {
    /// Add, list or revoke a developer's token.
    #[command(subcommand)]
    Token(cli::api::TokenCommand),
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Read every page of the store (SQLite's quick_check) and say whether it is sound.
    Check,
    /// Move a damaged store aside (renamed, not deleted) so that a fresh one starts.
    SetAside,
}

#[derive(Subcommand)]
enum GreenApiCommand {
    /// Print the instance's settings (getSettings); the webhook token is masked.
    Settings {
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Point the instance's webhooks at hookscope (setSettings).
    SetWebhook {
        /// Webhook URL (default: the public URL + /green-api).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Webhook token GREEN-API sends; saved to the settings so the listener checks it
        /// (default: the one in the settings).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// Notifications to turn on, comma-separated (default: incomingWebhook,
        /// outgoingWebhook, outgoingMessageWebhook, outgoingAPIMessageWebhook, stateWebhook,
        /// incomingCallWebhook); the others are turned off.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        notify: Option<Vec<String>>,
    },
    /// Turn the instance's webhooks off (an empty webhookUrl).
    Disconnect,
}

#[derive(Subcommand)]
enum MoyskladCommand {
    /// Webhook subscriptions (entity and stock webhooks).
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Trade a login and password for a token and save it in the settings (the password is read
    /// from HOOKSCOPE_MOYSKLAD_PASSWORD, or from standard input).
    Login {
        #[arg(long, value_name = "LOGIN")]
        login: String,
    },
    /// Print the object behind a delivery event's meta.href.
    Object {
        #[arg(value_name = "HREF")]
        href: String,
    },
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// List them; with --json one MoySklad object per line.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Subscribe a URL to an entity type's action (`--entity-type stock` for stock changes).
    Create {
        /// e.g. customerorder, product, counterparty, demand, stock.
        #[arg(long, value_name = "TYPE")]
        entity_type: String,
        /// CREATE, UPDATE, DELETE or PROCESSED (async only); for stock, all (default) or bystore.
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,
        /// FIELDS to receive updatedFields (UPDATE only).
        #[arg(long, value_name = "FIELDS")]
        diff_type: Option<String>,
        /// Where to deliver (default: the public URL + /moysklad).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Turn a webhook on again (its id is the first column of `list`).
    Enable { id: String },
    /// Turn a webhook off without deleting it.
    Disable { id: String },
    /// Delete a webhook subscription.
    Delete { id: String },
}

#[derive(Subcommand)]
enum ReestrCommand {
    /// Print an order (order.get), e.g. the object_id of a payment notification.
    Order {
        #[arg(value_name = "ORDER_ID")]
        order_id: String,
    },
}

#[derive(Subcommand)]
enum KonturCommand {
    /// Print events oldest first; the cursor to continue from goes to standard error.
    Events {
        /// Start after this eventId (default: from the start of the feed).
        #[arg(long, value_name = "EVENT_ID")]
        after: Option<String>,
        /// Events per page, 1 to 100 (default 30; 100 with --all).
        #[arg(long, short = 'n', value_name = "N", value_parser = clap::value_parser!(u8).range(1..=i64::from(hookscope::providers::kontur::MAX_COUNT)))]
        count: Option<u8>,
        /// Keep reading pages until the end of the feed.
        #[arg(long)]
        all: bool,
        /// One Kontur event object per line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Har,
    Ndjson,
    Curl,
}

impl From<ExportFormat> for hookscope::export::Format {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Har => hookscope::export::Format::Har,
            ExportFormat::Ndjson => hookscope::export::Format::Ndjson,
            ExportFormat::Curl => hookscope::export::Format::Curl,
        }
    }
}

fn main() -> ExitCode {
    #[cfg(feature = "gui")]
    hookscope::gui::read_local_offset();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let paths = match hookscope::config::Paths::resolve(cli.config, cli.data_dir) {
        Ok(paths) => paths,
        Err(e) => return cli::fail(e),
    };
    let result = match cli.command.unwrap_or(Command::Gui) {
        Command::Gui => cli::app(&paths),
        Command::Serve {
            listen,
            forward_to,
            forward_filter,
            pass_through,
            api_listen,
            check_config,
            tunnel,
        } => {
            let forward = forward_to.map(|target| hookscope::config::ForwardRule {
                target,
                filter: forward_filter.unwrap_or_default(),
                mode: if pass_through {
                    hookscope::config::ForwardMode::PassThrough
                } else {
                    hookscope::config::ForwardMode::Inspect
                },
                ..Default::default()
            });
            let tunnel = tunnel.and_then(|name| {
                hookscope::tunnel::quick::Program::ALL
                    .into_iter()
                    .find(|p| p.name() == name)
            });
            let asked = cli::serve::Asked {
                listen,
                api_listen,
                forward,
                tunnel,
            };
            match check_config {
                true => cli::serve::check_config(&paths, asked),
                false => cli::serve::serve(&paths, asked),
            }
        }
        Command::Api(ApiCommand::Token(command)) => cli::api::token(&paths, command),
        Command::Wait(asked) => return cli::wait::wait(&paths, asked),
        Command::Attach(asked) => cli::attach::attach(&paths, asked),
        Command::Mcp {
            allow_replay,
            api,
            token,
        } => cli::mcp::mcp(&paths, allow_replay, api, token),
        Command::Forwards {
            waiting,
            limit,
            json,
        } => cli::forward::forwards(&paths, waiting, limit, json),
        Command::Timeline { id, json } => cli::forward::timeline(&paths, id, json),
        Command::Replay {
            ids,
            to,
            keep_timing,
            speed,
            headers,
            body_file,
            method,
        } => cli::forward::replay(
            &paths,
            &ids,
            &to,
            keep_timing.then_some(speed),
            &headers,
            body_file.as_deref(),
            method,
        ),
        Command::Captures {
            filter,
            limit,
            json,
        } => cli::captures::captures(&paths, filter.as_deref(), limit, json),
        Command::SendSample { name, to, list } => {
            cli::samples::send(&paths, name.as_deref(), to.as_deref(), list)
        }
        Command::Export {
            format,
            filter,
            output,
            to,
        } => cli::captures::export(
            &paths,
            format.into(),
            filter.as_deref(),
            output.as_deref(),
            to.as_deref(),
        ),
        Command::Import { file } => cli::captures::import(&paths, &file),
        Command::Secrets { move_to } => cli::secrets::secrets(
            &paths,
            move_to.map(|place| match place.as_str() {
                "keyring" => KeepIn::Keyring,
                _ => KeepIn::File,
            }),
        ),
        Command::Store(StoreCommand::Check) => cli::store::check(&paths),
        Command::Store(StoreCommand::SetAside) => cli::store::set_aside(&paths),
        Command::Tunnel { repoint } => cli::tunnel::tunnel(&paths, repoint.as_deref()),
        Command::GreenApi(command) => match command {
            GreenApiCommand::Settings { json } => cli::green_api::settings(&paths, json),
            GreenApiCommand::SetWebhook { url, token, notify } => cli::green_api::set_webhook(
                &paths,
                url.as_deref(),
                token.as_deref(),
                notify.as_deref(),
            ),
            GreenApiCommand::Disconnect => cli::green_api::disconnect(&paths),
        },
        Command::Moysklad(MoyskladCommand::Login { login }) => cli::moysklad::login(&paths, &login),
        Command::Moysklad(MoyskladCommand::Object { href }) => cli::moysklad::object(&paths, &href),
        Command::Moysklad(MoyskladCommand::Webhooks(command)) => {
            let action = match command {
                WebhooksCommand::List { json } => WebhookAction::List { json },
                WebhooksCommand::Create {
                    entity_type,
                    action,
                    diff_type,
                    url,
                } => WebhookAction::Create(NewWebhook {
                    entity_type,
                    action: action.unwrap_or_default(),
                    diff_type,
                    url: url.unwrap_or_default(),
                }),
                WebhooksCommand::Enable { id } => WebhookAction::SetEnabled(id, true),
                WebhooksCommand::Disable { id } => WebhookAction::SetEnabled(id, false),
                WebhooksCommand::Delete { id } => WebhookAction::Delete(id),
            };
            cli::moysklad::webhooks(&paths, action)
        }
        Command::Reestr(ReestrCommand::Order { order_id }) => cli::reestr::order(&paths, &order_id),
        Command::Kontur(KonturCommand::Events {
            after,
            count,
            all,
            json,
        }) => cli::kontur::events(&paths, after.as_deref(), count, all, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<ApiError>()
                .is_some_and(ApiError::is_setting) =>
        {
            cli::fail(format!(
                "{e}\n  Settings file: {}",
                paths.config_file.display()
            ))
        }
        Err(e) => cli::fail(e),
    }
}
