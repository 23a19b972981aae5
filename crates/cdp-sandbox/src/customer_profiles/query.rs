//! Segment queries as the API writes them (`SegmentGroups`, `SegmentQuery`, `SegmentSort`), and their
//! checks. They parse into these types, so an unknown operator is a `400`, and they are answered back
//! re-serialized, so a stored definition only ever shows members the spec declares.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How groups, dimensions or source segments combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Include {
    #[serde(rename = "ALL")]
    All,
    #[serde(rename = "ANY")]
    Any,
    #[serde(rename = "NONE")]
    NoneOf,
}

impl Include {
    /// Combines results: every one, at least one, or none of them true.
    pub(super) fn combine(self, mut results: impl Iterator<Item = bool>) -> bool {
        match self {
            Self::All => results.all(|r| r),
            Self::Any => results.any(|r| r),
            Self::NoneOf => !results.any(|r| r),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SegmentGroup {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) include: Option<Include>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Group {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) dimensions: Vec<Dimension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) source_segments: Vec<SourceSegment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) source_type: Option<Include>,
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<Include>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SourceSegment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) segment_definition_name: Option<String>,
}

/// A union: exactly one member is set.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Dimension {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) profile_attributes: Option<ProfileAttributes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) calculated_attributes: Option<BTreeMap<String, CalculatedAttributeDimension>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProfileAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) account_number: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) additional_information: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) first_name: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) last_name: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) middle_name: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gender_string: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) party_type_string: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) birth_date: Option<DateDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) phone_number: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) business_name: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) business_phone_number: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) home_phone_number: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) mobile_phone_number: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) email_address: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) personal_email_address: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) business_email_address: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) address: Option<AddressDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) shipping_address: Option<AddressDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) mailing_address: Option<AddressDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) billing_address: Option<AddressDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) attributes: Option<BTreeMap<String, AttributeDimension>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) profile_type: Option<ProfileTypeDimension>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum StringOperator {
    Inclusive,
    Exclusive,
    Contains,
    BeginsWith,
    EndsWith,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProfileDimension {
    pub(super) dimension_type: StringOperator,
    pub(super) values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum DateOperator {
    Before,
    After,
    Between,
    NotBetween,
    On,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DateDimension {
    pub(super) dimension_type: DateOperator,
    pub(super) values: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AddressDimension {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) city: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) country: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) county: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) postal_code: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) province: Option<ProfileDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) state: Option<ProfileDimension>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum AttributeOperator {
    Inclusive,
    Exclusive,
    Contains,
    BeginsWith,
    EndsWith,
    Before,
    After,
    Between,
    NotBetween,
    On,
    GreaterThan,
    LessThan,
    GreaterThanOrEqual,
    LessThanOrEqual,
    Equal,
    ListContains,
    ListContainsAll,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AttributeDimension {
    pub(super) dimension_type: AttributeOperator,
    pub(super) values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum ProfileTypeOperator {
    Inclusive,
    Exclusive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum ProfileType {
    AccountProfile,
    Profile,
}

impl ProfileType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::AccountProfile => "ACCOUNT_PROFILE",
            Self::Profile => "PROFILE",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProfileTypeDimension {
    pub(super) dimension_type: ProfileTypeOperator,
    pub(super) values: Vec<ProfileType>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CalculatedAttributeDimension {
    pub(super) dimension_type: AttributeOperator,
    pub(super) values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) condition_overrides: Option<ConditionOverrides>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ConditionOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) range: Option<RangeOverride>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RangeOverride {
    pub(super) start: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) end: Option<i32>,
    pub(super) unit: RangeUnit,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum RangeUnit {
    Days,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SegmentSort {
    pub(super) attributes: Vec<SortAttribute>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SortAttribute {
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) data_type: Option<SortDataType>,
    pub(super) order: SortOrder,
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<SortAttributeType>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum SortDataType {
    String,
    Number,
    Date,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum SortAttributeType {
    Profile,
    Calculated,
}

/// A date as dimensions write it.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Checks the limits the model sets and the values each operator needs; the error is the `400` message.
pub(super) fn check_group(group: &SegmentGroup) -> Result<(), String> {
    for (g, group) in group.groups.iter().enumerate() {
        for (d, dimension) in group.dimensions.iter().enumerate() {
            let at = format!("Groups[{g}].Dimensions[{d}]");
            check_dimension(dimension).map_err(|e| format!("{at}: {e}"))?;
        }
        for (s, source) in group.source_segments.iter().enumerate() {
            match &source.segment_definition_name {
                Some(name) if is_name(name) => {}
                _ => {
                    return Err(format!(
                        "Groups[{g}].SourceSegments[{s}]: SegmentDefinitionName must be 1 to 64 of [a-zA-Z0-9_-]"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Every segment name the query starts from.
pub(super) fn source_names(group: &SegmentGroup) -> impl Iterator<Item = &str> {
    group
        .groups
        .iter()
        .flat_map(|g| &g.source_segments)
        .filter_map(|s| s.segment_definition_name.as_deref())
}

/// A domain or segment name: 1 to 64 of `[a-zA-Z0-9_-]`.
pub(super) fn is_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(super) fn check_sort(sort: &SegmentSort) -> Result<(), String> {
    if !(1..=10).contains(&sort.attributes.len()) {
        return Err("SegmentSort.Attributes must have 1 to 10 items".into());
    }
    let bad_name = |n: &str| {
        !(1..=64).contains(&n.len())
            || !n
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    };
    if sort.attributes.iter().any(|a| bad_name(&a.name)) {
        return Err("SegmentSort.Attributes[].Name must be 1 to 64 of [a-zA-Z0-9_.-]".into());
    }
    Ok(())
}

fn check_dimension(dimension: &Dimension) -> Result<(), String> {
    match (
        &dimension.profile_attributes,
        &dimension.calculated_attributes,
    ) {
        (Some(attributes), None) => check_profile_attributes(attributes),
        (None, Some(calculated)) => {
            for (name, condition) in calculated {
                check_attribute(condition.dimension_type, &condition.values)
                    .map_err(|e| format!("CalculatedAttributes.{name}: {e}"))?;
            }
            Ok(())
        }
        _ => Err("exactly one of ProfileAttributes and CalculatedAttributes must be set".into()),
    }
}

fn check_profile_attributes(a: &ProfileAttributes) -> Result<(), String> {
    let text = [
        ("AccountNumber", &a.account_number, 255),
        ("AdditionalInformation", &a.additional_information, 1000),
        ("FirstName", &a.first_name, 255),
        ("LastName", &a.last_name, 255),
        ("MiddleName", &a.middle_name, 255),
        ("GenderString", &a.gender_string, 255),
        ("PartyTypeString", &a.party_type_string, 255),
        ("PhoneNumber", &a.phone_number, 255),
        ("BusinessName", &a.business_name, 255),
        ("BusinessPhoneNumber", &a.business_phone_number, 255),
        ("HomePhoneNumber", &a.home_phone_number, 255),
        ("MobilePhoneNumber", &a.mobile_phone_number, 255),
        ("EmailAddress", &a.email_address, 255),
        ("PersonalEmailAddress", &a.personal_email_address, 255),
        ("BusinessEmailAddress", &a.business_email_address, 255),
    ];
    for (name, dimension, max_len) in text {
        if let Some(dimension) = dimension {
            check_values(&dimension.values, max_len).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    let addresses = [
        ("Address", &a.address),
        ("ShippingAddress", &a.shipping_address),
        ("MailingAddress", &a.mailing_address),
        ("BillingAddress", &a.billing_address),
    ];
    for (name, address) in addresses {
        let Some(address) = address else { continue };
        let parts = [
            &address.city,
            &address.country,
            &address.county,
            &address.postal_code,
            &address.province,
            &address.state,
        ];
        for part in parts.into_iter().flatten() {
            check_values(&part.values, 255).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    if let Some(birth) = &a.birth_date {
        check_dates(birth.dimension_type, &birth.values).map_err(|e| format!("BirthDate: {e}"))?;
    }
    for (name, condition) in a.attributes.iter().flatten() {
        if !(1..=255).contains(&name.len()) {
            return Err("Attributes keys must be 1 to 255 characters".into());
        }
        check_attribute(condition.dimension_type, &condition.values)
            .map_err(|e| format!("Attributes.{name}: {e}"))?;
    }
    if let Some(kind) = &a.profile_type
        && kind.values.len() != 1
    {
        return Err("ProfileType: Values must have exactly 1 item".into());
    }
    Ok(())
}

fn check_values(values: &[String], max_len: usize) -> Result<(), String> {
    if !(1..=50).contains(&values.len()) {
        return Err("Values must have 1 to 50 items".into());
    }
    if values
        .iter()
        .any(|v| !(1..=max_len).contains(&v.chars().count()))
    {
        return Err(format!("each value must be 1 to {max_len} characters"));
    }
    Ok(())
}

fn check_dates(operator: DateOperator, values: &[String]) -> Result<(), String> {
    check_values(values, 255)?;
    if let Some(bad) = values.iter().find(|v| parse_date(v).is_none()) {
        return Err(format!("`{bad}` is not a date (YYYY-MM-DD)"));
    }
    match operator {
        DateOperator::Before | DateOperator::After if values.len() != 1 => {
            Err("BEFORE and AFTER take exactly 1 value".into())
        }
        DateOperator::Between | DateOperator::NotBetween if values.len() != 2 => {
            Err("BETWEEN and NOT_BETWEEN take exactly 2 values".into())
        }
        _ => Ok(()),
    }
}

fn check_attribute(operator: AttributeOperator, values: &[String]) -> Result<(), String> {
    use AttributeOperator as Op;
    check_values(values, 255)?;
    match operator {
        Op::Before | Op::After | Op::On => check_dates(
            match operator {
                Op::Before => DateOperator::Before,
                Op::After => DateOperator::After,
                _ => DateOperator::On,
            },
            values,
        ),
        Op::Between | Op::NotBetween => {
            let dates = values.iter().all(|v| parse_date(v).is_some());
            let numbers = values.iter().all(|v| v.trim().parse::<f64>().is_ok());
            if values.len() != 2 || !(dates || numbers) {
                return Err("BETWEEN and NOT_BETWEEN take 2 dates or 2 numbers".into());
            }
            Ok(())
        }
        Op::GreaterThan | Op::LessThan | Op::GreaterThanOrEqual | Op::LessThanOrEqual => {
            if values.len() != 1 || values.iter().any(|v| v.trim().parse::<f64>().is_err()) {
                return Err("numeric comparisons take exactly 1 number".into());
            }
            Ok(())
        }
        Op::Equal if values.iter().any(|v| v.trim().parse::<f64>().is_err()) => {
            Err("EQUAL takes numbers".into())
        }
        _ => Ok(()),
    }
}
