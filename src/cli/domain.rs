//! `mailspect domain NAME`: the whole-domain audit.

use std::path::Path;

use mailspect::commands::DomainAuditReport;
use mailspect::dns::EitherResolver;
use mailspect::domain::{self, DomainAudit, DomainOptions, PastedPolicy};
use mailspect::records::fetch::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};
use mailspect::records::mta_sts::MAX_POLICY_BYTES;

use super::args::DomainArgs;
use super::http::UreqFetcher;
use super::resolve::{read_limited, resolver, CliResolver};
use super::{domain_text, output, probe, CliError};

/// Exit code 0 whatever the domain publishes; 2 for unusable arguments or a name that is not a
/// domain.
pub fn run(args: &DomainArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let options = DomainOptions {
        selectors: args.selectors.clone(),
    };
    let mut audit = audit_with_policy(
        &args.name,
        &options,
        args.mta_sts_policy.as_deref(),
        args.https.ca_file.as_deref(),
        &resolver,
    )?;
    if args.probe {
        let report = probe::probe_audit(
            &args.name,
            &audit,
            &args.smtp,
            args.https.ca_file.as_deref(),
        )?;
        domain::add_probe(&mut audit, report).map_err(CliError)?;
    }
    if args.json {
        return output::print_json(&DomainAuditReport::new(audit));
    }
    output::print_text(domain_text::audit(&audit))
}

/// The audit of `name`, with the MTA-STS policy from `policy_file` when given, else fetched over
/// HTTPS. With DNS from zone files it is not fetched: the policy host would be looked up in the
/// system's DNS, on the network, which a zone-file audit (a draft, a test) must never reach.
pub(super) fn audit_with_policy(
    name: &str,
    options: &DomainOptions,
    policy_file: Option<&Path>,
    ca_file: Option<&Path>,
    resolver: &CliResolver,
) -> Result<DomainAudit, CliError> {
    let audit = if let Some(path) = policy_file {
        let bytes = read_limited(path, MAX_POLICY_BYTES as u64)
            .map_err(|why| CliError(format!("--mta-sts-policy {}: {why}", path.display())))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CliError(format!(
                "--mta-sts-policy {}: the policy is not UTF-8 text",
                path.display()
            ))
        })?;
        audit(name, options, resolver, &PastedPolicy(Some(text)))
    } else if matches!(resolver, EitherResolver::First(_)) {
        audit(name, options, resolver, &NotFetched)
    } else {
        let fetcher = UreqFetcher::new(ca_file)?;
        audit(name, options, resolver, &fetcher)
    };
    if let Some(error) = &audit.error {
        let detail = error.detail.as_deref().unwrap_or("");
        return Err(CliError(format!("{}: {detail}", error.message)));
    }
    Ok(audit)
}

fn audit<F: HttpFetch>(
    name: &str,
    options: &DomainOptions,
    resolver: &CliResolver,
    fetcher: &F,
) -> DomainAudit {
    pollster::block_on(domain::audit_domain(name, options, resolver, fetcher))
}

/// The fetcher of a zone-file audit: asks nothing, and says how to give the policy instead.
struct NotFetched;

impl HttpFetch for NotFetched {
    async fn get(&self, url: &str, _: &FetchOptions) -> Result<FetchedBody, FetchError> {
        Err(FetchError::new(
            FetchErrorKind::NotFetched,
            Some(format!(
                "DNS comes from zone files, so {url} is not fetched from the network; give the \
                 policy with --mta-sts-policy FILE"
            )),
        ))
    }
}
