//! Bulk-sender readiness: which of the Gmail and Yahoo sender requirements (in force since
//! February 2024) a message shows it meets, and which it shows it does not.
//!
//! Where it sits in the pipeline: at the end. The analysis has already run SPF, DKIM, DMARC,
//! the Received path and `iprev` on the border hop; it reduces their reports to a [`BulkInput`]
//! of plain facts and [`checklist`] decides, a pure function with nothing to look up. The list
//! header fields are read from the message by [`list_headers`].
//!
//! What a message cannot show is left out: spam rates, volume (whether the sender sends 5,000
//! messages a day, Gmail's line for "bulk"), honouring unsubscriptions within two days, and the
//! visible unsubscribe link in the body. Whether the message is bulk mail is guessed from its
//! list header fields ([`BulkChecklist::applies`]); requirements for bulk senders are checked
//! either way, because a message without those fields may still come from a bulk sender.
//!
//! A headers-only paste leaves DKIM's `pass` unproven (the body hash was not checked): such a
//! signature counts as `unknown`, never as met, and never as not met either unless the
//! requirement would fail whatever its body (a `d=` that does not align).

mod facts;
mod unsubscribe;

use serde::Serialize;

use crate::dkim::{DkimReport, DkimResult, Outcome};
use crate::dmarc::Policy;
use crate::iprev::IprevResult;
use crate::received::{Hop, Transport};
use crate::report::quoted;

pub use unsubscribe::{
    list_headers, list_unsubscribe, ListHeaders, UnsubscribeUri, UriScheme, MAX_UNSUBSCRIBE_URIS,
    MAX_URI_BYTES,
};

/// Google's "Email sender guidelines".
pub const GMAIL_GUIDELINES: &str = "https://support.google.com/a/answer/81126";
/// Yahoo's "Sender Best Practices".
pub const YAHOO_GUIDELINES: &str = "https://senders.yahooinc.com/best-practices/";

const RFC_ALIGNMENT: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.4";
const RFC_DMARC: &str = "https://www.rfc-editor.org/rfc/rfc9989";
const RFC_IPREV: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-3";
const RFC_STARTTLS: &str = "https://www.rfc-editor.org/rfc/rfc3207";
const RFC_ONE_CLICK: &str = "https://www.rfc-editor.org/rfc/rfc8058#section-3.1";
const RFC_ONE_CLICK_SIGNED: &str = "https://www.rfc-editor.org/rfc/rfc8058#section-4";

/// What the checklist is computed from: plain facts taken from the other reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkInput {
    pub spf: SpfFacts,
    /// Every DKIM signature of the message, in any order.
    pub dkim: Vec<SignatureFacts>,
    pub dmarc: DmarcPublished,
    /// The hop into the receiver; `None` when the path has no border hop.
    pub border: Option<BorderFacts>,
    pub list: ListHeaders,
}

/// SPF as the checklist needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpfFacts {
    /// Whether SPF passed; `None` when it was not evaluated or could not be (no connecting IP,
    /// `temperror`).
    pub passed: Option<bool>,
    /// Whether the SPF domain aligns with the From domain as a name, whatever SPF's result
    /// (`crate::dmarc::AlignmentCheck::aligned`); `None` when not known (no From, no SPF domain,
    /// an organisational domain left undetermined).
    pub aligned: Option<bool>,
}

/// Where one DKIM signature's verification got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureState {
    /// `pass`: header signature and body hash verified.
    Passed,
    /// It may pass, but this analysis cannot say: only headers were given (the header signature
    /// verified, the body was not checked), the key lookup failed temporarily, or the signature
    /// was beyond the verifier's limit.
    Undetermined,
    /// Any other result.
    NotPassed,
}

/// One DKIM signature as the checklist needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFacts {
    /// `d=`.
    pub domain: String,
    pub state: SignatureState,
    /// Whether `d=` aligns with the From domain as a name, whatever the signature's result;
    /// `None` when not known.
    pub aligned: Option<bool>,
    /// `h=`, in order, as written.
    pub signed_headers: Vec<String>,
}

impl SignatureFacts {
    /// The facts of a verified signature; `aligned` comes from DMARC
    /// (`crate::dmarc::AlignmentCheck::aligned` of the same signature).
    pub fn from_report(report: &DkimReport, aligned: Option<bool>) -> Self {
        let state = match (report.result, report.outcome) {
            (DkimResult::Pass, _) => SignatureState::Passed,
            (DkimResult::Temperror, _)
            | (_, Outcome::HeaderSignatureValidBodyNotChecked | Outcome::TooManySignatures) => {
                SignatureState::Undetermined
            }
            _ => SignatureState::NotPassed,
        };
        SignatureFacts {
            domain: report.domain.clone(),
            state,
            aligned,
            signed_headers: report.signed_headers.clone(),
        }
    }
}

/// Whether the From domain publishes a DMARC policy (its own record, or its organisational
/// domain's, whose `sp=` or `p=` covers it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DmarcPublished {
    /// A record with this policy applies (`p=none` included: both providers accept it).
    Policy(Policy),
    /// DMARC discovery found no record.
    NotPublished,
    /// Not known: no single From domain, or a lookup failed temporarily.
    #[default]
    Unknown,
}

/// The border hop as the checklist needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BorderFacts {
    pub transport: Transport,
    /// Whether the stamp records TLS details (a version, a cipher, an `S` protocol type). An
    /// authenticated submission's transport is `authenticated-submission` even over TLS, so
    /// this is asked separately.
    pub tls: bool,
    /// The `iprev` result of the hop's connecting IP; `None` when the hop has no IP or the
    /// check was not run.
    pub iprev: Option<IprevResult>,
}

impl BorderFacts {
    pub fn from_hop(hop: &Hop, iprev: Option<IprevResult>) -> Self {
        BorderFacts {
            transport: hop.transport,
            tls: hop.tls.is_some(),
            iprev,
        }
    }
}

/// The requirements, in the order the checklist lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Requirement {
    /// All senders: SPF or DKIM passes (aligned or not).
    SpfOrDkim,
    /// Bulk senders: the From domain aligns with a passing SPF or DKIM identity (DMARC passes).
    SpfOrDkimAligned,
    /// Bulk senders: the From domain publishes a DMARC policy, `p=none` included.
    DmarcPublished,
    /// Bulk senders (Gmail: over 5,000 messages a day; Yahoo: bulk): both SPF and DKIM pass.
    SpfAndDkim,
    /// All senders: the sending IP has forward-confirmed reverse DNS.
    Iprev,
    /// All senders (Gmail): the message reached the receiver over TLS.
    Tls,
    /// Subscribed and marketing mail: RFC 8058 one-click unsubscribe.
    OneClickUnsubscribe,
    /// Subscribed and marketing mail: a passing DKIM signature covers both unsubscribe fields.
    UnsubscribeSigned,
}

/// Whether the message shows the requirement met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Met,
    NotMet,
    /// The requirement is not for this message (no list header fields: not subscribed mail).
    NotApplicable,
    /// The input does not tell: a check was not run, failed temporarily, or could not finish.
    Unknown,
}

/// Who the requirement applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    AllSenders,
    /// Senders of bulk mail; a single message cannot show the volume, so it is checked anyway.
    BulkSenders,
    /// Marketing and subscribed messages of bulk senders: not applicable to other messages.
    SubscribedMail,
}

/// A mailbox provider whose published requirements the checklist follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    Gmail,
    Yahoo,
}

impl Provider {
    /// The provider's page stating its requirements.
    pub fn guidelines(self) -> &'static str {
        match self {
            Provider::Gmail => GMAIL_GUIDELINES,
            Provider::Yahoo => YAHOO_GUIDELINES,
        }
    }
}

/// One requirement and what the message shows about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ChecklistItem {
    pub requirement: Requirement,
    pub status: Status,
    pub scope: Scope,
    /// The providers that state the requirement.
    pub required_by: Vec<Provider>,
    /// What was seen, in plain words.
    pub evidence: String,
    /// The page of the first provider in `required_by` that states it.
    pub source: &'static str,
    /// The RFC section the requirement rests on, as a URL; `null` when none does.
    pub rfc: Option<&'static str>,
}

/// The bulk-sender checklist of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct BulkChecklist {
    /// Whether the message looks like bulk mail: it has `List-Unsubscribe` or `List-Id`, or
    /// `Precedence: bulk` or `list`.
    pub applies: bool,
    /// The fields that make it look so, e.g. `List-Id`, `Precedence: bulk`.
    pub bulk_signals: Vec<String>,
    /// Every requirement, in the order of [`Requirement`].
    pub items: Vec<ChecklistItem>,
}

/// The checklist of the facts in `input`.
pub fn checklist(input: &BulkInput) -> BulkChecklist {
    let bulk_signals = input.list.bulk_signals();
    let applies = !bulk_signals.is_empty();
    let gmail_and_yahoo = [Provider::Gmail, Provider::Yahoo];
    let items = vec![
        item(
            Requirement::SpfOrDkim,
            Scope::AllSenders,
            &gmail_and_yahoo,
            None,
            spf_or_dkim(input),
        ),
        item(
            Requirement::SpfOrDkimAligned,
            Scope::BulkSenders,
            &gmail_and_yahoo,
            Some(RFC_ALIGNMENT),
            aligned(input),
        ),
        item(
            Requirement::DmarcPublished,
            Scope::BulkSenders,
            &gmail_and_yahoo,
            Some(RFC_DMARC),
            dmarc_published(input.dmarc),
        ),
        item(
            Requirement::SpfAndDkim,
            Scope::BulkSenders,
            &gmail_and_yahoo,
            None,
            spf_and_dkim(input),
        ),
        item(
            Requirement::Iprev,
            Scope::AllSenders,
            &gmail_and_yahoo,
            Some(RFC_IPREV),
            iprev(input.border),
        ),
        item(
            Requirement::Tls,
            Scope::AllSenders,
            &[Provider::Gmail],
            Some(RFC_STARTTLS),
            tls(input.border),
        ),
        item(
            Requirement::OneClickUnsubscribe,
            Scope::SubscribedMail,
            &gmail_and_yahoo,
            Some(RFC_ONE_CLICK),
            one_click(applies, &input.list),
        ),
        item(
            Requirement::UnsubscribeSigned,
            Scope::SubscribedMail,
            &gmail_and_yahoo,
            Some(RFC_ONE_CLICK_SIGNED),
            unsubscribe_signed(applies, input),
        ),
    ];
    BulkChecklist {
        applies,
        bulk_signals,
        items,
    }
}

fn item(
    requirement: Requirement,
    scope: Scope,
    required_by: &[Provider],
    rfc: Option<&'static str>,
    (status, evidence): (Status, String),
) -> ChecklistItem {
    ChecklistItem {
        requirement,
        status,
        scope,
        required_by: required_by.to_vec(),
        evidence,
        source: required_by
            .first()
            .map_or(GMAIL_GUIDELINES, |provider| provider.guidelines()),
        rfc,
    }
}

/// A three-valued fact: `Some(true)`, `Some(false)` or not known.
type Fact = Option<bool>;

/// Kleene's "or": true if either is, false if both are, otherwise unknown.
fn either(left: Fact, right: Fact) -> Fact {
    match (left, right) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Kleene's "and": false if either is, true if both are, otherwise unknown.
fn both(left: Fact, right: Fact) -> Fact {
    match (left, right) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// A signature's state as a fact: passed, did not, or cannot tell.
fn signature_passed(signature: &SignatureFacts) -> Fact {
    match signature.state {
        SignatureState::Passed => Some(true),
        SignatureState::NotPassed => Some(false),
        SignatureState::Undetermined => None,
    }
}

/// Whether some signature passes with `extra` also holding: the "or" over signatures.
fn any_signature(input: &BulkInput, extra: impl Fn(&SignatureFacts) -> Fact) -> Fact {
    input
        .dkim
        .iter()
        .map(|signature| both(signature_passed(signature), extra(signature)))
        .fold(Some(false), either)
}

fn status(fact: Fact) -> Status {
    match fact {
        Some(true) => Status::Met,
        Some(false) => Status::NotMet,
        None => Status::Unknown,
    }
}

fn spf_words(spf: SpfFacts) -> &'static str {
    match spf.passed {
        Some(true) => "SPF passed",
        Some(false) => "SPF did not pass",
        None => "SPF was not evaluated or failed temporarily",
    }
}

fn dkim_words(input: &BulkInput) -> String {
    if input.dkim.is_empty() {
        return "the message has no DKIM signature".into();
    }
    let described: Vec<String> = input
        .dkim
        .iter()
        .map(|signature| {
            let state = match signature.state {
                SignatureState::Passed => "passed",
                SignatureState::NotPassed => "did not pass",
                SignatureState::Undetermined => "could not be fully verified",
            };
            format!("d={} {state}", quoted(&signature.domain))
        })
        .collect();
    format!("DKIM: {}", described.join("; "))
}

fn spf_or_dkim(input: &BulkInput) -> (Status, String) {
    let dkim = any_signature(input, |_| Some(true));
    let fact = either(input.spf.passed, dkim);
    let mut evidence = format!("{}; {}.", spf_words(input.spf), dkim_words(input));
    let undetermined = input
        .dkim
        .iter()
        .any(|signature| signature.state == SignatureState::Undetermined);
    if fact.is_none() && undetermined {
        evidence.push_str(
            " A signature that could not be fully verified (a headers-only paste, or a key \
             lookup that failed temporarily) is not counted as passing.",
        );
    }
    (status(fact), evidence)
}

fn aligned(input: &BulkInput) -> (Status, String) {
    let spf = both(input.spf.passed, input.spf.aligned);
    let dkim = any_signature(input, |signature| signature.aligned);
    let fact = either(spf, dkim);
    let alignment = |fact: Fact| match fact {
        Some(true) => "aligns with the From domain",
        Some(false) => "does not align with the From domain",
        None => "has an alignment that could not be determined",
    };
    let mut parts = vec![format!(
        "{}, and its domain {}",
        spf_words(input.spf),
        alignment(input.spf.aligned)
    )];
    for signature in &input.dkim {
        parts.push(format!(
            "DKIM d={} {}",
            quoted(&signature.domain),
            alignment(signature.aligned)
        ));
    }
    let verdict = match fact {
        Some(true) => "DMARC alignment is met",
        Some(false) => "no passing identity aligns with the From domain",
        None => "whether a passing identity aligns cannot be told from this input",
    };
    (status(fact), format!("{}; {verdict}.", parts.join("; ")))
}

fn dmarc_published(dmarc: DmarcPublished) -> (Status, String) {
    match dmarc {
        DmarcPublished::Policy(policy) => (
            Status::Met,
            format!(
                "The From domain publishes a DMARC policy (p={}).",
                policy.word()
            ),
        ),
        DmarcPublished::NotPublished => (
            Status::NotMet,
            "The From domain publishes no DMARC record, nor does its organisational domain.".into(),
        ),
        DmarcPublished::Unknown => (
            Status::Unknown,
            "DMARC discovery did not finish (no single From domain, or a lookup failed).".into(),
        ),
    }
}

fn spf_and_dkim(input: &BulkInput) -> (Status, String) {
    let dkim = any_signature(input, |_| Some(true));
    let fact = both(input.spf.passed, dkim);
    (
        status(fact),
        format!("{}; {}.", spf_words(input.spf), dkim_words(input)),
    )
}

fn iprev(border: Option<BorderFacts>) -> (Status, String) {
    let Some(border) = border else {
        return (
            Status::Unknown,
            "The Received path has no border hop, so the sending IP is not known.".into(),
        );
    };
    match border.iprev {
        Some(IprevResult::Pass) => (
            Status::Met,
            "The border hop's IP has a reverse DNS name that maps back to it (iprev pass).".into(),
        ),
        Some(result @ (IprevResult::Fail | IprevResult::Permerror)) => (
            Status::NotMet,
            format!(
                "The border hop's IP has no reverse DNS name that maps back to it (iprev {}).",
                result.word()
            ),
        ),
        Some(IprevResult::Temperror) => (
            Status::Unknown,
            "The reverse DNS check of the border hop's IP failed temporarily (iprev temperror)."
                .into(),
        ),
        None => (
            Status::Unknown,
            "The reverse DNS of the border hop's IP was not checked (no IP, or no DNS).".into(),
        ),
    }
}

fn tls(border: Option<BorderFacts>) -> (Status, String) {
    let Some(border) = border else {
        return (
            Status::Unknown,
            "The Received path has no border hop, so how the message arrived is not known.".into(),
        );
    };
    if border.tls || border.transport == Transport::Encrypted {
        return (
            Status::Met,
            "The border hop's Received field records TLS.".into(),
        );
    }
    match border.transport {
        Transport::Plaintext => (
            Status::NotMet,
            "The border hop's Received field records SMTP without TLS.".into(),
        ),
        // An authenticated submission, an internal hop or an unreadable stamp does not say
        // whether TLS was used; saying "not met" would blame the sender for the stamp.
        _ => (
            Status::Unknown,
            "The border hop's Received field does not say whether TLS was used.".into(),
        ),
    }
}

/// A URI for a sentence: quoted, and cut if long, so that the evidence stays readable.
fn shown_uri(uri: &str) -> String {
    const SHOWN_CHARS: usize = 120;
    if uri.chars().count() <= SHOWN_CHARS {
        return quoted(uri);
    }
    let cut: String = uri.chars().take(SHOWN_CHARS).collect();
    quoted(&format!("{cut}…"))
}

fn one_click(applies: bool, list: &ListHeaders) -> (Status, String) {
    if !applies {
        return (
            Status::NotApplicable,
            "The message has no list header fields, so it does not look like subscribed mail."
                .into(),
        );
    }
    let https = list.https_uri();
    let post = list.one_click_post();
    let mut evidence = match (https, list.list_unsubscribe_fields) {
        (Some(uri), _) => format!("List-Unsubscribe offers the https URI {}", shown_uri(uri)),
        (None, 0) => "There is no List-Unsubscribe field".to_string(),
        (None, _) => "List-Unsubscribe offers no https URI".to_string(),
    };
    match list.list_unsubscribe_post.as_deref() {
        _ if post => {
            evidence.push_str(", and List-Unsubscribe-Post is List-Unsubscribe=One-Click.")
        }
        Some(value) => evidence.push_str(&format!(
            ", and List-Unsubscribe-Post is {}, not List-Unsubscribe=One-Click.",
            quoted(value)
        )),
        None => evidence.push_str(", and there is no List-Unsubscribe-Post field."),
    }
    if list.list_unsubscribe_fields > 1 {
        evidence.push_str(&format!(
            " The message has {} List-Unsubscribe fields; the topmost was read.",
            list.list_unsubscribe_fields
        ));
    }
    let fact = https.is_some() && post;
    (status(Some(fact)), evidence)
}

/// How many times `name` appears in `h=`: each one covers one instance of the field, from the
/// bottom up (RFC 6376 §5.4.2).
fn times_signed(signature: &SignatureFacts, name: &str) -> usize {
    signature
        .signed_headers
        .iter()
        .filter(|signed| signed.trim().eq_ignore_ascii_case(name))
        .count()
}

/// Whether `signature` covers every instance of both unsubscribe fields. A field listed once in
/// `h=` covers only the bottom-most instance, so a copy added above it is not covered: that copy
/// is the one a reader takes.
fn covers_unsubscribe(signature: &SignatureFacts, list: &ListHeaders) -> bool {
    times_signed(signature, "List-Unsubscribe") >= list.list_unsubscribe_fields.max(1)
        && times_signed(signature, "List-Unsubscribe-Post")
            >= list.list_unsubscribe_post_fields.max(1)
}

fn unsubscribe_signed(applies: bool, input: &BulkInput) -> (Status, String) {
    let list = &input.list;
    if !applies {
        return (
            Status::NotApplicable,
            "The message has no list header fields, so it does not look like subscribed mail."
                .into(),
        );
    }
    if list.list_unsubscribe_fields == 0 || list.list_unsubscribe_post_fields == 0 {
        return (
            Status::NotApplicable,
            "The message does not have both List-Unsubscribe and List-Unsubscribe-Post, so \
             there is no one-click unsubscribe to sign."
                .into(),
        );
    }
    let fact = any_signature(input, |signature| Some(covers_unsubscribe(signature, list)));
    let covering: Vec<String> = input
        .dkim
        .iter()
        .filter(|signature| covers_unsubscribe(signature, list))
        .map(|signature| format!("d={}", quoted(&signature.domain)))
        .collect();
    let evidence = match fact {
        Some(true) => format!(
            "A passing DKIM signature covers List-Unsubscribe and List-Unsubscribe-Post ({}).",
            covering.join(", ")
        ),
        None => format!(
            "A DKIM signature covering both fields ({}) could not be fully verified.",
            covering.join(", ")
        ),
        Some(false) if covering.is_empty() => {
            "No DKIM signature covers every List-Unsubscribe and List-Unsubscribe-Post field."
                .into()
        }
        Some(false) => format!(
            "The DKIM signatures covering both fields ({}) did not pass.",
            covering.join(", ")
        ),
    };
    (status(fact), evidence)
}

#[cfg(test)]
mod tests;
