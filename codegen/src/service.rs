/// One service: its spec, the crate its code goes to, and the schemas replaced by hand-written types.
#[derive(Debug)]
pub struct Service {
    /// Short name, also the crate prefix (`contacthub` → `crates/contacthub-api`).
    pub name: &'static str,
    /// The spec, relative to the workspace root.
    pub spec: &'static str,
    /// Component schemas generated as a hand-written type instead: `(schema, Rust path)`. A replacement
    /// whose schema is gone from the spec is an error, so a stale one cannot linger (the k8s-openapi way).
    pub replacements: &'static [(&'static str, &'static str)],
}

impl Service {
    /// The generated file, relative to the workspace root.
    pub fn output(&self) -> String {
        format!("crates/{}-api/src/generated.rs", self.name)
    }
}

/// The four services of the workspace.
pub const SERVICES: &[Service] = &[
    Service {
        name: "contacthub",
        spec: "specs/contacthub.yaml",
        // typify cannot send an explicit `null` from an optional field, and a merge patch must.
        replacements: &[("CustomerPatch", "crate::MergePatch")],
    },
    Service {
        name: "blueconic",
        spec: "specs/blueconic.yaml",
        replacements: &[],
    },
    Service {
        name: "customer-profiles",
        spec: "specs/customer-profiles.yaml",
        replacements: &[],
    },
    Service {
        name: "flagship",
        spec: "specs/flagship.yaml",
        replacements: &[],
    },
];
