//! The SMTP envelope a message was delivered with, as far as its headers tell: the connecting
//! IP and HELO name of the receiver's border hop, and MAIL FROM from Return-Path. SPF
//! evaluates this envelope; the user may fix any part of it.
//!
//! Sits after the transport path in the pipeline: it needs the border hop that
//! [`crate::received::analyze_path`] found.

use std::net::IpAddr;

use serde::Serialize;

use crate::message::Message;
use crate::received::Path;

/// The SMTP envelope as the user gave it; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeOverride {
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    pub mail_from: Option<String>,
}

/// The SMTP envelope the analysis evaluates SPF with, and where each part came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Envelope {
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    /// The MAIL FROM address; `""` is the null reverse-path of a bounce.
    pub mail_from: Option<String>,
    /// Where the values came from.
    pub source: EnvelopeSource,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EnvelopeSource {
    /// The user gave at least one part.
    Override,
    /// The border hop of the Received chain.
    Received,
    /// Only MAIL FROM is known, from the topmost Return-Path.
    ReturnPath,
    /// Nothing is known.
    #[default]
    None,
}

/// Works out the envelope: the user's override wins part by part; otherwise the connecting IP and
/// HELO name come from the receiver's border hop (the first hop the receiving organisation
/// stamped, see [`crate::received::Border`]), and MAIL FROM from the topmost Return-Path
/// (RFC 5321 §4.4), where the final delivery agent records it.
pub fn envelope_from_path(message: &Message, envelope: &EnvelopeOverride, path: &Path) -> Envelope {
    let return_path = message.return_path();
    let border = path.hops.iter().find(|hop| hop.border);
    let border_ip = border.and_then(|hop| hop.ip);
    let border_helo = border.and_then(|hop| hop.helo.clone());
    let source = if envelope.ip.is_some() || envelope.helo.is_some() || envelope.mail_from.is_some()
    {
        EnvelopeSource::Override
    } else if border_ip.is_some() {
        EnvelopeSource::Received
    } else if return_path.is_some() {
        EnvelopeSource::ReturnPath
    } else {
        EnvelopeSource::None
    };
    Envelope {
        ip: envelope.ip.or(border_ip),
        helo: envelope.helo.clone().or(border_helo),
        mail_from: envelope.mail_from.clone().or(return_path),
        source,
    }
}
