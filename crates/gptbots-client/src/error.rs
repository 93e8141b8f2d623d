//! The one error type of the client, and how a reply body is told apart from an error body.

use std::fmt;
use std::time::Duration;

use gptbots_protocol::endpoint::redact_url;
use gptbots_protocol::{ErrorCode, ErrorResponse};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

/// Everything a call can fail with. [`kind`](Self::kind) says what happened.
///
/// The API key never appears in an error: neither in its `Display`, nor in its `Debug`, nor in
/// its source (the request URL carries no key; the key travels in a header marked sensitive).
///
/// A URL in an error (the request's, a redirect's `Location`) never shows a password: its
/// user information is replaced by `***`.
pub struct Error {
    kind: ErrorKind,
    connect: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// Where and why a transport fault happened (boxed: most errors have none).
    transport: Option<Box<Transport>>,
}

#[derive(Debug, Default)]
struct Transport {
    /// The request URL, user information redacted.
    url: Option<String>,
    /// Why a connection failed, when that could be told.
    cause: Option<ConnectionCause>,
    /// The timeout that passed, when known.
    after: Option<Duration>,
}

/// Why a connection could not be made: read from the error's chain of causes (hyper's and
/// the operating system's errors).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionCause {
    /// The host name did not resolve.
    Dns {
        /// The host looked up.
        host: String,
        /// What the resolver said.
        message: String,
    },
    /// Nothing listens at the address: the connection was refused.
    Refused {
        /// `host:port`.
        addr: String,
    },
    /// The TCP connection was made but the TLS handshake failed (a server that does not speak
    /// TLS on that port, a certificate that is not trusted...).
    Tls {
        /// Why, as the TLS library said it.
        message: String,
    },
    /// Any other fault while connecting or exchanging (reset, unreachable network...).
    Other {
        /// The innermost cause's message.
        message: String,
    },
}

impl fmt::Display for ConnectionCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionCause::Dns { host, message } => {
                write!(f, "DNS lookup failed for {host}: {message}")
            }
            ConnectionCause::Refused { addr } => write!(f, "connection refused at {addr}"),
            ConnectionCause::Tls { message } => write!(f, "TLS handshake failed: {message}"),
            ConnectionCause::Other { message } => f.write_str(message),
        }
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// GPTBots answered with its `{"code", "message"}` error body, whatever the HTTP status
    /// (a `200` carrying `{"code": 40127, ...}` is one too), or sent an error frame (a code of
    /// 20000 or more, `data` absent or `null`) inside a stream.
    Api {
        /// The GPTBots error code (`ErrorCode::AUTHENTICATION_FAILED`, ...).
        code: ErrorCode,
        /// The message as the service wrote it (in the console's language).
        message: String,
        /// The HTTP status it came with; `None` for an error frame inside a stream.
        status: Option<StatusCode>,
    },
    /// An HTTP status other than 2xx, with a body that is not a GPTBots error body (a proxy's
    /// error page, say). The body is kept, as text (lossy for invalid UTF-8).
    HttpStatus {
        /// The status.
        status: StatusCode,
        /// The body as it came.
        body: String,
    },
    /// A reply body (or a stream) could not be decoded.
    Decode {
        /// The byte offset of the fault in the body (or in the stream).
        offset: u64,
        /// What was wrong, with the JSON path of the fault when there is one.
        message: String,
    },
    /// A streaming reply ended before its End frame: the reply is incomplete.
    CutOff {
        /// Bytes of an unfinished frame left at the end (0 when the body stopped between two
        /// frames).
        trailing_bytes: usize,
    },
    /// A streaming reply brought more than the assembler keeps (its limit, in bytes): the
    /// reading stopped there.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connect timeout or the request timeout passed.
    Timeout,
    /// The connection could not be made, or broke; [`Error::connection_cause`] says why.
    Connection,
    /// The server answered with a redirect (3xx) that was not followed: by default the client
    /// follows none; with [`ClientConfig::with_follow_redirects`](crate::ClientConfig) it
    /// follows only 307 and 308 to the same origin, which keep the method and the body.
    Redirect {
        /// The 3xx status.
        status: StatusCode,
        /// Where it pointed (user information redacted), when it said.
        location: Option<String>,
    },
    /// The client could not be built or the request not formed (a base URL that is not a URL,
    /// an API key that cannot be a header value...).
    Config {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            connect: false,
            source: None,
            transport: None,
        }
    }

    /// Says which timeout passed, for the message.
    pub(crate) fn timed_out_after(mut self, request: Duration, connect: Duration) -> Self {
        if matches!(self.kind, ErrorKind::Timeout) {
            let after = if self.connect { connect } else { request };
            self.transport.get_or_insert_default().after = Some(after);
        }
        self
    }

    pub(crate) fn redirect(status: StatusCode, location: Option<String>) -> Self {
        Error::new(ErrorKind::Redirect {
            status,
            location: location.map(|l| redact_url(&l)),
        })
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config {
            message: message.into(),
        })
    }

    pub(crate) fn api(response: ErrorResponse, status: Option<StatusCode>) -> Self {
        Error::new(ErrorKind::Api {
            code: response.code,
            message: response.message,
            status,
        })
    }

    pub(crate) fn decode(offset: u64, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode {
            offset,
            message: message.into(),
        })
    }

    /// An API error from a stream's first frame gets the status of the response.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        if let ErrorKind::Api { status: slot, .. } = &mut self.kind {
            *slot = Some(status);
        }
        self
    }

    /// What happened.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The GPTBots error code, for an API error.
    pub fn api_code(&self) -> Option<ErrorCode> {
        match &self.kind {
            ErrorKind::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The GPTBots error message, for an API error.
    pub fn api_message(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether a timeout passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout)
    }

    /// Whether a streaming reply ended before its End frame.
    pub fn is_cut_off(&self) -> bool {
        matches!(self.kind, ErrorKind::CutOff { .. })
    }

    /// Whether the request certainly never reached the server: the connection could not be
    /// made (refused, no route, connect timeout), or the request could not be formed.
    ///
    /// Only then is sending the same message again certain not to send it twice. See the crate
    /// docs, "Retrying a send".
    pub fn request_not_sent(&self) -> bool {
        self.connect || matches!(self.kind, ErrorKind::Config { .. })
    }

    /// Why the connection failed, for a connection fault whose cause could be told.
    pub fn connection_cause(&self) -> Option<&ConnectionCause> {
        self.transport.as_ref()?.cause.as_ref()
    }

    /// The URL of the request that failed (user information redacted), when known.
    pub fn url(&self) -> Option<&str> {
        self.transport.as_ref()?.url.as_deref()
    }

    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        let url = err.url().cloned();
        // The URL may carry a password: it is kept only redacted, beside the error.
        let err = err.without_url();
        let timeout = err.is_timeout() || chain_has_io(&err, std::io::ErrorKind::TimedOut);
        let kind = if timeout {
            ErrorKind::Timeout
        } else if err.is_builder() {
            ErrorKind::Config {
                message: "the request could not be built".to_owned(),
            }
        } else {
            ErrorKind::Connection
        };
        let connect = err.is_connect();
        let cause = match kind {
            ErrorKind::Connection => Some(connection_cause(&err, url.as_ref())),
            _ => None,
        };
        Error {
            kind,
            connect,
            source: Some(Box::new(err)),
            transport: Some(Box::new(Transport {
                url: url.map(|u| redact_url(u.as_str())),
                cause,
                after: None,
            })),
        }
    }

    /// An I/O error from reading a streaming body: reqwest's error is inside when there is one.
    pub(crate) fn from_io(err: std::io::Error) -> Self {
        let io_kind = err.kind();
        let kind = if io_kind == std::io::ErrorKind::TimedOut {
            ErrorKind::Timeout
        } else {
            ErrorKind::Connection
        };
        match err.into_inner() {
            Some(inner) => match inner.downcast::<reqwest::Error>() {
                Ok(reqwest_err) => Error::from_reqwest(*reqwest_err),
                Err(other) => Error::new(kind).with_source(other),
            },
            None => Error::new(kind).with_source(std::io::Error::from(io_kind)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Api { code, message, .. } => {
                write!(f, "GPTBots error {code}: {message}")
            }
            ErrorKind::HttpStatus { status, body } => {
                write!(f, "HTTP status {status} without a GPTBots error body")?;
                let shown: String = body.chars().take(200).collect();
                if !shown.is_empty() {
                    write!(f, ": {shown}")?;
                    if shown.len() < body.len() {
                        f.write_str("...")?;
                    }
                }
                Ok(())
            }
            ErrorKind::Decode { offset, message } => {
                write!(f, "could not decode the reply at byte {offset}: {message}")
            }
            ErrorKind::CutOff { trailing_bytes } => {
                write!(f, "the stream was cut off before its End frame")?;
                if *trailing_bytes > 0 {
                    write!(f, " ({trailing_bytes} bytes of an unfinished frame)")?;
                }
                Ok(())
            }
            ErrorKind::TooLarge { limit } => {
                write!(
                    f,
                    "the streamed reply is larger than the limit of {limit} bytes"
                )
            }
            ErrorKind::Timeout => {
                f.write_str("timed out")?;
                if let Some(after) = self.transport.as_ref().and_then(|t| t.after) {
                    write!(f, " after {} s", after.as_secs_f64())?;
                }
                if self.connect {
                    f.write_str(" while connecting")?;
                }
                if let Some(url) = self.url() {
                    write!(f, " ({url})")?;
                }
                Ok(())
            }
            ErrorKind::Connection => {
                match (self.connection_cause(), &self.source) {
                    (Some(cause), _) => write!(f, "connection fault: {cause}")?,
                    (None, Some(source)) => {
                        write!(f, "connection fault: {}", innermost_message(&**source))?
                    }
                    (None, None) => f.write_str("connection fault")?,
                }
                if let Some(url) = self.url() {
                    write!(f, " ({url})")?;
                }
                Ok(())
            }
            ErrorKind::Redirect { status, location } => {
                write!(f, "the server redirected ({status})")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str(
                    "; not followed: the client follows only 307/308 redirects to the same \
                     origin, and only when told to (ClientConfig::with_follow_redirects)",
                )
            }
            ErrorKind::Config { message } => write!(f, "client configuration: {message}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("kind", &self.kind);
        if self.connect {
            s.field("connect", &true);
        }
        if let Some(transport) = &self.transport {
            s.field("transport", transport);
        }
        if let Some(source) = &self.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The next cause: an `io::Error` wrapping another error hands out that error itself (its
/// `source()` would skip it).
fn next_cause<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        if let Some(inner) = io.get_ref() {
            return Some(inner as &(dyn std::error::Error + 'static));
        }
    }
    err.source()
}

/// The chain of causes from `err` down, bounded (a cyclic chain cannot loop).
fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |e| next_cause(*e)).take(32)
}

fn chain_has_io(err: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    causes(err).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

/// The message of the deepest cause: the one that says what happened.
fn innermost_message(err: &(dyn std::error::Error + 'static)) -> String {
    causes(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Tells a DNS failure, a refusal and a TLS failure apart, from hyper-util's connect error
/// (whose message is `dns error` or `tcp connect error`) and the OS error under it.
fn connection_cause(err: &reqwest::Error, url: Option<&reqwest::Url>) -> ConnectionCause {
    let message = innermost_message(err);
    let host = url
        .and_then(|u| u.host_str())
        .unwrap_or("the host")
        .to_owned();
    let addr = match url.and_then(|u| u.port_or_known_default()) {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let said = |text: &str| causes(err).any(|e| e.to_string() == text);
    // hyper-util's resolver says `dns error`; the message under it is the system's.
    if said("dns error") || message.starts_with("failed to lookup address") {
        return ConnectionCause::Dns { host, message };
    }
    if chain_has_io(err, std::io::ErrorKind::ConnectionRefused) {
        return ConnectionCause::Refused { addr };
    }
    let tcp_level = said("tcp connect error") || said("tcp open error");
    let https = url.is_some_and(|u| u.scheme() == "https");
    if err.is_connect() && https && !tcp_level {
        return ConnectionCause::Tls { message };
    }
    ConnectionCause::Other { message }
}

/// Reads a complete body as a `T`, or as the GPTBots error it is.
///
/// The rule, since the HTTP status of an error is not documented:
/// - any body that is an error body (an integer `code` of 20000 or more, with a `message` or
///   `msg` that may be `null` or absent) is an API error, whatever the status, 200 included:
///   `{"code": 20055}` with 200 is API error 20055, not a malformed reply;
/// - a 2xx body that parses as `T` is the reply;
/// - any other body with an integer `code` that is not a `T` is an API error too (a `404`
///   with `{"code": 404, ...}`);
/// - a non-2xx body that is neither is an [`ErrorKind::HttpStatus`], body kept;
/// - a 2xx body that is neither is an [`ErrorKind::Decode`] with the offset and JSON path.
pub(crate) fn read_reply<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    if let Some(api) = ErrorResponse::from_error_body(body) {
        return Err(Error::api(api, Some(status)));
    }
    let parsed = if status.is_success() {
        match gptbots_protocol::from_slice::<T>(body) {
            Ok(reply) => return Ok(reply),
            Err(err) => Some(err),
        }
    } else {
        None
    };
    if let Ok(api) = gptbots_protocol::from_slice::<ErrorResponse>(body) {
        return Err(Error::api(api, Some(status)));
    }
    match parsed {
        Some(err) => Err(Error::decode(
            err.offset as u64,
            format!("at {}: {}", err.path, err.message),
        )),
        None => Err(Error::new(ErrorKind::HttpStatus {
            status,
            body: String::from_utf8_lossy(body).into_owned(),
        })),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use gptbots_protocol::CreateConversationResponse;

    #[test]
    fn api_error_in_a_200_is_an_api_error() {
        let err = read_reply::<CreateConversationResponse>(
            StatusCode::OK,
            br#"{"code":40127,"message":"auth"}"#,
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some(ErrorCode::AUTHENTICATION_FAILED));
        assert_eq!(err.api_message(), Some("auth"));
    }

    #[test]
    fn api_error_in_a_404_is_an_api_error() {
        let err = read_reply::<CreateConversationResponse>(
            StatusCode::NOT_FOUND,
            br#"{"code":40356,"message":"gone"}"#,
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some(ErrorCode::CONVERSATION_NOT_FOUND));
        match err.kind() {
            ErrorKind::Api { status, .. } => assert_eq!(*status, Some(StatusCode::NOT_FOUND)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_status_keeps_the_body() {
        let err = read_reply::<CreateConversationResponse>(
            StatusCode::BAD_GATEWAY,
            b"<html>bad gateway</html>",
        )
        .unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::HttpStatus {
                status: StatusCode::BAD_GATEWAY,
                body: "<html>bad gateway</html>".to_owned()
            }
        );
    }

    #[test]
    fn a_200_that_is_neither_is_a_decode_fault_with_offset() {
        let err = read_reply::<CreateConversationResponse>(
            StatusCode::OK,
            b"{\n  \"conversation_id\": 12\n}",
        )
        .unwrap_err();
        match err.kind() {
            ErrorKind::Decode { offset, message } => {
                assert!(message.contains("conversation_id"), "{message}");
                // Line 2, within `"conversation_id": 12`.
                assert!((4..=26).contains(offset), "{offset}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reply_is_a_reply() {
        let reply = read_reply::<CreateConversationResponse>(
            StatusCode::OK,
            br#"{"conversation_id":"abc"}"#,
        )
        .unwrap();
        assert_eq!(reply.conversation_id, "abc");
    }
}
