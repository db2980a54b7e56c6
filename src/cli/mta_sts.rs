//! `mailspect mta-sts DOMAIN`: the `_mta-sts` record, the policy over HTTPS, the MX hosts.

use mailspect::commands::MtaStsAuditReport;
use mailspect::records::mta_sts::{audit_domain, AuditOptions};

use super::args::MtaStsArgs;
use super::http::UreqFetcher;
use super::resolve::resolver;
use super::{output, CliError};

/// Exit code 0 whatever the domain publishes; 2 for unusable arguments (a `--ca-file` that
/// cannot be read, a `--policy-url` that is not https:).
pub fn run(args: &MtaStsArgs) -> Result<(), CliError> {
    if let Some(url) = &args.policy_url {
        if !url.to_ascii_lowercase().starts_with("https://") {
            return Err(CliError(format!(
                "--policy-url {}: the policy is only ever served over https:",
                mailspect::report::quoted(url)
            )));
        }
    }
    let resolver = resolver(&args.dns.sources)?;
    let fetcher = UreqFetcher::new(args.https.ca_file.as_deref())?;
    let options = AuditOptions {
        mx_hosts: (!args.mx_hosts.is_empty()).then_some(args.mx_hosts.as_slice()),
        policy_url: args.policy_url.as_deref(),
    };
    let audit = pollster::block_on(audit_domain(&resolver, &fetcher, &args.domain, options));
    if args.json {
        return output::print_json(&MtaStsAuditReport::new(audit));
    }
    output::print_text(output::mta_sts_audit(&audit))
}
