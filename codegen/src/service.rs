use crate::fields::Root;

/// One service: its spec, the crate its code goes to, the schemas replaced by hand-written types, and the
/// schemas whose typed field paths are generated.
#[derive(Debug)]
pub struct Service {
    /// Short name, also the crate prefix (`contacthub` → `crates/contacthub-api`).
    pub name: &'static str,
    /// The spec, relative to the workspace root.
    pub spec: &'static str,
    /// Component schemas generated as a hand-written type instead: `(schema, Rust path)`. A replacement
    /// whose schema is gone from the spec is an error, so a stale one cannot linger (the k8s-openapi way).
    pub replacements: &'static [(&'static str, &'static str)],
    /// Schemas whose attribute paths are generated as typed fields (see [`crate::fields`]), into
    /// [`Service::fields_output`]; none for most services.
    pub fields: &'static [Root],
}

impl Service {
    /// The generated file, relative to the workspace root.
    pub fn output(&self) -> String {
        format!("crates/{}-api/src/generated.rs", self.name)
    }

    /// The generated file of typed field paths, relative to the workspace root, when the service has any.
    pub fn fields_output(&self) -> Option<String> {
        (!self.fields.is_empty())
            .then(|| format!("crates/{}-api/src/generated_fields.rs", self.name))
    }
}

/// The four services of the workspace.
pub const SERVICES: &[Service] = &[
    Service {
        name: "contacthub",
        spec: "specs/contacthub.yaml",
        // typify cannot send an explicit `null` from an optional field, and a merge patch must.
        replacements: &[("CustomerPatch", "crate::MergePatch")],
        // The query DSL names customer attributes by these paths.
        fields: &[Root {
            schema: "Customer",
            module: "customer",
        }],
    },
    Service {
        name: "blueconic",
        spec: "specs/blueconic.yaml",
        replacements: &[],
        fields: &[],
    },
    Service {
        name: "customer-profiles",
        spec: "specs/customer-profiles.yaml",
        // AWS writes the error message as `Message` or `message`; one generated type holds one spelling.
        replacements: &[("AwsError", "crate::AwsError")],
        fields: &[],
    },
    Service {
        name: "flagship",
        spec: "specs/flagship.yaml",
        replacements: &[],
        fields: &[],
    },
];
