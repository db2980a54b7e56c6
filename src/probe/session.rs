//! The conversation with one host, step by step: connect, banner, EHLO, STARTTLS and the
//! handshake, EHLO again, the relay test when asked, QUIT; then each TLS version alone on a
//! connection of its own. Every step runs once: a reply that stops the conversation (4xx,
//! 421, 5xx, a timeout, garbage) ends it with its outcome, and nothing is retried.

use std::net::SocketAddr;

use sha2::{Digest, Sha256};

use super::dane::{dane_check, hex};
use super::ehlo::{capabilities, server_name, Capabilities};
use super::findings::{host_findings, sort_findings};
use super::reply::{read_reply, shown, Reply, ReplyError};
use super::{
    CertificateSummary, HostOutcome, HostProbe, MtaStsHostCheck, ProbeOptions, ProbeReport,
    ProbeTarget, RelayTest, RelayVerdict, SmtpConnection, SmtpTransport, TlsHandshake, TlsMode,
    TlsRequest, TlsResult, TlsVersionTest, TlsVersions, TranscriptLine, TransportErrorKind,
    MAX_ADDRESSES, MAX_HOSTS, MAX_TRANSCRIPT,
};
use crate::records::mta_sts::mx_matches;

/// Why the conversation stopped before its end.
struct Stop {
    outcome: HostOutcome,
    error: String,
}

impl Stop {
    fn new(outcome: HostOutcome, error: impl Into<String>) -> Self {
        Stop {
            outcome,
            error: error.into(),
        }
    }
}

fn stop_for(error: ReplyError, waiting_for: &str) -> Stop {
    let outcome = match &error {
        ReplyError::Transport(transport) => match transport.kind {
            TransportErrorKind::Timeout | TransportErrorKind::HostDeadline => HostOutcome::Timeout,
            _ => HostOutcome::ProtocolError,
        },
        _ => HostOutcome::ProtocolError,
    };
    Stop::new(outcome, format!("waiting for {waiting_for}: {error}"))
}

/// A connection and the transcript it writes to.
struct Session<'a, C: SmtpConnection> {
    connection: C,
    transcript: &'a mut Vec<TranscriptLine>,
}

fn note(transcript: &mut Vec<TranscriptLine>, from: &'static str, text: String) {
    if transcript.len() < MAX_TRANSCRIPT {
        transcript.push(TranscriptLine {
            from: from.to_string(),
            text,
        });
    }
}

impl<C: SmtpConnection> Session<'_, C> {
    fn reply(&mut self, waiting_for: &str) -> Result<Reply, Stop> {
        let transcript = &mut *self.transcript;
        read_reply(&mut self.connection, |raw| {
            note(transcript, "server", shown(raw))
        })
        .map_err(|error| stop_for(error, waiting_for))
    }

    fn command(&mut self, line: &str) -> Result<Reply, Stop> {
        note(self.transcript, "client", line.to_string());
        self.connection.write_line(line).map_err(|error| {
            Stop::new(
                HostOutcome::ProtocolError,
                format!("sending {line}: {}", error.detail),
            )
        })?;
        let verb = line.split([' ', ':']).next().unwrap_or(line);
        self.reply(&format!("the reply to {verb}"))
    }

    /// QUIT, politely; what the server answers no longer matters.
    fn quit(mut self) {
        let _ = self.command("QUIT");
    }

    fn start_tls(&mut self, request: &TlsRequest) -> Result<TlsHandshake, super::TransportError> {
        let result = self.connection.start_tls(request);
        let text = match &result {
            Ok(handshake) => format!(
                "TLS established: {} {}",
                handshake.version, handshake.cipher_suite
            ),
            Err(error) => format!("TLS failed: {}", error.detail),
        };
        note(self.transcript, "note", text);
        result
    }
}

/// The banner's verdict: `Ok` for 220, else why the session ends there.
fn banner_stop(banner: &Reply) -> Option<Stop> {
    let why = banner.first_line();
    match banner.code {
        220 => None,
        421 => Some(Stop::new(
            HostOutcome::ServiceUnavailable,
            format!("the banner is {why}"),
        )),
        400..=499 => Some(Stop::new(
            HostOutcome::TemporaryFailure,
            format!("the banner is {why}"),
        )),
        500..=599 => Some(Stop::new(
            HostOutcome::Refused,
            format!("the banner is {why}"),
        )),
        _ => Some(Stop::new(
            HostOutcome::ProtocolError,
            format!("the banner is {why}, not 220"),
        )),
    }
}

/// What stops the session after a command that needed a positive reply.
fn reply_stop(reply: &Reply, command: &str) -> Stop {
    let why = format!("{command} was answered {}", reply.first_line());
    match reply.code {
        421 => Stop::new(HostOutcome::ServiceUnavailable, why),
        400..=499 => Stop::new(HostOutcome::TemporaryFailure, why),
        500..=599 => Stop::new(HostOutcome::Refused, why),
        _ => Stop::new(HostOutcome::ProtocolError, why),
    }
}

/// The name the server gives itself, when it is a host name worth checking the certificate
/// against (not an address literal, not the host's own name).
fn greeting_name(banner: &Reply, host: &str) -> Option<String> {
    let name = banner.lines.first()?.split_whitespace().next()?;
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let plausible = name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && name.parse::<std::net::IpAddr>().is_err();
    (plausible && !name.eq_ignore_ascii_case(host.trim_end_matches('.'))).then_some(name)
}

/// RFC 2606 names outside `domain` and `host`: the relay test's sender and recipient.
fn relay_addresses(domain: Option<&str>, host: &str) -> (String, String) {
    let ours = |candidate: &str| {
        [domain.unwrap_or(""), host].iter().any(|name| {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == candidate || name.ends_with(&format!(".{candidate}"))
        })
    };
    let mut free = ["example.org", "example.net", "example.com"]
        .into_iter()
        .filter(|candidate| !ours(candidate));
    let from = free.next().unwrap_or("example.org");
    let to = free.next().unwrap_or("example.net");
    (
        format!("mailspect-relay-test@{from}"),
        format!("mailspect-relay-test@{to}"),
    )
}

/// EHLO, or HELO when EHLO is refused with 5xx (a server without extensions).
fn greet<C: SmtpConnection>(
    session: &mut Session<'_, C>,
    name: &str,
) -> Result<Capabilities, Stop> {
    let ehlo = session.command(&format!("EHLO {name}"))?;
    if ehlo.code == 250 {
        return Ok(capabilities(&ehlo));
    }
    if !ehlo.permanent() {
        return Err(reply_stop(&ehlo, "EHLO"));
    }
    let helo = session.command(&format!("HELO {name}"))?;
    if helo.code == 250 {
        Ok(Capabilities {
            server_name: server_name(&helo),
            ..Capabilities::default()
        })
    } else {
        Err(reply_stop(&helo, "HELO"))
    }
}

fn relay_test<C: SmtpConnection>(
    session: &mut Session<'_, C>,
    domain: Option<&str>,
    host: &str,
    over_tls: bool,
) -> (RelayTest, Option<Stop>) {
    let (mail_from, rcpt_to) = relay_addresses(domain, host);
    let mut test = RelayTest {
        mail_from: mail_from.clone(),
        rcpt_to: rcpt_to.clone(),
        mail_reply: None,
        rcpt_reply: None,
        verdict: RelayVerdict::Inconclusive,
        over_tls,
    };
    let mail = match session.command(&format!("MAIL FROM:<{mail_from}>")) {
        Ok(reply) => reply,
        Err(stop) => return (test, Some(stop)),
    };
    test.mail_reply = Some(mail.clone());
    if !mail.positive() {
        test.verdict = if mail.permanent() {
            RelayVerdict::Refused
        } else {
            RelayVerdict::Inconclusive
        };
        let stop = (mail.code == 421).then(|| reply_stop(&mail, "MAIL FROM"));
        return (test, stop);
    }
    let rcpt = match session.command(&format!("RCPT TO:<{rcpt_to}>")) {
        Ok(reply) => reply,
        Err(stop) => return (test, Some(stop)),
    };
    test.verdict = if rcpt.positive() {
        RelayVerdict::OpenRelay
    } else if rcpt.permanent() {
        RelayVerdict::Refused
    } else {
        RelayVerdict::Inconclusive
    };
    test.rcpt_reply = Some(rcpt.clone());
    if rcpt.code == 421 {
        return (test, Some(reply_stop(&rcpt, "RCPT TO")));
    }
    // Never DATA: the transaction is reset before QUIT.
    let stop = session.command("RSET").err();
    (test, stop)
}

fn tls_result(handshake: &TlsHandshake) -> TlsResult {
    TlsResult {
        version: handshake.version.clone(),
        cipher_suite: handshake.cipher_suite.clone(),
        certificate: handshake.verdict.clone(),
        chain: handshake
            .chain
            .iter()
            .map(|certificate| CertificateSummary {
                sha256: hex(&Sha256::digest(&certificate.der)),
                spki_sha256: hex(&Sha256::digest(&certificate.spki)),
                dns_names: certificate.dns_names.clone(),
            })
            .collect(),
    }
}

/// The main connection's conversation; fills `host` as it goes.
fn converse<C: SmtpConnection>(
    session: &mut Session<'_, C>,
    host: &mut HostProbe,
    chain: &mut Vec<super::CertificateBytes>,
    domain: Option<&str>,
    options: &ProbeOptions,
) -> Result<(), Stop> {
    let mut request = TlsRequest {
        server_name: host.host.clone(),
        also_check: None,
        versions: TlsVersions::Any,
    };
    if options.tls_mode == TlsMode::Implicit {
        match session.start_tls(&request) {
            Ok(handshake) => {
                host.tls = Some(tls_result(&handshake));
                *chain = handshake.chain;
            }
            Err(error) => {
                let stop = Stop::new(
                    HostOutcome::TlsFailed,
                    format!("the TLS handshake failed: {}", error.detail),
                );
                host.tls_error = Some(error);
                return Err(stop);
            }
        }
    }
    let banner = session.reply("the banner")?;
    host.banner = Some(banner.clone());
    if let Some(stop) = banner_stop(&banner) {
        return Err(stop);
    }
    let before = greet(session, &options.ehlo_name)?;
    let offers_starttls = before.starttls;
    host.capabilities = Some(before);
    let mut over_tls = options.tls_mode == TlsMode::Implicit;
    if options.tls_mode == TlsMode::Starttls && offers_starttls {
        let reply = session.command("STARTTLS")?;
        host.starttls_reply = Some(reply.clone());
        if reply.code == 220 {
            request.also_check = greeting_name(&banner, &host.host);
            match session.start_tls(&request) {
                Ok(handshake) => {
                    host.tls = Some(tls_result(&handshake));
                    *chain = handshake.chain;
                    over_tls = true;
                    // RFC 3207 §4.2: after TLS the client forgets what it knew and asks again.
                    host.capabilities_after_tls = Some(greet(session, &options.ehlo_name)?);
                }
                Err(error) => {
                    // The connection's state is unknown after a failed handshake: no QUIT.
                    host.tls_error = Some(error);
                    return Ok(());
                }
            }
        } else if reply.code == 421 {
            return Err(reply_stop(&reply, "STARTTLS"));
        }
    }
    if options.relay_test {
        let (test, stop) = relay_test(session, domain, &host.host, over_tls);
        host.relay = Some(test);
        if let Some(stop) = stop {
            return Err(stop);
        }
    }
    Ok(())
}

/// One TLS version alone, on a connection of its own: `Some(true)` accepted, `Some(false)`
/// refused in the handshake, `None` when the test could not get as far as the handshake.
fn version_test<T: SmtpTransport>(
    transport: &T,
    address: SocketAddr,
    host: &mut HostProbe,
    versions: TlsVersions,
    options: &ProbeOptions,
) -> (Option<bool>, Option<String>, Option<String>) {
    let connection = match transport.connect(address, false) {
        Ok(connection) => connection,
        Err(error) => return (None, None, Some(format!("not tested: {}", error.detail))),
    };
    let transcript = &mut host.transcript;
    note(
        transcript,
        "note",
        format!("connected to {address} to try {versions:?} alone"),
    );
    let mut session = Session {
        connection,
        transcript,
    };
    let request = TlsRequest {
        server_name: host.host.clone(),
        also_check: None,
        versions,
    };
    let ready = (|| -> Result<(), Stop> {
        if options.tls_mode == TlsMode::Starttls {
            let banner = session.reply("the banner")?;
            if let Some(stop) = banner_stop(&banner) {
                return Err(stop);
            }
            greet(&mut session, &options.ehlo_name)?;
            let reply = session.command("STARTTLS")?;
            if reply.code != 220 {
                return Err(reply_stop(&reply, "STARTTLS"));
            }
        }
        Ok(())
    })();
    if let Err(stop) = ready {
        return (None, None, Some(format!("not tested: {}", stop.error)));
    }
    match session.start_tls(&request) {
        Ok(handshake) => {
            if options.tls_mode == TlsMode::Implicit {
                let _ = session.reply("the banner");
            }
            session.quit();
            (Some(true), Some(handshake.cipher_suite), None)
        }
        Err(error) if error.kind == TransportErrorKind::Tls => {
            (Some(false), None, Some(error.detail))
        }
        Err(error) => (None, None, Some(format!("not tested: {}", error.detail))),
    }
}

const NOT_SPOKEN: &str = "not tested: the TLS library speaks only 1.2 and 1.3";

/// Probes one host. Never fails: every way the conversation can end is an outcome.
pub fn probe_host<T: SmtpTransport>(
    transport: &T,
    target: &ProbeTarget,
    domain: Option<&str>,
    options: &ProbeOptions,
) -> HostProbe {
    let started = transport.now_ms();
    let mut host = HostProbe {
        host: target.host.clone(),
        address: None,
        port: options.port,
        outcome: HostOutcome::Completed,
        error: None,
        banner: None,
        capabilities: None,
        capabilities_after_tls: None,
        starttls_reply: None,
        tls: None,
        tls_error: None,
        tls_versions: Vec::new(),
        dane: None,
        mta_sts: None,
        relay: None,
        elapsed_ms: 0,
        transcript: Vec::new(),
        findings: Vec::new(),
    };
    let mut chain = Vec::new();
    let mut connected = None;
    let mut failures = Vec::new();
    for (index, ip) in target.addresses.iter().take(MAX_ADDRESSES).enumerate() {
        let address = SocketAddr::new(*ip, options.port);
        match transport.connect(address, index == 0) {
            Ok(connection) => {
                note(
                    &mut host.transcript,
                    "note",
                    format!("connected to {address}"),
                );
                host.address = Some(*ip);
                connected = Some((connection, address));
                break;
            }
            Err(error) => {
                note(
                    &mut host.transcript,
                    "note",
                    format!("{address}: {}", error.detail),
                );
                failures.push(format!("{address}: {}", error.detail));
                if error.kind == TransportErrorKind::HostDeadline {
                    break;
                }
            }
        }
    }
    match connected {
        None if target.addresses.is_empty() => {
            host.outcome = HostOutcome::NoAddress;
            host.error = Some(format!("{} has no address to connect to", target.host));
        }
        None => {
            host.outcome = HostOutcome::Unreachable;
            host.error = Some(failures.join("; "));
        }
        Some((connection, address)) => {
            let mut transcript = std::mem::take(&mut host.transcript);
            let mut session = Session {
                connection,
                transcript: &mut transcript,
            };
            match converse(&mut session, &mut host, &mut chain, domain, options) {
                Ok(()) => {
                    if host.tls_error.is_none() {
                        session.quit();
                    }
                }
                Err(stop) => {
                    // A 421 closes the connection; after any other stop the server is still
                    // listening, and QUIT is the polite end (RFC 5321 §3.8). Not after a
                    // timeout or garbage: the conversation is out of step.
                    if matches!(
                        stop.outcome,
                        HostOutcome::TemporaryFailure | HostOutcome::Refused
                    ) {
                        session.quit();
                    }
                    host.outcome = stop.outcome;
                    host.error = Some(stop.error);
                }
            }
            host.transcript = transcript;
            if options.version_tests {
                versions(transport, address, &mut host, options);
            }
        }
    }
    host.dane = (!target.tlsa.is_empty() && host.tls.is_some())
        .then(|| dane_check(&target.tlsa, target.tlsa_authenticated, &chain));
    host.mta_sts = target.mta_sts.as_ref().map(|policy| MtaStsHostCheck {
        mode: policy.mode.clone(),
        matched_by: policy
            .patterns
            .iter()
            .find(|pattern| mx_matches(pattern, &target.host))
            .cloned(),
        certificate_acceptable: host.tls.as_ref().map(|tls| {
            tls.certificate.chain_valid
                && tls
                    .certificate
                    .names
                    .iter()
                    .any(|check| check.role == super::NameRole::MxHost && check.valid)
        }),
    });
    host.elapsed_ms = (transport.now_ms() - started).max(0.0) as u64;
    host.findings = host_findings(&host, target, options);
    host
}

/// The version table: 1.0 and 1.1 not tested, the negotiated version accepted, the other of
/// 1.2 and 1.3 tried alone.
fn versions<T: SmtpTransport>(
    transport: &T,
    address: SocketAddr,
    host: &mut HostProbe,
    options: &ProbeOptions,
) {
    // Without TLS on the main connection there is nothing to compare with.
    let Some(tls) = host.tls.clone() else { return };
    let mut table = vec![
        TlsVersionTest {
            version: "TLSv1.0".into(),
            accepted: None,
            cipher_suite: None,
            note: Some(NOT_SPOKEN.into()),
        },
        TlsVersionTest {
            version: "TLSv1.1".into(),
            accepted: None,
            cipher_suite: None,
            note: Some(NOT_SPOKEN.into()),
        },
    ];
    for (name, versions) in [
        ("TLSv1.2", TlsVersions::Tls12),
        ("TLSv1.3", TlsVersions::Tls13),
    ] {
        let (accepted, cipher_suite, note) = if tls.version == name {
            (Some(true), Some(tls.cipher_suite.clone()), None)
        } else {
            version_test(transport, address, host, versions, options)
        };
        table.push(TlsVersionTest {
            version: name.to_string(),
            accepted,
            cipher_suite,
            note,
        });
    }
    host.tls_versions = table;
}

/// Probes each target in turn (at most [`MAX_HOSTS`]), one connection at a time.
pub fn probe_targets<T: SmtpTransport>(
    transport: &T,
    target: &str,
    domain: Option<String>,
    targets: &[ProbeTarget],
    options: &ProbeOptions,
) -> ProbeReport {
    let hosts: Vec<HostProbe> = targets
        .iter()
        .take(MAX_HOSTS)
        .map(|one| probe_host(transport, one, domain.as_deref(), options))
        .collect();
    let mut findings: Vec<_> = hosts
        .iter()
        .flat_map(|host| host.findings.iter().cloned())
        .collect();
    sort_findings(&mut findings);
    ProbeReport {
        target: target.to_string(),
        error: targets
            .is_empty()
            .then(|| "there is no mail host to probe".to_string()),
        domain,
        options: options.clone(),
        hosts,
        findings,
    }
}
