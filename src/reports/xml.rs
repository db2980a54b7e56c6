//! A small, forgiving element tree over quick-xml's event reader, for report XML.
//!
//! Receivers send XML that strict parsers reject: an `<xs:schema>` start tag left open around
//! the report, a raw `<` in a value, Windows-1252 bytes in a file that says UTF-8. The tree keeps
//! reading past those (an end tag closes the elements left open inside it; a stray end tag is
//! skipped; what is open at the end is closed) and says each time where, so that what could be
//! read is kept and nothing is silently repaired.
//!
//! What it never does is expand an entity: a document type declaration (where entities are
//! defined, and with them the "billion laughs" bomb and external entities that read local
//! files) ends the document with an error, and a reference to anything but the five predefined
//! entities and character references stays as written, with a finding. Rejected alternative:
//! quick-xml's serde deserializer, which stops at the first fault and keeps nothing.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::limits::{MAX_TEXT_CHARS, MAX_XML_DEPTH};

/// One element: its local name (prefix dropped), the namespace it declares, its text (all text
/// and CDATA directly inside it, entities resolved) and its child elements.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub namespace: Option<String>,
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of its start tag in the document.
    pub offset: usize,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of the first child named `name`, when there is some.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|child| child.text.trim())
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    }

    /// The first element named `name` at any depth, this one included.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|child| child.find(name))
    }
}

/// Something the tree builder noticed, at a byte offset of the document.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
    /// The document could not be read past this point (or at all, for a document type).
    pub fatal: bool,
}

/// The document as read: a nameless root holding the top-level elements, the problems met, and
/// the text it was read from (invalid UTF-8 replaced), for turning offsets into places.
#[derive(Debug)]
pub struct Document {
    pub root: Element,
    pub problems: Vec<Problem>,
    pub text: String,
}

/// Reads `bytes` as XML. Each element named `streamed` whose parent is named `parent` is handed
/// to `sink` when it closes and not kept in the tree, so that a report with many records needs
/// memory for one record at a time beyond the records themselves.
pub fn parse(
    bytes: &[u8],
    parent: &str,
    streamed: &str,
    sink: &mut dyn FnMut(Element),
) -> Document {
    let mut problems = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(error) => {
            problems.push(Problem {
                code: "reports.invalid-utf8",
                message: "is not valid UTF-8 here; the bytes that are not were read as U+FFFD"
                    .into(),
                offset: error.valid_up_to(),
                fatal: false,
            });
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let mut builder = Builder {
        stack: vec![Element::default()],
        problems,
        parent,
        streamed,
    };
    builder.run(&text, sink);
    let Builder {
        mut stack,
        problems,
        ..
    } = builder;
    while stack.len() > 1 {
        if let Some(open) = stack.pop() {
            if let Some(top) = stack.last_mut() {
                top.children.push(open);
            }
        }
    }
    Document {
        root: stack.pop().unwrap_or_default(),
        problems,
        text,
    }
}

struct Builder<'a> {
    /// The open elements; the bottom one is the nameless root and is never popped while reading.
    stack: Vec<Element>,
    problems: Vec<Problem>,
    parent: &'a str,
    streamed: &'a str,
}

impl Builder<'_> {
    fn run(&mut self, text: &str, sink: &mut dyn FnMut(Element)) {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        // Mismatched end tags are handled below (closing what was left open), not refused.
        config.check_end_names = false;
        config.expand_empty_elements = false;
        loop {
            let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let offset = usize::try_from(reader.error_position()).unwrap_or(offset);
                    self.fatal(
                        "reports.xml-malformed",
                        format!("is not XML: {error}"),
                        offset,
                    );
                    // A report cut off in the middle of a tag ends here too, with what it had
                    // open: the same finding as a cut between tags, so the reader learns both.
                    self.unclosed(offset);
                    return;
                }
            };
            match event {
                Event::Eof => {
                    self.unclosed(offset);
                    return;
                }
                Event::DocType(_) => {
                    self.fatal(
                        "reports.xml-doctype",
                        "declares a document type (<!DOCTYPE>), which is where XML bombs and \
                         external entities are defined; reports never need one, so the file is \
                         not read"
                            .into(),
                        offset,
                    );
                    return;
                }
                Event::Start(start) => {
                    if self.stack.len() > MAX_XML_DEPTH {
                        self.fatal(
                            "reports.xml-too-deep",
                            format!("nests elements more than {MAX_XML_DEPTH} deep"),
                            offset,
                        );
                        return;
                    }
                    self.stack.push(element(&start, offset));
                }
                Event::Empty(start) => {
                    let empty = element(&start, offset);
                    self.attach(empty, sink);
                }
                Event::End(end) => {
                    let name = local(end.name().as_ref());
                    self.close(&name, offset, sink);
                }
                Event::Text(content) => {
                    let raw = content.as_ref().to_owned();
                    self.push_text(&raw);
                }
                Event::CData(content) => {
                    let raw = content.as_ref().to_owned();
                    self.push_text(&raw);
                }
                Event::GeneralRef(reference) => {
                    let name = reference.as_ref().to_owned();
                    match resolve_reference(&name) {
                        Some(character) => self.push_text(character.encode_utf8(&mut [0; 4])),
                        None => {
                            self.problem(
                                "reports.xml-entity",
                                format!(
                                    "refers to the entity &{name}; which is not one of XML's \
                                     predefined ones; it is kept as written, never expanded"
                                ),
                                offset,
                            );
                            self.push_text(&format!("&{name};"));
                        }
                    }
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(top) = self.stack.last_mut() {
            let room = MAX_TEXT_CHARS.saturating_sub(top.text.chars().count());
            top.text.extend(text.chars().take(room));
        }
    }

    /// An end tag: closes the innermost open element of that name and any left open inside it.
    fn close(&mut self, name: &str, offset: usize, sink: &mut dyn FnMut(Element)) {
        let Some(depth) = self
            .stack
            .iter()
            .skip(1)
            .rposition(|open| open.name == name)
        else {
            self.problem(
                "reports.xml-stray-end",
                format!("has the end tag </{name}> with no matching start tag; skipped"),
                offset,
            );
            return;
        };
        let depth = depth + 1;
        while self.stack.len() > depth + 1 {
            if let Some(open) = self.stack.pop() {
                self.problem(
                    "reports.xml-unclosed",
                    format!(
                        "leaves <{}> open inside <{name}>; read as if closed",
                        open.name
                    ),
                    open.offset,
                );
                self.attach(open, sink);
            }
        }
        if let Some(closed) = self.stack.pop() {
            self.attach(closed, sink);
        }
    }

    fn attach(&mut self, element: Element, sink: &mut dyn FnMut(Element)) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if element.name == self.streamed && top.name == self.parent {
            sink(element);
        } else {
            top.children.push(element);
        }
    }

    fn problem(&mut self, code: &'static str, message: String, offset: usize) {
        // A badly broken document could repeat the same fault on every line.
        if self.problems.len() < 50 {
            self.problems.push(Problem {
                code,
                message,
                offset,
                fatal: false,
            });
        }
    }

    /// The finding for elements still open where the document ends.
    fn unclosed(&mut self, offset: usize) {
        if self.stack.len() > 1 {
            let names: Vec<String> = self.stack[1..]
                .iter()
                .map(|open| format!("<{}>", open.name))
                .collect();
            self.problem(
                "reports.xml-unclosed",
                format!(
                    "ends with {} still open; read as if closed",
                    names.join(" ")
                ),
                offset,
            );
        }
    }

    fn fatal(&mut self, code: &'static str, message: String, offset: usize) {
        self.problems.push(Problem {
            code,
            message,
            offset,
            fatal: true,
        });
    }
}

fn element(start: &quick_xml::events::BytesStart<'_>, offset: usize) -> Element {
    let namespace = start
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.as_ref() == "xmlns")
        .map(|attribute| attribute.value.to_string());
    Element {
        name: local(start.name().as_ref()),
        namespace,
        text: String::new(),
        children: Vec::new(),
        offset,
    }
}

/// The local part of a qualified name, lower-cased (`xs:schema` → `schema`).
fn local(name: &str) -> String {
    let local = name.rsplit(':').next().unwrap_or(name);
    local.to_ascii_lowercase()
}

/// The five predefined entities and character references (XML 1.0 §4.1, §4.6); anything else
/// would need a document type to define it.
fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let value = match number.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(value).filter(|character| *character != '\0')
        }
    }
}

/// "line L, column C" of a byte offset, both from 1, columns in characters.
pub fn place(text: &str, offset: usize) -> String {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    format!("line {line}, column {column}")
}
