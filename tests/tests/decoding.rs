//! Responses decode as the services really send them: ContactHub's `+0000` offsets, values and fields the
//! specs do not know yet (forward compatibility), and each service's error body.

use std::collections::HashSet;

use cdp_tests::Recorder;
use cdp_transport::Auth;
use chrono::{TimeZone, Utc};

fn contacthub() -> (Recorder, contacthub_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("t"));
    (
        recorder,
        contacthub_api::Client::new("https://api.contactlab.it/hub/v1", inner),
    )
}

const CUSTOMER: &str = r#"{
  "id": "0745ef01", "nodeId": "n1", "externalId": "02", "extra": null, "enabled": true,
  "registeredAt": "2017-03-02T12:12:53.074+0000", "updatedAt": "2017-03-02T14:12:53.074+0200",
  "loyaltyTier": "gold",
  "base": {
    "firstName": "Marco", "dob": "2012-04-23", "timezone": "Africa/Accra", "pictureUrl": null,
    "contacts": {"email": "a@b.it", "fax": null, "otherContacts": [{"name": "n", "type": "PAGER", "value": "v"}],
                 "hologram": "future field"},
    "subscriptions": [{"id": "s1", "kind": "SERVICE", "startDate": "2018-05-25T14:05:00.000+0000", "subscribed": true}],
    "educations": [{"id": "e1", "schoolType": "COLLEGE", "startYear": 1994}]
  },
  "consents": {"disclaimer": {"date": "2018-05-25T14:05:00.000+0000", "version": "v1"},
               "marketing": {"automatic": {"email": {"status": true}}}},
  "extended": {"loyalty": {"points": 120}},
  "tags": {"auto": ["a"], "manual": ["vip"]}
}"#;

#[tokio::test]
async fn contacthub_customer_with_colonless_offsets_and_unknown_fields_decodes() {
    let (recorder, client) = contacthub();
    recorder.reply(200, CUSTOMER);
    let customer = client
        .get_customer()
        .workspace_id("w")
        .customer_id("0745ef01")
        .send()
        .await
        .unwrap()
        .into_inner();

    let registered =
        Utc.with_ymd_and_hms(2017, 3, 2, 12, 12, 53).unwrap() + chrono::Duration::milliseconds(74);
    assert_eq!(customer.registered_at, Some(registered));
    // +0200 is two hours ahead of UTC, so both instants are the same.
    assert_eq!(customer.updated_at, Some(registered));
    let base = customer.base.unwrap();
    assert_eq!(base.dob, chrono::NaiveDate::from_ymd_opt(2012, 4, 23));
    assert_eq!(base.picture_url, None);
    assert_eq!(
        base.timezone,
        Some(contacthub_api::types::Timezone::AfricaAccra)
    );
    let elsewhere: contacthub_api::types::Timezone =
        serde_json::from_str(r#""Mars/Olympus_Mons""#).unwrap();
    assert!(!elsewhere.is_known());
    let subscription = &base.subscriptions.as_ref().unwrap()[0];
    assert_eq!(
        subscription.start_date,
        Some(Utc.with_ymd_and_hms(2018, 5, 25, 14, 5, 0).unwrap())
    );
    assert_eq!(
        base.educations.as_ref().unwrap()[0]
            .school_type
            .as_ref()
            .map(|t| t.as_str()),
        Some("COLLEGE")
    );
    let consents = customer.consents.unwrap();
    assert_eq!(
        consents.disclaimer.unwrap().date,
        Some(Utc.with_ymd_and_hms(2018, 5, 25, 14, 5, 0).unwrap())
    );
    assert_eq!(customer.extended.unwrap()["loyalty"]["points"], 120);
    assert_eq!(customer.tags.unwrap().manual, ["vip"]);
}

#[tokio::test]
async fn unknown_enum_values_decode_as_unknown() {
    use contacthub_api::types::{ContactType, EventContext, EventType};
    let (recorder, client) = contacthub();
    recorder.reply(
        200,
        r#"{"elements": [
              {"id": "e1", "type": "viewedPage", "context": "WEB", "mode": "ACTIVE", "properties": {}},
              {"id": "e2", "type": "teleported", "context": "METAVERSE", "mode": "DREAMING", "properties": {}}],
            "page": {"size": 2, "totalElements": 2, "totalUnfilteredElements": 9, "totalPages": 1, "number": 0}}"#,
    );
    let page = client
        .list_events()
        .workspace_id("w")
        .customer_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.page.total_unfiltered_elements, Some(9));
    let [known, unknown] = &page.elements[..] else {
        panic!("two events expected")
    };
    assert_eq!(known.type_, EventType::ViewedPage);
    assert_eq!(known.context, EventContext::Web);
    assert_eq!(unknown.type_, EventType::Unknown("teleported".into()));
    assert_eq!(unknown.context.as_str(), "METAVERSE");
    assert!(!unknown.context.is_known());
    assert_eq!(unknown.mode.as_ref().unwrap().to_string(), "DREAMING");

    recorder.reply(200, CUSTOMER);
    let customer = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap();
    let other = &customer
        .base
        .as_ref()
        .unwrap()
        .contacts
        .as_ref()
        .unwrap()
        .other_contacts
        .as_ref()
        .unwrap()[0];
    assert_eq!(other.type_, Some(ContactType::Unknown("PAGER".into())));
}

#[tokio::test]
async fn unknown_enum_values_decode_in_every_service() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let bc = blueconic_api::Client::new("https://t.blueconic.net/rest/v2", inner);
    recorder.reply(
        200,
        r#"[{"state":"QUARANTINED","profileId":"p1","timeline":[{"state":"TIME_TRAVELLED"}]}]"#,
    );
    let results = bc.bulk_profiles().body(Vec::new()).send().await.unwrap();
    assert_eq!(results[0].state.as_ref().unwrap().as_str(), "QUARANTINED");
    assert_eq!(
        results[0].timeline[0].state.as_ref().unwrap().as_str(),
        "TIME_TRAVELLED"
    );

    let (recorder, inner) = Recorder::new(Auth::None);
    let cp = customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    recorder.reply(200, r#"{"Profiles":[{"ProfileId":"a","QueryResult":"MAYBE","Profile":{"Gender":"NONBINARY"}}]}"#);
    let m = cp
        .get_segment_membership()
        .domain_name("d")
        .segment_definition_name("s")
        .body_map(|b| b.profile_ids(vec![]))
        .send()
        .await
        .unwrap();
    assert_eq!(m.profiles[0].query_result.as_str(), "MAYBE");
    assert_eq!(
        m.profiles[0]
            .profile
            .as_ref()
            .unwrap()
            .gender
            .as_ref()
            .unwrap()
            .as_str(),
        "NONBINARY"
    );

    let (recorder, inner) = Recorder::new(Auth::None);
    let fs = flagship_api::Client::new("https://decision.flagship.io", inner);
    recorder.reply(
        200,
        r#"{"visitorId":"v","campaigns":[{"id":"c","type":"rollout-v9","variationGroupId":"g",
            "variation":{"id":"x","modifications":{"type":"HOLOGRAM","value":{"k":1}}}}]}"#,
    );
    let d = fs
        .get_campaigns()
        .env_id("e")
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await
        .unwrap();
    let campaign = &d.campaigns[0];
    assert_eq!(campaign.type_.as_ref().unwrap().as_str(), "rollout-v9");
    assert_eq!(
        campaign
            .variation
            .modifications
            .as_ref()
            .unwrap()
            .type_
            .as_ref()
            .unwrap()
            .as_str(),
        "HOLOGRAM"
    );
}

#[test]
fn open_enums_compare_hash_and_round_trip_by_wire_text() {
    use contacthub_api::types::EventContext;
    assert_eq!(EventContext::from("WEB"), EventContext::Web);
    // An `Unknown` spelled like a known value is that value.
    assert_eq!(EventContext::Unknown("WEB".into()), EventContext::Web);
    let set: HashSet<EventContext> =
        [EventContext::Web, EventContext::Unknown("WEB".into())].into();
    assert_eq!(set.len(), 1);
    assert_eq!("IOT".parse::<EventContext>().unwrap(), EventContext::Iot);
    assert_eq!(
        EventContext::DigitalCampaign.to_string(),
        "DIGITAL_CAMPAIGN"
    );
    assert_eq!(
        serde_json::to_string(&EventContext::Unknown("X".into())).unwrap(),
        r#""X""#
    );
    assert_eq!(
        serde_json::from_str::<EventContext>(r#""CONTACT_CENTER""#).unwrap(),
        EventContext::ContactCenter
    );
    assert!(EventContext::KNOWN.contains(&"OTHER"));
    assert!(EventContext::Iot < EventContext::Web);
}

#[tokio::test]
async fn contacthub_conflict_body_is_a_typed_error_with_the_matched_customer() {
    let (recorder, client) = contacthub();
    recorder.reply(
        409,
        r#"{"message":"Conflict with exiting customer 0745ef01","logref":"a4bc-1","data":{"customer":
            {"id":"0745ef01","href":"https://api.contactlab.it/hub/v1/workspaces/w/customers/0745ef01"}},"errors":[]}"#,
    );
    let err = client
        .create_customer()
        .workspace_id("w")
        .body_map(|b| b.node_id("n"))
        .send()
        .await
        .unwrap_err();
    let contacthub_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected, got {err:?}")
    };
    assert_eq!(body.status(), 409);
    assert_eq!(body.logref.as_deref(), Some("a4bc-1"));
    let data: contacthub_api::types::ConflictData =
        serde_json::from_value(body.data.clone().unwrap()).unwrap();
    assert_eq!(data.customer.id, "0745ef01");
}

#[tokio::test]
async fn contacthub_validation_error_lists_each_problem() {
    let (recorder, client) = contacthub();
    recorder.reply(
        400,
        r#"{"message":"source customer is not valid","logref":"x","data":null,
            "errors":[{"message":"unique customer property is required","path":"/base/credential/username","data":null,"code":null}]}"#,
    );
    let err = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err();
    let contacthub_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(
        body.message.as_deref(),
        Some("source customer is not valid")
    );
    assert_eq!(
        body.errors.as_ref().unwrap()[0].path.as_deref(),
        Some("/base/credential/username")
    );
    assert_eq!(body.data, None);
}

#[tokio::test]
async fn blueconic_error_body_decodes() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let bc = blueconic_api::Client::new("https://t.blueconic.net/rest/v2", inner);
    recorder.reply(400, r#"{"code":400,"message":"Invalid request","errors":[{"field":"count","message":"too large"}]}"#);
    let err = bc.get_profile().profile_id("p").send().await.unwrap_err();
    let blueconic_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(body.code, Some(400));
    assert_eq!(
        body.errors.as_ref().unwrap()[0].field.as_deref(),
        Some("count")
    );
}

#[tokio::test]
async fn aws_error_body_and_type_header_decode() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let cp = customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    recorder.reply_with_headers(
        404,
        &[(
            "x-amzn-errortype",
            "ResourceNotFoundException:http://internal.amazon.com/",
        )],
        r#"{"Message":"Segment definition vip not found"}"#,
    );
    let err = cp
        .get_segment_definition()
        .domain_name("d")
        .segment_definition_name("vip")
        .send()
        .await
        .unwrap_err();
    let customer_profiles_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(
        body.message.as_deref(),
        Some("Segment definition vip not found")
    );
    assert_eq!(
        body.headers()["x-amzn-errortype"],
        "ResourceNotFoundException:http://internal.amazon.com/"
    );

    recorder.reply(
        400,
        r#"{"__type":"BadRequestException","Message":"ProfileIds must have 1 to 100 items"}"#,
    );
    let err = cp
        .get_segment_membership()
        .domain_name("d")
        .segment_definition_name("s")
        .body_map(|b| b.profile_ids(vec![]))
        .send()
        .await
        .unwrap_err();
    let customer_profiles_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(body.type_.as_deref(), Some("BadRequestException"));
}

#[tokio::test]
async fn flagship_error_body_decodes() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let fs = flagship_api::Client::new("https://decision.flagship.io", inner);
    recorder.reply(400, r#"{"message":"visitorId is required"}"#);
    let err = fs
        .get_flags()
        .env_id("e")
        .body_map(|b| b.visitor_id(""))
        .send()
        .await
        .unwrap_err();
    let flagship_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(body.status(), 400);
    assert_eq!(body.message.as_deref(), Some("visitorId is required"));
}

#[tokio::test]
async fn an_error_answer_that_is_not_json_keeps_its_status_and_text() {
    let (recorder, client) = contacthub();
    recorder.reply(502, "<html><body>Bad gateway</body></html>");
    let err = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err();
    let contacthub_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected, got {err:?}")
    };
    assert_eq!(body.status(), 502);
    assert_eq!(
        body.message.as_deref(),
        Some("<html><body>Bad gateway</body></html>")
    );

    recorder.reply(401, "");
    let err = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err();
    let contacthub_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected, got {err:?}")
    };
    assert_eq!(body.status(), 401);
    assert_eq!(body.message, None);

    let (recorder, inner) = Recorder::new(Auth::None);
    let cp = customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    recorder.reply(403, "Forbidden");
    let err = cp
        .get_segment_definition()
        .domain_name("d")
        .segment_definition_name("s")
        .send()
        .await
        .unwrap_err();
    let customer_profiles_api::Error::ErrorResponse(body) = err else {
        panic!("typed error expected")
    };
    assert_eq!(body.message.as_deref(), Some("Forbidden"));
}

/// A customer as the official customer JSON Schema allows it: devices and contacts with any member missing.
const PARTIAL_DEVICE_CUSTOMER: &str = r#"{
  "id": "c-partial", "nodeId": "n1",
  "base": {
    "timezone": "UTC",
    "contacts": {
      "mobileDevices": [{"type": "IOS"}, {"identifier": "d2", "notificationService": "APN"}],
      "otherContacts": [{"type": "EMAIL"}, {"value": "only a value"}]
    }
  }
}"#;

#[tokio::test]
async fn a_customer_with_a_partial_device_or_contact_decodes_on_get_and_list() {
    let (recorder, client) = contacthub();
    recorder.reply(200, PARTIAL_DEVICE_CUSTOMER);
    let customer = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c-partial")
        .send()
        .await
        .unwrap()
        .into_inner();
    let contacts = customer.base.unwrap().contacts.unwrap();
    let devices = contacts.mobile_devices.unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].identifier, None);
    assert_eq!(devices[1].identifier.as_deref(), Some("d2"));
    let others = contacts.other_contacts.unwrap();
    assert_eq!(others[0].value, None);
    assert_eq!(others[1].value.as_deref(), Some("only a value"));

    recorder.reply(
        200,
        &format!(
            r#"{{"elements": [{PARTIAL_DEVICE_CUSTOMER}],
            "page": {{"size": 20, "totalElements": 1, "totalPages": 1, "number": 0}}}}"#
        ),
    );
    let page = client
        .list_customers()
        .workspace_id("w")
        .node_id("n1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.elements.len(), 1);
    assert_eq!(page.elements[0].id, "c-partial");
}

#[test]
fn the_time_zone_enum_holds_the_official_names_and_reads_others_as_unknown() {
    use contacthub_api::types::Timezone;
    // In the official list: known variants.
    for name in [
        "Europe/Rome",
        "Africa/Accra",
        "America/New_York",
        "Asia/Tokyo",
    ] {
        assert!(Timezone::from(name).is_known(), "{name}");
    }
    // Names the IANA database has but the service refuses: they still decode, as unknown values.
    for name in ["UTC", "Europe/Kyiv", "Etc/GMT+1", "US/Pacific"] {
        let read: Timezone = serde_json::from_value(serde_json::json!(name)).unwrap();
        assert!(!read.is_known(), "{name}");
        assert_eq!(read.as_str(), name);
    }
}

#[test]
fn blueconic_timeline_data_offers_only_the_strategies_the_official_schema_allows() {
    use blueconic_api::types::{TimelineValueStrategy, ValueStrategy};
    for allowed in ["ADD", "SET", "SET_IF_EMPTY"] {
        assert!(TimelineValueStrategy::from(allowed).is_known(), "{allowed}");
    }
    for refused in ["INCREMENT", "REMOVE"] {
        assert!(
            !TimelineValueStrategy::from(refused).is_known(),
            "{refused}"
        );
        // Profile properties keep them.
        assert!(ValueStrategy::from(refused).is_known(), "{refused}");
    }
}
