//! The text of `mailspect record` and `mailspect mta-sts`.

use mailspect::records::generate::Suggestion;
use mailspect::records::mta_sts::{MtaStsAudit, MtaStsPolicyReport};
use mailspect::records::RecordReport;
use mailspect::report::{reveal, Finding};

use super::{finding_line, word, Text};

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// A record or policy to publish, one line each (policy files have several).
fn publish(out: &mut Text, label: &str, text: &str) {
    for (index, line) in text.lines().enumerate() {
        let label = if index == 0 { label } else { "" };
        line!(out, "  {label:<12} {}", reveal(line));
    }
}

fn findings(out: &mut Text, list: &[&Finding]) {
    out.blank();
    line!(out, "Findings ({})", list.len());
    for finding in list {
        finding_line(out, finding);
    }
}

fn next_step(out: &mut Text, step: &Suggestion) {
    match &step.record {
        Some(record) => publish(out, "Next step", record),
        None => line!(out, "  Next step    none"),
    }
    for change in &step.changes {
        line!(out, "      - {}", reveal(change));
    }
    for manual in &step.manual {
        line!(out, "      ! {}", reveal(manual));
    }
}

/// `mailspect record`, as text.
pub fn record(report: &RecordReport) -> Text {
    let mut out = Text::default();
    match report.kind {
        Some(kind) => line!(
            out,
            "Record ({}{})",
            word(kind),
            if report.kind_guessed { ", guessed" } else { "" }
        ),
        None => line!(out, "Record (kind unknown)"),
    }
    publish(&mut out, "Text", &report.text);
    line!(out, "  Valid        {}", yes_no(report.valid));
    if let Some(fixed) = &report.fixed_record {
        publish(&mut out, "Publish", fixed);
    }
    if let Some(step) = &report.next_step {
        next_step(&mut out, step);
    }
    findings(&mut out, &report.findings.iter().collect::<Vec<_>>());
    out
}

fn policy_lines(out: &mut Text, policy: &MtaStsPolicyReport) {
    if let Some(read) = &policy.policy {
        line!(
            out,
            "  Policy       mode {}, max_age {}, {} mx pattern(s); valid: {}",
            read.mode.map_or_else(|| "?".to_string(), word),
            read.max_age
                .map_or_else(|| "?".to_string(), |age| age.to_string()),
            read.mx.len(),
            yes_no(policy.valid)
        );
    }
    for check in &policy.mx_checks {
        line!(
            out,
            "  MX           {}: {}",
            reveal(&check.host),
            check.matched_by.as_deref().map_or_else(
                || "not covered".to_string(),
                |p| format!("matches {}", reveal(p))
            )
        );
    }
    if let Some(fixed) = &policy.fixed_policy {
        publish(out, "Publish", fixed);
    }
}

/// `mailspect mta-sts DOMAIN`, as text.
pub fn mta_sts_audit(audit: &MtaStsAudit) -> Text {
    let mut out = Text::default();
    line!(out, "MTA-STS of {}", reveal(&audit.domain));
    match &audit.txt {
        Some(txt) => line!(
            out,
            "  Record       _mta-sts.{}: {} (valid: {})",
            reveal(&audit.domain),
            txt.record.as_ref().map_or("", |r| r.text.as_str()),
            yes_no(txt.valid)
        ),
        None => line!(out, "  Record       none"),
    }
    if let Some(fetch) = &audit.policy {
        line!(
            out,
            "  Fetched      {}: {}",
            fetch.url.as_deref().unwrap_or("?"),
            match (&fetch.error, fetch.status) {
                (Some(error), _) => reveal(&error.to_string()).into_owned(),
                (None, Some(status)) => format!(
                    "HTTP {status}, {}",
                    fetch.content_type.as_deref().unwrap_or("no Content-Type")
                ),
                (None, None) => "not fetched".to_string(),
            }
        );
        if let Some(policy) = &fetch.policy {
            policy_lines(&mut out, policy);
        }
    }
    let list: Vec<&Finding> = audit
        .findings
        .iter()
        .chain(audit.txt.iter().flat_map(|txt| txt.findings.iter()))
        .chain(audit.policy.iter().flat_map(|fetch| {
            fetch.findings.iter().chain(
                fetch
                    .policy
                    .iter()
                    .flat_map(|policy| policy.findings.iter()),
            )
        }))
        .collect();
    findings(&mut out, &list);
    out
}
