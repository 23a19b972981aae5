//! A short tour of the four services, on the embedded sandbox: no credentials, no network.
//!
//! ```text
//! cargo run -p cdp --example quickstart
//! ```
//!
//! Against the real services, the same code takes their URLs and your credentials instead of the
//! sandbox's.

use cdp::transport::AwsCredentials;
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
    use cdp::contacthub::{NewEvent, Workspace};

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
    let bruce = node.add_customer(data).send().await?;
    println!("  created customer {} (Bruce Wayne)", bruce.id);

    {
        use cdp::contacthub::query::prelude::*;
        use customer as c;
        let found = node
            .query(c::base::first_name().eq("Bruce") & c::base::last_name().eq("Wayne"))
            .send()
            .await?;
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

    let session = node.create_session_id();
    node.add_event(
        NewEvent::new(EventType::ViewedPage, EventContext::Web)
            .session_id(&session)
            .property("url", "https://example.com/cave")
            .property("visitedAt", chrono::Utc::now()),
    )
    .await?;
    node.add_customer_session(&bruce.id, &session).await?;
    let events = node.events(&bruce.id).send().await?;
    println!(
        "  an anonymous viewedPage joined him through his session: {} event(s)",
        events.total_elements()
    );

    use cdp::contacthub::Direction;
    use cdp::contacthub::query::customer as c;
    let page = node
        .customers()
        .size(5)
        .page(1)
        .fields((c::base::first_name(), c::base::last_name()))
        .sort(c::registered_at(), Direction::Descending)
        .send()
        .await?;
    println!(
        "  page {} of {} holds {} of {} customers",
        page.page_number() + 1,
        page.total_pages(),
        page.items().len(),
        page.total_elements()
    );
    Ok(())
}

async fn blueconic(sandbox: &Sandbox) -> Result {
    use cdp::blueconic::{Client, ProfileEdits as _, ProfileExpand};
    use futures::TryStreamExt as _;

    let c = sandbox.credentials();
    // Against a tenant: `Client::new("tenant.blueconic.net", id, secret)` or `Client::from_env()`.
    let bc = Client::builder(
        "tenant.blueconic.net",
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    )
    .base_url(&sandbox.urls().blueconic)
    .build()?;
    println!("BlueConic");

    let mut first = bc
        .segment_profiles("allvisitors")
        .properties(["email", "next_best_product"])
        .limit(5)
        .stream();
    let mut bulk = bc.bulk_writer();
    let mut ids = Vec::new();
    while let Some(mut profile) = first.try_next().await? {
        profile.set_if_empty("next_best_product", "tea");
        ids.push(profile.id().to_owned());
        bulk.write(profile).await?;
    }
    let report = bulk.finish().await?;
    println!(
        "  bulk write: {} of {} profile(s) modified",
        report.count("MODIFIED"),
        ids.len()
    );

    if let Some(id) = ids.first() {
        let profile = bc
            .profile(id)
            .expand([ProfileExpand::Segments])
            .send()
            .await?;
        let segments: Vec<_> = profile
            .segments()
            .iter()
            .filter_map(|s| s.id.as_deref())
            .collect();
        println!(
            "  profile {} (next best product {:?}) is in {segments:?}",
            profile.id(),
            profile.value("next_best_product")
        );
    }
    Ok(())
}

async fn customer_profiles(sandbox: &Sandbox) -> Result {
    use cdp::customer_profiles::{Client, MembershipStatus};
    use futures::TryStreamExt as _;

    let c = sandbox.credentials();
    // Against AWS: `Client::from_env().await?` (keys or a named profile, and the region).
    let cp = Client::builder(
        &c.aws_region,
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
    )
    .base_url(&sandbox.urls().customer_profiles)
    .build()?;
    println!("AWS Customer Profiles");

    let names: Vec<String> = cp
        .segment_definitions(&c.aws_domain)
        .stream()
        .map_ok(|d| d.segment_definition_name.unwrap_or_default())
        .try_collect()
        .await?;
    println!("  segment definitions: {names:?}");

    if let Some(segment) = names.first() {
        let ids: Vec<String> = sandbox
            .customer_profiles()
            .profile_ids()
            .into_iter()
            .take(10)
            .collect();
        let membership = cp
            .segment_membership(&c.aws_domain, segment)
            .profile_ids(ids)
            .send()
            .await?;
        let present = membership
            .entries
            .iter()
            .filter(|e| matches!(e.status, MembershipStatus::Present { .. }))
            .count();
        println!(
            "  {present} of {} profiles are in `{segment}` (computed at {:?})",
            membership.entries.len(),
            membership.last_computed_at
        );
        if let Some(first) = membership.entries.first()
            && let Some(profile) = cp.profile(&c.aws_domain, &first.profile_id).await?
        {
            println!(
                "  profile {}: {:?} {:?}",
                first.profile_id, profile.first_name, profile.last_name
            );
        }
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
