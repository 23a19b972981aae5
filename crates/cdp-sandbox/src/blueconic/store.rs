//! Profiles, segments and the lookups on them, all behind the one lock of [`super::State`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::properties::Properties;

/// The segment every profile is in.
pub(super) const ALL_VISITORS: &str = "allvisitors";

/// Unique identifier properties: bulk matching and `GET /profiles` look them up in an index.
pub(super) const UNIQUE_PROPERTIES: &[&str] = &["email", "customer_id"];

/// A BlueConic profile.
#[derive(Clone, Debug)]
pub(super) struct Profile {
    pub(super) id: String,
    pub(super) creation_date: DateTime<Utc>,
    pub(super) last_modified_date: DateTime<Utc>,
    pub(super) privacy_legislation: String,
    pub(super) permission_level: String,
    pub(super) consented_objectives: Vec<String>,
    pub(super) refused_objectives: Vec<String>,
    pub(super) properties: Properties,
    /// Newest first.
    pub(super) events: Vec<Event>,
    /// Consent changes as `GET /profileEvents` answers them, newest first.
    pub(super) history: Vec<Value>,
}

impl Profile {
    /// The values of a property; empty when it has none.
    pub(super) fn values(&self, property: &str) -> &[String] {
        self.properties.get(property).unwrap_or_default()
    }
}

/// A timeline event.
#[derive(Clone, Debug)]
pub(super) struct Event {
    pub(super) id: String,
    pub(super) event_type_id: String,
    /// The date as the client sent it (BlueConic echoes its form).
    pub(super) date: String,
    pub(super) at: DateTime<Utc>,
    /// Property id and values, in order.
    pub(super) data: Vec<(String, Vec<Value>)>,
}

/// A segment. Membership is assigned (by the seed), not computed from rules.
#[derive(Clone, Debug)]
pub(super) struct Segment {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) tags: Vec<String>,
    pub(super) creation_date: DateTime<Utc>,
    /// Member ids; unused for `allvisitors`, which is every profile.
    pub(super) members: BTreeSet<String>,
}

/// Every profile and segment.
#[derive(Debug)]
pub(super) struct Store {
    pub(super) profiles: BTreeMap<String, Profile>,
    /// In the order `GET /segments` lists them.
    pub(super) segments: Vec<Segment>,
    /// Unique property → value → profile ids, in id order (nearly always one: a short list, not a
    /// tree node, for each).
    index: HashMap<String, HashMap<String, Vec<String>>>,
    ids: StdRng,
}

impl Store {
    pub(super) fn new(seed: u64, segments: Vec<Segment>) -> Self {
        Self {
            profiles: BTreeMap::new(),
            segments,
            index: HashMap::new(),
            ids: StdRng::seed_from_u64(seed ^ 0x6964_735f_626c_7565),
        }
    }

    /// A profile id not in use, shaped like BlueConic's (a UUID).
    pub(super) fn new_id(&mut self) -> String {
        loop {
            let id = uuid(self.ids.random());
            if !self.profiles.contains_key(&id) {
                return id;
            }
        }
    }

    pub(super) fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    pub(super) fn is_member(&self, segment: &Segment, profile_id: &str) -> bool {
        if segment.id == ALL_VISITORS {
            self.profiles.contains_key(profile_id)
        } else {
            segment.members.contains(profile_id)
        }
    }

    pub(super) fn segment_size(&self, segment: &Segment) -> usize {
        if segment.id == ALL_VISITORS {
            self.profiles.len()
        } else {
            segment.members.len()
        }
    }

    /// The segments a profile is in, in listing order.
    pub(super) fn segments_of(&self, profile_id: &str) -> Vec<&Segment> {
        self.segments
            .iter()
            .filter(|s| self.is_member(s, profile_id))
            .collect()
    }

    /// The members of a segment in id order, after `after` when given (keyset pagination: a member
    /// added or removed between pages never shifts the others).
    pub(super) fn members_after<'a>(
        &'a self,
        segment: &'a Segment,
        after: Option<&str>,
    ) -> Box<dyn Iterator<Item = &'a Profile> + 'a> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        if segment.id == ALL_VISITORS {
            Box::new(
                self.profiles
                    .range::<str, _>((lower, Bound::Unbounded))
                    .map(|(_, p)| p),
            )
        } else {
            Box::new(
                segment
                    .members
                    .range::<str, _>((lower, Bound::Unbounded))
                    .filter_map(|id| self.profiles.get(id)),
            )
        }
    }

    pub(super) fn insert(&mut self, profile: Profile) {
        for (property, values) in profile.properties.iter() {
            self.index_values(&profile.id, property, values, true);
        }
        self.profiles.insert(profile.id.clone(), profile);
    }

    /// Adds a profile to a segment (seeding only: segments are not re-evaluated).
    pub(super) fn add_member(&mut self, segment_id: &str, profile_id: &str) {
        if let Some(segment) = self.segments.iter_mut().find(|s| s.id == segment_id) {
            segment.members.insert(profile_id.to_owned());
        }
    }

    pub(super) fn remove(&mut self, id: &str) -> bool {
        let Some(profile) = self.profiles.remove(id) else {
            return false;
        };
        for (property, values) in profile.properties.iter() {
            self.index_values(id, property, values, false);
        }
        for segment in &mut self.segments {
            segment.members.remove(id);
        }
        true
    }

    /// Replaces the values of a property; says whether they changed.
    pub(super) fn set_values(&mut self, id: &str, property: &str, values: Vec<String>) -> bool {
        let Some(profile) = self.profiles.get_mut(id) else {
            return false;
        };
        let old = if values.is_empty() {
            profile.properties.remove(property).unwrap_or_default()
        } else {
            profile
                .properties
                .insert(property, values.clone())
                .unwrap_or_default()
        };
        if old == values {
            return false;
        }
        self.index_values(id, property, &old, false);
        self.index_values(id, property, &values, true);
        true
    }

    /// The ids of the profiles whose `property` has `value`, in id order.
    pub(super) fn ids_with(&self, property: &str, value: &str) -> Vec<String> {
        if UNIQUE_PROPERTIES.contains(&property) {
            return self
                .index
                .get(property)
                .and_then(|values| values.get(value))
                .map(|ids| ids.to_vec())
                .unwrap_or_default();
        }
        self.profiles
            .values()
            .filter(|p| p.values(property).iter().any(|v| v == value))
            .map(|p| p.id.clone())
            .collect()
    }

    /// The first profile (in id order) that meets every criterion of any group: outer list OR, inner AND.
    pub(super) fn find_matching(&self, groups: &[Vec<(String, String)>]) -> Option<String> {
        groups
            .iter()
            .filter(|group| !group.is_empty())
            .find_map(|group| {
                let (first, rest) = group.split_first()?;
                self.ids_with(&first.0, &first.1).into_iter().find(|id| {
                    self.profiles.get(id).is_some_and(|p| {
                        rest.iter()
                            .all(|(prop, value)| p.values(prop).iter().any(|v| v == value))
                    })
                })
            })
    }

    fn index_values(&mut self, id: &str, property: &str, values: &[String], add: bool) {
        if !UNIQUE_PROPERTIES.contains(&property) {
            return;
        }
        let by_value = self.index.entry(property.to_owned()).or_default();
        for value in values {
            if add {
                let ids = by_value.entry(value.clone()).or_default();
                if let Err(at) = ids.binary_search_by(|held| held.as_str().cmp(id)) {
                    ids.insert(at, id.to_owned());
                }
            } else if let Some(ids) = by_value.get_mut(value) {
                ids.retain(|held| held != id);
                if ids.is_empty() {
                    by_value.remove(value);
                }
            }
        }
    }
}

/// Formats 128 random bits as a UUID (version 4 bits set).
pub(super) fn uuid(bits: u128) -> String {
    let bits = (bits & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
