"""The one base of every problem this project raises on purpose.

It lives in ``config``, the lowest layer, so that every layer (tasks, connectors, flows,
deployments, cli) may derive from it without a back arrow. A caller that wants "any problem
the project has put into words" catches :class:`CchcError`; a caller that relied on a
builtin base (``ValueError``, ``RuntimeError``) before keeps it, because each subclass keeps
its builtin base beside this one.

The convention for messages: whatever an agency or an operator reads (the message of every
subclass, the run's log lines) is Vietnamese; technical names (file paths, setting names
such as ``CCHC_DATABASE_URL``, a library's exception name) stay as they are.
"""

from __future__ import annotations


class CchcError(Exception):
    """A problem the project recognises and describes in one Vietnamese sentence."""
