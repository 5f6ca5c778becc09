#!/usr/bin/env bash
# Debian packages the tests need: LibreOffice Calc and Writer (template and Word export → PDF), Chromium (browser tests),
# CJK fonts, poppler-utils (pdftotext/pdftoppm) and PostgreSQL (district store).
# Installs only what is missing; needs root (or sudo).
set -euo pipefail

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)  # .docx -> PDF
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Carlito" || need+=(fonts-crosextra-carlito)  # Calibri's widths: columns print as in Excel
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "安装系统软件包：${need[*]}"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -q
$sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}"
