//! Everything the CLI prints: the JSON reports and the human-readable text. Commands build their
//! report and hand it here; nothing else in the CLI writes to standard output.
//!
//! Text is built in memory and written once. A reader that closes the pipe early (`mailspect …
//! | head`) ends the command quietly with exit code 0, as ripgrep does: the output was not
//! wanted any more, which is not an error.

use std::fmt::{self, Write as _};
use std::io::Write as _;

use mailspect::analysis::MessageReport;
use mailspect::arc::ArcReport;
use mailspect::commands::SpfCheck;
use mailspect::dkim::CoverageStatus;
use mailspect::dmarc::{DmarcAudit, DmarcReport};
use mailspect::dns::{presentation, CacheUse, QueryTrace, TraceOutcome};
use mailspect::message::Mailbox;
use mailspect::report::{reveal, Finding};
use mailspect::spf::{
    DomainAudit, ExplanationSource, Identity, MessageSpf, SpfReport, TermOutcome, TraceNode,
};
use serde::Serialize;

use super::CliError;

/// Text being built for standard output.
#[derive(Default)]
pub struct Text(String);

impl Text {
    pub(super) fn line(&mut self, args: fmt::Arguments<'_>) {
        // Writing to a String cannot fail.
        let _ = self.0.write_fmt(args);
        self.0.push('\n');
    }

    pub(super) fn blank(&mut self) {
        self.0.push('\n');
    }
}

/// `line!(text, "format", args…)`: one line of output.
macro_rules! line {
    ($text:expr, $($arg:tt)*) => { $text.line(format_args!($($arg)*)) };
}
pub(super) use line;

mod e2e;
mod records;

pub use records::{mta_sts_audit, record};

/// Writes `bytes` to standard output; a closed pipe is a quiet end, not an error.
fn emit(bytes: &[u8]) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(CliError(format!("standard output: {error}"))),
    }
}

pub fn print_json<T: Serialize>(report: &T) -> Result<(), CliError> {
    let mut bytes = serde_json::to_vec_pretty(report)?;
    bytes.push(b'\n');
    emit(&bytes)
}

pub fn print_text(text: Text) -> Result<(), CliError> {
    emit(text.0.as_bytes())
}

/// Text made elsewhere (the bulk NDJSON of `mailspect reports --ndjson`), written as it is.
pub fn print_raw(text: &str) -> Result<(), CliError> {
    emit(text.as_bytes())
}

/// A value's JSON word (`kebab-case`), for showing an enum the way the report writes it.
pub(super) fn word<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(|mailbox| match (&mailbox.name, &mailbox.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn finding_line(out: &mut Text, finding: &Finding) {
    let place = match (&finding.domain, finding.record_span) {
        (Some(domain), Some(span)) => format!(" ({domain}, bytes {}..{})", span.start, span.end),
        (Some(domain), None) => format!(" ({domain})"),
        (None, Some(span)) => format!(" (bytes {}..{})", span.start, span.end),
        (None, None) => String::new(),
    };
    line!(
        out,
        "  [{}] {}{place}: {}",
        finding.severity.word(),
        finding.code,
        reveal(&finding.message)
    );
    if let Some(fix) = &finding.fix {
        line!(out, "      fix: {fix}");
    }
}

/// `mailspect message`, as text. Text that came from the message is shown with invisible and
/// bidi characters revealed (`⟨U+202E⟩`), so that what is printed is what the message holds.
pub fn message(report: &MessageReport) -> Text {
    let mut out = Text::default();
    let verdict = &report.verdict;
    line!(out, "Verdict: {}", word(verdict.status));
    line!(out, "  {}", reveal(&verdict.sentence));
    for warning in &verdict.from_domain_warnings {
        line!(out, "  ! {}", reveal(warning));
    }
    out.blank();
    let summary = &report.summary;
    line!(out, "Summary");
    let rows = [
        ("From", mailboxes(&summary.from)),
        ("To", mailboxes(&summary.to)),
        ("Reply-To", mailboxes(&summary.reply_to)),
        ("Subject", summary.subject.clone().unwrap_or_default()),
        ("Date", summary.date.clone().unwrap_or_default()),
        ("Message-ID", summary.message_id.clone().unwrap_or_default()),
    ];
    for (label, value) in rows.iter().filter(|(_, value)| !value.is_empty()) {
        line!(out, "  {label:<11} {}", reveal(value));
    }
    envelope(&mut out, report);
    hops(&mut out, report);
    results(&mut out, report);
    out.blank();
    message_spf(&mut out, &report.spf);
    out.blank();
    message_dmarc(&mut out, &report.dmarc);
    message_arc(&mut out, &report.arc);
    e2e::end_to_end(&mut out, &report.e2e);
    if let Some(iprev) = &report.iprev {
        out.blank();
        line!(
            out,
            "iprev: {} ({})",
            iprev.result.word(),
            reveal(&iprev.reason)
        );
    }
    out.blank();
    line!(
        out,
        "Bulk-sender requirements (Gmail, Yahoo){}",
        if report.bulk_sender.applies {
            ""
        } else {
            ": the message does not look like bulk mail"
        }
    );
    for item in &report.bulk_sender.items {
        line!(
            out,
            "  [{}] {}: {}",
            word(item.status),
            word(item.requirement),
            reveal(&item.evidence)
        );
    }
    out.blank();
    line!(out, "Findings ({})", report.findings.len());
    for finding in &report.findings {
        finding_line(&mut out, finding);
    }
    dkim(&mut out, report);
    comparisons(&mut out, report);
    out.blank();
    line!(out, "Headers ({})", report.headers.len());
    for header in &report.headers {
        line!(out, "  {}: {}", header.name, reveal(&header.decoded));
    }
    if !report.dns.is_empty() {
        out.blank();
        line!(out, "DNS lookups ({})", report.dns.len());
        for lookup in &report.dns {
            let outcome = match &lookup.outcome {
                TraceOutcome::Answer(answer) => format!("{} record(s)", answer.records.len()),
                TraceOutcome::Error(error) => error.to_string(),
            };
            line!(out, "  {} {}: {outcome}", lookup.name, lookup.record_type);
        }
    }
    if report.body.present {
        out.blank();
        line!(out, "Body: {} bytes", report.body.bytes);
    }
    out
}

fn envelope(out: &mut Text, report: &MessageReport) {
    let envelope = &report.envelope;
    out.blank();
    line!(out, "Envelope (from {})", word(envelope.source));
    let ip = envelope.ip.map(|ip| ip.to_string()).unwrap_or_default();
    for (label, value) in [
        ("IP", ip.as_str()),
        ("HELO", envelope.helo.as_deref().unwrap_or_default()),
        (
            "MAIL FROM",
            envelope.mail_from.as_deref().unwrap_or_default(),
        ),
    ] {
        if !value.is_empty() {
            line!(out, "  {label:<11} {}", reveal(value));
        }
    }
}

/// The path as a compact table, oldest hop first.
fn hops(out: &mut Text, report: &MessageReport) {
    if report.hops.is_empty() {
        return;
    }
    let total = report
        .transit
        .total_seconds
        .map(|seconds| format!(", {} in total", signed_duration(seconds)))
        .unwrap_or_default();
    out.blank();
    line!(
        out,
        "Path ({} hops, oldest first{total})",
        report.hops.len()
    );
    for hop in &report.hops {
        let delay = match hop.delay_seconds {
            Some(seconds) if hop.clock_skew => format!("skew {}", signed_duration(seconds)),
            Some(seconds) => format!("+{}", mailspect::received::duration(seconds)),
            None if hop.timestamp.is_none() => "no date".into(),
            None => String::new(),
        };
        let from = match (&hop.from, hop.ip) {
            (Some(name), Some(ip)) => format!("{name} [{ip}]"),
            (Some(name), None) => name.clone(),
            (None, Some(ip)) => format!("[{ip}]"),
            (None, None) => "-".into(),
        };
        let tls = hop
            .tls
            .as_ref()
            .map(|tls| {
                let mut parts: Vec<&str> = Vec::new();
                parts.extend(tls.version.as_deref());
                parts.extend(tls.cipher.as_deref());
                if tls.outdated {
                    parts.push("OUTDATED");
                }
                parts.join(" ")
            })
            .unwrap_or_default();
        let border = if hop.border { "  ← border" } else { "" };
        line!(
            out,
            "  {:>2} {:<16} {} → {}  with {}  {} {tls}{border}",
            hop.number,
            delay,
            reveal(&from),
            reveal(hop.by.as_deref().unwrap_or("-")),
            reveal(hop.with.as_deref().unwrap_or("-")),
            word(hop.transport),
        );
    }
}

fn signed_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    format!("{sign}{}", mailspect::received::duration(seconds))
}

fn results(out: &mut Text, report: &MessageReport) {
    if !report.authentication_results.is_empty() || !report.received_spf.is_empty() {
        out.blank();
        line!(out, "Authentication results written by receivers");
        for results in &report.authentication_results {
            let list: Vec<String> = results
                .results
                .iter()
                .map(|result| format!("{}={}", result.method, result.result))
                .collect();
            line!(
                out,
                "  [{}] {}: {}",
                word(results.trust),
                reveal(results.authserv_id.as_deref().unwrap_or("(no authserv-id)")),
                reveal(&list.join(" "))
            );
        }
        for spf in &report.received_spf {
            line!(
                out,
                "  [{}] Received-SPF: {} {}",
                word(spf.trust),
                reveal(&spf.result),
                reveal(spf.value("client-ip").unwrap_or_default())
            );
        }
    }
    if !report.vendor_verdicts.is_empty() {
        out.blank();
        line!(out, "Vendor verdicts");
        for verdict in &report.vendor_verdicts {
            line!(
                out,
                "  [{}] {}: {}",
                word(verdict.trust),
                verdict.header,
                reveal(verdict.summary.as_deref().unwrap_or(&verdict.raw))
            );
        }
    }
}

fn dkim(out: &mut Text, report: &MessageReport) {
    if report.dkim.is_empty() {
        return;
    }
    out.blank();
    line!(out, "DKIM ({})", report.dkim.len());
    for signature in &report.dkim {
        line!(
            out,
            "  {} d={} s={} a={}: {}",
            signature.result,
            reveal(&signature.domain),
            reveal(&signature.selector),
            reveal(&signature.algorithm),
            reveal(&signature.reason)
        );
        if let Some(key) = &signature.key {
            let key_type = key.key_type.map_or("?", |key_type| key_type.name());
            let bits = key
                .bits
                .map_or_else(|| "?".to_string(), |bits| bits.to_string());
            let dnssec = if key.authenticated {
                ", DNSSEC-validated"
            } else {
                ""
            };
            line!(
                out,
                "    key {key_type} {bits} bits at {} (TTL {}{dnssec})",
                key.name,
                key.ttl
            );
        }
        if !signature.signed_headers.is_empty() {
            line!(
                out,
                "    signed: {}",
                reveal(&signature.signed_headers.join(":"))
            );
        }
        for coverage in &signature.header_coverage {
            let note = match coverage.status {
                CoverageStatus::OverSigned => continue,
                CoverageStatus::SignedNotOverSigned => {
                    "signed, but a second copy could be added above"
                }
                CoverageStatus::NotSigned => "present but not (all copies) signed",
                CoverageStatus::AbsentNotSigned => "absent and not signed: one could be added",
            };
            line!(out, "    {}: {note}", coverage.name);
        }
        for finding in &signature.findings {
            line!(
                out,
                "    {}: {}",
                finding.severity.word(),
                reveal(&finding.message)
            );
        }
        if let Some(canonicalized) = &signature.canonicalized {
            // Debug formatting shows CR, LF and tabs as escapes: the point is to see every byte.
            line!(out, "    hashed headers: {:?}", canonicalized.headers);
            if let Some(body) = &canonicalized.body {
                line!(out, "    hashed body: {body:?}");
            }
        }
    }
}

fn comparisons(out: &mut Text, report: &MessageReport) {
    if report.comparisons.is_empty() {
        return;
    }
    out.blank();
    line!(out, "Receiver's results, rechecked");
    for comparison in &report.comparisons {
        line!(
            out,
            "  {} {}: recorded {} by {}, mailspect {} ({}). {}",
            comparison.method.name(),
            reveal(&comparison.subject),
            reveal(&comparison.recorded_text),
            reveal(comparison.recorded_by.as_deref().unwrap_or("the receiver")),
            comparison.recomputed.map_or("-", |result| result.word()),
            word(comparison.agreement),
            comparison.note
        );
    }
}

/// The DMARC section of the message report.
fn message_dmarc(out: &mut Text, dmarc: &DmarcReport) {
    line!(
        out,
        "DMARC: {} ({})",
        word(dmarc.result),
        reveal(&dmarc.reason)
    );
    if let Some(domain) = &dmarc.domain {
        let org = match (&dmarc.org_domain, &dmarc.org_domain_psl) {
            (Some(walk), Some(psl)) if walk != psl => {
                format!(
                    "{walk} by the RFC 9989 tree walk, {psl} by the Public Suffix List (RFC 7489)"
                )
            }
            (Some(walk), _) => walk.clone(),
            (None, Some(psl)) => format!("{psl} (Public Suffix List; the tree walk failed)"),
            (None, None) => "unknown".into(),
        };
        line!(out, "  From domain  {domain}, organisational domain {org}");
    }
    if let (Some(record), Some(record_domain)) = (&dmarc.record, &dmarc.record_domain) {
        line!(
            out,
            "  Record       _dmarc.{record_domain}: {}",
            reveal(&record.text)
        );
    }
    if let Some(policy) = &dmarc.policy {
        line!(
            out,
            "  Policy       {} ({}); disposition {}",
            word(policy.requested),
            reveal(&policy.reason),
            word(dmarc.disposition)
        );
    }
    for check in dmarc.spf.iter().chain(dmarc.dkim.iter()) {
        line!(
            out,
            "  {:<12} {} {}: {}",
            check.mechanism.name(),
            word(check.result),
            reveal(check.identifier.as_deref().unwrap_or("-")),
            reveal(&check.reason)
        );
    }
}

/// The ARC section of the message report.
fn message_arc(out: &mut Text, arc: &ArcReport) {
    if arc.instances.is_empty() {
        return;
    }
    out.blank();
    line!(out, "ARC: {} ({})", word(arc.result), reveal(&arc.reason));
    for instance in &arc.instances {
        let results = instance
            .authentication_results
            .as_ref()
            .map(|results| {
                results
                    .results
                    .iter()
                    .map(|result| format!("{}={}", result.method, result.result))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        line!(
            out,
            "  i={} sealed by {} (cv={}, seal {}, message signature {}): {}",
            instance.instance,
            reveal(instance.sealer.as_deref().unwrap_or("?")),
            instance.cv.map_or_else(|| "?".to_string(), word),
            instance
                .seal
                .as_ref()
                .map_or_else(|| "missing".to_string(), |seal| word(seal.result)),
            instance
                .message_signature
                .as_ref()
                .map_or_else(|| "missing".to_string(), |signature| word(signature.result)),
            reveal(&results)
        );
    }
}

/// `mailspect dmarc DOMAIN`, as text.
pub fn dmarc_audit(audit: &DmarcAudit) -> Text {
    let mut out = Text::default();
    line!(out, "DMARC audit of {}", reveal(&audit.domain));
    if let Some(error) = &audit.error {
        line!(out, "  {}", reveal(&error.message));
    }
    match (&audit.record, &audit.record_domain) {
        (Some(record), Some(record_domain)) => {
            line!(
                out,
                "  Record       _dmarc.{record_domain}: {}",
                reveal(&record.text)
            );
        }
        _ => line!(out, "  Record       none applies"),
    }
    if let Some(discovery) = &audit.discovery {
        line!(
            out,
            "  Organisational domain  {} (RFC 9989 tree walk), {} (RFC 7489 Public Suffix List)",
            discovery.org_domain.as_deref().unwrap_or("undetermined"),
            discovery.org_domain_psl
        );
    }
    for lint in &audit.lint {
        if let Some(fixed) = &lint.fixed_record {
            line!(out, "  Publish      {}", reveal(fixed));
        }
    }
    for destination in &audit.destinations {
        line!(
            out,
            "  {}={}: {} ({})",
            destination.tag.name(),
            reveal(&destination.uri),
            word(destination.authorization),
            reveal(&destination.reason)
        );
    }
    let findings: Vec<&Finding> = audit
        .lint
        .iter()
        .flat_map(|lint| lint.findings.iter())
        .chain(audit.findings.iter())
        .collect();
    out.blank();
    line!(out, "Findings ({})", findings.len());
    for finding in findings {
        finding_line(&mut out, finding);
    }
    out
}

/// The SPF section of the message report.
fn message_spf(out: &mut Text, spf: &MessageSpf) {
    line!(out, "SPF: {} ({})", spf.result, reveal(&spf.reason));
    for report in spf.mail_from.iter().chain(spf.helo.iter()) {
        out.blank();
        spf_report(out, report);
    }
}

/// `mailspect spf --ip`, as text.
pub fn spf_check(check: &SpfCheck) -> Text {
    let mut out = Text::default();
    spf_report(&mut out, &check.check);
    if let Some(helo_check) = &check.helo_check {
        out.blank();
        spf_report(&mut out, helo_check);
    }
    out
}

fn spf_report(out: &mut Text, report: &SpfReport) {
    let identity = match report.identity {
        Identity::MailFrom => "MAIL FROM",
        Identity::Helo => "HELO",
    };
    line!(
        out,
        "SPF check of {identity} {} from {}",
        reveal(&report.sender),
        report.ip
    );
    line!(
        out,
        "  Result       {} ({})",
        report.result,
        word(report.outcome)
    );
    line!(out, "  Why          {}", reveal(&report.reason));
    if let Some(explanation) = &report.explanation {
        let source = match report.explanation_source {
            Some(ExplanationSource::Record) => "the domain's exp= text",
            _ => "default",
        };
        line!(out, "  Explanation  {} ({source})", reveal(explanation));
    }
    line!(
        out,
        "  Lookups      {} of {} DNS lookups, {} of {} void lookups",
        report.lookups_used,
        report.lookup_limit,
        report.void_lookups,
        report.void_lookup_limit
    );
    if let Some(decided) = &report.decided_by {
        line!(
            out,
            "  Decided by   \"{}\" in {} (via {})",
            reveal(&decided.term),
            decided.domain,
            decided.path.join(" → ")
        );
    }
    if let Some(trace) = &report.trace {
        line!(out, "  Evaluation");
        spf_node(out, trace, 2, report.lookup_limit, report.void_lookup_limit);
    }
}

/// `mailspect spf DOMAIN`, as text.
pub fn spf_audit(audit: &DomainAudit) -> Text {
    let mut out = Text::default();
    line!(out, "SPF audit of {}", audit.domain);
    if let Some(record) = &audit.record {
        line!(out, "  Record       {}", reveal(record));
    }
    line!(
        out,
        "  Unlisted host gets {}: {}",
        audit.result,
        reveal(&audit.reason)
    );
    line!(
        out,
        "  Lookups      {} of {} DNS lookups used, {} of {} void lookups",
        audit.lookups_used,
        audit.lookup_limit,
        audit.void_lookups,
        audit.void_lookup_limit
    );
    line!(out, "  Include tree");
    spf_node(
        &mut out,
        &audit.trace,
        2,
        audit.lookup_limit,
        audit.void_lookup_limit,
    );
    out.blank();
    line!(out, "Findings ({})", audit.findings.len());
    for finding in &audit.findings {
        finding_line(&mut out, finding);
    }
    out
}

/// One `check_host()` of the tree, its terms indented below it.
fn spf_node(out: &mut Text, node: &TraceNode, depth: usize, lookups: u32, voids: u32) {
    let indent = "  ".repeat(depth);
    match &node.record {
        Some(record) => line!(
            out,
            "{indent}{}  \"{}\"  → {}",
            node.domain,
            reveal(record),
            node.result
        ),
        None => line!(
            out,
            "{indent}{}  → {} ({})",
            node.domain,
            node.result,
            reveal(&node.reason)
        ),
    }
    if let Some(error) = &node.parse_error {
        line!(out, "{indent}  invalid: {error}");
    }
    for term in &node.terms {
        let outcome = match term.outcome {
            TermOutcome::Match => "MATCH",
            TermOutcome::NoMatch => "no match",
            TermOutcome::Applied => "applied",
            TermOutcome::Ignored => "ignored",
            TermOutcome::Temperror => "TEMPERROR",
            TermOutcome::Permerror => "PERMERROR",
        };
        let target = term
            .target
            .as_ref()
            .map(|target| format!(" ({})", reveal(target)))
            .unwrap_or_default();
        line!(
            out,
            "{indent}  {}{target}  {outcome}  [lookups {}/{lookups}, void {}/{voids}]",
            reveal(&term.text),
            term.lookups_used,
            term.void_lookups
        );
        for query in term.queries.iter().filter(|_| term.child.is_none()) {
            line!(
                out,
                "{indent}      {} {}: {}",
                query.record_type,
                reveal(&query.name),
                answer_text(query)
            );
        }
        if let Some(note) = &term.note {
            line!(out, "{indent}      note: {}", reveal(note));
        }
        if let Some(child) = &term.child {
            spf_node(out, child, depth + 2, lookups, voids);
        }
    }
}

/// A lookup's answers in zone-file form, or its error.
fn answer_text(query: &QueryTrace) -> String {
    match &query.outcome {
        TraceOutcome::Answer(answer) => answer
            .records
            .iter()
            .map(|record| presentation(&record.data))
            .collect::<Vec<_>>()
            .join(", "),
        TraceOutcome::Error(error) => error.to_string(),
    }
}

/// `mailspect dns NAME TYPE`, as text: a comment line with what answered and how, then the
/// records in zone-file form, so that they can be pasted into a zone file.
pub fn lookup(trace: &QueryTrace) -> Text {
    let mut out = Text::default();
    let mut facts = Vec::new();
    if let Some(source) = &trace.source {
        facts.push(format!("from {source}"));
    }
    if let Some(duration) = trace.duration_ms {
        facts.push(format!("{duration:.0} ms"));
    }
    facts.push(
        match trace.cache {
            CacheUse::None => "zone data",
            CacheUse::Miss => "asked",
            CacheUse::Hit => "cached",
            CacheUse::Merged => "merged with an identical lookup",
        }
        .to_string(),
    );
    match &trace.outcome {
        TraceOutcome::Answer(answer) => {
            if answer.authenticated {
                facts.push("DNSSEC-validated by the resolver (AD)".into());
            }
            line!(
                out,
                ";; {} {}: {} record(s), {}",
                trace.name,
                trace.record_type,
                answer.records.len(),
                facts.join(", ")
            );
            for record in answer.cnames.iter().chain(answer.records.iter()) {
                line!(
                    out,
                    "{}.\t{}\t{}\t{}",
                    record.name,
                    record.ttl,
                    record.data.record_type(),
                    presentation(&record.data)
                );
            }
        }
        TraceOutcome::Error(error) => {
            line!(
                out,
                ";; {} {}: {error}, {}",
                trace.name,
                trace.record_type,
                facts.join(", ")
            );
        }
    }
    out
}
