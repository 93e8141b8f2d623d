//! The calls beyond creating conversations and sending messages: hand-off calls back, webhook
//! check, feedback, reply quality, conversation list, conversation detail v1, suggested
//! questions, referenced knowledge and agent information.
//!
//! These calls answer small objects whose fields are all optional (`{"affectCount": 0}`,
//! `{"code": 200, "message": "success"}`), so an error body would read as a reply. Before
//! reading the reply, a 2xx body whose integer `code` is neither 0 nor 200 is taken for what
//! it is: an API error ([`ErrorKind::Api`](crate::ErrorKind::Api)). Everything else follows the
//! rules of the other calls.
//!
//! Queries are sent as the query string; what is sent is not checked first: call the query's
//! `validate()` to catch a bad value before the service answers 40000.

use gptbots_protocol::agent::AGENT_DETAIL_PATH;
use gptbots_protocol::feedback::{MESSAGE_FEEDBACK_PATH, MESSAGE_QUALITY_PATH};
use gptbots_protocol::handoff::{HUMAN_CLOSE_PATH, HUMAN_MESSAGE_PATH};
use gptbots_protocol::history::{CONVERSATION_DETAIL_V1_PATH, CONVERSATION_LIST_PATH};
use gptbots_protocol::human_calls::HUMAN_CALL_SUCCESS_CODES;
use gptbots_protocol::reply_extras::{REFERENCED_KNOWLEDGE_PATH, SUGGESTED_QUESTIONS_PATH};
use gptbots_protocol::webhook_check::WEBHOOK_CHECK_PATH;
use gptbots_protocol::{
    AffectCountResponse, AgentDetailResponse, ConversationDetailV1Query,
    ConversationDetailV1Response, ConversationListQuery, ConversationListResponse, ErrorResponse,
    HumanCallResponse, HumanCloseRequest, HumanMessageRequest, MessageFeedbackRequest,
    MessageQualityRequest, ReferencedKnowledgeQuery, ReferencedKnowledgeResponse,
    SuggestedQuestionsQuery, SuggestedQuestionsResponse, WebhookCheckResponse,
};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{Client, Error, error, json_body, read_body};

impl Client {
    /// Hand-off, a human agent's message to the user: `POST /v1/human/message/receive`.
    ///
    /// The first one must reach GPTBots within the agent's wait timeout (60 s by default) after
    /// the establish call, or GPTBots ends the hand-off. A 2xx with any JSON object or an empty
    /// body is a success; a `code` other than 200 or 0 in it is an API error (40356: no such
    /// hand-off session).
    pub async fn human_message(
        &self,
        request: &HumanMessageRequest,
    ) -> Result<HumanCallResponse, Error> {
        let builder = self.request(Method::POST, HUMAN_MESSAGE_PATH);
        self.checked_call(
            json_body(builder, request)?,
            Some(HumanCallResponse::default()),
        )
        .await
    }

    /// Hand-off, the human agent ends it: `POST /v1/human/close`. Answers like
    /// [`human_message`](Self::human_message).
    pub async fn human_close(
        &self,
        request: &HumanCloseRequest,
    ) -> Result<HumanCallResponse, Error> {
        let builder = self.request(Method::POST, HUMAN_CLOSE_PATH);
        self.checked_call(
            json_body(builder, request)?,
            Some(HumanCallResponse::default()),
        )
        .await
    }

    /// Webhook check: `POST /v1/webhook/check` (no body). GPTBots probes every webhook URL set
    /// on the key's agent and says how each answered.
    pub async fn webhook_check(&self) -> Result<WebhookCheckResponse, Error> {
        let builder = self.request(Method::POST, WEBHOOK_CHECK_PATH);
        self.checked_call(builder, None).await
    }

    /// Message feedback, the user's thumbs up or down on a reply: `POST /v1/message/feedback`.
    ///
    /// Success is the 2xx itself; the count in the reply is information only.
    pub async fn message_feedback(
        &self,
        request: &MessageFeedbackRequest,
    ) -> Result<AffectCountResponse, Error> {
        let builder = self.request(Method::POST, MESSAGE_FEEDBACK_PATH);
        self.checked_call(json_body(builder, request)?, None).await
    }

    /// Reply quality, a reviewer's verdict on a reply: `POST /v1/message/quality`.
    ///
    /// Success is the 2xx itself; the count in the reply is information only.
    pub async fn message_quality(
        &self,
        request: &MessageQualityRequest,
    ) -> Result<AffectCountResponse, Error> {
        let builder = self.request(Method::POST, MESSAGE_QUALITY_PATH);
        self.checked_call(json_body(builder, request)?, None).await
    }

    /// Conversation list: `GET /v1/bot/conversation/page?conversation_type=&user_id=&start_time=&end_time=&page=&page_size=`.
    ///
    /// A page past the last one is API error 40005.
    pub async fn conversation_list(
        &self,
        query: &ConversationListQuery,
    ) -> Result<ConversationListResponse, Error> {
        let builder = self
            .request(Method::GET, CONVERSATION_LIST_PATH)
            .query(query);
        self.checked_call(builder, None).await
    }

    /// Conversation detail v1 (legacy, text only):
    /// `GET /v1/messages?conversation_id=&page=&page_size=`. Prefer
    /// [`conversation_detail`](Self::conversation_detail), which returns every kind of content.
    ///
    /// A page past the last one is API error 40005; an unknown conversation is 40356.
    pub async fn conversation_detail_v1(
        &self,
        query: &ConversationDetailV1Query,
    ) -> Result<ConversationDetailV1Response, Error> {
        let builder = self
            .request(Method::GET, CONVERSATION_DETAIL_V1_PATH)
            .query(query);
        self.checked_call(builder, None).await
    }

    /// Suggested questions after a reply: `GET /v1/next/question?answer_id=`.
    ///
    /// Error 200222 when the agent's settings do not enable them.
    pub async fn suggested_questions(
        &self,
        query: &SuggestedQuestionsQuery,
    ) -> Result<SuggestedQuestionsResponse, Error> {
        let builder = self
            .request(Method::GET, SUGGESTED_QUESTIONS_PATH)
            .query(query);
        self.checked_call(builder, None).await
    }

    /// The knowledge-base passages a reply drew on: `GET /v1/correlate/dataset?message_id=`.
    ///
    /// Error 200222 when the agent's settings do not enable them.
    pub async fn referenced_knowledge(
        &self,
        query: &ReferencedKnowledgeQuery,
    ) -> Result<ReferencedKnowledgeResponse, Error> {
        let builder = self
            .request(Method::GET, REFERENCED_KNOWLEDGE_PATH)
            .query(query);
        self.checked_call(builder, None).await
    }

    /// Agent information: `GET /v1/bot/detail`. The settings of the key's agent, and the
    /// cheapest way to check that a key works (a wrong key is API error 40127).
    pub async fn agent_detail(&self) -> Result<AgentDetailResponse, Error> {
        let builder = self.request(Method::GET, AGENT_DETAIL_PATH);
        self.checked_call(builder, None).await
    }

    /// Sends, reads the whole body, and reads it as a `T` after the error-code check of the
    /// module docs. `if_empty` is the reply an empty (or blank) 2xx body stands for; with
    /// `None`, such a body is a decode fault.
    async fn checked_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        if_empty: Option<T>,
    ) -> Result<T, Error> {
        let response = builder
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let status = response.status();
        let body = read_body(response).await?;
        if status.is_success() {
            if body.iter().all(u8::is_ascii_whitespace) {
                if let Some(reply) = if_empty {
                    return Ok(reply);
                }
            }
            if let Some(api) = error_code_in(&body) {
                return Err(Error::api(api, Some(status)));
            }
        }
        error::read_reply(status, &body)
    }
}

/// The error a 2xx body carries: an object whose `code` is an integer (or an integral decimal)
/// other than 0 and 200. Its text is `message`, or `msg`, or empty.
fn error_code_in(body: &[u8]) -> Option<ErrorResponse> {
    let object: Map<String, Value> = serde_json::from_slice(body).ok()?;
    let code = match object.get("code")? {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            // Integral and within i64: the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
        })?,
        _ => return None,
    };
    if HUMAN_CALL_SUCCESS_CODES.contains(&code) {
        return None;
    }
    let message = ["message", "msg"]
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str))
        .unwrap_or_default();
    Some(ErrorResponse::new(code, message))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::error_code_in;
    use gptbots_protocol::ErrorCode;

    #[test]
    fn error_codes_in_a_success_body() {
        let api = error_code_in(br#"{"code":40000,"message":"page_size"}"#).unwrap();
        assert_eq!(
            (api.code, api.message.as_str()),
            (ErrorCode(40000), "page_size")
        );
        let api = error_code_in(br#"{"code":20059.0,"msg":"deleted"}"#).unwrap();
        assert_eq!(
            (api.code, api.message.as_str()),
            (ErrorCode(20059), "deleted")
        );
        assert_eq!(
            error_code_in(br#"{"code":40005}"#).unwrap().code,
            ErrorCode(40005)
        );
        for not_an_error in [
            &br#"{"code":200,"message":"success"}"#[..],
            br#"{"code":0}"#,
            br#"{"affectCount":1}"#,
            br#"{"code":"40000"}"#,
            br#"{"code":1.5}"#,
            b"[]",
            b"",
        ] {
            assert!(error_code_in(not_an_error).is_none());
        }
    }
}
