//! Argument parsing and dispatch. Exit codes: 0 when the analysis ran (whatever the verdicts),
//! 2 for unusable input or arguments, with a one-line error on stderr. A reader that stops
//! reading (`mailspect spf … | head`) also ends the program with 0 and no message.

mod args;
mod dmarc;
mod dns;
mod domain;
mod domain_text;
pub mod http;
mod message;
mod mta_sts;
mod output;
mod probe;
mod probe_text;
mod record;
mod reports;
mod reports_db;
mod resolve;
mod serve_dns;
mod smtp;
mod spf;
mod thread;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::error::ErrorKind;
use clap::Parser;

use args::{Cli, Command};

/// An error that ends the command: printed as one line, exit code 2.
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(error: E) -> Self {
        CliError(error.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    let outcome = match cli.command {
        Command::Message(args) => message::run(&args),
        Command::Dns(args) => dns::run(&args),
        Command::Dmarc(args) => dmarc::run(&args),
        Command::MtaSts(args) => mta_sts::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Domain(args) => domain::run(&args),
        Command::ServeDns(args) => serve_dns::run(&args),
        Command::Spf(args) => spf::run(&args),
        Command::Probe(args) => probe::run(&args),
        Command::Reports(args) => reports::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(message)) => {
            eprintln!("mailspect: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The clock for signature time checks and `%{t}`: the core reads none, the CLI passes this.
pub fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Help and version go to stdout as usual; a usage mistake is one line on stderr and exit code 2,
/// like every other error, so scripts see one shape of failure.
fn usage_error(error: clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("mailspect: error: {first} (see mailspect --help)");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests;
