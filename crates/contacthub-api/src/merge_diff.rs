//! Typed merge diffs: the generated structs compare themselves with an older value member by member,
//! as typed values, and hand on only the members that differ. A [`Differ`] (such as `cdp`'s mutation
//! tracking) turns those into a merge patch; nothing that did not change is written as JSON.

use serde::Serialize;

/// A generated struct that can list its members that differ from another value's (implemented by
/// codegen for every struct reachable from a customer).
///
/// ```
/// use contacthub_api::merge_diff::{Differ, MergeDiff};
/// use contacthub_api::types::Customer;
///
/// /// Collects the names of the members that differ, at any depth.
/// struct Names(Vec<&'static str>);
/// impl Differ for Names {
///     type Error = std::convert::Infallible;
///     fn object<T: MergeDiff>(&mut self, name: &'static str, new: Option<&T>, old: Option<&T>) -> Result<(), Self::Error> {
///         self.0.push(name);
///         if let (Some(new), Some(old)) = (new, old) {
///             new.merge_diff(old, self)?;
///         }
///         Ok(())
///     }
///     fn leaf<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, _: Option<&T>, _: Option<&T>) -> Result<(), Self::Error> {
///         self.0.push(name);
///         Ok(())
///     }
/// }
///
/// let old: Customer = serde_json::from_value(serde_json::json!({"id": "c1", "base": {"firstName": "Bruce"}})).unwrap();
/// let mut new = old.clone();
/// new.base_mut().first_name = Some("B.".into());
/// let mut names = Names(Vec::new());
/// new.merge_diff(&old, &mut names).unwrap();
/// assert_eq!(names.0, ["base", "firstName"]);
/// ```
pub trait MergeDiff: Serialize + PartialEq {
    /// Hands each member of `self` that differs from `old`'s to `diff`, by its name on the wire.
    fn merge_diff<D: Differ>(&self, old: &Self, diff: &mut D) -> Result<(), D::Error>;
}

/// What receives the members that differ (see [`MergeDiff`] for an example). A member that is absent
/// (`None`, or a list left out when empty) is given as `None`.
pub trait Differ {
    /// Why the diff stopped.
    type Error;

    /// A member that holds a generated struct, which can be compared member by member in turn.
    fn object<T: MergeDiff>(
        &mut self,
        name: &'static str,
        new: Option<&T>,
        old: Option<&T>,
    ) -> Result<(), Self::Error>;

    /// Any other member (a scalar, a list, a free-form object).
    fn leaf<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        new: Option<&T>,
        old: Option<&T>,
    ) -> Result<(), Self::Error>;
}
