//! What the Flagship layer tells the caller without failing a call: errors it recovered from and
//! warnings, through the hook given to [`FlagshipBuilder::on_event`](super::FlagshipBuilder::on_event).

use std::fmt;
use std::sync::Arc;

/// How serious an [`Event`] is.
///
/// ```
/// assert!(cdp::flagship::Level::Error > cdp::flagship::Level::Warning);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Something worth knowing (a bucketing file refreshed, kept unchanged).
    Info,
    /// Something the caller may want to fix (a flag of another type than its default).
    Warning,
    /// A call that failed and was answered with defaults (a service down, a garbled answer).
    Error,
}

/// One message of the Flagship layer: it never holds the API key.
///
/// ```
/// use cdp::flagship::{Event, Level};
/// let event = Event::new(Level::Warning, "flag `n` is a string, not the default's type");
/// assert_eq!(event.to_string(), "warning: flag `n` is a string, not the default's type");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// How serious it is.
    pub level: Level,
    /// What happened.
    pub message: String,
}

impl Event {
    /// An event of `level` saying `message`.
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Self {
            level,
            message: message.into(),
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        write!(f, "{level}: {}", self.message)
    }
}

/// The hook, or none; cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Hook(Option<Arc<HookFn>>);

type HookFn = dyn Fn(&Event) + Send + Sync;

impl Hook {
    pub(crate) fn new(hook: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(hook)))
    }

    pub(crate) fn emit(&self, level: Level, message: impl Into<String>) {
        if let Some(hook) = &self.0 {
            hook(&Event::new(level, message));
        }
    }

    pub(crate) fn warn(&self, message: impl Into<String>) {
        self.emit(Level::Warning, message);
    }

    pub(crate) fn error(&self, message: impl Into<String>) {
        self.emit(Level::Error, message);
    }
}

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Hook(set)"
        } else {
            "Hook(none)"
        })
    }
}
