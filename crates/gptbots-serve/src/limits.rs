//! The bounds a server keeps on every connection, with defaults for a server that faces the
//! internet.

use std::fmt;
use std::time::Duration;

/// The bounds [`serve`](crate::serve) keeps. Every byte held and every connection kept has a
/// bound and a deadline.
///
/// | field | default | what happens past it |
/// |---|---|---|
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | the connection is closed |
/// | [`body_read_timeout`](Self::body_read_timeout) | 30 s | the body ends with [`BodyTimeout`](crate::BodyTimeout); the handler answers, the connection is closed |
/// | [`idle_timeout`](Self::idle_timeout) | 60 s | the connection is closed (HTTP/2: `GOAWAY`) |
/// | [`max_connections`](Self::max_connections) | 1024 | no more connections are accepted until one closes (the kernel queues them) |
/// | [`max_concurrent_streams`](Self::max_concurrent_streams) | 32 | HTTP/2 peers are told this limit; extra streams are refused |
/// | [`shutdown_grace`](Self::shutdown_grace) | 10 s | connections still open after a shutdown is asked are cut |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How long a client has to send a request's whole head (request line and headers), from
    /// the moment the server waits for it. For HTTP/1 that wait starts when the connection
    /// opens or its previous response was sent, so it also bounds a keep-alive connection's
    /// idle time.
    pub header_read_timeout: Duration,
    /// How long a request's whole body may take to arrive, from the moment its head was read
    /// (a deadline, not a pause between chunks: a body dripped a byte at a time is cut too).
    pub body_read_timeout: Duration,
    /// How long a connection with no request in progress is kept open (HTTP/1 keep-alive and
    /// HTTP/2 alike; for HTTP/1 the header timeout may close it sooner).
    pub idle_timeout: Duration,
    /// How many connections are open at once, at most.
    pub max_connections: usize,
    /// How many concurrent streams one HTTP/2 connection may open.
    pub max_concurrent_streams: u32,
    /// After a shutdown is asked, how long requests in progress have to finish.
    pub shutdown_grace: Duration,
}

impl Limits {
    /// The defaults (see the table above).
    pub const DEFAULT: Limits = Limits {
        header_read_timeout: Duration::from_secs(10),
        body_read_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(60),
        max_connections: 1024,
        max_concurrent_streams: 32,
        shutdown_grace: Duration::from_secs(10),
    };

    /// The defaults.
    pub fn new() -> Self {
        Limits::DEFAULT
    }

    /// Sets the header-read timeout.
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets the body-read deadline.
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets the idle timeout.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets the cap on open connections.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Sets the cap on concurrent HTTP/2 streams per connection.
    pub fn with_max_concurrent_streams(mut self, max: u32) -> Self {
        self.max_concurrent_streams = max;
        self
    }

    /// Sets the grace period of a shutdown.
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Checks that every bound is usable: timeouts and caps above zero (a zero would refuse
    /// everything or turn the bound off, neither of which is what a zero on a command line
    /// usually means).
    pub fn validate(&self) -> Result<(), LimitsError> {
        let zero = |what: &'static str| Err(LimitsError { what });
        if self.header_read_timeout.is_zero() {
            return zero("the header-read timeout");
        }
        if self.body_read_timeout.is_zero() {
            return zero("the body-read timeout");
        }
        if self.idle_timeout.is_zero() {
            return zero("the idle timeout");
        }
        if self.max_connections == 0 {
            return zero("the maximum number of connections");
        }
        if self.max_concurrent_streams == 0 {
            return zero("the maximum number of HTTP/2 streams");
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A bound of [`Limits`] that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitsError {
    /// Which bound.
    pub what: &'static str,
}

impl fmt::Display for LimitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be above zero", self.what)
    }
}

impl std::error::Error for LimitsError {}
