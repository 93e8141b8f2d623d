//! The data of the Citation (code 20) and CorrelateAttachment (code 83) frames.
//!
//! Only a newer copy of the send-message page (a white-label rebrand of GPTBots' own, dated
//! 2026-03-27) documents them: with `corner_citation` on, the reply text carries marks such as
//! `$[1]$`, and the stream sends the sources they point to. Their fields are camelCase (the
//! blocking reply's `citations` use other, snake_case, names, so these are types of their
//! own). Every field is optional, `null` reads as absent, ids sent as numbers are kept as their
//! text, and fields a newer server adds are kept in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The schema of a field read with `opt_string_or_number`: a string, a number or `null`.
#[cfg(feature = "schemars")]
pub(crate) fn string_or_number(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["string", "number", "null"] })
}

/// One item of a Citation frame's `data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CitationItem {
    /// The citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

/// A source that a citation mark of the reply text points to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Citation {
    /// The mark's number, as text: `"1"` for `$[1]$`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub index: Option<String>,
    /// The source's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the source is: `attachment`, `doc`, `tool`, or a newer kind.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The tool, for a tool source (shape undocumented, kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<Value>,
    /// The document, for a document source (shape undocumented, kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<Value>,
    /// The attachment, for an attachment source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<CitationAttachment>,
    /// The index of the cited segment in its document.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub segment_index: Option<i64>,
    /// When the source was made, in milliseconds since the epoch.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub timestamp_millis: Option<i64>,
    /// Where in the source (shape undocumented, kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Value>,
    /// The cited segment's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub segment_id: Option<String>,
    /// The agent's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub bot_id: Option<String>,
    /// The knowledge document's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub data_id: Option<String>,
    /// The tool's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub tool_id: Option<String>,
    /// The cited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

/// The attachment a citation points to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CitationAttachment {
    /// Its id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub id: Option<String>,
    /// Where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its type (a format such as `pdf`; an open set).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The cited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}

/// One item of a CorrelateAttachment frame's `data`: a knowledge segment the reply drew on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CorrelatedAttachment {
    /// The knowledge document's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub data_id: Option<String>,
    /// The document's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_name: Option<String>,
    /// The document's type (an open set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Where the document is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The segment's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The segment's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub segment_id: Option<String>,
    /// The segment's index in its document.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub segment_index: Option<i64>,
    /// Image dimensions (shape undocumented, kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Value>,
    /// When the document was made, in milliseconds since the epoch.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::integer"
    )]
    pub timestamp_millis: Option<i64>,
    /// Where in the document (shape undocumented, kept as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Value>,
    /// The flow component that retrieved it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub component_id: Option<String>,
    /// Whether the agent shows document correlation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_doc_correlation: Option<bool>,
    /// The flow node that retrieved it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::serde_util::opt_string_or_number"
    )]
    #[cfg_attr(feature = "schemars", schemars(schema_with = "string_or_number"))]
    pub node_id: Option<String>,
    /// Fields a newer server adds.
    #[serde(flatten)]
    #[cfg_attr(feature = "schemars", schemars(skip))]
    pub extra: Map<String, Value>,
}
