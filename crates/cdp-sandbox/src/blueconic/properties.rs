//! A profile's property values, held compactly: 200,000 seeded profiles hold about 1.4 million of them,
//! so each property costs one shared name and, when it has one value (nearly always), one string.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A property id, shared by every profile that holds the property.
type Name = Arc<str>;

/// The one copy of a property id. The ids are those of the seed and of bulk writes: few, and kept for
/// the life of the process (like the tenant's property definitions).
fn intern(id: &str) -> Name {
    static NAMES: OnceLock<Mutex<HashSet<Name>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(name) = names.get(id) {
        return name.clone();
    }
    let name: Name = Arc::from(id);
    names.insert(name.clone());
    name
}

/// The values of one property: one inline, or several.
#[derive(Clone, Debug)]
enum Values {
    One(String),
    Many(Vec<String>),
}

impl Values {
    fn new(mut values: Vec<String>) -> Self {
        match (values.pop(), values.is_empty()) {
            (Some(one), true) => Self::One(one),
            (Some(last), false) => {
                values.push(last);
                values.shrink_to_fit();
                Self::Many(values)
            }
            (None, _) => Self::Many(Vec::new()),
        }
    }

    fn as_slice(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(values) => values,
        }
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(values) => values,
        }
    }
}

/// Property id → values, in id order (as a `BTreeMap` would list them).
#[derive(Clone, Debug, Default)]
pub(super) struct Properties(Vec<(Name, Values)>);

impl Properties {
    fn find(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(name, _)| (**name).cmp(id))
    }

    /// The values of a property, if the profile holds it.
    pub(super) fn get(&self, id: &str) -> Option<&[String]> {
        let at = self.find(id).ok()?;
        self.0.get(at).map(|(_, values)| values.as_slice())
    }

    /// Sets the values of a property; the ones it replaced.
    pub(super) fn insert(&mut self, id: &str, values: Vec<String>) -> Option<Vec<String>> {
        let values = Values::new(values);
        match self.find(id) {
            Ok(at) => {
                let slot = &mut self.0[at].1;
                Some(std::mem::replace(slot, values).into_vec())
            }
            Err(at) => {
                self.0.insert(at, (intern(id), values));
                None
            }
        }
    }

    /// Sets the values of a property it does not hold yet.
    pub(super) fn insert_if_absent(&mut self, id: &str, values: Vec<String>) {
        if let Err(at) = self.find(id) {
            self.0.insert(at, (intern(id), Values::new(values)));
        }
    }

    /// Removes a property; its values.
    pub(super) fn remove(&mut self, id: &str) -> Option<Vec<String>> {
        let at = self.find(id).ok()?;
        Some(self.0.remove(at).1.into_vec())
    }

    /// Every property with its values, in id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0
            .iter()
            .map(|(name, values)| (&**name, values.as_slice()))
    }

    /// Gives back the room a growing list kept.
    pub(super) fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_keep_id_order_and_give_back_what_they_replace() {
        let mut p = Properties::default();
        assert_eq!(p.insert("visits", vec!["1".into()]), None);
        assert_eq!(p.insert("country", vec!["NL".into(), "BE".into()]), None);
        assert_eq!(
            p.insert("visits", vec!["2".into()]),
            Some(vec!["1".to_owned()])
        );
        p.insert_if_absent("visits", vec!["9".into()]);
        p.insert_if_absent("email", Vec::new());
        let listed: Vec<(&str, Vec<&str>)> = p
            .iter()
            .map(|(id, v)| (id, v.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            listed,
            [
                ("country", vec!["NL", "BE"]),
                ("email", vec![]),
                ("visits", vec!["2"])
            ]
        );
        assert_eq!(p.remove("country"), Some(vec!["NL".into(), "BE".into()]));
        assert_eq!(p.get("country"), None);
        assert_eq!(p.get("visits"), Some(&["2".to_owned()][..]));
    }

    #[test]
    fn one_name_is_stored_once() {
        assert!(Arc::ptr_eq(
            &intern("lifetime_value"),
            &intern("lifetime_value")
        ));
    }
}
