//! The merge patch to a typed value without writing the whole value as JSON, two ways:
//!
//! - [`Members`]: from an older typed value of a generated type, which compares itself member by
//!   member ([`MergeDiff`]); only members that differ are written as JSON;
//! - [`diff_members`]: from the older value's JSON tree, any `Serialize` type: the value is walked once
//!   beside the tree, and only what differs is turned into JSON.
//!
//! Both give exactly [`diff_members_with_lists`](super::diff_members_with_lists) of the two values
//! written as JSON. What they do not handle (a non-finite number, and for the walk an enum variant
//! with data, bytes, a map key that is not a string) makes them give up, and the caller takes the long
//! way, which says why.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};
use serde_json::{Map, Value};

use contacthub_api::merge_diff::{Differ, MergeDiff};

use super::is_empty_list;

/// Builds the merge patch from the members a [`MergeDiff`] hands on.
pub(crate) struct Patch<'l> {
    at: String,
    lists: &'l [&'l str],
    members: Map<String, Value>,
}

impl<'l> Patch<'l> {
    pub(crate) fn new(lists: &'l [&'l str]) -> Self {
        Self {
            at: String::new(),
            lists,
            members: Map::new(),
        }
    }

    /// The patch, or `None` when nothing changed.
    pub(crate) fn finish(self) -> Option<Map<String, Value>> {
        (!self.members.is_empty()).then_some(self.members)
    }

    fn enter(&mut self, name: &str) -> usize {
        let depth = self.at.len();
        if !self.at.is_empty() {
            self.at.push('.');
        }
        self.at.push_str(name);
        depth
    }
}

impl Differ for Patch<'_> {
    type Error = GaveUp;

    fn object<T: MergeDiff>(
        &mut self,
        name: &'static str,
        new: Option<&T>,
        old: Option<&T>,
    ) -> Result<(), GaveUp> {
        let change = match (new, old) {
            (Some(new), Some(old)) => {
                let depth = self.enter(name);
                let outer = std::mem::take(&mut self.members);
                let done = new.merge_diff(old, self);
                let inner = std::mem::replace(&mut self.members, outer);
                self.at.truncate(depth);
                done?;
                (!inner.is_empty()).then_some(Value::Object(inner))
            }
            (Some(new), None) => Some(normalized(new)?),
            (None, Some(_)) => Some(Value::Null),
            (None, None) => None,
        };
        if let Some(change) = change {
            self.members.insert(name.to_owned(), change);
        }
        Ok(())
    }

    fn leaf<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        new: Option<&T>,
        old: Option<&T>,
    ) -> Result<(), GaveUp> {
        let now = new.map(normalized).transpose()?.filter(|v| !v.is_null());
        // The old value is compared where it lies; it is written as JSON only to be diffed as an
        // object, or to see whether a list that went was empty.
        let old = match old {
            Some(old) if old.serialize(Same(&Value::Null))? => None,
            old => old,
        };
        /// What the member was, as far as the patch needs it.
        enum Was {
            Absent,
            /// Something else, which the new value replaces whole.
            Other,
            Json(Value),
        }
        let was = match (&now, old) {
            (_, None) => Was::Absent,
            (Some(now), Some(old)) if !now.is_object() => {
                if old.serialize(Same(now))? {
                    return Ok(());
                }
                Was::Other
            }
            (_, Some(old)) => Was::Json(exact(old)?),
        };
        let list = || is_list(&self.at, name, self.lists);
        let change = match (now, was) {
            (None, Was::Absent) => None,
            // A list is never removed: it is cleared, and one that was empty already stays so.
            (None, Was::Json(was)) if list() => {
                (!is_empty_list(&was)).then(|| Value::Array(Vec::new()))
            }
            (None, _) => Some(Value::Null),
            (Some(now), Was::Absent) => (!(is_empty_list(&now) && list())).then_some(now),
            (Some(now), Was::Other) => Some(now),
            (Some(now), Was::Json(was)) => {
                let depth = self.enter(name);
                let change = super::diff_at(&was, &now, &mut self.at, self.lists);
                self.at.truncate(depth);
                change
            }
        };
        if let Some(change) = change {
            self.members.insert(name.to_owned(), change);
        }
        Ok(())
    }
}

/// Why the walk gave up; the caller then writes the value whole.
#[derive(Debug)]
pub(crate) struct GaveUp(String);

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GaveUp {}

impl ser::Error for GaveUp {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

fn gave_up(why: &str) -> GaveUp {
    GaveUp(why.to_owned())
}

/// The merge patch that turns the object `old` into `new` written as JSON, as members, or `None` when
/// nothing changed; `lists` as for `diff_members_with_lists`.
pub(crate) fn diff_members<T: Serialize + ?Sized>(
    old: &Value,
    new: &T,
    lists: &[&str],
) -> Result<Option<Map<String, Value>>, GaveUp> {
    if !old.is_object() {
        return Err(gave_up("the old document is not an object"));
    }
    match diff_value(old, new, &mut String::new(), lists)? {
        Outcome::Same => Ok(None),
        Outcome::Changed(Value::Object(patch)) => Ok(Some(patch)),
        _ => Err(gave_up("the value is not written as an object")),
    }
}

/// What a value is beside the old one.
enum Outcome {
    /// It is written as `null`.
    Null,
    /// It is written as the old value.
    Same,
    /// The patch from the old value to it (itself, unless both are objects).
    Changed(Value),
    /// An object beside an old object: the patch of the members it has, and how many of the old
    /// members it has (the others have been removed).
    Members {
        patch: Map<String, Value>,
        matched: usize,
    },
}

/// `new` beside `old` (not `null`), at the dotted path `at`.
fn diff_value<T: Serialize + ?Sized>(
    old: &Value,
    new: &T,
    at: &mut String,
    lists: &[&str],
) -> Result<Outcome, GaveUp> {
    let outcome = new.serialize(Diff {
        old,
        at: &mut *at,
        lists,
    })?;
    let Outcome::Members { mut patch, matched } = outcome else {
        return Ok(outcome);
    };
    if let Value::Object(members) = old
        && matched < members.len()
    {
        // Some old members were not written: they are removed.
        let names = new.serialize(Names)?;
        for (name, was) in members {
            if was.is_null() || names.iter().any(|n| n == name) {
                continue;
            }
            let removed = if is_list(at, name, lists) {
                if is_empty_list(was) {
                    continue;
                }
                Value::Array(Vec::new())
            } else {
                Value::Null
            };
            patch.insert(name.clone(), removed);
        }
    }
    Ok(if patch.is_empty() {
        Outcome::Same
    } else {
        Outcome::Changed(Value::Object(patch))
    })
}

/// Whether the member `name` of the object at `at` holds a list.
fn is_list(at: &str, name: &str, lists: &[&str]) -> bool {
    lists.iter().any(|path| {
        if at.is_empty() {
            *path == name
        } else {
            path.len() == at.len() + 1 + name.len()
                && path.starts_with(at)
                && path.as_bytes()[at.len()] == b'.'
                && path.ends_with(name)
        }
    })
}

/// `value` written as JSON, whole, refusing non-finite numbers (serde_json writes them as `null`).
fn exact<T: Serialize + ?Sized>(value: &T) -> Result<Value, GaveUp> {
    if crate::finite::check(value, "").is_err() {
        return Err(gave_up("a number is not finite"));
    }
    serde_json::to_value(value).map_err(|e| GaveUp(e.to_string()))
}

/// `value` written as JSON as a merge patch sends it: without `null` object members.
fn normalized<T: Serialize + ?Sized>(value: &T) -> Result<Value, GaveUp> {
    let mut value = exact(value)?;
    super::normalize(&mut value);
    Ok(value)
}

/// Looks members of an old object up by name. The members of a generated type are written in the
/// order of their names, as the old object keeps them: the next old member is nearly always the one
/// asked for, so it is tried before a search.
struct Cursor<'a> {
    members: Option<&'a Map<String, Value>>,
    next: Option<std::iter::Peekable<serde_json::map::Iter<'a>>>,
}

impl<'a> Cursor<'a> {
    fn new(members: Option<&'a Map<String, Value>>) -> Self {
        Self {
            members,
            next: members.map(|members| members.iter().peekable()),
        }
    }

    fn find(&mut self, name: &str) -> Option<&'a Value> {
        let next = self.next.as_mut()?;
        while let Some((key, value)) = next.peek() {
            match key.as_str().cmp(name) {
                std::cmp::Ordering::Less => {
                    next.next();
                }
                std::cmp::Ordering::Equal => {
                    let value = *value;
                    next.next();
                    return Some(value);
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        self.members.and_then(|members| members.get(name))
    }
}

/// Whether `value` is written as the text `old`, found without writing it down.
fn writes_as<T: fmt::Display + ?Sized>(old: &str, value: &T) -> bool {
    struct Compare<'a>(&'a str);
    impl fmt::Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            match self.0.strip_prefix(s) {
                Some(rest) => {
                    self.0 = rest;
                    Ok(())
                }
                // Stops the writing at the first difference.
                None => Err(fmt::Error),
            }
        }
    }
    let mut compare = Compare(old);
    fmt::write(&mut compare, format_args!("{value}")).is_ok() && compare.0.is_empty()
}

fn scalar(old: &Value, new: Value) -> Outcome {
    if *old == new {
        Outcome::Same
    } else {
        Outcome::Changed(new)
    }
}

fn finite(n: f64) -> Result<Value, GaveUp> {
    if n.is_finite() {
        Ok(Value::from(n))
    } else {
        Err(gave_up("a number is not finite"))
    }
}

/// Writes a value beside the old one (not `null`), answering what changed.
struct Diff<'a, 'b> {
    old: &'a Value,
    at: &'b mut String,
    lists: &'b [&'b str],
}

impl<'a, 'b> ser::Serializer for Diff<'a, 'b> {
    type Ok = Outcome;
    type Error = GaveUp;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Impossible<Outcome, GaveUp>;
    type SerializeMap = Members<'a, 'b>;
    type SerializeStruct = Members<'a, 'b>;
    type SerializeStructVariant = Impossible<Outcome, GaveUp>;

    fn serialize_bool(self, v: bool) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::Bool(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, Value::from(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, finite(f64::from(v))?))
    }
    fn serialize_f64(self, v: f64) -> Result<Outcome, GaveUp> {
        Ok(scalar(self.old, finite(v)?))
    }
    fn serialize_char(self, v: char) -> Result<Outcome, GaveUp> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Outcome, GaveUp> {
        Ok(if self.old.as_str() == Some(v) {
            Outcome::Same
        } else {
            Outcome::Changed(Value::String(v.to_owned()))
        })
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<Outcome, GaveUp> {
        // Dates write themselves this way: compared as they are written, made into text only when
        // they changed.
        Ok(match self.old.as_str() {
            Some(old) if writes_as(old, value) => Outcome::Same,
            _ => Outcome::Changed(Value::String(value.to_string())),
        })
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Outcome, GaveUp> {
        Err(gave_up("bytes"))
    }
    fn serialize_none(self) -> Result<Outcome, GaveUp> {
        Ok(Outcome::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Outcome, GaveUp> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Outcome, GaveUp> {
        Ok(Outcome::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Outcome, GaveUp> {
        Ok(Outcome::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Outcome, GaveUp> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Outcome, GaveUp> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Outcome, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, GaveUp> {
        Ok(match self.old {
            Value::Array(items) => Items {
                old: items,
                next: 0,
                out: None,
            },
            // Not a list before: the new one is sent whole.
            _ => Items {
                old: &[],
                next: 0,
                out: Some(Vec::new()),
            },
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a>, GaveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Items<'a>, GaveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Members<'a, 'b>, GaveUp> {
        let old = self.old.as_object();
        Ok(Members {
            old,
            cursor: Cursor::new(old),
            at: self.at,
            lists: self.lists,
            patch: Map::new(),
            matched: 0,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'a, 'b>, GaveUp> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
}

/// The members of an object beside the old object (`None`: the old value was not one, and every
/// member is new).
struct Members<'a, 'b> {
    old: Option<&'a Map<String, Value>>,
    cursor: Cursor<'a>,
    at: &'b mut String,
    lists: &'b [&'b str],
    patch: Map<String, Value>,
    matched: usize,
    /// The key of a map entry whose value comes next.
    key: Option<String>,
}

impl Members<'_, '_> {
    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), GaveUp> {
        let was = self.cursor.find(name);
        if was.is_some() {
            self.matched += 1;
        }
        // A list that is gone is cleared with `[]`, and one that appears empty is no change; only
        // where the document had an object (a whole new object is sent as it is).
        let list = |at: &str| self.old.is_some() && is_list(at, name, self.lists);
        let change = match was.filter(|was| !was.is_null()) {
            Some(was) => {
                let depth = self.at.len();
                if !self.at.is_empty() {
                    self.at.push('.');
                }
                self.at.push_str(name);
                let outcome = diff_value(was, value, self.at, self.lists);
                self.at.truncate(depth);
                match outcome? {
                    Outcome::Null if list(self.at) => {
                        (!is_empty_list(was)).then(|| Value::Array(Vec::new()))
                    }
                    Outcome::Null => Some(Value::Null),
                    Outcome::Same => None,
                    Outcome::Changed(now) => Some(now),
                    Outcome::Members { .. } => return Err(gave_up("unfinished members")),
                }
            }
            None => {
                let now = normalized(value)?;
                if now.is_null() || (is_empty_list(&now) && list(self.at)) {
                    None
                } else {
                    Some(now)
                }
            }
        };
        if let Some(change) = change {
            self.patch.insert(name.to_owned(), change);
        }
        Ok(())
    }

    fn finish(self) -> Outcome {
        match self.old {
            Some(_) => Outcome::Members {
                patch: self.patch,
                matched: self.matched,
            },
            None => Outcome::Changed(Value::Object(self.patch)),
        }
    }
}

impl ser::SerializeStruct for Members<'_, '_> {
    type Ok = Outcome;
    type Error = GaveUp;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), GaveUp> {
        self.member(key, value)
    }
    fn end(self) -> Result<Outcome, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for Members<'_, '_> {
    type Ok = Outcome;
    type Error = GaveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), GaveUp> {
        self.key = Some(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        let key = self
            .key
            .take()
            .ok_or_else(|| gave_up("a value without a key"))?;
        self.member(&key, value)
    }
    fn end(self) -> Result<Outcome, GaveUp> {
        Ok(self.finish())
    }
}

/// The items of a list beside the old list: compared one by one until one differs, after which the
/// list is built whole (a merge patch replaces a list whole), the equal head taken from the old one.
struct Items<'a> {
    old: &'a [Value],
    next: usize,
    out: Option<Vec<Value>>,
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        let i = self.next;
        self.next += 1;
        if self.out.is_none() {
            if let Some(was) = self.old.get(i)
                && value.serialize(Same(was))?
            {
                return Ok(());
            }
            let mut out = Vec::with_capacity(self.old.len().max(i + 1));
            out.extend_from_slice(&self.old[..i]);
            self.out = Some(out);
        }
        if let Some(out) = &mut self.out {
            out.push(exact(value)?);
        }
        Ok(())
    }

    fn finish(self) -> Outcome {
        match self.out {
            None if self.next == self.old.len() => Outcome::Same,
            None => Outcome::Changed(Value::Array(self.old[..self.next].to_vec())),
            Some(out) => Outcome::Changed(Value::Array(out)),
        }
    }
}

impl ser::SerializeSeq for Items<'_> {
    type Ok = Outcome;
    type Error = GaveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<Outcome, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Items<'_> {
    type Ok = Outcome;
    type Error = GaveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<Outcome, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Items<'_> {
    type Ok = Outcome;
    type Error = GaveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<Outcome, GaveUp> {
        Ok(self.finish())
    }
}

/// Whether a value is written exactly as the old one (inside lists, where `null` is data).
struct Same<'a>(&'a Value);

impl<'a> Same<'a> {
    fn number(self, new: Value) -> Result<bool, GaveUp> {
        Ok(*self.0 == new)
    }
}

impl<'a> ser::Serializer for Same<'a> {
    type Ok = bool;
    type Error = GaveUp;
    type SerializeSeq = SameItems<'a>;
    type SerializeTuple = SameItems<'a>;
    type SerializeTupleStruct = SameItems<'a>;
    type SerializeTupleVariant = Impossible<bool, GaveUp>;
    type SerializeMap = SameMembers<'a>;
    type SerializeStruct = SameMembers<'a>;
    type SerializeStructVariant = Impossible<bool, GaveUp>;

    fn serialize_bool(self, v: bool) -> Result<bool, GaveUp> {
        Ok(self.0.as_bool() == Some(v))
    }
    fn serialize_i8(self, v: i8) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<bool, GaveUp> {
        self.number(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<bool, GaveUp> {
        self.number(finite(f64::from(v))?)
    }
    fn serialize_f64(self, v: f64) -> Result<bool, GaveUp> {
        self.number(finite(v)?)
    }
    fn serialize_char(self, v: char) -> Result<bool, GaveUp> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<bool, GaveUp> {
        Ok(self.0.as_str() == Some(v))
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<bool, GaveUp> {
        Ok(self.0.as_str().is_some_and(|old| writes_as(old, value)))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<bool, GaveUp> {
        Err(gave_up("bytes"))
    }
    fn serialize_none(self) -> Result<bool, GaveUp> {
        Ok(self.0.is_null())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, GaveUp> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, GaveUp> {
        Ok(self.0.is_null())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, GaveUp> {
        Ok(self.0.is_null())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, GaveUp> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, GaveUp> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<SameItems<'a>, GaveUp> {
        Ok(SameItems {
            old: self.0.as_array().map(Vec::as_slice),
            next: 0,
            same: self.0.is_array(),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SameItems<'a>, GaveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SameItems<'a>, GaveUp> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<SameMembers<'a>, GaveUp> {
        let old = self.0.as_object();
        Ok(SameMembers {
            old,
            cursor: Cursor::new(old),
            seen: 0,
            same: self.0.is_object(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<SameMembers<'a>, GaveUp> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
}

struct SameItems<'a> {
    old: Option<&'a [Value]>,
    next: usize,
    same: bool,
}

impl SameItems<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        let i = self.next;
        self.next += 1;
        if self.same {
            self.same = match self.old.and_then(|old| old.get(i)) {
                Some(was) => value.serialize(Same(was))?,
                None => false,
            };
        }
        Ok(())
    }

    fn finish(self) -> bool {
        self.same && self.old.is_some_and(|old| old.len() == self.next)
    }
}

impl ser::SerializeSeq for SameItems<'_> {
    type Ok = bool;
    type Error = GaveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<bool, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for SameItems<'_> {
    type Ok = bool;
    type Error = GaveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<bool, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for SameItems<'_> {
    type Ok = bool;
    type Error = GaveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        self.item(value)
    }
    fn end(self) -> Result<bool, GaveUp> {
        Ok(self.finish())
    }
}

struct SameMembers<'a> {
    old: Option<&'a Map<String, Value>>,
    cursor: Cursor<'a>,
    seen: usize,
    same: bool,
    key: Option<String>,
}

impl SameMembers<'_> {
    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), GaveUp> {
        self.seen += 1;
        if self.same {
            self.same = match self.cursor.find(name) {
                Some(was) => value.serialize(Same(was))?,
                None => false,
            };
        }
        Ok(())
    }

    fn finish(self) -> bool {
        self.same && self.old.is_some_and(|old| old.len() == self.seen)
    }
}

impl ser::SerializeStruct for SameMembers<'_> {
    type Ok = bool;
    type Error = GaveUp;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), GaveUp> {
        self.member(key, value)
    }
    fn end(self) -> Result<bool, GaveUp> {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for SameMembers<'_> {
    type Ok = bool;
    type Error = GaveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), GaveUp> {
        self.key = Some(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), GaveUp> {
        let key = self
            .key
            .take()
            .ok_or_else(|| gave_up("a value without a key"))?;
        self.member(&key, value)
    }
    fn end(self) -> Result<bool, GaveUp> {
        Ok(self.finish())
    }
}

/// A map key written as a string; anything else gives up.
struct KeyText;

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = GaveUp;
    type SerializeSeq = Impossible<String, GaveUp>;
    type SerializeTuple = Impossible<String, GaveUp>;
    type SerializeTupleStruct = Impossible<String, GaveUp>;
    type SerializeTupleVariant = Impossible<String, GaveUp>;
    type SerializeMap = Impossible<String, GaveUp>;
    type SerializeStruct = Impossible<String, GaveUp>;
    type SerializeStructVariant = Impossible<String, GaveUp>;

    fn serialize_str(self, v: &str) -> Result<String, GaveUp> {
        Ok(v.to_owned())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, GaveUp> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, GaveUp> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_i8(self, _: i8) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_i16(self, _: i16) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_i32(self, _: i32) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_i64(self, _: i64) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_u8(self, _: u8) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_u16(self, _: u16) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_u32(self, _: u32) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_u64(self, _: u64) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_f32(self, _: f32) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_f64(self, _: f64) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_char(self, v: char) -> Result<String, GaveUp> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_none(self) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_unit(self) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GaveUp> {
        Err(gave_up("a map key that is not a string"))
    }
}

/// The names of the members an object is written with (their values are not looked at): to find
/// which old members are gone.
struct Names;

/// The names collected by [`Names`].
struct NameList(Vec<String>);

impl ser::Serializer for Names {
    type Ok = Vec<String>;
    type Error = GaveUp;
    type SerializeSeq = Impossible<Vec<String>, GaveUp>;
    type SerializeTuple = Impossible<Vec<String>, GaveUp>;
    type SerializeTupleStruct = Impossible<Vec<String>, GaveUp>;
    type SerializeTupleVariant = Impossible<Vec<String>, GaveUp>;
    type SerializeMap = NameList;
    type SerializeStruct = NameList;
    type SerializeStructVariant = Impossible<Vec<String>, GaveUp>;

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Vec<String>, GaveUp> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Vec<String>, GaveUp> {
        value.serialize(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<NameList, GaveUp> {
        Ok(NameList(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<NameList, GaveUp> {
        Ok(NameList(Vec::with_capacity(len)))
    }
    // Only objects are asked for their names; anything else has none.
    fn serialize_bool(self, _: bool) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_i8(self, _: i8) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_i16(self, _: i16) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_i32(self, _: i32) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_i64(self, _: i64) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_u8(self, _: u8) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_u16(self, _: u16) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_u32(self, _: u32) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_u64(self, _: u64) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_f32(self, _: f32) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_f64(self, _: f64) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_char(self, _: char) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_str(self, _: &str) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_none(self) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_unit(self) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Vec<String>, GaveUp> {
        Ok(Vec::new())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Vec<String>, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, GaveUp> {
        Err(gave_up("a list where an object was"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, GaveUp> {
        Err(gave_up("a list where an object was"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, GaveUp> {
        Err(gave_up("a list where an object was"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, GaveUp> {
        Err(gave_up("an enum variant with data"))
    }
}

impl ser::SerializeStruct for NameList {
    type Ok = Vec<String>;
    type Error = GaveUp;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        _: &T,
    ) -> Result<(), GaveUp> {
        self.0.push(key.to_owned());
        Ok(())
    }
    fn end(self) -> Result<Vec<String>, GaveUp> {
        Ok(self.0)
    }
}

impl ser::SerializeMap for NameList {
    type Ok = Vec<String>;
    type Error = GaveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), GaveUp> {
        self.0.push(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), GaveUp> {
        Ok(())
    }
    fn end(self) -> Result<Vec<String>, GaveUp> {
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// The lists of the property below: a member at the top and one inside an object.
    const LISTS: &[&str] = &["a", "b.c"];

    /// The long way: the value written whole, then the two trees compared.
    fn whole(old: &Value, new: &Value, lists: &[&str]) -> Option<Map<String, Value>> {
        let empty = Map::new();
        super::super::diff_members_with_lists(
            old.as_object().unwrap_or(&empty),
            new.as_object().unwrap_or(&empty),
            lists,
        )
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..3).prop_map(Value::from),
            (0u64..3).prop_map(Value::from),
            prop_oneof![Just(0.5f64), Just(1.0), Just(-2.25)].prop_map(Value::from),
            prop_oneof![Just(""), Just("x"), Just("y")].prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")].prop_map(String::from),
                    inner,
                    0..4,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn object() -> impl Strategy<Value = Value> {
        proptest::collection::btree_map(
            prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")].prop_map(String::from),
            json_value(),
            0..4,
        )
        .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Walking a value beside the old document gives exactly the patch of the two trees.
        #[test]
        fn the_walk_is_the_diff_of_the_trees(old in object(), new in object()) {
            for lists in [&[][..], LISTS] {
                let walked = diff_members(&old, &new, lists).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&walked, &whole(&old, &new, lists), "lists {:?}", lists);
                let same = diff_members(&old, &old, lists).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(same, None);
            }
        }
    }

    #[test]
    fn lists_are_cleared_not_removed() {
        let old = json!({"a": [1], "b": {"c": [2], "e": [3]}, "d": [4]});
        let new = json!({"b": {}, "d": null});
        assert_eq!(
            diff_members(&old, &new, LISTS).unwrap().map(Value::Object),
            Some(json!({"a": [], "b": {"c": [], "e": null}, "d": null}))
        );
        // A list that appears empty is no change; a whole new object is sent as it is.
        let new = json!({"a": [1], "b": {"c": [2], "e": [3], "x": []}, "d": [4], "f": {"c": []}});
        let old_without_b = json!({"a": [1], "d": [4]});
        assert_eq!(
            diff_members(&old, &new, LISTS).unwrap().map(Value::Object),
            Some(json!({"b": {"x": []}, "f": {"c": []}}))
        );
        assert_eq!(
            diff_members(
                &old_without_b,
                &json!({"a": [1], "d": [4], "b": {"c": []}}),
                LISTS
            )
            .unwrap()
            .map(Value::Object),
            Some(json!({"b": {"c": []}}))
        );
    }

    #[test]
    fn what_the_walk_does_not_handle_gives_up() {
        #[derive(serde::Serialize)]
        enum Shape {
            Circle(f64),
        }
        #[derive(serde::Serialize)]
        struct Doc {
            shape: Shape,
            lat: f64,
        }
        let old = json!({"shape": {"Circle": 1.0}, "lat": 1.0});
        let doc = Doc {
            shape: Shape::Circle(2.0),
            lat: 1.0,
        };
        assert!(diff_members(&old, &doc, &[]).is_err());
        #[derive(serde::Serialize)]
        struct Point {
            lat: f64,
        }
        assert!(diff_members(&old, &Point { lat: f64::NAN }, &[]).is_err());
        assert!(diff_members(&json!([1]), &Point { lat: 1.0 }, &[]).is_err());
        assert!(diff_members(&old, &"text", &[]).is_err());
    }
}
