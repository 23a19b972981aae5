//! `cdp::Error` from every kind of failure: each service's error body, answers of the wrong shape, the
//! network, credentials, and invalid input. Messages read well and hold no secret.

use cdp::{Error, ServiceError};
use cdp_tests::Recorder;
use cdp_transport::{Auth, ClientCredentials, Inner};

fn hub() -> (Recorder, contacthub_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("hub-s3cr3t"));
    (
        recorder,
        contacthub_api::Client::new("https://api.contactlab.it/hub/v1", inner),
    )
}

#[tokio::test]
async fn a_contacthub_conflict_carries_status_message_reference_and_the_matched_customer() {
    let (recorder, client) = hub();
    recorder.reply(
        409,
        r#"{"message":"Conflict with exiting customer c-7","logref":"lr-1","data":{"customer":{"id":"c-7","href":"h"}},"errors":[]}"#,
    );
    let err: Error = client
        .create_customer()
        .workspace_id("w")
        .body_map(|b| b.node_id("n"))
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status(), Some(409));
    let api = err.api().unwrap();
    assert!(api.is_conflict());
    assert_eq!(api.reference.as_deref(), Some("lr-1"));
    let ServiceError::ContactHub(body) = &api.body else {
        panic!("ContactHub body expected")
    };
    assert_eq!(body.data.as_ref().unwrap()["customer"]["id"], "c-7");
    assert_eq!(
        err.to_string(),
        "ContactHub answered 409 Conflict: Conflict with exiting customer c-7 (ref lr-1)"
    );
}

#[tokio::test]
async fn field_problems_are_part_of_the_message() {
    let (recorder, client) = hub();
    recorder.reply(
        400,
        r#"{"message":"source customer is not valid","logref":"x","errors":[{"message":"is required","path":"/base/credential/username"}]}"#,
    );
    let err: Error = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(
        err.to_string(),
        "ContactHub answered 400 Bad Request: source customer is not valid (/base/credential/username: is required) (ref x)"
    );
}

#[tokio::test]
async fn blueconic_aws_and_flagship_bodies() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let bc = blueconic_api::Client::new("https://t.blueconic.net/rest/v2", inner);
    recorder.reply(400, r#"{"code":400,"message":"Invalid request","errors":[{"field":"count","message":"too large"}]}"#);
    let err: Error = bc
        .get_profile()
        .profile_id("p")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(
        err.to_string(),
        "BlueConic answered 400 Bad Request: 400: Invalid request (count: too large)"
    );

    let (recorder, inner) = Recorder::new(Auth::None);
    let cp = customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    recorder.reply_with_headers(
        404,
        &[
            (
                "x-amzn-errortype",
                "ResourceNotFoundException:http://internal.amazon.com/",
            ),
            ("x-amzn-requestid", "req-9"),
        ],
        r#"{"Message":"Segment vip not found"}"#,
    );
    let err: Error = cp
        .get_segment_definition()
        .domain_name("d")
        .segment_definition_name("vip")
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.api().unwrap();
    assert!(api.is_not_found());
    assert_eq!(api.kind.as_deref(), Some("ResourceNotFoundException"));
    assert_eq!(
        err.to_string(),
        "AWS Customer Profiles answered 404 Not Found: ResourceNotFoundException: Segment vip not found (ref req-9)"
    );
    recorder.reply(
        400,
        r#"{"__type":"com.amazonaws.profile#BadRequestException","Message":"bad"}"#,
    );
    let err: Error = cp
        .get_segment_definition()
        .domain_name("d")
        .segment_definition_name("vip")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(
        err.api().unwrap().kind.as_deref(),
        Some("BadRequestException")
    );

    let (recorder, inner) = Recorder::new(Auth::None);
    let fs = flagship_api::Client::new("https://decision.flagship.io", inner);
    recorder.reply(400, r#"{"message":"visitorId is required"}"#);
    let err: Error = fs
        .get_flags()
        .env_id("e")
        .body_map(|b| b.visitor_id(""))
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(
        err.to_string(),
        "Flagship answered 400 Bad Request: visitorId is required"
    );
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_names_the_path_and_keeps_the_body() {
    let (recorder, client) = hub();
    recorder.reply(200, r#"{"elements":[{"id":"a"},{"id":"b","registeredAt":"yesterday"}],"page":{"size":2,"totalElements":2,"totalPages":1,"number":0}}"#);
    let err = client
        .list_customers()
        .workspace_id("w")
        .node_id("n")
        .send()
        .await
        .map_err(Error::from_call::<contacthub_api::types::PagedCustomer, _>)
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("decode error expected, got {err:?}")
    };
    assert_eq!(decode.path.as_deref(), Some("elements[1].registeredAt"));
    assert!(decode.body.contains("yesterday"));
    assert!(
        err.to_string()
            .starts_with("could not read the answer of ContactHub at `elements[1].registeredAt`: "),
        "{err}"
    );

    let huge = format!(r#"{{"id": 1, "pad": "{}"}}"#, "x".repeat(10_000));
    recorder.reply(200, &huge);
    let err: Error = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    let Error::Decode(decode) = &err else {
        panic!("decode error expected")
    };
    assert_eq!(decode.body.len(), 4096, "the kept body is capped");
}

#[tokio::test]
async fn network_failures_are_transport_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let inner =
        Inner::new(Auth::bearer("hub-s3cr3t")).with_retry(cdp_transport::RetryPolicy::none());
    let client = contacthub_api::Client::new(&format!("http://127.0.0.1:{port}/hub/v1"), inner);
    let err: Error = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        matches!(
            err,
            Error::Transport {
                service: "ContactHub",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("could not reach ContactHub: "),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
    assert!(!format!("{err} {err:?}").contains("hub-s3cr3t"));
}

#[tokio::test]
async fn credentials_that_cannot_be_used_are_auth_errors_and_nothing_is_sent() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let credentials = ClientCredentials::new(
        format!("http://127.0.0.1:{port}/oauth/token"),
        "client",
        "cl13nt-s3cr3t",
    );
    let (recorder, _) = Recorder::new(Auth::None);
    let inner = Inner::new(Auth::oauth2(credentials)).with_transport(recorder.clone());
    let bc = blueconic_api::Client::new("https://t.blueconic.net/rest/v2", inner);
    let err: Error = bc
        .get_profile()
        .profile_id("p")
        .send()
        .await
        .unwrap_err()
        .into();
    let Error::Auth { service, message } = &err else {
        panic!("auth error expected, got {err:?}")
    };
    assert_eq!(*service, "BlueConic");
    assert!(
        message.contains("token endpoint could not be reached"),
        "{message}"
    );
    assert!(!format!("{err} {err:?}").contains("cl13nt-s3cr3t"));
    assert!(
        recorder.shapes().is_empty(),
        "nothing is sent without credentials"
    );
}

#[tokio::test]
async fn missing_input_is_an_invalid_input_error() {
    let (recorder, client) = hub();
    let err: Error = client
        .get_customer()
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    let Error::InvalidInput { message, .. } = &err else {
        panic!("invalid input expected, got {err:?}")
    };
    assert!(message.contains("workspace_id"), "{message}");
    assert!(err.to_string().starts_with("invalid input: "));
    assert!(recorder.shapes().is_empty());
}

#[tokio::test]
async fn not_found_and_conflict_are_asked_of_the_error_itself() {
    let (recorder, client) = hub();
    recorder.reply(404, r#"{"message":"no such customer"}"#);
    let err: Error = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(err.is_not_found() && !err.is_conflict(), "{err:?}");
    recorder.reply(409, r#"{"message":"exists"}"#);
    let err: Error = client
        .create_customer()
        .workspace_id("w")
        .body_map(|b| b.node_id("n"))
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(err.is_conflict() && !err.is_not_found(), "{err:?}");
    assert!(!Error::invalid_input("id", "is empty").is_not_found());
}

#[tokio::test]
async fn api_and_decode_errors_are_std_errors_in_the_source_chain() {
    let (recorder, client) = hub();
    recorder.reply(404, r#"{"message":"no such customer"}"#);
    let err: Error = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into();
    let source = std::error::Error::source(&err).expect("the API error is the source");
    let api = source.downcast_ref::<cdp::ApiError>().expect("an ApiError");
    assert_eq!(api.status, 404);
    assert_eq!(source.to_string(), err.to_string());

    recorder.reply(200, r#"{"id": 7}"#);
    let err = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .map_err(Error::from_call::<contacthub_api::types::Customer, _>)
        .unwrap_err();
    let decode = std::error::Error::source(&err)
        .and_then(|e| e.downcast_ref::<cdp::DecodeError>())
        .unwrap_or_else(|| panic!("a DecodeError is the source of {err:?}"));
    let serde = std::error::Error::source(decode).expect("the decoder's own error");
    assert!(!serde.to_string().is_empty());
}

#[tokio::test]
async fn the_raw_client_s_error_converts_with_the_question_mark() {
    async fn call(client: &contacthub_api::Client) -> cdp::Result<String> {
        let customer = client
            .get_customer()
            .workspace_id("w")
            .customer_id("c")
            .send()
            .await?;
        Ok(customer.into_inner().id)
    }
    let (recorder, client) = hub();
    recorder.reply(404, r#"{"message":"gone"}"#);
    assert!(call(&client).await.unwrap_err().is_not_found());
}

#[test]
fn a_custom_error_of_the_generator_is_not_an_auth_error() {
    let raw: contacthub_api::Error<contacthub_api::types::ApiError> =
        contacthub_api::Error::Custom("a hook said no".into());
    let err = Error::from(raw);
    assert!(!matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(matches!(err, Error::Custom { .. }), "{err:?}");
    assert_eq!(err.to_string(), "ContactHub: a hook said no");
}

#[test]
fn typed_transport_errors_arrive_as_their_own_variants() {
    use cdp_transport::TransportError;
    type Expected = fn(&Error) -> bool;
    let cases: Vec<(TransportError, Expected)> = vec![
        (TransportError::TooLarge { limit: 9 }, |e| {
            matches!(e, Error::TooLarge { limit: 9, .. })
        }),
        (
            TransportError::Redirect {
                status: 302,
                origin: Some("http://127.0.0.1:1".into()),
            },
            |e| matches!(e, Error::Redirect { status: 302, .. }),
        ),
        (
            TransportError::InvalidPathSegment(
                cdp_transport::path::segment("customerId", "..").unwrap_err(),
            ),
            |e| matches!(e, Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
        ),
        (
            TransportError::Auth(cdp_transport::AuthError::InvalidSecret),
            |e| matches!(e, Error::Auth { .. }),
        ),
    ];
    for (typed, expected) in cases {
        let raw: contacthub_api::Error<contacthub_api::types::ApiError> =
            contacthub_api::Error::CommunicationError(typed.into_reqwest());
        let err = Error::from(raw);
        assert!(expected(&err), "{err:?}");
    }
}
