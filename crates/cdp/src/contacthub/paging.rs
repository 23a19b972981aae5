//! ContactHub's numbered pages, as customers and events share them: the limits checked before sending,
//! the answer read item by item when it does not decode whole, and the page metadata as a [`Page`].

use std::hash::{Hash as _, Hasher as _};

use contacthub_api::types::{ApiError as ErrorBody, Page as PageMeta};
use progenitor_client::{Error as CallError, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::pagination::{Page, PageRef};
use crate::{DecodeError, Error, Result};

const SERVICE: &str = "ContactHub";

/// ContactHub's largest page.
pub(crate) const MAX_SIZE: u32 = 50;

/// The page number and size as sent, checked: a size of 1 to 50 and a number ContactHub takes.
pub(crate) fn wire(number: u32, size: u32) -> Result<(i32, i32)> {
    if !(1..=MAX_SIZE).contains(&size) {
        return Err(Error::invalid_input(
            "size",
            format!("must be 1 to {MAX_SIZE}, not {size}"),
        ));
    }
    let number = i32::try_from(number)
        .map_err(|_| Error::invalid_input("page", format!("must be at most {}", i32::MAX)))?;
    // `size` is at most 50.
    Ok((number, size as i32))
}

/// The page a stream asks for: the one it names, or the listing's own first page. ContactHub's pages
/// are numbered: a cursor or a token is not one of its pages.
pub(crate) fn requested(at: Option<PageRef>, first: u32) -> Result<u32> {
    match at {
        Some(PageRef::Number(n)) => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        None => Ok(first),
        Some(other) => Err(Error::invalid_input(
            "starting_at",
            format!("ContactHub pages are numbered, not `{other}`"),
        )),
    }
}

/// A page answer as read: the items that decoded, those that did not (with their place in the page),
/// and the page metadata.
pub(crate) struct Received<T> {
    pub(crate) items: Vec<T>,
    pub(crate) failed: Vec<(usize, DecodeError)>,
    pub(crate) meta: PageMeta,
}

/// Reads the answer of a page call whose body type `W` splits into items and metadata. When the page does
/// not decode whole, its items are decoded one by one, so that one bad item does not cost the others.
pub(crate) fn receive<W: DeserializeOwned, T: DeserializeOwned>(
    answer: std::result::Result<ResponseValue<W>, CallError<ErrorBody>>,
    split: fn(W) -> (Vec<T>, PageMeta),
    number: u32,
    size: u32,
) -> Result<Received<T>> {
    match answer {
        Ok(answer) => {
            let (items, meta) = split(answer.into_inner());
            Ok(Received {
                items,
                failed: Vec::new(),
                meta,
            })
        }
        Err(CallError::InvalidResponsePayload(bytes, e)) => {
            match one_by_one(&bytes, number, size) {
                Some(received) => Ok(received),
                None => Err(Error::from_call::<W, _>(
                    CallError::<ErrorBody>::InvalidResponsePayload(bytes, e),
                )),
            }
        }
        Err(e) => Err(Error::from_call::<W, _>(e)),
    }
}

/// The page item by item; `None` when even the page's frame (`elements` and `page`) is wrong.
fn one_by_one<T: DeserializeOwned>(bytes: &[u8], number: u32, size: u32) -> Option<Received<T>> {
    #[derive(serde::Deserialize)]
    struct Frame {
        elements: Vec<Value>,
        page: PageMeta,
    }
    let frame: Frame = serde_json::from_slice(bytes).ok()?;
    let first_index = u64::from(number).saturating_mul(page_size(&frame.page, size));
    let mut items = Vec::with_capacity(frame.elements.len());
    let mut failed = Vec::new();
    for (place, element) in frame.elements.into_iter().enumerate() {
        match serde_path_to_error::deserialize::<_, T>(&element) {
            Ok(item) => items.push(item),
            Err(e) => {
                let path = Some(format!("elements[{place}].{}", e.path()));
                let id = element.get("id").and_then(Value::as_str).map(str::to_owned);
                let raw = serde_json::to_vec(&element).unwrap_or_default();
                let error =
                    DecodeError::new(SERVICE, Some(200), path, e.into_inner().to_string(), &raw)
                        .item(first_index.saturating_add(place as u64), id);
                failed.push((place, error));
            }
        }
    }
    Some(Received {
        items,
        failed,
        meta: frame.page,
    })
}

/// The size of the pages as the service says it numbered them, or the size asked for when it does not
/// say: a service that pages by a size of its own has its page numbers counted in that size.
fn page_size(meta: &PageMeta, asked: u32) -> u64 {
    match u64::try_from(meta.size) {
        Ok(size) if size > 0 => size,
        _ => u64::from(asked),
    }
}

/// Page `number` of `size` items with ContactHub's totals (a negative total reads as 0), checked to be
/// the page asked for; its digest is made of its items' ids.
pub(crate) fn numbered<T>(
    received: Received<T>,
    number: u32,
    size: u32,
    id: fn(&T) -> &str,
) -> Result<Page<T>> {
    let Received {
        items,
        failed,
        meta,
    } = received;
    if meta.number != i64::from(number) {
        return Err(Error::Pagination {
            service: SERVICE,
            message: format!("asked for page {number}, got page {}", meta.number),
        });
    }
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for item in &items {
        id(item).hash(&mut digest);
    }
    for (_, bad) in &failed {
        bad.id.as_deref().unwrap_or(&bad.body).hash(&mut digest);
    }
    let size = page_size(&meta, size);
    Ok(Page::numbered(
        items,
        u64::from(number),
        size,
        Some(non_negative(meta.total_elements)),
        Some(non_negative(meta.total_pages)),
    )
    .with_failed(failed)
    .with_digest(digest.finish()))
}

pub(crate) fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_sent_is_checked_not_only_the_first_page() {
        assert_eq!(wire(3, 50).unwrap(), (3, 50));
        // A page number from a stream or `next_page` beyond i32 must not wrap to a negative one.
        let err = wire(u32::MAX, 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: `page` must be at most 2147483647"
        );
        assert_eq!(
            wire(0, 51).unwrap_err().to_string(),
            "invalid input: `size` must be 1 to 50, not 51"
        );
        assert!(wire(0, 0).is_err());
        assert_eq!(
            requested(Some(PageRef::Number(u64::MAX)), 0).unwrap(),
            u32::MAX
        );
        assert_eq!(requested(None, 7).unwrap(), 7);
        assert!(requested(Some(PageRef::Cursor("c".into())), 0).is_err());
        assert_eq!(non_negative(-3), 0);
    }
}
