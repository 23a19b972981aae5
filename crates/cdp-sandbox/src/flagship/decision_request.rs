//! Reading a decision request: the visitor in the body and the answer's options in the query string.

use serde_json::{Map, Value};

/// The visitor a decision is for.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    pub(crate) id: String,
    pub(crate) anonymous_id: Option<String>,
    pub(crate) context: Map<String, Value>,
    pub(crate) decision_group: Option<String>,
    pub(crate) trigger_hit: bool,
}

impl Visitor {
    /// Parses a decision body. The service reads it with protojson, which takes both `lowerCamelCase`
    /// and `snake_case` names, so both are accepted here.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
        let Value::Object(object) = value else {
            return Err("the body must be a JSON object".to_owned());
        };
        let id = match field(&object, "visitorId", "visitor_id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                return Err("visitorId is required".to_owned());
            }
            Some(_) => return Err("visitorId must be a string".to_owned()),
        };
        let anonymous_id = optional_text(&object, "anonymousId", "anonymous_id")?;
        let decision_group = optional_text(&object, "decisionGroup", "decision_group")?;
        let context = match field(&object, "context", "context") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(context)) => context.clone(),
            Some(_) => return Err("context must be an object".to_owned()),
        };
        let trigger_hit = match field(&object, "triggerHit", "trigger_hit") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("trigger_hit must be a boolean".to_owned()),
        };
        Ok(Self {
            id,
            anonymous_id,
            context,
            decision_group,
            trigger_hit,
        })
    }

    /// The id that is hashed for allocation: the decision group when there is one, so that every visitor
    /// of a group gets the same variations.
    pub(crate) fn hashed_id(&self) -> &str {
        self.decision_group.as_deref().unwrap_or(&self.id)
    }
}

fn field<'a>(object: &'a Map<String, Value>, camel: &str, snake: &str) -> Option<&'a Value> {
    object.get(camel).or_else(|| object.get(snake))
}

fn optional_text(
    object: &Map<String, Value>,
    camel: &str,
    snake: &str,
) -> Result<Option<String>, String> {
    match field(object, camel, snake) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{snake} must be a string")),
    }
}

/// How much a decision answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `campaigns` only.
    Normal,
    /// `campaignsVariation` and `mergedModifications` only.
    Simple,
    /// Both.
    Full,
}

/// The query string of a decision route.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) mode: Mode,
    pub(crate) expose_all_keys: bool,
    pub(crate) account_settings: bool,
    pub(crate) send_context_event: bool,
}

impl Options {
    /// Parses `exposeAllKeys`, `mode`, `extras[]` (or `extras`, as the self-hosted API reads it) and
    /// `sendContextEvent`; unknown parameters are ignored, as the service does.
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, String> {
        let mut options = Self {
            mode: Mode::Normal,
            expose_all_keys: false,
            account_settings: false,
            send_context_event: true,
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "exposeAllKeys" => options.expose_all_keys = boolean(&key, &value)?,
                "sendContextEvent" => options.send_context_event = boolean(&key, &value)?,
                "mode" => {
                    options.mode = match value.as_ref() {
                        "" | "normal" => Mode::Normal,
                        "simple" => Mode::Simple,
                        "full" => Mode::Full,
                        other => {
                            return Err(format!(
                                "mode `{other}` is not one of normal, simple, full"
                            ));
                        }
                    }
                }
                "extras[]" | "extras"
                    if value
                        .split(',')
                        .any(|extra| extra.trim() == "accountSettings") =>
                {
                    options.account_settings = true;
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// A boolean as Go's `strconv.ParseBool` reads it.
fn boolean(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("{key} must be a boolean, got `{value}`")),
    }
}
