//! The merge patch of a realistic customer after three edits (an email set, a field removed, a tag
//! added): the JSON diff alone, and `Tracked::changes`, which also writes the typed value as JSON.
//!
//! `cargo bench -p cdp --bench merge_patch` (add `-- --quick` for a short run).

#![allow(missing_docs)]

use std::hint::black_box;

use cdp::contacthub::api::types::Customer;
use cdp::contacthub::tracked::Tracked;
use cdp::merge_patch;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

/// A customer with every part filled in, as the service answers it.
fn customer() -> Value {
    let consent = json!({"status": true, "limitation": false, "objection": false});
    json!({
        "id": "0745ef01-5f9a-4e4b-8d6a-3c1f2b9e7a10",
        "nodeId": "91316725-0b1c-4d6e-9f2a-7e8d5c4b3a21",
        "externalId": "crm-000042",
        "extra": "imported from the 2017 campaign",
        "enabled": true,
        "registeredAt": "2017-03-02T12:12:53.074+0000",
        "updatedAt": "2026-11-21T08:30:00.000+0000",
        "base": {
            "pictureUrl": "https://example.com/p/42.png",
            "title": "Mr",
            "prefix": "Dr",
            "firstName": "Bruce",
            "lastName": "Wayne",
            "middleName": "Thomas",
            "gender": "male",
            "dob": "1972-02-19",
            "locale": "en_US",
            "timezone": "America/New_York",
            "contacts": {
                "email": "bruce@wayne.example",
                "fax": "+1 555 0100",
                "mobilePhone": "+1 555 0101",
                "phone": "+1 555 0102",
                "otherContacts": [
                    {"name": "office", "type": "PHONE", "value": "+1 555 0103"},
                    {"name": "alfred", "type": "EMAIL", "value": "alfred@wayne.example"}
                ],
                "mobileDevices": [
                    {"identifier": "d-1", "appId": "gotham-app", "name": "phone", "type": "IOS", "notificationService": "APN"}
                ]
            },
            "address": {
                "street": "1007 Mountain Drive", "city": "Gotham", "country": "US", "region": "NJ",
                "province": "Gotham County", "zip": "10001", "geo": {"lat": 40.7128, "lon": -74.006}
            },
            "credential": {"username": "bwayne", "password": "not-a-real-one"},
            "educations": [
                {"id": "e1", "schoolType": "HIGH_SCHOOL", "schoolName": "Gotham Prep", "schoolConcentration": "Science", "startYear": 1986, "endYear": 1990, "isCurrent": false},
                {"id": "e2", "schoolType": "COLLEGE", "schoolName": "Gotham University", "schoolConcentration": "Criminology", "startYear": 1990, "endYear": 1994, "isCurrent": false}
            ],
            "likes": [
                {"id": "l1", "category": "sport", "name": "martial arts", "createdTime": "2020-01-01T10:00:00.000+0000"},
                {"id": "l2", "category": "cars", "name": "fast ones", "createdTime": "2020-01-02T10:00:00.000+0000"},
                {"id": "l3", "category": "night", "name": "rooftops", "createdTime": "2020-01-03T10:00:00.000+0000"}
            ],
            "socialProfile": {"facebook": "bw", "google": "bw", "instagram": "bw", "linkedin": "bw", "qzone": "bw", "twitter": "bw"},
            "jobs": [
                {"id": "j1", "companyIndustry": "conglomerate", "companyName": "Wayne Enterprises", "jobTitle": "CEO", "startDate": "2000-01-01", "isCurrent": true},
                {"id": "j2", "companyIndustry": "philanthropy", "companyName": "Wayne Foundation", "jobTitle": "Chair", "startDate": "2001-06-01", "endDate": "2010-06-01", "isCurrent": false}
            ],
            "subscriptions": [
                {"id": "s1", "name": "newsletter", "type": "email", "kind": "DIGITAL_MESSAGE", "subscribed": true, "startDate": "2019-01-01T00:00:00.000+0000", "subscriberId": "sub-1", "preferences": [{"key": "frequency", "value": "weekly"}]},
                {"id": "s2", "name": "alerts", "type": "sms", "kind": "SERVICE", "subscribed": false, "preferences": []}
            ]
        },
        "consents": {
            "disclaimer": {"date": "2018-05-25T14:05:00.000+0000", "version": "v2"},
            "marketing": {
                "traditional": {"telephonic": consent, "papery": consent},
                "automatic": {"sms": consent, "email": consent, "push": consent, "im": consent, "telephonic": consent}
            },
            "profiling": {"classic": consent, "online": consent},
            "softSpam": {"email": consent, "papery": consent},
            "thirdPartyTransfer": {"profiling": consent, "marketing": consent}
        },
        "extended": {
            "loyalty": {"level": "gold", "points": 12500, "since": "2015-04-01"},
            "preferences": {"channels": ["email", "push"], "language": "en"},
            "score": 0.87
        },
        "tags": {"auto": ["high-value", "night-owl"], "manual": ["vip", "gotham", "board"]}
    })
}

/// The three edits, on the typed value.
fn edit(customer: &mut Customer) {
    if let Some(base) = customer.base.as_mut() {
        if let Some(contacts) = base.contacts.as_mut() {
            contacts.email = Some("bruce@example.com".into());
        }
        base.middle_name = None;
    }
    if let Some(tags) = customer.tags.as_mut() {
        tags.manual.push("batman".into());
    }
}

fn bench(c: &mut Criterion) {
    let old = customer();
    let Ok(mut tracked) = Tracked::<Customer>::from_json(old.clone()) else {
        return;
    };
    edit(&mut tracked);

    let mut new = old.clone();
    new["base"]["contacts"]["email"] = json!("bruce@example.com");
    if let Some(base) = new["base"].as_object_mut() {
        base.remove("middleName");
    }
    if let Some(manual) = new["tags"]["manual"].as_array_mut() {
        manual.push(json!("batman"));
    }

    c.bench_function("merge_patch::diff (customer, 3 edits)", |b| {
        b.iter(|| merge_patch::diff(black_box(&old), black_box(&new)))
    });
    c.bench_function("Tracked::<Customer>::changes (3 edits)", |b| {
        b.iter(|| black_box(&tracked).changes())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
