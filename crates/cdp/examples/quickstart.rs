//! A short tour of the four services, on the embedded sandbox: no credentials, no network.
//!
//! ```text
//! cargo run -p cdp --example quickstart
//! ```
//!
//! Against the real services, the same code takes their URLs and your credentials instead of the
//! sandbox's.

use cdp::transport::{Auth, AwsCredentials, ClientCredentials, Inner, SigV4};
use cdp_sandbox::{Sandbox, Service};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result {
    let sandbox = Sandbox::start().await?;
    println!("sandbox running at {}\n", sandbox.addr());

    contacthub(&sandbox).await?;
    blueconic(&sandbox).await?;
    customer_profiles(&sandbox).await?;
    flagship(&sandbox).await?;

    println!("\nthe sandbox received:");
    for service in Service::ALL {
        println!(
            "  {:<18} {} request(s)",
            service.name(),
            sandbox.journal().of(service).len()
        );
    }
    Ok(())
}

async fn contacthub(sandbox: &Sandbox) -> Result {
    use cdp::contacthub::api::types::{CustomerBase, CustomerUpdate, EventContext, EventType};
    use cdp::contacthub::{Event, Workspace};

    let c = sandbox.credentials();
    let hub = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub);
    let node = hub.node(&c.contacthub_node);
    println!("ContactHub");

    let data = CustomerUpdate {
        external_id: Some("wayne-1".into()),
        base: Some(CustomerBase {
            first_name: Some("Bruce".into()),
            last_name: Some("Wayne".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let bruce = node.add_customer(data).await?;
    println!("  created customer {} (Bruce Wayne)", bruce.id);

    {
        use cdp::contacthub::query::prelude::*;
        use customer as c;
        let bruces =
            Query::from(c::base::first_name().eq("Bruce") & c::base::last_name().eq("Wayne"));
        let found = node.query(bruces).all().await?;
        println!(
            "  query firstName = Bruce and lastName = Wayne: {} customer(s)",
            found.total_elements()
        );
    }

    let mut tracked = node.customer(&bruce.id).await?;
    tracked.base_mut().contacts_mut().email = Some("bruce@wayne.example".into());
    let changes = tracked
        .tracked()
        .changes()?
        .map(serde_json::Value::from)
        .unwrap_or_default();
    tracked.patch().await?;
    tracked.add_tag("vip").await?;
    println!("  patched exactly {changes} and tagged `vip`");

    let session = cdp::contacthub::create_session_id();
    node.add_event(
        Event::new(EventType::ViewedPage, EventContext::Web)
            .session_id(&session)
            .property("url", "https://example.com/cave"),
    )
    .await?;
    node.add_customer_session(&bruce.id, &session).await?;
    let events = node.events(&bruce.id).send().await?;
    println!(
        "  an anonymous viewedPage joined him through his session: {} event(s)",
        events.total_items().unwrap_or_default()
    );

    let page = node.customers().size(5).page(1).send().await?;
    println!(
        "  page {} of {} holds {} of {} customers",
        page.page_number() + 1,
        page.total_pages(),
        page.customers().len(),
        page.total_elements()
    );
    Ok(())
}

async fn blueconic(sandbox: &Sandbox) -> Result {
    let c = sandbox.credentials();
    let url = &sandbox.urls().blueconic;
    let credentials = ClientCredentials::new(
        format!("{url}/oauth/token"),
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    )
    .scopes(["read:profiles", "write:profiles", "read:segments"]);
    let bc = cdp::blueconic::api::Client::new(url, Inner::new(Auth::oauth2(credentials)));
    println!("BlueConic");

    let page = bc
        .get_segment_profiles()
        .segment_id("allvisitors")
        .count(5)
        .properties("email")
        .send()
        .await?;
    println!(
        "  allvisitors: {} profiles, first page of {}",
        page.total_results.unwrap_or_default(),
        page.profiles.len()
    );

    let entries: Vec<_> = page
        .profiles
        .iter()
        .map(|p| cdp::blueconic::api::types::BulkInputEntry {
            profile_id: Some(p.id.clone()),
            properties: vec![cdp::blueconic::api::types::PropertyChange {
                id: "next_best_product".into(),
                values: vec!["tea".into()],
                strategy: Some("SET_IF_EMPTY".into()),
                restriction: None,
            }],
            ..Default::default()
        })
        .collect();
    let results = bc.bulk_profiles().body(entries).send().await?;
    let modified = results
        .iter()
        .filter(|r| r.state.as_ref().is_some_and(|s| s.as_str() == "MODIFIED"))
        .count();
    println!(
        "  bulk write: {modified} of {} profile(s) modified",
        results.len()
    );

    if let Some(first) = page.profiles.first() {
        let profile = bc
            .get_profile()
            .profile_id(&first.id)
            .expand(vec!["profile.segments".into()])
            .send()
            .await?;
        let segments: Vec<_> = profile
            .segments
            .iter()
            .filter_map(|s| s.id.as_deref())
            .collect();
        println!("  profile {} is in {segments:?}", profile.id);
    }
    Ok(())
}

async fn customer_profiles(sandbox: &Sandbox) -> Result {
    let c = sandbox.credentials();
    let signer = SigV4::new(
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
        &c.aws_region,
        "profile",
    );
    let cp = cdp::customer_profiles::api::Client::new(
        &sandbox.urls().customer_profiles,
        Inner::new(Auth::sigv4(signer)),
    );
    println!("AWS Customer Profiles");

    let definitions = cp
        .list_segment_definitions()
        .domain_name(&c.aws_domain)
        .send()
        .await?;
    let names: Vec<_> = definitions
        .items
        .iter()
        .filter_map(|d| d.segment_definition_name.as_deref())
        .collect();
    println!("  segment definitions: {names:?}");

    if let Some(segment) = names.first() {
        let ids: Vec<String> = sandbox
            .customer_profiles()
            .profile_ids()
            .into_iter()
            .take(10)
            .collect();
        let membership = cp
            .get_segment_membership()
            .domain_name(&c.aws_domain)
            .segment_definition_name(*segment)
            .body_map(|b| b.profile_ids(ids))
            .send()
            .await?;
        let present = membership
            .profiles
            .iter()
            .filter(|p| p.query_result.as_str() == "PRESENT")
            .count();
        println!(
            "  {present} of {} profiles are in `{segment}`",
            membership.profiles.len()
        );
    }
    Ok(())
}

async fn flagship(sandbox: &Sandbox) -> Result {
    use cdp::flagship::{Flagship, Hit};

    let (urls, c) = (sandbox.urls(), sandbox.credentials());
    println!("Flagship");
    // `.bucketing()` would decide locally from the bucketing file instead of asking the Decision API.
    let fs = Flagship::builder(&c.flagship_env_id, &c.flagship_api_key)
        .endpoints(
            &urls.flagship_decision,
            &urls.flagship_cdn,
            &urls.flagship_hits,
        )
        .on_event(|event| eprintln!("  flagship {event}"))
        .start()
        .await?;
    let mut visitor = fs
        .visitor("visitor-1")
        .context([("plan", "pro".into()), ("isVIP", true.into())])
        .build()?;
    visitor.synchronize().await;
    let color: String = visitor
        .modification("btnColor", "blue".to_string())
        .activate(true)
        .await;
    let banner: bool = visitor.modification("showBanner", false).get();
    println!("  btnColor = {color} (activated), showBanner = {banner}");
    if let Some(info) = visitor.modification_info("btnColor") {
        println!(
            "  from campaign {}, variation {}",
            info.campaign_id, info.variation_id
        );
    }
    visitor
        .send_hit(Hit::page("https://example.com/checkout"))
        .await?;
    println!("  sent a page view hit");
    Ok(())
}
