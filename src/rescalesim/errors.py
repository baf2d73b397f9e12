"""Errors a user can cause, each with a one-line message fit to print as it is.

The command line prints any of them and exits with code 2; nothing else is caught there.
"""


class UserError(ValueError):
    """Bad input: a message naming the file, the field and what is allowed."""


class ScenarioError(UserError):
    """A scenario, sweep or targets file that cannot be used."""


class SweepError(UserError):
    """A sweep that cannot start (for example an output folder of another sweep)."""


class ReportError(UserError):
    """Input that cannot be reported."""


class UsageError(UserError):
    """Bad command-line options."""


class NotebookFailed(RuntimeError):
    """A notebook cell raised while the notebook was run for a report (exit code 1)."""
