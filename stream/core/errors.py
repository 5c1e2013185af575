"""The one exception type that the CLI turns into a one-line message and exit code 2."""


class UsageError(Exception):
    """A problem the user can fix (bad path, bad model, bad option): reported without a traceback."""
