//! The demo campaigns a sandbox starts with: the same for the same seed, one of each kind a client meets.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

use super::configuration::{
    AccountSettings, BucketRange, Campaign, Condition, Configuration, Modifications, Operator,
    Targeting, TargetingGroup, Variation, VariationGroup,
};

/// Flagship ids are 20 characters of lowercase base32hex (they are xids).
const ID_ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";

struct Ids(StdRng);

impl Ids {
    fn next(&mut self) -> String {
        (0..20)
            .map(|_| {
                let i = self.0.random_range(0..ID_ALPHABET.len());
                char::from(ID_ALPHABET.get(i).copied().unwrap_or(b'0'))
            })
            .collect()
    }
}

/// The seeded configuration:
/// - an A/B test on every visitor: a reference and two variations (34/33/33) of `btnColor`, the second
///   also setting `btnText`;
/// - a toggle on `plan EQUALS pro` OR `isVIP EQUALS true`: `showBanner` on, with a reference at 0 %;
/// - a personalisation whose one targeting group ANDs `age >= 18`, `country` in FR/IT/ES and
///   `email ENDS_WITH @example.com`: a JSON `discount`;
/// - a progressive rollout with `bucketRanges` `[0, 50)`: `newSearch`;
/// - a flag for visitor ids starting with `beta-`: a JSON `betaFeatures` object.
pub(crate) fn configuration(seed: u64) -> Configuration {
    // Mixed so that the ids differ from those other seeded services draw from the same seed.
    let mut ids = Ids(StdRng::seed_from_u64(seed ^ 0x666c_6167_7368_6970));
    Configuration {
        panic: false,
        visitor_consolidation: false,
        account_settings: Some(AccountSettings {
            enabled_xpc: false,
            enabled_1v1t: false,
            troubleshooting: None,
        }),
        campaigns: vec![
            ab_test(&mut ids),
            toggle(&mut ids),
            personalisation(&mut ids),
            rollout(&mut ids),
            beta_flag(&mut ids),
        ],
    }
}

fn ab_test(ids: &mut Ids) -> Campaign {
    let (campaign_id, group_id) = (ids.next(), ids.next());
    let variations = vec![
        variation(
            ids,
            "Original",
            true,
            34.0,
            "FLAG",
            json!({"btnColor": "blue"}),
        ),
        variation(
            ids,
            "Red button",
            false,
            33.0,
            "FLAG",
            json!({"btnColor": "red"}),
        ),
        variation(
            ids,
            "Green button",
            false,
            33.0,
            "FLAG",
            json!({"btnColor": "green", "btnText": "Buy now"}),
        ),
    ];
    let everyone = vec![vec![condition(Operator::Equals, "fs_all_users", json!(""))]];
    campaign(
        campaign_id,
        ("Checkout button colour", Some("checkout-button"), "ab"),
        group(group_id, "All visitors", everyone, variations),
    )
}

fn toggle(ids: &mut Ids) -> Campaign {
    let (campaign_id, group_id) = (ids.next(), ids.next());
    let variations = vec![
        variation(ids, "Off", true, 0.0, "FLAG", json!({"showBanner": false})),
        variation(ids, "On", false, 100.0, "FLAG", json!({"showBanner": true})),
    ];
    let pro_or_vip = vec![
        vec![condition(Operator::Equals, "plan", json!("pro"))],
        vec![condition(Operator::Equals, "isVIP", json!(true))],
    ];
    campaign(
        campaign_id,
        ("VIP banner", Some("vip-banner"), "toggle"),
        group(group_id, "Pro or VIP", pro_or_vip, variations),
    )
}

fn personalisation(ids: &mut Ids) -> Campaign {
    let (campaign_id, group_id) = (ids.next(), ids.next());
    let variations = vec![
        variation(
            ids,
            "Original",
            true,
            0.0,
            "JSON",
            json!({"discount": null}),
        ),
        variation(
            ids,
            "Ten percent",
            false,
            100.0,
            "JSON",
            json!({"discount": {"percent": 10, "code": "SUD10"}}),
        ),
    ];
    let audience = vec![vec![
        condition(Operator::GreaterThanOrEquals, "age", json!(18)),
        condition(Operator::Equals, "country", json!(["FR", "IT", "ES"])),
        condition(Operator::EndsWith, "email", json!("@example.com")),
    ]];
    campaign(
        campaign_id,
        ("Southern Europe discount", None, "perso"),
        group(
            group_id,
            "Adults in FR, IT, ES with a work e-mail",
            audience,
            variations,
        ),
    )
}

fn rollout(ids: &mut Ids) -> Campaign {
    let (campaign_id, group_id) = (ids.next(), ids.next());
    let variations = vec![variation(
        ids,
        "New search",
        false,
        100.0,
        "FLAG",
        json!({"newSearch": true}),
    )];
    let everyone = vec![vec![condition(Operator::Equals, "fs_all_users", json!(""))]];
    let mut rollout = campaign(
        campaign_id,
        ("New search rollout", Some("new-search"), "deployment"),
        group(group_id, "Everyone", everyone, variations),
    );
    rollout.bucket_ranges = vec![BucketRange { r: vec![0.0, 50.0] }];
    rollout
}

fn beta_flag(ids: &mut Ids) -> Campaign {
    let (campaign_id, group_id) = (ids.next(), ids.next());
    let variations = vec![variation(
        ids,
        "Everything on",
        false,
        100.0,
        "JSON",
        json!({"betaFeatures": {"search": true, "checkout": "v2"}}),
    )];
    let beta = vec![vec![condition(
        Operator::StartsWith,
        "fs_users",
        json!("beta-"),
    )]];
    campaign(
        campaign_id,
        ("Beta features", None, "flag"),
        group(group_id, "Beta testers", beta, variations),
    )
}

/// A campaign of one variation group; `(name, slug, type)` as in the file.
fn campaign(
    id: String,
    (name, slug, kind): (&str, Option<&str>, &str),
    group: VariationGroup,
) -> Campaign {
    Campaign {
        id,
        name: Some(name.to_owned()),
        slug: slug.map(str::to_owned),
        kind: Some(kind.to_owned()),
        bucket_ranges: Vec::new(),
        variation_groups: vec![group],
    }
}

fn group(
    id: String,
    name: &str,
    groups: Vec<Vec<Condition>>,
    variations: Vec<Variation>,
) -> VariationGroup {
    VariationGroup {
        id,
        name: Some(name.to_owned()),
        targeting: Targeting {
            targeting_groups: groups
                .into_iter()
                .map(|targetings| TargetingGroup { targetings })
                .collect(),
        },
        variations,
    }
}

fn condition(operator: Operator, key: &str, value: Value) -> Condition {
    Condition {
        operator,
        key: key.to_owned(),
        value,
        provider: None,
    }
}

fn variation(
    ids: &mut Ids,
    name: &str,
    reference: bool,
    allocation: f64,
    kind: &str,
    value: Value,
) -> Variation {
    Variation {
        id: ids.next(),
        name: Some(name.to_owned()),
        reference,
        allocation: Some(allocation),
        modifications: Modifications {
            kind: Some(kind.to_owned()),
            value: match value {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        },
    }
}
