//! A profile as BlueConic returns it, cut down to the properties asked for and expanded with segments
//! and timeline events on request.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::params::Params;
use super::store::{Event, Profile, Store};
use super::{Refusal, dates};

/// BlueConic's default `eventCount`.
const DEFAULT_EVENT_COUNT: i64 = 20;

/// Which timeline events to return.
#[derive(Debug)]
pub(super) struct TimelineFilter {
    types: Vec<String>,
    properties: Vec<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    count: usize,
}

impl TimelineFilter {
    /// Every event.
    pub(super) fn everything() -> Self {
        Self {
            types: Vec::new(),
            properties: Vec::new(),
            from: None,
            to: None,
            count: usize::MAX,
        }
    }

    fn keeps(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.contains(&event.event_type_id))
            && self.from.is_none_or(|from| event.at >= from)
            && self.to.is_none_or(|to| event.at <= to)
    }
}

/// What to show of a profile.
#[derive(Debug)]
pub(super) struct View {
    /// Only these properties; all when `None`.
    properties: Option<BTreeSet<String>>,
    permissions: bool,
    segments: bool,
    segment_tags: bool,
    timeline: Option<TimelineFilter>,
}

impl View {
    /// Everything: for the sandbox's own inspection methods.
    pub(super) fn full() -> Self {
        Self {
            properties: None,
            permissions: true,
            segments: true,
            segment_tags: true,
            timeline: Some(TimelineFilter::everything()),
        }
    }

    /// The view the parameters ask for. `prefix` is how `expand` names the parts of a profile
    /// (`profile.` on one profile, `profiles.profile.` on the profiles of a segment); one profile always
    /// shows its permissions, a segment's profiles only when expanded.
    pub(super) fn from_params(
        params: &Params,
        prefix: &str,
        single: bool,
    ) -> Result<Self, Refusal> {
        let expand = params.all("expand");
        let collapse = params.all("collapse");
        let wants = |part: &str| {
            let name = format!("{prefix}{part}");
            expand.iter().any(|e| *e == name) && !collapse.iter().any(|c| *c == name)
        };
        let mut properties: Vec<String> = params.list("properties");
        properties.extend(params.all("profileProperty").into_iter().map(str::to_owned));
        let timeline = if wants("timeline") {
            let count = params
                .int("eventCount", 0, i64::from(i32::MAX))?
                .unwrap_or(DEFAULT_EVENT_COUNT);
            Some(TimelineFilter {
                types: params
                    .all("eventTypeId")
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                properties: params
                    .all("eventProperty")
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                from: params.date("fromDate")?,
                to: params.date("toDate")?,
                count: usize::try_from(count).unwrap_or(usize::MAX),
            })
        } else {
            None
        };
        Ok(Self {
            properties: (!properties.is_empty()).then(|| properties.into_iter().collect()),
            permissions: single || wants("permissions"),
            segments: wants("segments") || wants("segments.tags"),
            segment_tags: wants("segments.tags"),
            timeline,
        })
    }

    pub(super) fn render(&self, store: &Store, profile: &Profile) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(profile.id));
        out.insert(
            "creationDate".into(),
            json!(dates::format(profile.creation_date)),
        );
        out.insert(
            "lastModifiedDate".into(),
            json!(dates::format(profile.last_modified_date)),
        );
        out.insert(
            "privacyLegislation".into(),
            json!(profile.privacy_legislation),
        );
        out.insert(
            "consentedObjectives".into(),
            json!(profile.consented_objectives),
        );
        out.insert(
            "refusedObjectives".into(),
            json!(profile.refused_objectives),
        );
        if self.permissions {
            out.insert(
                "permissions".into(),
                json!({"level": profile.permission_level}),
            );
        }
        let properties: Vec<Value> = profile
            .properties
            .iter()
            .filter(|(id, _)| self.properties.as_ref().is_none_or(|p| p.contains(*id)))
            .map(|(id, values)| json!({"id": id, "values": values}))
            .collect();
        out.insert("properties".into(), Value::Array(properties));
        if self.segments {
            let segments: Vec<Value> = store
                .segments_of(&profile.id)
                .into_iter()
                .map(|s| {
                    if self.segment_tags {
                        json!({"id": s.id, "name": s.name, "tags": s.tags})
                    } else {
                        json!({"id": s.id, "name": s.name})
                    }
                })
                .collect();
            out.insert("segments".into(), Value::Array(segments));
        }
        if let Some(filter) = &self.timeline {
            let events: Vec<Value> = profile
                .events
                .iter()
                .filter(|e| filter.keeps(e))
                .take(filter.count)
                .map(|e| event(e, &filter.properties))
                .collect();
            out.insert("events".into(), Value::Array(events));
        }
        Value::Object(out)
    }
}

fn event(event: &Event, properties: &[String]) -> Value {
    let data: Vec<Value> = event
        .data
        .iter()
        .filter(|(id, _)| properties.is_empty() || properties.contains(id))
        .map(|(id, values)| json!({"id": id, "values": values}))
        .collect();
    json!({"id": event.id, "eventTypeId": event.event_type_id, "date": event.date, "data": data})
}
