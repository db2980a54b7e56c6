//! `mailspect dmarc DOMAIN`: discover and check a domain's DMARC policy.

use mailspect::commands::DmarcAuditReport;
use mailspect::dmarc;

use super::args::DmarcArgs;
use super::resolve::resolver;
use super::{output, CliError};

/// Exit code 0 whatever the domain publishes; 2 for unusable arguments.
pub fn run(args: &DmarcArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let audit = pollster::block_on(dmarc::audit_domain(&args.domain, &resolver));
    if args.json {
        return output::print_json(&DmarcAuditReport::new(audit));
    }
    output::print_text(output::dmarc_audit(&audit))
}
