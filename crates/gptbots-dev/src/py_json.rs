//! JSON read and written the way Python's `json` module does it, for the fuzz seeds, whose bytes
//! were first made by `json.loads` and `json.dumps(..., separators=(",", ":"))`:
//!
//! - objects keep their keys in the order they came; a repeated key keeps its first place and
//!   takes its last value;
//! - an integer is written back as it was read (`-0` as `0`); a number with a fraction or an
//!   exponent is a float, written back as Python's `repr` writes it (`1.0`, `1e-05`, `1e+16`);
//! - strings are written with `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` and `\u00XX` for the other
//!   control characters; with `ensure_ascii`, everything outside `' '..='~'` is `\uXXXX` too
//!   (surrogate pairs above U+FFFF).
//!
//! [`spans`] splits text holding several JSON values one after another, as a loop of
//! `JSONDecoder.raw_decode` does.

/// A JSON value as Python holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The digits as read, sign included (`-0` already made `0`).
    Int(String),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    /// Keys in their first order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Reads one JSON document (whitespace around it allowed), like `json.loads`.
pub fn loads(text: &str) -> Result<Value, String> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_whitespace();
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("extra data"));
    }
    Ok(value)
}

/// The text of each JSON value in `text`, which holds values one after another with only
/// whitespace between them, each exactly as it came.
pub fn spans(text: &str) -> Result<Vec<&str>, String> {
    let mut parser = Parser { text, pos: 0 };
    let mut out = Vec::new();
    loop {
        parser.skip_whitespace();
        if parser.pos >= text.len() {
            return Ok(out);
        }
        let start = parser.pos;
        parser.value()?;
        out.push(text.get(start..parser.pos).unwrap_or_default());
    }
}

/// Writes `value` compactly, like `json.dumps(value, separators=(",", ":"))`.
pub fn dumps(value: &Value, ensure_ascii: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, value, ensure_ascii);
    out
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        let found = self
            .text
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(literal));
        if found {
            self.pos += literal.len();
        }
        found
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::Str),
            _ if self.eat("null") => Ok(Value::Null),
            _ if self.eat("true") => Ok(Value::Bool(true)),
            _ if self.eat("false") => Ok(Value::Bool(false)),
            _ if self.eat("NaN") => Ok(Value::Float(f64::NAN)),
            _ if self.eat("Infinity") => Ok(Value::Float(f64::INFINITY)),
            _ if self.eat("-Infinity") => Ok(Value::Float(f64::NEG_INFINITY)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expecting a value")),
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.pos += 1;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if self.eat("}") {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expecting a property name"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if !self.eat(":") {
                return Err(self.error("expecting ':'"));
            }
            self.skip_whitespace();
            let value = self.value()?;
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = value,
                None => members.push((key, value)),
            }
            self.skip_whitespace();
            if self.eat("}") {
                return Ok(Value::Object(members));
            }
            if !self.eat(",") {
                return Err(self.error("expecting ',' or '}'"));
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat("]") {
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            if self.eat("]") {
                return Ok(Value::Array(items));
            }
            if !self.eat(",") {
                return Err(self.error("expecting ',' or ']'"));
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, as Python's scanner reads it.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        self.eat("-");
        if self.eat("0") {
        } else if self.digits() == 0 {
            return Err(self.error("expecting a value"));
        }
        let mut float = false;
        let before_fraction = self.pos;
        if self.eat(".") {
            if self.digits() == 0 {
                self.pos = before_fraction;
            } else {
                float = true;
            }
        }
        let before_exponent = self.pos;
        if self.eat("e") || self.eat("E") {
            if !self.eat("-") {
                self.eat("+");
            }
            if self.digits() == 0 {
                self.pos = before_exponent;
            } else {
                float = true;
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or_default();
        if float {
            text.parse::<f64>()
                .map(Value::Float)
                .map_err(|e| format!("{text}: {e}"))
        } else if text == "-0" {
            Ok(Value::Int("0".to_owned()))
        } else {
            Ok(Value::Int(text.to_owned()))
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\uXXXX escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|e| self.error(&e.to_string()))
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.pos..).unwrap_or_default();
            let Some(c) = rest.chars().next() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(escape) = self.peek() else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                c if (c as u32) < 0x20 => return Err(self.error("control character in string")),
                c => out.push(c),
            }
        }
    }

    /// After `\u`: one character, joining a surrogate pair. A lone surrogate, which Python keeps
    /// but cannot write as UTF-8, is an error.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) && self.eat("\\u") {
            let second = self.hex4()?;
            if (0xdc00..0xe000).contains(&second) {
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            } else {
                return Err(self.error("lone surrogate"));
            }
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))
    }
}

fn write_value(out: &mut String, value: &Value, ensure_ascii: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(digits) => out.push_str(digits),
        Value::Float(x) => out.push_str(&float_repr(*x)),
        Value::Str(text) => write_string(out, text, ensure_ascii),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, ensure_ascii);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key, ensure_ascii);
                out.push(':');
                write_value(out, item, ensure_ascii);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, text: &str, ensure_ascii: bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            ' '..='~' => out.push(c),
            c if !ensure_ascii => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// A float as Python's `repr` writes it: the shortest digits that read back the same, in plain
/// notation when the decimal point falls between 16 places left and 4 places right of them
/// (`1000000000000000.0`, `0.0001`), otherwise as `1e+16` or `1.5e-05`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` writes the same shortest digits: `-1.2345e3`, `5e-324`.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    let point = exponent + 1;
    let len = digits.len() as i64;
    if (-3..=16).contains(&point) {
        if point <= 0 {
            format!(
                "{sign}0.{}{digits}",
                "0".repeat(point.unsigned_abs() as usize)
            )
        } else if point >= len {
            format!("{sign}{digits}{}.0", "0".repeat((point - len) as usize))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{sign}{whole}.{fraction}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{first}{rest}e{exponent_sign}{:02}", exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_repr_writes_them() {
        for (x, python) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (100000.0, "100000.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (1e-5, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456789.125, "123456789.125"),
        ] {
            assert_eq!(float_repr(x), python, "{x}");
        }
    }

    #[test]
    fn reads_and_writes_as_json_loads_and_dumps() {
        let text = "{ \"b\": 1, \"a\": [1.0, -0, 2e2, \"\\u00e9\\ud83d\\ude00\\n\\u0001\\/\"], \"b\": null }";
        let value = loads(text).unwrap_or(Value::Null);
        assert_eq!(
            dumps(&value, false),
            "{\"b\":null,\"a\":[1.0,0,200.0,\"é😀\\n\\u0001/\"]}"
        );
        assert_eq!(
            dumps(&value, true),
            "{\"b\":null,\"a\":[1.0,0,200.0,\"\\u00e9\\ud83d\\ude00\\n\\u0001/\"]}"
        );
        assert!(loads("{\"a\":1} x").is_err());
        assert!(loads("\"\\ud83d\"").is_err());
    }

    #[test]
    fn spans_of_values_run_together() {
        let text = " {\"a\":\"}{\"} \r\n[1, 2]\t\"s\"42 ";
        assert_eq!(
            spans(text),
            Ok(vec!["{\"a\":\"}{\"}", "[1, 2]", "\"s\"", "42"])
        );
    }
}
