//! The verdict: the answer a reader wants first, "is the address in From genuine, and how did the
//! message travel?", built from the DMARC, ARC, DKIM and SPF reports and the path.
//!
//! The last stage of the message pipeline, and a pure function of the other stages' reports: it
//! decides nothing they did not, it only says it in plain words. Every sentence names the
//! evidence it rests on; where the evidence is missing (headers only, a DNS failure) it says so
//! rather than guessing.

use serde::Serialize;

use crate::arc::{ArcReport, ArcResult, ForwarderMethod, TrustedForwarder};
use crate::dkim::{DkimReport, DkimResult, Outcome};
use crate::dmarc::{Disposition, DmarcReport, DmarcResult};
use crate::received::{Hop, Transport};
use crate::report::{quoted, Finding, Severity};
use crate::sender::{mixed_script_labels, unicode_domain};

/// How many findings the verdict repeats from the full list.
pub const TOP_FINDINGS: usize = 3;

/// The message's authentication verdict, for people and for the page's verdict card.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Verdict {
    pub status: VerdictStatus,
    /// The From domain as DMARC evaluated it (lower-case A-labels); `null` without one.
    pub from_domain: Option<String>,
    /// The same domain in Unicode, when it has internationalised labels; `null` otherwise.
    pub from_domain_unicode: Option<String>,
    /// What a reader should know about how the domain looks: mixed scripts, a look-alike of
    /// another domain in the message. Empty when nothing is odd.
    pub from_domain_warnings: Vec<String>,
    /// The identifiers that authenticate the From domain (aligned and passing).
    pub aligned_by: Vec<AlignedIdentifier>,
    pub dmarc: DmarcResult,
    /// What a receiver that follows the domain's policy does with the message.
    pub disposition: Disposition,
    /// A trusted forwarder's ARC seal that explains a DMARC failure (RFC 8617 §7.2); `null` when
    /// there is none or DMARC passed.
    pub arc_forwarder: Option<TrustedForwarder>,
    pub transport: PathEncryption,
    /// The most severe findings of the report, at most [`TOP_FINDINGS`].
    pub top_findings: Vec<Finding>,
    /// The verdict in one plain sentence.
    pub sentence: String,
}

/// Whether the author address is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum VerdictStatus {
    /// DMARC passes: an aligned SPF or DKIM pass ties the message to the From domain.
    Authenticated,
    /// An aligned identifier passes, but the domain publishes no DMARC policy: the message is
    /// from the domain, and receivers have no policy to act on.
    AuthenticatedNoPolicy,
    /// Only headers were given: the aligned signature's header part verifies, its body could
    /// not be checked.
    HeaderSignatureOnly,
    /// DMARC fails, but a forwarder's valid ARC seal recorded a pass before the message was
    /// changed on the way.
    ForwarderVouches,
    /// Nothing ties the message to the From domain.
    NotAuthenticated,
    /// It could not be decided: DNS failed, or there is no single From domain.
    Undetermined,
}

/// One identifier that authenticates the From domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AlignedIdentifier {
    pub method: crate::auth_results::Method,
    /// The SPF domain, or the DKIM signature's `d=`.
    pub domain: String,
    /// The DKIM signature's `s=`; `null` for SPF.
    pub selector: Option<String>,
}

/// Whether the hops after the sender were encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PathEncryption {
    pub status: EncryptionStatus,
    /// The hops that crossed a network without TLS (numbers, oldest = 1).
    pub plaintext_hops: Vec<usize>,
    /// The hops whose stamps do not say.
    pub unknown_hops: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EncryptionStatus {
    /// Every hop between hosts was encrypted (hops within one machine or network aside).
    AllEncrypted,
    /// At least one hop between hosts was plaintext.
    NotAllEncrypted,
    /// No hop was plaintext, but some stamps do not say.
    Unknown,
    /// The message has no Received fields.
    NoPath,
}

/// Whether each hop between hosts was encrypted. Hops inside one machine or organisation
/// (`internal`) are left out: they cross no network an eavesdropper can reach. An authenticated
/// submission with TLS details counts as encrypted, without them as unknown.
pub fn path_encryption(hops: &[Hop]) -> PathEncryption {
    let mut plaintext_hops = Vec::new();
    let mut unknown_hops = Vec::new();
    for hop in hops {
        match hop.transport {
            Transport::Encrypted | Transport::Internal => {}
            Transport::AuthenticatedSubmission if hop.tls.is_some() => {}
            Transport::Plaintext => plaintext_hops.push(hop.number),
            Transport::AuthenticatedSubmission | Transport::Unknown => {
                unknown_hops.push(hop.number)
            }
        }
    }
    let status = if hops.is_empty() {
        EncryptionStatus::NoPath
    } else if !plaintext_hops.is_empty() {
        EncryptionStatus::NotAllEncrypted
    } else if !unknown_hops.is_empty() {
        EncryptionStatus::Unknown
    } else {
        EncryptionStatus::AllEncrypted
    };
    PathEncryption {
        status,
        plaintext_hops,
        unknown_hops,
    }
}

/// What the verdict is built from.
pub struct VerdictInput<'a> {
    pub dmarc: &'a DmarcReport,
    pub dkim: &'a [DkimReport],
    pub arc: &'a ArcReport,
    pub arc_forwarder: Option<TrustedForwarder>,
    pub hops: &'a [Hop],
    /// Every finding of the report, most severe first.
    pub findings: &'a [Finding],
}

/// The verdict of one message.
pub fn verdict(input: &VerdictInput<'_>) -> Verdict {
    let dmarc = input.dmarc;
    let from_domain = dmarc.domain.clone();
    let from_domain_unicode = from_domain
        .as_deref()
        .map(unicode_domain)
        .filter(|unicode| Some(unicode) != from_domain.as_ref());
    let from_domain_warnings = domain_warnings(from_domain_unicode.as_deref(), input.findings);
    let mut aligned_by = aligned_identifiers(dmarc);
    if dmarc.result == DmarcResult::None && aligned_by.is_empty() {
        // No policy, so DMARC computed no alignment: the signatures that pass in the From
        // domain's organisation are what authenticates it.
        aligned_by = aligned_without_policy(dmarc, input.dkim)
            .into_iter()
            .map(|report| AlignedIdentifier {
                method: crate::auth_results::Method::Dkim,
                domain: report.domain.clone(),
                selector: Some(report.selector.clone()),
            })
            .collect();
    }
    let header_only = header_only_alignment(dmarc, input.dkim);
    // A forwarder's seal explains a DMARC failure (RFC 8617 §7.2); a seal by the From domain's
    // own organisation is the sender's system, not a forwarder that saw the message pass.
    let from_org = from_domain.as_deref().map(|domain| {
        crate::org_domain::organisation(domain).unwrap_or_else(|| domain.to_string())
    });
    let arc_forwarder = match dmarc.result {
        DmarcResult::Fail => input.arc_forwarder.clone().filter(|forwarder| {
            crate::org_domain::organisation(&forwarder.sealer).as_ref() != from_org.as_ref()
        }),
        _ => None,
    };
    let status = match dmarc.result {
        DmarcResult::Pass => VerdictStatus::Authenticated,
        DmarcResult::Temperror | DmarcResult::Permerror => VerdictStatus::Undetermined,
        _ if arc_forwarder.is_some() => VerdictStatus::ForwarderVouches,
        DmarcResult::None if !aligned_without_policy(dmarc, input.dkim).is_empty() => {
            VerdictStatus::AuthenticatedNoPolicy
        }
        _ if header_only.is_some() => VerdictStatus::HeaderSignatureOnly,
        DmarcResult::None | DmarcResult::Fail => VerdictStatus::NotAuthenticated,
    };
    let transport = path_encryption(input.hops);
    let shown = from_domain_unicode
        .clone()
        .or_else(|| from_domain.clone())
        .unwrap_or_else(|| "the From domain".into());
    let sentence = sentence(&SentenceParts {
        status,
        domain: &shown,
        dmarc,
        dkim: input.dkim,
        aligned_by: &aligned_by,
        header_only,
        forwarder: arc_forwarder.as_ref(),
        arc: input.arc,
        transport: &transport,
    });
    Verdict {
        status,
        from_domain,
        from_domain_unicode,
        from_domain_warnings,
        aligned_by,
        dmarc: dmarc.result,
        disposition: dmarc.disposition,
        arc_forwarder,
        transport,
        top_findings: input
            .findings
            .iter()
            .filter(|finding| finding.severity >= Severity::Warning)
            .take(TOP_FINDINGS)
            .cloned()
            .collect(),
        sentence,
    }
}

/// The sender checks' findings about the From domain's looks, as short notes.
fn domain_warnings(unicode: Option<&str>, findings: &[Finding]) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(unicode) = unicode {
        let mixed = mixed_script_labels(unicode);
        if mixed.is_empty() {
            warnings.push(format!(
                "The domain has internationalised labels: it is written {} in Unicode.",
                quoted(unicode)
            ));
        } else {
            warnings.push(format!(
                "The domain mixes scripts in {}: letters from different alphabets that can look \
                 alike.",
                mixed
                    .iter()
                    .map(|label| quoted(label))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for finding in findings
        .iter()
        .filter(|finding| finding.code == "sender.look-alike-domain")
    {
        warnings.push(finding.message.clone());
    }
    warnings
}

fn aligned_identifiers(dmarc: &DmarcReport) -> Vec<AlignedIdentifier> {
    use crate::auth_results::Method;
    use crate::dmarc::align::AlignmentResult;
    let mut aligned = Vec::new();
    for check in dmarc
        .dkim
        .iter()
        .filter(|check| check.result == AlignmentResult::Pass)
    {
        if let Some(domain) = &check.identifier {
            aligned.push(AlignedIdentifier {
                method: Method::Dkim,
                domain: domain.clone(),
                selector: check.selector.clone(),
            });
        }
    }
    if let Some(check) = dmarc
        .spf
        .as_ref()
        .filter(|check| check.result == AlignmentResult::Pass)
    {
        if let Some(domain) = &check.identifier {
            aligned.push(AlignedIdentifier {
                method: Method::Spf,
                domain: domain.clone(),
                selector: None,
            });
        }
    }
    aligned
}

/// Without a DMARC record, DMARC computes no alignment: the DKIM signatures that pass with a
/// `d=` in the From domain's organisation (by the Public Suffix List, as RFC 7489 would) still
/// show who sent it.
fn aligned_without_policy<'a>(dmarc: &DmarcReport, dkim: &'a [DkimReport]) -> Vec<&'a DkimReport> {
    let Some(from) = dmarc.domain.as_deref() else {
        return Vec::new();
    };
    let from_org = crate::org_domain::organisation(from).unwrap_or_else(|| from.to_string());
    dkim.iter()
        .filter(|report| report.result == DkimResult::Pass)
        .filter(|report| {
            crate::org_domain::organisation(&report.domain).as_deref() == Some(from_org.as_str())
        })
        .collect()
}

/// A signature whose header part verifies with a `d=` in the From domain's organisation, when
/// only headers were given.
fn header_only_alignment<'a>(
    dmarc: &DmarcReport,
    dkim: &'a [DkimReport],
) -> Option<&'a DkimReport> {
    let from = dmarc.domain.as_deref()?;
    let from_org = crate::org_domain::organisation(from).unwrap_or_else(|| from.to_string());
    dkim.iter().find(|report| {
        report.outcome == Outcome::HeaderSignatureValidBodyNotChecked
            && crate::org_domain::organisation(&report.domain).as_deref() == Some(from_org.as_str())
    })
}

struct SentenceParts<'a> {
    status: VerdictStatus,
    domain: &'a str,
    dmarc: &'a DmarcReport,
    dkim: &'a [DkimReport],
    aligned_by: &'a [AlignedIdentifier],
    header_only: Option<&'a DkimReport>,
    forwarder: Option<&'a TrustedForwarder>,
    arc: &'a ArcReport,
    transport: &'a PathEncryption,
}

/// The verdict in one sentence: who sent it, and on what evidence; then the transport.
fn sentence(parts: &SentenceParts<'_>) -> String {
    use crate::auth_results::Method;
    let domain = parts.domain;
    let mut sentence = match parts.status {
        VerdictStatus::Authenticated => {
            let evidence = match parts.aligned_by.first() {
                Some(identifier) if identifier.method == Method::Dkim => format!(
                    "the DKIM signature of {} verifies and matches the From address",
                    identifier.domain
                ),
                Some(identifier) => format!(
                    "the server that delivered it is allowed to send for {} (SPF), which matches \
                     the From address",
                    identifier.domain
                ),
                None => "an authenticated identifier matches the From address".into(),
            };
            format!("Sent by {domain}: {evidence}.")
        }
        VerdictStatus::AuthenticatedNoPolicy => {
            let signer = aligned_without_policy(parts.dmarc, parts.dkim)
                .first()
                .map_or_else(|| domain.to_string(), |report| report.domain.clone());
            format!(
                "Sent by {domain}: the DKIM signature of {signer} verifies and matches the From \
                 address, but {domain} publishes no DMARC policy, so receivers have none to apply."
            )
        }
        VerdictStatus::HeaderSignatureOnly => {
            let signer = parts
                .header_only
                .map_or_else(|| domain.to_string(), |report| report.domain.clone());
            format!(
                "Probably sent by {domain}: the DKIM signature of {signer} matches the From address \
                 and its header part verifies; the body was not given, so it was not checked."
            )
        }
        VerdictStatus::ForwarderVouches => {
            let forwarder = parts.forwarder.map_or("a forwarder", |f| f.sealer.as_str());
            let what = match parts.forwarder.map(|f| f.method) {
                Some(ForwarderMethod::Dkim) => "an aligned DKIM pass",
                Some(ForwarderMethod::Spf) => "an aligned SPF pass",
                _ => "a DMARC pass",
            };
            format!(
                "Not verifiable as sent by {domain} now: the message was changed on the way, but \
                 {forwarder}, which forwarded it, sealed it with ARC after recording {what}; \
                 receivers that trust {forwarder}'s seals accept it (RFC 8617 §7.2)."
            )
        }
        VerdictStatus::NotAuthenticated => match parts.dmarc.result {
            DmarcResult::Fail => {
                let policy = match parts.dmarc.disposition {
                    Disposition::Reject => {
                        format!(", and {domain} asks receivers to reject such mail")
                    }
                    Disposition::Quarantine => {
                        format!(", and {domain} asks receivers to treat such mail as suspicious")
                    }
                    Disposition::None => {
                        format!("; {domain}'s policy asks receivers to deliver it anyway (p=none)")
                    }
                };
                let arc = if parts.arc.result == ArcResult::Pass {
                    " Its ARC chain is valid, but no sealer recorded a pass that would explain the failure."
                } else {
                    ""
                };
                format!(
                    "Not shown to be from {domain}: neither SPF nor DKIM gives a pass that matches \
                     the From address{policy}.{arc}"
                )
            }
            _ => {
                let mut signers: Vec<&str> = parts
                    .dkim
                    .iter()
                    .filter(|report| report.result == DkimResult::Pass)
                    .map(|report| report.domain.as_str())
                    .collect();
                signers.dedup();
                match signers.as_slice() {
                    [] => format!(
                        "Anyone could have sent this: {domain} publishes no DMARC policy and \
                         nothing matches the From address."
                    ),
                    signers => {
                        format!(
                        "Not shown to be from {domain}: {domain} publishes no DMARC policy and \
                         nothing that verifies matches the From address. The valid DKIM \
                         {} of {} {} who handled it, not who wrote it.",
                        if signers.len() == 1 { "signature" } else { "signatures" },
                        signers.join(", "),
                        if signers.len() == 1 { "shows" } else { "show" }
                    )
                    }
                }
            }
        },
        VerdictStatus::Undetermined => match parts.dmarc.result {
            DmarcResult::Temperror => format!(
                "Could not be decided: a DNS lookup failed while checking {domain}; try again \
                 later."
            ),
            _ => format!("Could not be decided: {}", parts.dmarc.reason),
        },
    };
    let transport = match parts.transport.status {
        EncryptionStatus::AllEncrypted => {
            Some("Every hop between servers was encrypted.".to_string())
        }
        EncryptionStatus::NotAllEncrypted => Some(format!(
            "{} between servers {} not encrypted.",
            hop_list(&parts.transport.plaintext_hops),
            if parts.transport.plaintext_hops.len() == 1 {
                "was"
            } else {
                "were"
            }
        )),
        EncryptionStatus::Unknown | EncryptionStatus::NoPath => None,
    };
    if let Some(transport) = transport {
        sentence.push(' ');
        sentence.push_str(&transport);
    }
    sentence
}

fn hop_list(hops: &[usize]) -> String {
    match hops {
        [one] => format!("Hop {one}"),
        _ => format!(
            "Hops {}",
            hops.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
