//! Responses checked against the specs: a [`Conformance`] transport sends each request for real, validates
//! the response body against the schema the spec gives for that operation and status, and records which
//! operations were seen, so a test can assert that every route of a spec was exercised.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cdp_transport::{Auth, BoxFuture, Inner, Transport};
use serde_json::Value;

/// A spec, bundled as codegen sees it, with its operations by progenitor's snake-case name.
#[derive(Debug)]
pub struct Spec {
    name: String,
    root: Value,
    /// snake_case operation id → (spec operation id, the operation object).
    operations: BTreeMap<String, (String, Value)>,
}

impl Spec {
    /// Loads `specs/<service>.yaml` (`contacthub`, `blueconic`, `customer-profiles`, `flagship`).
    pub fn load(service: &str) -> Self {
        let root_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let file = format!("specs/{service}.yaml");
        let loaded =
            cdp_codegen::spec::load(&root_dir.join(&file), &file).unwrap_or_else(|e| panic!("{e}"));
        let mut operations = BTreeMap::new();
        for (_, item) in loaded.json["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    let _ = method;
                    operations.insert(
                        heck::ToSnakeCase::to_snake_case(id),
                        (id.to_owned(), op.clone()),
                    );
                }
            }
        }
        Self {
            name: file,
            root: loaded.json,
            operations,
        }
    }

    /// Every operation's snake-case name (as progenitor and the transport call it).
    pub fn operations(&self) -> BTreeSet<String> {
        self.operations.keys().cloned().collect()
    }

    /// Checks a response body against the spec for operation `op` (snake case) and `status`.
    pub fn check(&self, op: &str, status: u16, body: &[u8]) -> Result<(), String> {
        let (id, operation) = self
            .operations
            .get(op)
            .ok_or_else(|| format!("{}: no operation `{op}`", self.name))?;
        let responses = &operation["responses"];
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let response = responses
            .get(&exact)
            .or_else(|| responses.get(&range))
            .ok_or_else(|| format!("{id}: status {status} is not in the spec"))?;
        let response = self.resolve(response);
        let schema = response.pointer("/content/application~1json/schema");
        let Some(schema) = schema else {
            return if body.iter().all(u8::is_ascii_whitespace) {
                Ok(())
            } else {
                Err(format!(
                    "{id} {status}: the spec declares no body, got {}",
                    String::from_utf8_lossy(body)
                ))
            };
        };
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            format!(
                "{id} {status}: body is not JSON ({e}): {}",
                String::from_utf8_lossy(body)
            )
        })?;
        let mut problems = Vec::new();
        self.validate(&value, schema, "$", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{id} {status}: {}", problems.join("; ")))
        }
    }

    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => self
                .root
                .pointer(pointer)
                .map(|v| self.resolve(v))
                .unwrap_or(value),
            None => value,
        }
    }

    /// Strict validation: types, formats, known enum values, required members, and no member the schema
    /// does not declare (unless it allows additional properties).
    fn validate(&self, value: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) && schema.get("type").is_some() {
                problems.push(format!("{at}: null where the schema does not allow it"));
            }
            return;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && !values.contains(value)
        {
            problems.push(format!("{at}: {value} is not one of the spec's values"));
        }
        let kind = schema.get("type").and_then(Value::as_str);
        let ok = match kind {
            None => true,
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some("array") => value.is_array(),
            Some("object") => value.is_object(),
            Some(other) => {
                problems.push(format!("{at}: unknown schema type {other}"));
                true
            }
        };
        if !ok {
            problems.push(format!(
                "{at}: expected {}, got {value}",
                kind.unwrap_or_default()
            ));
            return;
        }
        match (value, schema.get("format").and_then(Value::as_str)) {
            (Value::String(s), Some("date-time"))
                if serde_json::from_value::<chrono::DateTime<chrono::Utc>>(Value::String(
                    s.clone(),
                ))
                .is_err() =>
            {
                problems.push(format!("{at}: `{s}` is not a date-time"));
            }
            (Value::String(s), Some("date"))
                if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() =>
            {
                problems.push(format!("{at}: `{s}` is not a date"));
            }
            _ => {}
        }
        if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
            for (i, item) in items.iter().enumerate() {
                self.validate(item, item_schema, &format!("{at}[{i}]"), problems);
            }
        }
        if let Value::Object(members) = value {
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = required.as_str()
                    && !members.contains_key(name)
                {
                    problems.push(format!("{at}: required member `{name}` is missing"));
                }
            }
            let additional = schema.get("additionalProperties");
            for (name, member) in members {
                let here = format!("{at}.{name}");
                match (properties.and_then(|p| p.get(name)), additional) {
                    (Some(member_schema), _) => {
                        self.validate(member, member_schema, &here, problems)
                    }
                    (None, Some(Value::Bool(true))) => {}
                    (None, Some(extra)) if extra.is_object() => {
                        self.validate(member, extra, &here, problems)
                    }
                    (None, _) if properties.is_none() => {}
                    (None, _) => problems.push(format!("{here}: not a member the spec declares")),
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct Record {
    seen: BTreeSet<(String, u16)>,
    failures: Vec<String>,
}

/// A transport that sends for real and checks every response against the spec. Clones share records.
///
/// ```no_run
/// use cdp_tests::conformance::Conformance;
///
/// let conformance = Conformance::new("flagship");
/// let inner = conformance.inner(cdp_transport::Auth::api_key("x-api-key", "key"));
/// // Build the generated client with `inner`, call every operation (successes and failures), then:
/// conformance.assert_conforms();
/// conformance.assert_every_operation_succeeded();
/// # let _ = inner;
/// ```
#[derive(Debug, Clone)]
pub struct Conformance {
    spec: Arc<Spec>,
    record: Arc<Mutex<Record>>,
}

impl Conformance {
    /// A conformance checker for `specs/<service>.yaml`.
    pub fn new(service: &str) -> Self {
        Self {
            spec: Arc::new(Spec::load(service)),
            record: Arc::default(),
        }
    }

    /// A client `Inner` that sends through this checker with `auth`.
    pub fn inner(&self, auth: Auth) -> Inner {
        Inner::new(auth).with_transport(self.clone())
    }

    /// The operations and statuses seen so far.
    pub fn seen(&self) -> BTreeSet<(String, u16)> {
        self.lock().seen.clone()
    }

    /// Panics listing every response that did not match the spec.
    pub fn assert_conforms(&self) {
        let failures = self.lock().failures.clone();
        assert!(
            failures.is_empty(),
            "responses that do not match the spec:\n{}",
            failures.join("\n")
        );
    }

    /// Panics listing the spec operations never answered with a 2xx.
    pub fn assert_every_operation_succeeded(&self) {
        let seen = self.seen();
        let missing: Vec<String> = self
            .spec
            .operations()
            .into_iter()
            .filter(|op| !seen.iter().any(|(o, s)| o == op && (200..300).contains(s)))
            .collect();
        assert!(
            missing.is_empty(),
            "operations never answered with success: {missing:?}"
        );
    }

    fn lock(&self) -> MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Transport for Conformance {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(async move {
            let response = client.execute(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            {
                let mut record = self.lock();
                record.seen.insert((operation.to_owned(), status.as_u16()));
                if let Err(problem) = self.spec.check(operation, status.as_u16(), &body) {
                    record.failures.push(problem);
                }
            }
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            Ok(reqwest::Response::from(rebuilt))
        })
    }
}
