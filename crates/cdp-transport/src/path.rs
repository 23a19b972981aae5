//! Values that become URL path segments, whoever supplied them (the caller, or a server's answer).
//!
//! [`segment`] is the one encoder for every path of every client, generated or hand-written: it
//! percent-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`), so that `/`,
//! `\`, `?`, `#` and `%` can neither add a segment nor end the path, and it refuses the values a URL
//! parser or a server would read as a move rather than a name: the empty segment, `.` and `..`, in any
//! percent-encoding (`%2E%2E`, `.%2e`, `%252e`), and their look-alikes that a server normalising Unicode
//! (NFKC) would turn into them (`‥` U+2025, `．．` U+FF0E twice, `.․` with U+2024) or that a lax UTF-8
//! decoder reads as them (`%C0%AE%C0%AE`). The encoder sends a look-alike percent-encoded, so only a
//! server that decodes and then normalises could be fooled; a segment that would be is refused, since no
//! real id is made only of dots.
//!
//! ```
//! use cdp_transport::path::{Refusal, segment};
//!
//! assert_eq!(segment("customerId", "c-1").unwrap(), "c-1");
//! assert_eq!(segment("customerId", "..\\other").unwrap(), "..%5Cother");
//! let refused = segment("customerId", "%2e%2E").unwrap_err();
//! assert_eq!((refused.field(), refused.refusal()), ("customerId", Refusal::ParentSegment));
//! ```

use std::borrow::Cow;
use std::fmt;

/// Why a value cannot be a path segment. "Reads as" covers every way a server might read the value:
/// percent-decoded (however many times), Unicode-normalised (NFKC: `．` and `․` are `.`, `‥` is
/// `..`), without invisible code points, and the overlong UTF-8 forms of `.`.
///
/// ```
/// use cdp_transport::path::{Refusal, segment};
///
/// assert_eq!(segment("nodeId", "").unwrap_err().refusal(), Refusal::Empty);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The value is empty, or made only of invisible code points a normalising server drops: the path
    /// would lose a segment (`/customers/` instead of `/customers/{id}`).
    Empty,
    /// The value is `.` once decoded: the segment would name its parent resource.
    CurrentSegment,
    /// The value is `..` once decoded: the path would climb to another resource.
    ParentSegment,
}

/// A value refused as a path segment, with the field (the parameter) it was given for. It shows what is
/// wrong, never the value itself.
///
/// ```
/// let err = cdp_transport::path::segment("workspaceId", "..").unwrap_err();
/// assert_eq!(err.field(), "workspaceId");
/// assert_eq!(err.to_string(), "`workspaceId` cannot be a path segment: it reads as `..`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    field: &'static str,
    refusal: Refusal,
}

impl PathError {
    /// The parameter the value was given for, by its name on the wire (`customerId`, `DomainName`), as
    /// the spec and the service's documentation spell it.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong with the value.
    pub fn refusal(&self) -> Refusal {
        self.refusal
    }

    /// What is wrong with the value, in words, without the field.
    ///
    /// ```
    /// let err = cdp_transport::path::segment("nodeId", "").unwrap_err();
    /// assert_eq!(err.reason(), "cannot be a path segment: it is empty");
    /// ```
    pub fn reason(&self) -> &'static str {
        match self.refusal {
            Refusal::Empty => "cannot be a path segment: it is empty",
            Refusal::CurrentSegment => "cannot be a path segment: it reads as `.`",
            Refusal::ParentSegment => "cannot be a path segment: it reads as `..`",
        }
    }

    /// Finds a refused path segment in an error or its chain of `source()`s, as in the error of a
    /// generated client's call (see the `From<PathError>` impl of `progenitor_client::Error`).
    ///
    /// ```
    /// use cdp_transport::path::{PathError, segment};
    ///
    /// let refused = segment("segmentName", ".").unwrap_err();
    /// let progenitor_client::Error::<()>::CommunicationError(error) = refused.clone().into() else {
    ///     panic!("a refused segment is a communication error")
    /// };
    /// assert_eq!(PathError::find_in(&error), Some(&refused));
    /// ```
    pub fn find_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a PathError> {
        let mut current = Some(error);
        while let Some(error) = current {
            if let Some(found) = error.downcast_ref::<PathError>() {
                return Some(found);
            }
            current = error.source();
        }
        None
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.reason())
    }
}

impl std::error::Error for PathError {}

/// `value` as one path segment for the parameter `field`: every byte outside the unreserved set
/// percent-encoded (upper-case hex), borrowed when nothing needed encoding. Empty, `.` and `..` (also
/// once percent-decoded, however many times) are refused.
///
/// ```
/// use cdp_transport::path::segment;
///
/// assert_eq!(segment("profileId", "a/b c").unwrap(), "a%2Fb%20c");
/// assert_eq!(segment("profileId", "é").unwrap(), "%C3%A9");
/// assert!(segment("profileId", ".%2e").is_err());
/// assert_eq!(segment("profileId", "...").unwrap(), "...");
/// ```
pub fn segment<'a>(field: &'static str, value: &'a str) -> Result<Cow<'a, str>, PathError> {
    if let Some(refusal) = refusal(value) {
        return Err(PathError { field, refusal });
    }
    if value.bytes().all(is_unreserved) {
        return Ok(Cow::Borrowed(value));
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if is_unreserved(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    Ok(Cow::Owned(encoded))
}

/// The error a generated client's `send()` returns for a refused path segment (the generated code says
/// `segment(…)?`): a `progenitor_client::Error::CommunicationError` whose `reqwest::Error` carries
/// [`TransportError::InvalidPathSegment`](crate::TransportError::InvalidPathSegment) with the
/// [`PathError`] in it (found again by [`PathError::find_in`] or `TransportError::find`), so the refusal
/// stays typed through progenitor's error type, the one way every refusal travels. Nothing has been sent.
///
/// ```
/// use cdp_transport::path::{PathError, segment};
///
/// let refused = segment("envId", "").unwrap_err();
/// let error = progenitor_client::Error::<()>::from(refused.clone());
/// let progenitor_client::Error::CommunicationError(carrier) = error else { panic!("{error:?}") };
/// assert_eq!(PathError::find_in(&carrier), Some(&refused));
/// ```
impl<E> From<PathError> for progenitor_client::Error<E> {
    fn from(error: PathError) -> Self {
        match crate::error::carried(crate::TransportError::InvalidPathSegment(error.clone())) {
            Some(carrier) => Self::CommunicationError(carrier),
            // Not reached with the pinned reqwest (a test checks it); the refusal then travels as text.
            None => Self::InvalidRequest(error.to_string()),
        }
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Why `value` cannot be a segment, if it cannot. A server or proxy may decode a segment more than once,
/// so every decoding of it is checked, until one changes nothing; and each decoding is read as a server
/// that normalises Unicode would read it ([`dots`]).
fn refusal(value: &str) -> Option<Refusal> {
    if value.is_empty() {
        return Some(Refusal::Empty);
    }
    let mut current = Cow::Borrowed(value.as_bytes());
    loop {
        match dots(&current) {
            // Only invisible code points: a server that drops them sees an empty segment.
            Some(0) => return Some(Refusal::Empty),
            Some(1) => return Some(Refusal::CurrentSegment),
            Some(2) => return Some(Refusal::ParentSegment),
            _ => {}
        }
        // An ASCII character other than a dot or part of an escape never decodes nor normalises to a
        // dot (nor vanishes), so the value cannot read as dots alone.
        if current
            .iter()
            .any(|b| b.is_ascii() && *b != b'.' && *b != b'%' && !b.is_ascii_hexdigit())
        {
            return None;
        }
        let decoded = percent_decode(&current);
        if decoded == *current {
            return None;
        }
        current = Cow::Owned(decoded);
    }
}

/// How many dots `bytes` reads as, when it reads as nothing but dots (`None` otherwise): after NFKC
/// (U+2024 one dot leader is `.`, U+2025 two dot leader and U+FE30 are `..`, U+FF0E fullwidth and
/// U+FE52 small full stop are `.`), with the ideographic full stops (U+3002, U+FF61) that IDNA maps to
/// `.`, without default-ignorable code points (zero-width spaces, soft hyphens) that NFKC_Casefold
/// drops; and with the overlong UTF-8 forms of `.` (`C0 AE`, `E0 80 AE`, `F0 80 80 AE`) that lax
/// decoders accept.
fn dots(bytes: &[u8]) -> Option<usize> {
    if bytes.iter().all(|b| *b == b'.') {
        return Some(bytes.len());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return overlong_dots(bytes);
    };
    if text.is_ascii() {
        return None;
    }
    let ignorable =
        icu_properties::CodePointSetData::new::<icu_properties::props::DefaultIgnorableCodePoint>();
    let normalised = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    let mut count = 0;
    for c in normalised.chars() {
        match c {
            '.' | '\u{3002}' | '\u{FF61}' => count += 1,
            c if ignorable.contains(c) => {}
            _ => return None,
        }
    }
    Some(count)
}

/// The number of dots in `bytes` when it is made only of `.` and overlong UTF-8 encodings of it.
fn overlong_dots(bytes: &[u8]) -> Option<usize> {
    let mut rest = bytes;
    let mut count = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [0xC0, 0xAE, tail @ ..] => tail,
            [0xE0, 0x80, 0xAE, tail @ ..] => tail,
            [0xF0, 0x80, 0x80, 0xAE, tail @ ..] => tail,
            _ => return None,
        };
        count += 1;
    }
    Some(count)
}

/// One round of percent-decoding; an escape that is not `%` and two hex digits stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = match tail {
            [high, low, ..] if byte == b'%' => hex(*high).zip(hex(*low)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                rest = &tail[2..];
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_values_are_borrowed_as_they_are() {
        let value = "AZaz09-._~";
        assert!(matches!(segment("id", value), Ok(Cow::Borrowed(v)) if v == value));
    }

    #[test]
    fn everything_else_is_percent_encoded() {
        assert_eq!(
            segment("id", "a/b\\c?d#e%f g+h;i").unwrap(),
            "a%2Fb%5Cc%3Fd%23e%25f%20g%2Bh%3Bi"
        );
        assert_eq!(segment("id", "..\\..\\x").unwrap(), "..%5C..%5Cx");
        assert_eq!(segment("id", "\u{0}\u{7f}€").unwrap(), "%00%7F%E2%82%AC");
    }

    #[test]
    fn empty_and_dot_segments_are_refused_in_any_encoding() {
        let refused = |value: &str| segment("f", value).map_err(|e| e.refusal()).err();
        assert_eq!(refused(""), Some(Refusal::Empty));
        for value in [".", "%2E", "%2e", "%252E", "%25252e"] {
            assert_eq!(refused(value), Some(Refusal::CurrentSegment), "{value}");
        }
        for value in ["..", "%2E%2E", ".%2e", "%2e.", "%252E%252e", "%25%32%65."] {
            assert_eq!(refused(value), Some(Refusal::ParentSegment), "{value}");
        }
        for value in ["...", "%2E%2E%2E", "%2", "%", "%%2e", "..%", "a..", "%2F"] {
            assert_eq!(refused(value), None, "{value}");
        }
    }

    #[test]
    fn look_alikes_of_dot_segments_are_refused() {
        let refused = |value: &str| segment("f", value).map_err(|e| e.refusal()).err();
        for value in [
            "\u{2024}",
            "\u{FF0E}",
            "\u{FE52}",
            "\u{3002}",
            "%EF%BC%8E",
            "%C0%AE",
        ] {
            assert_eq!(refused(value), Some(Refusal::CurrentSegment), "{value}");
        }
        for value in [
            "\u{2025}",
            "\u{FE30}",
            "\u{FF0E}\u{FF0E}",
            ".\u{2024}",
            "\u{FF61}.",
            ".\u{200B}.",
            "\u{AD}..",
            "%E2%80%A5",
            "%25E2%2580%25A5",
            "%C0%AE%E0%80%AE",
            "%F0%80%80%AE.",
        ] {
            assert_eq!(refused(value), Some(Refusal::ParentSegment), "{value}");
        }
        // Invisible code points alone would leave the segment empty.
        assert_eq!(refused("\u{200B}\u{FEFF}"), Some(Refusal::Empty));
        // Three dots, and dots with a letter or a slash, are names.
        for value in ["\u{2026}", "\u{2025}.", "\u{2024}a", "%C0%AF", "\u{FF0E}/"] {
            assert_eq!(refused(value), None, "{value}");
        }
    }

    #[test]
    fn a_refusal_names_the_field_not_the_value() {
        let err = segment("customerId", "%2E%2E").unwrap_err();
        assert_eq!(err.field(), "customerId");
        assert!(!err.to_string().contains("%2E"), "{err}");
    }

    #[test]
    fn a_refusal_travels_typed_inside_a_reqwest_error() {
        let refused = segment("nodeId", "..").unwrap_err();
        match progenitor_client::Error::<()>::from(refused.clone()) {
            progenitor_client::Error::CommunicationError(e) => {
                assert_eq!(PathError::find_in(&e), Some(&refused));
                assert!(e.url().is_none());
                // The one carrier: the transport's own error, with the refusal in it.
                assert!(matches!(
                    crate::TransportError::find(&e),
                    Some(crate::TransportError::InvalidPathSegment(inner)) if inner == &refused
                ));
            }
            other => panic!("{other:?}"),
        }
    }
}
