"""The rule families and the order they run in.

Each family module has ``run(ctx)`` and adds findings to ``ctx.report``:

* :mod:`.domains` — is every cell a number of the right kind (§6)
* :mod:`.identities` — the sum identities I1–I4 (§5), then :mod:`server.locate`
* :mod:`.checks` — declared comparisons: P1–P3 and cross-year X1–X4 (§7)
* :mod:`.plausibility` — P4–P8
* :mod:`.header` — header fields, P10, P11, X5
"""

from __future__ import annotations

from .. import locate
from .. import totals
from . import checks
from . import domains
from . import header
from . import identities
from . import plausibility
from .base import Context


def run(ctx: Context) -> None:
    """Run every rule family on a prepared context."""
    totals.complete(ctx)
    domains.run(ctx)
    failed = identities.run(ctx)
    if failed:
        locate.run(ctx, failed)
    checks.run(ctx)
    plausibility.run(ctx)
    header.run(ctx)
    header.run_cross(ctx)
    identities.report_undecided(ctx)
