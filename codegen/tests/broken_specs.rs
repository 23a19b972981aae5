//! A broken spec is a clear error naming the file and the place, never a panic or a backtrace.

use std::path::PathBuf;

use cdp_codegen::{Service, render, spec};

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

fn scratch(files: &[(&str, &str)]) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cdp-broken-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.join(files[0].0)
}

fn load_error(yaml: &str) -> String {
    load_error_with(&[("t.yaml", yaml)])
}

fn load_error_with(files: &[(&str, &str)]) -> String {
    let path = scratch(files);
    spec::load(&path, "specs/t.yaml")
        .expect_err("the spec must be rejected")
        .to_string()
}

fn op(responses: &str) -> String {
    format!("{HEAD}paths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n{responses}")
}

const OK: &str = "        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n";
const COMPONENTS: &str = "components:\n  schemas:\n    A: {type: object}\n    B: {type: object}\n";

#[test]
fn yaml_syntax_errors_name_line_and_column() {
    let err = load_error("openapi: 3.0.3\ninfo: {title: T\npaths: {}\n");
    assert!(err.starts_with("specs/t.yaml: at line "), "{err}");
    assert!(err.contains("column"), "{err}");
}

#[test]
fn openapi_3_1_is_refused() {
    let err = load_error("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n");
    assert!(err.contains("at openapi: `3.1.0`"), "{err}");
}

#[test]
fn a_missing_operation_id_names_the_operation() {
    let err = load_error(&format!(
        "{HEAD}paths:\n  /x:\n    get:\n      responses:\n{OK}{COMPONENTS}"
    ));
    assert!(
        err.contains("at paths./x.get: every operation needs an `operationId`"),
        "{err}"
    );
}

#[test]
fn a_default_response_names_the_response() {
    let spec = op(&format!(
        "{OK}        default: {{description: err, content: {{application/json: {{schema: {{$ref: '#/components/schemas/B'}}}}}}}}\n{COMPONENTS}"
    ));
    let err = load_error(&spec);
    assert!(err.contains("at paths./x.get.responses.default"), "{err}");
}

#[test]
fn two_success_types_are_refused() {
    let spec = op(&format!(
        "{OK}        '201': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/B'}}}}}}}}\n{COMPONENTS}"
    ));
    assert!(load_error(&spec).contains("all success responses must share one type"));
}

#[test]
fn an_inline_response_schema_is_refused() {
    let spec = op(
        "        '200': {description: ok, content: {application/json: {schema: {type: object}}}}\n",
    );
    assert!(
        load_error(&spec)
            .contains("at paths./x.get.responses.200: a response schema must be a `$ref`")
    );
}

#[test]
fn an_inline_enum_must_be_named() {
    let spec = format!(
        "{}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        mode: {{type: string, enum: [a, b]}}\n",
        op(OK)
    );
    let err = load_error(&spec);
    assert!(
        err.contains("at components.schemas.A.properties.mode: name this enum"),
        "{err}"
    );
}

#[test]
fn colliding_field_names_are_refused() {
    let spec = format!(
        "{}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        Message: {{type: string}}\n        message: {{type: string}}\n",
        op(OK)
    );
    assert!(load_error(&spec).contains("would both be the field `message`"));
}

#[test]
fn a_mistyped_node_names_its_path() {
    let spec = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      operationId: getX\n      parameters: nope\n      responses:\n{OK}{COMPONENTS}"
    );
    let err = load_error(&spec);
    assert!(err.contains("at paths./x.get.parameters"), "{err}");
}

#[test]
fn a_missing_json_schema_definition_names_the_reference() {
    let spec = format!(
        "{}components:\n  schemas:\n    A: {{$ref: 'base.json#/definitions/Nope'}}\n",
        op(OK)
    );
    let base = r#"{"title": "Base", "type": "object", "definitions": {"Yes": {"type": "object"}}}"#;
    let err = load_error_with(&[("t.yaml", &spec), ("base.json", base)]);
    assert!(
        err.contains(
            "at components.schemas.A: `base.json#/definitions/Nope`: no definition `Nope`"
        ),
        "{err}"
    );
}

#[test]
fn json_schema_files_are_bundled_with_their_definitions_and_nullability() {
    let spec = format!(
        "{}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        base: {{$ref: 'base.json'}}\n    Item: {{$ref: 'base.json#/definitions/Item'}}\n",
        op(OK)
    );
    let base = r##"{"title": "Base", "type": "object", "additionalProperties": false,
        "properties": {"name": {"type": ["string", "null"]}, "item": {"$ref": "#/definitions/Item"}},
        "definitions": {"Item": {"type": ["object", "null"], "properties": {"n": {"type": "integer"}}}}}"##;
    let path = scratch(&[("t.yaml", &spec), ("base.json", base)]);
    let loaded = spec::load(&path, "specs/t.yaml").unwrap();
    let schemas = &loaded.json["components"]["schemas"];
    assert_eq!(
        schemas["A"]["properties"]["base"]["$ref"],
        "#/components/schemas/Base"
    );
    assert_eq!(
        schemas["Base"]["properties"]["name"],
        serde_json::json!({"type": "string", "nullable": true})
    );
    assert_eq!(
        schemas["Base"]["properties"]["item"]["$ref"],
        "#/components/schemas/Item"
    );
    assert!(schemas["Base"].get("additionalProperties").is_none());
    // A named schema loses its `null`: the fields that use it are optional anyway.
    assert_eq!(schemas["Item"]["type"], "object");
    assert!(schemas["Item"].get("nullable").is_none());
}

#[test]
fn a_stale_replacement_is_an_error() {
    let path = scratch(&[("t.yaml", &format!("{}{COMPONENTS}", op(OK)))]);
    let loaded = spec::load(&path, "specs/t.yaml").unwrap();
    let service = Service {
        name: "t",
        spec: "specs/t.yaml",
        replacements: &[("Gone", "crate::Gone")],
        fields: &[],
    };
    let err = render::render(&service, &loaded).unwrap_err().to_string();
    assert!(
        err.contains("at components.schemas.Gone: codegen replaces this schema"),
        "{err}"
    );
}

#[test]
fn a_valid_spec_renders_with_open_enums_in_the_types_module() {
    let spec = format!(
        "{}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        mode: {{$ref: '#/components/schemas/Mode'}}\n    Mode: {{type: string, enum: [on, 'off', 1v1t]}}\n",
        op(OK)
    );
    let path = scratch(&[("t.yaml", &spec)]);
    let loaded = spec::load(&path, "specs/t.yaml").unwrap();
    let service = Service {
        name: "t",
        spec: "specs/t.yaml",
        replacements: &[],
        fields: &[],
    };
    let code = render::render(&service, &loaded).unwrap();
    assert!(code.contains("pub enum Mode"), "open enum missing");
    assert!(code.contains("V1v1t"), "a leading digit gets a prefix");
    assert!(code.contains("Unknown(::std::string::String)"));
    assert!(
        code.contains("crate::types::Mode"),
        "the field uses the open enum"
    );
}

#[test]
fn path_values_go_through_the_segment_encoder_and_each_operation_has_a_constant() {
    let spec = format!(
        "{HEAD}paths:\n  /w/{{workspaceId}}/c/{{customerId}}:\n    get:\n      operationId: getC\n      parameters:\n        - {{name: workspaceId, in: path, required: true, schema: {{type: string}}}}\n        - {{name: customerId, in: path, required: true, schema: {{type: string}}}}\n      responses:\n{OK}{COMPONENTS}"
    );
    let path = scratch(&[("t.yaml", &spec)]);
    let loaded = spec::load(&path, "specs/t.yaml").unwrap();
    let service = Service {
        name: "t",
        spec: "specs/t.yaml",
        replacements: &[],
        fields: &[],
    };
    let code = render::render(&service, &loaded).unwrap();
    // prettyplease wraps macro arguments where it likes: compare without whitespace.
    let compact: String = code.split_whitespace().collect();
    assert!(!compact.contains("encode_path"), "{code}");
    // The refusal names the parameter as the spec (the wire) does.
    for (wire, field) in [
        ("workspaceId", "workspace_id"),
        ("customerId", "customer_id"),
    ] {
        assert!(
            compact.contains(&format!(
                "::cdp_transport::path::segment(\"{wire}\",&{field}.to_string())?"
            )),
            "{code}"
        );
    }
    assert!(
        compact.contains(
            "pubconstGET_C:::cdp_transport::Operation=::cdp_transport::Operation::unchecked(\"get_c\",);"
        ),
        "{code}"
    );
}
