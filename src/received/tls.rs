//! TLS details from a stamp's comments and `with` words.
//!
//! No RFC fixes how a receiver records TLS; each MTA documents its own words:
//! Postfix `(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))`
//! (`smtpd_tls_received_header`), Sendmail, Proofpoint and Gmail
//! `(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT)`, Exchange
//! `(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)` or `(TLS)`, Exim
//! `(TLS1.3) tls TLS_AES_256_GCM_SHA384` or `(TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256)`,
//! Mimecast `with STARTTLS`, Gmail `(Google Transport Security)`.

use serde::Serialize;

/// What a stamp says about TLS on its hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsDetails {
    /// The protocol version, normalised (`TLS 1.3`), when the stamp names it.
    pub version: Option<String>,
    /// The cipher suite as written.
    pub cipher: Option<String>,
    /// The version is older than TLS 1.2: TLS 1.0 and 1.1 are deprecated (RFC 8996), SSL is broken.
    pub outdated: bool,
    /// The words the details were read from.
    pub evidence: String,
}

/// The TLS details in `texts` (the comments and `with` words of one stamp), if any mention TLS.
pub fn tls_details<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<TlsDetails> {
    let mut version = None;
    let mut cipher = None;
    let mut evidence = None;
    for text in texts {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|word| !word.is_empty())
            .collect();
        let mut mentioned = false;
        for (index, word) in words.iter().enumerate() {
            let lower = word.to_ascii_lowercase();
            let next = words.get(index + 1).copied();
            if let Some(value) = lower.strip_prefix("version=") {
                version = version.or_else(|| normalise_version(value));
                mentioned |= version.is_some();
            } else if lower.starts_with("cipher=") {
                cipher = cipher.or_else(|| word.get(7..).map(str::to_string));
                mentioned = true;
            } else if lower == "cipher" && index > 0 {
                // Postfix: `with cipher NAME`.
                cipher = cipher.or_else(|| next.map(str::to_string));
                mentioned = true;
            } else if lower == "tls" && next.is_some_and(looks_like_cipher) {
                // Exim 4.95 and later: `tls TLS_AES_256_GCM_SHA384`.
                cipher = cipher.or_else(|| next.map(str::to_string));
                mentioned = true;
            } else if let Some(found) = normalise_version(word) {
                version = version.or(Some(found));
                // Exim before 4.95: `TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256`.
                if let Some(name) = word
                    .split(':')
                    .nth(1)
                    .filter(|name| looks_like_cipher(name))
                {
                    cipher = cipher.or_else(|| Some(name.to_string()));
                }
                mentioned = true;
            } else if matches!(lower.as_str(), "tls" | "starttls" | "smtps")
                || (lower == "transport"
                    && index > 0
                    && crate::find::contains(text, "Google Transport Security"))
            {
                mentioned = true;
            }
        }
        if mentioned && evidence.is_none() {
            evidence = Some(text.to_string());
        }
    }
    let evidence = evidence?;
    let outdated = version.as_deref().is_some_and(|version| {
        matches!(version, "TLS 1.0" | "TLS 1.1") || version.starts_with("SSL")
    });
    Some(TlsDetails {
        version,
        cipher,
        outdated,
        evidence,
    })
}

/// `TLSv1.2`, `TLS1_2`, `TLS1.2`, `TLSv1`, `SSLv3`, `TLS 1.3` → `TLS 1.2` … (`None` if not a version).
fn normalise_version(word: &str) -> Option<String> {
    let word = word.split(':').next().unwrap_or(word);
    let upper = word.to_ascii_uppercase();
    let (protocol, rest) = if let Some(rest) = upper.strip_prefix("TLS") {
        ("TLS", rest)
    } else if let Some(rest) = upper.strip_prefix("SSL") {
        ("SSL", rest)
    } else {
        return None;
    };
    let rest = rest.strip_prefix('V').unwrap_or(rest).replace('_', ".");
    let number = match rest.as_str() {
        "1" | "1.0" => "1.0",
        "1.1" => "1.1",
        "1.2" => "1.2",
        "1.3" => "1.3",
        "2" | "3" | "3.0" if protocol == "SSL" => &rest,
        _ => return None,
    };
    Some(format!("{protocol} {number}"))
}

/// Cipher-suite names are long upper-case words with `_` or `-` (IANA or OpenSSL names).
fn looks_like_cipher(word: &str) -> bool {
    word.len() >= 6
        && (word.contains('_') || word.contains('-'))
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
