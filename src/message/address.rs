//! Address fields read for the Summary: the mailboxes of From, To, Cc and Reply-To with their
//! display names decoded (RFC 5322 §3.4, RFC 2047 §5 (3)).
//!
//! The grammar, for reference:
//!
//! ```text
//! address-list  = (address *("," address)) / obs-addr-list
//! address       = mailbox / group
//! mailbox       = name-addr / addr-spec
//! name-addr     = [display-name] angle-addr
//! angle-addr    = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
//! group         = display-name ":" [group-list] ";" [CFWS]
//! display-name  = phrase
//! quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
//! comment       = "(" *([FWS] ccontent) [FWS] ")"
//! ```
//!
//! Read as mail-parser 0.11's `parse_address` reads it, a tolerant tokenizer rather than the
//! grammar: what people paste is often not an address-list (missing angle brackets, unbalanced
//! quotes, bare names), and the Summary has always shown what mail-parser made of it. The
//! differential tests (`differential.rs`) hold this reading to mail-parser's. Where mail-parser
//! keeps them, the names come out as it builds them: a comment beside a name in parentheses
//! after it, a comment alone as the name, a bare word with a comment as an address.
//!
//! No recursion: nested comments and quotes are a stack, one entry per `(` or `"` read, so the
//! memory is at most the value's length and the time linear (encoded-words through
//! [`words::Attempts`]).

use super::decode::Mailbox;
use super::words::{self, Attempts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A phrase, a bare addr-spec, or the punctuation between addresses.
    Name,
    /// Inside `<` … `>`.
    Address,
    /// Inside `"` … `"`.
    Quote,
    /// Inside `(` … `)`.
    Comment,
}

struct Reader<'a> {
    line: &'a [u8],
    /// The token being read: 1 + the position of its first byte (0 for none), and the position
    /// after its last.
    token_start: usize,
    token_end: usize,
    is_token_email: bool,
    is_token_start: bool,
    is_escaped: bool,
    last_is_encoded: bool,
    name: Vec<String>,
    mail: Vec<String>,
    comment: Vec<String>,
    state: State,
    stack: Vec<State>,
    mailboxes: Vec<Mailbox>,
}

fn concat(tokens: &mut Vec<String>) -> String {
    let text = tokens.concat();
    tokens.clear();
    text
}

impl Reader<'_> {
    fn add_token(&mut self) {
        if self.token_start == 0 {
            return;
        }
        let bytes = self
            .line
            .get(self.token_start - 1..self.token_end)
            .unwrap_or_default();
        let token = String::from_utf8_lossy(bytes).into_owned();
        let (list, add_space) = match self.state {
            State::Address => (&mut self.mail, false),
            State::Name if self.is_token_email => (&mut self.mail, false),
            State::Name => (&mut self.name, true),
            State::Quote => (&mut self.name, false),
            State::Comment => (&mut self.comment, true),
        };
        if add_space && !list.is_empty() {
            list.push(" ".into());
        }
        list.push(token);
        self.token_start = 0;
        self.is_token_email = false;
        self.is_token_start = true;
        self.is_escaped = false;
        self.last_is_encoded = false;
    }

    /// An encoded-word, in a phrase or a comment (RFC 2047 §5 (1), (2)); also in a quoted
    /// string, which RFC 2047 forbids and senders do anyway.
    fn add_encoded_word(&mut self, word: String) {
        let add_space = !self.last_is_encoded && self.state != State::Quote;
        let list = if self.state == State::Comment {
            &mut self.comment
        } else {
            &mut self.name
        };
        if add_space && !list.is_empty() {
            list.push(" ".into());
        }
        list.push(word);
        self.last_is_encoded = true;
    }

    /// Ends a mailbox at `,`, `;` or the end: which tokens became its name and its address.
    fn add_mailbox(&mut self) {
        let has_mail = !self.mail.is_empty();
        let has_name = !self.name.is_empty();
        let has_comment = !self.comment.is_empty();
        let mailbox = if has_mail {
            let address = Some(concat(&mut self.mail));
            let name = match (has_name, has_comment) {
                (true, true) => {
                    let name = concat(&mut self.name);
                    Some(format!("{name} ({})", concat(&mut self.comment)))
                }
                (true, false) => Some(concat(&mut self.name)),
                (false, true) => Some(concat(&mut self.comment)),
                (false, false) => None,
            };
            Mailbox { name, address }
        } else if has_name && has_comment {
            let name = concat(&mut self.name);
            let comment = concat(&mut self.comment);
            if name.chars().any(char::is_whitespace) {
                Mailbox {
                    name: Some(format!("{name} ({comment})")),
                    address: None,
                }
            } else {
                // `user (Name)`: the old form of RFC 822 §6.1's example, a bare word with the
                // name in a comment.
                Mailbox {
                    name: Some(comment),
                    address: Some(name),
                }
            }
        } else if has_name {
            Mailbox {
                name: Some(concat(&mut self.name)),
                address: None,
            }
        } else if has_comment {
            Mailbox {
                name: Some(concat(&mut self.comment)),
                address: None,
            }
        } else {
            return;
        };
        self.mailboxes.push(mailbox);
    }

    /// A group's display name ends at `:`: its tokens name the group, not a mailbox.
    fn start_group(&mut self) {
        self.add_token();
        self.name.clear();
        self.comment.clear();
        self.mail.clear();
    }

    fn pop_state(&mut self) -> State {
        // Every state but `Name` is entered by pushing the one it was entered from, so the stack
        // is never empty when it is popped; `Name` is the outermost state anyway.
        self.stack.pop().unwrap_or(State::Name)
    }
}

/// The mailboxes of an address field, `line` being its value with the CRLF that ends the
/// field, in order, groups flattened.
pub(super) fn address_list(line: &[u8]) -> Vec<Mailbox> {
    let mut reader = Reader {
        line,
        token_start: 0,
        token_end: 0,
        is_token_email: false,
        is_token_start: true,
        is_escaped: false,
        last_is_encoded: true,
        name: Vec::new(),
        mail: Vec::new(),
        comment: Vec::new(),
        state: State::Name,
        stack: Vec::new(),
        mailboxes: Vec::new(),
    };
    let mut attempts = Attempts::new();
    let mut position = 0;
    while let Some(&byte) = line.get(position) {
        position += 1;
        let state = reader.state;
        match byte {
            b'\n' => {
                reader.add_token();
                let folded = matches!(line.get(position), Some(b' ' | b'\t'));
                if !folded {
                    break;
                }
                if reader.state != State::Quote {
                    position += 1;
                    reader.is_token_start = true;
                }
                continue;
            }
            b'\\' if state != State::Name && !reader.is_escaped => {
                if reader.token_start > 0 {
                    if state == State::Quote {
                        reader.token_end = position - 1;
                    }
                    reader.add_token();
                }
                reader.is_escaped = true;
                continue;
            }
            b',' if state == State::Name => {
                reader.add_token();
                reader.add_mailbox();
                continue;
            }
            b'<' if state == State::Name => {
                reader.is_token_email = false;
                reader.add_token();
                reader.stack.push(State::Name);
                reader.state = State::Address;
                continue;
            }
            b'>' if state == State::Address => {
                reader.add_token();
                reader.state = reader.pop_state();
                continue;
            }
            b'"' if !reader.is_escaped && state == State::Name => {
                reader.stack.push(State::Name);
                // The state changes first, so the token before the quote joins the name
                // without a space, as mail-parser joins it.
                reader.state = State::Quote;
                reader.add_token();
                continue;
            }
            b'"' if !reader.is_escaped && state == State::Quote => {
                reader.add_token();
                reader.state = reader.pop_state();
                continue;
            }
            b'@' if state == State::Name => reader.is_token_email = true,
            b'=' if reader.is_token_start && !reader.is_escaped => {
                if let Some((word, end)) = words::encoded_word(line, position - 1, &mut attempts) {
                    reader.add_token();
                    reader.add_encoded_word(word);
                    position = end;
                    continue;
                }
            }
            b' ' | b'\t' => {
                reader.is_token_start = true;
                reader.is_escaped = false;
                if state == State::Quote {
                    if reader.token_start == 0 {
                        reader.token_start = position;
                    }
                    reader.token_end = position;
                }
                continue;
            }
            b'\r' => continue,
            b'(' if state != State::Quote && !reader.is_escaped => {
                reader.stack.push(state);
                if state != State::Comment {
                    reader.add_token();
                    reader.state = State::Comment;
                    reader.last_is_encoded = false;
                    continue;
                }
            }
            b')' if state == State::Comment && !reader.is_escaped => {
                let outer = reader.pop_state();
                if outer != State::Comment {
                    reader.add_token();
                    reader.state = outer;
                    reader.last_is_encoded = false;
                    continue;
                }
            }
            b':' if state == State::Name && !reader.is_escaped => {
                reader.start_group();
                continue;
            }
            b';' if state == State::Name => {
                reader.add_token();
                reader.add_mailbox();
                continue;
            }
            _ => {}
        }
        reader.is_escaped = false;
        reader.is_token_start = false;
        if reader.token_start == 0 {
            reader.token_start = position;
        }
        reader.token_end = position;
    }
    reader.add_mailbox();
    reader.mailboxes
}
