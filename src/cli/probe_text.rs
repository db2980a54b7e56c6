//! `mailspect probe`, as text: one block per host (what it answered, TLS, certificate, AUTH,
//! extensions, relay), then every finding with what to do. Server text is shown with hidden
//! characters revealed.

use mailspect::probe::{Capabilities, HostOutcome, HostProbe, ProbeReport};
use mailspect::report::reveal;

use super::output::{finding_line, line, word, Text};

fn yes(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn capabilities(out: &mut Text, label: &str, found: &Capabilities) {
    line!(out, "  {label:<12}{}", reveal(&found.keywords.join(" ")));
    line!(
        out,
        "  {:<12}STARTTLS {}, AUTH {}, SMTPUTF8 {}, REQUIRETLS {}, PIPELINING {}, SIZE {}",
        "",
        yes(found.starttls),
        if found.auth.is_empty() {
            "none".to_string()
        } else {
            reveal(&found.auth.join(" ")).into_owned()
        },
        yes(found.smtputf8),
        yes(found.requiretls),
        yes(found.pipelining),
        match (found.size_offered, found.size) {
            (false, _) => "no".to_string(),
            (true, Some(size)) => size.to_string(),
            (true, None) => "yes (no limit given)".to_string(),
        }
    );
}

/// One host's block.
pub fn host(out: &mut Text, host: &HostProbe) {
    let address = host
        .address
        .map(|address| format!(" ({address})"))
        .unwrap_or_default();
    line!(
        out,
        "{}:{}{address}, {} ms",
        reveal(&host.host),
        host.port,
        host.elapsed_ms
    );
    if host.outcome != HostOutcome::Completed {
        line!(
            out,
            "  Outcome     {}: {}",
            word(host.outcome),
            reveal(host.error.as_deref().unwrap_or(""))
        );
    }
    if let Some(banner) = &host.banner {
        line!(out, "  Banner      {}", reveal(&banner.first_line()));
    }
    if let Some(found) = &host.capabilities {
        capabilities(out, "EHLO", found);
    }
    if let Some(found) = &host.capabilities_after_tls {
        capabilities(out, "After TLS", found);
    }
    match (&host.tls, &host.tls_error) {
        (Some(tls), _) => {
            line!(out, "  TLS         {} {}", tls.version, tls.cipher_suite);
            let certificate = &tls.certificate;
            let names: Vec<String> = certificate
                .names
                .iter()
                .map(|check| {
                    format!(
                        "{} {}",
                        check.name,
                        if check.valid { "valid" } else { "NOT valid" }
                    )
                })
                .collect();
            line!(
                out,
                "  Certificate {}; {}",
                if certificate.chain_valid {
                    "chain to a trusted root".to_string()
                } else {
                    format!(
                        "NOT trusted: {}",
                        certificate.detail.as_deref().unwrap_or("")
                    )
                },
                names.join(", ")
            );
        }
        (None, Some(error)) => line!(out, "  TLS         failed: {}", reveal(&error.detail)),
        (None, None) => {}
    }
    for test in &host.tls_versions {
        let state = match test.accepted {
            Some(true) => format!(
                "accepted{}",
                test.cipher_suite
                    .as_deref()
                    .map(|suite| format!(" ({suite})"))
                    .unwrap_or_default()
            ),
            Some(false) => "refused".to_string(),
            None => test.note.clone().unwrap_or_else(|| "not tested".into()),
        };
        line!(out, "  {:<12}{state}", test.version);
    }
    if let Some(dane) = &host.dane {
        line!(
            out,
            "  DANE        {} usable TLSA record(s), {}",
            dane.usable_records,
            if dane.matched {
                "matched"
            } else {
                "NONE matches"
            }
        );
    }
    if let Some(check) = &host.mta_sts {
        line!(
            out,
            "  MTA-STS     mode {}, {}",
            check.mode,
            match &check.matched_by {
                Some(pattern) => format!("matched by mx: {pattern}"),
                None => "matched by no mx: pattern".into(),
            }
        );
    }
    if let Some(relay) = &host.relay {
        let reply = relay
            .rcpt_reply
            .as_ref()
            .or(relay.mail_reply.as_ref())
            .map(|reply| reply.first_line())
            .unwrap_or_default();
        line!(
            out,
            "  Relay       {} ({} to {}: {})",
            word(relay.verdict),
            relay.mail_from,
            relay.rcpt_to,
            reveal(&reply)
        );
    }
}

pub fn report(report: &ProbeReport) -> Text {
    let mut out = Text::default();
    line!(out, "SMTP probe of {}", reveal(&report.target));
    if let Some(error) = &report.error {
        line!(out, "  {}", reveal(error));
        return out;
    }
    for one in &report.hosts {
        out.blank();
        host(&mut out, one);
    }
    out.blank();
    line!(out, "Findings ({})", report.findings.len());
    for finding in &report.findings {
        finding_line(&mut out, finding);
    }
    out
}
