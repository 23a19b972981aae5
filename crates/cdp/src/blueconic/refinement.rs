//! Property filters for the profiles of a segment: the API's `Refinement` tree, built in Rust and sent
//! as the JSON text its `refinement` parameter takes.

use blueconic_api::types::{Refinement, RefinementOperator};

use super::PropertyValue;

/// A filter on profile properties, combined with `&` (AND) and `|` (OR).
///
/// ```
/// use cdp::blueconic::Filter;
///
/// let filter = Filter::contains_any("country", ["NL", "BE"]) & !Filter::is_empty("email");
/// assert_eq!(
///     filter.to_json(),
///     r#"{"filters":[{"operator":"CONTAINS_ANY","property":"country","values":["NL","BE"]},{"operator":"NOT_IS_EMPTY","property":"email"}],"operator":"AND"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Filter(Refinement);

impl Filter {
    fn on(property: impl Into<String>, operator: RefinementOperator) -> Refinement {
        Refinement {
            operator: Some(operator),
            property: Some(property.into()),
            ..Refinement::default()
        }
    }

    fn with_values<V: Into<PropertyValue>>(
        property: impl Into<String>,
        operator: RefinementOperator,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let mut refinement = Self::on(property, operator);
        refinement.values = values.into_iter().map(|v| v.into().into_wire()).collect();
        Self(refinement)
    }

    fn combined(operator: RefinementOperator, filters: impl IntoIterator<Item = Filter>) -> Self {
        Self(Refinement {
            operator: Some(operator),
            filters: filters.into_iter().map(|f| f.0).collect(),
            ..Refinement::default()
        })
    }

    /// Every one of `filters` holds.
    ///
    /// ```
    /// use cdp::blueconic::Filter;
    /// let f = Filter::all([Filter::is_empty("a"), Filter::is_empty("b")]);
    /// assert!(f.to_json().contains(r#""operator":"AND""#));
    /// ```
    pub fn all(filters: impl IntoIterator<Item = Filter>) -> Self {
        Self::combined(RefinementOperator::And, filters)
    }

    /// At least one of `filters` holds.
    ///
    /// ```
    /// use cdp::blueconic::Filter;
    /// let f = Filter::any([Filter::is_empty("a"), Filter::is_empty("b")]);
    /// assert!(f.to_json().contains(r#""operator":"OR""#));
    /// ```
    pub fn any(filters: impl IntoIterator<Item = Filter>) -> Self {
        Self::combined(RefinementOperator::Or, filters)
    }

    /// The property has no value.
    ///
    /// ```
    /// assert!(cdp::blueconic::Filter::is_empty("email").to_json().contains("IS_EMPTY"));
    /// ```
    pub fn is_empty(property: impl Into<String>) -> Self {
        Self(Self::on(property, RefinementOperator::IsEmpty))
    }

    /// The property holds at least one of `values`.
    ///
    /// ```
    /// let f = cdp::blueconic::Filter::contains_any("country", ["NL"]);
    /// assert!(f.to_json().contains("CONTAINS_ANY"));
    /// ```
    pub fn contains_any<V: Into<PropertyValue>>(
        property: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::with_values(property, RefinementOperator::ContainsAny, values)
    }

    /// The property holds every one of `values`.
    ///
    /// ```
    /// let f = cdp::blueconic::Filter::contains_all("tags", ["a", "b"]);
    /// assert!(f.to_json().contains("CONTAINS_ALL"));
    /// ```
    pub fn contains_all<V: Into<PropertyValue>>(
        property: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::with_values(property, RefinementOperator::ContainsAll, values)
    }

    /// The property's value lies between `from` and `to` (numbers or date-times).
    ///
    /// ```
    /// let f = cdp::blueconic::Filter::in_range("age", 18, 65);
    /// assert!(f.to_json().contains(r#""fromValue":"18""#));
    /// ```
    pub fn in_range(
        property: impl Into<String>,
        from: impl Into<PropertyValue>,
        to: impl Into<PropertyValue>,
    ) -> Self {
        let mut refinement = Self::on(property, RefinementOperator::InRange);
        refinement.from_value = Some(from.into().into_wire());
        refinement.to_value = Some(to.into().into_wire());
        Self(refinement)
    }

    /// The date-time property lies within the last `days` days.
    ///
    /// ```
    /// let f = cdp::blueconic::Filter::in_last_days("lastvisitdate", 7);
    /// assert!(f.to_json().contains(r#""daysCount":7"#));
    /// ```
    pub fn in_last_days(property: impl Into<String>, days: u16) -> Self {
        let mut refinement = Self::on(property, RefinementOperator::InLastDays);
        refinement.days_count = Some(i32::from(days));
        Self(refinement)
    }

    /// The filter as the JSON text the `refinement` parameter takes.
    ///
    /// ```
    /// let json = cdp::blueconic::Filter::is_empty("email").to_json();
    /// assert_eq!(json, r#"{"operator":"IS_EMPTY","property":"email"}"#);
    /// ```
    pub fn to_json(&self) -> String {
        // A tree of strings, numbers and enums always serialises.
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// The generated `Refinement`, for what this builder does not cover.
    ///
    /// ```
    /// let r = cdp::blueconic::Filter::is_empty("email").into_refinement();
    /// assert_eq!(r.property.as_deref(), Some("email"));
    /// ```
    pub fn into_refinement(self) -> Refinement {
        self.0
    }
}

impl From<Refinement> for Filter {
    fn from(refinement: Refinement) -> Self {
        Self(refinement)
    }
}

impl std::ops::BitAnd for Filter {
    type Output = Filter;
    fn bitand(self, other: Filter) -> Filter {
        Filter::all([self, other])
    }
}

impl std::ops::BitOr for Filter {
    type Output = Filter;
    fn bitor(self, other: Filter) -> Filter {
        Filter::any([self, other])
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    /// The opposite test for the single-property operators; `!(a & b)` becomes `!a | !b`.
    fn not(self) -> Filter {
        use RefinementOperator as O;
        let mut r = self.0;
        let flipped = match r.operator.take() {
            Some(O::And) => {
                return Filter::any(r.filters.into_iter().map(|f| !Filter(f)));
            }
            Some(O::Or) => {
                return Filter::all(r.filters.into_iter().map(|f| !Filter(f)));
            }
            Some(O::IsEmpty) => O::NotIsEmpty,
            Some(O::NotIsEmpty) => O::IsEmpty,
            Some(O::ContainsAny) => O::NotContainsAny,
            Some(O::NotContainsAny) => O::ContainsAny,
            Some(O::ContainsAll) => O::NotContainsAll,
            Some(O::NotContainsAll) => O::ContainsAll,
            Some(O::InRange) => O::NotInRange,
            Some(O::NotInRange) => O::InRange,
            Some(O::InLastDays) => O::NotInLastDays,
            Some(O::NotInLastDays) => O::InLastDays,
            Some(other) => other,
            None => return Filter(r),
        };
        r.operator = Some(flipped);
        Filter(r)
    }
}
