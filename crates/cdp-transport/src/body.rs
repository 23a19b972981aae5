//! Reading an answer's body with a cap, so that no server can make the client hold more than it allows.

use bytes::{Bytes, BytesMut};

/// The default cap of a success body: 64 MiB. The largest real pages are BlueConic segment listings and
/// bulk results of some thousands of profiles at a few KiB each (tens of MiB at worst); a cap well above
/// that keeps every real answer whole while bounding what one call can hold.
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The cap of an error body that is not JSON (an HTML page, plain text): enough for any error message.
/// Past it the error keeps its status and the first [`ERROR_TEXT_KEPT`] bytes as text. An error answer
/// declared JSON may carry data (BlueConic's 413 holds the results of up to 1,000 entries), so it is
/// read up to [`MAX_JSON_ERROR_BODY`] and kept whole when it is a JSON object or array.
pub const MAX_ERROR_BODY: u64 = 64 * 1024;

/// The cap of an error body declared JSON: 4 MiB (or the client's body cap, if lower). BlueConic's 413
/// with 1,000 results is about 72 KB; an error answer is never worth the 64 MiB a page may take.
pub const MAX_JSON_ERROR_BODY: u64 = 4 * 1024 * 1024;

/// The cap of an OAuth2 token endpoint's answer.
pub const MAX_TOKEN_BODY: u64 = 64 * 1024;

/// How much of an error body that is not a JSON object or array (or is too long) is kept as its message.
pub const ERROR_TEXT_KEPT: usize = 4096;

/// A body read up to a cap.
pub(crate) struct Capped {
    /// What was read: all of it, or the first `cap` bytes.
    pub(crate) bytes: Bytes,
    /// Whether the body went on past the cap (reading stopped there).
    pub(crate) truncated: bool,
}

/// Reads `response`'s body chunk by chunk, stopping as soon as it holds more than `cap` bytes: an
/// endless body costs `cap` bytes of memory, not more.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: u64,
) -> reqwest::Result<Capped> {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut buffer = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - buffer.len();
        if chunk.len() > room {
            buffer.extend_from_slice(&chunk[..room]);
            return Ok(Capped {
                bytes: buffer.freeze(),
                truncated: true,
            });
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Capped {
        bytes: buffer.freeze(),
        truncated: false,
    })
}
