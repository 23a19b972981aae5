//! The three paging strategies of `cdp::pagination` over the sandbox: numbered pages (ContactHub), a cursor
//! (BlueConic) and a next token (AWS). Each yields every item exactly once, with or without prefetch.

use std::collections::BTreeSet;

use cdp::pagination::{Page, PageRef, Pager, stream};
use cdp_sandbox::{Config, Sandbox};
use cdp_transport::{Auth, AwsCredentials, ClientCredentials, Inner, SigV4};
use futures::TryStreamExt as _;
use futures::future::{BoxFuture, FutureExt as _};

/// The profiles of a BlueConic segment, by cursor.
struct SegmentProfiles {
    client: blueconic_api::Client,
    segment: String,
    count: i32,
}

impl Pager for SegmentProfiles {
    type Item = String;

    fn service(&self) -> &'static str {
        "BlueConic"
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, cdp::Result<Page<String>>> {
        let (client, segment, count) = (self.client.clone(), self.segment.clone(), self.count);
        async move {
            let mut call = client
                .get_segment_profiles()
                .segment_id(&segment)
                .count(count);
            if let Some(PageRef::Cursor(cursor)) = at {
                call = call.cursor(cursor);
            }
            let page = call
                .send()
                .await
                .map_err(cdp::Error::from_call::<blueconic_api::types::SegmentProfiles, _>)?
                .into_inner();
            let total = page.total_results.map(|t| t as u64);
            Ok(Page::cursor(
                page.profiles.into_iter().map(|p| p.id).collect(),
                page.next_cursor,
                total,
            ))
        }
        .boxed()
    }
}

/// The search results of an AWS domain, by next token.
struct Search {
    client: customer_profiles_api::Client,
    domain: String,
    ids: Vec<String>,
}

impl Pager for Search {
    type Item = String;

    fn service(&self) -> &'static str {
        "AWS Customer Profiles"
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, cdp::Result<Page<String>>> {
        let (client, domain, ids) = (self.client.clone(), self.domain.clone(), self.ids.clone());
        async move {
            let mut call = client
                .search_profiles()
                .domain_name(&domain)
                .max_results(7)
                .body_map(|b| b.key_name("_profileId").values(ids));
            if let Some(PageRef::Token(token)) = at {
                call = call.next_token(token);
            }
            let page =
                call.send()
                    .await
                    .map_err(
                        cdp::Error::from_call::<
                            customer_profiles_api::types::SearchProfilesResponse,
                            _,
                        >,
                    )?
                    .into_inner();
            Ok(Page::token(
                page.items
                    .into_iter()
                    .filter_map(|p| p.profile_id)
                    .collect(),
                page.next_token,
            ))
        }
        .boxed()
    }
}

#[tokio::test]
async fn a_cursor_listing_yields_every_member_once() {
    let sandbox = Sandbox::start_with(Config::default().profiles(1_234).customers(1))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let url = sandbox.urls().blueconic.clone();
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{url}/oauth/token"),
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    ));
    let client = blueconic_api::Client::new(&url, Inner::new(auth));
    let expected: BTreeSet<String> = sandbox
        .blueconic()
        .segment_members("allvisitors")
        .unwrap()
        .into_iter()
        .collect();
    for prefetch in [false, true] {
        let pager = SegmentProfiles {
            client: client.clone(),
            segment: "allvisitors".into(),
            count: 100,
        };
        let ids: Vec<String> = stream(pager, prefetch).try_collect().await.unwrap();
        assert_eq!(ids.len(), 1_234);
        assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), expected);
    }
}

#[tokio::test]
async fn a_token_listing_yields_every_item_once() {
    let mut config = Config::default().customers(1).profiles(1);
    config.aws_profiles = 60;
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let c = sandbox.credentials().clone();
    let signer = SigV4::new(
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
        &c.aws_region,
        "profile",
    );
    let client = customer_profiles_api::Client::new(
        &sandbox.urls().customer_profiles,
        Inner::new(Auth::sigv4(signer)),
    );
    let ids = sandbox.customer_profiles().profile_ids();
    let wanted: Vec<String> = ids.iter().take(50).cloned().collect();
    for prefetch in [false, true] {
        let pager = Search {
            client: client.clone(),
            domain: c.aws_domain.clone(),
            ids: wanted.clone(),
        };
        let found: Vec<String> = stream(pager, prefetch).try_collect().await.unwrap();
        assert_eq!(found.len(), 50, "8 pages of at most 7");
        assert_eq!(
            found.iter().collect::<BTreeSet<_>>(),
            wanted.iter().collect::<BTreeSet<_>>()
        );
    }
}

// ContactHub's numbered pages against a hostile server: one that lies about its pages must not make a
// stream loop, duplicate or end silently; one bad customer must not cost the others.

mod hostile {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::extract::{Query, State};
    use axum::http::StatusCode;
    use cdp::Error;
    use cdp::contacthub::{Node, Workspace};
    use cdp::pagination::PageRef;
    use cdp_transport::RetryPolicy;
    use futures::{StreamExt as _, TryStreamExt as _};
    use serde_json::{Value, json};

    /// What the server answers for page `page` of `size`, the how-many-th request this is.
    type Answer = dyn Fn(u64, u64, usize) -> (StatusCode, Value) + Send + Sync;

    #[derive(serde::Deserialize)]
    struct Paging {
        page: Option<u64>,
        size: Option<u64>,
    }

    /// A ContactHub that answers every customer listing with `answer`; the node of a workspace on it.
    async fn serve(
        answer: impl Fn(u64, u64, usize) -> (StatusCode, Value) + Send + Sync + 'static,
    ) -> Node {
        let state: (Arc<Answer>, Arc<AtomicUsize>) = (Arc::new(answer), Arc::default());
        let app = axum::Router::new()
            .route(
                "/workspaces/w/customers",
                axum::routing::get(
                    |State((answer, calls)): State<(Arc<Answer>, Arc<AtomicUsize>)>,
                     Query(p): Query<Paging>| async move {
                        let call = calls.fetch_add(1, Ordering::SeqCst);
                        let (status, body) =
                            answer(p.page.unwrap_or(0), p.size.unwrap_or(20), call);
                        (status, axum::Json(body))
                    },
                ),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Workspace::new("w", "token")
            .base_url(format!("http://{addr}"))
            .configure(|c| c.retry(RetryPolicy::none()))
            .node("n")
    }

    fn customers(from: u64, count: u64) -> Vec<Value> {
        (from..from + count)
            .map(|n| json!({"id": format!("c{n}")}))
            .collect()
    }

    fn page(elements: Vec<Value>, number: u64, size: u64, total: u64, pages: u64) -> Value {
        json!({
            "elements": elements,
            "page": {"number": number, "size": size, "totalElements": total, "totalPages": pages}
        })
    }

    /// The stream's items up to its first error, and that error.
    async fn until_error(node: &Node, size: u32) -> (Vec<String>, Option<Error>) {
        let mut items = node.customers().size(size).stream();
        let mut ids = Vec::new();
        while let Some(item) = items.next().await {
            match item {
                Ok(customer) => ids.push(customer.id),
                Err(e) => return (ids, Some(e)),
            }
            assert!(ids.len() < 10_000, "the stream runs away");
        }
        (ids, None)
    }

    fn stopped_for_paging(err: &Error) -> bool {
        matches!(err, Error::StreamStopped { source, .. } if matches!(**source, Error::Pagination { .. }))
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_page_and_claims_a_billion_pages_stops_the_stream() {
        let node = serve(|_, size, _| {
            (
                StatusCode::OK,
                page(
                    customers(0, size),
                    0,
                    size,
                    size * 1_000_000_000,
                    1_000_000_000,
                ),
            )
        })
        .await;
        let (ids, err) = until_error(&node, 50).await;
        assert_eq!(ids.len(), 50, "the first page only");
        let err = err.expect("the stream stops with an error");
        assert!(stopped_for_paging(&err), "{err:?}");
        assert_eq!(err.resume_from(), Some(&PageRef::Number(1)));
        assert!(
            err.to_string().contains("asked for page 1, got page 0"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_page_served_twice_under_its_new_number_stops_the_stream() {
        let node = serve(|number, size, _| {
            (
                StatusCode::OK,
                page(customers(0, size), number, size, 1_000, 1_000 / size),
            )
        })
        .await;
        let (ids, err) = until_error(&node, 10).await;
        assert_eq!(ids.len(), 10, "no duplicates handed out");
        let err = err.expect("the stream stops with an error");
        assert!(stopped_for_paging(&err), "{err:?}");
        assert!(err.to_string().contains("same page twice"), "{err}");
    }

    #[tokio::test]
    async fn full_pages_with_zero_totals_do_not_end_the_stream_silently() {
        let node = serve(|number, size, _| {
            (
                StatusCode::OK,
                page(customers(number * size, size), number, size, 0, 0),
            )
        })
        .await;
        let (ids, err) = until_error(&node, 10).await;
        let err = err.expect("an error, not a silent end");
        assert!(stopped_for_paging(&err), "{err:?}");
        assert!(ids.is_empty(), "{ids:?}");

        // Zero pages stated while the stated total says there are items.
        let node = serve(|number, size, _| {
            (
                StatusCode::OK,
                page(customers(number * size, size), number, size, 95, 0),
            )
        })
        .await;
        let (_, err) = until_error(&node, 10).await;
        let err = err.expect("an error, not a silent end");
        assert!(err.to_string().contains("0 pages"), "{err}");

        // One page stated, full, while the stated total says more follow.
        let node = serve(|number, size, _| {
            (
                StatusCode::OK,
                page(customers(number * size, size), number, size, 95, 1),
            )
        })
        .await;
        let (ids, err) = until_error(&node, 10).await;
        assert!(ids.is_empty());
        assert!(err.expect("an error").to_string().contains("95 items"));
    }

    #[tokio::test]
    async fn items_past_the_stated_total_stop_the_stream() {
        let node = serve(|number, size, _| {
            (
                StatusCode::OK,
                page(customers(number * size, size), number, size, 25, 1_000),
            )
        })
        .await;
        let (ids, err) = until_error(&node, 10).await;
        assert_eq!(ids.len(), 20, "the pages within the total");
        let err = err.expect("the stream stops with an error");
        assert!(
            err.to_string().contains("past the stated total of 25"),
            "{err}"
        );
        assert_eq!(err.resume_from(), Some(&PageRef::Number(2)));
    }

    #[tokio::test]
    async fn an_honest_server_still_streams_every_customer_once() {
        let node = serve(|number, size, _| {
            let total: u64 = 95;
            let count = size.min(total.saturating_sub(number * size));
            (
                StatusCode::OK,
                page(
                    customers(number * size, count),
                    number,
                    size,
                    total,
                    total.div_ceil(size),
                ),
            )
        })
        .await;
        let ids: Vec<String> = node
            .customers()
            .size(10)
            .stream()
            .map_ok(|c| c.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, (0..95).map(|n| format!("c{n}")).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_server_that_pages_by_a_smaller_size_of_its_own_is_followed_not_refused() {
        let node = serve(|number, _, _| {
            let (total, size) = (100, 20);
            (
                StatusCode::OK,
                page(
                    customers(number * size, size),
                    number,
                    size,
                    total,
                    total / size,
                ),
            )
        })
        .await;
        let ids: Vec<String> = node
            .customers()
            .size(50)
            .stream()
            .map_ok(|c| c.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, (0..100).map(|n| format!("c{n}")).collect::<Vec<_>>());
    }

    /// 25 customers in pages of 10; c3 and c14 do not decode.
    fn with_bad_customers(number: u64, size: u64) -> (StatusCode, Value) {
        let mut elements = customers(number * size, size.min(25 - number * size));
        for element in &mut elements {
            if element["id"] == "c3" {
                element["registeredAt"] = json!("yesterday");
            }
            if element["id"] == "c14" {
                element["enabled"] = json!("perhaps");
            }
        }
        (StatusCode::OK, page(elements, number, size, 25, 3))
    }

    #[tokio::test]
    async fn a_customer_that_does_not_decode_is_reported_and_the_others_still_come() {
        let node = serve(|number, size, _| with_bad_customers(number, size)).await;
        let results: Vec<cdp::Result<String>> = node
            .customers()
            .size(10)
            .stream()
            .map_ok(|c| c.id)
            .collect()
            .await;
        assert_eq!(results.len(), 25, "every place, good or bad");
        for (place, result) in results.iter().enumerate() {
            match result {
                Ok(id) => assert_eq!(id, &format!("c{place}")),
                Err(Error::Decode(e)) => {
                    assert!(place == 3 || place == 14, "{place}");
                    assert_eq!(e.index, Some(place as u64));
                    assert_eq!(e.id.as_deref(), Some(format!("c{place}").as_str()));
                    let raw: Value = serde_json::from_str(&e.body).unwrap();
                    assert_eq!(raw["id"], format!("c{place}"), "the raw JSON is kept");
                    assert!(e.path.as_deref().unwrap().starts_with("elements["), "{e:?}");
                }
                Err(e) => panic!("{e:?}"),
            }
        }

        // A single page keeps the customers that decoded and lists those that did not.
        let page = node.customers().size(10).page(1).send().await.unwrap();
        let ids: Vec<&str> = page.items().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "c10", "c11", "c12", "c13", "c15", "c16", "c17", "c18", "c19"
            ]
        );
        let failed = page.failed();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            (failed[0].index, failed[0].id.as_deref()),
            (Some(14), Some("c14"))
        );
        assert!(
            failed[0].to_string().contains("item 14 (id `c14`)"),
            "{}",
            failed[0]
        );
    }

    #[tokio::test]
    async fn a_stream_that_gives_up_says_where_to_resume_and_resumes_there() {
        // Page 2 fails the first time it is asked for, whichever request that is (pages are fetched
        // several at once).
        let failed_once = std::sync::atomic::AtomicBool::new(false);
        let node = serve(move |number, size, _| {
            if number == 2 && !failed_once.swap(true, Ordering::SeqCst) {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"message": "try later"}),
                );
            }
            let total = 45;
            let count = size.min(total - number * size);
            (
                StatusCode::OK,
                page(customers(number * size, count), number, size, total, 5),
            )
        })
        .await;
        let (mut ids, err) = until_error(&node, 10).await;
        assert_eq!(ids.len(), 20);
        let err = err.expect("the stream gave up");
        assert_eq!(err.status(), Some(503));
        let at = err.resume_from().cloned().expect("where to resume");
        assert_eq!(at, PageRef::Number(2));
        let rest: Vec<String> = node
            .customers()
            .size(10)
            .starting_at(at)
            .stream()
            .map_ok(|c| c.id)
            .try_collect()
            .await
            .unwrap();
        ids.extend(rest);
        assert_eq!(
            ids,
            (0..45).map(|n| format!("c{n}")).collect::<Vec<_>>(),
            "each once"
        );

        let refused = node
            .customers()
            .starting_at(PageRef::Cursor("x".into()))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::InvalidInput { .. }), "{refused:?}");
    }
}
