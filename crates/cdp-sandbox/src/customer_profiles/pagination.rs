//! Page sizes and next-tokens. A token is opaque to clients: base64 of the list it belongs to, a hash of
//! the request that started it, and the key of the last item returned, so that the next page resumes
//! right after it and a token from another list or request is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::extract::Paging;
use super::{Failure, bad_request};

/// The limits of one paginated operation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pages {
    /// Names the list, so that a token of one list is not taken by another.
    pub(super) list: &'static str,
    pub(super) default_size: usize,
    pub(super) max_size: usize,
}

/// One request's page: how many items, and after which key to start.
#[derive(Debug)]
pub(super) struct Page {
    pub(super) size: usize,
    pub(super) after: Option<String>,
    list: &'static str,
    scope: u64,
}

impl Pages {
    /// Checks `max-results` and `next-token`; `scope` identifies the request (a hash of its body).
    pub(super) fn page(self, paging: &Paging, scope: u64) -> Result<Page, Failure> {
        let size = match &paging.max_results {
            None => self.default_size,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=self.max_size).contains(&n) => n,
                _ => {
                    return Err(bad_request(format!(
                        "1 validation error detected: Value '{raw}' at 'maxResults' failed to satisfy constraint: Member must be between 1 and {}",
                        self.max_size
                    )));
                }
            },
        };
        let after = match &paging.next_token {
            None => None,
            Some(token) => Some(
                decode(token, self.list, scope)
                    .ok_or_else(|| bad_request("The next token is invalid or expired."))?,
            ),
        };
        Ok(Page {
            size,
            after,
            list: self.list,
            scope,
        })
    }
}

impl Page {
    /// Takes this page out of `items` (sorted by `key`), and the token of the next page if there is one.
    pub(super) fn take<T>(
        &self,
        items: Vec<T>,
        key: impl Fn(&T) -> &str,
    ) -> (Vec<T>, Option<String>) {
        let mut rest = items.into_iter().skip_while(|item| {
            self.after
                .as_deref()
                .is_some_and(|after| key(item) <= after)
        });
        let page: Vec<T> = rest.by_ref().take(self.size).collect();
        let more = rest.next().is_some();
        let token = match page.last() {
            Some(last) if more => Some(encode(self.list, self.scope, key(last))),
            _ => None,
        };
        (page, token)
    }
}

fn encode(list: &str, scope: u64, last: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{scope:016x}:{last}"))
}

fn decode(token: &str, list: &str, scope: u64) -> Option<String> {
    if token.is_empty() || token.len() > 1024 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(list)?.strip_prefix(':')?;
    let (token_scope, last) = rest.split_once(':')?;
    (token_scope == format!("{scope:016x}")).then(|| last.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGES: Pages = Pages {
        list: "things",
        default_size: 2,
        max_size: 3,
    };

    fn paging(max: Option<&str>, token: Option<&str>) -> Paging {
        Paging {
            max_results: max.map(str::to_owned),
            next_token: token.map(str::to_owned),
        }
    }

    #[test]
    fn pages_cover_every_item_once_and_tokens_are_bound_to_their_list() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = PAGES.page(&paging(None, token.as_deref()), 7).unwrap();
            let (got, next) = page.take(items.clone(), |s| s.as_str());
            seen.extend(got);
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
        let page = PAGES.page(&paging(Some("3"), None), 7).unwrap();
        let (_, next) = page.take(items, |s| s.as_str());
        let next = next.unwrap();
        assert!(PAGES.page(&paging(None, Some(&next)), 8).is_err());
        assert!(PAGES.page(&paging(None, Some("!!")), 7).is_err());
        assert!(PAGES.page(&paging(Some("0"), None), 7).is_err());
        assert!(PAGES.page(&paging(Some("4"), None), 7).is_err());
        assert!(PAGES.page(&paging(Some("x"), None), 7).is_err());
    }
}
