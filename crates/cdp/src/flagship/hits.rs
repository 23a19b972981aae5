//! Hits for the collector: page, screen, transaction, item and event, with the SDK's validation.

use flagship_api::types::{self, HitType};

use super::visitor::Visitor;
use crate::{Error, Result};

/// The category of an event hit.
///
/// ```
/// let category = cdp::flagship::EventCategory::ActionTracking;
/// # let _ = category;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventCategory {
    /// `Action Tracking`: a conversion or an action the visitor took.
    ActionTracking,
    /// `User Engagement`: how the visitor engages.
    UserEngagement,
}

/// What a hit is, with its required fields.
#[derive(Clone, Debug)]
enum Kind {
    Page {
        url: String,
    },
    Screen {
        name: String,
    },
    Transaction {
        id: String,
        affiliation: String,
    },
    Item {
        transaction_id: String,
        name: String,
        code: String,
    },
    Event {
        action: String,
        value: Option<i64>,
    },
}

/// A hit for the collector, built with one of its constructors and optional fields, then sent with
/// [`Visitor::send_hit`], which checks it first (as the SDK does): a page needs an absolute URL, an event
/// an action and a value above 0 when it has one, an item its code, every amount a finite number.
///
/// ```
/// use cdp::flagship::{EventCategory, Hit};
///
/// let page = Hit::page("https://example.com/checkout").user_ip("203.0.113.7").screen_resolution(1920, 1080);
/// let order = Hit::transaction("tid-1", "checkout").revenue(19.9).currency("EUR").item_count(2);
/// let item = Hit::item("tid-1", "Tea", "SKU-9").price(9.95).quantity(2);
/// let click = Hit::event(EventCategory::ActionTracking, "click-buy").label("header").value(3);
/// assert!(page.validate().is_ok() && order.validate().is_ok() && item.validate().is_ok() && click.validate().is_ok());
/// assert!(Hit::page("/checkout").validate().is_err());
/// ```
#[derive(Clone, Debug)]
pub struct Hit {
    kind: Kind,
    wire: types::builder::Hit,
    /// Optional fields refused when set (a non-finite amount), reported by `validate`.
    problems: Vec<(&'static str, &'static str)>,
}

impl Hit {
    fn new(kind: Kind, t: HitType) -> Self {
        Self {
            kind,
            wire: types::builder::Hit::default().t(t),
            problems: Vec::new(),
        }
    }

    /// A page view of `url` (absolute: `https://…`).
    pub fn page(url: impl Into<String>) -> Self {
        Self::new(Kind::Page { url: url.into() }, HitType::Pageview)
    }

    /// A screen view of the screen `name`.
    pub fn screen(name: impl Into<String>) -> Self {
        Self::new(Kind::Screen { name: name.into() }, HitType::Screenview)
    }

    /// A transaction `id` with its affiliation (the name of the goal it reaches).
    pub fn transaction(id: impl Into<String>, affiliation: impl Into<String>) -> Self {
        Self::new(
            Kind::Transaction {
                id: id.into(),
                affiliation: affiliation.into(),
            },
            HitType::Transaction,
        )
    }

    /// An item of transaction `transaction_id`: its name and code (SKU).
    pub fn item(
        transaction_id: impl Into<String>,
        name: impl Into<String>,
        code: impl Into<String>,
    ) -> Self {
        Self::new(
            Kind::Item {
                transaction_id: transaction_id.into(),
                name: name.into(),
                code: code.into(),
            },
            HitType::Item,
        )
    }

    /// An event: its category and action.
    pub fn event(category: EventCategory, action: impl Into<String>) -> Self {
        let mut hit = Self::new(
            Kind::Event {
                action: action.into(),
                value: None,
            },
            HitType::Event,
        );
        hit.wire = hit.wire.ec(Some(match category {
            EventCategory::ActionTracking => types::EventCategory::ActionTracking,
            EventCategory::UserEngagement => types::EventCategory::UserEngagement,
        }));
        hit
    }

    fn amount(
        mut self,
        field: &'static str,
        value: f64,
        set: impl FnOnce(types::builder::Hit, f64) -> types::builder::Hit,
    ) -> Self {
        if value.is_finite() {
            self.wire = set(self.wire, value);
        } else {
            self.problems.push((field, "must be a finite number"));
        }
        self
    }

    /// The visitor's IP address (`uip`).
    pub fn user_ip(mut self, ip: impl Into<String>) -> Self {
        self.wire = self.wire.uip(Some(ip.into()));
        self
    }

    /// The screen resolution (`sr`, `WxH`).
    pub fn screen_resolution(mut self, width: u32, height: u32) -> Self {
        self.wire = self.wire.sr(Some(format!("{width}x{height}")));
        self
    }

    /// The visitor's language (`ul`, such as `fr-FR`).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.wire = self.wire.ul(Some(locale.into()));
        self
    }

    /// The session number (`sn`).
    pub fn session_number(mut self, number: u32) -> Self {
        self.wire = self.wire.sn(Some(i64::from(number)));
        self
    }

    /// How long the hit waited before being sent, in milliseconds (`qt`).
    pub fn queue_time_ms(mut self, ms: u32) -> Self {
        self.wire = self.wire.qt(Some(i64::from(ms)));
        self
    }

    /// A transaction's revenue (`tr`).
    pub fn revenue(self, revenue: f64) -> Self {
        self.amount("revenue", revenue, |w, v| w.tr(Some(v)))
    }

    /// A transaction's shipping cost (`ts`).
    pub fn shipping(self, shipping: f64) -> Self {
        self.amount("shipping", shipping, |w, v| w.ts(Some(v)))
    }

    /// A transaction's taxes (`tt`).
    pub fn taxes(self, taxes: f64) -> Self {
        self.amount("taxes", taxes, |w, v| w.tt(Some(v)))
    }

    /// A transaction's currency (`tc`, ISO 4217).
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.wire = self.wire.tc(Some(currency.into()));
        self
    }

    /// A transaction's coupon code (`tcc`).
    pub fn coupon(mut self, coupon: impl Into<String>) -> Self {
        self.wire = self.wire.tcc(Some(coupon.into()));
        self
    }

    /// A transaction's payment method (`pm`).
    pub fn payment_method(mut self, method: impl Into<String>) -> Self {
        self.wire = self.wire.pm(Some(method.into()));
        self
    }

    /// A transaction's shipping method (`sm`).
    pub fn shipping_method(mut self, method: impl Into<String>) -> Self {
        self.wire = self.wire.sm(Some(method.into()));
        self
    }

    /// A transaction's number of items (`icn`).
    pub fn item_count(mut self, count: u32) -> Self {
        self.wire = self.wire.icn(Some(i64::from(count)));
        self
    }

    /// An item's price (`ip`).
    pub fn price(self, price: f64) -> Self {
        self.amount("price", price, |w, v| w.ip(Some(v)))
    }

    /// An item's quantity (`iq`).
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.wire = self.wire.iq(Some(i64::from(quantity)));
        self
    }

    /// An item's category (`iv`).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.wire = self.wire.iv(Some(category.into()));
        self
    }

    /// An event's label (`el`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.wire = self.wire.el(Some(label.into()));
        self
    }

    /// An event's value (`ev`): an integer above 0.
    pub fn value(mut self, value: i64) -> Self {
        if let Kind::Event { value: slot, .. } = &mut self.kind {
            *slot = Some(value);
        } else {
            self.problems
                .push(("value", "only an event hit has a value"));
        }
        self
    }

    /// Checks the hit as the SDK does; `Err` names the field at fault.
    pub fn validate(&self) -> Result<()> {
        if let Some((field, why)) = self.problems.first() {
            return Err(Error::invalid_input(*field, *why));
        }
        let required = |field: &str, value: &str| {
            if value.trim().is_empty() {
                Err(Error::invalid_input(field, "is required"))
            } else {
                Ok(())
            }
        };
        match &self.kind {
            Kind::Page { url } => {
                let absolute = reqwest::Url::parse(url)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
                if !absolute {
                    return Err(Error::invalid_input(
                        "url",
                        "a page hit needs an absolute http(s) URL",
                    ));
                }
            }
            Kind::Screen { name } => required("name", name)?,
            Kind::Transaction { id, affiliation } => {
                required("transaction_id", id)?;
                required("affiliation", affiliation)?;
            }
            Kind::Item {
                transaction_id,
                name,
                code,
            } => {
                required("transaction_id", transaction_id)?;
                required("name", name)?;
                required("code", code)?;
            }
            Kind::Event { action, value } => {
                required("action", action)?;
                if value.is_some_and(|v| v <= 0) {
                    return Err(Error::invalid_input(
                        "value",
                        "an event value must be an integer above 0",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The hit on the wire, from visitor ids: `vid` and `cuid` as the SDK sets them.
    fn to_wire(&self, env_id: &str, vid: &str, cuid: Option<&str>) -> Result<types::Hit> {
        let mut wire = self
            .wire
            .clone()
            .cid(Some(env_id.to_owned()))
            .vid(Some(vid.to_owned()))
            .cuid(cuid.map(str::to_owned))
            .ds(Some("APP".to_owned()));
        wire = match &self.kind {
            Kind::Page { url } => wire.dl(Some(url.clone())),
            Kind::Screen { name } => wire.dl(Some(name.clone())),
            Kind::Transaction { id, affiliation } => {
                wire.tid(Some(id.clone())).ta(Some(affiliation.clone()))
            }
            Kind::Item {
                transaction_id,
                name,
                code,
            } => wire
                .tid(Some(transaction_id.clone()))
                .in_(Some(name.clone()))
                .ic(Some(code.clone())),
            #[allow(clippy::cast_precision_loss)]
            Kind::Event { action, value } => {
                wire.ea(Some(action.clone())).ev(value.map(|v| v as f64))
            }
        };
        wire.try_into()
            .map_err(|e: types::error::ConversionError| Error::invalid_input("hit", e.to_string()))
    }
}

impl Visitor {
    /// Sends `hit` to the collector. `Err` for an invalid hit (nothing is sent) and for a delivery that
    /// failed after the transport's retries, within the timeout (one that took too long is an
    /// [`Error::Timeout`](crate::Error::Timeout)): the caller decides (there is no queue).
    /// In panic mode nothing is sent. An authenticated visitor's hits carry `vid` = the anonymous id and
    /// `cuid` = the visitor id, as the SDK sends them.
    ///
    /// ```no_run
    /// # async fn run(visitor: cdp::flagship::Visitor) -> cdp::Result<()> {
    /// visitor.send_hit(cdp::flagship::Hit::screen("home")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_hit(&self, hit: Hit) -> Result<()> {
        hit.validate()?;
        if self.decision.is_panic() {
            return Ok(());
        }
        let shared = &self.fs.shared;
        let wire = match &self.anonymous_id {
            Some(anonymous) => hit.to_wire(&shared.env_id, anonymous, Some(&self.id))?,
            None => hit.to_wire(&shared.env_id, &self.id, None)?,
        };
        let request = shared.hits.send_hit().body(wire).send();
        match shared.within(request).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(Error::from(error)),
            Err(timeout) => Err(timeout),
        }
    }
}
