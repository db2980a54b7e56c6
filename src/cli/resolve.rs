//! The CLI's resolvers: zone files (offline) or DNS-over-HTTPS through a rustls client.
//! `--dns` picks one; without it the CLI asks a public DoH resolver.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mailspect::dns::doh::{DohConfig, DohResolver, DohTransport, Provider};
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{wire, DnsError, EitherResolver, MemoryResolver};

use super::args::DnsSource;
use super::thread;
use super::CliError;

/// Zone files larger than this are refused rather than read into memory.
const MAX_ZONE_FILE: u64 = 64 * 1024 * 1024;

/// The resolver the `--dns` sources describe: zone files or DoH.
pub type CliResolver = EitherResolver<MemoryResolver, DohResolver<UreqTransport>>;

/// Zone sources are merged into one resolver; one DoH source may be given; mixing the two is
/// refused, because which one answered would then depend on the name. Nothing given means the
/// public resolver of [`Provider::Cloudflare`], with failover to Google.
pub fn resolver(sources: &[DnsSource]) -> Result<CliResolver, CliError> {
    let zones: Vec<&Path> = sources
        .iter()
        .filter_map(|source| match source {
            DnsSource::Zone(path) => Some(path.as_path()),
            DnsSource::Doh(_) => None,
        })
        .collect();
    let endpoints: Vec<&str> = sources
        .iter()
        .filter_map(|source| match source {
            DnsSource::Doh(spec) => Some(spec.as_str()),
            DnsSource::Zone(_) => None,
        })
        .collect();
    match (zones.is_empty(), endpoints.as_slice()) {
        (false, []) => Ok(EitherResolver::First(load_zones(&zones)?)),
        (true, []) => doh(Provider::Cloudflare.name()),
        (true, [spec]) => doh(spec),
        (true, _) => Err(CliError("give at most one --dns doh: source".into())),
        (false, _) => Err(CliError(
            "--dns zone: and --dns doh: cannot be mixed: answers would come from either".into(),
        )),
    }
}

fn doh(spec: &str) -> Result<CliResolver, CliError> {
    let config = DohConfig::from_spec(spec).map_err(|why| CliError(format!("--dns doh:{why}")))?;
    Ok(EitherResolver::Second(DohResolver::new(
        UreqTransport::new(),
        config,
    )))
}

/// Reads a file of at most `max` bytes; the error is one clause (the file's name is the
/// caller's to add).
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| error.to_string())?
        .len();
    if size > max {
        return Err(format!("the file is larger than {max} bytes"));
    }
    std::fs::read(path).map_err(|error| error.to_string())
}

/// Reads and merges zone files; records of types mailspect does not use are noted on stderr.
pub fn load_zones(paths: &[&Path]) -> Result<MemoryResolver, CliError> {
    let mut resolver = MemoryResolver::new();
    for path in paths {
        let shown = path.display();
        let text =
            read_limited(path, MAX_ZONE_FILE).map_err(|why| CliError(format!("{shown}: {why}")))?;
        let zone =
            parse_zone(&text, None).map_err(|error| CliError(format!("{shown}: {error}")))?;
        for skipped in &zone.skipped {
            eprintln!(
                "mailspect: note: {shown}: line {}: {} record of {} not used by mailspect",
                skipped.line, skipped.record_type, skipped.name
            );
        }
        resolver.insert_zone(&zone);
    }
    Ok(resolver)
}

/// DoH over ureq, a blocking client: each request runs on a thread of its own and the returned
/// future completes when it ends, so that the lookups an analysis joins (DKIM keys, SPF, DMARC,
/// ARC keys, iprev) are in flight together, as they are in the browser, instead of one after
/// another. The agent is shared, so its kept-alive connections are reused. A message needs a
/// few dozen lookups at most, and the resolver's per-analysis budget bounds them.
pub struct UreqTransport {
    agent: ureq::Agent,
    started: Instant,
    started_epoch_ms: f64,
}

impl UreqTransport {
    pub fn new() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Non-200 answers are reported with their status below, not as a ureq error.
            .http_status_as_error(false)
            .user_agent(concat!("mailspect/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        UreqTransport {
            agent,
            started: Instant::now(),
            started_epoch_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |elapsed| elapsed.as_secs_f64() * 1000.0),
        }
    }
}

/// One blocking GET, as the thread of [`UreqTransport::get`] runs it.
fn blocking_get(agent: &ureq::Agent, url: &str, timeout_ms: u32) -> Result<Vec<u8>, DnsError> {
    let transport_error = |error: ureq::Error| match error {
        ureq::Error::Timeout(_) => DnsError::Timeout,
        ureq::Error::BodyExceedsLimit(_) => DnsError::TooLarge,
        other => DnsError::Transport(other.to_string()),
    };
    let mut response = agent
        .get(url)
        .header("Accept", "application/dns-message")
        .config()
        .timeout_global(Some(Duration::from_millis(u64::from(timeout_ms))))
        .build()
        .call()
        .map_err(transport_error)?;
    let status = response.status();
    if status != 200 {
        return Err(DnsError::Transport(format!("HTTP status {status}")));
    }
    response
        .body_mut()
        .with_config()
        .limit(wire::MAX_MESSAGE as u64)
        .read_to_vec()
        .map_err(transport_error)
}

impl DohTransport for UreqTransport {
    async fn get(&self, url: &str, timeout_ms: u32) -> Result<Vec<u8>, DnsError> {
        let agent = self.agent.clone();
        let url = url.to_string();
        let request = thread::spawn("mailspect-doh", move || {
            blocking_get(&agent, &url, timeout_ms)
        })
        .map_err(|error| DnsError::Transport(format!("cannot start a request thread: {error}")))?;
        request
            .await
            .unwrap_or_else(|| Err(DnsError::Transport("the request thread failed".into())))
    }

    fn now_ms(&self) -> f64 {
        self.started_epoch_ms + self.started.elapsed().as_secs_f64() * 1000.0
    }
}
