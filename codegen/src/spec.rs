//! Reading a spec: YAML to JSON, bundling the JSON Schema files it points at, checking, typing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::{Error, lint};

/// A spec ready for the generator.
#[derive(Debug)]
pub struct Loaded {
    /// The spec's path as given (used in messages and headers).
    pub name: String,
    /// The bundled spec as JSON, after normalisation.
    pub json: Value,
    /// The same, typed.
    pub openapi: openapiv3::OpenAPI,
}

/// Loads the spec at `path`; `name` is how messages and headers call it.
///
/// ```no_run
/// let path = std::path::Path::new("specs/flagship.yaml");
/// let loaded = cdp_codegen::spec::load(path, "specs/flagship.yaml")?;
/// assert!(loaded.openapi.openapi.starts_with("3.0"));
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn load(path: &Path, name: &str) -> Result<Loaded, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut json = parse_yaml(&text, name)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    bundle(&mut json, dir, name)?;
    sort_keys(&mut json);
    lint::check(&json, name)?;
    let openapi = typed(&json, name)?;
    Ok(Loaded {
        name: name.to_owned(),
        json,
        openapi,
    })
}

/// Parses YAML (or JSON, a subset) into JSON, naming the line and column of a syntax error.
pub fn parse_yaml(text: &str, name: &str) -> Result<Value, Error> {
    serde_yaml::from_str::<Value>(text).map_err(|e| match e.location() {
        Some(loc) => Error::at(
            name,
            format!("line {}, column {}", loc.line(), loc.column()),
            e.to_string(),
        ),
        None => Error::new(name, None, e.to_string()),
    })
}

fn typed(json: &Value, name: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_path_to_error::deserialize(json).map_err(|e| {
        // openapiv3 reads `paths` and `components` through maps that hide the path below them; typing each
        // entry on its own finds the place.
        precise_error(json, name)
            .unwrap_or_else(|| Error::at(name, e.path().to_string(), e.into_inner().to_string()))
    })
}

fn precise_error(json: &Value, name: &str) -> Option<Error> {
    fn first<'a, T: serde::de::DeserializeOwned>(
        entries: impl Iterator<Item = (String, &'a Value)>,
        name: &str,
    ) -> Option<Error> {
        entries.into_iter().find_map(|(place, value)| {
            serde_path_to_error::deserialize::<_, T>(value)
                .err()
                .map(|e| {
                    let inner = e.path().to_string();
                    let place = if inner == "." {
                        place
                    } else {
                        format!("{place}.{inner}")
                    };
                    Error::at(name, place, e.into_inner().to_string())
                })
        })
    }
    let entries = |pointer: &str, prefix: &str| -> Vec<(String, &Value)> {
        let map = json.pointer(pointer).and_then(Value::as_object);
        map.into_iter()
            .flatten()
            .map(|(k, v)| (format!("{prefix}.{k}"), v))
            .collect()
    };
    let mut operations = Vec::new();
    for (place, item) in entries("/paths", "paths") {
        for (method, op) in item.as_object().into_iter().flatten() {
            if method != "parameters" && method != "summary" && method != "description" {
                operations.push((format!("{place}.{method}"), op));
            }
        }
    }
    first::<openapiv3::Operation>(operations.into_iter(), name)
        .or_else(|| first::<openapiv3::PathItem>(entries("/paths", "paths").into_iter(), name))
        .or_else(|| {
            first::<openapiv3::ReferenceOr<openapiv3::Schema>>(
                entries("/components/schemas", "components.schemas").into_iter(),
                name,
            )
        })
}

/// Rebuilds every object with its keys in order, so the output does not depend on whether some crate in the
/// build turned on serde_json's `preserve_order`.
fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut v) in entries {
                sort_keys(&mut v);
                map.insert(key, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// A `$ref` to a JSON Schema file beside the spec: `file.json` (its root, named by its `title`) or
/// `file.json#/definitions/Name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ExternalRef {
    file: PathBuf,
    definition: Option<String>,
}

impl ExternalRef {
    fn parse(reference: &str, dir: &Path, name: &str, place: &str) -> Result<Option<Self>, Error> {
        if reference.starts_with('#') {
            return Ok(None);
        }
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let definition = match fragment {
            "" => None,
            f => match f.strip_prefix("/definitions/") {
                Some(d) if !d.contains('/') => Some(d.to_owned()),
                _ => {
                    return Err(Error::at(
                        name,
                        place,
                        format!(
                            "unsupported reference `{reference}`: point at a file or at `#/definitions/<Name>` in it"
                        ),
                    ));
                }
            },
        };
        Ok(Some(Self {
            file: dir.join(file),
            definition,
        }))
    }
}

/// One JSON Schema file, normalised, ready to join `components/schemas`.
struct SchemaFile {
    /// The root schema's name (its `title`).
    title: String,
    /// The root and its definitions, by component name.
    schemas: BTreeMap<String, Value>,
}

/// Moves every JSON Schema file the spec references into `components/schemas` and points the references
/// there. Definitions keep their names; a name taken by another schema is an error, except a component that
/// is only an alias of that very definition (`Education: {$ref: 'base.json#/definitions/Education'}`).
fn bundle(spec: &mut Value, dir: &Path, name: &str) -> Result<(), Error> {
    let mut refs = Vec::new();
    collect_refs(spec, "", &mut refs);
    let mut files: BTreeMap<PathBuf, SchemaFile> = BTreeMap::new();
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for (place, reference) in &refs {
        let Some(ext) = ExternalRef::parse(reference, dir, name, place)? else {
            continue;
        };
        if !files.contains_key(&ext.file) {
            let file = load_schema_file(&ext.file, name, place)?;
            files.insert(ext.file.clone(), file);
        }
        let file = &files[&ext.file];
        let target = match &ext.definition {
            None => file.title.clone(),
            Some(d) if file.schemas.contains_key(d) && *d != file.title => d.clone(),
            Some(d) => {
                return Err(Error::at(
                    name,
                    place.as_str(),
                    format!(
                        "`{reference}`: no definition `{d}` in {}",
                        ext.file.display()
                    ),
                ));
            }
        };
        targets.insert(reference.clone(), target);
    }
    if files.is_empty() {
        return Ok(());
    }

    let components = spec
        .as_object_mut()
        .ok_or_else(|| Error::new(name, None, "the spec is not a mapping"))?
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| Error::at(name, "components", "not a mapping"))?
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| Error::at(name, "components.schemas", "not a mapping"))?;
    for file in files.values() {
        for (schema_name, schema) in &file.schemas {
            if let Some(existing) = components.get(schema_name) {
                let alias_of_same = existing
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| targets.get(r) == Some(schema_name));
                if !alias_of_same {
                    return Err(Error::at(
                        name,
                        format!("components.schemas.{schema_name}"),
                        "this name is also a definition of a bundled JSON Schema file; rename one of them",
                    ));
                }
            }
            components.insert(schema_name.clone(), schema.clone());
        }
    }
    rewrite_refs(spec, &targets);
    Ok(())
}

fn collect_refs(value: &Value, place: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((place.to_owned(), r.clone())),
                    _ => collect_refs(v, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{place}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn rewrite_refs(value: &mut Value, targets: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(r) if key == "$ref" => {
                        if let Some(target) = targets.get(r.as_str()) {
                            *r = format!("#/components/schemas/{target}");
                        }
                    }
                    _ => rewrite_refs(v, targets),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, targets)),
        _ => {}
    }
}

fn load_schema_file(path: &Path, name: &str, place: &str) -> Result<SchemaFile, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::at(name, place, format!("cannot read {shown}: {e}")))?;
    let mut root: Value = parse_yaml(&text, &shown)?;
    let Some(obj) = root.as_object_mut() else {
        return Err(Error::new(
            shown,
            None,
            "a JSON Schema file must hold an object",
        ));
    };
    let title = obj
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::new(
                &shown,
                None,
                "a bundled JSON Schema needs a `title`: it names the type",
            )
        })?;
    obj.remove("$schema");
    obj.remove("id");
    obj.remove("$id");
    let definitions = match obj.remove("definitions") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err(Error::at(&shown, "definitions", "not a mapping")),
        None => Map::new(),
    };
    let mut schemas = BTreeMap::new();
    for (def_name, mut def) in definitions {
        normalise_schema(&mut def, true);
        rewrite_internal_refs(&mut def);
        schemas.insert(def_name, def);
    }
    normalise_schema(&mut root, true);
    rewrite_internal_refs(&mut root);
    if schemas.insert(title.clone(), root).is_some() {
        return Err(Error::at(
            &shown,
            format!("definitions.{title}"),
            "a definition has the name of the file's title",
        ));
    }
    Ok(SchemaFile { title, schemas })
}

fn rewrite_internal_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(r) if key == "$ref" => {
                        if let Some(d) = r.strip_prefix("#/definitions/") {
                            *r = format!("#/components/schemas/{d}");
                        }
                    }
                    _ => rewrite_internal_refs(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_internal_refs),
        _ => {}
    }
}

/// Brings draft-04 JSON Schema into the OpenAPI 3.0 dialect that typify reads:
/// - `type: [T, "null"]` becomes `type: T` plus `nullable: true`; on a named schema (`named`) the `null` is
///   dropped instead, since typify would wrap the whole type in an `Option` newtype and the fields that use
///   it are optional anyway;
/// - `additionalProperties: false` is dropped: it describes the server's validation, and kept it would
///   become `deny_unknown_fields`, so a response with one new field would fail to decode.
fn normalise_schema(schema: &mut Value, named: bool) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get("type") {
        let non_null: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        let nullable = non_null.len() != types.len();
        if non_null.len() == 1 {
            obj.insert("type".into(), non_null[0].clone());
            if nullable && !named {
                obj.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.remove("additionalProperties");
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(|p| normalise_schema(p, false));
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get_mut(key) {
            normalise_schema(sub, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = obj.get_mut(key) {
            subs.iter_mut().for_each(|s| normalise_schema(s, false));
        }
    }
}
