//! A realistic ContactHub customer for the benchmarks: every part of the model filled in.

use serde_json::{Value, json};

/// A customer with every part filled in, as the service answers it.
pub(crate) fn customer() -> Value {
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
