//! The changes [`Profile`](super::Profile) and [`ProfileChange`](super::ProfileChange) both make: one
//! implementation, a trait over the one thing that differs (how each records an operation).

use blueconic_api::types::{PrivacyLegislation, ValueStrategy};

use super::PropertyValue;

/// The property through which a bulk entry sets a profile's privacy legislation (the official
/// `BulkInputEntryV2.properties` documents it, and `objectiveIds` are matched against it).
pub(crate) const PRIVACY_LEGISLATION: &str = "privacy_legislation";
/// The property holding the objectives a profile consented to.
pub(crate) const CONSENTED_OBJECTIVES: &str = "consented_objectives";
/// The property holding the objectives a profile explicitly refused.
pub(crate) const REFUSED_OBJECTIVES: &str = "refused_objectives";

/// The id of a consent objective, as BlueConic names it (`objectiveIds`, `consentedObjectives`).
///
/// ```
/// use cdp::blueconic::ObjectiveId;
///
/// let id = ObjectiveId::from("marketing");
/// assert_eq!(id.as_str(), "marketing");
/// assert_eq!(id.to_string(), "marketing");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectiveId(String);

impl ObjectiveId {
    /// The id as sent.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::ObjectiveId::from("analytics").as_str(), "analytics");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ObjectiveId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl From<String> for ObjectiveId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&String> for ObjectiveId {
    fn from(id: &String) -> Self {
        Self(id.clone())
    }
}

impl std::fmt::Display for ObjectiveId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) mod sealed {
    use blueconic_api::types::ValueStrategy;

    use super::super::PropertyValue;

    /// How a type records one operation on one property; only this crate's types have it.
    pub trait Record {
        /// Records `strategy` with `values` on `property` (and, for a profile, applies it locally).
        fn record(&mut self, property: &str, strategy: ValueStrategy, values: Vec<PropertyValue>);
    }
}

/// The changes a [`Profile`](super::Profile) and a [`ProfileChange`](super::ProfileChange) both make,
/// each recorded with its strategy (SET, ADD, SET_IF_EMPTY, INCREMENT, REMOVE) and sent by a
/// [`BulkWriter`](super::BulkWriter). A profile also shows each change at once; a change only records
/// it.
///
/// Consent is written as the official bulk schema documents it: the privacy legislation through the
/// `privacy_legislation` property (and, for a profile the entry creates, the entry's
/// `privacyLegislation`), objectives through `consented_objectives` and `refused_objectives`.
///
/// ```
/// use cdp::blueconic::{Profile, ProfileChange, ProfileEdits};
///
/// fn tag<E: ProfileEdits>(edits: &mut E) {
///     edits.set_value("segment_hint", "tea").increment("visits", 1);
/// }
/// let mut p = Profile::new("p1");
/// let mut c = ProfileChange::for_profile("p2");
/// tag(&mut p);
/// tag(&mut c);
/// assert_eq!(p.value("segment_hint"), Some("tea"));
/// assert_eq!(c.len(), 2);
/// ```
pub trait ProfileEdits: sealed::Record {
    /// Sets the property to this one value.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_value("next_best_product", "tea");
    /// assert_eq!(p.value("next_best_product"), Some("tea"));
    /// ```
    fn set_value(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.record(property, ValueStrategy::Set, vec![value.into()]);
        self
    }

    /// Sets the property to these values.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_values("interests", ["tea", "cake"]);
    /// assert_eq!(p.values("interests"), ["tea", "cake"]);
    /// ```
    fn set_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.record(property, ValueStrategy::Set, values);
        self
    }

    /// Adds one value to the property's values.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.add_value("interests", "tea");
    /// assert_eq!(p.values("interests"), ["tea"]);
    /// ```
    fn add_value(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.record(property, ValueStrategy::Add, vec![value.into()]);
        self
    }

    /// Adds values to the property's values.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.add_values("interests", ["tea", "cake"]);
    /// assert_eq!(p.values("interests").len(), 2);
    /// ```
    fn add_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.record(property, ValueStrategy::Add, values);
        self
    }

    /// Sets the property only if it holds no value yet.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_if_empty("source", "web").set_if_empty("source", "app");
    /// assert_eq!(p.value("source"), Some("web"));
    /// ```
    fn set_if_empty(&mut self, property: &str, value: impl Into<PropertyValue>) -> &mut Self {
        self.record(property, ValueStrategy::SetIfEmpty, vec![value.into()]);
        self
    }

    /// Adds `by` to the number the property holds.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.increment("visits", 1).increment("visits", 2);
    /// assert_eq!(p.value("visits"), Some("3"));
    /// ```
    fn increment(&mut self, property: &str, by: impl Into<PropertyValue>) -> &mut Self {
        self.record(property, ValueStrategy::Increment, vec![by.into()]);
        self
    }

    /// Removes these values from the property.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_values("interests", ["tea", "cake"]).remove_values("interests", ["cake"]);
    /// assert_eq!(p.values("interests"), ["tea"]);
    /// ```
    fn remove_values<V: Into<PropertyValue>>(
        &mut self,
        property: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let values = values.into_iter().map(Into::into).collect();
        self.record(property, ValueStrategy::Remove, values);
        self
    }

    /// Puts the profile under this privacy legislation (the `privacy_legislation` property; a profile
    /// the entry creates also gets it as the entry's `privacyLegislation`). A legislation the spec does
    /// not list (`Unknown`) is refused when the change is written.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// use cdp::blueconic::api::types::PrivacyLegislation;
    ///
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.set_privacy_legislation(PrivacyLegislation::Gdpr);
    /// assert_eq!(p.privacy_legislation(), Some(&PrivacyLegislation::Gdpr));
    /// ```
    fn set_privacy_legislation(&mut self, legislation: PrivacyLegislation) -> &mut Self {
        self.record(
            PRIVACY_LEGISLATION,
            ValueStrategy::Set,
            vec![legislation.as_str().into()],
        );
        self
    }

    /// Records consent to these objectives: added to the consented ones, removed from the refused
    /// ones.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.refuse(["marketing"]).consent_to(["marketing", "analytics"]);
    /// assert_eq!(p.consented_objectives(), ["marketing", "analytics"]);
    /// assert!(p.refused_objectives().is_empty());
    /// ```
    fn consent_to<O: Into<ObjectiveId>>(
        &mut self,
        objectives: impl IntoIterator<Item = O>,
    ) -> &mut Self {
        let ids = objective_values(objectives);
        self.record(CONSENTED_OBJECTIVES, ValueStrategy::Add, ids.clone());
        self.record(REFUSED_OBJECTIVES, ValueStrategy::Remove, ids);
        self
    }

    /// Records the explicit refusal of these objectives: added to the refused ones, removed from the
    /// consented ones.
    ///
    /// ```
    /// use cdp::blueconic::ProfileEdits;
    /// let mut p = cdp::blueconic::Profile::new("p1");
    /// p.consent_to(["marketing"]).refuse(["marketing"]);
    /// assert_eq!(p.refused_objectives(), ["marketing"]);
    /// assert!(p.consented_objectives().is_empty());
    /// ```
    fn refuse<O: Into<ObjectiveId>>(
        &mut self,
        objectives: impl IntoIterator<Item = O>,
    ) -> &mut Self {
        let ids = objective_values(objectives);
        self.record(REFUSED_OBJECTIVES, ValueStrategy::Add, ids.clone());
        self.record(CONSENTED_OBJECTIVES, ValueStrategy::Remove, ids);
        self
    }
}

impl<T: sealed::Record> ProfileEdits for T {}

fn objective_values<O: Into<ObjectiveId>>(
    objectives: impl IntoIterator<Item = O>,
) -> Vec<PropertyValue> {
    objectives
        .into_iter()
        .map(|o| PropertyValue::from(o.into().0))
        .collect()
}
