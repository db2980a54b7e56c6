//! `mailspect spf`: evaluate SPF for a connecting IP, or audit a domain's SPF record; and the
//! SPF section of `mailspect message`.

use mailspect::spf::{
    self, CheckOptions, DomainAudit, ExplanationSource, MessageSpf, SpfReport, TermOutcome,
    TraceNode, MAX_DNS_TERMS, MAX_VOID_LOOKUPS,
};
use serde::Serialize;

use super::args::SpfArgs;
use super::message::system_now;
use super::resolve::resolver;
use super::{output, CliError};

/// The JSON of a check: the report of the main identity, plus the HELO check when both a MAIL
/// FROM and a HELO name were given.
#[derive(Serialize)]
struct CheckOutput {
    #[serde(flatten)]
    check: SpfReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    helo_check: Option<SpfReport>,
}

pub fn run(args: &SpfArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let Some(ip) = args.ip else {
        if args.mail_from.is_some() || args.helo.is_some() {
            return Err(CliError(
                "--mail-from and --helo need --ip (SPF evaluates a connecting address); \
                 give a domain alone to audit its record"
                    .into(),
            ));
        }
        let domain = args.domain.as_deref().ok_or_else(|| {
            CliError(
                "give --ip with --mail-from or --helo to evaluate, or a domain to audit".into(),
            )
        })?;
        let audit = pollster::block_on(spf::audit_domain(&resolver, domain));
        if args.json {
            return output::print_json(&audit);
        }
        print_audit(&audit);
        return Ok(());
    };
    let options = CheckOptions {
        receiver: args.receiver.clone(),
        now: system_now(),
    };
    let mail_from = args.mail_from.clone().or_else(|| {
        args.domain
            .as_ref()
            .map(|domain| format!("postmaster@{domain}"))
    });
    let helo = args.helo.as_deref();
    let check = match (&mail_from, helo) {
        (Some(mail_from), _) => pollster::block_on(spf::check_mail_from(
            &resolver, ip, mail_from, helo, &options,
        ))
        .ok_or_else(|| {
            CliError(
                "MAIL FROM is empty (a bounce): give --helo, whose postmaster@ address is \
                         checked instead"
                    .into(),
            )
        })?,
        (None, Some(helo)) => pollster::block_on(spf::check_helo(&resolver, ip, helo, &options)),
        (None, None) => {
            return Err(CliError(
                "--ip needs --mail-from, --helo or a domain to check".into(),
            ))
        }
    };
    let helo_check = match (&mail_from, helo) {
        (Some(_), Some(helo)) => Some(pollster::block_on(spf::check_helo(
            &resolver, ip, helo, &options,
        ))),
        _ => None,
    };
    if args.json {
        return output::print_json(&CheckOutput { check, helo_check });
    }
    print_report(&check);
    if let Some(helo_check) = &helo_check {
        println!();
        print_report(helo_check);
    }
    Ok(())
}

/// The SPF section of the message report.
pub fn print_message_spf(spf: &MessageSpf) {
    println!("SPF: {} ({})", spf.result, spf.reason);
    for report in spf.mail_from.iter().chain(spf.helo.iter()) {
        println!();
        print_report(report);
    }
}

fn print_report(report: &SpfReport) {
    let identity = match report.identity {
        spf::Identity::MailFrom => "MAIL FROM",
        spf::Identity::Helo => "HELO",
    };
    println!(
        "SPF check of {identity} {} from {}",
        report.sender, report.ip
    );
    println!("  Result       {}", report.result);
    println!("  Why          {}", report.reason);
    if let Some(explanation) = &report.explanation {
        let source = match report.explanation_source {
            Some(ExplanationSource::Record) => "the domain's exp= text",
            _ => "default",
        };
        println!("  Explanation  {explanation} ({source})");
    }
    println!(
        "  Lookups      {} of {MAX_DNS_TERMS} DNS lookups, {} of {MAX_VOID_LOOKUPS} void lookups",
        report.lookups_used, report.void_lookups
    );
    if let Some(decided) = &report.decided_by {
        println!(
            "  Decided by   {:?} in {} (via {})",
            decided.term,
            decided.domain,
            decided.path.join(" → ")
        );
    }
    if let Some(trace) = &report.trace {
        println!("  Evaluation");
        print_node(trace, 2);
    }
}

fn print_audit(audit: &DomainAudit) {
    println!("SPF audit of {}", audit.domain);
    if let Some(record) = &audit.record {
        println!("  Record       {record}");
    }
    println!("  Unlisted host gets {}: {}", audit.result, audit.reason);
    println!(
        "  Lookups      {} of {} DNS lookups used, {} of {} void lookups",
        audit.lookups_used, audit.lookup_limit, audit.void_lookups, audit.void_lookup_limit
    );
    println!("  Include tree");
    print_node(&audit.trace, 2);
    println!();
    println!("Findings ({})", audit.findings.len());
    for finding in &audit.findings {
        let severity = format!("{:?}", finding.severity).to_lowercase();
        let place = finding
            .span
            .map(|span| format!(", bytes {}..{}", span.start, span.end))
            .unwrap_or_default();
        println!(
            "  [{severity}] {} ({}{place}): {}",
            finding.code, finding.domain, finding.message
        );
        println!("      fix: {}", finding.fix);
    }
}

/// One `check_host()` of the tree, its terms indented below it.
fn print_node(node: &TraceNode, depth: usize) {
    let indent = "  ".repeat(depth);
    match &node.record {
        Some(record) => println!("{indent}{}  {record:?}  → {}", node.domain, node.result),
        None => println!(
            "{indent}{}  → {} ({})",
            node.domain, node.result, node.reason
        ),
    }
    if let Some(error) = &node.parse_error {
        println!("{indent}  invalid: {error}");
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
            .map(|target| format!(" ({target})"))
            .unwrap_or_default();
        println!(
            "{indent}  {}{target}  {outcome}  [lookups {}/{MAX_DNS_TERMS}, void {}/{MAX_VOID_LOOKUPS}]",
            term.text, term.lookups_used, term.void_lookups
        );
        for query in term.queries.iter().filter(|_| term.child.is_none()) {
            let answer = match &query.error {
                Some(error) => error.to_string(),
                None => query.answers.join(", "),
            };
            println!(
                "{indent}      {} {}: {answer}",
                query.record_type, query.name
            );
        }
        if let Some(note) = &term.note {
            println!("{indent}      note: {note}");
        }
        if let Some(child) = &term.child {
            print_node(child, depth + 2);
        }
    }
}
