//! Paged listings: the `page`/`size` parameters, the `page` object, `sort` and `fields`.

use std::cmp::Ordering;

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::input::Params;
use super::query::{compare, resolve};
use super::{Problem, invalid};

/// The largest page ContactHub serves.
const MAX_SIZE: u64 = 50;
const DEFAULT_SIZE: u64 = 20;

/// Which page a listing asked for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paging {
    pub(super) number: u64,
    pub(super) size: u64,
}

impl Paging {
    /// Reads `page` (0-based, default 0) and `size` (1 to 50, default 20).
    pub(super) fn from(params: &Params) -> Result<Self, Response> {
        let number = params.number("page", 0)?;
        let size = params.number("size", DEFAULT_SIZE)?;
        if size == 0 || size > MAX_SIZE {
            return Err(invalid(
                &format!("the page size must be between 1 and {MAX_SIZE}"),
                vec![Problem::new(
                    "size",
                    format!("{size} is not between 1 and {MAX_SIZE}"),
                )],
            ));
        }
        Ok(Self { number, size })
    }

    /// The slice of `items` on this page.
    pub(super) fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        let start = usize::try_from(self.number.saturating_mul(self.size)).unwrap_or(usize::MAX);
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        items.iter().skip(start).take(size).cloned().collect()
    }

    /// The `page` object of a response.
    pub(super) fn page(&self, total: usize, unfiltered: usize) -> Value {
        let total = total as u64;
        json!({
            "size": self.size,
            "totalElements": total,
            "totalUnfilteredElements": unfiltered as u64,
            "totalPages": total.div_ceil(self.size),
            "number": self.number,
        })
    }
}

/// A `sort` parameter: `field` or `field,asc|desc`.
#[derive(Debug)]
pub(super) struct Sort {
    field: String,
    descending: bool,
}

impl Sort {
    pub(super) fn parse(text: &str) -> Result<Self, Response> {
        let (field, direction) = match text.split_once(',') {
            Some((field, direction)) => (field.trim(), direction.trim().to_ascii_lowercase()),
            None => (text.trim(), "asc".to_owned()),
        };
        let descending = match direction.as_str() {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(invalid(
                    "the sort direction must be `asc` or `desc`",
                    vec![Problem::new(
                        "sort",
                        format!("unknown direction `{direction}`"),
                    )],
                ));
            }
        };
        if super::schema::attribute(field).is_none() {
            return Err(invalid(
                &format!("cannot sort by `{field}`"),
                vec![Problem::new("sort", format!("unknown field `{field}`"))],
            ));
        }
        Ok(Self {
            field: field.to_owned(),
            descending,
        })
    }

    /// Sorts values by the field (stable; values without it go last in either direction).
    pub(super) fn apply(&self, items: &mut [&Value]) {
        let key = |v: &Value| {
            let mut found = Vec::new();
            resolve(v, &self.field, &mut found);
            found.first().map(|v| (*v).clone())
        };
        let mut keyed: Vec<(Option<Value>, &Value)> = items.iter().map(|v| (key(v), *v)).collect();
        keyed.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(a), Some(b)) => {
                let order = compare(a, b).unwrap_or(Ordering::Equal);
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        for (slot, (_, value)) in items.iter_mut().zip(keyed) {
            *slot = value;
        }
    }
}

/// Keeps only `id` and the listed dotted paths of a customer.
pub(super) fn project(customer: &Value, fields: &[&str]) -> Value {
    let mut out = Map::new();
    if let Some(id) = customer.get("id") {
        out.insert("id".into(), id.clone());
    }
    for field in fields {
        copy_path(customer, &mut out, field);
    }
    Value::Object(out)
}

fn copy_path(from: &Value, to: &mut Map<String, Value>, path: &str) {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let Some(value) = from.get(head) else {
        return;
    };
    match (value, rest) {
        (Value::Object(_), Some(rest)) => {
            let entry = to
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                copy_path(value, inner, rest);
            }
        }
        // A leaf, or a path that crosses an array or a scalar: copy what is there.
        _ => {
            to.insert(head.to_owned(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_the_id_and_the_paths() {
        let customer = json!({"id": "c", "extra": "x", "base": {"firstName": "A", "lastName": "B",
            "contacts": {"email": "a@b", "phone": "1"}}});
        let projected = project(
            &customer,
            &["base.firstName", "base.contacts.email", "nope.x"],
        );
        assert_eq!(
            projected,
            json!({"id": "c", "base": {"firstName": "A", "contacts": {"email": "a@b"}}})
        );
    }

    #[test]
    fn pages_count_up() {
        let paging = Paging { number: 2, size: 3 };
        assert_eq!(paging.slice(&[1, 2, 3, 4, 5, 6, 7]), [7]);
        assert_eq!(paging.page(7, 9)["totalPages"], 3);
    }
}
