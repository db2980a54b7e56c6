//! Who the message claims to be from: findings about the author and reply addresses, and about
//! the origination fields every message must have once (RFC 5322 §3.6).
//!
//! Runs after intake on the decoded summary; needs no DNS. The receiver's own domains (from the
//! Received analysis) are among the names a look-alike From domain is compared with.

mod confusables;

use crate::message::{decode_field, Message, Summary};
use crate::org_domain::organisation;
use crate::report::{is_hidden_char, quoted, Finding, Severity};

pub use confusables::{mixed_script_labels, punycode_label, skeleton, unicode_domain};

const RFC5322_ORIGINATION: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6";
const RFC5322_MESSAGE_ID: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6.4";
const RFC5322_ORIGINATOR: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6.2";
const RFC5321_RETURN_PATH: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.4";
const UTS39_CONFUSABLES: &str = "https://www.unicode.org/reports/tr39/#Confusable_Detection";
const UTR36_BIDI: &str = "https://www.unicode.org/reports/tr36/#Bidirectional_Text_Spoofing";

/// At most this many fields get a hidden-character finding: a hostile message with thousands
/// would otherwise drown everything else.
const MAX_HIDDEN_CHARACTER_FINDINGS: usize = 20;

/// Fields RFC 5322 §3.6 allows at most once.
const SINGLETONS: [&str; 11] = [
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
];

/// Every finding about the sender and the origination fields.
pub fn sender_findings(
    message: &Message,
    summary: &Summary,
    receiver_domains: &[String],
) -> Vec<Finding> {
    let mut findings = origination_findings(message, summary);
    findings.extend(hidden_character_findings(message));
    let from_address = summary.from.first().and_then(|m| m.address.clone());
    let Some(from_domain) = from_address.as_deref().and_then(domain_of) else {
        return findings;
    };
    let from_org = organisation(&from_domain).unwrap_or_else(|| from_domain.clone());
    let mut others: Vec<(&'static str, String)> = Vec::new();
    for reply_to in summary.reply_to.iter().filter_map(|m| m.address.as_deref()) {
        if let Some(domain) = domain_of(reply_to) {
            others.push(("Reply-To", domain));
        }
    }
    if let Some(return_path) = message.return_path() {
        if let Some(domain) = domain_of(&return_path) {
            others.push(("Return-Path", domain));
        }
    }
    for (label, domain) in &others {
        let org = organisation(domain).unwrap_or_else(|| domain.clone());
        if org == from_org {
            continue;
        }
        let (severity, code, why, rfc) = if *label == "Reply-To" {
            (
                Severity::Warning,
                "sender.reply-to-other-domain",
                "Replies go to another domain than the author's: common in fraud, also in \
                 mailing lists and help desks.",
                RFC5322_ORIGINATOR,
            )
        } else {
            (
                Severity::Info,
                "sender.return-path-other-domain",
                "Bounces go to another domain than the author's, as with mailing services; \
                 DMARC then needs DKIM to align.",
                RFC5321_RETURN_PATH,
            )
        };
        findings.push(
            Finding::new(
                severity,
                code,
                format!("{label} is in {domain}, From in {from_domain}. {why}"),
            )
            .with_rfc(rfc),
        );
    }
    findings.extend(display_name_findings(summary, from_address.as_deref()));
    let mut compared: Vec<String> = others.into_iter().map(|(_, domain)| domain).collect();
    compared.extend(receiver_domains.iter().cloned());
    findings.extend(look_alike_findings(&from_domain, &compared));
    findings
}

/// A display name that carries an address other than the real one: `"ceo@bank.example"
/// <x@attacker.example>`; many clients show only the name.
fn display_name_findings(summary: &Summary, address: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for mailbox in &summary.from {
        let Some(name) = mailbox.name.as_deref() else {
            continue;
        };
        let shown = name
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"' | '\''))
            .find(|word| word.contains('@') && domain_of(word).is_some_and(|d| d.contains('.')));
        if let Some(shown) = shown {
            let real = mailbox.address.as_deref().or(address).unwrap_or_default();
            if !shown.eq_ignore_ascii_case(real) {
                findings.push(
                    Finding::new(
                        Severity::Warning,
                        "sender.display-name-address",
                        format!(
                            "The From display name shows the address {shown}, but the message \
                             is from {real}. Many mail apps show only the name."
                        ),
                    )
                    .with_rfc(RFC5322_ORIGINATOR),
                );
            }
        }
    }
    findings
}

/// A From domain written with letters from two alphabets, or looking like another domain in
/// the message without being it.
fn look_alike_findings(from_domain: &str, compared: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let decoded = unicode_domain(from_domain);
    let mixed = mixed_script_labels(&decoded);
    if !mixed.is_empty() {
        findings.push(
            Finding::new(
                Severity::Warning,
                "sender.mixed-script-domain",
                format!(
                    "The From domain {from_domain} ({decoded}) mixes alphabets in \"{}\": \
                     letters from different scripts that look alike are a phishing technique.",
                    mixed.join("\", \"")
                ),
            )
            .with_rfc(UTS39_CONFUSABLES),
        );
    } else if decoded != crate::case::lowercase(from_domain) || !decoded.is_ascii() {
        findings.push(
            Finding::new(
                Severity::Info,
                "sender.internationalised-domain",
                format!("The From domain {from_domain} is internationalised: it reads {decoded}."),
            )
            .with_rfc("https://www.rfc-editor.org/rfc/rfc5890#section-2.3.2"),
        );
    }
    let from_skeleton = skeleton(&decoded);
    for other in compared {
        let other_decoded = unicode_domain(other);
        if other_decoded != decoded && skeleton(&other_decoded) == from_skeleton {
            findings.push(
                Finding::new(
                    Severity::Error,
                    "sender.look-alike-domain",
                    format!(
                        "The From domain {decoded} and {other_decoded} look alike but are \
                         different domains: one may imitate the other."
                    ),
                )
                .with_rfc(UTS39_CONFUSABLES),
            );
        }
    }
    findings
}

/// Missing Message-ID and duplicated singleton fields.
fn origination_findings(message: &Message, summary: &Summary) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (name, code) in [
        ("From", "message.from-missing"),
        ("Date", "message.date-missing"),
    ] {
        if message.fields_named(name).next().is_none() {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    code,
                    format!("There is no {name} field; every message must have one."),
                )
                .with_rfc(RFC5322_ORIGINATION),
            );
        }
    }
    let from_unreadable = summary.from.iter().all(|mailbox| mailbox.address.is_none());
    if message.fields_named("From").next().is_some() && from_unreadable {
        findings.push(
            Finding::new(
                Severity::Warning,
                "message.from-unreadable",
                "The From field holds no address that could be read.",
            )
            .with_rfc(RFC5322_ORIGINATION),
        );
    }
    if message.first_field("Message-ID").is_none() {
        findings.push(
            Finding::new(
                Severity::Info,
                "message.message-id-missing",
                "There is no Message-ID field; every message should have one, and its absence \
                 is typical of hand-made or bulk mail.",
            )
            .with_rfc(RFC5322_MESSAGE_ID),
        );
    }
    for name in SINGLETONS {
        let mut fields = message.fields_named(name);
        let (Some(_), Some(second)) = (fields.next(), fields.next()) else {
            continue;
        };
        findings.push(
            Finding::new(
                Severity::Warning,
                "message.duplicate-field",
                format!(
                    "There are {} {name} fields; RFC 5322 allows one. Mail apps and signature \
                     checks may read different ones, which forgers exploit.",
                    2 + fields.count()
                ),
            )
            .with_rfc(RFC5322_ORIGINATION)
            .with_span(second.span()),
        );
    }
    findings
}

/// Header fields whose decoded value holds characters a reader cannot see: bidi overrides that
/// reorder what is shown (`Invoice \u{202E}gnp.exe` shows as "Invoice exe.png"), zero-width
/// characters inside names and addresses. The report and the CLI show such characters as
/// `⟨U+202E⟩`; this finding says which field holds them and where.
pub fn hidden_character_findings(message: &Message) -> Vec<Finding> {
    let mut findings = Vec::new();
    for field in &message.fields {
        let value = message.value_bytes(field);
        // Only non-ASCII text, a control byte or an encoded-word can hold a hidden character:
        // plain ASCII fields, nearly all of them, are not decoded again.
        let may_hide = value
            .iter()
            .any(|&b| b >= 0x80 || (b < 0x20 && b != b'\t' && b != b'\r' && b != b'\n'))
            || value.windows(2).any(|pair| pair == b"=?");
        if !may_hide {
            continue;
        }
        let decoded = decode_field(&field.name, value);
        let hidden: Vec<String> = decoded
            .chars()
            .filter(|&c| is_hidden_char(c) && !matches!(c, '\r' | '\n'))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        if hidden.is_empty() {
            continue;
        }
        let mut kinds = hidden.clone();
        kinds.dedup();
        let bidi = decoded.chars().any(|c| {
            matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        });
        findings.push(
            Finding::new(
                if bidi {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                "message.hidden-characters",
                format!(
                    "The {} field holds {} character(s) that are invisible or reorder the text \
                     around them ({}); mail apps may show something other than what it says. \
                     As written, revealed: {}",
                    field.name,
                    hidden.len(),
                    kinds.join(", "),
                    quoted(&decoded.chars().take(300).collect::<String>())
                ),
            )
            .with_rfc(UTR36_BIDI)
            .with_span(field.span()),
        );
        if findings.len() >= MAX_HIDDEN_CHARACTER_FINDINGS {
            break;
        }
    }
    findings
}

/// The domain of an address (`local@domain`, angle brackets and white space allowed), lower
/// case, or `None` when there is no `@`.
fn domain_of(address: &str) -> Option<String> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (_, domain) = address.rsplit_once('@')?;
    let domain = crate::case::lowercase(domain.trim().trim_end_matches('.'));
    (!domain.is_empty()).then_some(domain)
}

#[cfg(test)]
mod tests;
