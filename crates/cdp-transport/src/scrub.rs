//! Removing the client's own credentials from what a server sends back, before anyone can print it.

/// What replaces a credential.
const MASK: &str = "***";

/// Credentials shorter than this are not scrubbed: masking every `a` of a text would say nothing.
const SHORTEST: usize = 4;

/// The credentials to remove, longest first (so that a token inside a header value goes with it).
#[derive(Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    pub(crate) fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values.into_iter().filter(|v| v.len() >= SHORTEST).collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Self(values)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every credential masked.
    pub(crate) fn text(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), MASK);
            }
        }
        text
    }

    /// A JSON body with every credential masked in its strings and keys; `None` when it holds none (or
    /// is no JSON), so that a clean body is passed on untouched.
    pub(crate) fn json(&self, body: &[u8]) -> Option<bytes::Bytes> {
        if self.is_empty() || !self.0.iter().any(|s| contains(body, s.as_bytes())) {
            return None;
        }
        let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
        self.value(&mut value);
        serde_json::to_vec(&value).ok().map(bytes::Bytes::from)
    }

    fn value(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.text(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            serde_json::Value::Object(members) => {
                let taken = std::mem::take(members);
                for (key, mut v) in taken {
                    self.value(&mut v);
                    members.insert(self.text(&key), v);
                }
            }
            _ => {}
        }
    }

    /// A success body with every credential masked, or `None` when it holds none (nearly always: the
    /// search is all it costs). A JSON body stays JSON (its strings and keys masked), so that it still
    /// decodes; any other body has the bytes of each credential replaced.
    pub(crate) fn body(&self, body: &[u8]) -> Option<bytes::Bytes> {
        if !self.0.iter().any(|s| contains(body, s.as_bytes())) {
            return None;
        }
        if let Some(clean) = self.json(body) {
            return Some(clean);
        }
        let mut bytes = body.to_vec();
        for secret in &self.0 {
            bytes = replace(&bytes, secret.as_bytes());
        }
        Some(bytes::Bytes::from(bytes))
    }

    /// Masks every header value that holds a credential (a server echoing `x-api-key`, say).
    pub(crate) fn headers(&self, headers: &mut reqwest::header::HeaderMap) {
        if self.is_empty() {
            return;
        }
        for value in headers.values_mut() {
            if self
                .0
                .iter()
                .any(|s| contains(value.as_bytes(), s.as_bytes()))
            {
                *value = reqwest::header::HeaderValue::from_static(MASK);
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

/// `haystack` with every occurrence of `needle` (not empty) replaced by [`MASK`].
fn replace(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut last = 0;
    for at in memchr::memmem::find_iter(haystack, needle) {
        out.extend_from_slice(&haystack[last..at]);
        out.extend_from_slice(MASK.as_bytes());
        last = at + needle.len();
    }
    out.extend_from_slice(&haystack[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_in_text_json_and_headers() {
        let secrets = Secrets::new(["t0k3n-s3cret".to_owned(), "ab".to_owned()]);
        assert_eq!(secrets.text("Bearer t0k3n-s3cret, ab"), "Bearer ***, ab");
        let body = br#"{"message":"got t0k3n-s3cret","t0k3n-s3cret":[1,"x t0k3n-s3cret"]}"#;
        let clean: serde_json::Value =
            serde_json::from_slice(&secrets.json(body).unwrap()).unwrap();
        assert_eq!(
            clean,
            serde_json::json!({"message": "got ***", "***": [1, "x ***"]})
        );
        assert!(secrets.json(br#"{"message":"fine"}"#).is_none());
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-echo", "Bearer t0k3n-s3cret".parse().unwrap());
        headers.insert("x-other", "ok".parse().unwrap());
        secrets.headers(&mut headers);
        assert_eq!(headers["x-echo"], "***");
        assert_eq!(headers["x-other"], "ok");
    }

    #[test]
    fn a_success_body_is_masked_only_when_it_holds_a_credential() {
        let secrets = Secrets::new(["t0k3n-s3cret".to_owned()]);
        assert!(secrets.body(br#"{"id":"c1"}"#).is_none());
        let json = secrets.body(br#"{"echo":"t0k3n-s3cret"}"#).unwrap();
        assert_eq!(&json[..], br#"{"echo":"***"}"#);
        // Not JSON, not even UTF-8: the other bytes stay as they were.
        let raw = secrets.body(b"\xff<t0k3n-s3cret>t0k3n-s3cret\xfe").unwrap();
        assert_eq!(&raw[..], b"\xff<***>***\xfe");
    }
}
