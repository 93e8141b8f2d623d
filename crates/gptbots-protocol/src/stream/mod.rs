//! The streaming reply: frames, the incremental decoder, the encoder and the reply assembler.

pub mod assemble;
mod compact;
pub mod decode_error;
pub mod decoder;
pub mod encoder;
pub mod frame;
mod swar;

pub use assemble::{
    AssembledReply, ErrorFrame, FlowOutputPart, Pushed, ReplyAssembler, ReplyStatus,
};
pub use decode_error::{FrameError, FrameErrorKind, StreamError};
pub use decoder::{DEFAULT_MAX_FRAME_SIZE, DecodedItem, FrameDecoder};
pub use encoder::{EncodeStyle, FrameEncoder};
pub use frame::{AudioPiece, FlowAudio, FlowOutputItem, Frame, FramePayload, MessageInfo};
