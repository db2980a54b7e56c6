//! Words, comments and quoted strings of a structured header value (RFC 5322 §3.2.2–3.2.4).
//!
//! Received, Authentication-Results and Received-SPF all put the same lexical pieces together in
//! different ways; each module's `parse.rs` builds its grammar on these tokens. The lexer is a
//! single loop over the characters: nested comments are counted, not recursed into, so hostile
//! nesting costs nothing.

/// One lexical piece of an unfolded header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A run of characters up to white space, a comment, a quoted string or a special.
    Word(String),
    /// `quoted-string`, with the quotes removed and quoted-pairs resolved.
    Quoted(String),
    /// `comment`, without its outer parentheses; nested comments stay as text.
    Comment(String),
    /// One of the special characters the caller asked for.
    Special(char),
}

impl Token {
    /// The text of a word or quoted string.
    pub fn word(&self) -> Option<&str> {
        match self {
            Token::Word(text) | Token::Quoted(text) => Some(text),
            _ => None,
        }
    }
}

/// The tokens of `text`, and whether a comment or quoted string was left open at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    /// `Some('(')` or `Some('"')` when the text ended inside a comment or quoted string.
    pub unclosed: Option<char>,
}

/// Splits `text` into tokens; each character in `specials` is a token of its own outside
/// comments and quoted strings.
///
/// `comment = "(" *([FWS] ccontent) [FWS] ")"`, `ccontent = ctext / quoted-pair / comment`
/// (RFC 5322 §3.2.2); `quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]`
/// (§3.2.4).
pub fn lex(text: &str, specials: &[char]) -> Lexed {
    let mut lexed = Lexed::default();
    let mut chars = text.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            flush(&mut word, &mut lexed.tokens);
        } else if specials.contains(&c) {
            flush(&mut word, &mut lexed.tokens);
            lexed.tokens.push(Token::Special(c));
        } else if c == '(' {
            flush(&mut word, &mut lexed.tokens);
            let mut depth = 1usize;
            let mut comment = String::new();
            loop {
                match chars.next() {
                    None => {
                        lexed.unclosed = Some('(');
                        break;
                    }
                    Some('\\') => {
                        if let Some(escaped) = chars.next() {
                            comment.push(escaped);
                        }
                    }
                    Some('(') => {
                        depth += 1;
                        comment.push('(');
                    }
                    Some(')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                        comment.push(')');
                    }
                    Some(other) => comment.push(other),
                }
            }
            lexed
                .tokens
                .push(Token::Comment(comment.trim().to_string()));
        } else if c == '"' && (word.is_empty() || word.ends_with('=')) {
            // `key="value"` (Received-SPF, RFC 7208 §9.1): the key is a word of its own.
            flush(&mut word, &mut lexed.tokens);
            let mut quoted = String::new();
            loop {
                match chars.next() {
                    None => {
                        lexed.unclosed = Some('"');
                        break;
                    }
                    Some('\\') => {
                        if let Some(escaped) = chars.next() {
                            quoted.push(escaped);
                        }
                    }
                    Some('"') => break,
                    Some(other) => quoted.push(other),
                }
            }
            lexed.tokens.push(Token::Quoted(quoted));
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut lexed.tokens);
    lexed
}
