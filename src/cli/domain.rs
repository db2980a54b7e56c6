//! `mailspect domain NAME`: the whole-domain audit.

use mailspect::commands::DomainAuditReport;
use mailspect::domain::{self, DomainOptions};

use super::args::DomainArgs;
use super::http::UreqFetcher;
use super::resolve::resolver;
use super::{domain_text, output, CliError};

/// Exit code 0 whatever the domain publishes; 2 for unusable arguments or a name that is not a
/// domain.
pub fn run(args: &DomainArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let options = DomainOptions {
        selectors: args.selectors.clone(),
    };
    let fetcher = UreqFetcher::new(args.https.ca_file.as_deref())?;
    let audit = pollster::block_on(domain::audit_domain(
        &args.name, &options, &resolver, &fetcher,
    ));
    if let Some(error) = &audit.error {
        let detail = error.detail.as_deref().unwrap_or("");
        return Err(CliError(format!("{}: {detail}", error.message)));
    }
    if args.json {
        return output::print_json(&DomainAuditReport::new(audit));
    }
    output::print_text(domain_text::audit(&audit))
}
