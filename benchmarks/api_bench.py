"""JSON API against the bare engine on the same report (issue 11, target 6: ≤ 2×).

    .venv/bin/python benchmarks/api_bench.py [--runs 300] [--small]

Baseline: ``validate_values`` with the same values, header and addresses the
view passes (the engine alone). Measured: ``POST /api/v1/validate`` (Flask's
request handling and hooks, JSON parsing, loading the values — the usual
request the short way of ``plain_report_input``, others through the
version's marshmallow schemas —, the engine, the report as JSON) two ways:
through the Flask test client (which also builds the request's WSGI environ
and wraps the response, the client's side), and as a WSGI server such as
waitress calls the app (the environ made once, the body a fresh stream each
call, the answer's bytes read). Prints medians and the ratios; a clean 2021
report with totals typed, and one with a typo.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from builders import consistent_values  # noqa: E402
from builders import header_for  # noqa: E402
from timing import machine  # noqa: E402
from timing import medians  # noqa: E402
from wsgi_call import wsgi_post  # noqa: E402

from server import create_app  # noqa: E402
from server.forms import get_form  # noqa: E402
from server.pipeline import validate_values  # noqa: E402
from server.workbook.layout import layout_for  # noqa: E402

TARGET = 2.0


def main() -> None:
    """Print the figures and the ratio against the bare engine."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--small", action="store_true", help="30 runs per report")
    args = parser.parse_args()
    runs = 30 if args.small else args.runs
    form = get_form("2021")
    header = {k: str(v) for k, v in header_for(form).items()}
    clean = consistent_values(form, seed=1)
    reports = {"clean": clean, "one typo": {**clean, "t2.open.c_natural": clean["t2.open.c_natural"] + 2}}
    app = create_app({"TESTING": True}, instance_path=str(ROOT / "instance"))
    client = app.test_client()
    addresses = layout_for("2021").addresses
    print(f"# {machine()}; CPU ms of the thread, medians of {runs} interleaved runs")
    print(
        f"{'report':<10} {'engine ms':>10} {'client ms':>10} {'ratio':>6} {'WSGI ms':>8} {'ratio':>6}  (target ≤ {TARGET:g}×)"
    )
    for name, values in reports.items():
        body = json.dumps({"version": "2021", "values": values, "header": header}).encode()  # the client's work, once
        post = wsgi_post(app, "/api/v1/validate", body)

        def engine(values=values):
            validate_values("2021", values, header=header, addresses=addresses)

        def api(body=body):
            assert client.post("/api/v1/validate", data=body, content_type="application/json").status_code == 200

        def wsgi(post=post):
            assert post()[0] == "200 OK"

        times = medians({"engine": engine, "api": api, "wsgi": wsgi}, runs)
        bare = times["engine"]
        print(
            f"{name:<10} {bare:>10.2f} {times['api']:>10.2f} {times['api'] / bare:>5.1f}×"
            f" {times['wsgi']:>8.2f} {times['wsgi'] / bare:>5.1f}×"
        )


if __name__ == "__main__":
    main()
