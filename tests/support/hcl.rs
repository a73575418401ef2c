//! Reads the configuration files Terraform writes (`-generate-config-out`) by their structure,
//! not their layout: top-level blocks, their labels, and each block's attributes as values.
//! It knows the literal subset such files hold (strings, numbers, bools, null, references,
//! lists, objects, comments) and fails loudly on anything else (a heredoc, a function call),
//! so a test never passes by misreading. Alignment and comments do not matter.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ops::Range;

/// An expression of the literal subset.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A quoted string, unescaped.
    Str(String),
    /// A reference such as `sigsentry` or `sigsentry_log_source.loki_0`.
    Ref(String),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ k = v }`
    Object(BTreeMap<String, Expr>),
}

impl Expr {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Attribute `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        match self {
            Expr::Object(m) => m.get(name),
            _ => None,
        }
    }
}

/// One attribute of a block.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// Its value.
    pub value: Expr,
    /// The lines (0-based, end exclusive) it spans in the file, to replace it.
    pub lines: Range<usize>,
}

/// A top-level block.
#[derive(Clone, Debug)]
pub struct Block {
    /// `resource`, `import`, ...
    pub kind: String,
    /// Its labels, unquoted.
    pub labels: Vec<String>,
    /// Its attributes by name.
    pub attributes: BTreeMap<String, Attribute>,
}

impl Block {
    /// Attribute `name`'s value.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.attributes.get(name).map(|a| &a.value)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Number(String),
    Str(String),
    Punct(char),
    Newline,
}

/// The tokens of `text`, each with its 0-based line; comments dropped.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 0);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                out.push((Tok::Newline, line));
                line += 1;
                i += 1;
            }
            ' ' | '\t' | '\r' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None | Some('\n') => panic!("unterminated string on line {}", line + 1),
                        Some('"') => break,
                        Some('\\') => {
                            let e = chars.get(i + 1).copied();
                            s.push(match e {
                                Some('n') => '\n',
                                Some('t') => '\t',
                                Some('"') => '"',
                                Some('\\') => '\\',
                                other => panic!("escape {other:?} on line {}", line + 1),
                            });
                            i += 2;
                        }
                        Some('$' | '%') if chars.get(i + 1) == Some(&'{') => {
                            panic!("a template in a string on line {}", line + 1)
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push((Tok::Str(s), line));
            }
            '{' | '}' | '[' | ']' | '=' | ',' => {
                out.push((Tok::Punct(c), line));
                i += 1;
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
                out.push((Tok::Number(chars[start..i].iter().collect()), line));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.'))
                {
                    i += 1;
                }
                out.push((Tok::Ident(chars[start..i].iter().collect()), line));
            }
            other => panic!("{other:?} on line {}: not in the literal subset", line + 1),
        }
    }
    out
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn line(&self) -> usize {
        self.toks
            .get(self.at)
            .or(self.toks.last())
            .map_or(0, |(_, l)| *l)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().cloned();
        self.at += 1;
        t.unwrap_or_else(|| panic!("the file ends early"))
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.at += 1;
        }
    }

    fn expect(&mut self, c: char) {
        let line = self.line() + 1;
        let t = self.next();
        assert_eq!(t, Tok::Punct(c), "line {line}");
    }

    fn block(&mut self) -> Block {
        let kind = match self.next() {
            Tok::Ident(k) => k,
            other => panic!("a block starts with a name, found {other:?}"),
        };
        let mut labels = Vec::new();
        while let Some(Tok::Str(l)) = self.peek().cloned() {
            labels.push(l);
            self.at += 1;
        }
        self.expect('{');
        let mut attributes = BTreeMap::new();
        loop {
            self.skip_newlines();
            if self.peek() == Some(&Tok::Punct('}')) {
                self.at += 1;
                break;
            }
            let first = self.line();
            let name = match self.next() {
                Tok::Ident(n) => n,
                other => panic!("an attribute name on line {}, found {other:?}", first + 1),
            };
            // Our generated blocks nest no blocks: `name {` would be one.
            self.expect('=');
            let value = self.expr();
            let lines = first..self.toks[self.at - 1].1 + 1;
            let dup = attributes.insert(name.clone(), Attribute { value, lines });
            assert!(dup.is_none(), "attribute {name} twice in {kind} {labels:?}");
        }
        Block {
            kind,
            labels,
            attributes,
        }
    }

    fn expr(&mut self) -> Expr {
        self.skip_newlines();
        let line = self.line() + 1;
        match self.next() {
            Tok::Str(s) => Expr::Str(s),
            Tok::Number(n) => Expr::Number(n),
            Tok::Ident(i) => match i.as_str() {
                "null" => Expr::Null,
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                _ => {
                    assert_ne!(
                        self.peek(),
                        Some(&Tok::Punct('(')),
                        "a function call on line {line}"
                    );
                    Expr::Ref(i)
                }
            },
            Tok::Punct('[') => {
                let mut items = Vec::new();
                loop {
                    self.skip_newlines();
                    if self.peek() == Some(&Tok::Punct(']')) {
                        self.at += 1;
                        break Expr::List(items);
                    }
                    items.push(self.expr());
                    self.skip_newlines();
                    if self.peek() == Some(&Tok::Punct(',')) {
                        self.at += 1;
                    }
                }
            }
            Tok::Punct('{') => {
                let mut m = BTreeMap::new();
                loop {
                    self.skip_newlines();
                    if self.peek() == Some(&Tok::Punct('}')) {
                        self.at += 1;
                        break Expr::Object(m);
                    }
                    let key = match self.next() {
                        Tok::Ident(k) | Tok::Str(k) => k,
                        other => panic!("an object key on line {line}, found {other:?}"),
                    };
                    self.expect('=');
                    m.insert(key, self.expr());
                    if self.peek() == Some(&Tok::Punct(',')) {
                        self.at += 1;
                    }
                }
            }
            other => panic!("an expression on line {line}, found {other:?}"),
        }
    }
}

/// The top-level blocks of `text`, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut p = Parser {
        toks: tokens(text),
        at: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_newlines();
        if p.peek().is_none() {
            return out;
        }
        out.push(p.block());
    }
}

/// `text` with attribute `attr` of `block` replaced by `name = value` (one line).
pub fn replace_attribute(text: &str, attr: &Attribute, name: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.splice(attr.lines.clone(), [format!("  {name} = {value}")]);
    lines.join("\n") + "\n"
}
