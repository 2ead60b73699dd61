//! The language-model and embedding ports: what the assistant layer asks of a model.
//!
//! # Invariants a [`LanguageModel`] adapter keeps
//! - A reply is the model's whole answer: text blocks and tool calls, in order, with the reason
//!   it stopped and the tokens it used (for the usage log, [`super::LlmUsage`]).
//! - With [`ModelRequest::output_schema`], the reply's text is JSON valid against that schema, or
//!   the call fails with `PortError::Provider`; with a tool marked `strict`, that tool's inputs
//!   match its schema.
//! - A tool call's `id` is what its result must name; the adapter never runs tools itself.
//! - Overload and 5xx answers are transient `PortError`s; a spend cap or a refused key is not.
//!
//! # Invariants an [`Embedder`] adapter keeps
//! - One vector per text, in the order given, each of [`Embedder::dimensions`] finite values.
//! - More texts than [`Embedder::max_batch`] are refused with `PortError::InvalidInput` (callers
//!   split); an empty batch gives an empty answer without a call.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::port_error::PortError;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person (or pa on their behalf, with tool results).
    User,
    /// The model.
    Assistant,
}

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// The model asks for a tool to be run.
    ToolUse {
        /// The call's id.
        id: String,
        /// The tool.
        name: String,
        /// Its input, as JSON.
        input: serde_json::Value,
    },
    /// The result of a tool call, sent back to the model.
    ToolResult {
        /// The id of the call it answers.
        tool_use_id: String,
        /// The result as text (JSON for structured results).
        content: String,
        /// Whether the tool failed.
        is_error: bool,
    },
}

/// A message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: Vec<Block>,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// The JSON Schema of its input.
    pub input_schema: serde_json::Value,
    /// Whether inputs must match the schema exactly.
    pub strict: bool,
}

/// Whether and how the model may call tools.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// The model must call some tool.
    Any,
    /// The model must call this tool.
    Tool {
        /// The tool's name.
        name: String,
    },
    /// No tool calls.
    None,
}

/// A request to a language model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRequest {
    /// The model (`claude-sonnet-4-5`).
    pub model: String,
    /// The system prompt.
    pub system: Option<String>,
    /// The conversation so far, oldest first; it ends with a user message.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    pub tools: Vec<Tool>,
    /// Whether it may call them.
    pub tool_choice: ToolChoice,
    /// A JSON Schema the reply's text must follow (structured output).
    pub output_schema: Option<serde_json::Value>,
    /// The most tokens to generate.
    pub max_tokens: u32,
    /// Sampling temperature, when not the model's default.
    pub temperature: Option<f64>,
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// It finished its answer.
    EndTurn,
    /// It reached `max_tokens`.
    MaxTokens,
    /// It asks for tool calls.
    ToolUse,
    /// It hit a stop sequence.
    StopSequence,
    /// It declined to answer.
    Refusal,
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReply {
    /// The model that answered.
    pub model: String,
    /// Its blocks, in order.
    pub content: Vec<Block>,
    /// Why it stopped.
    pub stop: StopReason,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
}

impl ModelReply {
    /// The text of the reply's text blocks, joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                Block::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A language model.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// The provider's slug (`anthropic`).
    fn name(&self) -> &str;

    /// The model's answer to `request`.
    async fn complete(&self, request: &ModelRequest) -> Result<ModelReply, PortError>;
}

/// A text embedding model.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// The length of every vector.
    fn dimensions(&self) -> usize;

    /// The most texts one call takes.
    fn max_batch(&self) -> usize;

    /// One vector per text, in order.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, PortError>;
}
