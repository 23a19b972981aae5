//! A BlueConic profile as read, with the operations made on it since.

use blueconic_api::types::{self, ValueStrategy};

use super::{ProfileChange, PropertyValue};

/// A profile as the service returned it, and the operations made on it since: writing it back (with a
/// [`BulkWriter`](super::BulkWriter)) sends exactly those operations with their strategies, and nothing
/// when nothing changed. Reading a property the profile does not hold gives `None`.
///
/// ```
/// use cdp::blueconic::Profile;
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

    fn values_mut(&mut self, property: &str) -> &mut Vec<String> {
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

    /// Applies an operation here as the service will, and records it.
    fn apply(&mut self, property: &str, strategy: ValueStrategy, values: Vec<PropertyValue>) {
        let texts: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let held = self.values_mut(property);
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
        match strategy {
            ValueStrategy::Set => self.change.set_values(property, values),
            ValueStrategy::Add => self.change.add_values(property, values),
            ValueStrategy::SetIfEmpty => match values.into_iter().next() {
                Some(v) => self.change.set_if_empty(property, v),
                None => &mut self.change,
            },
            ValueStrategy::Increment => match values.into_iter().next() {
                Some(v) => self.change.increment(property, v),
                None => &mut self.change,
            },
            ValueStrategy::Remove => self.change.remove_values(property, values),
            _ => &mut self.change,
        };
    }

    /// Sets the property to this one value.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_value("next_best_product", "tea");
    /// assert_eq!(p.value("next_best_product"), Some("tea"));
    /// ```
    pub fn set_value(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.apply(property, ValueStrategy::Set, vec![value.into()]);
        self
    }

    /// Sets the property to these values.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_values("interests", ["tea", "cake"]);
    /// assert_eq!(p.values("interests"), ["tea", "cake"]);
    /// ```
    pub fn set_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.apply(property, ValueStrategy::Set, values);
        self
    }

    /// Adds one value to the property.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.add_value("interests", "tea");
    /// assert_eq!(p.values("interests"), ["tea"]);
    /// ```
    pub fn add_value(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.apply(property, ValueStrategy::Add, vec![value.into()]);
        self
    }

    /// Adds values to the property.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.add_values("interests", ["tea", "cake"]);
    /// assert_eq!(p.values("interests").len(), 2);
    /// ```
    pub fn add_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.apply(property, ValueStrategy::Add, values);
        self
    }

    /// Sets the property only if it holds no value.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_if_empty("source", "web").set_if_empty("source", "app");
    /// assert_eq!(p.value("source"), Some("web"));
    /// ```
    pub fn set_if_empty(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.apply(property, ValueStrategy::SetIfEmpty, vec![value.into()]);
        self
    }

    /// Adds `by` to the number the property holds.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.increment("visits", 1).increment("visits", 2);
    /// assert_eq!(p.value("visits"), Some("3"));
    /// ```
    pub fn increment(&mut self, property: &str, by: impl Into<PropertyValue>) -> &mut Self {
        self.apply(property, ValueStrategy::Increment, vec![by.into()]);
        self
    }

    /// Removes these values from the property.
    ///
    /// ```
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_values("interests", ["tea", "cake"]).remove_values("interests", ["cake"]);
    /// assert_eq!(p.values("interests"), ["tea"]);
    /// ```
    pub fn remove_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.apply(property, ValueStrategy::Remove, values);
        self
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
