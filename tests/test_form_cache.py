"""What is worked out once per form (server/forms/cache.py) under simultaneous requests.

The service runs under waitress with 8 threads: the first clicks after a start arrive together
on a cold cache. Each value is built once, and every click still gets exactly its own answer
(the answers recorded in tests/data/golden_doors.json.gz).
"""

from __future__ import annotations

import time

from golden_doors import click_payload
from golden_doors import recorded
from test_xlwings_concurrency import THREADS
from test_xlwings_concurrency import _together
from test_xlwings_concurrency import served  # noqa: F401 (the fixture)

from server.forms import FORMS
from server.forms.cache import forget
from server.forms.cache import per_form
from server.forms.model import Form
from tools.excel_sim import addin_header

CASES = [
    "2021 one typo, totals blank",
    "2019 one typo, totals blank",
    "2021 clean, totals typed",
    "2019 clean, totals blank",
    "2021 text in number cells",
    "2019 text and typos, totals typed",
    "2021 three typos, totals typed",
    "2021 blanks in totals and parts",
]


def test_a_value_is_built_once_when_threads_ask_for_it_together():
    built = []

    @per_form
    def slow(form: Form) -> tuple[str, int]:
        built.append(form.version)
        time.sleep(0.05)  # long enough for every thread to arrive while it is being built
        return form.version, len(built)

    forms = list(FORMS.values())
    for form in forms:
        forget(form)
    chosen = [forms[i % len(forms)] for i in range(THREADS)]
    answers = _together([lambda form=form: slow(form) for form in chosen])
    assert sorted(built) == sorted(f.version for f in forms)
    for form, answer in zip(chosen, answers, strict=True):
        assert answer[0] == form.version
        assert answer is slow(form)


def test_simultaneous_first_clicks_on_a_cold_cache_each_get_their_exact_answer(served):  # noqa: F811
    import urllib.request

    base, _ = served
    golden = recorded()
    headers = {"X-JCNB-Addin": addin_header(), "Content-Type": "application/json"}
    bodies = {case: _json(click_payload(case)) for case in CASES}

    def click(case: str) -> str:
        request = urllib.request.Request(base + "/xlwings/validate", data=bodies[case], headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode("utf-8")

    for round_ in range(3):
        for form in FORMS.values():
            forget(form)
        order = CASES[round_:] + CASES[:round_]
        answers = _together([lambda case=case: click(case) for case in order])
        for case, answer in zip(order, answers, strict=True):
            assert answer == golden[case]["click"], f"round {round_}: {case} is not its own answer"


def _json(payload: dict) -> bytes:
    import json

    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
