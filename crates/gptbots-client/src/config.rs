//! Client configuration: key, host, timeouts, user agent.

use std::time::Duration;

use gptbots_protocol::{ApiKey, Region};

/// The default request timeout: a blocking reply of a slow agent can take a while.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default `User-Agent`: `gptbots-client/{version}`.
pub const DEFAULT_USER_AGENT: &str = concat!("gptbots-client/", env!("CARGO_PKG_VERSION"));

/// Where the client sends requests: a region's host or any base URL.
///
/// `Debug` shows a base URL without its password (`https://***@host/`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Host {
    /// `https://api-{region}.gptbots.ai`.
    Region(Region),
    /// Any base URL: a proxy, a private deployment, a local mock (`http://127.0.0.1:8787`).
    /// Paths are appended to it, so a path prefix (`https://proxy.example/gptbots`) is kept;
    /// a query or a fragment is refused by [`Client::new`](crate::Client::new).
    BaseUrl(String),
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Region(region) => f.debug_tuple("Region").field(region).finish(),
            Host::BaseUrl(url) => f
                .debug_tuple("BaseUrl")
                .field(&gptbots_protocol::endpoint::redact_url(url))
                .finish(),
        }
    }
}

/// How a [`Client`](crate::Client) talks to GPTBots.
///
/// `Debug` shows neither the key (an [`ApiKey`], redacted) nor a base URL's password.
///
/// ```
/// use std::time::Duration;
/// use gptbots_client::ClientConfig;
/// use gptbots_protocol::Region;
///
/// let config = ClientConfig::new("app-key")
///     .with_region(Region::Jp)
///     .with_request_timeout(Duration::from_secs(30));
/// assert_eq!(config.base_url(), "https://api-jp.gptbots.ai");
/// assert!(!format!("{config:?}").contains("app-key"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The agent's API key, sent as `Authorization: Bearer {key}`.
    pub api_key: ApiKey,
    /// The host; the `sg` region by default.
    pub host: Host,
    /// The longest a blocking call may take, from connecting to the last byte of the reply.
    /// For a streaming call, the longest wait for the reply's head and then for each next piece
    /// of the body (a stream may last longer in all, as long as it keeps moving).
    pub request_timeout: Duration,
    /// The longest wait for a connection.
    pub connect_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Follow redirects: `false` by default, and then any 3xx is an error of kind
    /// [`ErrorKind::Redirect`](crate::ErrorKind::Redirect) naming the `Location`. When `true`,
    /// only 307 and 308 to the same origin (scheme, host and port) are followed, at most 5 in a
    /// row: those keep the method and the body. A 301, 302 or 303 (which would turn a POST into
    /// a GET and drop the message) and a redirect to another origin (which would hand the
    /// message to another server) are still errors.
    pub follow_redirects: bool,
}

impl ClientConfig {
    /// A configuration with this key, the `sg` region and the default timeouts.
    pub fn new(api_key: impl Into<ApiKey>) -> Self {
        ClientConfig {
            api_key: api_key.into(),
            host: Host::Region(Region::default()),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            follow_redirects: false,
        }
    }

    /// This configuration with another region.
    pub fn with_region(mut self, region: Region) -> Self {
        self.host = Host::Region(region);
        self
    }

    /// This configuration with any base URL (`http://127.0.0.1:8787` for a local mock).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.host = Host::BaseUrl(base_url.into());
        self
    }

    /// This configuration with another request timeout.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// This configuration with another connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// This configuration with another `User-Agent`.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// This configuration with redirects followed or not (see
    /// [`follow_redirects`](Self::follow_redirects)).
    pub fn with_follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// The base URL requests go to, without a trailing `/`.
    pub fn base_url(&self) -> String {
        match &self.host {
            Host::Region(region) => region.base_url(),
            Host::BaseUrl(url) => url.trim_end_matches('/').to_owned(),
        }
    }
}
