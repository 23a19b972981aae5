//! Whether a profile is in a segment: the sandbox's reading of `SegmentGroups` (see the module docs for
//! where it simplifies).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::definitions::{Definition, Query};
use super::profiles::{Address, Profile};
use super::query::{
    AddressDimension, AttributeOperator, DateOperator, Dimension, Group, Include,
    ProfileAttributes, ProfileTypeOperator, SegmentGroup, StringOperator, parse_date,
};

/// Evaluates segments for one profile. Results of named segments are kept, so that a segment used as a
/// source many times is evaluated once and a cycle of source segments ends (a segment within its own
/// sources counts as not matching).
pub(super) struct Evaluator<'a> {
    definitions: &'a BTreeMap<String, Definition>,
    profile: &'a Profile,
    /// `None` while a segment is being evaluated.
    known: HashMap<&'a str, Option<bool>>,
}

impl<'a> Evaluator<'a> {
    pub(super) fn new(definitions: &'a BTreeMap<String, Definition>, profile: &'a Profile) -> Self {
        Self {
            definitions,
            profile,
            known: HashMap::new(),
        }
    }

    /// Whether the profile is a member of the named segment (an unknown one has no members).
    pub(super) fn in_segment(&mut self, name: &str) -> bool {
        match self.known.get(name) {
            Some(Some(result)) => return *result,
            Some(None) => return false,
            None => {}
        }
        let Some((name, definition)) = self.definitions.get_key_value(name) else {
            return false;
        };
        self.known.insert(name, None);
        let result = match &definition.query {
            Query::Groups(groups) => self.matches(groups),
            // SQL segments are stored, not run.
            Query::Sql(_) => false,
        };
        self.known.insert(name, Some(result));
        result
    }

    /// Whether the profile matches a segment query.
    pub(super) fn matches(&mut self, query: &SegmentGroup) -> bool {
        let results: Vec<bool> = query.groups.iter().map(|g| self.group(g)).collect();
        query
            .include
            .unwrap_or(Include::All)
            .combine(results.into_iter())
    }

    fn group(&mut self, group: &Group) -> bool {
        let mut results: Vec<bool> = group
            .dimensions
            .iter()
            .map(|d| dimension(d, self.profile))
            .collect();
        let sources: Vec<bool> = group
            .source_segments
            .iter()
            .map(|s| {
                s.segment_definition_name
                    .as_deref()
                    .is_some_and(|name| self.in_segment(name))
            })
            .collect();
        match group.source_type {
            Some(source_type) if !sources.is_empty() => {
                results.push(source_type.combine(sources.into_iter()));
            }
            _ => results.extend(sources),
        }
        group
            .kind
            .unwrap_or(Include::All)
            .combine(results.into_iter())
    }
}

fn dimension(dimension: &Dimension, profile: &Profile) -> bool {
    match (
        &dimension.profile_attributes,
        &dimension.calculated_attributes,
    ) {
        (Some(attributes), None) => profile_attributes(attributes, profile),
        // Sandbox profiles have no calculated attributes.
        _ => false,
    }
}

/// Every condition set in a `ProfileAttributes` must hold.
fn profile_attributes(a: &ProfileAttributes, p: &Profile) -> bool {
    let text = [
        (&a.account_number, &p.account_number),
        (&a.additional_information, &p.additional_information),
        (&a.first_name, &p.first_name),
        (&a.last_name, &p.last_name),
        (&a.middle_name, &p.middle_name),
        (&a.gender_string, &p.gender_string),
        (&a.party_type_string, &p.party_type_string),
        (&a.phone_number, &p.phone_number),
        (&a.business_name, &p.business_name),
        (&a.business_phone_number, &p.business_phone_number),
        (&a.home_phone_number, &p.home_phone_number),
        (&a.mobile_phone_number, &p.mobile_phone_number),
        (&a.email_address, &p.email_address),
        (&a.personal_email_address, &p.personal_email_address),
        (&a.business_email_address, &p.business_email_address),
    ];
    let text_ok = text.into_iter().all(|(condition, value)| {
        condition
            .as_ref()
            .is_none_or(|c| text_matches(c.dimension_type, &c.values, value.as_deref()))
    });
    let addresses = [
        (&a.address, &p.address),
        (&a.shipping_address, &p.shipping_address),
        (&a.mailing_address, &p.mailing_address),
        (&a.billing_address, &p.billing_address),
    ];
    let addresses_ok = addresses.into_iter().all(|(condition, value)| {
        condition
            .as_ref()
            .is_none_or(|c| address_matches(c, value.as_ref()))
    });
    let birth_ok = a
        .birth_date
        .as_ref()
        .is_none_or(|c| date_matches(c.dimension_type, &c.values, p.birth_date.as_deref()));
    let attributes_ok = a.attributes.iter().flatten().all(|(name, c)| {
        attribute_matches(
            c.dimension_type,
            &c.values,
            p.attributes.get(name).map(String::as_str),
        )
    });
    let type_ok = a.profile_type.as_ref().is_none_or(|c| {
        let Some(actual) = p.profile_type else {
            return false;
        };
        let listed = c.values.iter().any(|v| v.as_str() == actual);
        match c.dimension_type {
            ProfileTypeOperator::Inclusive => listed,
            ProfileTypeOperator::Exclusive => !listed,
        }
    });
    text_ok && addresses_ok && birth_ok && attributes_ok && type_ok
}

fn address_matches(condition: &AddressDimension, address: Option<&Address>) -> bool {
    let part = |f: fn(&Address) -> &Option<String>| address.and_then(|a| f(a).as_deref());
    let parts = [
        (&condition.city, part(|a| &a.city)),
        (&condition.country, part(|a| &a.country)),
        (&condition.county, part(|a| &a.county)),
        (&condition.postal_code, part(|a| &a.postal_code)),
        (&condition.province, part(|a| &a.province)),
        (&condition.state, part(|a| &a.state)),
    ];
    parts.into_iter().all(|(c, value)| {
        c.as_ref()
            .is_none_or(|c| text_matches(c.dimension_type, &c.values, value))
    })
}

/// Text conditions, ignoring case. An absent value matches nothing.
fn text_matches(operator: StringOperator, values: &[String], actual: Option<&str>) -> bool {
    let Some(actual) = actual else { return false };
    let actual = actual.to_lowercase();
    let mut values = values.iter().map(|v| v.to_lowercase());
    match operator {
        StringOperator::Inclusive => values.any(|v| v == actual),
        StringOperator::Exclusive => !values.any(|v| v == actual),
        StringOperator::Contains => values.any(|v| actual.contains(&v)),
        StringOperator::BeginsWith => values.any(|v| actual.starts_with(&v)),
        StringOperator::EndsWith => values.any(|v| actual.ends_with(&v)),
    }
}

fn date_matches(operator: DateOperator, values: &[String], actual: Option<&str>) -> bool {
    let Some(actual) = actual.and_then(parse_date) else {
        return false;
    };
    let dates: Vec<NaiveDate> = values.iter().filter_map(|v| parse_date(v)).collect();
    match (operator, dates.as_slice()) {
        (DateOperator::Before, [first, ..]) => actual < *first,
        (DateOperator::After, [first, ..]) => actual > *first,
        (DateOperator::On, dates) => dates.contains(&actual),
        (DateOperator::Between, [a, b, ..]) => between(actual, *a, *b),
        (DateOperator::NotBetween, [a, b, ..]) => !between(actual, *a, *b),
        _ => false,
    }
}

/// Within the bounds, both included, in either order.
fn between<T: PartialOrd>(x: T, a: T, b: T) -> bool {
    if a <= b {
        a <= x && x <= b
    } else {
        b <= x && x <= a
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Conditions on a custom attribute, whose value is text: compared as text, date, number or list.
fn attribute_matches(operator: AttributeOperator, values: &[String], actual: Option<&str>) -> bool {
    use AttributeOperator as Op;
    let Some(actual) = actual else { return false };
    let first_number = values.first().and_then(|v| number(v));
    let compare = |f: fn(f64, f64) -> bool| match (number(actual), first_number) {
        (Some(x), Some(y)) => f(x, y),
        _ => false,
    };
    let numeric_between = || {
        let bounds: Vec<f64> = values.iter().filter_map(|v| number(v)).collect();
        match (number(actual), bounds.as_slice()) {
            (Some(x), [a, b, ..]) => Some(between(x, *a, *b)),
            _ => None,
        }
    };
    let list = || -> Vec<String> {
        actual
            .split(',')
            .map(|item| item.trim().to_lowercase())
            .collect()
    };
    match operator {
        Op::Inclusive => text_matches(StringOperator::Inclusive, values, Some(actual)),
        Op::Exclusive => text_matches(StringOperator::Exclusive, values, Some(actual)),
        Op::Contains => text_matches(StringOperator::Contains, values, Some(actual)),
        Op::BeginsWith => text_matches(StringOperator::BeginsWith, values, Some(actual)),
        Op::EndsWith => text_matches(StringOperator::EndsWith, values, Some(actual)),
        Op::Before => date_matches(DateOperator::Before, values, Some(actual)),
        Op::After => date_matches(DateOperator::After, values, Some(actual)),
        Op::On => date_matches(DateOperator::On, values, Some(actual)),
        Op::Between | Op::NotBetween if parse_date(actual).is_some() => {
            let date_operator = if operator == Op::Between {
                DateOperator::Between
            } else {
                DateOperator::NotBetween
            };
            date_matches(date_operator, values, Some(actual))
        }
        Op::Between => numeric_between().unwrap_or(false),
        Op::NotBetween => numeric_between().is_some_and(|inside| !inside),
        Op::GreaterThan => compare(|x, y| x > y),
        Op::LessThan => compare(|x, y| x < y),
        Op::GreaterThanOrEqual => compare(|x, y| x >= y),
        Op::LessThanOrEqual => compare(|x, y| x <= y),
        Op::Equal => {
            number(actual).is_some_and(|x| values.iter().filter_map(|v| number(v)).any(|y| x == y))
        }
        Op::ListContains => {
            let items = list();
            values
                .iter()
                .any(|v| items.contains(&v.trim().to_lowercase()))
        }
        Op::ListContainsAll => {
            let items = list();
            values
                .iter()
                .all(|v| items.contains(&v.trim().to_lowercase()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn text_conditions_ignore_case_and_absent_values_match_nothing() {
        let v = strings(&["Gold", "plat"]);
        assert!(text_matches(StringOperator::Inclusive, &v, Some("gold")));
        assert!(!text_matches(StringOperator::Exclusive, &v, Some("GOLD")));
        assert!(text_matches(StringOperator::Exclusive, &v, Some("silver")));
        assert!(!text_matches(StringOperator::Exclusive, &v, None));
        assert!(text_matches(
            StringOperator::BeginsWith,
            &v,
            Some("Platinum")
        ));
        assert!(text_matches(
            StringOperator::Contains,
            &strings(&["LD"]),
            Some("gold")
        ));
        assert!(text_matches(
            StringOperator::EndsWith,
            &strings(&["num"]),
            Some("platinum")
        ));
    }

    #[test]
    fn dates_numbers_and_lists_compare_as_such() {
        let d = |s: &[&str]| strings(s);
        assert!(date_matches(
            DateOperator::Before,
            &d(&["1980-01-01"]),
            Some("1979-12-31")
        ));
        assert!(!date_matches(
            DateOperator::Before,
            &d(&["1980-01-01"]),
            Some("1980-01-01")
        ));
        assert!(date_matches(
            DateOperator::On,
            &d(&["1980-01-01"]),
            Some("1980-01-01")
        ));
        assert!(date_matches(
            DateOperator::Between,
            &d(&["1990-01-01", "1980-01-01"]),
            Some("1985-06-01")
        ));
        assert!(date_matches(
            DateOperator::NotBetween,
            &d(&["1980-01-01", "1990-01-01"]),
            Some("1991-01-01")
        ));
        assert!(!date_matches(
            DateOperator::After,
            &d(&["1980-01-01"]),
            Some("bad")
        ));
        use AttributeOperator as Op;
        assert!(attribute_matches(
            Op::GreaterThan,
            &d(&["5000"]),
            Some("5000.5")
        ));
        assert!(!attribute_matches(
            Op::GreaterThan,
            &d(&["5000"]),
            Some("5000")
        ));
        assert!(attribute_matches(
            Op::GreaterThanOrEqual,
            &d(&["5000"]),
            Some("5000")
        ));
        assert!(attribute_matches(Op::LessThan, &d(&["10"]), Some("9")));
        assert!(attribute_matches(Op::Equal, &d(&["3", "4"]), Some("4.0")));
        assert!(attribute_matches(Op::Between, &d(&["1", "10"]), Some("10")));
        assert!(attribute_matches(
            Op::NotBetween,
            &d(&["1", "10"]),
            Some("11")
        ));
        assert!(!attribute_matches(
            Op::NotBetween,
            &d(&["1", "10"]),
            Some("n/a")
        ));
        assert!(attribute_matches(
            Op::ListContains,
            &d(&["music"]),
            Some("sports, Music")
        ));
        assert!(!attribute_matches(
            Op::ListContainsAll,
            &d(&["music", "travel"]),
            Some("sports,music")
        ));
        assert!(!attribute_matches(Op::Inclusive, &d(&["x"]), None));
    }

    #[test]
    fn include_combines_all_any_and_none() {
        assert!(Include::All.combine([true, true].into_iter()));
        assert!(!Include::All.combine([true, false].into_iter()));
        assert!(Include::Any.combine([false, true].into_iter()));
        assert!(!Include::Any.combine(std::iter::empty()));
        assert!(Include::NoneOf.combine([false, false].into_iter()));
        assert!(!Include::NoneOf.combine([false, true].into_iter()));
    }
}
