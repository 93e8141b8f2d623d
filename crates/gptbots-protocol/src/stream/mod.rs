//! The streaming reply: frames, and (in submodules) the incremental decoder, the encoder and the
//! reply assembler.

pub mod frame;

pub use frame::{AudioPiece, FlowAudio, FlowOutputItem, Frame, FramePayload, MessageInfo};
