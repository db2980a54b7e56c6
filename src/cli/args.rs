//! The command-line grammar. Flags here are an interface scripts depend on: add, don't rename.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "mailspect",
    version,
    about = "Email header and DNS-record analyser"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse a message or a header block: headers, transport path, DKIM, SPF, DMARC.
    Message(MessageArgs),
}

#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The message file (.eml, or headers as text); `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Print the report as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub envelope: EnvelopeArgs,
    /// The clock for signature time checks, in seconds since the Unix epoch.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub now: Option<u64>,
    /// Show the exact bytes each DKIM signature hashed (canonicalized headers and body).
    #[arg(long)]
    pub canonicalized: bool,
}

#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Where DNS answers come from: `zone:PATH` (an RFC 1035 master file, offline; may be given
    /// several times) or `doh:URL` (DNS-over-HTTPS).
    #[arg(long = "dns", value_name = "zone:PATH|doh:URL")]
    pub sources: Vec<DnsSource>,
}

#[derive(Debug, Args)]
pub struct EnvelopeArgs {
    /// The connecting IP address, instead of the one the Received chain shows.
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name, instead of the one the Received chain shows.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The SMTP MAIL FROM address (empty for a bounce), instead of Return-Path.
    #[arg(long = "mail-from", value_name = "ADDR")]
    pub mail_from: Option<String>,
}

/// One `--dns` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsSource {
    Zone(PathBuf),
    Doh(String),
}

impl FromStr for DnsSource {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        if let Some(path) = spec.strip_prefix("zone:") {
            if path.is_empty() {
                return Err("zone: needs a file path, as in zone:example.zone".into());
            }
            Ok(DnsSource::Zone(PathBuf::from(path)))
        } else if let Some(url) = spec.strip_prefix("doh:") {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("doh: needs an http(s) URL, not {url:?}"));
            }
            Ok(DnsSource::Doh(url.to_string()))
        } else {
            Err(format!(
                "{spec:?} is not a DNS source: use zone:PATH or doh:URL"
            ))
        }
    }
}
