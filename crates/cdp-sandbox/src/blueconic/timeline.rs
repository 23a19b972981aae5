//! The `timeline` of a bulk entry: events created, replaced, merged or deleted, with a result each
//! (`CREATED`, `MODIFIED`, `DELETED`, `NOTFOUND`, `REJECTED`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::dates;
use super::store::{Event, Profile, Store};
use super::values::{Strategy, combine};

/// The most timeline events a profile keeps (the oldest go first).
const MAX_EVENTS: usize = 250;

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum TimelineStrategy {
    #[default]
    Set,
    Upsert,
    Update,
    Delete,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventChange {
    id: Option<String>,
    event_type_id: Option<String>,
    date: Option<String>,
    identifier: Option<String>,
    strategy: Option<TimelineStrategy>,
    #[serde(default)]
    data: Option<Vec<DataChange>>,
}

#[derive(Debug, Deserialize)]
struct DataChange {
    id: String,
    #[serde(default)]
    values: Option<Vec<Value>>,
    strategy: Option<Strategy>,
}

/// Applies the timeline changes of an entry; says whether the timeline changed, and the result of each.
pub(super) fn change_timeline(
    store: &mut Store,
    id: &str,
    changes: &[EventChange],
) -> (bool, Vec<Value>) {
    let Some(profile) = store.profiles.get_mut(id) else {
        return (false, Vec::new());
    };
    let mut changed = false;
    let mut results = Vec::new();
    for (k, change) in changes.iter().enumerate() {
        let (state, event_id, problems) = change_event(profile, change, k);
        changed |= matches!(state, "CREATED" | "MODIFIED" | "DELETED");
        let mut result = Map::new();
        if let Some(event_id) = event_id {
            result.insert("id".into(), json!(event_id));
        }
        if let Some(identifier) = &change.identifier {
            result.insert("identifier".into(), json!(identifier));
        }
        result.insert("state".into(), json!(state));
        if !problems.is_empty() {
            result.insert("validationErrors".into(), json!(problems));
        }
        results.push(Value::Object(result));
    }
    if changed {
        profile.events.sort_by_key(|e| std::cmp::Reverse(e.at));
        profile.events.truncate(MAX_EVENTS);
    }
    (changed, results)
}

fn change_event(
    profile: &mut Profile,
    change: &EventChange,
    k: usize,
) -> (&'static str, Option<String>, Vec<String>) {
    let strategy = change.strategy.unwrap_or_default();
    // The official schema allows only ADD, SET and SET_IF_EMPTY for the data of a timeline event.
    let refused: Vec<String> = change
        .data
        .iter()
        .flatten()
        .filter(|d| matches!(d.strategy, Some(Strategy::Increment | Strategy::Remove)))
        .map(|d| {
            format!(
                "#/{}/strategy: only ADD, SET and SET_IF_EMPTY apply to timeline event data",
                d.id
            )
        })
        .collect();
    if !refused.is_empty() {
        return ("REJECTED", change.id.clone(), refused);
    }
    let existing = change
        .id
        .as_ref()
        .and_then(|id| profile.events.iter().position(|e| e.id == *id));
    let date = match change.date.as_deref().filter(|d| !d.trim().is_empty()) {
        // "If empty, now will be used."
        None => None,
        Some(text) => match dates::parse(text) {
            Some(at) => Some((text.to_owned(), at)),
            None => {
                return (
                    "REJECTED",
                    change.id.clone(),
                    vec![format!("#/date: `{text}` is not an ISO 8601 date-time")],
                );
            }
        },
    };
    match (strategy, existing) {
        (TimelineStrategy::Delete, Some(index)) => {
            let removed = profile.events.remove(index);
            ("DELETED", Some(removed.id), Vec::new())
        }
        (TimelineStrategy::Delete | TimelineStrategy::Update, None) => {
            ("NOTFOUND", change.id.clone(), Vec::new())
        }
        (TimelineStrategy::Set, Some(index)) => {
            let Some(event) = profile.events.get_mut(index) else {
                return ("NOTFOUND", change.id.clone(), Vec::new());
            };
            let fresh = match new_event(change, date, k, &profile.id) {
                Ok(fresh) => fresh,
                Err(problems) => return ("REJECTED", change.id.clone(), problems),
            };
            *event = fresh;
            ("MODIFIED", Some(event.id.clone()), Vec::new())
        }
        (TimelineStrategy::Upsert | TimelineStrategy::Update, Some(index)) => {
            let Some(event) = profile.events.get_mut(index) else {
                return ("NOTFOUND", change.id.clone(), Vec::new());
            };
            if let Some(type_id) = &change.event_type_id {
                event.event_type_id = type_id.clone();
            }
            if let Some((text, at)) = date {
                event.date = text;
                event.at = at;
            }
            let mut problems = Vec::new();
            for data in change.data.iter().flatten() {
                let position = event.data.iter().position(|(id, _)| *id == data.id);
                let current = position
                    .and_then(|p| event.data.get(p))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let incoming = data.values.clone().unwrap_or_default();
                match combine(&current, &incoming, data.strategy.unwrap_or_default()) {
                    Ok(next) => match position.and_then(|p| event.data.get_mut(p)) {
                        Some(slot) => slot.1 = next,
                        None => event.data.push((data.id.clone(), next)),
                    },
                    Err(problem) => problems.push(format!("#/{}: {problem}", data.id)),
                }
            }
            if problems.is_empty() {
                ("MODIFIED", Some(event.id.clone()), problems)
            } else {
                ("REJECTED", Some(event.id.clone()), problems)
            }
        }
        (TimelineStrategy::Set | TimelineStrategy::Upsert, None) => {
            match new_event(change, date, k, &profile.id) {
                Ok(event) => {
                    let id = event.id.clone();
                    profile.events.push(event);
                    ("CREATED", Some(id), Vec::new())
                }
                Err(problems) => ("REJECTED", change.id.clone(), problems),
            }
        }
    }
}

fn new_event(
    change: &EventChange,
    date: Option<(String, DateTime<Utc>)>,
    k: usize,
    profile_id: &str,
) -> Result<Event, Vec<String>> {
    let Some(event_type_id) = change.event_type_id.clone().filter(|t| !t.is_empty()) else {
        return Err(vec![
            "#/eventTypeId: required to create an event".to_owned(),
        ]);
    };
    let (date, at) = date.unwrap_or_else(|| {
        let now = Utc::now();
        (dates::format(now), now)
    });
    let id = change.id.clone().unwrap_or_else(|| {
        let short = profile_id.get(..8).unwrap_or(profile_id);
        format!("{event_type_id}_{short}_{}_{k}", at.timestamp_millis())
    });
    let data = change
        .data
        .iter()
        .flatten()
        .map(|d| (d.id.clone(), d.values.clone().unwrap_or_default()))
        .collect();
    Ok(Event {
        id,
        event_type_id,
        date,
        at,
        data,
    })
}
