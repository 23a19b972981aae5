//! A typed builder for the conditions of a segment: groups of dimensions (profile fields, attributes,
//! dates, addresses, calculated attributes) and source segments.

use customer_profiles_api::types::{
    AddressDimension, AttributeDimension, AttributeDimensionType, CalculatedAttributeDimension,
    DateDimension, DateDimensionType, Dimension, Group, IncludeOptions, ProfileAttributes,
    ProfileDimension, SegmentGroup, SourceSegment, StringDimensionType,
};

/// Which profiles a segment holds: its groups, and whether a profile must match all, any or none of
/// them.
///
/// ```
/// use cdp::customer_profiles::{Condition, GroupQuery, SegmentQuery};
/// use cdp::customer_profiles::api::types::{AttributeDimensionType, StringDimensionType};
///
/// let query = SegmentQuery::all().group(
///     GroupQuery::any()
///         .dimension(Condition::attribute("tier", AttributeDimensionType::Inclusive, ["gold", "platinum"]))
///         .dimension(Condition::field(cdp::customer_profiles::ProfileField::LastName, StringDimensionType::BeginsWith, ["Mc"])),
/// );
/// let wire = serde_json::to_value(query.into_segment_group())?;
/// assert_eq!(wire["Include"], "ALL");
/// assert_eq!(wire["Groups"][0]["Type"], "ANY");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct SegmentQuery {
    include: Option<IncludeOptions>,
    groups: Vec<Group>,
}

/// One group of conditions: dimensions a profile must match all, any or none of, and segments whose
/// members it draws from.
///
/// ```
/// use cdp::customer_profiles::GroupQuery;
/// let group = GroupQuery::all().source_segment("vip").source_segment("eu-customers");
/// # let _ = group;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct GroupQuery {
    group: Group,
}

/// A profile field a [`Condition::field`] can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileField {
    /// `AccountNumber`.
    AccountNumber,
    /// `AdditionalInformation`.
    AdditionalInformation,
    /// `FirstName`.
    FirstName,
    /// `MiddleName`.
    MiddleName,
    /// `LastName`.
    LastName,
    /// `BusinessName`.
    BusinessName,
    /// `EmailAddress`.
    EmailAddress,
    /// `PersonalEmailAddress`.
    PersonalEmailAddress,
    /// `BusinessEmailAddress`.
    BusinessEmailAddress,
    /// `PhoneNumber`.
    PhoneNumber,
    /// `MobilePhoneNumber`.
    MobilePhoneNumber,
    /// `HomePhoneNumber`.
    HomePhoneNumber,
    /// `BusinessPhoneNumber`.
    BusinessPhoneNumber,
    /// `GenderString`.
    GenderString,
    /// `PartyTypeString`.
    PartyTypeString,
}

/// One of the four addresses of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressKind {
    /// `Address`.
    Address,
    /// `ShippingAddress`.
    Shipping,
    /// `MailingAddress`.
    Mailing,
    /// `BillingAddress`.
    Billing,
}

/// A part of an address a [`Condition::address`] can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressField {
    /// `City`.
    City,
    /// `Country`.
    Country,
    /// `County`.
    County,
    /// `PostalCode`.
    PostalCode,
    /// `Province`.
    Province,
    /// `State`.
    State,
}

/// Builds the [`Dimension`]s a [`GroupQuery`] holds.
///
/// ```
/// use cdp::customer_profiles::{AddressField, AddressKind, Condition};
/// use cdp::customer_profiles::api::types::{DateDimensionType, StringDimensionType};
///
/// let in_italy = Condition::address(AddressKind::Shipping, AddressField::Country, StringDimensionType::Inclusive, ["IT"]);
/// let born_before = Condition::birth_date(DateDimensionType::Before, ["1990-01-01"]);
/// # let _ = (in_italy, born_before);
/// ```
#[derive(Debug)]
pub struct Condition;

fn strings<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Vec<String> {
    values.into_iter().map(Into::into).collect()
}

fn profile_dimension(kind: StringDimensionType, values: Vec<String>) -> ProfileDimension {
    ProfileDimension {
        dimension_type: kind,
        values,
    }
}

fn of_attributes(attributes: ProfileAttributes) -> Dimension {
    Dimension {
        profile_attributes: Some(attributes),
        ..Dimension::default()
    }
}

impl Condition {
    /// A condition on a custom attribute of the profile (`ProfileAttributes.Attributes`).
    ///
    /// ```
    /// use cdp::customer_profiles::Condition;
    /// use cdp::customer_profiles::api::types::AttributeDimensionType;
    /// let rich = Condition::attribute("lifetime_value", AttributeDimensionType::GreaterThan, ["5000"]);
    /// # let _ = rich;
    /// ```
    pub fn attribute<S: Into<String>>(
        name: impl Into<String>,
        kind: AttributeDimensionType,
        values: impl IntoIterator<Item = S>,
    ) -> Dimension {
        let mut attributes = ProfileAttributes::default();
        attributes.attributes.insert(
            name.into(),
            AttributeDimension {
                dimension_type: kind,
                values: strings(values),
            },
        );
        of_attributes(attributes)
    }

    /// A condition on a standard field of the profile.
    ///
    /// ```
    /// use cdp::customer_profiles::{Condition, ProfileField};
    /// use cdp::customer_profiles::api::types::StringDimensionType;
    /// let ada = Condition::field(ProfileField::FirstName, StringDimensionType::Inclusive, ["Ada"]);
    /// # let _ = ada;
    /// ```
    pub fn field<S: Into<String>>(
        field: ProfileField,
        kind: StringDimensionType,
        values: impl IntoIterator<Item = S>,
    ) -> Dimension {
        let d = Some(profile_dimension(kind, strings(values)));
        let mut a = ProfileAttributes::default();
        match field {
            ProfileField::AccountNumber => a.account_number = d,
            ProfileField::AdditionalInformation => a.additional_information = d,
            ProfileField::FirstName => a.first_name = d,
            ProfileField::MiddleName => a.middle_name = d,
            ProfileField::LastName => a.last_name = d,
            ProfileField::BusinessName => a.business_name = d,
            ProfileField::EmailAddress => a.email_address = d,
            ProfileField::PersonalEmailAddress => a.personal_email_address = d,
            ProfileField::BusinessEmailAddress => a.business_email_address = d,
            ProfileField::PhoneNumber => a.phone_number = d,
            ProfileField::MobilePhoneNumber => a.mobile_phone_number = d,
            ProfileField::HomePhoneNumber => a.home_phone_number = d,
            ProfileField::BusinessPhoneNumber => a.business_phone_number = d,
            ProfileField::GenderString => a.gender_string = d,
            ProfileField::PartyTypeString => a.party_type_string = d,
        }
        of_attributes(a)
    }

    /// A condition on the birth date (dates as the service writes them, `YYYY-MM-DD`).
    ///
    /// ```
    /// use cdp::customer_profiles::Condition;
    /// use cdp::customer_profiles::api::types::DateDimensionType;
    /// let eighties = Condition::birth_date(DateDimensionType::Between, ["1980-01-01", "1989-12-31"]);
    /// # let _ = eighties;
    /// ```
    pub fn birth_date<S: Into<String>>(
        kind: DateDimensionType,
        values: impl IntoIterator<Item = S>,
    ) -> Dimension {
        of_attributes(ProfileAttributes {
            birth_date: Some(DateDimension {
                dimension_type: kind,
                values: strings(values),
            }),
            ..ProfileAttributes::default()
        })
    }

    /// A condition on a part of one of the four addresses.
    ///
    /// ```
    /// use cdp::customer_profiles::{AddressField, AddressKind, Condition};
    /// use cdp::customer_profiles::api::types::StringDimensionType;
    /// let milan = Condition::address(AddressKind::Billing, AddressField::City, StringDimensionType::Inclusive, ["Milan"]);
    /// # let _ = milan;
    /// ```
    pub fn address<S: Into<String>>(
        address: AddressKind,
        field: AddressField,
        kind: StringDimensionType,
        values: impl IntoIterator<Item = S>,
    ) -> Dimension {
        let d = Some(profile_dimension(kind, strings(values)));
        let mut part = AddressDimension::default();
        match field {
            AddressField::City => part.city = d,
            AddressField::Country => part.country = d,
            AddressField::County => part.county = d,
            AddressField::PostalCode => part.postal_code = d,
            AddressField::Province => part.province = d,
            AddressField::State => part.state = d,
        }
        let mut a = ProfileAttributes::default();
        match address {
            AddressKind::Address => a.address = Some(part),
            AddressKind::Shipping => a.shipping_address = Some(part),
            AddressKind::Mailing => a.mailing_address = Some(part),
            AddressKind::Billing => a.billing_address = Some(part),
        }
        of_attributes(a)
    }

    /// A condition on a calculated attribute.
    ///
    /// ```
    /// use cdp::customer_profiles::Condition;
    /// use cdp::customer_profiles::api::types::AttributeDimensionType;
    /// let frequent = Condition::calculated("orders_last_30_days", AttributeDimensionType::GreaterThanOrEqual, ["3"]);
    /// # let _ = frequent;
    /// ```
    pub fn calculated<S: Into<String>>(
        name: impl Into<String>,
        kind: AttributeDimensionType,
        values: impl IntoIterator<Item = S>,
    ) -> Dimension {
        let mut dimension = Dimension::default();
        dimension.calculated_attributes.insert(
            name.into(),
            CalculatedAttributeDimension {
                condition_overrides: None,
                dimension_type: kind,
                values: strings(values),
            },
        );
        dimension
    }
}

impl SegmentQuery {
    fn with(include: IncludeOptions) -> Self {
        Self {
            include: Some(include),
            groups: Vec::new(),
        }
    }

    /// A profile must match every group.
    ///
    /// ```
    /// let q = cdp::customer_profiles::SegmentQuery::all();
    /// # let _ = q;
    /// ```
    pub fn all() -> Self {
        Self::with(IncludeOptions::All)
    }

    /// A profile must match at least one group.
    ///
    /// ```
    /// let q = cdp::customer_profiles::SegmentQuery::any();
    /// # let _ = q;
    /// ```
    pub fn any() -> Self {
        Self::with(IncludeOptions::Any)
    }

    /// A profile must match no group.
    ///
    /// ```
    /// let q = cdp::customer_profiles::SegmentQuery::none();
    /// # let _ = q;
    /// ```
    pub fn none() -> Self {
        Self::with(IncludeOptions::None)
    }

    /// Adds a group.
    ///
    /// ```
    /// use cdp::customer_profiles::{GroupQuery, SegmentQuery};
    /// let q = SegmentQuery::all().group(GroupQuery::all().source_segment("vip"));
    /// # let _ = q;
    /// ```
    pub fn group(mut self, group: GroupQuery) -> Self {
        self.groups.push(group.group);
        self
    }

    /// The wire form (`SegmentGroup`).
    ///
    /// ```
    /// let wire = cdp::customer_profiles::SegmentQuery::any().into_segment_group();
    /// assert!(wire.groups.is_empty());
    /// ```
    pub fn into_segment_group(self) -> SegmentGroup {
        SegmentGroup {
            groups: self.groups,
            include: self.include,
        }
    }
}

impl GroupQuery {
    fn with(kind: IncludeOptions) -> Self {
        Self {
            group: Group {
                type_: Some(kind),
                ..Group::default()
            },
        }
    }

    /// A profile must match every dimension of the group.
    ///
    /// ```
    /// let g = cdp::customer_profiles::GroupQuery::all();
    /// # let _ = g;
    /// ```
    pub fn all() -> Self {
        Self::with(IncludeOptions::All)
    }

    /// A profile must match at least one dimension.
    ///
    /// ```
    /// let g = cdp::customer_profiles::GroupQuery::any();
    /// # let _ = g;
    /// ```
    pub fn any() -> Self {
        Self::with(IncludeOptions::Any)
    }

    /// A profile must match no dimension.
    ///
    /// ```
    /// let g = cdp::customer_profiles::GroupQuery::none();
    /// # let _ = g;
    /// ```
    pub fn none() -> Self {
        Self::with(IncludeOptions::None)
    }

    /// Adds a dimension (see [`Condition`]).
    ///
    /// ```
    /// use cdp::customer_profiles::{Condition, GroupQuery};
    /// use cdp::customer_profiles::api::types::AttributeDimensionType;
    /// let g = GroupQuery::all().dimension(Condition::attribute("tier", AttributeDimensionType::Inclusive, ["gold"]));
    /// # let _ = g;
    /// ```
    pub fn dimension(mut self, dimension: Dimension) -> Self {
        self.group.dimensions.push(dimension);
        self
    }

    /// Draws from the members of another segment.
    ///
    /// ```
    /// let g = cdp::customer_profiles::GroupQuery::all().source_segment("vip");
    /// # let _ = g;
    /// ```
    pub fn source_segment(mut self, name: impl Into<String>) -> Self {
        self.group.source_segments.push(SourceSegment {
            segment_definition_name: Some(name.into()),
        });
        self
    }

    /// How the source segments combine (all, any or none of them).
    ///
    /// ```
    /// use cdp::customer_profiles::api::types::IncludeOptions;
    /// let g = cdp::customer_profiles::GroupQuery::all().source_segment("a").source_segment("b").source_type(IncludeOptions::Any);
    /// # let _ = g;
    /// ```
    pub fn source_type(mut self, kind: IncludeOptions) -> Self {
        self.group.source_type = Some(kind);
        self
    }
}
