#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: start_test_postgres exports TEST_DATABASE_URL.
# Sourced by scripts/test.sh; runs the server as the 'postgres' user when started as root.

start_test_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ]; then
        echo "找不到 PostgreSQL（/usr/lib/postgresql/*/bin），请先运行 scripts/system-packages.sh" >&2
        return 1
    fi
    PG_DIR=$(mktemp -d /tmp/jcnb-pg.XXXXXX)
    local port=$(( 20000 + RANDOM % 20000 ))
    local run=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$PG_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U jcnb --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" -w start >/dev/null
    "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U jcnb jcnb_test
    PG_BIN="$bin"
    PG_RUN=("${run[@]}")
    export TEST_DATABASE_URL="postgresql+psycopg://jcnb@127.0.0.1:$port/jcnb_test"
    echo "测试用 PostgreSQL 已启动：$TEST_DATABASE_URL"
}

stop_test_postgres() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
