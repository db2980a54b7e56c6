//! `mailspect dns NAME TYPE`: one lookup through the same resolvers the analyses use.

use mailspect::commands::DnsLookupReport;
use mailspect::dns::{RecordType, Resolver};
use mailspect::report::quoted;

use super::args::DnsLookupArgs;
use super::resolve::resolver;
use super::{output, CliError};

/// Exit code 0 whatever DNS answered (NXDOMAIN is an answer); 2 for unusable arguments.
pub fn run(args: &DnsLookupArgs) -> Result<(), CliError> {
    let record_type = RecordType::from_name(&args.record_type).ok_or_else(|| {
        CliError(format!(
            "{} is not a record type mailspect looks up (A, AAAA, CNAME, MX, NS, PTR, SOA, \
             TXT, TLSA, SPF)",
            quoted(&args.record_type)
        ))
    })?;
    let resolver = resolver(&args.dns.sources)?;
    let trace = pollster::block_on(resolver.lookup_traced(&args.name, record_type));
    if args.json {
        return output::print_json(&DnsLookupReport::new(trace));
    }
    output::print_text(output::lookup(&trace))
}
