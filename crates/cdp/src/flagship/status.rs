//! Where a visitor's flags come from after its last synchronisation.

/// Where a visitor's flags come from, as [`Visitor::synchronize`](super::Visitor::synchronize) returns it
/// and [`Visitor::flags_status`](super::Visitor::flags_status) tells later.
///
/// A synchronisation that fails (the Decision API down, slow or garbled; no bucketing file yet) keeps
/// the flags the visitor had, as the Python SDK keeps them, and tells the event hook at
/// [`Level::Error`](super::Level::Error): the flags are then [`Kept`](FlagsStatus::Kept) from an
/// earlier synchronisation, or still the [`Defaults`](FlagsStatus::Defaults) when none has succeeded.
/// In [`Panic`](FlagsStatus::Panic) mode every flag gives its default and nothing is sent; a failure
/// then keeps panic mode, the service's last word.
///
/// ```no_run
/// # async fn run(mut visitor: cdp::flagship::Visitor) {
/// use cdp::flagship::FlagsStatus;
///
/// match visitor.synchronize().await {
///     FlagsStatus::Fresh => {}
///     FlagsStatus::Kept => eprintln!("Flagship unreachable: the flags of the last synchronisation"),
///     FlagsStatus::Defaults => eprintln!("Flagship unreachable: default flags"),
///     FlagsStatus::Panic => eprintln!("Flagship is in panic mode: default flags"),
/// }
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FlagsStatus {
    /// No synchronisation has succeeded yet: every flag gives its default.
    #[default]
    Defaults,
    /// From the last synchronisation, which succeeded.
    Fresh,
    /// The last synchronisation failed: the flags are those of an earlier one, kept.
    Kept,
    /// The service (or the bucketing file) says panic mode: every flag gives its default, and
    /// activations, hits and context events are not sent.
    Panic,
}

impl FlagsStatus {
    /// The status after a synchronisation that failed: the flags stay as they were.
    ///
    /// ```
    /// use cdp::flagship::FlagsStatus;
    /// assert_eq!(FlagsStatus::Fresh.after_failure(), FlagsStatus::Kept);
    /// assert_eq!(FlagsStatus::Defaults.after_failure(), FlagsStatus::Defaults);
    /// assert_eq!(FlagsStatus::Panic.after_failure(), FlagsStatus::Panic);
    /// ```
    pub fn after_failure(self) -> Self {
        match self {
            Self::Fresh | Self::Kept => Self::Kept,
            Self::Defaults => Self::Defaults,
            Self::Panic => Self::Panic,
        }
    }

    /// Whether the flags come from a decision (fresh or kept), rather than being defaults.
    ///
    /// ```
    /// assert!(cdp::flagship::FlagsStatus::Kept.has_decision());
    /// assert!(!cdp::flagship::FlagsStatus::Panic.has_decision());
    /// ```
    pub fn has_decision(self) -> bool {
        matches!(self, Self::Fresh | Self::Kept)
    }
}
