//! A BlueConic profile as read, with the operations made on it since.

use blueconic_api::types::{self, ValueStrategy};

use super::edits::{CONSENTED_OBJECTIVES, PRIVACY_LEGISLATION, REFUSED_OBJECTIVES, sealed};
use super::{ProfileChange, PropertyValue};

/// A profile as the service returned it, and the operations made on it since: writing it back (with a
/// [`BulkWriter`](super::BulkWriter)) sends exactly those operations with their strategies, and nothing
/// when nothing changed. Reading a property the profile does not hold gives `None`.
///
/// ```
/// use cdp::blueconic::{Profile, ProfileEdits};
///
/// let mut p = Profile::new("p1");
/// assert_eq!(p.value("email"), None);
/// p.set_value("email", "ann@example.com").add_value("interests", "tea").increment("visits", 2);
/// assert_eq!(p.value("email"), Some("ann@example.com"));
/// assert_eq!(p.values("interests"), ["tea"]);
/// assert_eq!(p.value("visits"), Some("2"));
/// assert_eq!(p.changes().len(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Profile {
    raw: types::Profile,
    change: ProfileChange,
}

impl Profile {
    /// An empty profile with this id, as a local value (nothing is fetched or created).
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert_eq!(p.id(), "p1");
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        let raw = types::Profile {
            consented_objectives: Vec::new(),
            creation_date: None,
            events: Vec::new(),
            groups: Vec::new(),
            id: id.into(),
            last_modified_date: None,
            lifecycle_stages: Vec::new(),
            matching_groups: Vec::new(),
            permissions: None,
            privacy_legislation: None,
            properties: Vec::new(),
            refused_objectives: Vec::new(),
            replaced_by: None,
            replaces: Vec::new(),
            segments: Vec::new(),
        };
        Self::from_api(raw)
    }

    /// The profile the generated client returned, with no changes yet.
    ///
    /// ```
    /// let raw = cdp::blueconic::Profile::new("p1").api().clone();
    /// let p = cdp::blueconic::Profile::from_api(raw);
    /// assert_eq!(p.id(), "p1");
    /// ```
    pub fn from_api(raw: types::Profile) -> Self {
        let change = ProfileChange::for_profile(raw.id.clone());
        Self { raw, change }
    }

    /// The profile's id.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert_eq!(p.id(), "p1");
    /// ```
    pub fn id(&self) -> &str {
        &self.raw.id
    }

    /// Every property the profile holds, with its values.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert_eq!(p.properties().count(), 0);
    /// ```
    pub fn properties(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.raw
            .properties
            .iter()
            .filter_map(|p| Some((p.id.as_deref()?, p.values.as_slice())))
    }

    /// The ids of the properties the profile holds.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.property_ids().next().is_none());
    /// ```
    pub fn property_ids(&self) -> impl Iterator<Item = &str> {
        self.properties().map(|(id, _)| id)
    }

    /// The first value of a property; `None` when the profile does not hold it.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert_eq!(p.value("unknown"), None);
    /// ```
    pub fn value(&self, property: &str) -> Option<&str> {
        self.values(property).first().map(String::as_str)
    }

    /// Every value of a property; empty when the profile does not hold it.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.values("unknown").is_empty());
    /// ```
    pub fn values(&self, property: &str) -> &[String] {
        self.raw
            .properties
            .iter()
            .find(|p| p.id.as_deref() == Some(property))
            .map_or(&[], |p| p.values.as_slice())
    }

    /// Adds a timeline event to write with the profile's other changes (see
    /// [`ProfileChange::add_event`]).
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.add_event(cdp::blueconic::api::types::TimelineEventChange {
    ///     id: Some("visit-1".into()), event_type_id: Some("visit".into()), date: None,
    ///     data: Vec::new(), identifier: None, strategy: None,
    /// });
    /// assert_eq!(p.changes().len(), 1);
    /// ```
    pub fn add_event(&mut self, event: types::TimelineEventChange) -> &mut Self {
        self.change.add_event(event);
        self
    }

    /// The operations made since the profile was read (or last taken).
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.changes().is_empty());
    /// ```
    pub fn changes(&self) -> &ProfileChange {
        &self.change
    }

    /// Takes the operations made so far, leaving none: what a writer sends.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_value("a", 1);
    /// assert_eq!(p.take_changes().len(), 1);
    /// assert!(p.changes().is_empty());
    /// ```
    pub fn take_changes(&mut self) -> ProfileChange {
        let fresh = ProfileChange::for_profile(self.raw.id.clone());
        std::mem::replace(&mut self.change, fresh)
    }

    /// The segments the profile is in (when asked for with `expand`).
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").segments().is_empty());
    /// ```
    pub fn segments(&self) -> &[types::ProfileSegment] {
        &self.raw.segments
    }

    /// The profile's permission level, when returned.
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").permission_level().is_none());
    /// ```
    pub fn permission_level(&self) -> Option<&types::PermissionLevel> {
        self.raw.permissions.as_ref()?.level.as_ref()
    }

    /// The privacy legislation the profile falls under, when returned.
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").privacy_legislation().is_none());
    /// ```
    pub fn privacy_legislation(&self) -> Option<&types::PrivacyLegislation> {
        self.raw.privacy_legislation.as_ref()
    }

    /// The objectives the profile consented to, and refused.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.consented_objectives().is_empty() && p.refused_objectives().is_empty());
    /// ```
    pub fn consented_objectives(&self) -> &[String] {
        &self.raw.consented_objectives
    }

    /// The objectives the profile refused.
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").refused_objectives().is_empty());
    /// ```
    pub fn refused_objectives(&self) -> &[String] {
        &self.raw.refused_objectives
    }

    /// The profiles merged into this one, and the one this was merged into.
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.replaces().is_empty() && p.replaced_by().is_none());
    /// ```
    pub fn replaces(&self) -> &[String] {
        &self.raw.replaces
    }

    /// The profile this one was merged into.
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").replaced_by().is_none());
    /// ```
    pub fn replaced_by(&self) -> Option<&str> {
        self.raw.replaced_by.as_deref()
    }

    /// The lifecycle stages the profile is in.
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").lifecycle_stages().is_empty());
    /// ```
    pub fn lifecycle_stages(&self) -> &[types::LifecycleStage] {
        &self.raw.lifecycle_stages
    }

    /// The profile's timeline events (when asked for).
    ///
    /// ```
    /// assert!(cdp::blueconic::Profile::new("p1").timeline().is_empty());
    /// ```
    pub fn timeline(&self) -> &[types::TimelineEvent] {
        &self.raw.events
    }

    /// The profile as the service returned it (with the local effect of changes made since).
    ///
    /// ```
    /// let p = cdp::blueconic::Profile::new("p1");
    /// assert!(p.api().groups.is_empty() && p.api().lifecycle_stages.is_empty());
    /// ```
    pub fn api(&self) -> &types::Profile {
        &self.raw
    }
}

impl From<Profile> for ProfileChange {
    fn from(mut profile: Profile) -> Self {
        profile.take_changes()
    }
}

impl From<&mut Profile> for ProfileChange {
    fn from(profile: &mut Profile) -> Self {
        profile.take_changes()
    }
}

impl Profile {
    /// The values an operation on `property` changes here: a consent field, or the property's values.
    fn values_mut(&mut self, property: &str) -> &mut Vec<String> {
        match property {
            CONSENTED_OBJECTIVES => return &mut self.raw.consented_objectives,
            REFUSED_OBJECTIVES => return &mut self.raw.refused_objectives,
            _ => {}
        }
        let at = match self
            .raw
            .properties
            .iter()
            .position(|p| p.id.as_deref() == Some(property))
        {
            Some(at) => at,
            None => {
                self.raw.properties.push(types::ProfilePropertyValues {
                    id: Some(property.to_owned()),
                    values: Vec::new(),
                });
                self.raw.properties.len() - 1
            }
        };
        &mut self.raw.properties[at].values
    }
}

/// Applies an operation here as the service will, and records it.
impl sealed::Record for Profile {
    fn record(&mut self, property: &str, strategy: ValueStrategy, values: Vec<PropertyValue>) {
        let texts: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if property == PRIVACY_LEGISLATION {
            if let (ValueStrategy::Set, Some(name)) = (&strategy, texts.first()) {
                self.raw.privacy_legislation = Some(types::PrivacyLegislation::from(name.as_str()));
            }
        } else {
            apply_locally(self.values_mut(property), &strategy, texts);
        }
        self.change.record(property, strategy, values);
    }
}

/// What an operation does to the values a profile holds.
fn apply_locally(held: &mut Vec<String>, strategy: &ValueStrategy, texts: Vec<String>) {
    match strategy {
        ValueStrategy::Set => *held = texts,
        ValueStrategy::Add => {
            for t in texts {
                if !held.contains(&t) {
                    held.push(t);
                }
            }
        }
        ValueStrategy::SetIfEmpty if held.is_empty() => *held = texts,
        ValueStrategy::Increment => {
            let now = held
                .first()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
            let by = texts
                .first()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
            let sum = now + by;
            let shown = if sum.fract() == 0.0 && sum.abs() < 9.0e15 {
                format!("{}", sum as i64)
            } else {
                sum.to_string()
            };
            *held = vec![shown];
        }
        ValueStrategy::Remove => held.retain(|v| !texts.contains(v)),
        _ => {}
    }
}
