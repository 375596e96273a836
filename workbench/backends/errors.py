"""The backends' errors (their own module so that device and GPU checks both import them)."""

__all__ = ["BackendError", "BackendUnavailable"]


class BackendError(RuntimeError):
    """A backend was misused or failed."""


class BackendUnavailable(BackendError):
    """The selected backend's software stack is not installed; the message says how to install it."""
