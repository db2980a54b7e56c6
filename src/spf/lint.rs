//! Lint: what is wrong or risky in a published SPF record, each finding with its position and a
//! fix. [`lint_record`] looks at one record's text and needs no DNS; the audit adds what only
//! the lookups show (lookup counts, void lookups, includes without SPF, duplicate records).

use super::parse::parse_record;
use super::{Mechanism, Modifier, Qualifier, Record, TermKind, MAX_DNS_TERMS};
use crate::report::{quoted, Finding, Severity, Span};

pub(super) const RFC_SYNTAX: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.6";
const RFC_ALL: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-5.1";
const RFC_PTR: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-5.5";
pub(super) const RFC_LIMITS: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4";
const RFC_REDIRECT: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-6.1";
const RFC_STRINGS: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-3.3";
const RFC_SIZE: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-3.4";
const RFC_DEFAULT: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.7";

/// A finding about the record published at `domain`, with how to fix it.
pub(super) fn lint_finding(
    severity: Severity,
    code: &'static str,
    domain: &str,
    message: String,
    fix: &str,
    rfc: &'static str,
) -> Finding {
    Finding::new(severity, code, message)
        .about_record(domain)
        .with_fix(fix)
        .with_rfc(rfc)
}

/// Lints one record as published under `domain`: its TXT strings, unjoined, so that strings
/// over 255 octets (RFC 7208 §3.3) can be pointed out. A pasted record is one string.
pub fn lint_record(domain: &str, strings: &[Vec<u8>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut offset = 0;
    for string in strings {
        if string.len() > 255 {
            findings.push(
                lint_finding(
                    Severity::Error,
                    "spf.string-too-long",
                    domain,
                    format!("A string of the record is {} octets long; a DNS character-string holds at most 255.", string.len()),
                    "Split the record into several quoted strings of at most 255 octets each; they are joined with nothing between them.",
                    RFC_STRINGS,
                )
                .with_record_span(Span::new(offset, offset + string.len())),
            );
        }
        offset += string.len();
    }
    let joined = strings.concat();
    if joined.len() > 450 {
        findings.push(lint_finding(
            Severity::Warning,
            "spf.record-too-long",
            domain,
            format!("The record is {} octets long; answers over 512 octets may need TCP, which some receivers do not try.", joined.len()),
            "Move address ranges into included records, or shorten the record to under 450 octets.",
            RFC_SIZE,
        ));
    }
    match parse_record(&joined) {
        Ok(record) => findings.extend(lint_parsed(domain, &record)),
        Err(error) => findings.push(
            lint_finding(
                Severity::Error,
                "spf.syntax-error",
                domain,
                format!(
                    "The record is not valid SPF: {}. Every receiver evaluates it as permerror.",
                    error.kind
                ),
                "Correct the marked characters; the grammar is in RFC 7208 §12.",
                RFC_SYNTAX,
            )
            .with_record_span(error.span),
        ),
    }
    findings
}

/// Lints a parsed record: the choices of its publisher.
pub(super) fn lint_parsed(domain: &str, record: &Record) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut all_seen: Option<Span> = None;
    let mut dns_terms = 0;
    for (term, directive) in record.directives() {
        if let Some(all_span) = all_seen {
            findings.push(
                lint_finding(
                    Severity::Warning,
                    "spf.after-all",
                    domain,
                    format!(
                        "{} comes after \"all\" and is never evaluated.",
                        quoted(record.term_text(term))
                    ),
                    "Move the term before \"all\", or remove it.",
                    RFC_ALL,
                )
                .with_record_span(Span::new(all_span.start, term.span.end)),
            );
        }
        if directive.mechanism.queries_dns() {
            dns_terms += 1;
        }
        match &directive.mechanism {
            Mechanism::All => {
                all_seen.get_or_insert(term.span);
                match directive.qualifier {
                    Qualifier::Pass => findings.push(
                        lint_finding(
                            Severity::Error,
                            "spf.pass-all",
                            domain,
                            "\"+all\" allows every host on the Internet to send mail as this domain.".into(),
                            "End the record with \"-all\" (or \"~all\" while testing).",
                            RFC_ALL,
                        )
                        .with_record_span(term.span),
                    ),
                    Qualifier::Neutral => findings.push(
                        lint_finding(
                            Severity::Warning,
                            "spf.neutral-all",
                            domain,
                            "\"?all\" says nothing about hosts not listed, so the record protects nothing.".into(),
                            "End the record with \"-all\" (or \"~all\" while testing).",
                            RFC_ALL,
                        )
                        .with_record_span(term.span),
                    ),
                    Qualifier::Fail | Qualifier::Softfail => {}
                }
            }
            Mechanism::Ptr { .. } => findings.push(
                lint_finding(
                    Severity::Warning,
                    "spf.ptr",
                    domain,
                    "The \"ptr\" mechanism is slow, unreliable and SHOULD NOT be used (RFC 7208 §5.5); large receivers skip it.".into(),
                    "List the sending hosts with \"ip4:\"/\"ip6:\" or \"a:\" instead.",
                    RFC_PTR,
                )
                .with_record_span(term.span),
            ),
            Mechanism::Ip4 { network, prefix } if u32::from(*network) & !u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0) != 0 => {
                findings.push(host_bits(domain, term.span));
            }
            Mechanism::Ip6 { network, prefix } if u128::from(*network) & !u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0) != 0 => {
                findings.push(host_bits(domain, term.span));
            }
            _ => {}
        }
    }
    if let Some((term, _)) = record.redirect() {
        if let Some(all_span) = all_seen {
            findings.push(
                lint_finding(
                    Severity::Warning,
                    "spf.redirect-with-all",
                    domain,
                    "The record has both \"all\" and \"redirect=\"; redirect is ignored when all is present.".into(),
                    "Remove \"redirect=\", or remove \"all\" if the redirect target should decide.",
                    RFC_REDIRECT,
                )
                .with_record_span(Span::new(all_span.start.min(term.span.start), all_span.end.max(term.span.end))),
            );
        }
        dns_terms += 1;
    } else if all_seen.is_none() {
        findings.push(lint_finding(
            Severity::Warning,
            "spf.no-all",
            domain,
            "The record ends without \"all\" or \"redirect=\", so hosts not listed get neutral."
                .into(),
            "End the record with \"-all\" (or \"~all\" while testing).",
            RFC_DEFAULT,
        ));
    }
    if dns_terms > MAX_DNS_TERMS {
        findings.push(lint_finding(
            Severity::Error,
            "spf.too-many-lookups",
            domain,
            format!("The record alone has {dns_terms} terms that query DNS; more than {MAX_DNS_TERMS} is permerror."),
            "Replace \"a\", \"mx\" and \"include\" terms with the \"ip4:\"/\"ip6:\" ranges they stand for.",
            RFC_LIMITS,
        ));
    }
    for term in &record.terms {
        if let TermKind::Modifier(Modifier::Unknown { name, .. }) = &term.kind {
            findings.push(
                lint_finding(
                    Severity::Info,
                    "spf.unknown-modifier",
                    domain,
                    format!("\"{name}=\" is not a modifier RFC 7208 defines; receivers ignore it."),
                    "Remove it unless a receiver you know of reads it (a misspelt \"redirect=\" or \"exp=\"?).",
                    RFC_SYNTAX,
                )
                .with_record_span(term.span),
            );
        }
    }
    findings
}

fn host_bits(domain: &str, span: Span) -> Finding {
    lint_finding(
        Severity::Info,
        "spf.cidr-host-bits",
        domain,
        "The network has bits set beyond its prefix length; they are ignored.".into(),
        "Write the network address of the range, e.g. 192.0.2.0/24 rather than 192.0.2.7/24.",
        RFC_SYNTAX,
    )
    .with_record_span(span)
}
