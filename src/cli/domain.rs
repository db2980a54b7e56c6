//! `mailspect domain NAME`: the whole-domain audit.

use mailspect::commands::DomainAuditReport;
use mailspect::dns::EitherResolver;
use mailspect::domain::{self, DomainAudit, DomainOptions, PastedPolicy};
use mailspect::records::fetch::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};
use mailspect::records::mta_sts::MAX_POLICY_BYTES;

use super::args::DomainArgs;
use super::http::UreqFetcher;
use super::resolve::{read_limited, resolver, CliResolver};
use super::{domain_text, output, CliError};

/// Exit code 0 whatever the domain publishes; 2 for unusable arguments or a name that is not a
/// domain.
pub fn run(args: &DomainArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let options = DomainOptions {
        selectors: args.selectors.clone(),
    };
    // The MTA-STS policy: from the file given, else fetched over HTTPS. With DNS from zone
    // files it is not fetched: the policy host would be looked up in the system's DNS, on the
    // network, which a zone-file audit (a draft, a test) must never reach.
    let audit = if let Some(path) = &args.mta_sts_policy {
        let bytes = read_limited(path, MAX_POLICY_BYTES as u64)
            .map_err(|why| CliError(format!("--mta-sts-policy {}: {why}", path.display())))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CliError(format!(
                "--mta-sts-policy {}: the policy is not UTF-8 text",
                path.display()
            ))
        })?;
        audit(args, &options, &resolver, &PastedPolicy(Some(text)))
    } else if matches!(resolver, EitherResolver::First(_)) {
        audit(args, &options, &resolver, &NotFetched)
    } else {
        let fetcher = UreqFetcher::new(args.https.ca_file.as_deref())?;
        audit(args, &options, &resolver, &fetcher)
    };
    if let Some(error) = &audit.error {
        let detail = error.detail.as_deref().unwrap_or("");
        return Err(CliError(format!("{}: {detail}", error.message)));
    }
    if args.json {
        return output::print_json(&DomainAuditReport::new(audit));
    }
    output::print_text(domain_text::audit(&audit))
}

fn audit<F: HttpFetch>(
    args: &DomainArgs,
    options: &DomainOptions,
    resolver: &CliResolver,
    fetcher: &F,
) -> DomainAudit {
    pollster::block_on(domain::audit_domain(&args.name, options, resolver, fetcher))
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
