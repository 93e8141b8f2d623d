//! Token and credit usage, as reported by the blocking reply, the webhook body and the Cost
//! frame (code 4) of a stream.
//!
//! Read tolerantly: a count may come as an integral decimal (`29.0`, `1e3`), and every field
//! that is optional or has a default may be `null` (a detail count then reads as 0, a credit as
//! 0.0, an object as absent). The three main counts stay required.

use serde::{Deserialize, Serialize};

/// `usage` of a v2 reply: tokens and credits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Usage {
    /// Token counts. The doc tables call this a "JSON Array"; every example shows an object, and
    /// so does this type. `null` or absent reads as all zero.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<Tokens>"))]
    pub tokens: Tokens,
    /// Credits spent; absent from stream Cost frames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
}

impl Usage {
    /// Usage with these tokens and credits.
    pub fn new(tokens: Tokens, credits: Option<Credits>) -> Self {
        Usage { tokens, credits }
    }
}

/// Token counts (`usage.tokens` of a reply; the `data` of a Cost frame).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Tokens {
    /// prompt + completion.
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub total_tokens: u64,
    /// Tokens of the prompt.
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub prompt_tokens: u64,
    /// Tokens of the completion.
    #[serde(deserialize_with = "crate::serde_util::integer")]
    pub completion_tokens: u64,
    /// The prompt's tokens by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    /// The completion's tokens by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
}

impl Tokens {
    /// Counts without details; `total_tokens` is the sum.
    pub fn new(prompt_tokens: u64, completion_tokens: u64) -> Self {
        Tokens {
            total_tokens: prompt_tokens.saturating_add(completion_tokens),
            prompt_tokens,
            completion_tokens,
            prompt_tokens_details: None,
            completion_tokens_details: None,
        }
    }

    /// These counts with details.
    pub fn with_details(
        mut self,
        prompt: PromptTokensDetails,
        completion: CompletionTokensDetails,
    ) -> Self {
        self.prompt_tokens_details = Some(prompt);
        self.completion_tokens_details = Some(completion);
        self
    }
}

/// `prompt_tokens_details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct PromptTokensDetails {
    /// Audio tokens of the prompt.
    #[serde(default, deserialize_with = "crate::serde_util::integer_or_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<u64>"))]
    pub audio_tokens: u64,
    /// Text tokens of the prompt.
    #[serde(default, deserialize_with = "crate::serde_util::integer_or_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<u64>"))]
    pub text_tokens: u64,
}

impl PromptTokensDetails {
    /// Prompt details.
    pub fn new(audio_tokens: u64, text_tokens: u64) -> Self {
        PromptTokensDetails {
            audio_tokens,
            text_tokens,
        }
    }
}

/// `completion_tokens_details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CompletionTokensDetails {
    /// Reasoning tokens.
    #[serde(default, deserialize_with = "crate::serde_util::integer_or_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<u64>"))]
    pub reasoning_tokens: u64,
    /// Audio tokens of the completion.
    #[serde(default, deserialize_with = "crate::serde_util::integer_or_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<u64>"))]
    pub audio_tokens: u64,
    /// Text tokens of the completion.
    #[serde(default, deserialize_with = "crate::serde_util::integer_or_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<u64>"))]
    pub text_tokens: u64,
}

impl CompletionTokensDetails {
    /// Completion details.
    pub fn new(reasoning_tokens: u64, audio_tokens: u64, text_tokens: u64) -> Self {
        CompletionTokensDetails {
            reasoning_tokens,
            audio_tokens,
            text_tokens,
        }
    }
}

/// `usage.credits`: decimals.
///
/// The doc tables once spell `text_output__credits` with two underscores: a typo. This type
/// reads either spelling and always writes `text_output_credits`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Credits {
    /// prompt + completion.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub total_credits: f64,
    /// Credits for text input.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub text_input_credits: f64,
    /// Credits for text output.
    #[serde(
        default,
        alias = "text_output__credits",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub text_output_credits: f64,
    /// Credits for audio input.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub audio_input_credits: f64,
    /// Credits for audio output.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub audio_output_credits: f64,
}

impl Credits {
    /// Credits by kind; the total is their sum.
    pub fn new(text_input: f64, text_output: f64, audio_input: f64, audio_output: f64) -> Self {
        Credits {
            total_credits: text_input + text_output + audio_input + audio_output,
            text_input_credits: text_input,
            text_output_credits: text_output,
            audio_input_credits: audio_input,
            audio_output_credits: audio_output,
        }
    }
}
