//! The BIMI logo: an SVG Tiny Portable/Secure file (the BIMI group's SVG Tiny PS profile of
//! SVG Tiny 1.2). What this checks, from the profile and the BIMI group's implementation guide:
//!
//! - uncompressed (no gzip, `.svgz`), at most 32 KB;
//! - the root is `<svg version="1.2" baseProfile="tiny-ps">`, without `x=` or `y=`;
//! - a `<title>` (the brand's name), directly under the root;
//! - no scripts (`<script>`, `on…=` handlers), no animation, no raster `<image>`, no
//!   `<foreignObject>`, no references outside the file (`href`/`xlink:href` other than
//!   `#fragment`, `url(…)` other than `url(#…)`);
//! - a square `viewBox`, since receivers show the logo in a circle or a square.
//!
//! The scanner is a small hand-written tag reader, not an XML parser: it reads tags, attributes
//! and the title's text, which is all the profile's rules need, costs nothing in the page's
//! download, and cannot be made to expand entities (a document type declaration is reported and
//! not read). A file that is not well-formed XML gets findings where the scanner loses its way,
//! not a full diagnosis.

use serde::Serialize;

use crate::records::finding;
use crate::report::{quoted, Finding, Severity, Span};

const BIMI_SVG: &str =
    "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification";

/// The BIMI group's limit on the logo's size.
pub const MAX_SVG_BYTES: usize = 32 * 1024;
/// Files longer than this are not scanned at all.
pub const MAX_SCANNED_BYTES: usize = 1024 * 1024;

/// The check of one logo file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SvgReport {
    /// The file's size in bytes.
    pub size: usize,
    /// The file is gzip-compressed (an `.svgz`).
    pub compressed: bool,
    /// The root element's name; `null` when no element was found.
    pub root_element: Option<String>,
    /// The root's `version=`; `null` when absent.
    pub version: Option<String>,
    /// The root's `baseProfile=`; `null` when absent.
    pub base_profile: Option<String>,
    /// The text of the root's `<title>`; `null` when there is none.
    pub title: Option<String>,
    /// The root's `viewBox=`; `null` when absent.
    pub view_box: Option<String>,
    /// Each with a `record_span`: bytes in the file.
    pub findings: Vec<Finding>,
}

/// An element's start tag, as the scanner read it.
struct StartTag<'a> {
    name: &'a str,
    attributes: Vec<(&'a str, &'a str, Span)>,
    self_closing: bool,
    span: Span,
}

/// Reads `name="value"` pairs from the inside of a start tag, `offset` its place in the file.
fn attributes(inside: &str, offset: usize) -> Vec<(&str, &str, Span)> {
    let mut list = Vec::new();
    let bytes = inside.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        while bytes.get(index).is_some_and(|b| b.is_ascii_whitespace()) {
            index += 1;
        }
        let name_start = index;
        while bytes
            .get(index)
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'=' && *b != b'/')
        {
            index += 1;
        }
        let name = inside.get(name_start..index).unwrap_or("");
        while bytes.get(index).is_some_and(|b| b.is_ascii_whitespace()) {
            index += 1;
        }
        if bytes.get(index) != Some(&b'=') {
            // A bare word or a stray `/`: skip one byte so the loop always advances.
            index = index.max(name_start + 1);
            continue;
        }
        index += 1;
        while bytes.get(index).is_some_and(|b| b.is_ascii_whitespace()) {
            index += 1;
        }
        let Some(&quote) = bytes.get(index).filter(|b| **b == b'"' || **b == b'\'') else {
            index += 1;
            continue;
        };
        let value_start = index + 1;
        let value_end = inside
            .get(value_start..)
            .and_then(|rest| rest.find(char::from(quote)))
            .map_or(inside.len(), |end| value_start + end);
        let value = inside.get(value_start..value_end).unwrap_or("");
        list.push((
            name,
            value,
            Span::new(
                offset + name_start,
                offset + (value_end + 1).min(inside.len()),
            ),
        ));
        index = value_end + 1;
    }
    list
}

/// The local part of a qualified name: `svg:title` → `title`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// What a reference outside the file looks like in an attribute or a style.
fn external_reference(name: &str, value: &str) -> bool {
    let value = value.trim();
    if local(name) == "href" {
        return !value.starts_with('#');
    }
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(position) = rest.find("url(") {
        let after = rest.get(position + 4..).unwrap_or("");
        let target = after.trim_start_matches([' ', '\'', '"']);
        if !target.starts_with('#') {
            return true;
        }
        rest = after;
    }
    rest.contains("@import")
}

/// Checks a BIMI logo file.
pub fn check_svg(bytes: &[u8]) -> SvgReport {
    let mut report = SvgReport {
        size: bytes.len(),
        compressed: bytes.starts_with(&[0x1f, 0x8b]),
        root_element: None,
        version: None,
        base_profile: None,
        title: None,
        view_box: None,
        findings: Vec::new(),
    };
    if report.compressed {
        push(
            &mut report,
            Severity::Error,
            "bimi-svg.compressed",
            "The file is gzip-compressed (.svgz); BIMI logos are plain SVG.".into(),
            None,
            Some("Publish the uncompressed .svg file."),
        );
        return report;
    }
    if bytes.len() > MAX_SVG_BYTES {
        push(
            &mut report,
            Severity::Warning,
            "bimi-svg.too-large",
            format!(
                "The file is {} bytes; the BIMI group asks for at most {MAX_SVG_BYTES}, and \
                 receivers may refuse larger logos.",
                bytes.len()
            ),
            None,
            Some("Simplify the paths or remove metadata (editors' namespaces, comments)."),
        );
    }
    if bytes.len() > MAX_SCANNED_BYTES {
        return report;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            push(
                &mut report,
                Severity::Error,
                "bimi-svg.not-text",
                format!("The file is not UTF-8 text (invalid byte at offset {at})."),
                Some(Span::new(at, at + 1)),
                None,
            );
            return report;
        }
    };
    scan(text, &mut report);
    report
}

/// Adds a finding about the file.
fn push(
    report: &mut SvgReport,
    severity: Severity,
    code: &'static str,
    message: String,
    span: Option<Span>,
    fix: Option<&str>,
) {
    report.findings.push(finding(
        severity,
        code,
        message,
        BIMI_SVG,
        span,
        fix.map(str::to_string),
    ));
}

/// Walks the tags of `text`, checking each against the profile.
fn scan(text: &str, report: &mut SvgReport) {
    let mut depth: usize = 0;
    let mut title_start: Option<usize> = None;
    let mut position = 0;
    while let Some(offset) = text.get(position..).and_then(|rest| rest.find('<')) {
        let start = position + offset;
        let rest = text.get(start..).unwrap_or("");
        let skip_to = |end: &str| rest.find(end).map(|at| start + at + end.len());
        let next = if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<?") {
            skip_to("?>")
        } else if rest.starts_with("<!") {
            push(
                report,
                Severity::Warning,
                "bimi-svg.doctype",
                "The file has a document type declaration; SVG Tiny PS has none, and entities \
                 defined there are not read by this check."
                    .into(),
                Some(Span::new(
                    start,
                    start + rest.find('>').map_or(rest.len(), |at| at + 1),
                )),
                Some("Remove the <!DOCTYPE …> declaration."),
            );
            skip_to(">")
        } else {
            let Some(end) = rest.find('>') else {
                push(
                    report,
                    Severity::Error,
                    "bimi-svg.malformed",
                    "A tag is not closed with \">\".".into(),
                    Some(Span::new(start, text.len())),
                    None,
                );
                return;
            };
            let inside = rest.get(1..end).unwrap_or("");
            if let Some(name) = inside.strip_prefix('/') {
                let name = name.trim();
                depth = depth.saturating_sub(1);
                if local(name) == "title" && depth == 1 {
                    if let Some(title_from) = title_start.take() {
                        let title = text.get(title_from..start).unwrap_or("").trim();
                        if report.title.is_none() && !title.is_empty() {
                            report.title = Some(title.to_string());
                        }
                    }
                }
            } else {
                let self_closing = inside.ends_with('/');
                let body = inside.strip_suffix('/').unwrap_or(inside);
                let name_end = body
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(body.len());
                let tag = StartTag {
                    name: body.get(..name_end).unwrap_or(""),
                    attributes: attributes(
                        body.get(name_end..).unwrap_or(""),
                        start + 1 + name_end,
                    ),
                    self_closing,
                    span: Span::new(start, start + end + 1),
                };
                element(&tag, depth, report);
                if local(tag.name) == "title" && depth == 1 && !self_closing {
                    title_start = Some(start + end + 1);
                }
                if !tag.self_closing {
                    depth += 1;
                }
            }
            Some(start + end + 1)
        };
        match next {
            Some(next) => position = next,
            None => {
                push(
                    report,
                    Severity::Error,
                    "bimi-svg.malformed",
                    "A comment, CDATA section or declaration is not closed.".into(),
                    Some(Span::new(start, text.len())),
                    None,
                );
                return;
            }
        }
    }
    finish(report);
}

/// The checks of one start tag at `depth` (0 for the root).
fn element(tag: &StartTag<'_>, depth: usize, report: &mut SvgReport) {
    let name = local(tag.name);
    if depth == 0 && report.root_element.is_none() {
        report.root_element = Some(tag.name.to_string());
        if name != "svg" {
            push(
                report,
                Severity::Error,
                "bimi-svg.not-svg",
                format!("The root element is {}, not svg.", quoted(tag.name)),
                Some(tag.span),
                None,
            );
        }
        for (attribute, value, span) in &tag.attributes {
            match *attribute {
                "version" => report.version = Some(value.to_string()),
                "baseProfile" => report.base_profile = Some(value.to_string()),
                "viewBox" => report.view_box = Some(value.to_string()),
                "x" | "y" => push(
                    report,
                    Severity::Error,
                    "bimi-svg.root-position",
                    format!("The root svg element has {attribute}=; SVG Tiny PS forbids it."),
                    Some(*span),
                    Some("Remove x= and y= from the <svg> element."),
                ),
                _ => {}
            }
        }
    }
    let forbidden = match name {
        "script" => Some("a script"),
        "image" => Some("a raster image"),
        "foreignObject" => Some("foreign content"),
        "animate" | "animateMotion" | "animateColor" | "animateTransform" | "set" => {
            Some("animation")
        }
        _ => None,
    };
    if let Some(what) = forbidden {
        push(
            report,
            Severity::Error,
            "bimi-svg.forbidden-element",
            format!("<{}> is {what}; SVG Tiny PS does not allow it.", tag.name),
            Some(tag.span),
            Some("Remove the element; convert the logo with an SVG Tiny PS tool."),
        );
    }
    for (attribute, value, span) in &tag.attributes {
        if attribute.len() > 2
            && attribute
                .get(..2)
                .is_some_and(|on| on.eq_ignore_ascii_case("on"))
        {
            push(
                report,
                Severity::Error,
                "bimi-svg.script",
                format!(
                    "{attribute}= is an event handler (a script); SVG Tiny PS forbids scripts."
                ),
                Some(*span),
                Some("Remove the attribute."),
            );
        } else if external_reference(attribute, value) {
            push(
                report,
                Severity::Error,
                "bimi-svg.external-reference",
                format!(
                    "{attribute}={} refers outside the file; a BIMI logo must be self-contained.",
                    quoted(value)
                ),
                Some(*span),
                Some("Embed what it refers to, or remove it."),
            );
        }
    }
}

/// The checks of the root's attributes and the title, once the whole file was read.
fn finish(report: &mut SvgReport) {
    if report.root_element.is_none() {
        push(
            report,
            Severity::Error,
            "bimi-svg.not-svg",
            "The file holds no element: it is not an SVG image.".into(),
            None,
            None,
        );
        return;
    }
    if report.version.as_deref() != Some("1.2") {
        let message = match &report.version {
            Some(version) => format!(
                "The root has version={}; SVG Tiny PS is version 1.2.",
                quoted(version)
            ),
            None => "The root has no version=; SVG Tiny PS needs version=\"1.2\".".to_string(),
        };
        push(
            report,
            Severity::Error,
            "bimi-svg.version",
            message,
            None,
            Some("version=\"1.2\""),
        );
    }
    if report.base_profile.as_deref() != Some("tiny-ps") {
        let message = match &report.base_profile {
            Some(profile) => format!(
                "The root has baseProfile={}; BIMI needs tiny-ps.",
                quoted(profile)
            ),
            None => "The root has no baseProfile=; BIMI needs baseProfile=\"tiny-ps\".".to_string(),
        };
        push(
            report,
            Severity::Error,
            "bimi-svg.base-profile",
            message,
            None,
            Some("baseProfile=\"tiny-ps\""),
        );
    }
    if report.title.is_none() {
        push(
            report,
            Severity::Error,
            "bimi-svg.no-title",
            "The logo has no <title> under the root; SVG Tiny PS requires one (the brand's name)."
                .into(),
            None,
            Some("Add <title>Your brand</title> as the first child of <svg>."),
        );
    }
    let square = report.view_box.as_deref().map(|view_box| {
        let numbers: Vec<f64> = view_box
            .split(|c: char| c.is_ascii_whitespace() || c == ',')
            .filter(|part| !part.is_empty())
            .filter_map(|part| part.parse().ok())
            .collect();
        matches!(numbers.as_slice(), [_, _, width, height] if (width - height).abs() < 1e-9 && *width > 0.0)
    });
    match square {
        None => push(
            report,
            Severity::Warning,
            "bimi-svg.no-view-box",
            "The root has no viewBox=; receivers scale the logo by it.".into(),
            None,
            Some("viewBox=\"0 0 512 512\" (a square)"),
        ),
        Some(false) => push(
            report,
            Severity::Warning,
            "bimi-svg.not-square",
            format!(
                "viewBox={} is not a square of positive size; receivers show logos in a square \
                 or a circle.",
                quoted(report.view_box.as_deref().unwrap_or(""))
            ),
            None,
            None,
        ),
        Some(true) => {}
    }
}
