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
    /// Analyse a message or a header block: the verdict, the transport path, DKIM, SPF, DMARC,
    /// ARC, iprev, and the receiver's recorded results rechecked.
    Message(MessageArgs),
    /// Discover and check a domain's DMARC policy: the record that applies, its lint and the
    /// fixed record to publish, and whether external report destinations accept the reports.
    Dmarc(DmarcArgs),
    /// Audit a domain in one view: MX, SPF, DMARC, DKIM (common selectors and --selector),
    /// MTA-STS, TLS-RPT, BIMI, DANE and DNSSEC, with a grade, a plain summary and the exact
    /// record to publish for each problem.
    Domain(DomainArgs),
    /// Look up one name, as mailspect's analyses do (a small dig): the answer and its trace.
    Dns(DnsLookupArgs),
    /// Answer DNS-over-HTTPS (RFC 8484 GET and POST) from zone files, for the page and tests.
    #[command(name = "serve-dns")]
    ServeDns(ServeDnsArgs),
    /// Lint one pasted DNS record, no lookups: SPF, DMARC, a DKIM key, the MTA-STS TXT record or
    /// policy file, TLS-RPT, BIMI or TLSA. The kind is guessed when --type is not given.
    Record(RecordArgs),
    /// Check a domain's MTA-STS: the _mta-sts TXT record, the policy fetched over HTTPS, and
    /// whether it covers the domain's MX hosts.
    #[command(name = "mta-sts")]
    MtaSts(MtaStsArgs),
    /// Probe a domain's mail servers (or one host) over SMTP: STARTTLS, the TLS versions and
    /// cipher, the certificate (public roots, names, expiry, DANE, MTA-STS), AUTH before TLS,
    /// SMTPUTF8, REQUIRETLS, SIZE, PIPELINING, and with --relay-test whether it relays.
    Probe(ProbeArgs),
    /// Evaluate SPF for an IP address (`--ip` with `--mail-from` and/or `--helo`), or audit a
    /// domain's SPF record: its include tree, lookup count and problems.
    Spf(SpfArgs),
    /// Read DMARC aggregate and failure reports and SMTP TLS reports (.xml, .json, .gz, .zip,
    /// .eml, mbox): who sends as your domains, classified, with the action to take.
    Reports(ReportsArgs),
}

#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// The report files; containers (gzip, zip, e-mails, mbox) are opened.
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,
    /// Print everything read as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    /// Append the reports to this SQLite file (made when missing); a report already in it
    /// (same organisation and report id) is skipped.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Print one document per record in the Elasticsearch/OpenSearch bulk format (an action
    /// line, then the document) instead of the summary.
    #[arg(long, conflicts_with = "json")]
    pub ndjson: bool,
    /// Look up the PTR names of the source IPs (through --dns) and group them by organisation.
    #[arg(long)]
    pub ptr: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct DnsLookupArgs {
    /// The name to look up, e.g. `selector._domainkey.example.com`.
    pub name: String,
    /// The record type: A, AAAA, CNAME, MX, NS, PTR, SOA, TXT, TLSA or SPF.
    #[arg(value_name = "TYPE", default_value = "A")]
    pub record_type: String,
    /// Print the lookup's trace as JSON (the same object as in a report's `dns` list).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct ServeDnsArgs {
    /// A zone file to answer from (RFC 1035 master file); may be given several times.
    #[arg(long = "zone", value_name = "PATH", required = true)]
    pub zones: Vec<PathBuf>,
    /// The address to listen on. Anything but a loopback address exposes the zone to the network.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8053")]
    pub listen: std::net::SocketAddr,
    /// Wait this long before each answer, to see how the page behaves on a slow network.
    #[arg(long = "delay-ms", value_name = "N", default_value_t = 0)]
    pub delay_ms: u64,
}

#[derive(Debug, Args)]
pub struct SpfArgs {
    /// A domain to audit (without `--ip`), or to check for `--ip` as `postmaster@DOMAIN`.
    pub domain: Option<String>,
    /// The connecting IP address to evaluate.
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<IpAddr>,
    /// The SMTP MAIL FROM address; empty (`--mail-from ''`) for a bounce, which checks
    /// postmaster@ the HELO name.
    #[arg(long = "mail-from", value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// The HELO/EHLO name; also checked as an identity of its own.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The receiving host, for `%{r}` in explanations.
    #[arg(long, value_name = "NAME")]
    pub receiver: Option<String>,
    /// Print the result as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
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
    /// An ARC sealer (the `d=` of its ARC-Seal) whose recorded results you trust, as a
    /// receiver's local policy would (RFC 8617 §7.2); may be given several times.
    #[arg(long = "trust-arc-sealer", value_name = "DOMAIN")]
    pub trusted_arc_sealers: Vec<String>,
    /// Mask the recipients' local parts, the receiving side's host names and IP addresses and
    /// the message identifiers, so that the report can be shared (with --json).
    #[arg(long, requires = "json")]
    pub redact: bool,
    /// Check S/MIME signers' certificates against the root certificates of this PEM file;
    /// without it, trust is reported as not checked.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Verify OpenPGP signatures with the public keys of this file (armored); may be given
    /// several times.
    #[arg(long = "openpgp-key", value_name = "FILE")]
    pub openpgp_keys: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DmarcArgs {
    /// The domain whose DMARC policy to discover and check.
    pub domain: String,
    /// Print the audit as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct DomainArgs {
    /// The domain to audit, e.g. `example.com` (an internationalised name is accepted).
    pub name: String,
    /// A DKIM selector to probe beside the common ones (the `s=` of a DKIM-Signature in mail
    /// the domain sent); may be given several times.
    #[arg(long = "selector", value_name = "S")]
    pub selectors: Vec<String>,
    /// Read the MTA-STS policy from this file instead of fetching it (a draft, or a policy
    /// saved from the server); with DNS from zone files nothing is fetched without it.
    #[arg(long = "mta-sts-policy", value_name = "FILE")]
    pub mta_sts_policy: Option<PathBuf>,
    #[command(flatten)]
    pub https: HttpsArgs,
    /// Print the audit as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    /// Also probe the MX hosts over SMTP (as `mailspect probe`) and grade what they answer.
    #[arg(long)]
    pub probe: bool,
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// A domain, whose MX hosts are probed in turn, or one host: `HOST:PORT`, `[IPv6]:PORT`, or
    /// an IP address.
    pub target: String,
    /// Read the domain's MTA-STS policy from this file instead of fetching it; with DNS from
    /// zone files nothing is fetched without it.
    #[arg(long = "mta-sts-policy", value_name = "FILE")]
    pub mta_sts_policy: Option<PathBuf>,
    #[command(flatten)]
    pub smtp: SmtpArgs,
    #[command(flatten)]
    pub https: HttpsArgs,
    /// Print the report as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

/// How the SMTP probe talks to a server.
#[derive(Debug, Args)]
pub struct SmtpArgs {
    /// The port: 25 (MX, the default), 587 (submission, STARTTLS) or 465 (implicit TLS);
    /// another port is taken as STARTTLS unless --tls says otherwise.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// How TLS starts: `starttls` or `implicit`; by default implicit on 465 only.
    #[arg(long, value_name = "MODE", value_parser = ["starttls", "implicit"])]
    pub tls: Option<String>,
    /// Test whether each host relays: MAIL FROM and RCPT TO at RFC 2606 example domains, no
    /// authentication, never DATA.
    #[arg(long = "relay-test")]
    pub relay_test: bool,
    /// The name to send in EHLO.
    #[arg(long, value_name = "NAME", default_value = "mailspect.invalid")]
    pub ehlo: String,
    /// Seconds to wait for a TCP connection.
    #[arg(long = "connect-timeout", value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub connect_timeout: f64,
    /// Seconds to wait for each reply (and each TLS handshake step).
    #[arg(long = "read-timeout", value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_seconds)]
    pub read_timeout: f64,
    /// Seconds one host may take in all, every connection included: a server answering a byte
    /// at a time (a tarpit) ends here.
    #[arg(long = "host-timeout", value_name = "SECONDS", default_value_t = 120.0, value_parser = parse_seconds)]
    pub host_timeout: f64,
    /// Do not open the extra connection that tries the other of TLS 1.2 and 1.3 alone.
    #[arg(long = "no-version-tests")]
    pub no_version_tests: bool,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err(format!(
            "{} is not a number of seconds between 0 and 3600",
            mailspect::report::quoted(text)
        )),
    }
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The record's text (quote it for the shell); `-` reads it from standard input, as does
    /// nothing at all. Zone-file quoted strings are joined.
    pub text: Option<String>,
    /// The kind of record, instead of guessing it from the text.
    #[arg(long = "type", value_name = "KIND", value_parser = parse_record_kind)]
    pub kind: Option<mailspect::records::RecordKind>,
    /// Print the report as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
}

fn parse_record_kind(word: &str) -> Result<mailspect::records::RecordKind, String> {
    mailspect::records::RecordKind::from_word(word).ok_or_else(|| {
        format!(
            "{} is not a record kind: use spf, dmarc, dkim, mta-sts, mta-sts-policy, tlsrpt, \
             bimi or tlsa",
            mailspect::report::quoted(word)
        )
    })
}

#[derive(Debug, Args)]
pub struct MtaStsArgs {
    /// The policy domain, e.g. `example.com`.
    pub domain: String,
    /// The domain's MX hosts, instead of looking them up; may be given several times.
    #[arg(long = "mx", value_name = "HOST")]
    pub mx_hosts: Vec<String>,
    /// Fetch the policy from this https: URL instead of
    /// https://mta-sts.DOMAIN/.well-known/mta-sts.txt (a staging server).
    #[arg(long = "policy-url", value_name = "URL")]
    pub policy_url: Option<String>,
    #[command(flatten)]
    pub https: HttpsArgs,
    /// Print the report as JSON (the stable interface for scripts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct HttpsArgs {
    /// Trust the CA certificates of this PEM file too, beside the public roots (a private CA,
    /// or a test's), for HTTPS fetches such as the MTA-STS policy.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Where DNS answers come from: `zone:PATH` (an RFC 1035 master file, offline; may be given
    /// several times) or `doh:URL` / `doh:cloudflare|google|quad9` (DNS-over-HTTPS; http:// only
    /// for loopback addresses). Default: doh:cloudflare.
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
            // A provider name or an https:// URL (http:// only for loopback): checked here so
            // that a bad URL is an argument error before anything runs.
            mailspect::dns::doh::DohConfig::from_spec(url)?;
            Ok(DnsSource::Doh(url.to_string()))
        } else {
            Err(format!(
                "{} is not a DNS source: use zone:PATH or doh:URL",
                mailspect::report::quoted(spec)
            ))
        }
    }
}
