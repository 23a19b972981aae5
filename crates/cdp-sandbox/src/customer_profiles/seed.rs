//! Demo data, the same for the same seed: `aws_profiles` profiles and three segment definitions that
//! have members out of the box.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

use super::definitions::{Definition, Query};
use super::profiles::{Address, Profile};
use super::query::SegmentGroup;
use super::store::Store;
use crate::Config;

const FIRST_NAMES: [&str; 16] = [
    "Giulia", "Marco", "Sofia", "Luca", "Emma", "Noah", "Chiara", "Matteo", "Anna", "Leon",
    "Claire", "Hugo", "Lucía", "Pablo", "Aoife", "Liam",
];
const LAST_NAMES: [&str; 16] = [
    "Rossi", "Bianchi", "Ferrari", "Esposito", "Müller", "Schmidt", "Martin", "Bernard", "García",
    "López", "Murphy", "Kelly", "de Jong", "Smith", "Brown", "Tanaka",
];
const MIDDLE_NAMES: [&str; 4] = ["Maria", "James", "Anne", "Paul"];

/// City, province or state, country (ISO 3166 alpha-2), postal code prefix.
const PLACES: [(&str, &str, &str, &str); 12] = [
    ("Milan", "MI", "IT", "201"),
    ("Rome", "RM", "IT", "001"),
    ("Paris", "Île-de-France", "FR", "750"),
    ("Berlin", "Berlin", "DE", "101"),
    ("Madrid", "Madrid", "ES", "280"),
    ("Dublin", "Leinster", "IE", "D0"),
    ("Amsterdam", "Noord-Holland", "NL", "101"),
    ("London", "England", "GB", "EC"),
    ("New York", "NY", "US", "100"),
    ("Toronto", "ON", "CA", "M5"),
    ("Sydney", "NSW", "AU", "200"),
    ("Tokyo", "Tokyo", "JP", "100"),
];
const EU: [&str; 6] = ["IT", "FR", "DE", "ES", "IE", "NL"];
const STREETS: [&str; 6] = [
    "Main Street",
    "Via Roma",
    "Rue de la Paix",
    "Hauptstraße",
    "Calle Mayor",
    "Station Road",
];
const TIERS: [&str; 4] = ["bronze", "silver", "gold", "platinum"];
const INTERESTS: [&str; 6] = ["sports", "music", "travel", "books", "cooking", "gaming"];
const COMPANIES: [&str; 5] = [
    "Acme S.p.A.",
    "Globex GmbH",
    "Initech Ltd",
    "Umbrella SA",
    "Hooli BV",
];

/// 2026-01-01T00:00:00Z: seeded definitions are older than anything created through the API.
const SEEDED_AT: f64 = 1_767_225_600.0;

pub(super) fn store(config: &Config) -> Store {
    let mut rng = StdRng::seed_from_u64(config.seed ^ 0xC0FF_EE00_AA55_0001);
    let mut store = Store::new(config.seed ^ 0x1D5E_ED00_0000_0002);
    for i in 0..config.aws_profiles {
        let profile = profile(&mut rng, i);
        store.profiles.insert(profile.profile_id.clone(), profile);
    }
    let credentials = &config.credentials;
    for (i, (name, display, description, groups)) in definitions().into_iter().enumerate() {
        let definition = Definition {
            name: name.to_owned(),
            display_name: display.to_owned(),
            description: Some(description.to_owned()),
            query: Query::Groups(groups),
            sort: None,
            created_at: SEEDED_AT + i as f64,
            arn: Definition::arn(&credentials.aws_region, &credentials.aws_domain, name),
            tags: Some(BTreeMap::from([(
                "origin".to_owned(),
                "sandbox-seed".to_owned(),
            )])),
        };
        store.definitions.insert(name.to_owned(), definition);
    }
    store
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn profile(rng: &mut StdRng, i: usize) -> Profile {
    let bits: u128 = rng.random();
    let first = pick(rng, &FIRST_NAMES);
    let last = pick(rng, &LAST_NAMES);
    let email_name = format!("{}.{}{i}", ascii(first), ascii(last));
    let (city, province, country, postal) = PLACES[rng.random_range(0..PLACES.len())];
    let business = rng.random_bool(0.15);
    let gender = match rng.random_range(0..10) {
        0..=4 => "FEMALE",
        5..=8 => "MALE",
        _ => "UNSPECIFIED",
    };
    let party_type = if business { "BUSINESS" } else { "INDIVIDUAL" };
    let birth = format!(
        "{}-{:02}-{:02}",
        rng.random_range(1945..=2006),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    );
    let address = Address {
        address1: Some(format!(
            "{} {}",
            rng.random_range(1..200),
            pick(rng, &STREETS)
        )),
        address2: None,
        address3: None,
        address4: None,
        city: Some(city.to_owned()),
        county: None,
        state: (country == "US" || country == "AU").then(|| province.to_owned()),
        province: (country != "US" && country != "AU").then(|| province.to_owned()),
        country: Some(country.to_owned()),
        postal_code: Some(format!("{postal}{:02}", rng.random_range(0..100))),
    };
    let tier = match rng.random_range(0..100) {
        0..=49 => TIERS[0],
        50..=79 => TIERS[1],
        80..=94 => TIERS[2],
        _ => TIERS[3],
    };
    let lifetime_value = format!("{:.2}", rng.random_range(0.0..12_000.0_f64));
    let mut interests: Vec<&str> = INTERESTS
        .iter()
        .copied()
        .filter(|_| rng.random_bool(0.3))
        .collect();
    if interests.is_empty() {
        interests.push(pick(rng, &INTERESTS));
    }
    let signup = format!(
        "{}-{:02}-{:02}",
        rng.random_range(2015..=2025),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    );
    let attributes = BTreeMap::from([
        ("tier".to_owned(), tier.to_owned()),
        ("lifetime_value".to_owned(), lifetime_value),
        (
            "loyalty_points".to_owned(),
            rng.random_range(0..20_000).to_string(),
        ),
        ("interests".to_owned(), interests.join(",")),
        ("signup_date".to_owned(), signup),
        ("newsletter".to_owned(), rng.random_bool(0.6).to_string()),
    ]);
    let company = business.then(|| pick(rng, &COMPANIES));
    Profile {
        profile_id: format!("{bits:032x}"),
        account_number: Some(format!("ACC-{:06}", i + 1)),
        additional_information: None,
        party_type: Some(party_type),
        business_name: company.map(str::to_owned),
        first_name: Some(first.to_owned()),
        middle_name: rng
            .random_bool(0.2)
            .then(|| pick(rng, &MIDDLE_NAMES).to_owned()),
        last_name: Some(last.to_owned()),
        birth_date: Some(birth),
        gender: Some(gender),
        phone_number: Some(format!("+39 02 {:07}", 1_000_000 + i)),
        mobile_phone_number: rng
            .random_bool(0.7)
            .then(|| format!("+39 3{:02} {:07}", rng.random_range(20..50), 2_000_000 + i)),
        home_phone_number: None,
        business_phone_number: business.then(|| format!("+39 06 {:07}", 3_000_000 + i)),
        email_address: Some(format!("{email_name}@example.com")),
        personal_email_address: rng
            .random_bool(0.4)
            .then(|| format!("{email_name}@mail.example.org")),
        business_email_address: business.then(|| format!("{email_name}@corp.example.net")),
        shipping_address: rng.random_bool(0.3).then(|| address.clone()),
        billing_address: business.then(|| address.clone()),
        address: Some(address),
        mailing_address: None,
        attributes,
        party_type_string: Some(party_type.to_owned()),
        gender_string: Some(gender.to_owned()),
        profile_type: Some(if business {
            "ACCOUNT_PROFILE"
        } else {
            "PROFILE"
        }),
    }
}

/// A name in plain ASCII lower case, for email addresses.
fn ascii(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' | 'à' => Some('a'),
            'é' | 'è' => Some('e'),
            'í' => Some('i'),
            'ó' => Some('o'),
            'ú' | 'ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The seeded definitions: name, display name, description, groups.
fn definitions() -> Vec<(&'static str, &'static str, &'static str, SegmentGroup)> {
    let group = |value: serde_json::Value| {
        serde_json::from_value::<SegmentGroup>(value).unwrap_or_default()
    };
    vec![
        (
            "vip",
            "VIP customers",
            "Tier gold or platinum, or a lifetime value above 5000.",
            group(json!({
                "Include": "ALL",
                "Groups": [{
                    "Type": "ANY",
                    "Dimensions": [
                        {"ProfileAttributes": {"Attributes": {
                            "tier": {"DimensionType": "INCLUSIVE", "Values": ["gold", "platinum"]}
                        }}},
                        {"ProfileAttributes": {"Attributes": {
                            "lifetime_value": {"DimensionType": "GREATER_THAN", "Values": ["5000"]}
                        }}}
                    ]
                }]
            })),
        ),
        (
            "eu-customers",
            "EU customers",
            "Customers whose address is in an EU country.",
            group(json!({
                "Include": "ALL",
                "Groups": [{
                    "Type": "ALL",
                    "Dimensions": [{"ProfileAttributes": {"Address": {
                        "Country": {"DimensionType": "INCLUSIVE", "Values": EU}
                    }}}]
                }]
            })),
        ),
        (
            "eu-vip",
            "EU VIP customers",
            "Members of both vip and eu-customers.",
            group(json!({
                "Include": "ALL",
                "Groups": [{
                    "Type": "ALL",
                    "SourceType": "ALL",
                    "SourceSegments": [
                        {"SegmentDefinitionName": "vip"},
                        {"SegmentDefinitionName": "eu-customers"}
                    ]
                }]
            })),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_definitions_parse_and_have_members() {
        for (name, _, _, groups) in definitions() {
            assert!(!groups.groups.is_empty(), "{name} did not parse");
        }
        let config = Config {
            aws_profiles: 200,
            ..Config::default()
        };
        let store = store(&config);
        assert_eq!(store.profiles.len(), 200);
        for name in ["vip", "eu-customers", "eu-vip"] {
            let members = store.members_of(name).len();
            assert!(members > 0 && members < 200, "{name}: {members}");
        }
    }
}
