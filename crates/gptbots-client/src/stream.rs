//! Streaming replies: the response body under a `FramedRead` with the protocol crate's
//! decoder, errors as items, and a cut-off stream said so.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use gptbots_protocol::stream::{
    AssembledReply, FrameDecoder, FrameError, FrameErrorKind, Pushed, ReplyAssembler, StreamError,
};
use gptbots_protocol::{ErrorResponse, Frame, FramePayload};
use reqwest::Response;
use tokio_util::codec::FramedRead;
use tokio_util::io::StreamReader;

use crate::error::{Error, ErrorKind};

type BodyStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The frames of a streaming reply, as they arrive: a `Stream` of `Result<Frame, Error>`.
///
/// - A frame the decoder could not read but stepped over is an `Err` of kind
///   [`ErrorKind::Decode`] (with its byte offset), and the stream goes on.
/// - An error frame (a code of 20000 or more, `data` absent or `null`) is an `Err` of kind
///   [`ErrorKind::Api`] with `status: None`, and the stream goes on to whatever follows.
/// - A body that ends before the End frame (code 0) gives a last `Err` of kind
///   [`ErrorKind::CutOff`] (unless an error frame already explained the end); an I/O fault or
///   a timeout reading the body ends the stream with its `Err`.
/// - The End frame is the last item: the stream stops reading there and drops the response,
///   so a server that keeps the connection open after a complete reply does not hold the
///   caller (or the connection).
///
/// [`assemble`](Self::assemble) drives the stream to its end and returns the whole reply.
pub struct FrameStream {
    /// The body under the decoder; `None` once the End frame came (the response is dropped).
    frames: Option<FramedRead<StreamReader<BodyStream, Bytes>, FrameDecoder>>,
    seen_end: bool,
    seen_error_frame: bool,
    done: bool,
    /// The first item, read ahead by [`FrameStream::start`].
    first: Option<Result<Frame, Error>>,
}

impl std::fmt::Debug for FrameStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameStream")
            .field("seen_end", &self.seen_end)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl FrameStream {
    /// Reads ahead the first item: a body whose first frame is an error frame is the error
    /// body of a refused request (sent with a 2xx status), so it is the `Err` of the call.
    pub(crate) async fn start(response: Response) -> Result<Self, Error> {
        let status = response.status();
        // reqwest's error travels inside the io::Error, so that a timeout is still a timeout.
        let body: BodyStream = Box::pin(response.bytes_stream().map_err(io::Error::other));
        let mut stream = FrameStream {
            frames: Some(FramedRead::new(
                StreamReader::new(body),
                FrameDecoder::new(),
            )),
            seen_end: false,
            seen_error_frame: false,
            done: false,
            first: None,
        };
        match stream.next().await {
            Some(Err(err)) if err.api_code().is_some() => Err(err.with_status(status)),
            first => {
                stream.first = first;
                if stream.first.is_none() {
                    stream.done = true;
                }
                Ok(stream)
            }
        }
    }

    /// Reads the stream to its End frame and assembles the reply with the protocol crate's
    /// [`ReplyAssembler`] (which keeps at most
    /// [`DEFAULT_ASSEMBLED_LIMIT`](gptbots_protocol::stream::assemble::DEFAULT_ASSEMBLED_LIMIT)
    /// bytes), calling `on_text` with each piece of text as it arrives: the `data` of each Text
    /// frame (code 3), and the transcript of each Audio frame (code 39) when not empty (half of
    /// a character cut across two pieces is given once joined).
    ///
    /// A frame that could not be decoded is stepped over and recorded in the reply
    /// ([`AssembledReply::faults`]; the status is then
    /// [`CompleteWithFaults`](gptbots_protocol::stream::ReplyStatus::CompleteWithFaults)).
    /// Fails on an error frame (kind [`ErrorKind::Api`], once the stream ended), a cut-off
    /// stream ([`ErrorKind::CutOff`]; `on_text` has already seen the pieces that came), more
    /// than the limit ([`ErrorKind::TooLarge`]: reading stops there), a timeout or a
    /// connection fault. On success the reply ended with its End frame
    /// ([`AssembledReply::is_complete`]).
    pub async fn assemble<F: FnMut(&str)>(self, on_text: F) -> Result<AssembledReply, Error> {
        self.assemble_with(ReplyAssembler::new(), on_text).await
    }

    /// [`assemble`](Self::assemble) with a given assembler: another limit
    /// ([`ReplyAssembler::with_limit`]), or one that keeps no content
    /// ([`ReplyAssembler::keep_content`]) for a caller that prints each piece and needs only
    /// how the reply ended.
    pub async fn assemble_with<F: FnMut(&str)>(
        mut self,
        mut assembler: ReplyAssembler,
        mut on_text: F,
    ) -> Result<AssembledReply, Error> {
        let mut error_frame: Option<Error> = None;
        while let Some(item) = self.next().await {
            match item {
                Ok(frame) => match assembler.push(&frame) {
                    Pushed::Text(piece) => on_text(piece),
                    Pushed::Audio { transcript, .. } if !transcript.is_empty() => {
                        on_text(transcript)
                    }
                    _ => {}
                },
                // A frame stepped over: the stream goes on.
                Err(err) if !self.done && matches!(err.kind(), ErrorKind::Decode { .. }) => {
                    if let ErrorKind::Decode { offset, message } = err.kind() {
                        assembler.fault(*offset, message.clone());
                    }
                }
                Err(err) => match err.kind() {
                    ErrorKind::Api {
                        code,
                        message,
                        status: None,
                    } => {
                        assembler.push(&Frame::error(*code, message.clone()));
                        error_frame.get_or_insert(err);
                    }
                    _ => return Err(error_frame.unwrap_or(err)),
                },
            }
            if assembler.reply().limit_exceeded {
                return Err(Error::new(ErrorKind::TooLarge {
                    limit: assembler.limit(),
                }));
            }
        }
        match error_frame {
            Some(err) => Err(err),
            None => Ok(assembler.finish()),
        }
    }

    fn on_frame(&mut self, frame: Frame) -> Result<Frame, Error> {
        match &frame.payload {
            FramePayload::End => {
                self.seen_end = true;
                // Nothing after End belongs to the reply: stop reading and let the response
                // (and its connection) go.
                self.done = true;
                self.frames = None;
                Ok(frame)
            }
            FramePayload::Error(code) => {
                self.seen_error_frame = true;
                Err(Error::api(
                    ErrorResponse::new(*code, frame.message.clone().unwrap_or_default()),
                    None,
                ))
            }
            _ => Ok(frame),
        }
    }
}

fn frame_fault(err: FrameError) -> Error {
    Error::decode(err.offset, err.to_string())
}

impl Stream for FrameStream {
    type Item = Result<Frame, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(first));
        }
        if self.done {
            return Poll::Ready(None);
        }
        let Some(frames) = self.frames.as_mut() else {
            return Poll::Ready(None);
        };
        let item = match Pin::new(frames).poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let out = match item {
            Some(Ok(Ok(frame))) => self.on_frame(frame),
            Some(Ok(Err(skipped))) => Err(frame_fault(skipped)),
            Some(Err(StreamError::Decode(err))) => {
                self.done = true;
                match err.kind {
                    FrameErrorKind::Truncated { bytes_left } => {
                        Err(Error::new(ErrorKind::CutOff {
                            trailing_bytes: usize::try_from(bytes_left).unwrap_or(usize::MAX),
                        })
                        .with_source(err))
                    }
                    _ => Err(frame_fault(err)),
                }
            }
            Some(Err(StreamError::Io(err))) => {
                self.done = true;
                Err(Error::from_io(err))
            }
            Some(Err(other)) => {
                self.done = true;
                Err(Error::new(ErrorKind::Connection).with_source(other))
            }
            None => {
                self.done = true;
                if self.seen_end || self.seen_error_frame {
                    return Poll::Ready(None);
                }
                Err(Error::new(ErrorKind::CutOff { trailing_bytes: 0 }))
            }
        };
        Poll::Ready(Some(out))
    }
}
