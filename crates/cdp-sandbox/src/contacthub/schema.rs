//! The shape of a customer, after ContactHub's JSON Schemas (`specs/contacthub/customer-*.json`): what
//! request bodies are checked against, and what query attributes may name.

use serde_json::Value;

use super::{Problem, instant, time_zones};

/// The shape of one JSON value. `null` fits every shape (the schemas make every member nullable).
#[derive(Debug)]
pub(super) enum Shape {
    Str,
    Bool,
    Int,
    Num,
    /// `YYYY-MM-DD`.
    Date,
    /// An instant, RFC 3339 or ContactHub's `+0000` form.
    DateTime,
    Enum(&'static [&'static str]),
    /// One of the official time zone names (a closed list at the real service).
    TimeZone,
    Arr(&'static Shape),
    Obj(&'static Object),
    /// Any object (workspace-defined data).
    Free,
}

/// An object: its members, and those that must be present.
#[derive(Debug)]
pub(super) struct Object {
    pub(super) members: &'static [(&'static str, Shape)],
    pub(super) required: &'static [&'static str],
}

impl Object {
    pub(super) fn member(&self, name: &str) -> Option<&'static Shape> {
        self.members
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s)
    }
}

const fn obj(members: &'static [(&'static str, Shape)]) -> Object {
    Object {
        members,
        required: &[],
    }
}

const CONSENT: Object = obj(&[
    ("status", Shape::Bool),
    ("limitation", Shape::Bool),
    ("objection", Shape::Bool),
]);

static CONSENTS: Object = obj(&[
    (
        "disclaimer",
        Shape::Obj(&obj(&[("date", Shape::DateTime), ("version", Shape::Str)])),
    ),
    (
        "marketing",
        Shape::Obj(&obj(&[
            (
                "traditional",
                Shape::Obj(&obj(&[
                    ("telephonic", Shape::Obj(&CONSENT)),
                    ("papery", Shape::Obj(&CONSENT)),
                ])),
            ),
            (
                "automatic",
                Shape::Obj(&obj(&[
                    ("sms", Shape::Obj(&CONSENT)),
                    ("email", Shape::Obj(&CONSENT)),
                    ("push", Shape::Obj(&CONSENT)),
                    ("im", Shape::Obj(&CONSENT)),
                    ("telephonic", Shape::Obj(&CONSENT)),
                ])),
            ),
        ])),
    ),
    (
        "profiling",
        Shape::Obj(&obj(&[
            ("classic", Shape::Obj(&CONSENT)),
            ("online", Shape::Obj(&CONSENT)),
        ])),
    ),
    (
        "softSpam",
        Shape::Obj(&obj(&[
            ("email", Shape::Obj(&CONSENT)),
            ("papery", Shape::Obj(&CONSENT)),
        ])),
    ),
    (
        "thirdPartyTransfer",
        Shape::Obj(&obj(&[
            ("profiling", Shape::Obj(&CONSENT)),
            ("marketing", Shape::Obj(&CONSENT)),
        ])),
    ),
]);

pub(super) static EDUCATION: Object = obj(&[
    ("id", Shape::Str),
    (
        "schoolType",
        Shape::Enum(&[
            "PRIMARY_SCHOOL",
            "SECONDARY_SCHOOL",
            "HIGH_SCHOOL",
            "COLLEGE",
            "OTHER",
        ]),
    ),
    ("schoolName", Shape::Str),
    ("schoolConcentration", Shape::Str),
    ("startYear", Shape::Int),
    ("endYear", Shape::Int),
    ("isCurrent", Shape::Bool),
]);

pub(super) static LIKE: Object = obj(&[
    ("id", Shape::Str),
    ("category", Shape::Str),
    ("name", Shape::Str),
    ("createdTime", Shape::DateTime),
]);

pub(super) static JOB: Object = obj(&[
    ("id", Shape::Str),
    ("companyIndustry", Shape::Str),
    ("companyName", Shape::Str),
    ("jobTitle", Shape::Str),
    ("startDate", Shape::Date),
    ("endDate", Shape::Date),
    ("isCurrent", Shape::Bool),
]);

pub(super) static SUBSCRIPTION: Object = obj(&[
    ("id", Shape::Str),
    ("name", Shape::Str),
    ("type", Shape::Str),
    (
        "kind",
        Shape::Enum(&["DIGITAL_MESSAGE", "SERVICE", "OTHER"]),
    ),
    ("subscribed", Shape::Bool),
    ("startDate", Shape::DateTime),
    ("endDate", Shape::DateTime),
    ("subscriberId", Shape::Str),
    ("registeredAt", Shape::DateTime),
    ("updatedAt", Shape::DateTime),
    (
        "preferences",
        Shape::Arr(&Shape::Obj(&obj(&[
            ("key", Shape::Str),
            ("value", Shape::Str),
        ]))),
    ),
]);

static CONTACTS: Object = obj(&[
    ("email", Shape::Str),
    ("fax", Shape::Str),
    ("mobilePhone", Shape::Str),
    ("phone", Shape::Str),
    (
        "otherContacts",
        Shape::Arr(&Shape::Obj(&Object {
            members: &[
                ("name", Shape::Str),
                (
                    "type",
                    Shape::Enum(&["MOBILE", "PHONE", "EMAIL", "FAX", "OTHER"]),
                ),
                ("value", Shape::Str),
            ],
            // The official customer JSON Schema requires no member of a contact or a device.
            required: &[],
        })),
    ),
    (
        "mobileDevices",
        Shape::Arr(&Shape::Obj(&Object {
            members: &[
                ("identifier", Shape::Str),
                ("appId", Shape::Str),
                ("name", Shape::Str),
                (
                    "type",
                    Shape::Enum(&["IOS", "ANDROID", "WINDOWS_PHONE", "FIREOS"]),
                ),
                (
                    "notificationService",
                    Shape::Enum(&["APN", "GCM", "WNS", "ADM", "SNS"]),
                ),
            ],
            required: &[],
        })),
    ),
]);

static BASE: Object = obj(&[
    ("pictureUrl", Shape::Str),
    ("title", Shape::Str),
    ("prefix", Shape::Str),
    ("firstName", Shape::Str),
    ("lastName", Shape::Str),
    ("middleName", Shape::Str),
    ("gender", Shape::Str),
    ("dob", Shape::Date),
    ("locale", Shape::Str),
    ("timezone", Shape::TimeZone),
    ("contacts", Shape::Obj(&CONTACTS)),
    (
        "address",
        Shape::Obj(&obj(&[
            ("street", Shape::Str),
            ("city", Shape::Str),
            ("country", Shape::Str),
            ("region", Shape::Str),
            ("province", Shape::Str),
            ("zip", Shape::Str),
            (
                "geo",
                Shape::Obj(&obj(&[("lat", Shape::Num), ("lon", Shape::Num)])),
            ),
        ])),
    ),
    (
        "credential",
        Shape::Obj(&obj(&[("username", Shape::Str), ("password", Shape::Str)])),
    ),
    ("educations", Shape::Arr(&Shape::Obj(&EDUCATION))),
    ("likes", Shape::Arr(&Shape::Obj(&LIKE))),
    (
        "socialProfile",
        Shape::Obj(&obj(&[
            ("facebook", Shape::Str),
            ("google", Shape::Str),
            ("instagram", Shape::Str),
            ("linkedin", Shape::Str),
            ("qzone", Shape::Str),
            ("twitter", Shape::Str),
        ])),
    ),
    ("jobs", Shape::Arr(&Shape::Obj(&JOB))),
    ("subscriptions", Shape::Arr(&Shape::Obj(&SUBSCRIPTION))),
]);

/// A customer as a client writes it (`registeredAt`/`updatedAt` are accepted and ignored on writes).
pub(super) static CUSTOMER: Object = obj(&[
    ("id", Shape::Str),
    ("nodeId", Shape::Str),
    ("externalId", Shape::Str),
    ("extra", Shape::Str),
    ("enabled", Shape::Bool),
    ("registeredAt", Shape::DateTime),
    ("updatedAt", Shape::DateTime),
    ("base", Shape::Obj(&BASE)),
    ("consents", Shape::Obj(&CONSENTS)),
    ("extended", Shape::Free),
    (
        "tags",
        Shape::Obj(&obj(&[
            ("auto", Shape::Arr(&Shape::Str)),
            ("manual", Shape::Arr(&Shape::Str)),
        ])),
    ),
]);

/// Checks a value against a shape, adding one problem per misfit, with JSON pointers from `at`.
pub(super) fn check(value: &Value, shape: &Shape, at: &str, problems: &mut Vec<Problem>) {
    let fits = match (shape, value) {
        (_, Value::Null) => true,
        (Shape::Str, v) => v.is_string(),
        (Shape::Bool, v) => v.is_boolean(),
        (Shape::Int, v) => v.is_i64() || v.is_u64(),
        (Shape::Num, v) => v.is_number(),
        (Shape::Date, Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        (Shape::DateTime, Value::String(s)) => instant::parse(s).is_some(),
        (Shape::Enum(values), Value::String(s)) => values.contains(&s.as_str()),
        (Shape::TimeZone, Value::String(s)) => time_zones::is_official(s),
        (Shape::Arr(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check(v, item, &format!("{at}/{i}"), problems);
            }
            true
        }
        (Shape::Obj(object), Value::Object(members)) => {
            check_object(members, object, at, problems);
            true
        }
        (Shape::Free, v) => v.is_object(),
        _ => false,
    };
    if !fits {
        problems.push(Problem::new(at, expected(shape)));
    }
}

fn check_object(
    members: &serde_json::Map<String, Value>,
    object: &Object,
    at: &str,
    problems: &mut Vec<Problem>,
) {
    for required in object.required {
        if members.get(*required).is_none_or(Value::is_null) {
            problems.push(Problem::new(
                format!("{at}/{required}"),
                "the member is required",
            ));
        }
    }
    for (name, value) in members {
        match object.member(name) {
            Some(shape) => check(value, shape, &format!("{at}/{name}"), problems),
            None => problems.push(Problem::new(
                format!("{at}/{name}"),
                "the member is not in the schema",
            )),
        }
    }
}

/// Checks an object body against an object shape.
pub(super) fn check_body(body: &Value, object: &'static Object) -> Vec<Problem> {
    let mut problems = Vec::new();
    check(body, &Shape::Obj(object), "", &mut problems);
    problems
}

fn expected(shape: &Shape) -> String {
    match shape {
        Shape::Str => "expected a string".into(),
        Shape::Bool => "expected a boolean".into(),
        Shape::Int => "expected an integer".into(),
        Shape::Num => "expected a number".into(),
        Shape::Date => "expected a date (YYYY-MM-DD)".into(),
        Shape::DateTime => "expected a date-time".into(),
        Shape::Enum(values) => format!("expected one of {}", values.join(", ")),
        Shape::TimeZone => "expected a time zone of the official list".into(),
        Shape::Arr(_) => "expected an array".into(),
        Shape::Obj(_) | Shape::Free => "expected an object".into(),
    }
}

/// The shape at a dotted attribute of a customer (`base.contacts.email`); arrays are looked through, and
/// anything below `extended` is accepted. `None` when the customer has no such attribute.
pub(super) fn attribute(path: &str) -> Option<&'static Shape> {
    static ROOT: Shape = Shape::Obj(&CUSTOMER);
    let mut shape: &'static Shape = &ROOT;
    for part in path.split('.') {
        while let Shape::Arr(item) = shape {
            shape = item;
        }
        shape = match shape {
            Shape::Obj(object) => object.member(part)?,
            Shape::Free => return Some(&Shape::Free),
            _ => return None,
        };
    }
    Some(shape)
}

/// Removes every `null` member and element, recursively: the sandbox stores no nulls.
pub(super) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.retain(|_, v| !v.is_null());
            members.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn problems_point_at_the_member() {
        let body = json!({"nodeId": "n", "base": {"dob": "1990-13-01", "nick": "x",
            "contacts": {"otherContacts": [{"name": "a", "type": "PAGER"}]}, "timezone": "UTC"},
            "tags": {"manual": [1]}});
        let paths: Vec<String> = check_body(&body, &CUSTOMER)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/base/contacts/otherContacts/0/type",
                "/base/dob",
                "/base/nick",
                "/base/timezone",
                "/tags/manual/0"
            ]
        );
        assert!(check_body(&json!({"extended": {"any": [1, {"x": null}]}}), &CUSTOMER).is_empty());
    }

    #[test]
    fn partial_devices_and_contacts_are_valid_as_in_the_official_schema() {
        let body = json!({"base": {"contacts": {"otherContacts": [{"type": "EMAIL"}],
            "mobileDevices": [{"type": "IOS"}]}, "timezone": "Europe/Rome"}});
        assert!(check_body(&body, &CUSTOMER).is_empty());
    }

    #[test]
    fn attributes_are_looked_up_through_arrays_and_extended() {
        assert!(matches!(attribute("base.contacts.email"), Some(Shape::Str)));
        assert!(matches!(
            attribute("base.educations.schoolType"),
            Some(Shape::Enum(_))
        ));
        assert!(matches!(attribute("extended.a.b"), Some(Shape::Free)));
        assert!(attribute("base.nope").is_none());
        assert!(attribute("base.firstName.x").is_none());
    }
}
