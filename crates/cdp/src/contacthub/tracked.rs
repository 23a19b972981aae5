//! Mutation tracking: a value fetched from ContactHub that remembers what it was, so that a save sends
//! exactly what changed.

use std::fmt;
use std::ops::{Deref, DerefMut};

use contacthub_api::MergePatch;
use contacthub_api::merge_diff::{Differ, MergeDiff};
use contacthub_api::types::Customer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{DecodeError, Error, Result};
use crate::{finite, merge_patch};

/// The service whose documents are tracked here, for error messages.
const SERVICE: &str = "ContactHub";

/// What [`Tracked`] needs to know of a document type beyond its serde form: what to call it, and which
/// of its members hold lists (a merge patch clears those with `[]`, never `null`).
///
/// ```
/// use cdp::contacthub::tracked::Document;
///
/// assert!(<cdp::contacthub::api::types::Customer as Document>::LISTS.contains(&"tags.manual"));
/// ```
pub trait Document: Serialize + DeserializeOwned {
    /// The name of the document, the first part of the field named in an error (`customer`).
    const NAME: &'static str;
    /// The dotted paths of the members that hold lists, from the schema.
    const LISTS: &'static [&'static str] = &[];

    /// A copy of the value to measure changes from, for a type that compares itself member by member
    /// ([`merge_diff_typed`](Self::merge_diff_typed)); `None` (the default): changes are measured from
    /// the value written as JSON.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Document;
    ///
    /// let customer: Customer = serde_json::from_value(serde_json::json!({"id": "c1"})).unwrap();
    /// assert!(customer.typed_copy().is_some());
    /// ```
    fn typed_copy(&self) -> Option<Self> {
        None
    }

    /// Hands each member that differs from `old`'s to `diff` (see [`MergeDiff`]), for a type whose
    /// [`typed_copy`](Self::typed_copy) is `Some`; `None` (the default) for any other.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Document;
    ///
    /// struct Count(usize);
    /// impl cdp::contacthub::api::merge_diff::Differ for Count {
    ///     type Error = ();
    ///     fn object<T: cdp::contacthub::api::merge_diff::MergeDiff>(&mut self, _: &'static str, _: Option<&T>, _: Option<&T>) -> Result<(), ()> {
    ///         self.0 += 1;
    ///         Ok(())
    ///     }
    ///     fn leaf<T: serde::Serialize + ?Sized>(&mut self, _: &'static str, _: Option<&T>, _: Option<&T>) -> Result<(), ()> {
    ///         self.0 += 1;
    ///         Ok(())
    ///     }
    /// }
    /// let old: Customer = serde_json::from_value(serde_json::json!({"id": "c1"})).unwrap();
    /// let mut new = old.clone();
    /// new.extra = Some("vip".into());
    /// let mut count = Count(0);
    /// assert_eq!(new.merge_diff_typed(&old, &mut count), Some(Ok(())));
    /// assert_eq!(count.0, 1);
    /// ```
    fn merge_diff_typed<D: Differ>(
        &self,
        old: &Self,
        diff: &mut D,
    ) -> Option<std::result::Result<(), D::Error>> {
        let _ = (old, diff);
        None
    }
}

impl Document for Customer {
    const NAME: &'static str = "customer";
    const LISTS: &'static [&'static str] = contacthub_api::fields::customer::LISTS;

    fn typed_copy(&self) -> Option<Self> {
        Some(self.clone())
    }

    fn merge_diff_typed<D: Differ>(
        &self,
        old: &Self,
        diff: &mut D,
    ) -> Option<std::result::Result<(), D::Error>> {
        Some(self.merge_diff(old, diff))
    }
}

/// A value fetched from the service (a customer, say) that remembers what it was.
///
/// It derefs, mutably too, to the typed value `T`; edit that. Then [`changes`](Self::changes) is the
/// merge patch of exactly what changed, for a PATCH, and [`full_document`](Self::full_document) the whole
/// document, for a PUT. It keeps the raw JSON it was decoded from, so members that `T` does not model
/// survive: `changes` compares the typed value as first decoded with the typed value now, so a member
/// `T` does not know never shows up as removed, and `full_document` applies the changes to the raw
/// JSON, so such a member is still there.
///
/// What it holds: the typed value; the value as first decoded (what changes are measured from): a
/// typed copy for a type that compares itself member by member, such as `Customer`, else written as a
/// JSON tree; and the document's text as the service sent it, verbatim (one string, read again only
/// for a full update). A value that was never reached mutably has no changes, without looking;
/// otherwise only the members that differ are written as JSON.
///
/// Arrays are the unit of change (a merge patch cannot edit one item): when a list changes it is sent
/// whole, as `T` writes it, and members its items have that `T` does not model are not in it. A list
/// that is emptied or set to `None` is sent as `[]` (the service's lists are never `null`); a member
/// removed from the free-form `extended` is sent as `null`.
///
/// A NaN or an infinite number anywhere in the value is refused (an [`Error::InvalidInput`] naming
/// where): JSON has no such numbers, and the `null` serde_json would write instead removes a value.
///
/// ```
/// use cdp::contacthub::api::types::Customer;
/// use cdp::contacthub::tracked::Tracked;
/// use serde_json::json;
///
/// # fn main() -> cdp::Result<()> {
/// let mut bruce = Tracked::<Customer>::from_json(json!({
///     "id": "c1",
///     "base": {"firstName": "Bruce", "lastName": "Wayne", "nickname": "Batman"},
///     "tags": {"manual": ["vip"]}
/// }))?;
/// assert!(!bruce.is_changed());
///
/// bruce.base_mut().contacts_mut().email = Some("bruce@example.com".into());
/// bruce.base_mut().last_name = None;
/// let patch = bruce.changes()?.map(serde_json::Value::from);
/// assert_eq!(
///     patch,
///     Some(json!({"base": {"contacts": {"email": "bruce@example.com"}, "lastName": null}}))
/// );
/// // `nickname` is not in the model, and is still there for a full update.
/// assert_eq!(bruce.full_document()?["base"]["nickname"], "Batman");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Tracked<T> {
    /// The typed value, edited by the caller.
    value: T,
    /// Whether `value` may have been changed: it has been lent mutably since it was decoded or saved.
    touched: bool,
    /// The document as the service sent it (or as last saved), verbatim: the text of an object.
    raw: Box<str>,
    /// `value` as first decoded: what changes are measured from.
    baseline: Baseline<T>,
}

/// The value as first decoded.
#[derive(Clone)]
enum Baseline<T> {
    /// A typed copy, for a type that compares itself member by member.
    Typed(T),
    /// Written as JSON: an object.
    Tree(Value),
}

impl<T: Document> Tracked<T> {
    /// Decodes `raw`, a document as the service sent it, and remembers it.
    ///
    /// A document that is not an object, or does not fit `T`, is a [`Error::Decode`] that names the
    /// path where it went wrong (such as `base.dob`) and keeps the document (its first 4 KiB).
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    /// use serde_json::json;
    ///
    /// let customer = Tracked::<Customer>::from_json(json!({"id": "c1", "extra": "x"}));
    /// assert_eq!(customer.map(|c| c.extra.clone()).ok().flatten().as_deref(), Some("x"));
    ///
    /// let Err(cdp::Error::Decode(e)) = Tracked::<Customer>::from_json(json!({"id": "c1", "base": {"dob": 7}})) else {
    ///     panic!("a number is not a date");
    /// };
    /// assert_eq!(e.path.as_deref(), Some("base.dob"));
    /// ```
    pub fn from_json(raw: Value) -> Result<Self> {
        let value = decode(&raw)?;
        Self::new(value, raw.to_string().into_boxed_str())
    }

    /// Decodes `bytes`, the text of a document as the service sent it, once and straight into `T`,
    /// and keeps the text as it is. Errors are those of [`from_json`](Self::from_json); text that is
    /// not JSON is a [`Error::Decode`] too.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let customer = Tracked::<Customer>::from_slice(br#"{"id": "c1", "nickname": "Batman"}"#)?;
    /// assert_eq!(customer.id, "c1");
    /// assert_eq!(customer.raw_json(), r#"{"id": "c1", "nickname": "Batman"}"#);
    /// assert!(Tracked::<Customer>::from_slice(b"[1]").is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let value = decode_slice(bytes)?;
        // JSON is UTF-8 (serde_json has checked the strings, and everything else is ASCII).
        let raw = std::str::from_utf8(bytes)
            .map_err(|e| decode_error_in(None, format!("the document is not UTF-8: {e}"), bytes))?;
        Self::new(value, raw.into())
    }

    fn new(value: T, raw: Box<str>) -> Result<Self> {
        let baseline = baseline_of(&value)?;
        Ok(Self {
            value,
            touched: false,
            raw,
            baseline,
        })
    }

    /// The merge patch of exactly what changed since the value was fetched (or last saved), or `None`
    /// when nothing did: the body of a PATCH. A member set to `None` is sent as `null` (removed); a member
    /// of `T` that is `None` in both is not sent; nothing `T` does not model is ever in it.
    ///
    /// It fails only when `T` cannot be written as a JSON object (an [`Error::InvalidInput`]; the
    /// generated types always can).
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    /// use serde_json::json;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(json!({"id": "c1", "tags": {"manual": ["a"]}}))?;
    /// assert!(customer.changes()?.is_none());
    /// customer.tags_mut().manual.push("b".into());
    /// customer.extra = Some("vip".into());
    /// assert_eq!(
    ///     customer.changes()?.map(serde_json::Value::from),
    ///     Some(json!({"tags": {"manual": ["a", "b"]}, "extra": "vip"}))
    /// );
    /// # Ok(()) }
    /// ```
    pub fn changes(&self) -> Result<Option<MergePatch>> {
        Ok(self.diff()?.map(MergePatch::from))
    }

    /// The merge patch from the baseline to the value now, as members.
    fn diff(&self) -> Result<Option<Map<String, Value>>> {
        if !self.touched {
            return Ok(None);
        }
        // What the fast ways do not handle (a non-finite number among them): the long way, which
        // says why when it fails too.
        match &self.baseline {
            Baseline::Typed(original) => {
                let mut patch = merge_patch::typed::Patch::new(T::LISTS);
                match self.value.merge_diff_typed(original, &mut patch) {
                    Some(Ok(())) => Ok(patch.finish()),
                    _ => self.diff_whole(),
                }
            }
            Baseline::Tree(tree) => {
                match merge_patch::typed::diff_members(tree, &self.value, T::LISTS) {
                    Ok(patch) => Ok(patch),
                    Err(_) => self.diff_whole(),
                }
            }
        }
    }

    /// The baseline as a JSON tree (an object).
    fn baseline_tree(&self) -> Result<std::borrow::Cow<'_, Value>> {
        Ok(match &self.baseline {
            Baseline::Typed(original) => std::borrow::Cow::Owned(Value::Object(encode(original)?)),
            Baseline::Tree(tree) => std::borrow::Cow::Borrowed(tree),
        })
    }

    /// The merge patch from the baseline to the value now, with the value written whole as JSON.
    fn diff_whole(&self) -> Result<Option<Map<String, Value>>> {
        let now = encode(&self.value)?;
        let baseline = self.baseline_tree()?;
        // The baseline is always an object.
        let empty = Map::new();
        let old = baseline.as_object().unwrap_or(&empty);
        Ok(merge_patch::diff_members_with_lists(old, &now, T::LISTS))
    }

    /// Whether anything changed since the value was fetched (or last saved). A value that cannot be
    /// written as JSON counts as changed, so that saving it reports why.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(serde_json::json!({"id": "c1"}))?;
    /// assert!(!customer.is_changed());
    /// customer.enabled = Some(false);
    /// assert!(customer.is_changed());
    /// # Ok(()) }
    /// ```
    pub fn is_changed(&self) -> bool {
        !matches!(self.changes(), Ok(None))
    }

    /// The whole document as it is now: the raw JSON the value came from with the [changes] applied,
    /// the body of a full update (PUT) that keeps the members `T` does not model.
    ///
    /// [changes]: Self::changes
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    /// use serde_json::json;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(json!({"id": "c1", "extra": "x", "sourceInfo": {"by": "app"}}))?;
    /// customer.extra = None;
    /// assert_eq!(customer.full_document()?, json!({"id": "c1", "sourceInfo": {"by": "app"}}));
    /// # Ok(()) }
    /// ```
    pub fn full_document(&self) -> Result<Value> {
        let mut document = self.raw_document()?;
        if let Some(patch) = self.diff()? {
            merge_patch::apply(&mut document, &Value::Object(patch));
        }
        Ok(document)
    }

    /// The raw text read again.
    fn raw_document(&self) -> Result<Value> {
        serde_json::from_str(&self.raw)
            .map_err(|e| decode_error_in(None, e.to_string(), self.raw.as_bytes()))
    }

    /// Starts over from `raw`, the document the service answered a successful save with: it becomes the
    /// value, and what later changes are measured from. When `raw` does not decode, nothing changes and
    /// the error says why.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    /// use serde_json::json;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(json!({"id": "c1"}))?;
    /// customer.extra = Some("vip".into());
    /// // ... PATCH `customer.changes()?`, which answers the customer as now stored:
    /// customer.mark_saved(json!({"id": "c1", "extra": "vip", "updatedAt": "2026-11-22T07:00:00.000+0000"}))?;
    /// assert!(!customer.is_changed());
    /// assert!(customer.updated_at.is_some());
    /// # Ok(()) }
    /// ```
    pub fn mark_saved(&mut self, raw: Value) -> Result<()> {
        *self = Self::from_json(raw)?;
        Ok(())
    }

    /// Starts over from `raw`, the document as the service stores it now (after another write, say),
    /// keeping the changes not saved yet: they are applied on top of it, and are still the
    /// [changes](Self::changes). When `raw` does not decode, or the changes no longer fit it, nothing
    /// changes and the error says why.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    /// use serde_json::json;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(json!({"id": "c1", "extra": "x"}))?;
    /// customer.enabled = Some(false);
    /// // Meanwhile a tag was added at the service:
    /// customer.rebase(json!({"id": "c1", "extra": "x", "tags": {"manual": ["vip"]}}))?;
    /// assert_eq!(customer.tags.as_ref().map(|t| t.manual.clone()), Some(vec!["vip".to_owned()]));
    /// assert_eq!(customer.changes()?.map(serde_json::Value::from), Some(json!({"enabled": false})));
    /// # Ok(()) }
    /// ```
    pub fn rebase(&mut self, raw: Value) -> Result<()> {
        let pending = self.diff()?;
        let next = Self::from_json(raw)?;
        self.rebase_onto(next, pending)
    }

    /// [`rebase`](Self::rebase) onto the text of a document, decoded once.
    pub(crate) fn rebase_slice(&mut self, bytes: &[u8]) -> Result<()> {
        let pending = self.diff()?;
        let next = Self::from_slice(bytes)?;
        self.rebase_onto(next, pending)
    }

    fn rebase_onto(&mut self, mut next: Self, pending: Option<Map<String, Value>>) -> Result<()> {
        if let Some(pending) = pending {
            let mut value = next.baseline_tree()?.into_owned();
            merge_patch::apply(&mut value, &Value::Object(pending));
            next.value = decode(&value)?;
            next.touched = true;
        }
        *self = next;
        Ok(())
    }

    /// Takes the current value as saved, when the service's answer is not at hand: the changes are
    /// applied to the raw JSON kept, and later changes are measured from the value as it is now.
    ///
    /// ```
    /// use cdp::contacthub::api::types::Customer;
    /// use cdp::contacthub::tracked::Tracked;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let mut customer = Tracked::<Customer>::from_json(serde_json::json!({"id": "c1"}))?;
    /// customer.extra = Some("vip".into());
    /// customer.mark_changes_saved()?;
    /// assert!(customer.changes()?.is_none());
    /// assert_eq!(customer.raw()["extra"], "vip");
    /// # Ok(()) }
    /// ```
    pub fn mark_changes_saved(&mut self) -> Result<()> {
        let Some(patch) = self.diff()? else {
            self.touched = false;
            return Ok(());
        };
        let baseline = baseline_of(&self.value)?;
        let mut document = self.raw_document()?;
        merge_patch::apply(&mut document, &Value::Object(patch));
        self.raw = document.to_string().into_boxed_str();
        self.baseline = baseline;
        self.touched = false;
        Ok(())
    }
}

impl<T> Tracked<T> {
    /// The document the value was decoded from, as the service sent it (or as last saved), read again
    /// from the text kept.
    ///
    /// ```
    /// # fn main() -> cdp::Result<()> {
    /// let raw = serde_json::json!({"id": "c1", "sourceInfo": {"registeredBy": "app"}});
    /// let customer = cdp::contacthub::tracked::Tracked::<cdp::contacthub::api::types::Customer>::from_json(raw.clone())?;
    /// assert_eq!(customer.raw().get("sourceInfo"), raw.get("sourceInfo"));
    /// # Ok(()) }
    /// ```
    pub fn raw(&self) -> Map<String, Value> {
        match serde_json::from_str(&self.raw) {
            Ok(Value::Object(members)) => members,
            // The text was decoded as an object when it was taken.
            _ => Map::new(),
        }
    }

    /// The text of the document the value was decoded from, as the service sent it (or as last
    /// saved).
    ///
    /// ```
    /// # fn main() -> cdp::Result<()> {
    /// let customer = cdp::contacthub::tracked::Tracked::<cdp::contacthub::api::types::Customer>::from_slice(
    ///     br#"{"id":"c1"}"#,
    /// )?;
    /// assert_eq!(customer.raw_json(), r#"{"id":"c1"}"#);
    /// # Ok(()) }
    /// ```
    pub fn raw_json(&self) -> &str {
        &self.raw
    }

    /// The typed value, without what it remembers.
    ///
    /// ```
    /// # fn main() -> cdp::Result<()> {
    /// let customer = cdp::contacthub::tracked::Tracked::<cdp::contacthub::api::types::Customer>::from_json(
    ///     serde_json::json!({"id": "c1"}),
    /// )?;
    /// assert_eq!(customer.into_inner().id, "c1");
    /// # Ok(()) }
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for Tracked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Tracked<T> {
    // Every change goes through here: the value is only reachable mutably this way.
    fn deref_mut(&mut self) -> &mut T {
        self.touched = true;
        &mut self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Tracked<T> {
    // The raw document and the baseline repeat the value; the value is what a reader wants.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Tracked").field(&self.value).finish()
    }
}

/// `raw` as a `T`; an error names the path where it does not fit.
fn decode<T: DeserializeOwned>(raw: &Value) -> Result<T> {
    if !raw.is_object() {
        return Err(not_an_object(raw));
    }
    serde_path_to_error::deserialize::<_, T>(raw).map_err(|e| {
        let path = Some(e.path().to_string()).filter(|p| p != ".");
        decode_error(path, e.inner().to_string(), raw)
    })
}

/// What changes of `value` are measured from: a typed copy when the type compares itself, else the
/// value written as a JSON object.
fn baseline_of<T: Document>(value: &T) -> Result<Baseline<T>> {
    match value.typed_copy() {
        Some(copy) => Ok(Baseline::Typed(copy)),
        None => Ok(Baseline::Tree(Value::Object(encode(value)?))),
    }
}

/// `value` as a JSON object; a non-finite number in it is refused rather than written as `null`.
fn encode<T: Document>(value: &T) -> Result<Map<String, Value>> {
    finite::check(value, T::NAME)?;
    match serde_json::to_value(value) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(other) => Err(Error::InvalidInput {
            field: None,
            message: format!(
                "a tracked value must be written as a JSON object, not {}",
                kind(&other)
            ),
        }),
        Err(e) => Err(Error::InvalidInput {
            field: None,
            message: format!("the tracked value cannot be written as JSON: {e}"),
        }),
    }
}

fn not_an_object(raw: &Value) -> Error {
    decode_error(
        None,
        format!("expected a JSON object, found {}", kind(raw)),
        raw,
    )
}

fn decode_error(path: Option<String>, message: String, raw: &Value) -> Error {
    decode_error_in(path, message, &serde_json::to_vec(raw).unwrap_or_default())
}

fn decode_error_in(path: Option<String>, message: String, body: &[u8]) -> Error {
    Error::Decode(Box::new(DecodeError::new(
        SERVICE, None, path, message, body,
    )))
}

/// The text `bytes` as a `T`, decoded in one pass; an error names the path where it does not fit.
fn decode_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    // A struct also decodes from a JSON list: only an object is a document.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        let message = match serde_json::from_slice::<Value>(bytes) {
            Ok(other) => format!("expected a JSON object, found {}", kind(&other)),
            Err(e) => e.to_string(),
        };
        return Err(decode_error_in(None, message, bytes));
    }
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    // Decoded again, keeping track of where it is, only to say where it went wrong.
    let mut input = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut input).map_err(|e| {
        let path = Some(e.path().to_string()).filter(|p| p != ".");
        decode_error_in(path, e.inner().to_string(), bytes)
    })?;
    input
        .end()
        .map_err(|e| decode_error_in(None, e.to_string(), bytes))?;
    Ok(value)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use contacthub_api::types::Customer;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    fn customer() -> Value {
        json!({
            "id": "c1",
            "nodeId": "n1",
            "registeredAt": "2017-03-02T12:12:53.074+0000",
            "sourceInfo": {"registeredBy": "app"},
            "base": {
                "firstName": "Bruce",
                "lastName": "Wayne",
                "pictureUrl": null,
                "nickname": "Batman",
                "contacts": {"email": "bruce@wayne.example", "phone": "555"},
                "educations": [{"id": "e1", "schoolType": "COLLEGE", "schoolName": "Gotham U"}]
            },
            "extended": {"loyalty": {"level": "gold", "points": 10}},
            "tags": {"auto": ["a1"], "manual": ["vip", "gotham"]}
        })
    }

    fn patch(tracked: &Tracked<Customer>) -> Option<Value> {
        tracked.changes().unwrap().map(Value::from)
    }

    #[test]
    fn an_untouched_value_has_no_changes() {
        let tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        assert_eq!(patch(&tracked), None);
        assert!(!tracked.is_changed());
        // The full document is the raw one, unknown members, nulls and date formats included.
        assert_eq!(tracked.full_document().unwrap(), customer());
    }

    #[test]
    fn changes_are_exactly_the_edits() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        let base = tracked.base.as_mut().unwrap();
        base.contacts.as_mut().unwrap().email = Some("bruce@example.com".into());
        base.last_name = None;
        tracked
            .tags
            .as_mut()
            .unwrap()
            .manual
            .retain(|t| t != "gotham");
        tracked
            .extended
            .as_mut()
            .unwrap()
            .0
            .insert("club".into(), json!(true));
        assert_eq!(
            patch(&tracked),
            Some(json!({
                "base": {"contacts": {"email": "bruce@example.com"}, "lastName": null},
                "tags": {"manual": ["vip"]},
                "extended": {"club": true}
            }))
        );
        assert!(tracked.is_changed());
    }

    #[test]
    fn setting_back_the_old_value_is_no_change() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.extra = Some("x".into());
        assert!(tracked.is_changed());
        tracked.extra = None;
        assert_eq!(patch(&tracked), None);
    }

    #[test]
    fn the_full_document_keeps_what_the_model_does_not_know() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        let base = tracked.base.as_mut().unwrap();
        base.first_name = Some("B.".into());
        base.contacts = None;
        let mut expected = customer();
        expected["base"]["firstName"] = json!("B.");
        expected["base"].as_object_mut().unwrap().remove("contacts");
        assert_eq!(tracked.full_document().unwrap(), expected);
    }

    #[test]
    fn a_cleared_list_is_sent_empty() {
        // `Tags` does not write an empty list; the patch still clears it with `[]`, never `null`.
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.tags.as_mut().unwrap().manual.clear();
        assert_eq!(patch(&tracked), Some(json!({"tags": {"manual": []}})));
        // A list set to `None` is cleared the same way.
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.base_mut().educations = None;
        assert_eq!(patch(&tracked), Some(json!({"base": {"educations": []}})));
        // In the free-form `extended`, an emptied list is `[]` and a removed key `null`.
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        let extended = tracked.extended_mut();
        extended.insert("lists".into(), json!([]));
        extended.remove("loyalty");
        assert_eq!(
            patch(&tracked),
            Some(json!({"extended": {"lists": [], "loyalty": null}}))
        );
    }

    #[test]
    fn a_non_finite_number_is_refused_not_sent_as_null() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
            tracked.base_mut().address_mut().geo_mut().lat = Some(bad);
            let Err(Error::InvalidInput { field, .. }) = tracked.changes() else {
                panic!("{bad} has no JSON form");
            };
            assert_eq!(field.as_deref(), Some("customer.base.address.geo.lat"));
            assert!(tracked.is_changed());
            assert!(tracked.full_document().is_err());
            assert!(tracked.mark_changes_saved().is_err());
        }
    }

    #[test]
    fn rebase_keeps_pending_changes_on_the_new_document() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.base_mut().first_name = Some("B.".into());
        let mut stored = customer();
        stored["tags"]["manual"] = json!(["vip", "gotham", "new"]);
        stored["base"]["lastName"] = json!("Wayne II");
        tracked.rebase(stored.clone()).unwrap();
        assert_eq!(
            tracked.base.as_ref().unwrap().last_name.as_deref(),
            Some("Wayne II")
        );
        assert_eq!(tracked.tags.as_ref().unwrap().manual.len(), 3);
        assert_eq!(patch(&tracked), Some(json!({"base": {"firstName": "B."}})));
        assert_eq!(&tracked.raw(), stored.as_object().unwrap());
        // A document that does not decode changes nothing.
        assert!(tracked.rebase(json!({"id": 1})).is_err());
        assert_eq!(patch(&tracked), Some(json!({"base": {"firstName": "B."}})));
    }

    #[test]
    fn saving_resets_what_changes_are_measured_from() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.extra = Some("vip".into());
        tracked.mark_changes_saved().unwrap();
        assert_eq!(patch(&tracked), None);
        assert_eq!(tracked.raw()["extra"], "vip");
        assert_eq!(tracked.raw()["sourceInfo"], json!({"registeredBy": "app"}));

        let mut answer = customer();
        answer["extra"] = json!("from the service");
        tracked.mark_saved(answer.clone()).unwrap();
        assert_eq!(tracked.extra.as_deref(), Some("from the service"));
        assert_eq!(patch(&tracked), None);
        assert_eq!(tracked.full_document().unwrap(), answer);
    }

    #[test]
    fn a_failed_mark_saved_changes_nothing() {
        let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
        tracked.extra = Some("vip".into());
        assert!(tracked.mark_saved(json!({"id": 7})).is_err());
        assert_eq!(patch(&tracked), Some(json!({"extra": "vip"})));
    }

    #[test]
    fn decode_errors_name_the_path_and_keep_the_document() {
        let mut raw = customer();
        raw["base"]["educations"][0]["startYear"] = json!("1994");
        let Err(Error::Decode(e)) = Tracked::<Customer>::from_json(raw) else {
            panic!("a string is not a year");
        };
        assert_eq!(e.path.as_deref(), Some("base.educations[0].startYear"));
        assert_eq!(e.service, "ContactHub");
        assert!(e.body.contains("Batman"), "{}", e.body);
        assert!(
            e.to_string().contains("base.educations[0].startYear"),
            "{e}"
        );

        for raw in [json!(null), json!([1]), json!("c1")] {
            let Err(Error::Decode(e)) = Tracked::<Customer>::from_json(raw.clone()) else {
                panic!("{raw} is not a document");
            };
            assert!(
                e.message.starts_with("expected a JSON object"),
                "{}",
                e.message
            );
            assert_eq!(e.path, None);
        }
    }

    #[test]
    fn a_value_that_is_not_an_object_cannot_be_tracked() {
        // Decodes from an object, but writes itself as a string.
        #[derive(Debug, Deserialize)]
        struct Odd {}
        impl Serialize for Odd {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str("odd")
            }
        }
        impl Document for Odd {
            const NAME: &'static str = "odd";
        }
        let Err(Error::InvalidInput { message, .. }) =
            Tracked::<Odd>::from_json(json!({"id": "x"}))
        else {
            panic!("a string is not a document");
        };
        assert!(message.contains("not a string"), "{message}");
    }

    /// The patch found by walking the value beside the baseline, checked against the long way.
    fn walked(tracked: &Tracked<Customer>) -> Option<Value> {
        let walked = tracked.diff().unwrap();
        assert_eq!(
            walked,
            tracked.diff_whole().unwrap(),
            "the walk and the long way differ"
        );
        walked.map(Value::Object)
    }

    #[test]
    fn every_way_to_change_the_value_is_seen() {
        let fresh = || Tracked::<Customer>::from_json(customer()).unwrap();
        let other: Customer = serde_json::from_value(json!({"id": "c1", "extra": "x"})).unwrap();

        let mut tracked = fresh();
        tracked.extra = Some("x".into());
        assert_eq!(walked(&tracked), Some(json!({"extra": "x"})));

        let mut tracked = fresh();
        tracked.base_mut().contacts_mut().phone = None;
        assert_eq!(
            walked(&tracked),
            Some(json!({"base": {"contacts": {"phone": null}}}))
        );

        // The whole value replaced, swapped or taken apart.
        let mut tracked = fresh();
        *tracked = other.clone();
        let expected = json!({
            "extra": "x", "nodeId": null, "registeredAt": null, "base": null, "extended": null,
            "tags": null
        });
        assert_eq!(walked(&tracked), Some(expected.clone()));
        let mut tracked = fresh();
        let mut swapped = other.clone();
        std::mem::swap(&mut *tracked, &mut swapped);
        assert_eq!(walked(&tracked), Some(expected));
        let mut tracked = fresh();
        let tags = tracked.tags.take();
        assert_eq!(walked(&tracked), Some(json!({"tags": null})));
        tracked.tags = tags;
        assert_eq!(walked(&tracked), None);

        // Through a plain `&mut Customer`, and in a clone.
        let mut tracked = fresh();
        let customer: &mut Customer = &mut tracked;
        customer.enabled = Some(true);
        let copy = tracked.clone();
        assert_eq!(walked(&copy), Some(json!({"enabled": true})));
    }

    #[test]
    fn a_change_the_walk_cannot_follow_is_found_the_long_way() {
        // An enum variant that carries data: the walk beside the baseline gives up on it, and the value
        // is written whole instead; the change is still found, exactly.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        enum Shape {
            Circle(f64),
            Square(f64),
        }
        #[derive(Debug, Clone, Serialize, Deserialize)]
        struct Drawing {
            id: String,
            shape: Shape,
            #[serde(skip_serializing_if = "Option::is_none")]
            note: Option<String>,
        }
        impl Document for Drawing {
            const NAME: &'static str = "drawing";
        }
        let mut drawing = Tracked::<Drawing>::from_json(
            json!({"id": "d1", "shape": {"Circle": 1.0}, "note": "n"}),
        )
        .unwrap();
        drawing.shape = Shape::Square(2.0);
        drawing.note = None;
        assert!(
            merge_patch::typed::diff_members(
                &drawing.baseline_tree().unwrap(),
                &drawing.value,
                &[]
            )
            .is_err(),
            "the walk was expected to give up here"
        );
        assert_eq!(
            drawing.changes().unwrap().map(Value::from),
            Some(json!({"shape": {"Circle": null, "Square": 2.0}, "note": null}))
        );
        drawing.shape = Shape::Circle(1.0);
        drawing.note = Some("n".into());
        assert_eq!(drawing.changes().unwrap(), None);
        assert!(!drawing.is_changed());
    }

    #[test]
    fn a_document_is_decoded_once_from_its_text_and_kept_verbatim() {
        let text = serde_json::to_vec_pretty(&customer()).unwrap();
        let tracked = Tracked::<Customer>::from_slice(&text).unwrap();
        assert_eq!(tracked.raw_json().as_bytes(), &text[..]);
        assert_eq!(patch(&tracked), None);
        assert_eq!(tracked.full_document().unwrap(), customer());
        let from_value = Tracked::<Customer>::from_json(customer()).unwrap();
        assert_eq!(*tracked, *from_value);
        assert_eq!(
            tracked.baseline_tree().unwrap(),
            from_value.baseline_tree().unwrap()
        );
        // A customer is measured from a typed copy, not from a JSON tree.
        assert!(matches!(tracked.baseline, Baseline::Typed(_)));

        let Err(Error::Decode(e)) =
            Tracked::<Customer>::from_slice(br#"{"id": "c1", "base": {"dob": 7}}"#)
        else {
            panic!("a number is not a date");
        };
        assert_eq!(e.path.as_deref(), Some("base.dob"));
        assert!(e.body.contains("dob"), "{}", e.body);
        for bad in [
            &b"[\"c1\"]"[..],
            b"null",
            b"\"c1\"",
            b"{\"id\": \"c1\"} x",
            b"{\"id\": ",
            b"  ",
            b"",
        ] {
            let Err(Error::Decode(_)) = Tracked::<Customer>::from_slice(bad) else {
                panic!("{} is not a document", String::from_utf8_lossy(bad));
            };
        }
    }

    /// A customer with every list of the schema holding items.
    fn customer_with_every_list() -> Value {
        json!({
            "id": "c1",
            "nodeId": "n1",
            "base": {
                "firstName": "Bruce",
                "contacts": {
                    "email": "bruce@wayne.example",
                    "otherContacts": [{"name": "office", "type": "PHONE", "value": "1"}],
                    "mobileDevices": [{"identifier": "d1", "appId": "app", "name": "phone"}]
                },
                "educations": [{"id": "e1", "schoolType": "COLLEGE"}],
                "jobs": [{"id": "j1", "jobTitle": "CEO"}, {"id": "j2"}],
                "likes": [{"id": "l1", "name": "bats"}],
                "subscriptions": [{"id": "s1", "preferences": [{"key": "k", "value": "v"}]}]
            },
            "extended": {"list": [1, 2], "plain": "x"},
            "tags": {"auto": ["a1"], "manual": ["vip", "gotham"]}
        })
    }

    /// The lists a merge patch can reach: those not inside another list. They come from the schema
    /// (the generated paths), not from what `Tracked` is told, so a list it missed shows here.
    fn top_lists() -> Vec<&'static str> {
        let all = contacthub_api::fields::customer::LISTS;
        all.iter()
            .copied()
            .filter(|path| {
                !all.iter()
                    .any(|outer| path.starts_with(&format!("{outer}.")))
            })
            .collect()
    }

    fn pointer(path: &str) -> String {
        format!("/{}", path.replace('.', "/"))
    }

    /// `doc` with nulls removed and the lists at list paths that are missing or empty removed.
    fn comparable(mut doc: Value) -> Value {
        merge_patch::normalize(&mut doc);
        for path in top_lists() {
            let (parent, name) = path.rsplit_once('.').unwrap_or(("", path));
            let parent = if parent.is_empty() {
                String::new()
            } else {
                pointer(parent)
            };
            if let Some(Value::Object(members)) = doc.pointer_mut(&parent)
                && members
                    .get(name)
                    .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
            {
                members.remove(name);
            }
        }
        doc
    }

    #[test]
    fn the_lists_are_those_of_the_official_schema() {
        // Every array of the official `customer/base.json` and `customer/tags.json`.
        assert_eq!(
            top_lists(),
            [
                "base.contacts.mobileDevices",
                "base.contacts.otherContacts",
                "base.educations",
                "base.jobs",
                "base.likes",
                "base.subscriptions",
                "tags.auto",
                "tags.manual",
            ]
        );
        let fixture = customer_with_every_list();
        for path in contacthub_api::fields::customer::LISTS {
            let at = pointer(&path.replace("subscriptions.", "subscriptions.0."));
            assert!(
                fixture
                    .pointer(&at)
                    .and_then(Value::as_array)
                    .is_some_and(|l| !l.is_empty()),
                "the fixture has no items at {path}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Any edits of a customer, at any depth and of any kind the model takes: comparing with the
        /// typed copy, and walking the value beside the JSON tree, find exactly the patch that writing
        /// both whole and comparing the trees finds.
        #[test]
        fn the_walk_finds_what_the_long_way_finds(
            edits in proptest::collection::vec((0..16usize, 0..10usize), 1..5),
        ) {
            const AT: [&str; 16] = [
                "/base/firstName", "/base/contacts/email", "/base/contacts", "/base/educations",
                "/base/educations/0/schoolName", "/base", "/extended/loyalty/level",
                "/extended/loyalty/points", "/extended/loyalty", "/extended", "/tags/manual",
                "/tags", "/registeredAt", "/enabled", "/extra", "/base/educations/0",
            ];
            let values = [
                Value::Null, json!("z"), json!(3), json!(2.5), json!(true), json!([]),
                json!(["vip"]), json!({}), json!({"email": "a@b.example", "schoolName": "U"}),
                json!("2020-01-01T00:00:00.000+0000"),
            ];
            let mut edited = customer();
            for (at, value) in edits {
                let (parent, name) = AT[at].rsplit_once('/').unwrap_or(("", AT[at]));
                match edited.pointer_mut(parent) {
                    Some(Value::Object(members)) if value == 0 && at % 2 == 0 => {
                        members.remove(name);
                    }
                    Some(Value::Object(members)) => {
                        members.insert(name.to_owned(), values[value].clone());
                    }
                    Some(Value::Array(items)) => {
                        if let Some(item) = name.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                            *item = values[value].clone();
                        }
                    }
                    _ => {}
                }
            }
            // Only what the model takes can be an edit of the typed value.
            let Ok(edited) = serde_json::from_value::<Customer>(edited) else {
                return Ok(());
            };
            let mut tracked = Tracked::<Customer>::from_json(customer()).unwrap();
            *tracked = edited;
            let whole = tracked.diff_whole().unwrap();
            proptest::prop_assert_eq!(tracked.diff().unwrap(), whole.clone());
            let tree = tracked.baseline_tree().unwrap();
            let walk = merge_patch::typed::diff_members(&tree, &tracked.value, Customer::LISTS);
            proptest::prop_assert_eq!(walk.unwrap(), whole);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any mix of edits of every list (cleared, set to null, removed, shortened, grown, left) and of
        /// their parents: no list is ever `null` in the patch, and the patch gives the edited customer.
        #[test]
        fn every_list_is_cleared_with_an_empty_list(
            edits in proptest::collection::vec(0..6u8, 8),
            parents in proptest::collection::vec(0..3u8, 2),
        ) {
            let old = customer_with_every_list();
            let mut new = old.clone();
            for (path, edit) in top_lists().into_iter().zip(edits) {
                let (parent, name) = path.rsplit_once('.').unwrap_or(("", path));
                let Some(Value::Object(members)) = new.pointer_mut(&pointer(parent)) else {
                    continue;
                };
                match edit {
                    0 => {}
                    1 => drop(members.insert(name.into(), json!([]))),
                    2 => drop(members.insert(name.into(), Value::Null)),
                    3 => drop(members.remove(name)),
                    4 => {
                        if let Some(Value::Array(items)) = members.get_mut(name) {
                            items.truncate(items.len().saturating_sub(1));
                        }
                    }
                    _ => {
                        if let Some(Value::Array(items)) = members.get_mut(name)
                            && let Some(first) = items.first().cloned()
                        {
                            items.push(first);
                        }
                    }
                }
            }
            // Sometimes the objects that hold lists go as a whole.
            for (holder, edit) in ["/base/contacts", "/tags"].into_iter().zip(parents) {
                let (parent, name) = holder[1..].rsplit_once('/').map_or(("", &holder[1..]), |(p, n)| (p, n));
                if let Some(Value::Object(members)) = new.pointer_mut(&if parent.is_empty() { String::new() } else { format!("/{parent}") }) {
                    match edit {
                        1 => drop(members.remove(name)),
                        2 => drop(members.insert(name.into(), json!({}))),
                        _ => {}
                    }
                }
            }
            // A `null` list and a missing one are the same `None` in the typed value (and `Tags` takes no
            // `null`).
            merge_patch::normalize(&mut new);
            let mut tracked = Tracked::<Customer>::from_json(old.clone()).unwrap();
            *tracked = serde_json::from_value::<Customer>(new.clone()).unwrap();
            let patch = patch(&tracked);
            if let Some(patch) = &patch {
                for path in top_lists() {
                    proptest::prop_assert!(
                        !patch.pointer(&pointer(path)).is_some_and(Value::is_null),
                        "{} is null in {}", path, patch
                    );
                }
            }
            let mut patched = serde_json::to_value(Tracked::<Customer>::from_json(old).unwrap().into_inner()).unwrap();
            if let Some(patch) = &patch {
                merge_patch::apply(&mut patched, patch);
            }
            let edited = serde_json::to_value(serde_json::from_value::<Customer>(new).unwrap()).unwrap();
            proptest::prop_assert_eq!(comparable(patched), comparable(edited));
        }
    }
}
