//! `mailspect domain`, as text for an administrator: the grade and summary first, one short
//! block per protocol, then every finding with the points it cost and the record to publish.
//! Text from the DNS is shown with hidden characters revealed, as everywhere in the CLI.

use mailspect::domain::{grade, DkimKeyStatus, DomainAudit, MxKind, TxtRecords};
use mailspect::records::FetchErrorKind;
use mailspect::report::{reveal, Severity};

use super::output::{finding_line, line, word, Text};

pub fn audit(audit: &DomainAudit) -> Text {
    let mut out = Text::default();
    line!(out, "Domain audit of {}", reveal(&audit.domain));
    if let Some(error) = &audit.error {
        line!(out, "  {}", reveal(&error.message));
        return out;
    }
    let grade = &audit.grade;
    match grade.letter {
        Some(letter) => line!(
            out,
            "Grade {}: {} of {} points{}",
            word(letter),
            grade.score,
            grade.maximum_score,
            if grade.complete {
                ""
            } else {
                " (not everything could be checked: the grade may change)"
            }
        ),
        None => line!(
            out,
            "No grade: a lookup failed, and a record that could not be read is not scored as \
             absent ({} of {} points from what was read)",
            grade.score,
            grade.maximum_score
        ),
    }
    out.blank();
    for summary in &audit.summary {
        let mark = match summary.severity {
            Severity::Error => "✗",
            Severity::Warning => "!",
            Severity::Info => "✓",
        };
        line!(out, "  {mark} {}", reveal(&summary.text));
    }
    out.blank();
    mx(&mut out, audit);
    spf(&mut out, audit);
    dmarc(&mut out, audit);
    dkim(&mut out, audit);
    txt_block(&mut out, "MTA-STS", &audit.mta_sts.txt);
    if let Some(url) = &audit.mta_sts.policy_url {
        line!(out, "  Policy      {url}");
    }
    if let Some(policy) = &audit.mta_sts.policy {
        match (&policy.error, audit.mta_sts.mode) {
            (Some(error), _) if error.kind == FetchErrorKind::NotFetched => line!(
                out,
                "  Fetch       not fetched: DNS comes from zone files (--mta-sts-policy FILE reads it)"
            ),
            (Some(error), _) => line!(out, "  Fetch       failed: {error}"),
            (None, Some(mode)) => line!(out, "  Mode        {}", mode.word()),
            (None, None) => line!(out, "  Mode        none readable"),
        }
    }
    txt_block(&mut out, "TLS-RPT", &audit.tls_rpt.txt);
    txt_block(&mut out, "BIMI", &audit.bimi.txt);
    dane(&mut out, audit);
    line!(
        out,
        "DNSSEC        {}",
        match audit.dnssec.domain_signed {
            Some(true) => "the domain's answers are validated (AD)",
            Some(false) => "the domain's answers are not validated",
            None => "no answer for the domain itself",
        }
    );
    if let Some(probe) = &audit.probe {
        out.blank();
        line!(out, "SMTP probe (port {})", probe.options.port);
        for host in &probe.hosts {
            super::probe_text::host(&mut out, host);
        }
    }
    out.blank();
    line!(
        out,
        "Findings ({}), with the points each cost",
        audit.findings.len()
    );
    for finding in &audit.findings {
        let points = grade::points(finding);
        if points > 0 {
            line!(out, "  -{points} points");
        }
        finding_line(&mut out, finding);
    }
    out.blank();
    line!(
        out,
        "{} DNS queries (--json lists each with its answer).",
        audit.queries.len()
    );
    out
}

fn mx(out: &mut Text, audit: &DomainAudit) {
    let mx = &audit.mx;
    let kind = match mx.kind {
        MxKind::Hosts => "hosts",
        MxKind::NullMx => "null MX: accepts no mail",
        MxKind::Implicit => "no MX: implicit MX (the domain's own address)",
        MxKind::NoMail => "no MX and no address: mail cannot be delivered",
        MxKind::DomainMissing => "the domain does not exist",
        MxKind::LookupFailed => "the MX lookup failed",
        MxKind::NotChecked => "not checked",
    };
    line!(out, "MX            {kind}");
    for host in &mx.hosts {
        let addresses: Vec<String> = host.addresses.iter().map(ToString::to_string).collect();
        let alias = host
            .alias_of
            .as_ref()
            .map(|target| format!(" (alias of {target})"))
            .unwrap_or_default();
        line!(
            out,
            "  {:>5} {}{alias}  {}",
            host.preference,
            if host.exchange.is_empty() {
                "."
            } else {
                &host.exchange
            },
            if addresses.is_empty() {
                "no address".to_string()
            } else {
                addresses.join(", ")
            }
        );
        for reverse in &host.reverse_dns {
            line!(
                out,
                "        reverse DNS of {}: {}",
                reverse.ip,
                reverse.result.word()
            );
        }
    }
}

fn spf(out: &mut Text, audit: &DomainAudit) {
    let spf = &audit.spf;
    match &spf.record {
        Some(record) => line!(out, "SPF           {}", reveal(record)),
        None => line!(out, "SPF           no record"),
    }
    line!(
        out,
        "  Unlisted hosts get {}; {} of {} lookups, {} of {} void lookups",
        spf.result,
        spf.lookups_used,
        spf.lookup_limit,
        spf.void_lookups,
        spf.void_lookup_limit
    );
}

fn dmarc(out: &mut Text, audit: &DomainAudit) {
    let dmarc = &audit.dmarc;
    match (&dmarc.audit.record, &dmarc.audit.record_domain) {
        (Some(record), Some(record_domain)) => line!(
            out,
            "DMARC         _dmarc.{record_domain}: {}",
            reveal(&record.text)
        ),
        _ if audit.findings.iter().any(|f| f.code == "dmarc.temperror") => {
            line!(out, "DMARC         the lookup failed")
        }
        _ => line!(out, "DMARC         no record"),
    }
    let policy = |applied: &Option<mailspect::dmarc::align::AppliedPolicy>| {
        applied.as_ref().map_or("none".to_string(), |applied| {
            applied.requested.word().into()
        })
    };
    if dmarc.policy.is_some() {
        line!(
            out,
            "  Policy {}, subdomains {}, non-existent subdomains {}; receivers apply {}",
            policy(&dmarc.policy),
            policy(&dmarc.subdomain_policy),
            policy(&dmarc.nonexistent_policy),
            dmarc.enforced_policy.map_or("nothing", |p| p.word())
        );
    }
    for lint in &dmarc.audit.lint {
        if let Some(fixed) = &lint.fixed_record {
            line!(out, "  Publish     {}", reveal(fixed));
        }
    }
    for destination in &dmarc.audit.destinations {
        line!(
            out,
            "  {}={}: {}",
            destination.tag.name(),
            reveal(&destination.uri),
            word(destination.authorization)
        );
    }
}

fn dkim(out: &mut Text, audit: &DomainAudit) {
    let dkim = &audit.dkim;
    line!(out, "DKIM          {}", dkim.note);
    for probe in dkim.selectors.iter().filter(|probe| !probe.keys.is_empty()) {
        for key in &probe.keys {
            let size = match (key.key_type, key.bits) {
                (Some(key_type), Some(bits)) => format!("{} {bits} bits, ", word(key_type)),
                _ => String::new(),
            };
            let status = match key.status {
                DkimKeyStatus::Good => "good",
                DkimKeyStatus::Weak => "weak",
                DkimKeyStatus::TooShort => "too short",
                DkimKeyStatus::Revoked => "revoked",
                DkimKeyStatus::Unreadable => "unreadable",
            };
            line!(
                out,
                "  {}: {size}{status}{}",
                probe.name,
                if key.testing { ", testing (t=y)" } else { "" }
            );
        }
    }
}

fn txt_block(out: &mut Text, label: &str, txt: &TxtRecords) {
    match txt.records.as_slice() {
        [] => line!(out, "{label:<13} no record at {}", txt.name),
        records => {
            for record in records {
                line!(out, "{label:<13} {}: {}", txt.name, reveal(record));
            }
        }
    }
}

fn dane(out: &mut Text, audit: &DomainAudit) {
    let dane = &audit.dane;
    line!(
        out,
        "DANE          {}",
        if dane.effective {
            "in effect: every MX host has DNSSEC-validated TLSA records"
        } else {
            "not in effect"
        }
    );
    for host in dane.hosts.iter().filter(|host| !host.records.is_empty()) {
        line!(
            out,
            "  {}: {} TLSA record(s){}",
            host.name,
            host.records.len(),
            if host.authenticated {
                ", DNSSEC-validated"
            } else {
                ", not validated"
            }
        );
    }
}
