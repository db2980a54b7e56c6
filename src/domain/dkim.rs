//! DKIM keys of a domain, found by asking: DKIM keys live at `<selector>._domainkey.<domain>`
//! (RFC 6376 §3.6.2.1) and the DNS cannot list the selectors, so the audit asks the ones large
//! providers and signing software use, plus any the caller names, all at once. Finding none
//! proves nothing; finding one shows its type and size (RFC 8301 §3.2, RFC 8463), whether it is
//! revoked (`p=` empty) or in testing (`t=y`).

use serde::Serialize;

use crate::dkim::parse::key_record;
use crate::dkim::{public_key, HashAlgorithm, KeyType};
use crate::dns::{normalize_name, DnsError, RecordData, RecordType, Resolver};
use crate::join::join_all;
use crate::report::{quoted, Finding, Severity};

/// The selectors every audit asks, each the default or documented selector of a mail provider
/// or of signing software, so that the keys of most domains are found without being told:
/// - `google`: Google Workspace's default in the admin console.
/// - `selector1`, `selector2`: Microsoft 365 (CNAMEs to the tenant's keys).
/// - `k1`, `k2`, `k3`: Mailchimp; `mandrill`: Mandrill (Mailchimp Transactional).
/// - `s1`, `s2`: SendGrid's automated-security CNAMEs; `smtpapi`: SendGrid's older one.
/// - `mailjet`: Mailjet; `zoho`, `zmail`: Zoho Mail.
/// - `protonmail`, `protonmail2`, `protonmail3`: Proton Mail's three CNAMEs.
/// - `fm1`, `fm2`, `fm3`: Fastmail; `everlytickey1`, `everlytickey2`: Everlytic.
/// - `amazonses`: Amazon SES's older TXT set-up; `cm`: Campaign Monitor; `ctct1`, `ctct2`:
///   Constant Contact; `hs1`, `hs2`: HubSpot; `zendesk1`, `zendesk2`: Zendesk.
/// - `krs`, `mailo`, `pic`: selectors Mailgun has generated; `mail`: Brevo and Yandex; `sig1`:
///   iCloud custom domains; `x`: MXroute.
/// - `default` (cPanel, Plesk, OpenDKIM's examples), `dkim`, `smtp`, `mx`, `email`, `key1`,
///   `key2`, `dkim1`, `dkim2`, `s1024`, `s2048` (Yahoo's), `mxvault`: names that signing
///   software proposes or administrators pick, frequent in published selector surveys.
///
/// The list is a trade: each name is one more lookup per audit (the DoH budget is 200 per
/// analysis); names used by a single small provider were left out.
pub const COMMON_SELECTORS: &[&str] = &[
    "google",
    "selector1",
    "selector2",
    "k1",
    "k2",
    "k3",
    "mandrill",
    "s1",
    "s2",
    "smtpapi",
    "mailjet",
    "zoho",
    "zmail",
    "protonmail",
    "protonmail2",
    "protonmail3",
    "fm1",
    "fm2",
    "fm3",
    "everlytickey1",
    "everlytickey2",
    "amazonses",
    "cm",
    "ctct1",
    "ctct2",
    "hs1",
    "hs2",
    "zendesk1",
    "zendesk2",
    "krs",
    "mailo",
    "pic",
    "mail",
    "sig1",
    "x",
    "default",
    "dkim",
    "smtp",
    "mx",
    "email",
    "key1",
    "key2",
    "dkim1",
    "dkim2",
    "s1024",
    "s2048",
    "mxvault",
];

/// Selectors the caller may add, at most: each costs a lookup.
pub const MAX_EXTRA_SELECTORS: usize = 16;

/// A selector no one publishes: when it answers, a wildcard does, and every "key found" may be
/// the wildcard's.
const CONTROL_SELECTOR: &str = "mailspect-control-absent";

const RFC_KEY: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1";
const RFC_KEY_SIZE: &str = "https://www.rfc-editor.org/rfc/rfc8301#section-3.2";
const RFC_SHA1: &str = "https://www.rfc-editor.org/rfc/rfc8301#section-3.1";
const RFC_SELECTORS: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.1";

/// Where a selector came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SelectorSource {
    /// From [`COMMON_SELECTORS`].
    Common,
    /// Named by the caller (`--selector`, `selectors` option).
    User,
    /// A name no one publishes, asked to detect a wildcard.
    Control,
}

/// The state of one key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DkimKeyStatus {
    /// Usable: ed25519, or RSA of 2048 bits or more.
    Good,
    /// RSA of 1024 to 2047 bits: verifies today, but below what RFC 8301 recommends.
    Weak,
    /// RSA under 1024 bits: verifiers must not accept it (RFC 8301 §3.2).
    TooShort,
    /// `p=` is empty: the key is revoked (RFC 6376 §3.6.1).
    Revoked,
    /// The record cannot be read as a key.
    Unreadable,
}

/// A key found at a selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DkimKey {
    /// The record, TXT strings joined.
    pub record: String,
    pub ttl: u32,
    pub status: DkimKeyStatus,
    pub key_type: Option<KeyType>,
    /// Key size in bits (256 for ed25519); `null` when revoked or unreadable.
    pub bits: Option<usize>,
    /// `t=y`: testing; verifiers treat the mail as unsigned (RFC 6376 §3.6.1).
    pub testing: bool,
    /// `h=`: the hash algorithms allowed; `null` when absent (any).
    pub hash_algorithms: Option<Vec<HashAlgorithm>>,
    /// `s=` allows email (or is absent).
    pub services_allow_email: bool,
    /// Why the record cannot be used, for `unreadable`.
    pub error: Option<String>,
}

/// One selector asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SelectorProbe {
    pub selector: String,
    pub source: SelectorSource,
    /// `<selector>._domainkey.<domain>`
    pub name: String,
    /// The name the key is really published at, when `name` is an alias (providers delegate
    /// keys with CNAMEs); `null` otherwise.
    pub alias_of: Option<String>,
    /// The keys found (usually one); `[]` when none.
    pub keys: Vec<DkimKey>,
    /// Why the lookup failed, when it failed in a way other than "no such name".
    pub error: Option<DnsError>,
}

/// The DKIM section of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DkimSection {
    /// Every selector asked, common ones first, then the caller's, then the wildcard control.
    pub selectors: Vec<SelectorProbe>,
    /// How many selectors had a key.
    pub keys_found: usize,
    /// Whether a name no one publishes answered too: then found keys may be a wildcard's.
    pub wildcard: bool,
    /// What finding or not finding keys means, for a person.
    pub note: String,
    pub findings: Vec<Finding>,
}

/// Whether `selector` can be asked: dot-separated labels of letters, digits, `-` and `_`
/// (RFC 6376 §3.1 `selector = sub-domain *( "." sub-domain )`; `_` is seen in the wild).
fn valid_selector(selector: &str) -> bool {
    !selector.is_empty()
        && selector.len() <= 200
        && selector.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        })
}

/// The selectors to ask, without repeats, and findings for the caller's unusable ones.
pub fn selectors(extra: &[String]) -> (Vec<(String, SelectorSource)>, Vec<Finding>) {
    let mut chosen: Vec<(String, SelectorSource)> = COMMON_SELECTORS
        .iter()
        .map(|selector| (selector.to_string(), SelectorSource::Common))
        .collect();
    let mut findings = Vec::new();
    let mut added = 0;
    for selector in extra {
        let selector = selector.trim().trim_end_matches('.').to_ascii_lowercase();
        if !valid_selector(&selector) {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "dkim.selector-invalid",
                    format!("{} is not a selector (labels of letters, digits and hyphens); it was not asked.", quoted(&selector)),
                )
                .with_rfc(RFC_SELECTORS),
            );
            continue;
        }
        if chosen.iter().any(|(known, _)| *known == selector) {
            continue;
        }
        if added == MAX_EXTRA_SELECTORS {
            findings.push(Finding::new(
                Severity::Info,
                "dkim.selectors-limited",
                format!("Only the first {MAX_EXTRA_SELECTORS} selectors given were asked."),
            ));
            break;
        }
        added += 1;
        chosen.push((selector, SelectorSource::User));
    }
    chosen.push((CONTROL_SELECTOR.to_string(), SelectorSource::Control));
    (chosen, findings)
}

/// Asks every selector at once.
pub async fn probe<R: Resolver>(domain: &str, extra: &[String], resolver: &R) -> DkimSection {
    let (selectors, mut findings) = selectors(extra);
    let probes = join_all(
        selectors
            .into_iter()
            .map(|(selector, source)| probe_one(domain, selector, source, resolver)),
    )
    .await;
    let wildcard = probes
        .iter()
        .any(|probe| probe.source == SelectorSource::Control && !probe.keys.is_empty());
    let keys_found = probes
        .iter()
        .filter(|probe| probe.source != SelectorSource::Control && !probe.keys.is_empty())
        .count();
    findings.extend(key_findings(domain, &probes, wildcard, keys_found));
    let asked = probes.len().saturating_sub(1);
    let note = if keys_found == 0 {
        format!("No DKIM key was found under the {asked} selectors asked. That proves nothing: the DNS cannot list selectors, and a domain may sign with one not asked here. The selector of real mail is the s= of its DKIM-Signature; give it with --selector.")
    } else {
        format!("{keys_found} of the {asked} selectors asked have a key. Others may exist: the DNS cannot list selectors.")
    };
    DkimSection {
        selectors: probes,
        keys_found,
        wildcard,
        note,
        findings,
    }
}

async fn probe_one<R: Resolver>(
    domain: &str,
    selector: String,
    source: SelectorSource,
    resolver: &R,
) -> SelectorProbe {
    let name = format!("{selector}._domainkey.{domain}");
    let mut probe = SelectorProbe {
        selector,
        source,
        alias_of: None,
        keys: Vec::new(),
        error: None,
        name,
    };
    match resolver.lookup(&probe.name, RecordType::Txt).await {
        Ok(answer) => {
            probe.alias_of = answer.cnames.last().and_then(|record| match &record.data {
                RecordData::Cname { target } => Some(normalize_name(target)),
                _ => None,
            });
            probe.keys = answer
                .records
                .iter()
                .filter_map(|record| Some((record.data.txt_joined()?, record.ttl)))
                .filter_map(|(bytes, ttl)| read_key(&bytes, ttl))
                .collect();
        }
        Err(DnsError::NxDomain | DnsError::NoData) => {}
        Err(error) => probe.error = Some(error),
    }
    probe
}

/// The key a TXT record holds; `None` for a TXT record that is not trying to be one (a
/// wildcard's SPF record, a verification token).
fn read_key(bytes: &[u8], ttl: u32) -> Option<DkimKey> {
    let record = String::from_utf8_lossy(bytes).into_owned();
    let mut key = DkimKey {
        record,
        ttl,
        status: DkimKeyStatus::Unreadable,
        key_type: None,
        bits: None,
        testing: false,
        hash_algorithms: None,
        services_allow_email: true,
        error: None,
    };
    let parsed = match key_record(bytes) {
        Ok(parsed) => parsed,
        Err(error) => {
            let lower = key.record.to_ascii_lowercase();
            if !(lower.contains("v=dkim1") || lower.contains("p=")) {
                return None;
            }
            key.error = Some(format!("{error}"));
            return Some(key);
        }
    };
    key.key_type = Some(parsed.key_type);
    key.testing = parsed.testing;
    key.hash_algorithms = parsed.hash_algorithms.clone();
    key.services_allow_email = parsed.services_allow_email;
    if parsed.public_key.is_empty() {
        key.status = DkimKeyStatus::Revoked;
        return Some(key);
    }
    match public_key(&parsed) {
        Ok(public) => {
            let bits = public.bits();
            key.bits = Some(bits);
            key.status = match public.key_type() {
                KeyType::Ed25519 => DkimKeyStatus::Good,
                KeyType::Rsa if bits < 1024 => DkimKeyStatus::TooShort,
                KeyType::Rsa if bits < 2048 => DkimKeyStatus::Weak,
                KeyType::Rsa => DkimKeyStatus::Good,
            };
        }
        Err(why) => key.error = Some(why),
    }
    Some(key)
}

fn key_findings(
    domain: &str,
    probes: &[SelectorProbe],
    wildcard: bool,
    keys_found: usize,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for probe in probes
        .iter()
        .filter(|probe| probe.source != SelectorSource::Control)
    {
        let name = &probe.name;
        let rotate = format!("Generate a 2048-bit RSA key, publish it under a new selector, sign with it, then revoke the old key by publishing {name}. TXT \"v=DKIM1; p=\"");
        for key in &probe.keys {
            let finding = |severity, code, message: String| {
                Finding::new(severity, code, message)
                    .about_record(name)
                    .with_rfc(RFC_KEY)
            };
            match key.status {
                DkimKeyStatus::TooShort => findings.push(
                    finding(Severity::Error, "dkim.key-too-short", format!("The key at {name} is RSA of {} bits: verifiers must not accept keys under 1024 bits, so mail signed with it is treated as unsigned.", key.bits.unwrap_or(0)))
                        .with_rfc(RFC_KEY_SIZE)
                        .with_fix(rotate.clone()),
                ),
                DkimKeyStatus::Weak => findings.push(
                    finding(Severity::Warning, "dkim.key-weak", format!("The key at {name} is RSA of {} bits; RFC 8301 asks for 2048, since 1024-bit RSA is within reach of well-funded attackers.", key.bits.unwrap_or(0)))
                        .with_rfc(RFC_KEY_SIZE)
                        .with_fix(rotate.clone()),
                ),
                DkimKeyStatus::Revoked => findings.push(finding(
                    Severity::Info,
                    "dkim.key-revoked",
                    format!("The key at {name} is revoked (empty p=): signatures by it fail, as intended for a retired key."),
                )),
                DkimKeyStatus::Unreadable => findings.push(
                    finding(Severity::Error, "dkim.key-unreadable", format!("The record at {name} cannot be used as a key: {}.", key.error.as_deref().unwrap_or("unreadable")))
                        .with_fix(format!("Publish the key exactly as your signing software gives it: {name}. TXT \"v=DKIM1; k=rsa; p=<base64 of the public key>\"")),
                ),
                DkimKeyStatus::Good => {}
            }
            if key.testing {
                findings.push(
                    finding(Severity::Warning, "dkim.key-testing", format!("The key at {name} has t=y (testing): verifiers may treat mail signed with it as unsigned."))
                        .with_fix(format!("When signing works, remove t=y from the record at {name}.")),
                );
            }
            if key.hash_algorithms.as_ref().is_some_and(|hashes| {
                !hashes.is_empty() && hashes.iter().all(|hash| *hash == HashAlgorithm::Sha1)
            }) {
                findings.push(
                    finding(Severity::Warning, "dkim.key-sha1-only", format!("The key at {name} allows only SHA-1 (h=sha1), which verifiers must not accept any more."))
                        .with_rfc(RFC_SHA1)
                        .with_fix(format!("Remove h=sha1 from the record at {name} and sign with rsa-sha256.")),
                );
            }
            if !key.services_allow_email {
                findings.push(finding(
                    Severity::Warning,
                    "dkim.key-not-for-email",
                    format!("The key at {name} has an s= tag that does not include email: verifiers reject it for mail."),
                ));
            }
        }
        if let Some(error) = &probe.error {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "dkim.lookup-failed",
                    format!("The lookup of {name} failed ({error}); a key there was not seen."),
                )
                .about_record(name),
            );
        }
    }
    if wildcard {
        findings.push(
            Finding::new(
                Severity::Info,
                "dkim.wildcard",
                format!("A selector no one publishes ({CONTROL_SELECTOR}._domainkey.{domain}) answers too: a wildcard record answers every selector, so keys found may be the wildcard's."),
            )
            .about_record(domain),
        );
    }
    if keys_found == 0 {
        findings.push(
            Finding::new(
                Severity::Info,
                "dkim.none-found",
                format!("No DKIM key was found for {domain} under the common selectors. That proves nothing (selectors cannot be listed); without DKIM, though, DMARC rests on SPF alone, which forwarding breaks."),
            )
            .about_record(domain)
            .with_rfc(RFC_SELECTORS)
            .with_fix("Look up the s= of a DKIM-Signature in mail you sent and give it with --selector; if your mail is not signed, turn DKIM on at your mail provider."),
        );
    }
    findings
}
