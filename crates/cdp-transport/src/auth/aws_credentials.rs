//! AWS credentials and region, found the way the AWS CLI finds them: environment variables first, then
//! the shared `~/.aws/credentials` and `~/.aws/config` profiles.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use super::AuthError;

/// An access key, its secret and, for temporary credentials, a session token. `Debug` shows only the
/// access key id.
///
/// ```
/// let credentials = cdp_transport::AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI").with_session_token("FwoGZX");
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
/// let shown = format!("{credentials:?}");
/// assert!(!shown.contains("wJalrXUtnFEMI") && !shown.contains("FwoGZX"));
/// ```
#[derive(Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
}

impl AwsCredentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: SecretString::from(secret_access_key.into()),
            session_token: None,
        }
    }

    /// Adds the session token of temporary credentials.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::from(token.into()));
        self
    }

    /// The access key id (not a secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Credentials from the process's environment and the shared profile files; see [`AwsProfileSource`].
    ///
    /// ```no_run
    /// let credentials = cdp_transport::AwsCredentials::load()?;
    /// # Ok::<(), cdp_transport::AuthError>(())
    /// ```
    pub fn load() -> Result<Self, AuthError> {
        AwsProfileSource::from_process().credentials()
    }

    /// The secret key and the session token, to be scrubbed from what servers send back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.secret_access_key.expose_secret().to_owned()];
        secrets.extend(
            self.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
        );
        secrets
    }

    pub(crate) fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose_secret().to_owned(),
            self.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            None,
            "cdp",
        )
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Where AWS settings come from: environment variables and a home directory. [`from_process`] reads the
/// real ones; tests build their own.
///
/// Credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); otherwise the profile
/// `AWS_PROFILE` (or `default`) in `AWS_SHARED_CREDENTIALS_FILE` (or `~/.aws/credentials`), then in
/// `AWS_CONFIG_FILE` (or `~/.aws/config`, where its section is `[profile NAME]`, or `[default]`).
/// Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region` in the config file.
///
/// [`from_process`]: AwsProfileSource::from_process
///
/// ```
/// use cdp_transport::AwsProfileSource;
///
/// let source = AwsProfileSource::default()
///     .var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
///     .var("AWS_SECRET_ACCESS_KEY", "secret")
///     .var("AWS_REGION", "eu-west-1");
/// assert_eq!(source.credentials()?.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(source.region().as_deref(), Some("eu-west-1"));
/// # Ok::<(), cdp_transport::AuthError>(())
/// ```
#[derive(Clone, Default)]
pub struct AwsProfileSource {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl AwsProfileSource {
    /// The process's `AWS_*` environment variables and home directory.
    pub fn from_process() -> Self {
        let vars = std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .collect();
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        Self { vars, home }
    }

    /// Sets an environment variable.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home directory (where `.aws/` is).
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The profile in use.
    pub fn profile(&self) -> &str {
        self.get("AWS_PROFILE").unwrap_or("default")
    }

    /// The credentials, from the environment or the profile files.
    pub fn credentials(&self) -> Result<AwsCredentials, AuthError> {
        if let (Some(id), Some(secret)) = (
            self.get("AWS_ACCESS_KEY_ID"),
            self.get("AWS_SECRET_ACCESS_KEY"),
        ) {
            let credentials = AwsCredentials::new(id, secret);
            return Ok(match self.get("AWS_SESSION_TOKEN") {
                Some(token) => credentials.with_session_token(token),
                None => credentials,
            });
        }
        let profile = self.profile();
        let files = [
            (
                self.file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
                profile.to_owned(),
            ),
            (
                self.file("AWS_CONFIG_FILE", "config"),
                config_section(profile),
            ),
        ];
        for (path, section) in files {
            let Some(path) = path else { continue };
            let Some(values) = read_section(&path, &section)? else {
                continue;
            };
            let id = values.get("aws_access_key_id");
            let secret = values.get("aws_secret_access_key");
            if let (Some(id), Some(secret)) = (id, secret) {
                let credentials = AwsCredentials::new(id.as_str(), secret.as_str());
                return Ok(match values.get("aws_session_token") {
                    Some(token) => credentials.with_session_token(token.as_str()),
                    None => credentials,
                });
            }
        }
        Err(AuthError::Credentials(format!(
            "none found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile `{profile}` \
             aws_access_key_id and aws_secret_access_key in ~/.aws/credentials"
        )))
    }

    /// The region, from the environment or the profile's config; `None` when neither says.
    pub fn region(&self) -> Option<String> {
        if let Some(region) = self
            .get("AWS_REGION")
            .or_else(|| self.get("AWS_DEFAULT_REGION"))
        {
            return Some(region.to_owned());
        }
        let path = self.file("AWS_CONFIG_FILE", "config")?;
        read_section(&path, &config_section(self.profile()))
            .ok()
            .flatten()?
            .get("region")
            .cloned()
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn file(&self, var: &str, name: &str) -> Option<PathBuf> {
        match self.get(var) {
            Some(path) => Some(PathBuf::from(path)),
            None => self.home.as_ref().map(|home| home.join(".aws").join(name)),
        }
    }
}

impl fmt::Debug for AwsProfileSource {
    /// Names only: the values include the secret key and the session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsProfileSource")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("home", &self.home)
            .finish()
    }
}

fn config_section(profile: &str) -> String {
    if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    }
}

/// The keys of one section of an INI file; `None` when the file or the section is absent.
fn read_section(path: &Path, section: &str) -> Result<Option<BTreeMap<String, String>>, AuthError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(AuthError::Credentials(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let ini = ini::Ini::load_from_str(&text).map_err(|e| {
        AuthError::Credentials(format!("{} is not a valid INI file: {e}", path.display()))
    })?;
    Ok(ini.section(Some(section)).map(|p| {
        p.iter()
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with(files: &[(&str, &str)]) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let home = std::env::temp_dir().join(format!(
            "cdp-aws-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        for (name, text) in files {
            std::fs::write(home.join(".aws").join(name), text).unwrap();
        }
        home
    }

    #[test]
    fn environment_wins_and_carries_the_session_token() {
        let home = home_with(&[(
            "credentials",
            "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n",
        )]);
        let source = AwsProfileSource::default()
            .home(&home)
            .var("AWS_ACCESS_KEY_ID", "ENV")
            .var("AWS_SECRET_ACCESS_KEY", "e")
            .var("AWS_SESSION_TOKEN", "tok");
        let credentials = source.credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "ENV");
        assert!(credentials.session_token.is_some());
    }

    #[test]
    fn a_named_profile_comes_from_the_credentials_file() {
        let home = home_with(&[(
            "credentials",
            "[default]\naws_access_key_id = DEF\naws_secret_access_key = d\n\n[work]\naws_access_key_id = WORK\naws_secret_access_key = w\naws_session_token = t\n",
        )]);
        let source = AwsProfileSource::default()
            .home(&home)
            .var("AWS_PROFILE", "work");
        let credentials = source.credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "WORK");
        assert!(credentials.session_token.is_some());
        assert_eq!(
            AwsProfileSource::default()
                .home(&home)
                .credentials()
                .unwrap()
                .access_key_id(),
            "DEF"
        );
    }

    #[test]
    fn the_config_file_gives_region_and_may_hold_keys() {
        let home = home_with(&[(
            "config",
            "[default]\nregion = us-east-2\n\n[profile ops]\nregion = eu-central-1\naws_access_key_id = OPS\naws_secret_access_key = o\n",
        )]);
        let ops = AwsProfileSource::default()
            .home(&home)
            .var("AWS_PROFILE", "ops");
        assert_eq!(ops.region().as_deref(), Some("eu-central-1"));
        assert_eq!(ops.credentials().unwrap().access_key_id(), "OPS");
        let default = AwsProfileSource::default().home(&home);
        assert_eq!(default.region().as_deref(), Some("us-east-2"));
        assert_eq!(
            default
                .clone()
                .var("AWS_REGION", "ap-south-1")
                .region()
                .as_deref(),
            Some("ap-south-1")
        );
        let err = default.credentials().unwrap_err().to_string();
        assert!(err.contains("profile `default`"), "{err}");
    }

    #[test]
    fn explicit_file_locations_are_honoured() {
        let home = home_with(&[(
            "elsewhere",
            "[default]\naws_access_key_id = ALT\naws_secret_access_key = a\n",
        )]);
        let source = AwsProfileSource::default().var(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join(".aws/elsewhere").display().to_string(),
        );
        assert_eq!(source.credentials().unwrap().access_key_id(), "ALT");
    }

    #[test]
    fn debug_shows_variable_names_only() {
        let source = AwsProfileSource::default()
            .var("AWS_SECRET_ACCESS_KEY", "SUPERSECRET")
            .var("AWS_SESSION_TOKEN", "SESSTOK");
        let shown = format!("{source:?}");
        assert!(
            shown.contains("AWS_SECRET_ACCESS_KEY")
                && !shown.contains("SUPERSECRET")
                && !shown.contains("SESSTOK"),
            "{shown}"
        );
    }

    #[test]
    fn a_broken_file_is_a_clear_error_without_secrets() {
        let home = home_with(&[(
            "credentials",
            "[default\naws_secret_access_key = sup3rs3cr3t\n",
        )]);
        let err = AwsProfileSource::default()
            .home(&home)
            .credentials()
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a valid INI file"), "{err}");
        assert!(!err.contains("sup3rs3cr3t"));
    }
}
