#!/usr/bin/env bash
# apt-get that waits for another package manager (unattended upgrades on a fresh Debian) instead
# of failing with "Could not get lock". Sourced by scripts/system-packages.sh.
# DPkg::Lock::Timeout makes apt itself wait for the dpkg lock (install); apt-get update takes
# the package-list lock, which that option does not cover (apt 2.6), so a held lock is retried here.
# APT_WAIT_SECONDS (default 600) bounds the wait; SUDO is prefixed to apt-get (empty as root).
# The environment is passed through env, since sudo drops it (LC_ALL=C: the messages matched are English).

apt_get_waiting() {
    local errors waited=0 limit="${APT_WAIT_SECONDS:-600}"
    errors=$(mktemp)
    until ${SUDO:-} env LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$limit" "$@" 2>"$errors"; do
        if ! grep "Could not get lock" "$errors" >/dev/null || [ "$waited" -ge "$limit" ]; then
            cat "$errors" >&2
            rm -f "$errors"
            [ "$waited" -ge "$limit" ] && echo "等待 apt 超过 $((limit / 60)) 分钟，已放弃。请等系统更新结束后重新运行。" >&2
            return 1
        fi
        if [ "$waited" -eq 0 ]; then
            echo "另一个 apt 正在运行（例如系统自动更新），等待它结束，最多 $((limit / 60)) 分钟……"
        fi
        sleep 5
        waited=$((waited + 5))
    done
    cat "$errors" >&2
    rm -f "$errors"
}
