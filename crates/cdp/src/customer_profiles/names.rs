//! The service's patterns for names and ids, checked before anything is sent.

use crate::{Error, Result};

/// A domain or segment definition name: 1 to 64 of `a-z A-Z 0-9 _ -` (the model's `name` shape).
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("`{name}` is not a valid name: 1 to 64 of letters, digits, `_` and `-`"),
        ))
    }
}

/// A profile id: 32 lowercase hexadecimal digits (the model's `uuid` shape, `[a-f0-9]{32}`).
pub(crate) fn check_profile_id(field: &str, id: &str) -> Result<()> {
    let ok = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("`{id}` is not a profile id: 32 lowercase hexadecimal digits"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_follow_the_model() {
        assert!(check_profile_id("ProfileIds", "0123456789abcdef0123456789abcdef").is_ok());
        for bad in [
            "",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            "../x",
        ] {
            let err = check_profile_id("ProfileIds", bad).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field: Some(f), .. } if f == "ProfileIds")
            );
        }
        assert!(check_name("DomainName", "my_domain-1").is_ok());
        assert!(check_name("DomainName", "a/b").is_err());
        assert!(check_name("DomainName", &"x".repeat(65)).is_err());
    }
}
