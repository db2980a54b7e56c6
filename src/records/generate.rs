//! Generators: the record to publish next. Each is a pure function of the current record (and,
//! where a value must come from outside, of an argument: the core has no clock, so the MTA-STS
//! id is made from a time the caller gives).
//!
//! - [`next_dmarc`]: one step along `p=none` → `p=quarantine` → `p=reject` (RFC 9989 §5.5.4's
//!   gradual deployment), keeping the report addresses, `t=y`/`pct=` taken to full effect first.
//! - [`next_spf`]: one step along `?all`/`+all`/no `all` → `~all` → `-all`, `ptr` removed.
//! - [`mta_sts_policy`], [`mta_sts_txt`], [`tls_rpt`]: starter records.
//!
//! What a generator cannot decide (which hosts a `ptr` stood for, whose mailbox receives the
//! reports) is listed in the suggestion's `manual` steps, and text the owner must replace is
//! listed in `placeholders`.

use serde::Serialize;

use super::mta_sts::StsMode;
use crate::dmarc::{self, Policy, ReportUri};
use crate::report::Span;
use crate::spf::{self, Mechanism, Qualifier, TermKind};

/// A generated record and how it came about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Suggestion {
    /// The record to publish next; `null` when the current one is already the last step, or
    /// cannot be read.
    pub record: Option<String>,
    /// What changed from the current record, one sentence each.
    pub changes: Vec<String>,
    /// What the generator could not do and the owner must, one sentence each.
    pub manual: Vec<String>,
    /// Text in `record` that is a placeholder and must be replaced before publishing.
    pub placeholders: Vec<String>,
}

/// The placeholder mailbox for reports, at `domain` when it is known.
fn report_mailbox(local: &str, domain: Option<&str>) -> String {
    let domain = domain
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| {
            !d.is_empty() && !d.contains(|c: char| c.is_whitespace() || c == '@' || c == ';')
        })
        .unwrap_or_else(|| "example.com".to_string());
    format!("{local}@{domain}")
}

/// The DMARC record to publish after `current` (the text at `_dmarc.<domain>`; `domain`, when
/// given, fills the placeholder report address).
pub fn next_dmarc(current: &str, domain: Option<&str>) -> Suggestion {
    let mut suggestion = Suggestion {
        record: None,
        changes: Vec::new(),
        manual: Vec::new(),
        placeholders: Vec::new(),
    };
    let Ok(record) = dmarc::parse_record(current.trim()) else {
        let mailbox = report_mailbox("dmarc-reports", domain);
        suggestion.record = Some(format!("v=DMARC1; p=none; rua=mailto:{mailbox}"));
        suggestion
            .changes
            .push("A starting record: p=none monitors without changing delivery, and rua= asks for the aggregate reports that show who sends as the domain.".into());
        suggestion.manual.push(format!(
            "Replace {mailbox} with a mailbox that receives the reports (or a DMARC report service's address)."
        ));
        suggestion.placeholders.push(mailbox);
        return suggestion;
    };
    let mut next = record.clone();
    let policy = record.policy.as_ref().map_or(Policy::None, |p| p.value);
    let partial = record.testing.as_ref().is_some_and(|t| t.value)
        || record.percent.as_ref().is_some_and(|p| p.value < 100);
    let set_policy = |next: &mut dmarc::Record, policy: Policy| {
        next.policy = Some(dmarc::Tagged {
            value: policy,
            record_span: Span::default(),
        });
    };
    next.percent = None;
    next.testing = None;
    match (policy, partial) {
        (Policy::None, _) => {
            set_policy(&mut next, Policy::Quarantine);
            suggestion.changes.push("p=none → p=quarantine: mail that fails DMARC goes to the spam folder instead of the inbox.".into());
        }
        (strict, true) => {
            set_policy(&mut next, strict);
            suggestion.changes.push(format!(
                "t=y/pct= removed: p={} takes full effect on all failing mail.",
                strict.word()
            ));
        }
        (Policy::Quarantine, false) => {
            set_policy(&mut next, Policy::Reject);
            suggestion
                .changes
                .push("p=quarantine → p=reject: mail that fails DMARC is refused outright.".into());
        }
        (Policy::Reject, false) => {
            suggestion
                .changes
                .push("p=reject is the strongest policy; there is no next step.".into());
        }
    }
    if let Some(sp) = &record.subdomain_policy {
        if sp.value == Policy::None && policy != Policy::None {
            suggestion.manual.push("sp=none leaves subdomains unprotected; remove it (subdomains then follow p=) once they are covered.".into());
        }
    }
    if !record.has_valid_rua() {
        let mailbox = report_mailbox("dmarc-reports", domain);
        next.aggregate_uris = vec![ReportUri {
            uri: format!("mailto:{mailbox}"),
            domain: None,
            max_size: None,
            valid: true,
            problem: None,
            record_span: Span::default(),
        }];
        suggestion.changes.push(format!("rua=mailto:{mailbox} added: without aggregate reports the effect of the stricter policy cannot be seen."));
        suggestion.manual.push(format!(
            "Replace {mailbox} with a mailbox that receives the reports."
        ));
        suggestion.placeholders.push(mailbox);
    }
    let text = dmarc::lint::fixed_record(&next);
    if text != dmarc::lint::fixed_record(&record) || !suggestion.placeholders.is_empty() {
        suggestion.manual.push("Publish it only once the aggregate reports show that all of the domain's legitimate mail passes DMARC (aligned SPF or DKIM); watch them for a few weeks after.".into());
        suggestion.record = Some(text);
    }
    suggestion
}

/// The SPF record to publish after `current`.
pub fn next_spf(current: &str) -> Suggestion {
    let mut suggestion = Suggestion {
        record: None,
        changes: Vec::new(),
        manual: Vec::new(),
        placeholders: Vec::new(),
    };
    let record = match spf::parse_record(current.trim().as_bytes()) {
        Ok(record) => record,
        Err(error) => {
            suggestion.manual.push(format!(
                "The record does not parse ({} at bytes {}..{}); correct it first, no step can be generated from it.",
                error.kind, error.span.start, error.span.end
            ));
            return suggestion;
        }
    };
    let mut terms: Vec<String> = Vec::new();
    let mut all: Option<Qualifier> = None;
    for term in &record.terms {
        let text = record.term_text(term).to_string();
        match &term.kind {
            TermKind::Directive(_) if all.is_some() => {
                suggestion.changes.push(format!(
                    "\"{text}\" removed: it came after \"all\" and was never evaluated."
                ));
                suggestion.manual.push(format!("If the hosts of \"{text}\" send the domain's mail, add it back before \"all\"."));
            }
            TermKind::Directive(directive) => match directive.mechanism {
                Mechanism::All => all = Some(directive.qualifier),
                Mechanism::Ptr { .. } => {
                    suggestion.changes.push(format!("\"{text}\" removed: ptr is slow and unreliable, and large receivers ignore it (RFC 7208 §5.5)."));
                    suggestion.manual.push("List the hosts the ptr term stood for with ip4:/ip6: (or a:) terms: which they are cannot be worked out from the record.".into());
                }
                _ => terms.push(text),
            },
            TermKind::Modifier(_) => terms.push(text),
        }
    }
    let has_redirect = record.redirect().is_some();
    let next_all = match all {
        Some(Qualifier::Fail) => None,
        Some(Qualifier::Softfail) => {
            suggestion.changes.push(
                "~all → -all: mail from hosts not listed fails SPF instead of soft-failing.".into(),
            );
            suggestion.manual.push("Make the change only once DMARC reports show every legitimate sender passes SPF or DKIM.".into());
            Some("-all")
        }
        Some(qualifier) => {
            suggestion.changes.push(format!(
                "{}all → ~all: hosts not listed soft-fail instead of {}.",
                qualifier.symbol(),
                if qualifier == Qualifier::Pass {
                    "passing"
                } else {
                    "getting neutral"
                }
            ));
            Some("~all")
        }
        None if has_redirect => None,
        None => {
            suggestion.changes.push(
                "~all added: without \"all\" hosts not listed get neutral, which protects nothing."
                    .into(),
            );
            Some("~all")
        }
    };
    let end = next_all.map(str::to_string).or_else(|| {
        all.map(|qualifier| match qualifier {
            Qualifier::Pass => "+all".to_string(),
            other => format!("{}all", other.symbol()),
        })
    });
    if suggestion.changes.is_empty() {
        suggestion.changes.push(if has_redirect {
            "The record hands the decision to its redirect= target; check that record instead."
                .to_string()
        } else {
            "The record already ends with -all; there is no next step.".to_string()
        });
        return suggestion;
    }
    // A redirect= is ignored when "all" is present (RFC 7208 §6.1): keep it where it was, and
    // put "all" last.
    let mut words = vec!["v=spf1".to_string()];
    words.extend(terms);
    words.extend(end);
    suggestion.record = Some(words.join(" "));
    suggestion
}

/// A starter MTA-STS policy file (RFC 8461 §3.2), with CRLF line ends as the RFC's example.
pub fn mta_sts_policy(mode: StsMode, mx_hosts: &[String], max_age: u64) -> String {
    let mut text = format!("version: STSv1\r\nmode: {}\r\n", mode.word());
    for host in mx_hosts {
        text.push_str(&format!("mx: {}\r\n", host.trim().trim_end_matches('.')));
    }
    text.push_str(&format!("max_age: {max_age}\r\n"));
    text
}

/// An MTA-STS id from a time in seconds since the Unix epoch: `YYYYMMDDhhmmssZ`, the form of
/// RFC 8461's example (`id=20160831085700Z`), so it grows with each change.
pub fn mta_sts_id(unix_seconds: u64) -> String {
    let days = unix_seconds / 86_400;
    let seconds = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The `_mta-sts` TXT record for a policy published at `unix_seconds`.
pub fn mta_sts_txt(unix_seconds: u64) -> String {
    format!("v=STSv1; id={};", mta_sts_id(unix_seconds))
}

/// The `_smtp._tls` TXT record (RFC 8460 §3) sending reports to `destination`: an email address
/// (made a `mailto:` URI) or an `https:` URL.
pub fn tls_rpt(destination: &str) -> Result<String, String> {
    let destination = destination.trim();
    let uri = if destination.to_ascii_lowercase().starts_with("https://")
        || destination.to_ascii_lowercase().starts_with("mailto:")
    {
        destination.to_string()
    } else if destination.contains('@') {
        format!("mailto:{destination}")
    } else {
        return Err(format!(
            "{} is neither an email address nor an https: URL",
            crate::report::quoted(destination)
        ));
    };
    let record = format!("v=TLSRPTv1; rua={uri}");
    match super::tls_rpt::parse(&record) {
        Ok(_) => Ok(record),
        Err(findings) => Err(findings.first().map_or_else(
            || "the address is not usable".to_string(),
            |f| f.message.clone(),
        )),
    }
}
