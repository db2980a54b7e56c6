//! Where the CLI's DNS answers come from, shared by every subcommand.

use mailspect::dns::MemoryResolver;

use super::args::DnsSource;
use super::CliError;

/// The resolver the `--dns` sources describe.
pub fn resolver(sources: &[DnsSource]) -> Result<MemoryResolver, CliError> {
    match sources.first() {
        None => Ok(MemoryResolver::new()),
        Some(source) => Err(CliError(format!(
            "--dns {source:?}: this build cannot use DNS sources yet"
        ))),
    }
}
