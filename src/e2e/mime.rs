//! Just enough MIME (RFC 2045, RFC 2046) to find a message's signed and encrypted parts: each
//! part's header fields, its Content-Type with parameters, and the exact bytes of its entity, so
//! that a signature is checked over the bytes the signer signed. Bounded in depth and in parts.

use std::ops::Range;

use super::{MAX_DEPTH, MAX_PARTS};

/// `type/subtype` in lower case and its parameters (names in lower case, values unquoted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentType {
    pub mime: String,
    pub params: Vec<(String, String)>,
}

impl ContentType {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn is(&self, mime: &str) -> bool {
        self.mime == mime
    }
}

/// One MIME entity: its header fields (unfolded) and where its body sits in the message.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The whole entity, headers and body, in the message's bytes.
    pub span: Range<usize>,
    /// The body, in the message's bytes.
    pub body: Range<usize>,
    /// `(name, unfolded value)` in order.
    pub fields: Vec<(String, String)>,
    pub content_type: ContentType,
}

impl Entity {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The Content-Transfer-Encoding in lower case; `7bit` when absent (RFC 2045 §6.1).
    pub fn transfer_encoding(&self) -> String {
        self.field("Content-Transfer-Encoding")
            .map_or_else(|| "7bit".into(), |value| value.trim().to_ascii_lowercase())
    }

    /// The `filename` of Content-Disposition or the `name` of Content-Type, in lower case.
    pub fn file_name(&self) -> Option<String> {
        let disposition = self.field("Content-Disposition").map(parse_content_type);
        disposition
            .as_ref()
            .and_then(|disposition| disposition.param("filename"))
            .or_else(|| self.content_type.param("name"))
            .map(str::to_ascii_lowercase)
    }
}

/// `content := "Content-Type" ":" type "/" subtype *(";" parameter)` (RFC 2045 §5.1), read
/// leniently: a missing subtype or an unreadable parameter is skipped, never an error.
pub fn parse_content_type(value: &str) -> ContentType {
    let mut pieces = split_params(value).into_iter();
    let mime = pieces
        .next()
        .map(|mime| mime.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let params = pieces
        .filter_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            let value = value.trim();
            let value = match value.strip_prefix('"') {
                Some(rest) => unquote(rest),
                None => value.to_string(),
            };
            Some((name.trim().to_ascii_lowercase(), value))
        })
        .collect();
    ContentType { mime, params }
}

/// Splits at the semicolons outside quoted strings.
fn split_params(value: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (index, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                pieces.push(&value[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    pieces.push(&value[start..]);
    pieces
}

/// The text of a quoted string after its opening quote, up to the closing one.
fn unquote(rest: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in rest.chars() {
        match c {
            _ if escaped => {
                out.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '"' => break,
            _ => out.push(c),
        }
    }
    out
}

/// Reads the entity at `span` of `bytes`: header fields up to the first empty line, then the body.
/// An entity that starts with an empty line has no fields (RFC 2046 §5.1.1: text/plain then).
pub fn read_entity(bytes: &[u8], span: Range<usize>) -> Entity {
    let whole = bytes.get(span.clone()).unwrap_or_default();
    let (header_len, body_offset) = if whole.starts_with(b"\r\n") {
        (0, 2)
    } else {
        match memchr::memmem::find(whole, b"\r\n\r\n") {
            Some(end) => (end + 2, end + 4),
            None => (whole.len(), whole.len()),
        }
    };
    let fields = read_fields(&whole[..header_len]);
    let content_type = fields
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Content-Type"))
        .map_or_else(
            || ContentType {
                mime: "text/plain".into(),
                params: Vec::new(),
            },
            |(_, value)| parse_content_type(value),
        );
    Entity {
        body: span.start + body_offset..span.end,
        span,
        fields,
        content_type,
    }
}

/// Header fields of a header block with CRLF line ends, unfolded.
pub fn read_fields(block: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(block);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in crate::find::split_crlf(&text) {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut fields {
        *value = value.trim().to_string();
    }
    fields
}

/// The body parts of a multipart body at `body` with `boundary` (RFC 2046 §5.1.1), each the
/// bytes between two delimiters: the CRLF before a delimiter belongs to the delimiter. At most
/// [`MAX_PARTS`]; `None` when no delimiter is found.
pub fn split_multipart(
    bytes: &[u8],
    body: Range<usize>,
    boundary: &str,
) -> Option<Vec<Range<usize>>> {
    let text = bytes.get(body.clone())?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // Each delimiter line's start: at the body's start, or after a CRLF.
    let mut starts = Vec::new();
    if text.starts_with(delimiter) {
        starts.push(0);
    }
    for found in memchr::memmem::find_iter(text, b"\r\n") {
        if text[found + 2..].starts_with(delimiter) {
            starts.push(found + 2);
        }
        if starts.len() > MAX_PARTS + 1 {
            break;
        }
    }
    let mut parts = Vec::new();
    for pair in starts.windows(2) {
        let (this, next) = (pair[0], pair[1]);
        // The part starts after the delimiter line's CRLF.
        let line_end = memchr::memmem::find(&text[this..], b"\r\n").map(|end| this + end + 2)?;
        // `next` is past the CRLF that belongs to the delimiter.
        let part_end = next.saturating_sub(2).max(line_end);
        if text[this + delimiter.len()..].starts_with(b"--") {
            break;
        }
        parts.push(body.start + line_end..body.start + part_end);
    }
    (!starts.is_empty()).then_some(parts)
}

/// Every entity of the message from the top, depth first, with its depth, up to [`MAX_DEPTH`]
/// and [`MAX_PARTS`]. `top` is the message itself.
pub fn walk(bytes: &[u8], top: Entity) -> Vec<(usize, Entity)> {
    let mut out = Vec::new();
    let mut stack = vec![(0usize, top)];
    while let Some((depth, entity)) = stack.pop() {
        if out.len() >= MAX_PARTS {
            break;
        }
        let children = if entity.content_type.mime.starts_with("multipart/") && depth < MAX_DEPTH {
            entity
                .content_type
                .param("boundary")
                .and_then(|boundary| split_multipart(bytes, entity.body.clone(), boundary))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        out.push((depth, entity));
        for child in children.into_iter().rev() {
            stack.push((depth + 1, read_entity(bytes, child)));
        }
    }
    out
}
