//! The entry points: `check_host()` for one identity (RFC 7208 §4.1), and the MAIL FROM and
//! HELO identities of RFC 7208 §2.3–§2.4 built on it. The evaluation itself is in `eval`.

use std::net::IpAddr;

use super::address::canonical_ip;
use super::eval::Evaluator;
use super::macros::MacroValues;
use super::{
    ExplanationSource, Identity, MessageSpf, SpfOutcome, SpfReport, SpfResult, MAX_DNS_TERMS,
    MAX_VOID_LOOKUPS,
};
use crate::dns::Resolver;
use crate::report::{Finding, Severity};

/// The explanation of a `fail` when the domain gives none (RFC 7208 §6.2 leaves it to us).
pub const DEFAULT_EXPLANATION: &str =
    "The domain's SPF record does not allow this IP address to send mail for it.";

/// What a check needs besides the identity: values only the receiver knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `%{r}`, the receiving host; "unknown" when absent.
    pub receiver: Option<String>,
    /// `%{t}`, seconds since the epoch. The core reads no clock.
    pub now: u64,
}

/// One `check_host(<ip>, <domain>, <sender>)` call as RFC 7208 §4.1 defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInput<'a> {
    pub identity: Identity,
    pub ip: IpAddr,
    pub domain: &'a str,
    /// `local-part@domain`; the local-part is `postmaster` when the sender has none.
    pub sender: &'a str,
    pub helo: Option<&'a str>,
    pub options: &'a CheckOptions,
}

/// Checks the MAIL FROM identity (RFC 7208 §2.4): the domain of `mail_from`, or when MAIL FROM
/// is empty (a bounce) `postmaster@` the HELO name. `None` when neither is available.
pub async fn check_mail_from<R: Resolver>(
    resolver: &R,
    ip: IpAddr,
    mail_from: &str,
    helo: Option<&str>,
    options: &CheckOptions,
) -> Option<SpfReport> {
    let mail_from = mail_from
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (local_part, domain) = match mail_from.rsplit_once('@') {
        _ if mail_from.is_empty() => ("postmaster", helo?),
        Some((local_part, domain)) => (local_part, domain),
        None => ("postmaster", mail_from),
    };
    // RFC 7208 §4.3: an empty local-part becomes "postmaster".
    let local_part = if local_part.is_empty() {
        "postmaster"
    } else {
        local_part
    };
    let sender = format!("{local_part}@{domain}");
    let input = CheckInput {
        identity: Identity::MailFrom,
        ip,
        domain,
        sender: &sender,
        helo,
        options,
    };
    Some(check_host(resolver, &input).await)
}

/// Checks the HELO identity (RFC 7208 §2.3): `postmaster@` the HELO name.
pub async fn check_helo<R: Resolver>(
    resolver: &R,
    ip: IpAddr,
    helo: &str,
    options: &CheckOptions,
) -> SpfReport {
    let sender = format!("postmaster@{helo}");
    let input = CheckInput {
        identity: Identity::Helo,
        ip,
        domain: helo,
        sender: &sender,
        helo: Some(helo),
        options,
    };
    check_host(resolver, &input).await
}

/// `check_host()`: the result for one identity, with the evaluation tree.
pub async fn check_host<R: Resolver>(resolver: &R, input: &CheckInput<'_>) -> SpfReport {
    let ip = canonical_ip(input.ip);
    let domain = input.domain.strip_suffix('.').unwrap_or(input.domain);
    let (local_part, sender_domain) = input
        .sender
        .rsplit_once('@')
        .unwrap_or(("postmaster", input.sender));
    let values = MacroValues {
        sender: input.sender.to_string(),
        local_part: local_part.to_string(),
        sender_domain: sender_domain
            .strip_suffix('.')
            .unwrap_or(sender_domain)
            .to_string(),
        domain: domain.to_string(),
        ip,
        helo: input.helo.unwrap_or("").to_string(),
        validated_name: None,
        receiver: input.options.receiver.clone(),
        timestamp: input.options.now,
    };
    let mut evaluator = Evaluator::new(resolver, values, false);
    let outcome = evaluator.check_host(domain.to_string()).await;
    let mut report = SpfReport {
        identity: input.identity,
        sender: input.sender.to_string(),
        domain: domain.to_string(),
        ip: input.ip,
        helo: input.helo.map(str::to_string),
        result: outcome.result,
        outcome: outcome.node.outcome,
        reason: outcome.node.reason.clone(),
        explanation: None,
        explanation_source: None,
        lookups_used: evaluator.lookups,
        lookup_limit: MAX_DNS_TERMS,
        void_lookups: evaluator.void_lookups,
        void_lookup_limit: MAX_VOID_LOOKUPS,
        decided_by: outcome.decided_by,
        trace: None,
    };
    let mut node = outcome.node;
    if outcome.result == SpfResult::Fail {
        let explanation = match outcome.explanation {
            Some((target, record_domain)) => {
                evaluator.values.domain = record_domain;
                evaluator
                    .explanation(&target, &mut node.explanation_queries)
                    .await
            }
            None => None,
        };
        report.explanation_source = Some(if explanation.is_some() {
            ExplanationSource::Record
        } else {
            ExplanationSource::Default
        });
        report.explanation = Some(explanation.unwrap_or_else(|| DEFAULT_EXPLANATION.into()));
    }
    report.trace = Some(node);
    report
}

/// The SPF part of a message report, from the SMTP envelope the analysis worked out: the MAIL
/// FROM identity (postmaster@HELO for a bounce, RFC 7208 §2.4) and, when the HELO name is
/// known, the HELO identity (§2.3). Without a connecting IP there is nothing to evaluate.
pub async fn check_envelope<R: Resolver>(
    resolver: &R,
    ip: Option<IpAddr>,
    mail_from: Option<&str>,
    helo: Option<&str>,
    options: &CheckOptions,
) -> MessageSpf {
    let Some(ip) = ip else {
        return MessageSpf {
            result: SpfResult::None,
            outcome: SpfOutcome::NoIp,
            reason: "no connecting IP address is known: the Received chain shows no border hop \
                     and none was given, so SPF was not evaluated"
                .into(),
            domain: None,
            ip: None,
            mail_from: None,
            helo: None,
        };
    };
    let helo = helo.map(str::trim).filter(|helo| !helo.is_empty());
    // The two identities are independent evaluations: their lookups go out side by side.
    let mail_from_check = async {
        match mail_from {
            Some(mail_from) => check_mail_from(resolver, ip, mail_from, helo, options).await,
            None => None,
        }
    };
    let helo_check = async {
        match helo {
            Some(helo) => Some(check_helo(resolver, ip, helo, options).await),
            None => None,
        }
    };
    let (mail_from_report, helo_report) =
        futures_util::future::join(mail_from_check, helo_check).await;
    let (result, outcome, reason, domain) = match (&mail_from_report, mail_from) {
        (Some(report), _) => (
            report.result,
            report.outcome,
            report.reason.clone(),
            Some(report.domain.clone()),
        ),
        (None, Some(_)) => (
            SpfResult::None,
            SpfOutcome::NoSender,
            "MAIL FROM is empty (a bounce) and no HELO name is known to check instead".into(),
            None,
        ),
        (None, None) => (
            SpfResult::None,
            SpfOutcome::NoSender,
            "the MAIL FROM address is not known (no Return-Path field and none was given)".into(),
            None,
        ),
    };
    MessageSpf {
        result,
        outcome,
        reason,
        domain,
        ip: Some(ip),
        mail_from: mail_from_report,
        helo: helo_report,
    }
}

/// Findings for the message report: the SPF results a reader must not miss.
pub fn message_findings(spf: &MessageSpf) -> Vec<Finding> {
    const RESULTS: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-2.6";
    let Some(report) = &spf.mail_from else {
        return Vec::new();
    };
    let (severity, code, what) = match report.result {
        SpfResult::Fail => (Severity::Error, "spf.fail", "is not allowed to send"),
        SpfResult::Softfail => (
            Severity::Warning,
            "spf.softfail",
            "is probably not allowed to send",
        ),
        SpfResult::Permerror => (
            Severity::Error,
            "spf.permerror",
            "could not be checked: the SPF record is broken",
        ),
        SpfResult::Temperror => (
            Severity::Warning,
            "spf.temperror",
            "could not be checked: DNS failed",
        ),
        _ => return Vec::new(),
    };
    vec![Finding::new(
        severity,
        code,
        format!(
            "SPF {}: {} {what} for {} ({}).",
            report.result, report.ip, report.domain, report.reason
        ),
    )
    .with_rfc(RESULTS)]
}
