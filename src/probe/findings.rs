//! The probe's findings: pure functions of what one host answered. Each says what the domain
//! owner can do, and where a standard limits it: a public MX host must keep accepting plaintext
//! mail (RFC 3207 §4), so the way to ask senders for TLS and a valid certificate is MTA-STS
//! (RFC 8461) or DANE (RFC 7672), never refusing mail without it.

use super::{
    CertificateProblemKind, HostOutcome, HostProbe, NameRole, ProbeOptions, ProbeTarget,
    RelayVerdict, TransportErrorKind,
};
use crate::report::{Finding, Severity};

const RFC_STARTTLS: &str = "https://www.rfc-editor.org/rfc/rfc3207#section-4";
const RFC_SUBMISSION_TLS: &str = "https://www.rfc-editor.org/rfc/rfc8314#section-3";
const RFC_AUTH_PLAINTEXT: &str = "https://www.rfc-editor.org/rfc/rfc4954#section-4";
const RFC_RELAY: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-3.6.2";
const RFC_REPLY_CODES: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.2";
const RFC_MTA_STS_MX: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-4.1";
const RFC_MTA_STS_CERT: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-4.2";
const RFC_DANE: &str = "https://www.rfc-editor.org/rfc/rfc7672#section-3.1";
const RFC_DANE_TLS: &str = "https://www.rfc-editor.org/rfc/rfc7672#section-2.2";
const RFC_TIMEOUTS: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.2";
const RFC_LEGACY_TLS: &str = "https://www.rfc-editor.org/rfc/rfc8996";
const RFC_TLS13: &str = "https://www.rfc-editor.org/rfc/rfc8446";

/// Every code a probe finding can have: a probe report read back from JSON
/// ([`super::read`]) may carry only these.
pub const CODES: &[&str] = &[
    "probe.auth-before-tls",
    "probe.auth-plaintext",
    "probe.certificate-expired",
    "probe.certificate-greeting-mismatch",
    "probe.certificate-invalid",
    "probe.certificate-not-yet-valid",
    "probe.certificate-untrusted",
    "probe.certificate-wrong-name",
    "probe.dane-match",
    "probe.dane-mismatch",
    "probe.dane-without-tls",
    "probe.legacy-tls-not-tested",
    "probe.mta-sts-certificate-rejected",
    "probe.mta-sts-mx-not-covered",
    "probe.no-address",
    "probe.open-relay",
    "probe.protocol-error",
    "probe.refused",
    "probe.relay-inconclusive",
    "probe.relay-refused",
    "probe.service-unavailable",
    "probe.starttls-missing",
    "probe.starttls-refused",
    "probe.temporary-failure",
    "probe.timeout",
    "probe.tls-failed",
    "probe.tls-handshake-failed",
    "probe.tls13-not-accepted",
    "probe.unreachable",
];

/// Every RFC link a probe finding can have.
pub const RFCS: &[&str] = &[
    RFC_STARTTLS,
    RFC_SUBMISSION_TLS,
    RFC_AUTH_PLAINTEXT,
    RFC_RELAY,
    RFC_REPLY_CODES,
    RFC_MTA_STS_MX,
    RFC_MTA_STS_CERT,
    RFC_DANE,
    RFC_DANE_TLS,
    RFC_TIMEOUTS,
    RFC_LEGACY_TLS,
    RFC_TLS13,
];

/// `YYYY-MM-DD` of Unix seconds: the report names the day a certificate expired.
pub fn utc_date(unix_seconds: u64) -> String {
    let (year, month, day) = crate::records::generate::civil_from_days(unix_seconds / 86_400);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Most severe first; within a severity, the order found.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
}

/// Forcing TLS on everyone is the mistake this sentence heads off.
const ASK_SENDERS: &str = "Keep accepting plaintext mail from senders that cannot do better: a \
public MX host must not require STARTTLS (RFC 3207 §4). To ask senders for TLS and a valid \
certificate, publish an MTA-STS policy in enforce mode (RFC 8461) or DNSSEC-signed TLSA records \
(DANE, RFC 7672).";

fn finding(
    host: &str,
    severity: Severity,
    code: &'static str,
    message: String,
    rfc: &'static str,
) -> Finding {
    let mut finding = Finding::new(severity, code, message).with_rfc(rfc);
    finding.domain = Some(host.to_string());
    finding
}

fn with_fix(mut finding: Finding, fix: impl Into<String>) -> Finding {
    finding.fix = Some(fix.into());
    finding
}

/// Submission (587) and implicit TLS (465) clients verify the certificate; MX senders
/// verify it only when MTA-STS or DANE asks them to.
fn certificate_severity(options: &ProbeOptions, target: &ProbeTarget) -> Severity {
    let enforced = target
        .mta_sts
        .as_ref()
        .is_some_and(|policy| policy.mode == "enforce");
    if options.port == 25 && !enforced {
        Severity::Warning
    } else {
        Severity::Error
    }
}

fn outcome_findings(host: &HostProbe) -> Option<Finding> {
    let name = &host.host;
    let error = host.error.as_deref().unwrap_or("");
    let (severity, code, message, rfc) = match host.outcome {
        HostOutcome::Completed => return None,
        HostOutcome::NoAddress => (Severity::Error, "probe.no-address", format!("{name} has no A or AAAA address: senders cannot deliver to it."), RFC_REPLY_CODES),
        HostOutcome::Unreachable => (Severity::Error, "probe.unreachable", format!("No connection to {name} on port {}: {error}. Senders queue mail for it, then bounce it.", host.port), RFC_REPLY_CODES),
        HostOutcome::Timeout => (Severity::Warning, "probe.timeout", format!("{name} did not answer in time ({error}): a slow or silent server (a tarpit) delays mail, and senders give up after their own timeouts (RFC 5321 §4.5.3.2)."), RFC_TIMEOUTS),
        HostOutcome::ServiceUnavailable => (Severity::Warning, "probe.service-unavailable", format!("{name} answered 421 (service not available) and closed the connection: {error}. Senders retry later; if it lasts, mail bounces."), RFC_REPLY_CODES),
        HostOutcome::TemporaryFailure => (Severity::Warning, "probe.temporary-failure", format!("{name} refused for now with a 4xx reply ({error}): greylisting, or a temporary problem. The probe does not retry; run it again later for a verdict."), RFC_REPLY_CODES),
        HostOutcome::Refused => (Severity::Error, "probe.refused", format!("{name} refused the session with a 5xx reply: {error}."), RFC_REPLY_CODES),
        HostOutcome::ProtocolError => (Severity::Error, "probe.protocol-error", format!("{name} broke the SMTP conversation: {error}."), RFC_REPLY_CODES),
        HostOutcome::TlsFailed => (Severity::Error, "probe.tls-failed", format!("The implicit-TLS handshake with {name} failed: {error}."), RFC_SUBMISSION_TLS),
    };
    Some(finding(name, severity, code, message, rfc))
}

fn starttls_findings(
    host: &HostProbe,
    target: &ProbeTarget,
    options: &ProbeOptions,
    findings: &mut Vec<Finding>,
) {
    let name = &host.host;
    let Some(before) = &host.capabilities else {
        return;
    };
    if !before.starttls && options.tls_mode == super::TlsMode::Starttls {
        let (severity, extra) = if target.tlsa.is_empty() {
            (Severity::Error, String::new())
        } else {
            (
                Severity::Error,
                " It has TLSA records, so DANE senders will not deliver to it at all.".to_string(),
            )
        };
        findings.push(with_fix(
            finding(name, severity, "probe.starttls-missing", format!("{name} does not offer STARTTLS: mail to it crosses the network in plaintext, readable by anyone on the path.{extra}"), RFC_STARTTLS),
            format!("Enable STARTTLS on {name} with a certificate for {name} from a public CA. {ASK_SENDERS}"),
        ));
    }
    if let Some(reply) = &host.starttls_reply {
        if reply.code != 220 {
            findings.push(finding(
                name,
                Severity::Error,
                "probe.starttls-refused",
                format!(
                    "{name} offers STARTTLS but answered it {}: senders fall back to plaintext.",
                    reply.first_line()
                ),
                RFC_STARTTLS,
            ));
        }
    }
    if let Some(error) = &host.tls_error {
        let why = if error.kind == TransportErrorKind::Tls {
            "the handshake failed"
        } else {
            "the connection failed during the handshake"
        };
        findings.push(with_fix(
            finding(name, Severity::Error, "probe.tls-handshake-failed", format!("STARTTLS on {name} did not lead to TLS ({why}: {}). Most senders then retry in plaintext; MTA-STS and DANE senders do not deliver.", error.detail), RFC_STARTTLS),
            format!("Check the TLS configuration of {name}: TLS 1.2 or 1.3, a certificate and its key that belong together."),
        ));
    }
}

fn certificate_findings(
    host: &HostProbe,
    target: &ProbeTarget,
    options: &ProbeOptions,
    findings: &mut Vec<Finding>,
) {
    let name = &host.host;
    let Some(tls) = &host.tls else { return };
    let mut severity = certificate_severity(options, target);
    // A DNSSEC-validated DANE-EE record that matches makes names, issuer and dates irrelevant
    // to DANE senders (RFC 7672 §3.1.1): for them the certificate is fine.
    let dane_ee = host.dane.as_ref().is_some_and(|dane| {
        dane.authenticated
            && dane
                .matches
                .iter()
                .any(|found| found.record.starts_with("3 "))
    });
    let consequence = if severity == Severity::Error {
        "Senders that check it (MTA-STS in enforce mode, submission clients) will not deliver."
    } else if dane_ee {
        severity = Severity::Info;
        "Its DANE-EE TLSA record matches, so DANE senders accept it (RFC 7672 §3.1.1), and senders that only encrypt opportunistically deliver too; MTA-STS senders would not."
    } else {
        "Senders that only encrypt opportunistically still deliver; MTA-STS senders would not."
    };
    let verdict = &tls.certificate;
    let (code, what) = match verdict.problem {
        None => ("", String::new()),
        Some(CertificateProblemKind::Expired) => {
            let when = verdict.not_after.map(|at| format!(" (notAfter {})", utc_date(at))).unwrap_or_default();
            ("probe.certificate-expired", format!("The certificate of {name} has expired{when}."))
        }
        Some(CertificateProblemKind::NotYetValid) => ("probe.certificate-not-yet-valid", format!("The certificate of {name} is not valid yet.")),
        Some(CertificateProblemKind::UnknownIssuer) => ("probe.certificate-untrusted", format!("The certificate of {name} is not issued by a public CA (nor by a --ca-file root), through the chain it sends.")),
        Some(CertificateProblemKind::Other) => ("probe.certificate-invalid", format!("The certificate of {name} does not verify: {}.", verdict.detail.as_deref().unwrap_or("unknown reason"))),
    };
    if !code.is_empty() {
        findings.push(with_fix(
            finding(name, severity, code, format!("{what} {consequence}"), RFC_MTA_STS_CERT),
            format!("Install on {name} a current certificate from a public CA, with its whole chain (Let's Encrypt issues them for free)."),
        ));
    }
    for check in verdict.names.iter().filter(|check| !check.valid) {
        match check.role {
            NameRole::MxHost => findings.push(with_fix(
                finding(name, severity, "probe.certificate-wrong-name", format!("The certificate of {name} is not valid for the name {}. {consequence}", check.name), RFC_MTA_STS_CERT),
                format!("Install a certificate whose subject alternative names include {}.", check.name),
            )),
            NameRole::Greeting => findings.push(finding(name, Severity::Info, "probe.certificate-greeting-mismatch", format!("The certificate of {name} is not valid for {}, the name the server gives itself in its banner; senders check the MX name, not this one.", check.name), RFC_MTA_STS_CERT)),
        }
    }
}

fn version_findings(host: &HostProbe, findings: &mut Vec<Finding>) {
    let name = &host.host;
    if host.tls.is_none() {
        return;
    }
    findings.push(finding(name, Severity::Info, "probe.legacy-tls-not-tested", format!("Whether {name} still accepts TLS 1.0 or 1.1 was not tested: the TLS library speaks only 1.2 and 1.3."), RFC_LEGACY_TLS));
    let accepted = |version: &str| {
        host.tls_versions
            .iter()
            .find(|test| test.version == version)
            .and_then(|test| test.accepted)
    };
    if accepted("TLSv1.3") == Some(false) {
        findings.push(with_fix(
            finding(
                name,
                Severity::Info,
                "probe.tls13-not-accepted",
                format!("{name} does not accept TLS 1.3."),
                RFC_TLS13,
            ),
            "Enable TLS 1.3 beside 1.2 (OpenSSL 1.1.1 and later speak it).",
        ));
    }
}

fn auth_findings(host: &HostProbe, options: &ProbeOptions, findings: &mut Vec<Finding>) {
    let name = &host.host;
    let Some(before) = &host.capabilities else {
        return;
    };
    if options.tls_mode == super::TlsMode::Implicit || before.auth.is_empty() {
        return;
    }
    let plaintext = before.plaintext_password_mechanisms();
    let (severity, code, message) = if plaintext.is_empty() {
        (Severity::Info, "probe.auth-before-tls", format!("{name} offers AUTH ({}) before STARTTLS, without mechanisms that send the password itself.", before.auth.join(" ")))
    } else {
        (Severity::Error, "probe.auth-plaintext", format!("{name} offers AUTH {} before STARTTLS: a client that takes the offer sends its password in plaintext.", plaintext.join(" ")))
    };
    findings.push(with_fix(
        finding(name, severity, code, message, RFC_AUTH_PLAINTEXT),
        format!("Offer AUTH on {name} only after STARTTLS (Postfix: smtpd_tls_auth_only = yes; Exim: auth_advertise_hosts = ${{if eq{{$tls_in_cipher}}{{}}{{}}{{*}}}}), and AUTH on the MX port not at all if users submit on 465/587."),
    ));
}

fn relay_findings(host: &HostProbe, findings: &mut Vec<Finding>) {
    let name = &host.host;
    let Some(test) = &host.relay else { return };
    let rcpt = test
        .rcpt_reply
        .as_ref()
        .or(test.mail_reply.as_ref())
        .map(|reply| reply.first_line())
        .unwrap_or_default();
    match test.verdict {
        RelayVerdict::OpenRelay => findings.push(with_fix(
            finding(name, Severity::Error, "probe.open-relay", format!("{name} is an open relay: without authentication it accepted mail from {} to {} ({rcpt}). Spammers use such servers, and blocklists list them within hours.", test.mail_from, test.rcpt_to), RFC_RELAY),
            format!("Configure {name} to accept, without authentication, only mail for its own domains (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination)."),
        )),
        RelayVerdict::Refused => findings.push(finding(name, Severity::Info, "probe.relay-refused", format!("{name} refused to relay from {} to {} ({rcpt}).", test.mail_from, test.rcpt_to), RFC_RELAY)),
        RelayVerdict::Inconclusive => findings.push(finding(name, Severity::Warning, "probe.relay-inconclusive", format!("The relay test on {name} gave no verdict: {}. A 4xx may be greylisting; run it again later.", if rcpt.is_empty() { "the conversation ended first".to_string() } else { format!("the answer was {rcpt}") }), RFC_RELAY)),
    }
}

fn dane_findings(host: &HostProbe, target: &ProbeTarget, findings: &mut Vec<Finding>) {
    let name = &host.host;
    let Some(dane) = &host.dane else {
        if !target.tlsa.is_empty() && host.tls.is_none() && host.capabilities.is_some() {
            findings.push(finding(name, Severity::Error, "probe.dane-without-tls", format!("{name} has TLSA records but TLS with it did not complete: DANE senders will not deliver to it."), RFC_DANE_TLS));
        }
        return;
    };
    if dane.usable_records == 0 {
        return;
    }
    if dane.matched {
        findings.push(finding(
            name,
            Severity::Info,
            "probe.dane-match",
            format!(
                "The certificate of {name} matches its TLSA record {}.",
                dane.matches
                    .first()
                    .map(|m| m.record.as_str())
                    .unwrap_or("")
            ),
            RFC_DANE,
        ));
    } else {
        let fix = match &dane.suggested_record {
            Some(record) => format!("Publish the TLSA record of the certificate {name} presents, _25._tcp.{name}. IN TLSA {record}, beside the old one until every server uses the new certificate; or put the old certificate back."),
            None => "Publish TLSA records for the certificate the server presents.".to_string(),
        };
        let severity = if dane.authenticated {
            Severity::Error
        } else {
            Severity::Warning
        };
        findings.push(with_fix(
            finding(name, severity, "probe.dane-mismatch", format!("The certificate of {name} matches none of its {} usable TLSA records: DANE senders will not deliver to it.", dane.usable_records), RFC_DANE),
            fix,
        ));
    }
}

fn mta_sts_findings(host: &HostProbe, findings: &mut Vec<Finding>) {
    let name = &host.host;
    let Some(check) = &host.mta_sts else { return };
    let severity = if check.mode == "enforce" {
        Severity::Error
    } else {
        Severity::Warning
    };
    if check.matched_by.is_none() {
        findings.push(with_fix(
            finding(name, severity, "probe.mta-sts-mx-not-covered", format!("{name} matches no mx: pattern of the MTA-STS policy (mode {}): senders applying it refuse to deliver there.", check.mode), RFC_MTA_STS_MX),
            format!("Add mx: {name} to the policy file and raise its id in the _mta-sts TXT record."),
        ));
    }
    if check.certificate_acceptable == Some(false) {
        findings.push(finding(name, severity, "probe.mta-sts-certificate-rejected", format!("Senders applying the MTA-STS policy (mode {}) reject the certificate of {name}: it must be PKIX-valid for the MX name.", check.mode), RFC_MTA_STS_CERT));
    }
}

/// Every finding about one host.
pub fn host_findings(
    host: &HostProbe,
    target: &ProbeTarget,
    options: &ProbeOptions,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = outcome_findings(host).into_iter().collect();
    starttls_findings(host, target, options, &mut findings);
    certificate_findings(host, target, options, &mut findings);
    version_findings(host, &mut findings);
    auth_findings(host, options, &mut findings);
    relay_findings(host, &mut findings);
    dane_findings(host, target, &mut findings);
    mta_sts_findings(host, &mut findings);
    sort_findings(&mut findings);
    findings
}
