//! Open enums: every named string enum of a spec becomes a Rust enum with an `Unknown(String)` variant, so
//! that a value the spec does not know yet decodes instead of failing the whole response (typify's enums
//! are closed). Modelled on the unknown-variant enums of async-stripe and the AWS SDK.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::Error;

/// A named string enum found in `components.schemas`.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// The schema name, also the Rust type name.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// The wire values with their variant names, in the spec's order.
    pub variants: Vec<(String, String)>,
}

/// Finds the named string enums of a bundled spec.
///
/// ```
/// let spec = serde_json::json!({"components": {"schemas": {
///     "Mode": {"type": "string", "enum": ["ACTIVE", "PASSIVE"]}}}});
/// let enums = cdp_codegen::open_enums::find(&spec, "t.yaml")?;
/// assert_eq!(enums[0].variants[1], ("PASSIVE".to_string(), "Passive".to_string()));
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn find(spec: &Value, file: &str) -> Result<Vec<OpenEnum>, Error> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut found = Vec::new();
    for (name, schema) in schemas.into_iter().flatten() {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else {
            continue;
        };
        let place = format!("components.schemas.{name}");
        if schema.get("type").and_then(Value::as_str) != Some("string") {
            return Err(Error::at(file, place, "only string enums are supported"));
        }
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values.iter().filter(|v| !v.is_null()) {
            let wire = value.as_str().ok_or_else(|| {
                Error::at(
                    file,
                    place.as_str(),
                    format!("enum value {value} is not a string"),
                )
            })?;
            let variant = variant_name(wire).ok_or_else(|| {
                Error::at(
                    file,
                    place.as_str(),
                    format!("enum value `{wire}` has no usable name"),
                )
            })?;
            if let Some((other, _)) = variants.iter().find(|(_, v)| *v == variant) {
                return Err(Error::at(
                    file,
                    place,
                    format!("enum values `{other}` and `{wire}` both become `{variant}`"),
                ));
            }
            variants.push((wire.to_owned(), variant));
        }
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        found.push(OpenEnum {
            name: name.clone(),
            description,
            variants,
        });
    }
    Ok(found)
}

fn variant_name(wire: &str) -> Option<String> {
    let name = wire.to_upper_camel_case();
    let name = match name.chars().next()? {
        c if c.is_ascii_digit() => format!("V{name}"),
        c if c.is_alphabetic() => name,
        _ => return None,
    };
    // `Unknown` is the catch-all; a wire value spelled so gets a distinct variant.
    Some(if name == "Unknown" {
        "UnknownValue".to_owned()
    } else {
        name
    })
}

/// Renders one open enum with its conversions, ordering, serde and `Display`.
pub fn render(e: &OpenEnum) -> TokenStream {
    let ty = format_ident!("{}", e.name);
    let doc = e
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{}` enum of the spec.", e.name));
    let idents: Vec<_> = e
        .variants
        .iter()
        .map(|(_, v)| format_ident!("{}", v))
        .collect();
    let wires: Vec<&str> = e.variants.iter().map(|(w, _)| w.as_str()).collect();
    let variant_docs: Vec<String> = wires.iter().map(|w| format!("`{w}`")).collect();
    quote! {
        #[doc = #doc]
        ///
        /// Open: a value the spec does not know decodes to `Unknown` rather than failing. Compare with
        /// `==` or `as_str()`; values compare by their wire text, so `Unknown` never shadows a known one.
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #ty {
            #( #[doc = #variant_docs] #idents, )*
            /// A value this version of the spec does not know. Don't match on it: a later version may
            /// give the value a variant of its own.
            Unknown(::std::string::String),
        }

        impl #ty {
            /// Every value the spec knows, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[ #( #wires ),* ];

            /// The value as it is on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wires, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the spec knows this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #ty {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #ty {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #ty {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::cmp::PartialEq for #ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for #ty {}

        impl ::std::hash::Hash for #ty {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state)
            }
        }

        impl ::std::cmp::PartialOrd for #ty {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl ::std::cmp::Ord for #ty {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::serde::Serialize for #ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // The text is matched where the decoder holds it; only a value the spec does not know
                // is copied out.
                struct Text;
                impl<'de> ::serde::de::Visitor<'de> for Text {
                    type Value = #ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#ty, E> {
                        Ok(#ty::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#ty, E> {
                        Ok(#ty::from(value))
                    }
                }
                deserializer.deserialize_str(Text)
            }
        }
    }
}
