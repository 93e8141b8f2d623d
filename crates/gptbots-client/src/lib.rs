#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod calls;
mod config;
mod error;
mod stream;

use bytes::BytesMut;
use gptbots_protocol::endpoint;
use gptbots_protocol::message_v2::ResponseMode;
use gptbots_protocol::{
    ApiKey, ConversationDetailQuery, ConversationDetailResponse, CreateConversationRequest,
    CreateConversationResponse, ErrorResponse, SendMessageRequest, SendMessageRequestV1,
    SendMessageResponse, SendMessageResponseV1,
};
use reqwest::header::{self, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use config::{
    ClientConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_USER_AGENT, Host,
};
pub use error::{ConnectionCause, Error, ErrorKind};
pub use stream::FrameStream;

/// A blocking or error body larger than this is refused (a decode fault), so that a broken
/// server cannot exhaust memory. Streaming bodies are bounded per frame by the decoder.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The most redirects followed in a row, when following is on.
const MAX_REDIRECTS: usize = 5;

/// A GPTBots API client. Cheap to clone: clones share one connection pool.
///
/// `Debug` shows the configuration, with the key and a password of the base URL redacted.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    authorization: HeaderValue,
    config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The acknowledgement of a send in webhook mode: the reply itself goes to the webhook URL
/// set in the console.
///
/// The docs do not show this body. The ids are read when present (the embedded mock of
/// `gptbots-mock` answers `{"conversation_id", "message_id"}`), and the whole body is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookAccepted {
    /// The conversation, when the acknowledgement names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The id the reply will carry, when the acknowledgement names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Every other field, as it came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// A client for this configuration.
    ///
    /// Fails (kind [`ErrorKind::Config`]) when the base URL is not an `http`/`https` URL, has
    /// a query or a fragment (paths are appended to it, so they would land after them), or the
    /// key cannot be a header value; the message never contains the key nor a password of the
    /// URL.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let base_url = config.base_url();
        let shown = gptbots_protocol::endpoint::redact_url(&base_url);
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|err| Error::config(format!("base URL {shown:?}: {err}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::config(format!(
                "base URL {shown:?}: the scheme must be http or https"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::config(format!(
                "base URL {shown:?}: must not have a query (`?...`) or a fragment (`#...`): \
                 request paths are appended to the base URL"
            )));
        }
        let mut authorization = HeaderValue::from_str(&config.api_key.bearer_header())
            .map_err(|_| Error::config("the API key contains bytes a header cannot carry"))?;
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.request_timeout)
            .redirect(redirect_policy(config.follow_redirects))
            .build()
            .map_err(|err| Error::config("the HTTP client could not be built").with_source(err))?;
        Ok(Client {
            http,
            base_url,
            authorization,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The API key in use (redacted in `Debug`).
    pub fn api_key(&self) -> &ApiKey {
        &self.config.api_key
    }

    /// Create conversation: `POST /v1/conversation`.
    pub async fn create_conversation(
        &self,
        request: &CreateConversationRequest,
    ) -> Result<CreateConversationResponse, Error> {
        let builder = self.request(Method::POST, endpoint::CREATE_CONVERSATION);
        self.blocking_call(json_body(builder, request)?).await
    }

    /// Send message v2 in blocking mode: `POST /v2/conversation/message`, waiting for the whole
    /// reply. The request's `response_mode` is set to `blocking`.
    pub async fn send_message(
        &self,
        request: SendMessageRequest,
    ) -> Result<SendMessageResponse, Error> {
        let request = request.with_response_mode(ResponseMode::Blocking);
        let builder = self.request(Method::POST, endpoint::SEND_MESSAGE_V2);
        self.blocking_call(json_body(builder, &request)?).await
    }

    /// Send message v2 in streaming mode: the reply as a [`FrameStream`] of frames. The
    /// request's `response_mode` is set to `streaming`.
    ///
    /// An error before the stream starts (an API error body whatever the status, a bad status,
    /// a timeout) is the `Err` of this call; after that, errors are items of the stream. The
    /// call returns once the first frame has arrived.
    pub async fn send_message_streaming(
        &self,
        request: SendMessageRequest,
    ) -> Result<FrameStream, Error> {
        let request = request.with_response_mode(ResponseMode::Streaming);
        let builder = self.request(Method::POST, endpoint::SEND_MESSAGE_V2);
        self.streaming_call(json_body(builder, &request)?).await
    }

    /// Send message v2 in webhook mode: returns once the service accepted the message; the
    /// reply is POSTed to the webhook URL set in the console. The request's `response_mode` is
    /// set to `webhook`.
    pub async fn send_message_webhook(
        &self,
        request: SendMessageRequest,
    ) -> Result<WebhookAccepted, Error> {
        let request = request.with_response_mode(ResponseMode::Webhook);
        let builder = self.request(Method::POST, endpoint::SEND_MESSAGE_V2);
        let accepted: WebhookAccepted = self.blocking_call(json_body(builder, &request)?).await?;
        // An acknowledgement is an object of anything; an error body is not one.
        if accepted.message_id.is_none() && accepted.conversation_id.is_none() {
            if let Some(api) =
                serde_json::from_value::<ErrorResponse>(Value::Object(accepted.extra.clone()))
                    .ok()
                    .filter(|api| api.code.is_error())
            {
                return Err(Error::api(api, Some(StatusCode::OK)));
            }
        }
        Ok(accepted)
    }

    /// Send message v1 (deprecated, still served) in blocking mode:
    /// `POST /v1/conversation/message`. The request's `response_mode` is set to `blocking`.
    pub async fn send_message_v1(
        &self,
        request: SendMessageRequestV1,
    ) -> Result<SendMessageResponseV1, Error> {
        let request = request.with_response_mode(ResponseMode::Blocking);
        let builder = self.request(Method::POST, endpoint::SEND_MESSAGE_V1);
        self.blocking_call(json_body(builder, &request)?).await
    }

    /// Send message v1 in streaming mode. The request's `response_mode` is set to `streaming`.
    pub async fn send_message_v1_streaming(
        &self,
        request: SendMessageRequestV1,
    ) -> Result<FrameStream, Error> {
        let request = request.with_response_mode(ResponseMode::Streaming);
        let builder = self.request(Method::POST, endpoint::SEND_MESSAGE_V1);
        self.streaming_call(json_body(builder, &request)?).await
    }

    /// Conversation detail v2: `GET /v2/messages?conversation_id=&page=&page_size=`.
    pub async fn conversation_detail(
        &self,
        query: &ConversationDetailQuery,
    ) -> Result<ConversationDetailResponse, Error> {
        let builder = self
            .request(Method::GET, endpoint::CONVERSATION_DETAIL_V2)
            .query(&[
                ("conversation_id", query.conversation_id.as_str()),
                ("page", &query.page.to_string()),
                ("page_size", &query.page_size.to_string()),
            ]);
        self.blocking_call(builder).await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .header(header::AUTHORIZATION, self.authorization.clone())
    }

    async fn blocking_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
    ) -> Result<T, Error> {
        let response = builder
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(|err| self.transport_error(err))?;
        refuse_redirect(&response)?;
        let status = response.status();
        let body = read_body(response).await?;
        error::read_reply(status, &body)
    }

    async fn streaming_call(&self, builder: RequestBuilder) -> Result<FrameStream, Error> {
        let response = builder
            .header(header::ACCEPT, "text/event-stream, application/json")
            .send()
            .await
            .map_err(|err| self.transport_error(err))?;
        refuse_redirect(&response)?;
        let status = response.status();
        if !status.is_success() {
            let body = read_body(response).await?;
            return Err(match error::read_reply::<ErrorResponse>(status, &body) {
                Ok(api) => Error::api(api, Some(status)),
                Err(err) => err,
            });
        }
        FrameStream::start(response).await
    }
}

impl Client {
    fn transport_error(&self, err: reqwest::Error) -> Error {
        Error::from_reqwest(err)
            .timed_out_after(self.config.request_timeout, self.config.connect_timeout)
    }
}

/// None by default; when following, only 307/308 to the same origin (they keep the method and
/// the body, and the body stays with the server it was meant for).
fn redirect_policy(follow: bool) -> reqwest::redirect::Policy {
    if !follow {
        return reqwest::redirect::Policy::none();
    }
    reqwest::redirect::Policy::custom(|attempt| {
        let keeps_method = matches!(
            attempt.status(),
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        );
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|previous| previous.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects in a row"))
        } else if keeps_method && same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// A 3xx that reached us was not followed: an error naming where it pointed.
fn refuse_redirect(response: &Response) -> Result<(), Error> {
    let status = response.status();
    if !status.is_redirection() {
        return Ok(());
    }
    let location = response.headers().get(header::LOCATION).map(|value| {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match response.url().join(&text) {
            Ok(url) => url.to_string(),
            Err(_) => text,
        }
    });
    Err(Error::redirect(status, location))
}

fn json_body<T: Serialize>(builder: RequestBuilder, body: &T) -> Result<RequestBuilder, Error> {
    let bytes = serde_json::to_vec(body)
        .map_err(|err| Error::config("the request could not be serialized").with_source(err))?;
    Ok(builder
        .header(header::CONTENT_TYPE, "application/json")
        .body(bytes))
}

async fn read_body(mut response: Response) -> Result<BytesMut, Error> {
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        if body.len().saturating_add(chunk.len()) > MAX_BODY_BYTES {
            return Err(Error::decode(
                body.len() as u64,
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
