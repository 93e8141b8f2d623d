//! How a receiver checks, bounds and de-duplicates requests, and the check of that
//! configuration at start.

use std::fmt;

use crate::auth::Auth;
use crate::dedup::DedupConfig;
use crate::limits::{DEFAULT_BODY_BUDGET, DEFAULT_BODY_LIMIT};

/// How a receiver checks, bounds and de-duplicates requests.
///
/// The bounds of connections (header, body and idle deadlines, connection and stream caps)
/// belong to the server: see [`ServeLimits`](crate::ServeLimits) and [`serve`](crate::serve).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceiverConfig {
    /// The `Authorization` the reply webhook requires (none: any request is let in, as when
    /// GPTBots' authorization switch is off). The hand-off paths do not use it: GPTBots sends
    /// no `Authorization` there.
    pub auth: Option<Auth>,
    /// The `Authorization` the three hand-off paths require, a token of their own (none, the
    /// default: any request is let in, as GPTBots documents no header there).
    pub handoff_auth: Option<Auth>,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
    /// The bytes of all bodies being read at once; past it, 503 with `Retry-After`.
    pub body_budget: usize,
    /// How delivered message ids are remembered.
    pub dedup: DedupConfig,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            auth: None,
            handoff_auth: None,
            body_limit: DEFAULT_BODY_LIMIT,
            body_budget: DEFAULT_BODY_BUDGET,
            dedup: DedupConfig::DEFAULT,
        }
    }
}

impl ReceiverConfig {
    /// No authorization, a 4 MiB limit, a 64 MiB budget of bodies being read, de-duplication
    /// for an hour, 100,000 ids or 16 MiB.
    pub fn new() -> Self {
        ReceiverConfig::default()
    }

    /// Requires this `Authorization` on the reply webhook.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Requires this `Authorization` on the three hand-off paths (a token of their own, apart
    /// from the reply webhook's).
    pub fn with_handoff_auth(mut self, auth: Auth) -> Self {
        self.handoff_auth = Some(auth);
        self
    }

    /// Sets the body limit in bytes.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets the byte budget of all bodies being read at once.
    pub fn with_body_budget(mut self, bytes: usize) -> Self {
        self.body_budget = bytes;
        self
    }

    /// Sets the de-duplication window and bounds.
    pub fn with_dedup(mut self, dedup: DedupConfig) -> Self {
        self.dedup = dedup;
        self
    }

    /// Checks what would make the receiver refuse everything, or accept a token that no
    /// sender can match: a token that is empty or has white space around it (a pasted
    /// newline), a zero body limit, a budget smaller than one body.
    ///
    /// [`Receiver::try_new`](crate::Receiver::try_new) and
    /// [`Webhooks::try_new`](crate::Webhooks::try_new) call it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(auth) = &self.auth {
            auth.validate()?;
        }
        if let Some(auth) = &self.handoff_auth {
            auth.validate()
                .map_err(|err| ConfigError::new(format!("hand-off {err}")))?;
        }
        if self.body_limit == 0 {
            return Err(ConfigError::new(
                "the body limit is 0: every request would be refused",
            ));
        }
        if self.body_budget < self.body_limit {
            return Err(ConfigError::new(format!(
                "the body budget ({} bytes) is smaller than the body limit ({} bytes): a body at the limit could never be read",
                self.body_budget, self.body_limit
            )));
        }
        Ok(())
    }
}

/// A configuration that cannot work; the message says why (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// Why.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}
