//! Demo data, drawn from `config.seed`: `config.customers` customers in the node, varied enough for
//! queries to find some and not others, and a few events for some of them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::dice::Dice;
use serde_json::Value;

use super::store::Store;
use super::{events, instant};
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
///
/// Building a customer's JSON costs tens of microseconds in a debug build, too much for hundreds of
/// thousands of them at start-up. So seeding draws only what the indexes need (id, external id) and the
/// customer's events; the rest of each customer is generated from its own seed on first access
/// ([`customer`]), the same on every run.
pub(super) fn seeded(config: &Config) -> Store {
    let mut rng = StdRng::seed_from_u64(config.seed);
    // New ids after seeding come from their own stream, so they do not depend on how much was seeded.
    let mut store = Store::new(
        StdRng::seed_from_u64(config.seed ^ 0x00C0_47AC_7B0B),
        config.credentials.contacthub_node.clone(),
    );
    for index in 0..config.customers {
        let seed: u64 = rng.random();
        let mut dice = Dice::new(seed);
        let head = Head::draw(&mut dice, index);
        // Events draw from a stream of their own, so that they do not shift the customer's draws.
        let mut dice = Dice::new(seed.rotate_left(17) ^ 0xE7E7);
        if dice.chance(0.1) {
            for _ in 0..dice.range(1, 4) {
                store.insert_event(event(&mut dice, &head.id, head.registered));
            }
        }
        store.insert_seeded(seed, index, head.id, head.external_id);
    }
    store
}

/// What is drawn first for a seeded customer: what the indexes and its events need.
struct Head {
    id: String,
    external_id: Option<String>,
    registered: DateTime<Utc>,
}

impl Head {
    fn draw(dice: &mut Dice, index: usize) -> Self {
        let id = dice.uuid();
        let external_id = dice.chance(0.5).then(|| format!("ext-{index:07}"));
        let registered = instant_between(dice, utc(2016, 1, 1), utc(2024, 12, 31));
        Self {
            id,
            external_id,
            registered,
        }
    }
}

/// An instant in `from..to`.
fn instant_between(dice: &mut Dice, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_milliseconds().max(1);
    from + Duration::milliseconds(dice.range(0, span))
}

fn utc(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The seeded customer number `index`, drawn from `seed`.
pub(super) fn customer(seed: u64, node: &str, index: usize) -> Value {
    let dice = &mut Dice::new(seed);
    let Head {
        id,
        external_id,
        registered,
    } = Head::draw(dice, index);
    let first = *dice.pick(FIRST_NAMES);
    let last = *dice.pick(LAST_NAMES);
    let (city, province, country, zip, lat, lon, locale, timezone) = *dice.pick(PLACES);
    let updated = instant_between(dice, registered, utc(2025, 6, 30));
    let (registered_text, updated_text) = (instant::format(registered), instant::format(updated));
    let dob = NaiveDate::from_ymd_opt(
        dice.range(1950, 2006) as i32,
        dice.range(1, 13) as u32,
        dice.range(1, 29) as u32,
    )
    .map(date);
    let email = format!(
        "{}.{}{}@{}",
        ascii(first),
        ascii(last),
        index,
        dice.pick(DOMAINS)
    );

    let mut contacts = vec![("email", text(email))];
    if dice.chance(0.6) {
        let phone = format!(
            "+39 3{:02} {:07}",
            dice.range(20, 50),
            dice.range(0, 10_000_000)
        );
        contacts.push(("mobilePhone", text(phone)));
    }
    let gender = if dice.chance(0.5) { "female" } else { "male" };
    let mut base = vec![
        ("firstName", text(first)),
        ("lastName", text(last)),
        ("gender", text(gender)),
        ("locale", text(locale)),
        ("timezone", text(timezone)),
        ("contacts", object(contacts)),
        (
            "address",
            object(vec![
                (
                    "street",
                    text(format!("{} {}", dice.pick(STREETS), dice.range(1, 200))),
                ),
                ("city", text(city)),
                ("province", text(province)),
                ("country", text(country)),
                ("zip", text(zip)),
                (
                    "geo",
                    object(vec![("lat", Value::from(lat)), ("lon", Value::from(lon))]),
                ),
            ]),
        ),
    ];
    if let Some(dob) = dob
        && dice.chance(0.9)
    {
        base.push(("dob", text(dob)));
    }
    if dice.chance(0.3) {
        let start = dice.range(1970, 2015);
        let education = object(vec![
            ("id", text(dice.uuid())),
            ("schoolType", text(*dice.pick(SCHOOL_TYPES))),
            ("schoolName", text(*dice.pick(SCHOOLS))),
            ("schoolConcentration", text("Economics")),
            ("startYear", Value::from(start)),
            ("endYear", Value::from(start + 5)),
            ("isCurrent", Value::Bool(false)),
        ]);
        base.push(("educations", Value::Array(vec![education])));
    }
    if dice.chance(0.3) {
        let (industry, company) = *dice.pick(INDUSTRIES);
        let mut job = vec![
            ("id", text(dice.uuid())),
            ("companyIndustry", text(industry)),
            ("companyName", text(company)),
            ("jobTitle", text(*dice.pick(TITLES))),
            ("isCurrent", Value::Bool(true)),
        ];
        let start =
            NaiveDate::from_ymd_opt(dice.range(2000, 2024) as i32, dice.range(1, 13) as u32, 1);
        if let Some(start) = start {
            job.push(("startDate", text(date(start))));
        }
        base.push(("jobs", Value::Array(vec![object(job)])));
    }
    if dice.chance(0.3) {
        let (category, name) = *dice.pick(LIKE_CATEGORIES);
        let like = object(vec![
            ("id", text(dice.uuid())),
            ("category", text(category)),
            ("name", text(name)),
            (
                "createdTime",
                text(instant::format(instant_between(dice, registered, updated))),
            ),
        ]);
        base.push(("likes", Value::Array(vec![like])));
    }
    if dice.chance(0.4) {
        let (name, kind) = *dice.pick(LISTS);
        let subscription = object(vec![
            ("id", text(dice.uuid())),
            ("name", text(name)),
            ("type", text("list")),
            ("kind", text(kind)),
            ("subscribed", Value::Bool(dice.chance(0.8))),
            ("startDate", text(registered_text.clone())),
            ("registeredAt", text(registered_text.clone())),
            ("updatedAt", text(updated_text.clone())),
            (
                "preferences",
                Value::Array(vec![object(vec![
                    ("key", text("frequency")),
                    ("value", text("weekly")),
                ])]),
            ),
        ]);
        base.push(("subscriptions", Value::Array(vec![subscription])));
    }

    let status = |dice: &mut Dice, p: f64| object(vec![("status", Value::Bool(dice.chance(p)))]);
    let consents = object(vec![
        (
            "disclaimer",
            object(vec![
                ("date", text(registered_text.clone())),
                ("version", text("v1.0")),
            ]),
        ),
        (
            "marketing",
            object(vec![(
                "automatic",
                object(vec![
                    ("email", status(dice, 0.6)),
                    ("sms", status(dice, 0.3)),
                ]),
            )]),
        ),
        ("profiling", object(vec![("classic", status(dice, 0.5))])),
    ]);
    let mut manual = Vec::new();
    if dice.chance(0.2) {
        manual.push(text(*dice.pick(MANUAL_TAGS)));
    }
    let tags = object(vec![
        ("auto", Value::Array(vec![text(*dice.pick(AUTO_TAGS))])),
        ("manual", Value::Array(manual)),
    ]);
    let extended = object(vec![
        (
            "loyalty",
            object(vec![
                ("tier", text(*dice.pick(TIERS))),
                ("points", Value::from(dice.range(0, 5000))),
            ]),
        ),
        ("newsletter", Value::Bool(dice.chance(0.5))),
    ]);

    let mut customer = vec![
        ("id", text(id)),
        ("nodeId", text(node)),
        ("enabled", Value::Bool(dice.chance(0.95))),
        ("registeredAt", text(registered_text)),
        ("updatedAt", text(updated_text)),
        ("base", object(base)),
        ("consents", consents),
        ("tags", tags),
        ("extended", extended),
    ];
    if let Some(external_id) = external_id {
        customer.push(("externalId", text(external_id)));
    }
    object(customer)
}

fn event(dice: &mut Dice, customer: &str, registered: DateTime<Utc>) -> Value {
    let (kind, context) = *dice.pick(SEED_EVENTS);
    let date = instant_between(dice, registered, utc(2025, 6, 30));
    object(vec![
        ("id", text(dice.uuid())),
        ("customerId", text(customer)),
        ("type", text(kind)),
        ("context", text(context)),
        ("mode", text(events::mode(kind))),
        (
            "properties",
            object(vec![
                ("url", text("https://shop.example.com/")),
                ("title", text("Home")),
            ]),
        ),
        ("date", text(instant::format(date))),
        (
            "registeredAt",
            text(instant::format(date + Duration::seconds(1))),
        ),
    ])
}

/// An object of members (built by hand, not with `json!`, which is slow in debug builds).
fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    )
}

fn text(value: impl Into<String>) -> Value {
    Value::String(value.into())
}

/// A date as `YYYY-MM-DD` (by hand: `NaiveDate::format` is slow in debug builds).
fn date(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let config = Config::default().customers(50);
        let (a, b) = (seeded(&config), seeded(&config));
        assert_eq!(a.customer_count(), 50);
        assert!(a.customers().eq(b.customers()));
        let other = seeded(&config.clone().seed(7));
        assert!(!a.customers().eq(other.customers()));
        // What the indexes were told agrees with the customers generated later.
        for customer in a.customers() {
            let id = customer["id"].as_str().unwrap();
            assert_eq!(a.customer(id), Some(customer));
            if let Some(external) = customer["externalId"].as_str() {
                assert_eq!(a.by_external_id(external), Some(id));
            }
            assert!(
                super::super::schema::check_body(customer, &super::super::schema::CUSTOMER)
                    .is_empty()
            );
        }
    }

    #[test]
    fn seeding_is_quick() {
        // A loose bound that a debug build meets with room to spare; quadratic work would blow it.
        let started = std::time::Instant::now();
        let store = seeded(&Config::default().customers(20_000));
        assert_eq!(store.customer_count(), 20_000);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
