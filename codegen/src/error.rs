use std::fmt;
use std::path::Path;

/// Why a spec could not be turned into code. The message names the spec file and, where there is one, the
/// place in it (a path of keys such as `paths./customers.get.responses.200`).
#[derive(Debug)]
pub struct Error {
    file: String,
    place: Option<String>,
    message: String,
}

impl Error {
    pub(crate) fn new(
        file: impl Into<String>,
        place: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            place,
            message: message.into(),
        }
    }

    pub(crate) fn at(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(file, Some(place.into()), message)
    }

    pub(crate) fn io(path: &Path, err: std::io::Error) -> Self {
        Self::new(path.display().to_string(), None, err.to_string())
    }

    /// The spec (or output) file the error is about.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Where in the file, when known.
    pub fn place(&self) -> Option<&str> {
        self.place.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Some(place) => write!(f, "{}: at {}: {}", self.file, place, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Error {}
