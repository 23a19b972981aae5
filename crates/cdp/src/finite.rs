//! Refusing numbers JSON cannot hold before they are sent.
//!
//! serde_json writes a NaN or an infinity as `null`, and in a merge patch `null` removes the stored
//! value: `lat = NaN` would delete `lat`. [`check`] walks a value as it would be serialised and reports
//! the first non-finite number with its path, so that nothing is sent.

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

use crate::{Error, Result};

/// Refuses `value` when it holds a NaN or an infinite number somewhere, with an
/// [`Error::InvalidInput`] whose field is the dotted path to it under `what` (`customer.base.address.geo.lat`).
///
/// ```
/// use serde_json::json;
///
/// assert!(cdp::finite::check(&json!({"lat": 1.5}), "geo").is_ok());
///
/// let mut point = std::collections::BTreeMap::new();
/// point.insert("lat", f64::NAN);
/// let Err(cdp::Error::InvalidInput { field, .. }) = cdp::finite::check(&point, "geo") else {
///     panic!("NaN would be sent as null");
/// };
/// assert_eq!(field.as_deref(), Some("geo.lat"));
/// ```
pub fn check<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<()> {
    let mut probe = Probe { path: Vec::new() };
    match value.serialize(&mut probe) {
        Ok(()) => Ok(()),
        Err(Found::NonFinite(number)) => Err(Error::InvalidInput {
            field: Some(probe.field(what)),
            message: format!(
                "{number} has no JSON form; it would be sent as null, which removes a stored value"
            ),
        }),
        // Serialisation itself fails: the real serialiser will say why when the body is written.
        Err(Found::Other(_)) => Ok(()),
    }
}

/// What stopped the walk.
#[derive(Debug)]
enum Found {
    NonFinite(f64),
    Other(String),
}

impl Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonFinite(n) => write!(f, "{n} is not finite"),
            Self::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Other(msg.to_string())
    }
}

/// A serialiser that writes nothing and keeps the path to where it is; on a non-finite number the
/// path is left pointing at it.
struct Probe {
    path: Vec<Segment>,
}

/// One step of a path; text is made only for an error, and for map keys.
enum Segment {
    Name(&'static str),
    Key(String),
    Index(usize),
}

impl Probe {
    /// The path as a field name under `what`: `what.a.b[2].c`.
    fn field(&self, what: &str) -> String {
        let mut field = what.to_owned();
        for segment in &self.path {
            match segment {
                Segment::Name(name) => {
                    field.push('.');
                    field.push_str(name);
                }
                Segment::Key(key) => {
                    field.push('.');
                    field.push_str(key);
                }
                Segment::Index(i) => field.push_str(&format!("[{i}]")),
            }
        }
        field
    }

    fn number(&self, n: f64) -> Result<(), Found> {
        if n.is_finite() {
            Ok(())
        } else {
            Err(Found::NonFinite(n))
        }
    }

    fn at<T: Serialize + ?Sized>(&mut self, segment: Segment, value: &T) -> Result<(), Found> {
        self.path.push(segment);
        value.serialize(&mut *self)?;
        self.path.pop();
        Ok(())
    }
}

/// A map key as it would be written, for the path.
fn key_text<T: Serialize + ?Sized>(key: &T) -> String {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

impl<'a> ser::Serializer for &'a mut Probe {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant = Members<'a>;

    fn serialize_f32(self, v: f32) -> Result<(), Found> {
        self.number(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Found> {
        self.number(v)
    }
    fn serialize_bool(self, _: bool) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i128(self, _: i128) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u128(self, _: u128) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Found> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        self.at(Segment::Name(variant), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, Found> {
        Ok(Items {
            probe: self,
            index: 0,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, Found> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'a>, Found> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Items<'a>, Found> {
        self.path.push(Segment::Name(variant));
        Ok(Items {
            probe: self,
            index: 0,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Members<'a>, Found> {
        Ok(Members {
            probe: self,
            key: None,
            variant: false,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'a>, Found> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Members<'a>, Found> {
        self.path.push(Segment::Name(variant));
        Ok(Members {
            probe: self,
            key: None,
            variant: true,
        })
    }
}

/// The items of a sequence; the path names each by its index.
struct Items<'a> {
    probe: &'a mut Probe,
    index: usize,
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let index = self.index;
        self.index += 1;
        self.probe.at(Segment::Index(index), value)
    }
}

impl ser::SerializeSeq for Items<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        self.item(value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeTuple for Items<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        self.item(value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Items<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        self.item(value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Items<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        self.item(value)
    }
    fn end(self) -> Result<(), Found> {
        self.probe.path.pop();
        Ok(())
    }
}

/// The members of a map or struct; the path names each by its key.
struct Members<'a> {
    probe: &'a mut Probe,
    key: Option<String>,
    variant: bool,
}

impl ser::SerializeMap for Members<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Found> {
        self.key = Some(key_text(key));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let key = self.key.take().unwrap_or_default();
        self.probe.at(Segment::Key(key), value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        self.probe.at(Segment::Name(name), value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Members<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        self.probe.at(Segment::Name(name), value)
    }
    fn end(self) -> Result<(), Found> {
        if self.variant {
            self.probe.path.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    struct Geo {
        lat: Option<f64>,
        lon: f32,
    }

    #[derive(Serialize)]
    struct Doc {
        name: String,
        places: Vec<Geo>,
        extra: BTreeMap<String, Vec<f64>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<f64>,
    }

    fn field(result: Result<()>) -> Option<String> {
        match result {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn doc() -> Doc {
        Doc {
            name: "a".into(),
            places: vec![
                Geo {
                    lat: Some(1.0),
                    lon: 2.0,
                },
                Geo {
                    lat: None,
                    lon: 3.0,
                },
            ],
            extra: BTreeMap::from([("k".to_owned(), vec![1.0, 2.0])]),
            skipped: None,
        }
    }

    #[test]
    fn finite_values_pass() {
        assert!(check(&doc(), "doc").is_ok());
        assert!(check(&json!({"a": [1, 2.5, {"b": -0.0}]}), "doc").is_ok());
        assert!(check(&f64::MAX, "n").is_ok());
    }

    #[test]
    fn each_non_finite_number_is_refused_with_its_path() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut d = doc();
            d.places[1].lat = Some(bad);
            assert_eq!(
                field(check(&d, "doc")).as_deref(),
                Some("doc.places[1].lat")
            );
            let mut d = doc();
            d.extra.insert("z".into(), vec![0.0, bad]);
            assert_eq!(field(check(&d, "doc")).as_deref(), Some("doc.extra.z[1]"));
            assert_eq!(field(check(&bad, "n")).as_deref(), Some("n"));
        }
        let mut d = doc();
        d.places[0].lon = f32::NAN;
        assert_eq!(
            field(check(&d, "doc")).as_deref(),
            Some("doc.places[0].lon")
        );
        let mut d = doc();
        d.skipped = Some(f64::NAN);
        assert_eq!(field(check(&d, "doc")).as_deref(), Some("doc.skipped"));
    }

    #[test]
    fn the_message_says_why() {
        let Err(e) = check(&vec![f64::INFINITY], "values") else {
            panic!("an infinity has no JSON form");
        };
        let text = e.to_string();
        assert!(text.contains("values[0]"), "{text}");
        assert!(text.contains("inf"), "{text}");
    }
}
