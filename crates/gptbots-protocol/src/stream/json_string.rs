//! A JSON string's contents read directly, escapes and surrogates included, for the compact
//! frame reader: exactly what serde_json reads, or a [`Miss`] saying why not.

use super::search::special;

/// Why the compact reader (`compact_frame`) gave no frame, or [`string`] no string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// The bytes ended first, every one of them read as the start of a compact frame: the
    /// frame's closing `}` has not come. (Its strings were read exactly as the decoder's
    /// scanner reads them, quote by quote and escape by escape, so the scanner would not have
    /// closed the frame either.)
    Short,
    /// Not a compact frame, or one left to serde_json (see the module docs).
    Other,
}

/// A character or a UTF-16 surrogate, as an escape gives it.
enum Unescaped {
    Char(char),
    Surrogate(u16),
}

/// A string's contents, its lone surrogates (as [`TextPiece`](super::piece::TextPiece) keeps
/// them: the index of the U+FFFD standing for each, and its code unit), and how many bytes it
/// took.
pub(crate) type Read = (String, Vec<(usize, u16)>, usize);

/// Reads a JSON string's contents, from just after its opening `"`: the string, its lone
/// surrogates, and how many bytes it took up to and including its closing `"`.
/// [`Miss::Short`] when the bytes end first (their UTF-8 is checked only once the string is
/// whole); [`Miss::Other`] where serde_json would fail.
///
/// A surrogate escape is read as serde_json reads a string as bytes (what `TextPiece`'s
/// `Deserialize` asks for): a high one followed by the escape of a low one is the pair's
/// character; any other is a lone half, and what follows it is read as if it came alone.
pub(crate) fn string(bytes: &[u8]) -> Result<Read, Miss> {
    let mut i = special(bytes).ok_or(Miss::Short)?;
    // Most strings hold no escape: one allocation of the right size, no growing.
    if bytes.get(i) == Some(&b'"') {
        let raw = std::str::from_utf8(bytes.get(..i).unwrap_or_default());
        return Ok((raw.map_err(|_| Miss::Other)?.to_owned(), Vec::new(), i + 1));
    }
    let mut out = Vec::with_capacity(i + 8);
    let mut lone = Vec::new();
    // Start of the raw run not yet copied to `out`.
    let mut run = 0;
    loop {
        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
        match bytes.get(i) {
            Some(b'"') => {
                let value = String::from_utf8(out).map_err(|_| Miss::Other)?;
                return Ok((value, lone, i + 1));
            }
            Some(b'\\') => {
                let after = bytes.get(i + 1..).unwrap_or_default();
                let (unescaped, mut used) = escape(after)?;
                let c = match unescaped {
                    Unescaped::Char(c) => c,
                    Unescaped::Surrogate(high @ 0xD800..=0xDBFF) => {
                        match pair_low(after.get(used..).unwrap_or_default())? {
                            Some(low) => {
                                used += 6;
                                let c = 0x1_0000
                                    + ((u32::from(high) - 0xD800) << 10)
                                    + (u32::from(low) - 0xDC00);
                                char::from_u32(c).ok_or(Miss::Other)?
                            }
                            None => {
                                lone.push((out.len(), high));
                                char::REPLACEMENT_CHARACTER
                            }
                        }
                    }
                    Unescaped::Surrogate(low) => {
                        lone.push((out.len(), low));
                        char::REPLACEMENT_CHARACTER
                    }
                };
                let mut utf8 = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                i += 1 + used;
                run = i;
            }
            // A control byte: serde_json rejects it in a string.
            Some(_) => return Err(Miss::Other),
            None => return Err(Miss::Short),
        }
        i += special(bytes.get(i..).unwrap_or_default()).ok_or(Miss::Short)?;
    }
}

/// After a high surrogate's escape (`bytes` starts after it): the low surrogate whose escape
/// follows, if one does. [`Miss::Short`] when the bytes end before that is known,
/// [`Miss::Other`] for a `\u` escape whose digits are not hex (an error wherever it is).
fn pair_low(bytes: &[u8]) -> Result<Option<u16>, Miss> {
    match bytes {
        [] | [b'\\'] => Err(Miss::Short),
        [b'\\', b'u', ..] => match escape(bytes.get(1..).unwrap_or_default())? {
            (Unescaped::Surrogate(low @ 0xDC00..=0xDFFF), _) => Ok(Some(low)),
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

/// The character (or surrogate) of the escape after a `\` (`bytes` starts after it), and how
/// many bytes it took; [`Miss::Other`] for an unknown escape, [`Miss::Short`] when the bytes
/// end inside the escape.
fn escape(bytes: &[u8]) -> Result<(Unescaped, usize), Miss> {
    let c = match *bytes.first().ok_or(Miss::Short)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hex = bytes.get(1..).unwrap_or_default();
            let hex = hex.get(..4).unwrap_or(hex);
            let mut code = 0;
            for &h in hex {
                code = code * 16 + char::from(h).to_digit(16).ok_or(Miss::Other)?;
            }
            if hex.len() < 4 {
                return Err(Miss::Short);
            }
            return Ok(match char::from_u32(code) {
                Some(c) => (Unescaped::Char(c), 5),
                // `from_u32` refuses exactly the surrogates.
                None => (
                    Unescaped::Surrogate(u16::try_from(code).map_err(|_| Miss::Other)?),
                    5,
                ),
            });
        }
        _ => return Err(Miss::Other),
    };
    Ok((Unescaped::Char(c), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Read, Miss> {
        string(bytes)
    }

    #[test]
    fn a_plain_string_ends_at_its_quote() {
        assert_eq!(read(br#"abc"}"#), Ok(("abc".to_owned(), Vec::new(), 4)));
        assert_eq!(
            read("你好\"".as_bytes()),
            Ok(("你好".to_owned(), Vec::new(), 7))
        );
    }

    #[test]
    fn escapes_are_unescaped() {
        let got = read(br#"a\"b\\c\/\n\u00e9\ud83d\ude00""#);
        assert_eq!(got, Ok(("a\"b\\c/\né😀".to_owned(), Vec::new(), 30)));
    }

    #[test]
    fn a_lone_surrogate_is_kept_with_its_place() {
        let got = read(br#"x\ud83dy""#);
        assert_eq!(got, Ok(("x\u{FFFD}y".to_owned(), vec![(1, 0xD83D)], 9)));
        let got = read(br#"\ude00""#);
        assert_eq!(got, Ok(("\u{FFFD}".to_owned(), vec![(0, 0xDE00)], 7)));
    }

    #[test]
    fn bytes_that_end_first_are_short() {
        for cut in [
            &br#"abc"#[..],
            br#"a\"#,
            br#"a\u00"#,
            br#"\ud83d"#,
            br#"\ud83d\"#,
        ] {
            assert_eq!(read(cut), Err(Miss::Short), "{cut:?}");
        }
    }

    #[test]
    fn what_serde_json_rejects_is_other() {
        for bad in [&b"a\nb\""[..], br#"\q""#, br#"\u00zz""#, b"\xff\""] {
            assert_eq!(read(bad), Err(Miss::Other), "{bad:?}");
        }
    }
}
