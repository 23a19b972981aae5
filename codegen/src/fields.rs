//! Typed field paths: for a root schema such as `Customer`, one function per attribute a query can name
//! (`base.firstName` → `customer::base::first_name() -> Field<kind::Text>`), nested modules for nested
//! objects and array items, and a function taking a path for free-form objects (`extended(path)`).
//!
//! The value kind of each path comes from the schema: `string` is text, `format: date` a date,
//! `format: date-time` a date-time, `integer`, `number`, `boolean`, and a `$ref` to a named string enum the
//! (open) enum type itself.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::Error;

/// Deeper than this, a schema is taken to refer to itself.
const MAX_DEPTH: usize = 12;

/// One root of generated paths: a component schema and the module its paths go to.
#[derive(Debug)]
pub struct Root {
    /// The component schema (`Customer`).
    pub schema: &'static str,
    /// The Rust module of its paths (`customer`).
    pub module: &'static str,
}

/// The value kind of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Text,
    /// `format: date`.
    Date,
    /// `format: date-time`.
    DateTime,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// A named string enum: the type's name.
    Enum(String),
}

/// A node of the tree of paths.
#[derive(Debug)]
pub enum Node {
    /// An attribute with a value.
    Leaf {
        /// Property name on the wire.
        name: String,
        /// Its kind.
        kind: Kind,
        /// Whether it is a list of such values (a query matches any element).
        list: bool,
        /// The schema's description.
        description: Option<String>,
    },
    /// An object, or the items of an array of objects.
    Object {
        /// Property name on the wire.
        name: String,
        /// Whether it is a list of such objects.
        list: bool,
        /// The schema's description.
        description: Option<String>,
        /// Its members.
        members: Vec<Node>,
    },
    /// A free-form object: any path below it.
    Free {
        /// Property name on the wire.
        name: String,
        /// Whether it is a list of such objects.
        list: bool,
        /// The schema's description.
        description: Option<String>,
    },
}

/// Walks the `root` schema of a bundled spec into its tree of paths.
///
/// ```
/// let spec = serde_json::json!({"components": {"schemas": {"Customer": {"type": "object",
///     "properties": {"base": {"type": "object", "properties": {"dob": {"type": "string", "format": "date"}}}}}}}});
/// let root = cdp_codegen::fields::Root { schema: "Customer", module: "customer" };
/// let tree = cdp_codegen::fields::walk(&spec, &root, "t.yaml")?;
/// assert_eq!(cdp_codegen::fields::paths(&tree), ["base.dob"]);
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn walk(spec: &Value, root: &Root, file: &str) -> Result<Vec<Node>, Error> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(file, None, "the spec has no components.schemas"))?;
    let place = format!("components.schemas.{}", root.schema);
    let schema = schemas.get(root.schema).ok_or_else(|| {
        Error::at(
            file,
            place.as_str(),
            "codegen generates field paths from this schema, but the spec no longer has it",
        )
    })?;
    let walker = Walker { schemas, file };
    let schema = walker.resolve(schema, &place, 0)?;
    walker.members(schema, &place, 0)
}

/// Every path of a tree that holds a list (of values or of objects), in order: what a merge patch clears
/// with `[]` rather than removes with `null`.
///
/// ```
/// let spec = serde_json::json!({"components": {"schemas": {"Customer": {"type": "object", "properties": {
///     "tags": {"type": "object", "properties": {"manual": {"type": "array", "items": {"type": "string"}}}},
///     "jobs": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}});
/// let root = cdp_codegen::fields::Root { schema: "Customer", module: "customer" };
/// let tree = cdp_codegen::fields::walk(&spec, &root, "t.yaml")?;
/// assert_eq!(cdp_codegen::fields::lists(&tree), ["jobs", "tags.manual"]);
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn lists(tree: &[Node]) -> Vec<String> {
    fn collect(nodes: &[Node], prefix: &str, out: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Leaf { name, list, .. } | Node::Free { name, list, .. } => {
                    if *list {
                        out.push(format!("{prefix}{name}"));
                    }
                }
                Node::Object {
                    name,
                    list,
                    members,
                    ..
                } => {
                    if *list {
                        out.push(format!("{prefix}{name}"));
                    }
                    collect(members, &format!("{prefix}{name}."), out)
                }
            }
        }
    }
    let mut out = Vec::new();
    collect(tree, "", &mut out);
    out.sort();
    out
}

/// Every path with a value in a tree, in order (free-form objects end in `.*`).
pub fn paths(tree: &[Node]) -> Vec<String> {
    fn collect(nodes: &[Node], prefix: &str, out: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Leaf { name, .. } => out.push(format!("{prefix}{name}")),
                Node::Free { name, .. } => out.push(format!("{prefix}{name}.*")),
                Node::Object { name, members, .. } => {
                    collect(members, &format!("{prefix}{name}."), out)
                }
            }
        }
    }
    let mut out = Vec::new();
    collect(tree, "", &mut out);
    out
}

struct Walker<'a> {
    schemas: &'a Map<String, Value>,
    file: &'a str,
}

impl<'a> Walker<'a> {
    fn resolve(&self, schema: &'a Value, place: &str, depth: usize) -> Result<&'a Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::at(
                self.file,
                place,
                "the schema refers to itself; field paths need a finite tree",
            ));
        }
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = self.target(reference, place)?;
                self.resolve(&self.schemas[target], place, depth + 1)
            }
            None => Ok(schema),
        }
    }

    fn target(&self, reference: &str, place: &str) -> Result<&'a str, Error> {
        reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| self.schemas.get_key_value(name))
            .map(|(name, _)| name.as_str())
            .ok_or_else(|| {
                Error::at(
                    self.file,
                    place,
                    format!("unresolved reference `{reference}`"),
                )
            })
    }

    fn members(&self, schema: &'a Value, place: &str, depth: usize) -> Result<Vec<Node>, Error> {
        let properties = schema.get("properties").and_then(Value::as_object);
        let mut nodes = Vec::new();
        let mut idents = BTreeSet::new();
        for (name, property) in properties.into_iter().flatten() {
            let here = format!("{place}.properties.{name}");
            if !idents.insert(ident(name)) {
                return Err(Error::at(
                    self.file,
                    here,
                    format!("`{name}` has the same Rust name as another property"),
                ));
            }
            nodes.push(self.node(name, property, &here, depth + 1)?);
        }
        Ok(nodes)
    }

    fn node(
        &self,
        name: &str,
        property: &'a Value,
        place: &str,
        depth: usize,
    ) -> Result<Node, Error> {
        let description = description(property);
        // A `$ref` to a named enum keeps its name: the field takes the enum type.
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            let target = self.target(reference, place)?;
            if self.schemas[target].get("enum").is_some() {
                return Ok(Node::Leaf {
                    name: name.to_owned(),
                    kind: Kind::Enum(target.to_owned()),
                    list: false,
                    description: description.or_else(|| self.description_of(target)),
                });
            }
        }
        let schema = self.resolve(property, place, depth)?;
        let description = description.or_else(|| self::description(schema));
        let kind = match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                let items = schema.get("items").ok_or_else(|| {
                    Error::at(
                        self.file,
                        place,
                        "an array without `items` has no field paths",
                    )
                })?;
                return match self.node(name, items, &format!("{place}.items"), depth + 1)? {
                    // The item's own description says what one element is; the array's says more.
                    Node::Leaf { kind, .. } => Ok(Node::Leaf {
                        name: name.to_owned(),
                        kind,
                        list: true,
                        description,
                    }),
                    Node::Object { members, .. } => Ok(Node::Object {
                        name: name.to_owned(),
                        list: true,
                        description,
                        members,
                    }),
                    Node::Free { .. } => Ok(Node::Free {
                        name: name.to_owned(),
                        list: true,
                        description,
                    }),
                };
            }
            Some("object") | None if schema.get("properties").is_some() => {
                return Ok(Node::Object {
                    name: name.to_owned(),
                    list: false,
                    description,
                    members: self.members(schema, place, depth)?,
                });
            }
            Some("object") => {
                return Ok(Node::Free {
                    name: name.to_owned(),
                    list: false,
                    description,
                });
            }
            Some("string") if schema.get("enum").is_some() => {
                return Err(Error::at(
                    self.file,
                    place,
                    "an inline enum has no type to take: name it in components.schemas",
                ));
            }
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("date") => Kind::Date,
                Some("date-time") => Kind::DateTime,
                _ => Kind::Text,
            },
            Some("integer") => Kind::Integer,
            Some("number") => Kind::Number,
            Some("boolean") => Kind::Boolean,
            other => {
                return Err(Error::at(
                    self.file,
                    place,
                    format!("no field kind for a schema of type {other:?}"),
                ));
            }
        };
        Ok(Node::Leaf {
            name: name.to_owned(),
            kind,
            list: false,
            description,
        })
    }

    fn description_of(&self, schema: &str) -> Option<String> {
        description(&self.schemas[schema])
    }
}

fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The Rust name of a property: snake case, with `_` after a keyword.
fn ident(name: &str) -> String {
    let snake = name.to_snake_case();
    if syn::parse_str::<syn::Ident>(&snake).is_err() {
        format!("{snake}_")
    } else {
        snake
    }
}

/// Renders the paths of every root as one file's tokens.
pub fn render(roots: &[(&Root, Vec<Node>)]) -> TokenStream {
    let mut enums = BTreeSet::new();
    let modules: Vec<TokenStream> = roots
        .iter()
        .map(|(root, tree)| {
            let module = format_ident!("{}", root.module);
            let all = paths(tree);
            let lists = lists(tree);
            let doc = format!(
                "The attributes of a `{}` that a query can name, one function per path, typed by the \
                 value the path holds.",
                root.schema
            );
            let body = render_members(tree, "", &mut enums);
            quote! {
                #[doc = #doc]
                pub mod #module {
                    /// Every path below, sorted; a free-form object ends in `.*`.
                    pub const PATHS: &[&str] = &[ #( #all ),* ];

                    /// Every path below that holds a list, sorted: a merge patch clears one with `[]`.
                    pub const LISTS: &[&str] = &[ #( #lists ),* ];

                    #body
                }
            }
        })
        .collect();
    let kinds = enums.iter().map(|name| {
        let ty = format_ident!("{}", name);
        quote! {
            impl crate::Kind for crate::types::#ty {
                type Value = crate::types::#ty;
                fn to_json(value: Self::Value) -> ::std::option::Option<::serde_json::Value> {
                    Some(::serde_json::Value::String(value.as_str().to_owned()))
                }
            }
        }
    });
    quote! {
        #( #modules )*
        #( #kinds )*
    }
}

fn render_members(nodes: &[Node], prefix: &str, enums: &mut BTreeSet<String>) -> TokenStream {
    let items = nodes.iter().map(|node| match node {
        Node::Leaf {
            name,
            kind,
            list,
            description,
        } => {
            let path = format!("{prefix}{name}");
            let function = format_ident!("{}", ident(name));
            let (ty, one, many) = match kind {
                Kind::Text => (
                    quote!(crate::kind::Text),
                    "a text".to_owned(),
                    "texts".to_owned(),
                ),
                Kind::Date => (
                    quote!(crate::kind::Date),
                    "a date".to_owned(),
                    "dates".to_owned(),
                ),
                Kind::DateTime => (
                    quote!(crate::kind::DateTime),
                    "a date-time".to_owned(),
                    "date-times".to_owned(),
                ),
                Kind::Integer => (
                    quote!(crate::kind::Integer),
                    "an integer".to_owned(),
                    "integers".to_owned(),
                ),
                Kind::Number => (
                    quote!(crate::kind::Number),
                    "a number".to_owned(),
                    "numbers".to_owned(),
                ),
                Kind::Boolean => (
                    quote!(crate::kind::Boolean),
                    "a boolean".to_owned(),
                    "booleans".to_owned(),
                ),
                Kind::Enum(e) => {
                    enums.insert(e.clone());
                    let ty = format_ident!("{}", e);
                    let link = format!("[`{e}`](crate::types::{e})");
                    (
                        quote!(crate::types::#ty),
                        format!("a {link}"),
                        format!("{link} values"),
                    )
                }
            };
            let what = if *list {
                format!("a list of {many}, matched by any element")
            } else {
                one
            };
            let doc = leaf_doc(&path, &what, description.as_deref());
            quote! {
                #[doc = #doc]
                pub const fn #function() -> crate::Field<#ty> {
                    crate::Field::new(#path)
                }
            }
        }
        Node::Free {
            name, description, ..
        } => {
            let path = format!("{prefix}{name}");
            let function = format_ident!("{}", ident(name));
            let mut doc = format!(
                "`{path}.<path>`: any value below the free-form `{path}`; `path` is dotted (`a.b`)."
            );
            if let Some(d) = description {
                doc.push_str(&format!(" {d}"));
            }
            let dot = format!("{path}.");
            quote! {
                #[doc = #doc]
                pub fn #function(path: &str) -> crate::Field<crate::kind::Any> {
                    crate::Field::owned(::std::format!("{}{}", #dot, path))
                }
            }
        }
        Node::Object {
            name,
            description,
            members,
            ..
        } => {
            let path = format!("{prefix}{name}");
            let module = format_ident!("{}", ident(name));
            let mut doc = format!("`{path}.*`");
            match description {
                Some(d) => doc.push_str(&format!(": {d}")),
                None => doc.push('.'),
            }
            let body = render_members(members, &format!("{path}."), enums);
            quote! {
                #[doc = #doc]
                pub mod #module {
                    #body
                }
            }
        }
    });
    quote! { #( #items )* }
}

fn leaf_doc(path: &str, what: &str, description: Option<&str>) -> String {
    let mut doc = format!("`{path}`: {what}.");
    if let Some(d) = description {
        doc.push_str(&format!(" {d}"));
    }
    doc
}
