//! Argument parsing and dispatch. Exit codes: 0 when the analysis ran (whatever the verdicts),
//! 2 for unusable input or arguments, with a one-line error on stderr.

mod args;
mod dns;
mod message;
mod output;
mod spf;

use std::process::ExitCode;

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
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Message(args) => message::run(&args),
        Command::Spf(args) => spf::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(message)) => {
            eprintln!("mailspect: error: {message}");
            ExitCode::from(2)
        }
    }
}
