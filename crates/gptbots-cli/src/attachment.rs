//! `gptbots chat --image/--document/--audio`: an attachment from a path or an http(s) URL.
//!
//! A URL is sent as it is (`{"url", "format", "name"}`); a local file is read and sent inline
//! (`{"base64_content", "format", "name"}`). The format is the name's extension, lower case;
//! the name is the last segment of the path or URL. A file over the size the service takes for
//! its kind is refused before anything is sent.

use std::path::Path;

use base64::Engine;
use gptbots_protocol::message_v2::{Attachment, ContentPart};

/// The kind of an attachment: which part type it becomes, and how large a file may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{"type": "image"}`: at most 10 MB.
    Image,
    /// `{"type": "document"}`: at most 20 MB.
    Document,
    /// `{"type": "audio"}`: at most 5 MB.
    Audio,
}

impl Kind {
    /// The largest file the service takes for this kind, in bytes.
    fn max_bytes(self) -> u64 {
        match self {
            Kind::Image => 10_000_000,
            Kind::Document => 20_000_000,
            Kind::Audio => 5_000_000,
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Kind::Image => "--image",
            Kind::Document => "--document",
            Kind::Audio => "--audio",
        }
    }

    /// The message part that carries `attachment`.
    pub fn part(self, attachment: Attachment) -> ContentPart {
        match self {
            Kind::Image => ContentPart::image(attachment),
            Kind::Document => ContentPart::document(attachment),
            Kind::Audio => ContentPart::audio(attachment),
        }
    }
}

/// The attachment `source` (a path, or an `http://`/`https://` URL) names; the error says
/// which flag and what went wrong.
pub fn load(kind: Kind, source: &str) -> Result<Attachment, String> {
    let flag = kind.flag();
    if source.starts_with("http://") || source.starts_with("https://") {
        let path = source
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        let name = path.rsplit('/').next().unwrap_or_default();
        let format = extension(name).ok_or_else(|| {
            format!("{flag} {source}: the URL's name has no extension to give the format")
        })?;
        return Ok(Attachment::url(source, format, name));
    }
    let path = Path::new(source);
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| format!("{flag} {source}: not a file name"))?;
    let format = extension(name)
        .ok_or_else(|| format!("{flag} {source}: the file has no extension to give the format"))?;
    let size = std::fs::metadata(path)
        .map_err(|err| format!("{flag} {source}: {err}"))?
        .len();
    if size > kind.max_bytes() {
        return Err(format!(
            "{flag} {source}: {size} bytes is more than the {} bytes the service takes",
            kind.max_bytes()
        ));
    }
    let bytes = std::fs::read(path).map_err(|err| format!("{flag} {source}: {err}"))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(Attachment::base64(encoded, format, name))
}

/// The lower-case extension of `name` (`"Cat.PNG"` gives `"png"`), if it has one.
fn extension(name: &str) -> Option<String> {
    let (stem, extension) = name.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_ascii_lowercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_sent_as_it_is_with_its_name_and_format() {
        let attachment = load(Kind::Image, "https://example.com/a/Cat.PNG?x=1").unwrap();
        let json = serde_json::to_value(&attachment).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"url": "https://example.com/a/Cat.PNG?x=1", "format": "png", "name": "Cat.PNG"})
        );
    }

    #[test]
    fn a_file_is_sent_inline_as_base64() {
        let dir = std::env::temp_dir().join(format!("gptbots-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("notes.md");
        std::fs::write(&file, b"# hi").unwrap();
        let attachment = load(Kind::Document, file.to_str().unwrap()).unwrap();
        let json = serde_json::to_value(&attachment).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"base64_content": "IyBoaQ==", "format": "md", "name": "notes.md"})
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_extension_no_file_and_too_large_are_errors_naming_the_flag() {
        let err = load(Kind::Audio, "https://example.com/stream").unwrap_err();
        assert!(
            err.starts_with("--audio https://example.com/stream"),
            "{err}"
        );
        let err = load(Kind::Image, "/no/such/dir/cat.png").unwrap_err();
        assert!(err.starts_with("--image /no/such/dir/cat.png:"), "{err}");
        let dir = std::env::temp_dir().join(format!("gptbots-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("big.mp3");
        let handle = std::fs::File::create(&file).unwrap();
        handle.set_len(5_000_001).unwrap();
        let err = load(Kind::Audio, file.to_str().unwrap()).unwrap_err();
        assert!(err.contains("5000001 bytes"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
