//! Demo data, drawn from `config.seed`: `config.customers` customers in the node, varied enough for
//! queries to find some and not others, and a few events for some of them.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

use super::store::Store;
use super::{events, ids, instant};
use crate::Config;

const FIRST_NAMES: &[&str] = &[
    "Marco", "Giulia", "Luca", "Sofia", "Matteo", "Chiara", "Bruce", "Diana", "Clark", "Lois",
    "Anna", "Paolo", "Elena", "Pierre", "Claire", "Hans", "Greta", "Maria", "José", "Lucía",
    "Oliver", "Amelia", "Noah", "Emma", "Yuki", "Aiko", "Omar", "Leila", "Ivan", "Olga",
];
const LAST_NAMES: &[&str] = &[
    "Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Wayne", "Prince", "Kent",
    "Lane", "Dubois", "Martin", "Müller", "Schmidt", "García", "López", "Smith", "Jones", "Brown",
    "Taylor", "Tanaka", "Suzuki", "Haddad", "Petrov", "Ivanova", "Bosio", "Conti", "Greco",
    "Bruno", "Gallo",
];

/// City, province, country, zip, latitude, longitude, locale, time zone.
type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
    &'static str,
);

const PLACES: &[Place] = &[
    (
        "Milano",
        "MI",
        "Italy",
        "20121",
        45.46,
        9.19,
        "it_IT",
        "Europe/Rome",
    ),
    (
        "Roma",
        "RM",
        "Italy",
        "00184",
        41.90,
        12.50,
        "it_IT",
        "Europe/Rome",
    ),
    (
        "Torino",
        "TO",
        "Italy",
        "10121",
        45.07,
        7.69,
        "it_IT",
        "Europe/Rome",
    ),
    (
        "Paris",
        "75",
        "France",
        "75001",
        48.86,
        2.35,
        "fr_FR",
        "Europe/Paris",
    ),
    (
        "Berlin",
        "BE",
        "Germany",
        "10115",
        52.52,
        13.40,
        "de_DE",
        "Europe/Berlin",
    ),
    (
        "Madrid",
        "M",
        "Spain",
        "28001",
        40.42,
        -3.70,
        "es_ES",
        "Europe/Madrid",
    ),
    (
        "London",
        "LND",
        "United Kingdom",
        "EC1A 1BB",
        51.51,
        -0.13,
        "en_GB",
        "Europe/London",
    ),
    (
        "New York",
        "NY",
        "United States",
        "10001",
        40.71,
        -74.01,
        "en_US",
        "America/New_York",
    ),
    (
        "Tokyo",
        "13",
        "Japan",
        "100-0001",
        35.68,
        139.69,
        "ja_JP",
        "Asia/Tokyo",
    ),
    (
        "Accra",
        "GA",
        "Ghana",
        "00233",
        5.60,
        -0.19,
        "en_GH",
        "Africa/Accra",
    ),
];

const DOMAINS: &[&str] = &["example.com", "example.it", "example.de", "example.org"];
const STREETS: &[&str] = &[
    "Via Roma",
    "Main Street",
    "Rue de Rivoli",
    "Hauptstraße",
    "Calle Mayor",
];
const SCHOOL_TYPES: &[&str] = &[
    "PRIMARY_SCHOOL",
    "SECONDARY_SCHOOL",
    "HIGH_SCHOOL",
    "COLLEGE",
    "OTHER",
];
const SCHOOLS: &[&str] = &[
    "Politecnico",
    "Bocconi",
    "Sorbonne",
    "Humboldt",
    "MIT",
    "Keio",
];
const INDUSTRIES: &[(&str, &str)] = &[
    ("Retail", "Shop & Co"),
    ("Banking", "Banca Demo"),
    ("Software", "Acme Software"),
    ("Healthcare", "Care Plus"),
    ("Media", "Daily Planet"),
];
const TITLES: &[&str] = &[
    "Engineer", "Manager", "Analyst", "Designer", "Reporter", "Clerk",
];
const LIKE_CATEGORIES: &[(&str, &str)] = &[
    ("music", "Jazz"),
    ("sport", "Tennis"),
    ("sport", "Football"),
    ("books", "Crime novels"),
    ("travel", "Mountains"),
    ("food", "Pizza"),
];
const LISTS: &[(&str, &str)] = &[
    ("Newsletter", "DIGITAL_MESSAGE"),
    ("Offers", "DIGITAL_MESSAGE"),
    ("Premium support", "SERVICE"),
    ("Catalogue by post", "OTHER"),
];
const AUTO_TAGS: &[&str] = &["frequent-buyer", "churn-risk", "new", "mobile-user"];
const MANUAL_TAGS: &[&str] = &["vip", "gold", "press", "staff", "beta"];
const TIERS: &[&str] = &["bronze", "silver", "gold", "platinum"];
/// Event types and contexts the seed draws from.
const SEED_EVENTS: &[(&str, &str)] = &[
    ("viewedPage", "WEB"),
    ("viewedProduct", "ECOMMERCE"),
    ("addedProduct", "ECOMMERCE"),
    ("completedOrder", "ECOMMERCE"),
    ("loggedIn", "MOBILE"),
    ("campaignSent", "DIGITAL_CAMPAIGN"),
    ("campaignOpened", "DIGITAL_CAMPAIGN"),
    ("openedTicket", "CONTACT_CENTER"),
];

/// A store holding the demo data of `config`.
pub(super) fn seeded(config: &Config) -> Store {
    let mut rng = StdRng::seed_from_u64(config.seed);
    // New ids after seeding come from their own stream, so they do not depend on how much was seeded.
    let mut store = Store::new(StdRng::seed_from_u64(config.seed ^ 0x00C0_47AC_7B0B));
    let node = &config.credentials.contacthub_node;
    for i in 0..config.customers {
        let customer = customer(&mut rng, node, i);
        let id = customer
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let registered = customer
            .get("registeredAt")
            .and_then(Value::as_str)
            .and_then(instant::parse);
        store.insert_customer(customer);
        if let Some(registered) = registered
            && rng.random_ratio(1, 10)
        {
            for _ in 0..rng.random_range(1..=3) {
                let event = event(&mut rng, &id, registered);
                store.insert_event(event);
            }
        }
    }
    store
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An instant between 2016 and the end of 2024.
fn instant_between(rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_milliseconds().max(1);
    from + Duration::milliseconds(rng.random_range(0..span))
}

fn utc(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn customer(rng: &mut StdRng, node: &str, index: usize) -> Value {
    let first = *pick(rng, FIRST_NAMES);
    let last = *pick(rng, LAST_NAMES);
    let place = *pick(rng, PLACES);
    let (city, province, country, zip, lat, lon, locale, timezone) = place;
    let registered = instant_between(rng, utc(2016, 1, 1), utc(2024, 12, 31));
    let updated = instant_between(rng, registered, utc(2025, 6, 30));
    let dob = NaiveDate::from_ymd_opt(
        rng.random_range(1950..=2005),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .map(|d| d.format("%Y-%m-%d").to_string());
    let email = format!(
        "{}.{}{}@{}",
        ascii(first),
        ascii(last),
        index,
        pick(rng, DOMAINS)
    );

    let mut contacts = Map::new();
    contacts.insert("email".into(), Value::from(email));
    if rng.random_bool(0.6) {
        contacts.insert(
            "mobilePhone".into(),
            Value::from(format!(
                "+39 3{:02} {:07}",
                rng.random_range(20..50),
                rng.random_range(0..10_000_000)
            )),
        );
    }
    let mut base = Map::new();
    base.insert("firstName".into(), Value::from(first));
    base.insert("lastName".into(), Value::from(last));
    base.insert(
        "gender".into(),
        Value::from(if rng.random_bool(0.5) {
            "female"
        } else {
            "male"
        }),
    );
    if let Some(dob) = dob
        && rng.random_bool(0.9)
    {
        base.insert("dob".into(), Value::from(dob));
    }
    base.insert("locale".into(), Value::from(locale));
    base.insert("timezone".into(), Value::from(timezone));
    base.insert("contacts".into(), Value::Object(contacts));
    base.insert(
        "address".into(),
        json!({"street": format!("{} {}", pick(rng, STREETS), rng.random_range(1..200)),
            "city": city, "province": province, "country": country, "zip": zip,
            "geo": {"lat": lat, "lon": lon}}),
    );
    if rng.random_bool(0.3) {
        let start = rng.random_range(1970..2015);
        base.insert(
            "educations".into(),
            json!([{"id": ids::uuid(rng), "schoolType": pick(rng, SCHOOL_TYPES),
                "schoolName": pick(rng, SCHOOLS), "schoolConcentration": "Economics",
                "startYear": start, "endYear": start + 5, "isCurrent": false}]),
        );
    }
    if rng.random_bool(0.3) {
        let (industry, company) = *pick(rng, INDUSTRIES);
        let start =
            NaiveDate::from_ymd_opt(rng.random_range(2000..2024), rng.random_range(1..=12), 1)
                .map(|d| d.format("%Y-%m-%d").to_string());
        base.insert(
            "jobs".into(),
            json!([{"id": ids::uuid(rng), "companyIndustry": industry, "companyName": company,
                "jobTitle": pick(rng, TITLES), "startDate": start, "isCurrent": true}]),
        );
    }
    if rng.random_bool(0.3) {
        let (category, name) = *pick(rng, LIKE_CATEGORIES);
        base.insert(
            "likes".into(),
            json!([{"id": ids::uuid(rng), "category": category, "name": name,
                "createdTime": instant::format(instant_between(rng, registered, updated))}]),
        );
    }
    if rng.random_bool(0.4) {
        let (name, kind) = *pick(rng, LISTS);
        base.insert(
            "subscriptions".into(),
            json!([{"id": ids::uuid(rng), "name": name, "type": "list", "kind": kind,
                "subscribed": rng.random_bool(0.8), "startDate": instant::format(registered),
                "registeredAt": instant::format(registered), "updatedAt": instant::format(updated),
                "preferences": [{"key": "frequency", "value": "weekly"}]}]),
        );
    }

    let mut customer = Map::new();
    customer.insert("id".into(), Value::from(ids::uuid(rng)));
    customer.insert("nodeId".into(), Value::from(node));
    if rng.random_bool(0.5) {
        customer.insert("externalId".into(), Value::from(format!("ext-{index:07}")));
    }
    customer.insert("enabled".into(), Value::Bool(rng.random_bool(0.95)));
    customer.insert(
        "registeredAt".into(),
        Value::from(instant::format(registered)),
    );
    customer.insert("updatedAt".into(), Value::from(instant::format(updated)));
    customer.insert("base".into(), Value::Object(base));
    customer.insert(
        "consents".into(),
        json!({"disclaimer": {"date": instant::format(registered), "version": "v1.0"},
            "marketing": {"automatic": {"email": {"status": rng.random_bool(0.6)},
                "sms": {"status": rng.random_bool(0.3)}}},
            "profiling": {"classic": {"status": rng.random_bool(0.5)}}}),
    );
    let mut manual = Vec::new();
    if rng.random_bool(0.2) {
        manual.push(*pick(rng, MANUAL_TAGS));
    }
    customer.insert(
        "tags".into(),
        json!({"auto": [pick(rng, AUTO_TAGS)], "manual": manual}),
    );
    customer.insert(
        "extended".into(),
        json!({"loyalty": {"tier": pick(rng, TIERS), "points": rng.random_range(0..5000)},
            "newsletter": rng.random_bool(0.5)}),
    );
    Value::Object(customer)
}

fn event(rng: &mut StdRng, customer: &str, registered: DateTime<Utc>) -> Value {
    let (kind, context) = *pick(rng, SEED_EVENTS);
    let date = instant_between(rng, registered, utc(2025, 6, 30));
    json!({
        "id": ids::uuid(rng),
        "customerId": customer,
        "type": kind,
        "context": context,
        "mode": events::mode(kind),
        "properties": {"url": "https://shop.example.com/", "title": "Home"},
        "date": instant::format(date),
        "registeredAt": instant::format(date + Duration::seconds(1)),
    })
}

/// A name as it goes in an email address.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'é' => 'e',
            'í' => 'i',
            'ü' => 'u',
            'ß' => 's',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
