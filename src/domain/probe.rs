//! The SMTP probe folded into the audit: its findings join the audit's, the grade is computed
//! again over all of them, and the summary says what the servers themselves showed. The probe
//! runs at the edge (the CLI); the page can fold in a probe report the CLI wrote.

use super::grade::{self, SummaryLine, SummaryTopic};
use super::DomainAudit;
use crate::probe::{HostOutcome, ProbeReport, RelayVerdict};
use crate::report::Severity;

/// Adds `probe` to `audit`: findings, grade, summary. A report of another domain is refused
/// (its findings would grade the wrong domain).
pub fn add_probe(audit: &mut DomainAudit, probe: ProbeReport) -> Result<(), String> {
    let probed = probe.domain.as_deref().unwrap_or(probe.target.as_str());
    if !probed
        .trim_end_matches('.')
        .eq_ignore_ascii_case(&audit.domain)
    {
        return Err(format!(
            "the probe report is about {}, not {}",
            crate::report::quoted(probed),
            audit.domain
        ));
    }
    if let Some(previous) = audit.probe.take() {
        let codes: Vec<_> = previous
            .findings
            .iter()
            .map(|finding| (finding.code, finding.domain.clone()))
            .collect();
        audit
            .findings
            .retain(|finding| !codes.contains(&(finding.code, finding.domain.clone())));
        audit
            .summary
            .retain(|line| !line.text.starts_with("The probe "));
    }
    audit.findings.extend(probe.findings.iter().cloned());
    audit
        .findings
        .sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    audit.grade = grade::grade(&audit.findings);
    audit.summary.extend(summary(&probe));
    audit.probe = Some(probe);
    Ok(())
}

fn line(severity: Severity, text: String) -> SummaryLine {
    SummaryLine {
        topic: SummaryTopic::Transport,
        severity,
        text,
    }
}

/// What the servers showed, in a sentence or two; every line starts with "The probe ".
fn summary(probe: &ProbeReport) -> Vec<SummaryLine> {
    let mut lines = Vec::new();
    let answered: Vec<_> = probe
        .hosts
        .iter()
        .filter(|host| host.capabilities.is_some())
        .collect();
    let plaintext: Vec<&str> = answered
        .iter()
        .filter(|host| host.tls.is_none())
        .map(|host| host.host.as_str())
        .collect();
    let relays: Vec<&str> = probe
        .hosts
        .iter()
        .filter(|host| {
            host.relay
                .as_ref()
                .is_some_and(|test| test.verdict == RelayVerdict::OpenRelay)
        })
        .map(|host| host.host.as_str())
        .collect();
    let silent = probe
        .hosts
        .iter()
        .filter(|host| host.outcome != HostOutcome::Completed)
        .count();
    if !relays.is_empty() {
        lines.push(line(Severity::Error, format!("The probe found an open relay: {} passes anyone's mail on, so spammers can use it.", relays.join(", "))));
    }
    if !plaintext.is_empty() {
        lines.push(line(Severity::Error, format!("The probe reached {} without TLS: mail to it crosses the network readable by anyone on the path.", plaintext.join(", "))));
    } else if !answered.is_empty() {
        lines.push(line(
            Severity::Info,
            format!(
                "The probe reached {} of {} MX host(s), and each offered TLS.",
                answered.len(),
                probe.hosts.len()
            ),
        ));
    }
    if silent > 0 {
        lines.push(line(
            Severity::Warning,
            format!("The probe could not finish with {silent} host(s): see each host's outcome."),
        ));
    }
    lines
}
