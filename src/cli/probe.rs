//! `mailspect probe TARGET`: the SMTP probe of a domain's MX hosts, or of one host. The DNS
//! side (MX hosts and addresses, TLSA, the MTA-STS policy) is the domain audit's; the sockets
//! are [`super::smtp`]'s.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use mailspect::commands::ProbeReportOutput;
use mailspect::domain::{DomainAudit, DomainOptions, MxKind};
use mailspect::probe::plan::{host_target, targets_from_audit};
use mailspect::probe::{probe_targets, ProbeOptions, ProbeReport, ProbeTarget, TlsMode};
use mailspect::report::quoted;

use super::args::{ProbeArgs, SmtpArgs};
use super::domain::audit_with_policy;
use super::resolve::resolver;
use super::smtp::{Limits, SocketTransport};
use super::{output, probe_text, CliError};

/// What the target names.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Domain(String),
    Host { host: String, port: Option<u16> },
}

/// `HOST:PORT`, `[IPv6]:PORT`, `[IPv6]`, a bare IP address, or a domain.
fn parse_target(text: &str) -> Result<Target, CliError> {
    let text = text.trim();
    let bad_port = |port: &str| {
        CliError(format!(
            "{} is not a port number (in {})",
            quoted(port),
            quoted(text)
        ))
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (address, after) = rest.split_once(']').ok_or_else(|| {
            CliError(format!(
                "{}: an IPv6 address in brackets needs its ]",
                quoted(text)
            ))
        })?;
        address
            .parse::<IpAddr>()
            .map_err(|_| CliError(format!("{} is not an IP address", quoted(address))))?;
        let port = match after {
            "" => None,
            _ => {
                let port = after.strip_prefix(':').ok_or_else(|| bad_port(after))?;
                Some(port.parse().map_err(|_| bad_port(port))?)
            }
        };
        return Ok(Target::Host {
            host: address.to_string(),
            port,
        });
    }
    if text.parse::<IpAddr>().is_ok() {
        return Ok(Target::Host {
            host: text.to_string(),
            port: None,
        });
    }
    match text.rsplit_once(':') {
        Some((host, port)) => Ok(Target::Host {
            host: host.to_string(),
            port: Some(port.parse().map_err(|_| bad_port(port))?),
        }),
        None => Ok(Target::Domain(text.to_string())),
    }
}

fn options(smtp: &SmtpArgs, port: u16) -> ProbeOptions {
    let tls_mode = match smtp.tls.as_deref() {
        Some("implicit") => TlsMode::Implicit,
        Some(_) => TlsMode::Starttls,
        None => TlsMode::for_port(port),
    };
    let millis = |seconds: f64| (seconds * 1000.0) as u64;
    ProbeOptions {
        port,
        tls_mode,
        ehlo_name: smtp.ehlo.clone(),
        relay_test: smtp.relay_test,
        version_tests: !smtp.no_version_tests,
        connect_timeout_ms: millis(smtp.connect_timeout),
        read_timeout_ms: millis(smtp.read_timeout),
        host_timeout_ms: millis(smtp.host_timeout),
    }
}

fn run_probe(
    target: &str,
    domain: Option<String>,
    targets: &[ProbeTarget],
    options: &ProbeOptions,
    ca_file: Option<&Path>,
) -> Result<ProbeReport, CliError> {
    if options.ehlo_name.is_empty()
        || options
            .ehlo_name
            .bytes()
            .any(|byte| !byte.is_ascii_graphic())
    {
        return Err(CliError(format!(
            "--ehlo {}: a name without spaces or controls",
            quoted(&options.ehlo_name)
        )));
    }
    let limits = Limits {
        connect: Duration::from_millis(options.connect_timeout_ms),
        read: Duration::from_millis(options.read_timeout_ms),
        host: Duration::from_millis(options.host_timeout_ms),
    };
    let transport = SocketTransport::new(limits, ca_file)?;
    Ok(probe_targets(&transport, target, domain, targets, options))
}

/// The probe of an audited domain's MX hosts (`mailspect domain NAME --probe`, and
/// `mailspect probe DOMAIN`).
pub fn probe_audit(
    target: &str,
    audit: &DomainAudit,
    smtp: &SmtpArgs,
    ca_file: Option<&Path>,
) -> Result<ProbeReport, CliError> {
    let options = options(smtp, smtp.port.unwrap_or(25));
    if audit.mx.kind == MxKind::NullMx {
        let mut report = run_probe(target, Some(audit.domain.clone()), &[], &options, ca_file)?;
        report.error = Some(format!(
            "{} accepts no mail (null MX): there is no mail host to probe",
            audit.domain
        ));
        return Ok(report);
    }
    run_probe(
        target,
        Some(audit.domain.clone()),
        &targets_from_audit(audit),
        &options,
        ca_file,
    )
}

/// Exit code 0 whatever the servers answer (an unreachable host is a finding); 2 for unusable
/// arguments.
pub fn run(args: &ProbeArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let ca_file = args.https.ca_file.as_deref();
    let report = match parse_target(&args.target)? {
        Target::Domain(name) => {
            let audit = audit_with_policy(
                &name,
                &DomainOptions::default(),
                args.mta_sts_policy.as_deref(),
                ca_file,
                &resolver,
            )?;
            probe_audit(&args.target, &audit, &args.smtp, ca_file)?
        }
        Target::Host { host, port } => {
            let port = match (port, args.smtp.port) {
                (Some(_), Some(_)) => {
                    return Err(CliError(
                        "give the port once: in the target or with --port".into(),
                    ))
                }
                (Some(port), None) | (None, Some(port)) => port,
                (None, None) => 25,
            };
            let target = pollster::block_on(host_target(&host, &resolver));
            run_probe(
                &args.target,
                None,
                &[target],
                &options(&args.smtp, port),
                ca_file,
            )?
        }
    };
    if args.json {
        return output::print_json(&ProbeReportOutput::new(report));
    }
    output::print_text(probe_text::report(&report))
}

#[cfg(test)]
mod tests {
    use super::{parse_target, Target};

    #[test]
    fn targets_are_told_apart() {
        let host = |host: &str, port| Target::Host {
            host: host.into(),
            port,
        };
        assert_eq!(
            parse_target("example.com").ok(),
            Some(Target::Domain("example.com".into()))
        );
        assert_eq!(
            parse_target("mx.example.com:2525").ok(),
            Some(host("mx.example.com", Some(2525)))
        );
        assert_eq!(
            parse_target("192.0.2.1").ok(),
            Some(host("192.0.2.1", None))
        );
        assert_eq!(
            parse_target("[2001:db8::1]:587").ok(),
            Some(host("2001:db8::1", Some(587)))
        );
        assert_eq!(
            parse_target("2001:db8::1").ok(),
            Some(host("2001:db8::1", None))
        );
        assert!(parse_target("mx.example.com:smtp").is_err());
        assert!(parse_target("[2001:db8::1").is_err());
        assert!(parse_target("mx.example.com:99999").is_err());
    }
}
