#!/usr/bin/env bash
# Run every benchmark in benchmarks/ (issue 11): each prints its figures and the ratio against its baseline.
#   bash scripts/bench.sh           full sizes (a few minutes on a 2-core machine)
#   bash scripts/bench.sh --small   N scaled down (a quick smoke run)
# Results and the machine they were measured on: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=""
if [[ "${1:-}" == "--small" ]]; then
    SMALL="--small"
fi
PY=.venv/bin/python
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $($PY --version)"
run() {
    echo
    echo "## $*"
    $PY "$@" $SMALL
}
# One line per benchmark; each script accepts --small.
run benchmarks/xlwings_bench.py
run benchmarks/read_bench.py      # batch reading: load_grids against python-calamine's bare read (target 2)
run benchmarks/click_bench.py     # the 校验 click against the xlwings floor; localisation by number of typos
run benchmarks/api_bench.py       # the JSON API against the bare engine
run benchmarks/district_bench.py  # units import, two years collected, one 提交, the 汇总 (synthetic district, made once)
