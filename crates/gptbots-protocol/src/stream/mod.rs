//! The streaming reply: frames, the incremental decoder, the encoder and the reply assembler.

pub mod assemble;
mod assembled;
pub mod citation;
mod compact;
pub mod decode_error;
pub mod decoder;
pub mod encoder;
pub mod frame;
mod frame_de;
mod json_string;
mod open;
pub mod piece;
mod quick;
mod read;
mod scan;
mod search;
mod sse;

pub use assemble::{
    AssembledReply, DEFAULT_ASSEMBLED_LIMIT, ErrorFrame, Fault, FlowOutputPart, Pushed,
    ReplyAssembler, ReplyStatus,
};
pub use citation::{Citation, CitationAttachment, CitationItem, CorrelatedAttachment};
pub use decode_error::{FrameError, FrameErrorKind, StreamError};
pub use decoder::{DEFAULT_MAX_FRAME_SIZE, DecodedItem, FrameDecoder};
pub use encoder::{EncodeStyle, FrameEncoder};
pub use frame::{
    AudioPiece, CostData, FlowAudio, FlowOutputItem, Frame, FramePayload, MessageInfo, RawJson,
};
pub use piece::TextPiece;
