//! The checks made on a request's head, before any of its body is read.

use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method};

use crate::answer::{Refusal, RefusalKind};
use crate::auth::Auth;

/// Checks the method: only `POST` is let in.
pub fn check_method(method: &Method) -> Result<(), Refusal> {
    if method == Method::POST {
        Ok(())
    } else {
        Err(Refusal::new(
            RefusalKind::MethodNotAllowed,
            format!("method {method} not allowed: webhooks are POSTed"),
        ))
    }
}

/// Checks `Authorization` against the configured token (nothing configured: always fine).
pub fn check_auth(auth: Option<&Auth>, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(auth) = auth else {
        return Ok(());
    };
    let given = headers.get(AUTHORIZATION);
    if auth.verify(given.map(HeaderValue::as_bytes)) {
        Ok(())
    } else if given.is_none() {
        Err(Refusal::new(
            RefusalKind::Unauthorized,
            "missing Authorization header",
        ))
    } else {
        Err(Refusal::new(
            RefusalKind::Unauthorized,
            "wrong Authorization header",
        ))
    }
}

/// Checks `Content-Type`: `application/json` (any case), optionally with parameters, of which
/// a `charset` must be UTF-8 (JSON is UTF-8, RFC 8259). A missing header is refused too: GPTBots
/// sends `application/json`.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let refuse = |what: &str| {
        Err(Refusal::new(
            RefusalKind::UnsupportedMediaType,
            format!("{what}: send Content-Type: application/json"),
        ))
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return refuse("missing Content-Type");
    };
    let Ok(value) = value.to_str() else {
        return refuse("unreadable Content-Type");
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return refuse(&format!("Content-Type `{essence}` not accepted"));
    }
    for param in parts {
        let Some((name, val)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let charset = val.trim().trim_matches('"');
            if !(charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")) {
                return refuse(&format!("charset `{charset}` not accepted (JSON is UTF-8)"));
            }
        }
    }
    Ok(())
}

/// Checks a declared `Content-Length` against the limit, before any of the body is read.
pub fn check_content_length(headers: &HeaderMap, limit: usize) -> Result<(), Refusal> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(len) if len > limit as u64 => Err(too_large(limit)),
        _ => Ok(()),
    }
}

pub(crate) fn too_large(limit: usize) -> Refusal {
    Refusal::new(
        RefusalKind::PayloadTooLarge,
        format!("body over the limit of {limit} bytes"),
    )
}
