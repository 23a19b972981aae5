//! What the domain holds, behind the one lock of [`super::State`]: profiles, segment definitions,
//! estimates and snapshots, and the generator of new ids (seeded, so runs repeat).

use std::collections::{BTreeMap, HashMap};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::definitions::Definition;
use super::estimates::Estimate;
use super::evaluation::Evaluator;
use super::objects::ProfileObject;
use super::profiles::Profile;
use super::query::SegmentGroup;
use super::snapshots::Snapshot;
use super::{Failure, not_found};

#[derive(Debug)]
pub(super) struct Store {
    /// By id, which is also the order searches page in.
    pub(super) profiles: BTreeMap<String, Profile>,
    pub(super) definitions: BTreeMap<String, Definition>,
    pub(super) estimates: HashMap<String, Estimate>,
    pub(super) snapshots: HashMap<String, Snapshot>,
    /// Profile objects by their unique key.
    pub(super) objects: BTreeMap<String, ProfileObject>,
    ids: StdRng,
}

impl Store {
    pub(super) fn new(seed: u64) -> Self {
        Self {
            profiles: BTreeMap::new(),
            definitions: BTreeMap::new(),
            estimates: HashMap::new(),
            snapshots: HashMap::new(),
            objects: BTreeMap::new(),
            ids: StdRng::seed_from_u64(seed),
        }
    }

    /// A new id in AWS's form: 32 lowercase hex characters.
    pub(super) fn new_id(&mut self) -> String {
        let bits: u128 = self.ids.random();
        format!("{bits:032x}")
    }

    /// A definition, or the `404` AWS answers for it.
    pub(super) fn definition(&self, name: &str) -> Result<&Definition, Failure> {
        self.definitions
            .get(name)
            .ok_or_else(|| not_found(format!("Segment definition {name} not found")))
    }

    /// Whether a profile is in the named segment.
    pub(super) fn is_member(&self, name: &str, profile: &Profile) -> bool {
        Evaluator::new(&self.definitions, profile).in_segment(name)
    }

    /// The ids of the named segment's members, in id order.
    pub(super) fn members_of(&self, name: &str) -> Vec<String> {
        self.profiles
            .values()
            .filter(|p| self.is_member(name, p))
            .map(|p| p.profile_id.clone())
            .collect()
    }

    /// How many profiles a query matches.
    pub(super) fn count_matching(&self, query: &SegmentGroup) -> usize {
        self.profiles
            .values()
            .filter(|p| Evaluator::new(&self.definitions, p).matches(query))
            .count()
    }
}
