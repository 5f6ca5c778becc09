"""How the branch search and HiGHS share a table's time (server/locate: NODE_LIMIT, TIME_SHARE).

The branch search may use up to NODE_LIMIT nodes but at most TIME_SHARE of the time left; when it gives
up, HiGHS gets the rest of the table's time. Measured on the 48 typo reports (2019 and 2021, seeds 0–19,
totals typed) where 5,000 nodes ran out: the sets reported had the known smallest size in 19 of 29 cases
instead of 6 (12 instead of 36 cells too many with 12 typos, 43 instead of 111 with 15), and 7 instead of
0 answers were proven. A node budget alone of 15,000 left HiGHS too little time on some 15-typo tables,
which then got no set at all (2 to 15 of 33, depending on the machine's load).
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from engine import first_problem

import server.locate as locate
from server.locate import branch


def _run(problem, node_limit: int):
    """The branch search's sets (or the reason it gave up) and its nodes, with no clock."""
    search = branch._Search(problem, locate.MAX_OPTIONS + 1, time.monotonic() + 600)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(branch, "NODE_LIMIT", node_limit)
        try:
            answer = sorted(s.changed for s in search.run())
        except branch.Undecided as stopped:
            answer = str(stopped)
    return answer, search.nodes


def test_a_twelve_typo_report_is_proven_by_the_branch_search_within_the_node_budget():
    """2021, seed 3, 12 typos: 5,000 nodes ran out (HiGHS then stopped at 2 s with a 12-cell "best found")."""
    problem = first_problem("2021", 3, 12)
    answer, nodes = _run(problem, branch.NODE_LIMIT)
    assert 5_000 < nodes < branch.NODE_LIMIT
    assert len(answer) >= 2 and {len(cells) for cells in answer} == {12}  # ambiguous, proven smallest
    assert _run(problem, 5_000)[0] == "node budget"


def test_the_branch_search_may_use_only_its_share_of_the_time_left_and_highs_gets_the_rest():
    problem = first_problem("2021", 0, 15)
    clock = SimpleNamespace(monotonic=lambda: 100.0)
    given = {}

    def branch_search(problem, wanted, deadline):
        given["branch"] = deadline
        raise branch.Undecided("node budget")

    def solver(problem, deadline):
        given["highs"] = deadline
        return [], True

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(locate, "time", clock)
        patch.setattr(locate, "smallest_sets", branch_search)
        patch.setattr(locate, "_solve", solver)
        locate._search(problem, 103.0)
    assert given == {"branch": 100.0 + 3.0 * locate.TIME_SHARE, "highs": 103.0}
