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
