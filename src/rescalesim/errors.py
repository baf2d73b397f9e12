"""Errors a user can cause, each with a one-line message fit to print as it is.

The command line prints any of them and exits with code 2; nothing else is caught there, but
for `JobStopped` and `NotebookFailed` (exit code 1: the input was fine, the job could not end).
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


class JobStopped(RuntimeError):
    """A job that could not finish although its input was fine.

    Exit code 1, and one line naming what was kept and how to go on.
    """


class OutputError(JobStopped):
    """Results that could not be written (a full disk, say)."""


class ClusterLost(JobStopped):
    """The Dask scheduler went away during a job."""


class NotebookFailed(RuntimeError):
    """A notebook cell raised while the notebook was run for a report (exit code 1)."""
