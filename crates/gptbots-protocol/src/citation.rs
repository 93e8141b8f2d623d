//! Citations of a blocking reply (and of the v2 webhook body): the sources behind the `$[n]$`
//! marks of the reply text, sent when the request set `conversation_config.corner_citation`.
//!
//! Only a recent copy of the send-message page describes them, so everything here is read as
//! loosely as it can be: every field is optional and may be `null`, ids and the index may come
//! as numbers (kept as their text), and fields this crate does not name are kept in `extra`.
//! The stream's citation frames use other (camelCase) names and are their own types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_string_enum;

open_string_enum! {
    /// What a citation points at (`type`): an open set.
    pub enum CitationType (open) {
        /// An attachment of the conversation.
        Attachment = "attachment",
        /// A knowledge-base document.
        Doc = "doc",
        /// A tool's result.
        Tool = "tool",
    }
}

/// One entry of a reply's `citations`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Citation {
    /// The mark's number as text: `"1"` matches `$[1]$` in the reply text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub index: Option<String>,
    /// The source's name (a document title, a file name, a tool name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the source is.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub citation_type: Option<CitationType>,
    /// The cited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The id of the cited segment of a document.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub segment_id: Option<String>,
    /// The position of the cited segment in its document.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub segment_index: Option<i64>,
    /// Where in the source the citation is; its shape is not documented, so it is kept as it
    /// came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Value>,
    /// A time in the source (audio or video), in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub timestamp_millis: Option<i64>,
    /// The cited document's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub data_id: Option<String>,
    /// The agent the source belongs to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub bot_id: Option<String>,
    /// The cited attachment, for a citation of type `attachment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<CitationAttachment>,
    /// The flow component that made the citation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub component_id: Option<String>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl Citation {
    /// A citation with this index, name and content (the rest left out).
    pub fn new(
        index: impl Into<String>,
        name: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        Citation {
            index: Some(index.into()),
            name: Some(name.into()),
            content: Some(content.into()),
            ..Citation::default()
        }
    }

    /// This citation with a type.
    pub fn with_type(mut self, citation_type: CitationType) -> Self {
        self.citation_type = Some(citation_type);
        self
    }
}

/// `attachment` of a [`Citation`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CitationAttachment {
    /// The attachment's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(
        feature = "schemars",
        schemars(schema_with = "crate::schema::nullable_string_or_number")
    )]
    pub id: Option<String>,
    /// Where the attachment is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its kind (`image`, `document`...), as the server wrote it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub attachment_type: Option<String>,
    /// Fields this crate does not name, kept as they came.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

impl CitationAttachment {
    /// An attachment by URL.
    pub fn new(url: impl Into<String>, name: impl Into<String>) -> Self {
        CitationAttachment {
            url: Some(url.into()),
            name: Some(name.into()),
            ..CitationAttachment::default()
        }
    }
}
