//! The `hookscope` command: the desktop app by default, and the same engine from the terminal.

mod commands;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    },
    /// Add the captures of a HAR or capture NDJSON file (`-` reads standard input) to the store.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
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
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let paths = match hookscope::config::Paths::resolve(cli.config, cli.data_dir) {
        Ok(paths) => paths,
        Err(e) => return commands::fail(e),
    };
    let result = match cli.command.unwrap_or(Command::Gui) {
        Command::Gui => commands::gui(&paths),
        Command::Serve { listen } => commands::serve(&paths, listen),
        Command::Captures {
            filter,
            limit,
            json,
        } => commands::captures(&paths, filter.as_deref(), limit, json),
        Command::SendSample { name, to, list } => {
            commands::send_sample(&paths, name.as_deref(), to.as_deref(), list)
        }
        Command::Export {
            format,
            filter,
            output,
        } => commands::export(&paths, format.into(), filter.as_deref(), output.as_deref()),
        Command::Import { file } => commands::import(&paths, &file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => commands::fail(e),
    }
}
