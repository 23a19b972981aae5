//! Demo data, the same for the same seed: profiles with properties, consent and timeline events, and
//! segments whose membership is drawn here once.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::dates;
use super::properties::Properties;
use super::store::{ALL_VISITORS, Event, Profile, Segment, Store, uuid};

const FIRST_NAMES: &[&str] = &[
    "Ann", "Bram", "Chloe", "Daan", "Emma", "Finn", "Greta", "Hugo", "Iris", "Jens", "Kim", "Lars",
    "Mila", "Noah", "Olga", "Pim", "Quinn", "Rosa", "Sem", "Tess",
];
const LAST_NAMES: &[&str] = &[
    "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meyer", "Dubois", "Smith", "Garcia",
    "Rossi", "Peeters", "Novak",
];
/// Country and the privacy legislation its visitors fall under.
const COUNTRIES: &[(&str, &str)] = &[
    ("NL", "GDPR"),
    ("BE", "GDPR"),
    ("DE", "GDPR"),
    ("FR", "GDPR"),
    ("GB", "UK_GDPR"),
    ("US", "CCPA"),
    ("CA", "PIPEDA"),
    ("BR", "BRAZIL_LGPD"),
];
const INTERESTS: &[&str] = &[
    "running",
    "cooking",
    "travel",
    "tech",
    "music",
    "fashion",
    "gardening",
    "cycling",
];
const OBJECTIVES: &[&str] = &["marketing", "analytics", "personalization"];
const CAMPAIGNS: &[&str] = &["spring-sale", "welcome", "winback", "newsletter-42"];

/// The seeded segments besides `allvisitors`: id, name, description, tags.
const SEGMENTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "newsletter_subscribers",
        "Newsletter subscribers",
        "Known visitors who consented to marketing and subscribed.",
        &["email", "marketing"],
    ),
    (
        "high_value",
        "High-value customers",
        "Customers with a lifetime value above 500.",
        &["sales"],
    ),
    (
        "recent_visitors",
        "Recent visitors",
        "Visited in the 30 days before the seed date.",
        &["engagement"],
    ),
    (
        "churn_risk",
        "Churn risk",
        "Customers predicted to leave.",
        &["sales", "retention"],
    ),
];

/// The date the demo data is relative to, fixed so that a seed always gives the same data.
fn seed_date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `profiles` profiles and the segments, drawn from `seed`.
pub(super) fn seed(seed: u64, profiles: usize) -> Store {
    let now = seed_date();
    let mut segments = vec![Segment {
        id: ALL_VISITORS.to_owned(),
        name: "All visitors".to_owned(),
        description: "Every profile.".to_owned(),
        tags: Vec::new(),
        creation_date: now - Duration::days(1000),
        members: BTreeSet::new(),
    }];
    segments.extend(
        SEGMENTS
            .iter()
            .enumerate()
            .map(|(i, (id, name, description, tags))| Segment {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                creation_date: now - Duration::days(900 - 30 * i as i64),
                members: BTreeSet::new(),
            }),
    );
    let mut store = Store::new(seed, segments);
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 0..profiles {
        let (profile, memberships) = profile(&mut rng, i, now);
        let id = profile.id.clone();
        store.insert(profile);
        for segment in memberships {
            store.add_member(segment, &id);
        }
    }
    store
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.get(rng.random_range(0..from.len()))
        .copied()
        .unwrap_or_default()
}

/// One profile and the segments it is put in.
fn profile(rng: &mut StdRng, i: usize, now: DateTime<Utc>) -> (Profile, Vec<&'static str>) {
    let id = uuid(rng.random());
    let created = now - Duration::seconds(rng.random_range(86_400..2 * 365 * 86_400));
    let last_visit =
        created + Duration::seconds(rng.random_range(0..(now - created).num_seconds()));
    let (country, legislation) = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
    let known = rng.random_bool(0.7);
    let mut properties = Properties::default();
    let mut set = |key: &str, values: Vec<String>| {
        properties.insert(key, values);
    };
    set("country", vec![country.to_owned()]);
    set("last_visit_date", vec![dates::format(last_visit)]);
    let visits = rng.random_range(1..200u32);
    set("visits", vec![visits.to_string()]);
    let interests: Vec<String> = INTERESTS
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .map(|s| (*s).to_owned())
        .collect();
    if !interests.is_empty() {
        set("interests", interests);
    }
    let mut consented = Vec::new();
    let mut lifetime_value = 0.0;
    if known {
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let email = format!("{}.{}.{i}@example.com", first, last.replace(' ', ""));
        set("email", vec![email.to_lowercase()]);
        set("firstname", vec![first.to_owned()]);
        set("lastname", vec![last.to_owned()]);
        if rng.random_bool(0.6) {
            set("customer_id", vec![format!("C{:06}", 100_000 + i)]);
            lifetime_value = f64::from(rng.random_range(0..100_000u32)) / 100.0;
            set("lifetime_value", vec![format!("{lifetime_value:.2}")]);
        }
        consented = OBJECTIVES
            .iter()
            .filter(|_| rng.random_bool(0.5))
            .map(|s| (*s).to_owned())
            .collect();
    }
    let refused = OBJECTIVES
        .iter()
        .filter(|o| !consented.iter().any(|c| c == *o) && rng.random_bool(0.2))
        .map(|s| (*s).to_owned())
        .collect();
    let events = if rng.random_bool(0.3) {
        events(rng, &id, created, now)
    } else {
        Vec::new()
    };

    let mut segments = Vec::new();
    if known && consented.iter().any(|c| c == "marketing") && rng.random_bool(0.6) {
        segments.push("newsletter_subscribers");
    }
    if lifetime_value > 500.0 {
        segments.push("high_value");
    }
    if now - last_visit < Duration::days(30) {
        segments.push("recent_visitors");
    }
    if rng.random_bool(0.15) {
        segments.push("churn_risk");
    }
    properties.shrink_to_fit();
    let profile = Profile {
        history: Vec::new(),
        id,
        creation_date: created,
        last_modified_date: last_visit,
        privacy_legislation: legislation.to_owned(),
        permission_level: if known { "PERSONAL" } else { "ANONYMOUS" }.to_owned(),
        consented_objectives: consented,
        refused_objectives: refused,
        properties,
        events,
    };
    (profile, segments)
}

fn events(rng: &mut StdRng, id: &str, created: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Event> {
    let span = (now - created).num_seconds().max(1);
    let short = id.get(..8).unwrap_or(id);
    let mut events: Vec<Event> = (0..rng.random_range(1..5))
        .map(|k| {
            let at = created + Duration::seconds(rng.random_range(0..span));
            let (event_type_id, data) = if rng.random_bool(0.5) {
                let revenue = f64::from(rng.random_range(500..50_000u32)) / 100.0;
                (
                    "order",
                    vec![
                        (
                            "order_id".to_owned(),
                            vec![Value::from(format!("O-{short}-{k}"))],
                        ),
                        ("total_revenue".to_owned(), vec![Value::from(revenue)]),
                    ],
                )
            } else {
                (
                    "email_click",
                    vec![(
                        "campaign".to_owned(),
                        vec![Value::from(pick(rng, CAMPAIGNS))],
                    )],
                )
            };
            Event {
                id: format!("{event_type_id}_{short}_{k}"),
                event_type_id: event_type_id.to_owned(),
                date: dates::format(at),
                at,
                data,
            }
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events
}
