//! Changes to one profile: the operations to send for it in a bulk write, each with its strategy.

use blueconic_api::types::{
    BulkInputEntry, BulkStrategy, MatchCriterion, PermissionLevel, PrivacyLegislation,
    PropertyChange, TimelineEventChange, ValueStrategy,
};

use super::PropertyValue;
use super::edits::{PRIVACY_LEGISLATION, sealed};
use crate::{Error, Result};

/// How a change finds its profile.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// By its id.
    Id(String),
    /// By the values of unique-identifier properties (all of them must match).
    Matching(Vec<(String, String)>),
}

/// One operation on one property.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Operation {
    pub(crate) property: String,
    pub(crate) strategy: ValueStrategy,
    pub(crate) values: Vec<PropertyValue>,
}

/// Changes to one profile, built without fetching it: found by id or by matching properties, and
/// created when missing if asked. Each operation keeps its strategy (SET, ADD, SET_IF_EMPTY, INCREMENT,
/// REMOVE); a [`Profile`](super::Profile) records the same operations as they are made on it.
///
/// ```
/// use cdp::blueconic::{ProfileChange, ProfileEdits};
///
/// let mut change = ProfileChange::matching([("email", "ann@example.com")]).create_missing(true);
/// change.set_value("first_name", "Ann").add_value("interests", "tea").increment("visits", 1);
/// assert_eq!(change.len(), 3);
/// assert!(!change.is_idempotent(), "ADD and INCREMENT are not");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileChange {
    target: Target,
    create_missing: bool,
    permission_level: Option<PermissionLevel>,
    pub(crate) operations: Vec<Operation>,
    events: Vec<TimelineEventChange>,
}

impl ProfileChange {
    /// Changes to the profile with this id.
    ///
    /// ```
    /// let change = cdp::blueconic::ProfileChange::for_profile("p1");
    /// assert!(change.is_empty());
    /// ```
    pub fn for_profile(id: impl Into<String>) -> Self {
        Self {
            target: Target::Id(id.into()),
            create_missing: false,
            permission_level: None,
            operations: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Changes to the profile whose unique-identifier properties hold these values (all of them).
    ///
    /// ```
    /// let change = cdp::blueconic::ProfileChange::matching([("email", "ann@example.com")]);
    /// # let _ = change;
    /// ```
    pub fn matching<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            target: Target::Matching(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            create_missing: false,
            permission_level: None,
            operations: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Creates the profile when none is found (the entry is sent as an UPSERT).
    ///
    /// ```
    /// let change = cdp::blueconic::ProfileChange::matching([("email", "a@b.c")]).create_missing(true);
    /// # let _ = change;
    /// ```
    pub fn create_missing(mut self, create: bool) -> Self {
        self.create_missing = create;
        self
    }

    /// The permission level of a profile this change creates (the entry's `permissionLevel`, which the
    /// official schema applies "when creating a profile" only; PERSONAL when not given). A level the
    /// spec does not list (`Unknown`) is refused when the change is written.
    ///
    /// ```
    /// use cdp::blueconic::ProfileChange;
    /// use cdp::blueconic::api::types::PermissionLevel;
    ///
    /// let change = ProfileChange::matching([("email", "a@b.c")])
    ///     .create_missing(true)
    ///     .permission_level(PermissionLevel::Anonymous);
    /// # let _ = change;
    /// ```
    pub fn permission_level(mut self, level: PermissionLevel) -> Self {
        self.permission_level = Some(level);
        self
    }

    fn push(&mut self, property: &str, strategy: ValueStrategy, values: Vec<PropertyValue>) {
        // A SET replaces what came before on the property: the earlier operations no longer matter.
        if strategy == ValueStrategy::Set {
            self.operations.retain(|op| op.property != property);
        }
        self.operations.push(Operation {
            property: property.to_owned(),
            strategy,
            values,
        });
    }

    /// Adds (or, with its strategy, updates or deletes) a timeline event. An event without an `id` is
    /// a new event each time it is sent, so a change that holds one is not safe to repeat.
    ///
    /// ```
    /// use cdp::blueconic::api::types::{TimelineDataChange, TimelineEventChange};
    ///
    /// let mut change = cdp::blueconic::ProfileChange::for_profile("p1");
    /// change.add_event(TimelineEventChange {
    ///     id: Some("order-1".into()),
    ///     event_type_id: Some("order".into()),
    ///     date: Some("2026-01-02T03:04:05.000Z".into()),
    ///     data: vec![TimelineDataChange { id: "total_revenue".into(), values: vec![12.5.into()], strategy: None }],
    ///     identifier: None,
    ///     strategy: None,
    /// });
    /// assert_eq!(change.len(), 1);
    /// assert!(change.is_idempotent());
    /// ```
    pub fn add_event(&mut self, event: TimelineEventChange) -> &mut Self {
        self.events.push(event);
        self
    }

    /// How many operations (property changes and timeline events) the change holds.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::ProfileChange::for_profile("p1").len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.operations.len() + self.events.len()
    }

    /// Whether the change holds no operation (a profile that was not changed).
    ///
    /// ```
    /// assert!(cdp::blueconic::ProfileChange::for_profile("p1").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.events.is_empty()
    }

    /// Whether sending the change twice leaves the profile as sending it once: no ADD, INCREMENT or
    /// REMOVE. Only such changes are sent again after an answer was lost.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut change = cdp::blueconic::ProfileChange::for_profile("p1");
    /// change.set_value("a", "1");
    /// assert!(change.is_idempotent());
    /// change.increment("n", 1);
    /// assert!(!change.is_idempotent());
    /// ```
    pub fn is_idempotent(&self) -> bool {
        self.operations
            .iter()
            .all(|op| matches!(op.strategy, ValueStrategy::Set | ValueStrategy::SetIfEmpty))
    }

    /// The profile id this change names, when it names one.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::ProfileChange::for_profile("p1").profile_id(), Some("p1"));
    /// ```
    pub fn profile_id(&self) -> Option<&str> {
        match &self.target {
            Target::Id(id) => Some(id),
            Target::Matching(_) => None,
        }
    }

    /// The bulk entry for this change; `strategy` overrides the one the change implies. A value that
    /// cannot be sent (a number that is not finite) is invalid input.
    pub(crate) fn into_entry(
        self,
        strategy: Option<&BulkStrategy>,
        matching_properties: &[String],
    ) -> Result<BulkInputEntry> {
        let mut entry = BulkInputEntry::default();
        match self.target {
            Target::Id(id) => entry.profile_id = Some(id),
            Target::Matching(pairs) => {
                let criteria = pairs
                    .into_iter()
                    .filter(|(k, _)| {
                        matching_properties.is_empty() || matching_properties.contains(k)
                    })
                    .map(|(id, value)| MatchCriterion { id, value })
                    .collect();
                entry.matching = vec![criteria];
            }
        }
        entry.strategy = Some(match strategy {
            Some(strategy) => strategy.clone(),
            None if self.create_missing => BulkStrategy::Upsert,
            None => BulkStrategy::Update,
        });
        if let Some(level) = self.permission_level {
            if !PermissionLevel::KNOWN.contains(&level.as_str()) {
                return Err(Error::invalid_input(
                    "permissionLevel",
                    format!("`{level}` is not a permission level BlueConic documents"),
                ));
            }
            entry.permission_level = Some(level);
        }
        crate::finite::check(&self.events, "timeline")?;
        entry.timeline = self.events;
        for op in self.operations {
            let values = op
                .values
                .into_iter()
                .map(PropertyValue::checked)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|_| {
                    Error::invalid_input(
                        op.property.clone(),
                        "a number that is not finite (NaN or infinity) cannot be sent",
                    )
                })?;
            if op.property == PRIVACY_LEGISLATION {
                // The property changes an existing profile's legislation; the entry's field is what
                // a profile the entry creates starts under.
                entry.privacy_legislation = Some(legislation(&values)?);
            }
            entry.properties.push(PropertyChange {
                id: op.property,
                restriction: None,
                strategy: Some(op.strategy),
                values,
            });
        }
        Ok(entry)
    }
}

/// The one legislation the `privacy_legislation` values name, or why they cannot be sent: the
/// official list is closed.
fn legislation(values: &[String]) -> Result<PrivacyLegislation> {
    match values {
        [one] if PrivacyLegislation::KNOWN.contains(&one.as_str()) => {
            Ok(PrivacyLegislation::from(one.as_str()))
        }
        _ => Err(Error::invalid_input(
            PRIVACY_LEGISLATION,
            format!(
                "one of the privacy legislations BlueConic documents is needed, not {values:?}"
            ),
        )),
    }
}

impl sealed::Record for ProfileChange {
    fn record(&mut self, property: &str, strategy: ValueStrategy, values: Vec<PropertyValue>) {
        self.push(property, strategy, values);
    }
}
