"""Time of a refused login: an existing login name with a wrong password vs a name that does not exist.

    .venv/bin/python benchmarks/login_bench.py [--runs 20]

Both must cost one password-hash check, so that the answer time does not tell
whether a login name exists (issue 9). Prints the medians and their ratio
(target: between 0.8 and 1.25). Throttling is switched off for the run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from server import create_app  # noqa: E402
from server.district import service  # noqa: E402
from server.district.db import dispose  # noqa: E402
from server.district.db import get_session  # noqa: E402


def _median_ms(client, login: str, runs: int) -> float:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/login", data={"login": login, "password": "wrong-password", "csrf_token": token})
        times.append(time.perf_counter() - started)
        assert response.status_code == 401, response.status_code
    return 1000 * statistics.median(times)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        config = {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "LOGIN_MAX_FAILURES": 10**6,
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 10**6,
        }
        app = create_app(config, instance_path=folder)
        with app.app_context():
            service.create_district_account(get_session(), "admin", "区政务公开办", password="district-pass")
            get_session().commit()
        client = app.test_client()
        _median_ms(client, "nobody", 2)  # warm-up: the dummy hash is made on first use
        known = _median_ms(client, "admin", runs)
        unknown = _median_ms(client, "nobody", runs)
        dispose(app)
    print(f"existing login name, wrong password: {known:.1f} ms (median of {runs})")
    print(f"login name that does not exist:      {unknown:.1f} ms")
    print(f"ratio unknown/known: {unknown / known:.2f} (target 0.8–1.25)")


if __name__ == "__main__":
    main()
