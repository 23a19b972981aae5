//! A customer's educations, jobs, likes and subscriptions: the same four operations on each.

use contacthub_api::types::{Education, Job, Like, Subscription};

use cdp_transport::attempts::observe;

use super::empty_body;
use super::node::{check_id, lost_before_last};
use super::{Node, TrackedCustomer};
use crate::{Error, Result, finite};

/// The node methods of one kind of item: add, get, update, remove.
macro_rules! items {
    ($item:ident, $noun:literal, $add:ident, $get:ident, $update:ident, $remove:ident,
     $create_op:ident, $get_op:ident, $update_op:ident, $delete_op:ident, $id_setter:ident,
     $id_wire:literal, $list:ident, $pointer:literal) => {
        impl Node {
            #[doc = concat!("Adds ", $noun, " to a customer, with the id the item carries; answers the item as stored (as sent, when the service answers with an empty body).")]
            pub async fn $add(&self, customer_id: &str, item: $item) -> Result<$item> {
                check_id("customerId", customer_id)?;
                finite::check(&item, stringify!($list))?;
                let call = self
                    .api()?
                    .$create_op()
                    .workspace_id(self.workspace().id())
                    .customer_id(customer_id)
                    .body(item.clone());
                empty_body::optional(call.send().await)
                    .map(|stored| stored.unwrap_or(item))
            }

            #[doc = concat!("One ", $noun, " of a customer.")]
            pub async fn $get(&self, customer_id: &str, id: &str) -> Result<$item> {
                check_id("customerId", customer_id)?;
                check_id($id_wire, id)?;
                self.api()?
                    .$get_op()
                    .workspace_id(self.workspace().id())
                    .customer_id(customer_id)
                    .$id_setter(id)
                    .send()
                    .await
                    .map(|r| r.into_inner())
                    .map_err(Error::from_call::<$item, _>)
            }

            #[doc = concat!("Replaces ", $noun, " of a customer, found by the item's own id; answers the item as stored (as sent, when the service answers with an empty body).")]
            pub async fn $update(&self, customer_id: &str, item: $item) -> Result<$item> {
                let id = item.id.clone();
                check_id("customerId", customer_id)?;
                check_id($id_wire, &id)?;
                finite::check(&item, stringify!($list))?;
                let call = self
                    .api()?
                    .$update_op()
                    .workspace_id(self.workspace().id())
                    .customer_id(customer_id)
                    .$id_setter(id)
                    .body(item.clone());
                empty_body::optional(call.send().await)
                    .map(|stored| stored.unwrap_or(item))
            }

            #[doc = concat!("Removes ", $noun, " from a customer. A delete is retried when its answer is lost; a 404 ")]
            #[doc = "that follows such an attempt means that attempt removed the item, and is Ok. A 404 on the first"]
            #[doc = "attempt is an error."]
            pub async fn $remove(&self, customer_id: &str, id: &str) -> Result<()> {
                check_id("customerId", customer_id)?;
                check_id($id_wire, id)?;
                let call = self
                    .api()?
                    .$delete_op()
                    .workspace_id(self.workspace().id())
                    .customer_id(customer_id)
                    .$id_setter(id)
                    .send();
                let (answer, attempts) = observe(false, call).await;
                match answer.map_err(Error::from) {
                    Ok(_) => Ok(()),
                    Err(Error::Api(api)) if api.is_not_found() && lost_before_last(&attempts) => Ok(()),
                    Err(e) => Err(e),
                }
            }
        }

        impl TrackedCustomer {
            #[doc = concat!("Adds ", $noun, " to this customer, then takes the customer as stored; changes not ")]
            #[doc = "saved yet are kept (and when they hold this list, the item is added there too)."]
            pub async fn $add(&mut self, item: $item) -> Result<$item> {
                self.check_target()?;
                let added = self.node().$add(self.id(), item).await?;
                let local = added.clone();
                self.after_item_call($pointer, move |customer| {
                    let list = customer.base_mut().$list.get_or_insert_default();
                    if !list.iter().any(|i| i.id == local.id) {
                        list.push(local);
                    }
                })
                .await?;
                Ok(added)
            }

            #[doc = concat!("One ", $noun, " of this customer.")]
            pub async fn $get(&self, id: &str) -> Result<$item> {
                self.node().$get(self.id(), id).await
            }

            #[doc = concat!("Replaces ", $noun, " of this customer, then takes the customer as stored; changes ")]
            #[doc = "not saved yet are kept (and when they hold this list, the item is replaced there too)."]
            pub async fn $update(&mut self, item: $item) -> Result<$item> {
                self.check_target()?;
                let updated = self.node().$update(self.id(), item).await?;
                let local = updated.clone();
                self.after_item_call($pointer, move |customer| {
                    let list = customer.base_mut().$list.get_or_insert_default();
                    for i in list.iter_mut().filter(|i| i.id == local.id) {
                        *i = local.clone();
                    }
                })
                .await?;
                Ok(updated)
            }

            #[doc = concat!("Removes ", $noun, " from this customer, then takes the customer as stored; changes ")]
            #[doc = "not saved yet are kept (and when they hold this list, the item is removed there too)."]
            pub async fn $remove(&mut self, id: &str) -> Result<()> {
                self.check_target()?;
                self.node().$remove(self.id(), id).await?;
                self.after_item_call($pointer, |customer| {
                    customer.base_mut().$list.get_or_insert_default().retain(|i| i.id != id);
                })
                .await
            }
        }
    };
}

items!(
    Education,
    "an education",
    add_education,
    education,
    update_education,
    remove_education,
    create_education,
    get_education,
    update_education,
    delete_education,
    education_id,
    "educationId",
    educations,
    "/base/educations"
);
items!(
    Job,
    "a job",
    add_job,
    job,
    update_job,
    remove_job,
    create_job,
    get_job,
    update_job,
    delete_job,
    job_id,
    "jobId",
    jobs,
    "/base/jobs"
);
items!(
    Like,
    "a like",
    add_like,
    like,
    update_like,
    remove_like,
    create_like,
    get_like,
    update_like,
    delete_like,
    like_id,
    "likeId",
    likes,
    "/base/likes"
);
items!(
    Subscription,
    "a subscription",
    add_subscription,
    subscription,
    update_subscription,
    remove_subscription,
    create_subscription,
    get_subscription,
    update_subscription,
    delete_subscription,
    subscription_id,
    "subscriptionId",
    subscriptions,
    "/base/subscriptions"
);
