//! JSON merge patch (RFC 7396): the [`diff`] of two documents, and [`apply`].
//!
//! A merge patch is a document shaped like its target: a member with a value sets it (an object value
//! merges into the object already there), a member with `null` removes it, a missing member leaves it
//! alone. Everything else, arrays included, is replaced whole.
//!
//! # The null rule
//!
//! A merge patch cannot set a member to `null`: `null` is how it says "remove". So, for [`diff`], **a
//! member whose value is `null` is the same as a missing member**, in the old document and in the new
//! one. A member set to `null` in the new document and absent (or `null`) in the old one is no change; a
//! member present in the old document and `null` in the new one is removed. Two documents that differ
//! only that way have no diff. What a merge patch can express is the [`normalize`]d form of a document
//! (no `null` object members); the round trip is exact for that form:
//!
//! ```
//! use cdp::merge_patch::{apply, diff, normalize};
//! use serde_json::json;
//!
//! let old = json!({"a": 1, "b": null, "c": 3});
//! let mut new = json!({"a": 2, "c": null, "d": null});
//! let patch = diff(&old, &new);
//! assert_eq!(patch, Some(json!({"a": 2, "c": null})));
//!
//! let mut patched = old.clone();
//! if let Some(patch) = &patch {
//!     apply(&mut patched, patch);
//! }
//! normalize(&mut new);
//! assert_eq!(patched, json!({"a": 2, "b": null}));
//! normalize(&mut patched);
//! assert_eq!(patched, new);
//! ```
//!
//! Nulls inside arrays are data, not removals: an array is compared and sent as it is.
//!
//! # Lists
//!
//! A `null` is right for removing a scalar or an object, but a service whose type of a list has no
//! `null` refuses one (ContactHub's `tags.manual`, `base.contacts.mobileDevices`, …): a cleared list is
//! sent as `[]`. [`diff_members_with_lists`] takes the paths of those lists from the schema; a free-form
//! part of a document (no schema) keeps the plain rule, under which a list set to `[]` is sent as `[]`
//! and a member removed is `null`.

use serde_json::{Map, Value};

pub(crate) mod typed;

/// The merge patch that turns `old` into `new`, or `None` when nothing changed.
///
/// Exactly what changed is in it: a member that is gone becomes `null`, an object member that changed
/// holds the diff of the two objects, and anything else that changed (a scalar, an array, a change of
/// type) is there whole. Unchanged members are not in it. A member that is `null` counts as missing (see
/// [the null rule](self#the-null-rule)). When `old` and `new` are not both objects, the patch is `new`
/// itself (normalized), which replaces the whole target.
///
/// ```
/// use serde_json::json;
///
/// let old = json!({"base": {"firstName": "Bruce", "lastName": "Wayne"}, "tags": {"manual": ["a"]}});
/// let new = json!({"base": {"firstName": "Bruce"}, "tags": {"manual": ["a", "b"]}, "extra": "vip"});
/// assert_eq!(
///     cdp::merge_patch::diff(&old, &new),
///     Some(json!({"base": {"lastName": null}, "tags": {"manual": ["a", "b"]}, "extra": "vip"}))
/// );
/// assert_eq!(cdp::merge_patch::diff(&old, &old), None);
/// ```
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    diff_at(old, new, &mut String::new(), &[])
}

/// The merge patch that turns the object `old` into the object `new`, as its members, or `None` when
/// nothing changed: [`diff`] for two objects, which a typed PATCH body is built from.
///
/// ```
/// use serde_json::{Map, Value, json};
///
/// let members = |value: Value| match value {
///     Value::Object(members) => members,
///     _ => Map::new(),
/// };
/// let patch = cdp::merge_patch::diff_members(&members(json!({"a": 1, "b": 2})), &members(json!({"a": 1})));
/// assert_eq!(patch.map(Value::Object), Some(json!({"b": null})));
/// ```
pub fn diff_members(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Option<Map<String, Value>> {
    diff_members_with_lists(old, new, &[])
}

/// [`diff_members`] for documents whose schema says which members hold lists, given as dotted paths
/// (`base.contacts.mobileDevices`, `tags.manual`): a list that is gone is cleared with `[]`, never
/// removed with `null` (the service's type of a list has no `null`), and a missing list counts as an
/// empty one. Every other member follows [the null rule](self#the-null-rule).
///
/// ```
/// use serde_json::{Map, Value, json};
///
/// let members = |value: Value| match value {
///     Value::Object(members) => members,
///     _ => Map::new(),
/// };
/// let old = members(json!({"tags": {"manual": ["vip"], "auto": ["a"]}, "extra": "x"}));
/// let new = members(json!({"tags": {"auto": ["a"]}}));
/// let patch = cdp::merge_patch::diff_members_with_lists(&old, &new, &["tags.manual", "tags.auto"]);
/// assert_eq!(patch.map(Value::Object), Some(json!({"tags": {"manual": []}, "extra": null})));
/// ```
pub fn diff_members_with_lists(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    lists: &[&str],
) -> Option<Map<String, Value>> {
    members_at(old, new, &mut String::new(), lists)
}

/// The diff of two values found at the dotted path `at`.
fn diff_at(old: &Value, new: &Value, at: &mut String, lists: &[&str]) -> Option<Value> {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            members_at(old, new, at, lists).map(Value::Object)
        }
        _ if old == new => None,
        _ => Some(normalized(new)),
    }
}

/// The diff of two objects found at the dotted path `at`, as members.
fn members_at(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    at: &mut String,
    lists: &[&str],
) -> Option<Map<String, Value>> {
    let mut patch = Map::new();
    for (name, was) in old {
        let now = new.get(name).filter(|v| !v.is_null());
        if was.is_null() && now.is_none() {
            continue;
        }
        let depth = at.len();
        if !at.is_empty() {
            at.push('.');
        }
        at.push_str(name);
        let list = !lists.is_empty() && lists.contains(&at.as_str());
        let change = match now {
            // A list is never removed: it is cleared, and one that was empty already stays as it is.
            None if list => (!is_empty_list(was)).then(|| Value::Array(Vec::new())),
            None => Some(Value::Null),
            Some(now) if list && was.is_null() => (!is_empty_list(now)).then(|| normalized(now)),
            Some(now) => diff_at(was, now, at, lists),
        };
        at.truncate(depth);
        if let Some(change) = change {
            patch.insert(name.clone(), change);
        }
    }
    for (name, now) in new {
        if now.is_null() || old.contains_key(name) {
            continue;
        }
        // A list that appears empty where there was none is no change either.
        if is_empty_list(now) && !lists.is_empty() {
            let path = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            if lists.contains(&path.as_str()) {
                continue;
            }
        }
        patch.insert(name.clone(), normalized(now));
    }
    (!patch.is_empty()).then_some(patch)
}

fn is_empty_list(value: &Value) -> bool {
    value.as_array().is_some_and(Vec::is_empty)
}

/// Applies the merge patch `patch` to `target`, as RFC 7396 says: an object patch merges member by
/// member (into an empty object when `target` is not one), `null` removes a member, any other patch
/// replaces `target`.
///
/// ```
/// use serde_json::json;
///
/// let mut customer = json!({"base": {"firstName": "Bruce", "lastName": "Wayne"}, "extra": "x"});
/// cdp::merge_patch::apply(&mut customer, &json!({"base": {"lastName": null}, "extra": "vip"}));
/// assert_eq!(customer, json!({"base": {"firstName": "Bruce"}, "extra": "vip"}));
/// ```
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(members) = target else {
        return;
    };
    for (name, change) in changes {
        if change.is_null() {
            members.remove(name);
        } else {
            apply(members.entry(name.clone()).or_insert(Value::Null), change);
        }
    }
}

/// Removes the members whose value is `null`, in `value` and the objects nested in it (not inside
/// arrays, which a merge patch replaces whole): the form of a document that a merge patch can express.
///
/// ```
/// use serde_json::json;
///
/// let mut doc = json!({"a": null, "b": {"c": null, "d": 1}, "e": [null, {"f": null}]});
/// cdp::merge_patch::normalize(&mut doc);
/// assert_eq!(doc, json!({"b": {"d": 1}, "e": [null, {"f": null}]}));
/// ```
pub fn normalize(value: &mut Value) {
    if let Value::Object(members) = value {
        members.retain(|_, v| !v.is_null());
        members.values_mut().for_each(normalize);
    }
}

/// `value`, [`normalize`]d: what a patch sends for a member it sets whole.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// `old` patched with `diff(old, new)`.
    fn patched(old: &Value, new: &Value) -> Value {
        let mut target = old.clone();
        if let Some(patch) = diff(old, new) {
            apply(&mut target, &patch);
        }
        target
    }

    fn normal(mut value: Value) -> Value {
        normalize(&mut value);
        value
    }

    #[test]
    fn follows_the_examples_of_rfc_7396() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (mut target, patch, expected) in cases {
            apply(&mut target, &patch);
            assert_eq!(target, expected, "patch {patch}");
        }
    }

    #[test]
    fn nothing_changed_is_none() {
        let doc = json!({"a": {"b": [1, {"c": true}]}, "d": "x"});
        assert_eq!(diff(&doc, &doc), None);
        assert_eq!(diff(&json!({}), &json!({})), None);
        assert_eq!(diff(&json!(3), &json!(3)), None);
        assert_eq!(diff(&json!(null), &json!(null)), None);
        assert_eq!(diff_members(&Map::new(), &Map::new()), None);
    }

    #[test]
    fn a_removed_member_becomes_null() {
        assert_eq!(
            diff(&json!({"a": 1, "b": {"c": 2}}), &json!({"b": {}})),
            Some(json!({"a": null, "b": {"c": null}}))
        );
    }

    #[test]
    fn an_object_that_changed_recurses_and_unchanged_members_stay_out() {
        let old =
            json!({"base": {"firstName": "Bruce", "contacts": {"email": "a@b.c", "phone": "1"}}});
        let new =
            json!({"base": {"firstName": "Bruce", "contacts": {"email": "x@y.z", "phone": "1"}}});
        assert_eq!(
            diff(&old, &new),
            Some(json!({"base": {"contacts": {"email": "x@y.z"}}}))
        );
    }

    #[test]
    fn a_changed_array_is_sent_whole() {
        assert_eq!(
            diff(&json!({"t": ["a", "b", "c"]}), &json!({"t": ["a", "c"]})),
            Some(json!({"t": ["a", "c"]}))
        );
        // Objects inside an array are not diffed: the array is the unit.
        assert_eq!(
            diff(
                &json!({"l": [{"x": 1, "y": 2}]}),
                &json!({"l": [{"x": 1, "y": 3}]})
            ),
            Some(json!({"l": [{"x": 1, "y": 3}]}))
        );
    }

    #[test]
    fn a_change_of_type_is_sent_whole() {
        assert_eq!(
            diff(&json!({"a": 1}), &json!({"a": {"b": 2, "c": null}})),
            Some(json!({"a": {"b": 2}}))
        );
        assert_eq!(
            diff(&json!({"a": {"b": 2}}), &json!({"a": [2]})),
            Some(json!({"a": [2]}))
        );
        assert_eq!(diff(&json!({"a": 1}), &json!(["a"])), Some(json!(["a"])));
        assert_eq!(diff(&json!("s"), &json!({"a": null})), Some(json!({})));
        // 1 and 1.0 are different JSON texts.
        assert_eq!(
            diff(&json!({"n": 1}), &json!({"n": 1.0})),
            Some(json!({"n": 1.0}))
        );
    }

    #[test]
    fn null_members_count_as_missing() {
        // Set to null where it was missing: no change.
        assert_eq!(diff(&json!({"a": 1}), &json!({"a": 1, "b": null})), None);
        // Null where it was null, or missing where it was null: no change.
        assert_eq!(diff(&json!({"b": null}), &json!({"b": null})), None);
        assert_eq!(diff(&json!({"b": null}), &json!({})), None);
        // Null where it had a value: removed.
        assert_eq!(
            diff(&json!({"b": 1}), &json!({"b": null})),
            Some(json!({"b": null}))
        );
        // A value where it was null: set.
        assert_eq!(
            diff(&json!({"b": null}), &json!({"b": 2})),
            Some(json!({"b": 2}))
        );
        // A new object member is sent without its nulls.
        assert_eq!(
            diff(&json!({}), &json!({"o": {"x": null, "y": 1}})),
            Some(json!({"o": {"y": 1}}))
        );
        // Nulls inside arrays are data.
        assert_eq!(
            diff(&json!({"l": [1]}), &json!({"l": [null]})),
            Some(json!({"l": [null]}))
        );
        assert_eq!(diff(&json!({"l": [null]}), &json!({"l": [null]})), None);
    }

    #[test]
    fn an_empty_object_member_is_a_change_only_when_it_was_missing() {
        assert_eq!(diff(&json!({}), &json!({"o": {}})), Some(json!({"o": {}})));
        assert_eq!(
            diff(&json!({"o": {"a": 1}}), &json!({"o": {}})),
            Some(json!({"o": {"a": null}}))
        );
        assert_eq!(patched(&json!({}), &json!({"o": {}})), json!({"o": {}}));
    }

    fn members(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(members) => members,
            _ => Map::new(),
        }
    }

    const LISTS: &[&str] = &["l", "o.l", "o.p.l"];

    fn list_diff(old: Value, new: Value) -> Option<Value> {
        diff_members_with_lists(&members(old), &members(new), LISTS).map(Value::Object)
    }

    #[test]
    fn a_list_that_is_gone_is_cleared_not_removed() {
        assert_eq!(
            list_diff(
                json!({"l": [1], "o": {"l": ["a"], "x": 1}}),
                json!({"o": {}})
            ),
            Some(json!({"l": [], "o": {"l": [], "x": null}}))
        );
        assert_eq!(
            list_diff(
                json!({"o": {"p": {"l": [1]}}}),
                json!({"o": {"p": {"l": null}}})
            ),
            Some(json!({"o": {"p": {"l": []}}}))
        );
        // A list emptied in place is `[]` with or without the schema.
        assert_eq!(
            list_diff(json!({"l": [1]}), json!({"l": []})),
            Some(json!({"l": []}))
        );
        // A member of the same name that is not a list path keeps the null rule.
        assert_eq!(
            list_diff(json!({"p": {"l": [1]}}), json!({"p": {}})),
            Some(json!({"p": {"l": null}}))
        );
        // Removing the object that holds a list removes the object.
        assert_eq!(
            list_diff(json!({"o": {"l": [1]}}), json!({})),
            Some(json!({"o": null}))
        );
    }

    #[test]
    fn a_missing_list_is_an_empty_one() {
        assert_eq!(list_diff(json!({"l": []}), json!({})), None);
        assert_eq!(list_diff(json!({"l": []}), json!({"l": null})), None);
        assert_eq!(list_diff(json!({}), json!({"l": []})), None);
        assert_eq!(list_diff(json!({"l": null}), json!({"l": []})), None);
        assert_eq!(
            list_diff(json!({"o": {"x": 1}}), json!({"o": {"x": 1, "l": []}})),
            None
        );
        assert_eq!(
            list_diff(json!({"l": null}), json!({"l": [2]})),
            Some(json!({"l": [2]}))
        );
        // Where there was no object, a new one is sent as it is, empty lists included.
        assert_eq!(
            list_diff(json!({}), json!({"o": {"l": []}})),
            Some(json!({"o": {"l": []}}))
        );
    }

    #[test]
    fn apply_replaces_a_non_object_target() {
        let mut target = json!("text");
        apply(&mut target, &json!({"a": {"b": 1}}));
        assert_eq!(target, json!({"a": {"b": 1}}));
        let mut target = json!({"a": [1]});
        apply(&mut target, &json!({"a": {"b": null}}));
        assert_eq!(target, json!({"a": {}}));
    }

    /// Any JSON, nulls and all; member names from a small set so that documents share members.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1.0e6..1.0e6f64).prop_map(Value::from),
            "[a-c]{0,3}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-e]", inner, 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Like [`json_value`], with no `null` object members (nulls inside arrays are data).
    fn null_free_value() -> impl Strategy<Value = Value> {
        json_value().prop_map(normal)
    }

    /// Two documents that mostly share members, like a document before and after a few edits.
    fn related_objects() -> impl Strategy<Value = (Value, Value)> {
        prop::collection::btree_map("[a-e]", json_value(), 0..6).prop_flat_map(|old| {
            let old = Value::Object(old.into_iter().collect());
            let edits = prop::collection::vec(("[a-e]", prop::option::of(json_value())), 0..4);
            (Just(old), edits).prop_map(|(old, edits)| {
                let mut new = old.clone();
                for (name, value) in edits {
                    if let Value::Object(members) = &mut new {
                        match value {
                            Some(value) => members.insert(name, value),
                            None => members.remove(&name),
                        };
                    }
                }
                (old, new)
            })
        })
    }

    /// `doc` with the lists at `lists` that are missing or empty removed, so that both compare equal.
    fn lists_as_empty(mut doc: Value, lists: &[&str]) -> Value {
        for path in lists {
            let (parent, name) = match path.rsplit_once('.') {
                Some((parent, name)) => (format!("/{}", parent.replace('.', "/")), name),
                None => (String::new(), *path),
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The RFC's promise, exact for documents without null members (the normal form).
        #[test]
        fn applying_the_diff_gives_the_new_document(old in null_free_value(), new in null_free_value()) {
            prop_assert_eq!(patched(&old, &new), new);
        }

        /// With nulls anywhere, the round trip holds for the normal form.
        #[test]
        fn applying_the_diff_gives_the_new_document_up_to_nulls(old in json_value(), new in json_value()) {
            prop_assert_eq!(normal(patched(&old, &new)), normal(new.clone()));
            prop_assert_eq!(patched(&normal(old.clone()), &new), normal(new));
        }

        /// Documents a few edits apart: the round trip, and nothing in the patch that did not change.
        #[test]
        fn a_diff_holds_only_what_changed((old, new) in related_objects()) {
            prop_assert_eq!(normal(patched(&old, &new)), normal(new.clone()));
            if let (Value::Object(o), Value::Object(n)) = (&old, &new)
                && let Some(patch) = diff_members(o, n)
            {
                for (name, change) in &patch {
                    let was = o.get(name).filter(|v| !v.is_null());
                    let now = n.get(name).filter(|v| !v.is_null());
                    prop_assert_ne!(was.map(|v| normal(v.clone())), now.map(|v| normal(v.clone())));
                    if now.is_none() {
                        prop_assert!(change.is_null());
                    }
                }
            }
        }

        /// With list paths, the round trip holds where a missing list and an empty one are the same, and
        /// the patch never says `null` at a list path.
        #[test]
        fn a_list_diff_round_trips_and_never_nulls_a_list((old, new) in related_objects()) {
            let lists = ["a", "b.a", "b.b", "c.c.a"];
            let (Value::Object(o), Value::Object(n)) = (&old, &new) else {
                return Ok(());
            };
            let mut target = old.clone();
            if let Some(patch) = diff_members_with_lists(o, n, &lists) {
                let patch = Value::Object(patch);
                for path in lists {
                    let pointer = format!("/{}", path.replace('.', "/"));
                    prop_assert!(!patch.pointer(&pointer).is_some_and(Value::is_null), "{} in {}", path, patch);
                }
                apply(&mut target, &patch);
            }
            prop_assert_eq!(lists_as_empty(normal(target), &lists), lists_as_empty(normal(new), &lists));
        }

        /// No change, no patch.
        #[test]
        fn a_document_has_no_diff_with_itself(doc in json_value()) {
            prop_assert_eq!(diff(&doc, &doc), None);
            prop_assert_eq!(diff(&doc, &normal(doc.clone())), None);
        }
    }
}
