//! ContactHub's numbered pages, as customers and events share them: the limits checked before sending,
//! and the page metadata as a [`Page`].

use contacthub_api::types::Page as PageMeta;

use crate::pagination::{Page, PageRef};
use crate::{Error, Result};

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

/// The page a stream asks for: the one it names, or the listing's own first page.
pub(crate) fn requested(at: Option<PageRef>, first: u32) -> u32 {
    match at {
        Some(PageRef::Number(n)) => u32::try_from(n).unwrap_or(u32::MAX),
        _ => first,
    }
}

/// Page `number` of `size` items with ContactHub's totals (a negative total reads as 0).
pub(crate) fn numbered<T>(items: Vec<T>, number: u32, size: u32, meta: &PageMeta) -> Page<T> {
    Page::numbered(
        items,
        u64::from(number),
        u64::from(size),
        Some(non_negative(meta.total_elements)),
        Some(non_negative(meta.total_pages)),
    )
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
        assert_eq!(requested(Some(PageRef::Number(u64::MAX)), 0), u32::MAX);
        assert_eq!(requested(None, 7), 7);
        assert_eq!(non_negative(-3), 0);
    }
}
