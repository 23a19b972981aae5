//! Accessors that create missing parts: for every optional object or nullable list member of the types
//! reachable from a root schema (such as `Customer`), a `<member>_mut()` method that returns the member,
//! inserting an empty one first when it is missing. Editing a nested field then reads like the wire
//! (`customer.base_mut().contacts_mut().email = Some(..)`) rather than a chain of
//! `get_or_insert_default()`.
//!
//! The Rust shape of each member follows typify's rules, which this module mirrors: an optional
//! property is an `Option`, except a list that is not nullable, which is a plain `Vec` (and needs no
//! accessor); a type with required members has no `Default` (and gets no accessor where it is a member,
//! only its own accessors); a free-form object is a newtype over a JSON map, and its accessor returns the
//! map. A member that typify would name itself (an inline object with properties) is an error: name it in
//! `components.schemas`.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::fields::Root;
use crate::spec::Loaded;
use crate::{Error, Service};

/// Deeper than this, a chain of `$ref` aliases is taken to refer to itself.
const MAX_ALIASES: usize = 8;

/// One accessor of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accessor {
    /// Property name on the wire.
    pub name: String,
    /// What the accessor returns.
    pub returns: Returns,
}

/// What an accessor returns, and so how it creates a missing member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returns {
    /// `&mut T` of a generated struct that has `Default`.
    Object(String),
    /// `&mut Vec<T>` of a generated type.
    ListOf(String),
    /// `&mut Vec<String>`.
    ListOfText,
    /// `&mut serde_json::Map` inside the generated newtype of a free-form object.
    FreeForm(String),
}

/// How one member of a generated struct is compared for a typed merge diff
/// (`contacthub_api::merge_diff`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffMember {
    /// Property name on the wire.
    pub name: String,
    /// Whether it is an object of a generated struct (compared member by member) or anything else
    /// (compared whole).
    pub object: bool,
    /// Its Rust shape.
    pub shape: Held,
}

/// The Rust shape of a member, as typify writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// `Option<T>`: an optional property.
    Optional,
    /// `Vec<T>`, left out when empty: an optional list that is not nullable.
    ListLeftOutWhenEmpty,
    /// `T`: a required property.
    Required,
}

/// The members of every struct reachable from `root` for its typed merge diff, by Rust type name.
///
/// ```
/// use cdp_codegen::accessors::{Held, collect_diffs};
///
/// let spec = serde_json::json!({"components": {"schemas": {
///     "Customer": {"type": "object", "required": ["id"], "properties": {
///         "id": {"type": "string"},
///         "base": {"$ref": "#/components/schemas/Base"}}},
///     "Base": {"type": "object", "properties": {"name": {"type": "string"}}}}}});
/// let root = cdp_codegen::fields::Root { schema: "Customer", module: "customer" };
/// let types = collect_diffs(&spec, &root, "t.yaml")?;
/// assert!(types["Customer"][0].object && types["Customer"][0].shape == Held::Optional);
/// assert_eq!(types["Customer"][1].shape, Held::Required);
/// assert!(!types["Base"][0].object);
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn collect_diffs(
    spec: &Value,
    root: &Root,
    file: &str,
) -> Result<BTreeMap<String, Vec<DiffMember>>, Error> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(file, None, "the spec has no components.schemas"))?;
    let walker = Walker { schemas, file };
    let mut types = BTreeMap::new();
    let mut diffs = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let (name, _) = walker.named(root.schema, &format!("components.schemas.{}", root.schema))?;
    walker.visit_all(name, &mut seen, &mut types, &mut diffs)?;
    Ok(diffs)
}

/// The accessors of every type reachable from `root`, by Rust type name (sorted).
///
/// ```
/// use cdp_codegen::accessors::{Returns, collect};
///
/// let spec = serde_json::json!({"components": {"schemas": {
///     "Customer": {"type": "object", "required": ["id"], "properties": {
///         "id": {"type": "string"},
///         "base": {"$ref": "#/components/schemas/Base"}}},
///     "Base": {"type": "object", "properties": {
///         "jobs": {"type": "array", "nullable": true, "items": {"$ref": "#/components/schemas/Job"}}}},
///     "Job": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}});
/// let root = cdp_codegen::fields::Root { schema: "Customer", module: "customer" };
/// let types = collect(&spec, &root, "t.yaml")?;
/// assert_eq!(types["Customer"][0].returns, Returns::Object("Base".into()));
/// assert_eq!(types["Base"][0].returns, Returns::ListOf("Job".into()));
/// assert!(types["Job"].is_empty());
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn collect(
    spec: &Value,
    root: &Root,
    file: &str,
) -> Result<BTreeMap<String, Vec<Accessor>>, Error> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(file, None, "the spec has no components.schemas"))?;
    let walker = Walker { schemas, file };
    let mut types = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let (name, _) = walker.named(root.schema, &format!("components.schemas.{}", root.schema))?;
    walker.visit_all(name, &mut seen, &mut types, &mut BTreeMap::new())?;
    Ok(types)
}

/// The accessor file of a service with field roots, as `(path relative to the workspace root, code)`, or
/// `None` for a service without.
///
/// ```no_run
/// let service = &cdp_codegen::SERVICES[0];
/// let loaded = cdp_codegen::spec::load(std::path::Path::new(service.spec), service.spec)?;
/// let (path, code) = cdp_codegen::accessors::file(service, &loaded)?.expect("ContactHub has roots");
/// assert!(path.ends_with("generated_accessors.rs") && code.contains("fn base_mut"));
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn file(service: &Service, loaded: &Loaded) -> Result<Option<(String, String)>, Error> {
    if service.fields.is_empty() {
        return Ok(None);
    }
    let file = &loaded.name;
    let mut types = BTreeMap::new();
    let mut diffs = BTreeMap::new();
    for root in service.fields {
        types.extend(collect(&loaded.json, root, file)?);
        diffs.extend(collect_diffs(&loaded.json, root, file)?);
    }
    let tokens = render(&types);
    let diff_impls = render_diffs(&diffs);
    let ast: syn::File = syn::parse2(quote! { #tokens #diff_impls })
        .map_err(|e| Error::new(file, None, format!("accessors are invalid Rust: {e}")))?;
    let code = format!(
        "// @generated by cdp-codegen from {file}. DO NOT EDIT.\n\
         // Accessors that create missing parts, and typed merge diffs; change the spec or codegen/, then run\n\
         // `cargo xtask regen`.\n\n{}",
        prettyplease::unparse(&ast)
    );
    Ok(Some((
        format!("crates/{}-api/src/generated_accessors.rs", service.name),
        code,
    )))
}

/// The `impl` blocks of the accessors, one per type that has any.
pub fn render(types: &BTreeMap<String, Vec<Accessor>>) -> TokenStream {
    let blocks = types
        .iter()
        .filter(|(_, accessors)| !accessors.is_empty())
        .map(|(ty, accessors)| {
            let ty = format_ident!("{}", ty);
            let methods = accessors.iter().map(method);
            quote! {
                impl crate::types::#ty {
                    #( #methods )*
                }
            }
        });
    quote! { #( #blocks )* }
}

/// The `MergeDiff` impls: each member compared as a typed value first, and only one that differs
/// handed on (an object of a generated struct to be compared member by member in turn).
pub fn render_diffs(types: &BTreeMap<String, Vec<DiffMember>>) -> TokenStream {
    let blocks = types.iter().map(|(ty, members)| {
        let ty = format_ident!("{}", ty);
        let checks = members.iter().map(|member| {
            let wire = &member.name;
            let field = format_ident!("{}", field_name(&member.name));
            let call = if member.object {
                quote!(object)
            } else {
                quote!(leaf)
            };
            let (new, old) = match member.shape {
                Held::Optional => (quote!(self.#field.as_ref()), quote!(old.#field.as_ref())),
                Held::ListLeftOutWhenEmpty => (
                    quote!((!self.#field.is_empty()).then_some(&self.#field)),
                    quote!((!old.#field.is_empty()).then_some(&old.#field)),
                ),
                Held::Required => (quote!(Some(&self.#field)), quote!(Some(&old.#field))),
            };
            quote! {
                if self.#field != old.#field {
                    diff.#call(#wire, #new, #old)?;
                }
            }
        });
        quote! {
            impl crate::merge_diff::MergeDiff for crate::types::#ty {
                fn merge_diff<D: crate::merge_diff::Differ>(
                    &self,
                    old: &Self,
                    diff: &mut D,
                ) -> ::std::result::Result<(), D::Error> {
                    #( #checks )*
                    Ok(())
                }
            }
        }
    });
    quote! { #( #blocks )* }
}

fn method(accessor: &Accessor) -> TokenStream {
    let snake = accessor.name.to_snake_case();
    let field = format_ident!("{}", field_name(&accessor.name));
    let function = format_ident!("{}_mut", snake);
    let wire = &accessor.name;
    let (doc, returns, body) = match &accessor.returns {
        Returns::Object(ty) => {
            let ty = format_ident!("{}", ty);
            (
                format!("`{wire}`, set to an empty one first when it is missing."),
                quote!(&mut crate::types::#ty),
                quote!(self.#field.get_or_insert_default()),
            )
        }
        Returns::ListOf(ty) => {
            let ty = format_ident!("{}", ty);
            (
                format!("The list `{wire}`, set to an empty one first when it is missing."),
                quote!(&mut ::std::vec::Vec<crate::types::#ty>),
                quote!(self.#field.get_or_insert_default()),
            )
        }
        Returns::ListOfText => (
            format!("The list `{wire}`, set to an empty one first when it is missing."),
            quote!(&mut ::std::vec::Vec<::std::string::String>),
            quote!(self.#field.get_or_insert_default()),
        ),
        Returns::FreeForm(ty) => {
            let ty = format_ident!("{}", ty);
            (
                format!(
                    "The members of the free-form `{wire}`, set to an empty object first when it is missing."
                ),
                quote!(&mut ::serde_json::Map<::std::string::String, ::serde_json::Value>),
                quote!(&mut self.#field.get_or_insert_with(|| crate::types::#ty(::serde_json::Map::new())).0),
            )
        }
    };
    quote! {
        #[doc = #doc]
        pub fn #function(&mut self) -> #returns {
            #body
        }
    }
}

/// typify's name of the field of a property: snake case, with `_` after a keyword.
fn field_name(name: &str) -> String {
    let snake = name.to_snake_case();
    if syn::parse_str::<syn::Ident>(&snake).is_err() {
        format!("{snake}_")
    } else {
        snake
    }
}

struct Walker<'a> {
    schemas: &'a Map<String, Value>,
    file: &'a str,
}

impl<'a> Walker<'a> {
    /// The component `name`, through any `$ref` aliases: its final name and schema.
    fn named(&self, name: &'a str, place: &str) -> Result<(&'a str, &'a Value), Error> {
        let mut name = name;
        for _ in 0..MAX_ALIASES {
            let Some((key, schema)) = self.schemas.get_key_value(name) else {
                return Err(Error::at(
                    self.file,
                    place,
                    format!("accessors start from `{name}`, but the spec no longer has it"),
                ));
            };
            match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => name = self.target(reference, place)?,
                None => return Ok((key.as_str(), schema)),
            }
        }
        Err(Error::at(
            self.file,
            place,
            "a chain of `$ref` aliases refers to itself",
        ))
    }

    fn target(&self, reference: &'a str, place: &str) -> Result<&'a str, Error> {
        reference
            .strip_prefix("#/components/schemas/")
            .filter(|name| self.schemas.contains_key(*name))
            .ok_or_else(|| {
                Error::at(
                    self.file,
                    place,
                    format!("unresolved reference `{reference}`"),
                )
            })
    }

    /// Collects the accessors and the diff members of the component `name` and of every type
    /// reachable from it.
    fn visit_all(
        &self,
        name: &'a str,
        seen: &mut BTreeSet<&'a str>,
        types: &mut BTreeMap<String, Vec<Accessor>>,
        diffs: &mut BTreeMap<String, Vec<DiffMember>>,
    ) -> Result<(), Error> {
        if !seen.insert(name) {
            return Ok(());
        }
        let place = format!("components.schemas.{name}");
        let (_, schema) = self.named(name, &place)?;
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Ok(());
        };
        let required = required(schema);
        let mut accessors = Vec::new();
        let mut members = Vec::new();
        let mut next = Vec::new();
        for (property, value) in properties {
            let here = format!("{place}.properties.{property}");
            let optional = !required.contains(property.as_str());
            if let Some(returns) = self.member(value, &here, &mut next)?
                && optional
            {
                accessors.push(Accessor {
                    name: property.clone(),
                    returns,
                });
            }
            let object = match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let (_, schema) = self.named(self.target(reference, &here)?, &here)?;
                    kind(schema) == Shape::Object
                }
                None => false,
            };
            let list = value.get("type").and_then(Value::as_str) == Some("array");
            let nullable = value.get("nullable").and_then(Value::as_bool) == Some(true);
            members.push(DiffMember {
                name: property.clone(),
                object,
                shape: match (optional, list && !nullable) {
                    (false, _) => Held::Required,
                    (true, true) => Held::ListLeftOutWhenEmpty,
                    (true, false) => Held::Optional,
                },
            });
        }
        types.insert(name.to_upper_camel_case(), accessors);
        diffs.insert(name.to_upper_camel_case(), members);
        for type_name in next {
            self.visit_all(type_name, seen, types, diffs)?;
        }
        Ok(())
    }

    /// What the accessor of one property returns, if it gets one; the named types it reaches go to `next`.
    fn member(
        &self,
        property: &'a Value,
        place: &str,
        next: &mut Vec<&'a str>,
    ) -> Result<Option<Returns>, Error> {
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            let (name, schema) = self.named(self.target(reference, place)?, place)?;
            return Ok(match kind(schema) {
                Shape::Object => {
                    next.push(name);
                    required(schema)
                        .is_empty()
                        .then(|| Returns::Object(name.to_upper_camel_case()))
                }
                Shape::FreeForm => Some(Returns::FreeForm(name.to_upper_camel_case())),
                Shape::Other => None,
            });
        }
        if property.get("type").and_then(Value::as_str) == Some("array") {
            let nullable = property.get("nullable").and_then(Value::as_bool) == Some(true);
            let Some(items) = property.get("items") else {
                return Ok(None);
            };
            if let Some(reference) = items.get("$ref").and_then(Value::as_str) {
                let (name, schema) = self.named(self.target(reference, place)?, place)?;
                if kind(schema) != Shape::Object {
                    return Ok(None);
                }
                next.push(name);
                return Ok(nullable.then(|| Returns::ListOf(name.to_upper_camel_case())));
            }
            if items.get("properties").is_some() {
                return Err(unnamed(self.file, place));
            }
            let text = items.get("type").and_then(Value::as_str) == Some("string")
                && items.get("format").is_none()
                && items.get("enum").is_none();
            return Ok((nullable && text).then_some(Returns::ListOfText));
        }
        if property.get("properties").is_some() {
            return Err(unnamed(self.file, place));
        }
        Ok(None)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Shape {
    /// An object with properties: a generated struct.
    Object,
    /// An object without properties: a generated newtype over a JSON map.
    FreeForm,
    /// Anything else (a scalar, an enum, a named list).
    Other,
}

fn kind(schema: &Value) -> Shape {
    let ty = schema.get("type").and_then(Value::as_str);
    if schema.get("enum").is_some() {
        Shape::Other
    } else if schema.get("properties").is_some() && matches!(ty, Some("object") | None) {
        Shape::Object
    } else if ty == Some("object") {
        Shape::FreeForm
    } else {
        Shape::Other
    }
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn unnamed(file: &str, place: &str) -> Error {
    Error::at(
        file,
        place,
        "an inline object has no type name for its accessor: name it in components.schemas",
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn root() -> Root {
        Root {
            schema: "Customer",
            module: "customer",
        }
    }

    #[test]
    fn follows_typify_shapes() {
        let spec = json!({"components": {"schemas": {
            "Customer": {"type": "object", "properties": {
                "tags": {"$ref": "#/components/schemas/Tags"},
                "extended": {"$ref": "#/components/schemas/Extended"},
                "base": {"$ref": "#/components/schemas/Base"},
                "kind": {"$ref": "#/components/schemas/Kind"}}},
            "Tags": {"type": "object", "properties": {
                "manual": {"type": "array", "items": {"type": "string"}},
                "seen": {"type": "array", "nullable": true, "items": {"type": "string"}}}},
            "Extended": {"type": "object", "additionalProperties": true},
            "Kind": {"type": "string", "enum": ["A"]},
            "Base": {"$ref": "#/components/schemas/RealBase"},
            "RealBase": {"type": "object", "properties": {
                "type": {"$ref": "#/components/schemas/Geo"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Geo": {"type": "object", "properties": {"lat": {"type": "number"}}},
            "Item": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "geo": {"$ref": "#/components/schemas/Geo"}}}}}});
        let types = collect(&spec, &root(), "t.yaml").unwrap();
        let returns = |ty: &str| -> Vec<(String, Returns)> {
            types[ty]
                .iter()
                .map(|a| (a.name.clone(), a.returns.clone()))
                .collect()
        };
        assert_eq!(
            returns("Customer"),
            [
                ("base".into(), Returns::Object("RealBase".into())),
                ("extended".into(), Returns::FreeForm("Extended".into())),
                ("tags".into(), Returns::Object("Tags".into())),
            ]
        );
        // A list that is not nullable is a plain `Vec` already.
        assert_eq!(returns("Tags"), [("seen".into(), Returns::ListOfText)]);
        assert_eq!(
            returns("RealBase"),
            [("type".into(), Returns::Object("Geo".into()))]
        );
        // Reached through a list, and with required members: accessors of its own only.
        assert_eq!(
            returns("Item"),
            [("geo".into(), Returns::Object("Geo".into()))]
        );
        let code = render(&types).to_string();
        assert!(code.contains("fn type_mut"), "{code}");
        assert!(
            code.contains("self . type_ . get_or_insert_default"),
            "{code}"
        );
    }

    #[test]
    fn an_inline_object_is_an_error() {
        let spec = json!({"components": {"schemas": {
            "Customer": {"type": "object", "properties": {
                "base": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}});
        let err = collect(&spec, &root(), "t.yaml").unwrap_err().to_string();
        assert!(
            err.contains("components.schemas.Customer.properties.base"),
            "{err}"
        );
        assert!(err.contains("name it"), "{err}");
    }

    #[test]
    fn a_missing_root_is_an_error() {
        let spec = json!({"components": {"schemas": {}}});
        assert!(collect(&spec, &root(), "t.yaml").is_err());
    }
}
