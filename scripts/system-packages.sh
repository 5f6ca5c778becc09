#!/usr/bin/env bash
# Debian packages the tests need, each installed only when missing:
#   libreoffice-calc-nogui  the template converted to PDF (print layout test)
#   libreoffice-writer-nogui  Word exports converted to PDF (published reports read back from PDF)
#   chromium                browser tests (Playwright drives Debian's Chromium)
#   poppler-utils           pdftotext/pdftoppm to read that PDF
#   fonts-noto-cjk          Chinese fonts for the PDF and the screenshots
#   fonts-crosextra-carlito Calibri's widths (the template's default font), so columns print as wide as in Excel
#   postgresql              the district database tests also run on PostgreSQL
# Needs root (or sudo). apt waits up to 10 minutes for the package locks (scripts/apt.sh), so a
# running unattended-upgrades on a fresh machine delays the install instead of failing it.
# No "grep -q" after a pipe below: under pipefail, grep leaving early can fail the check at random.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt.sh

need=()
why=()
command -v soffice >/dev/null 2>&1 || { need+=(libreoffice-calc-nogui); why+=("libreoffice-calc-nogui：把模板转换为 PDF，检查打印版式"); }
ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 || { need+=(libreoffice-writer-nogui); why+=("libreoffice-writer-nogui：把导出的 Word 统计表转换为 PDF，检查能否读回"); }
command -v chromium >/dev/null 2>&1 || { need+=(chromium); why+=("chromium：浏览器测试"); }
command -v pdftotext >/dev/null 2>&1 || { need+=(poppler-utils); why+=("poppler-utils：读取生成的 PDF"); }
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || { need+=(fonts-noto-cjk); why+=("fonts-noto-cjk：PDF 和截图中的中文字体"); }
fc-list 2>/dev/null | grep -i "Carlito" >/dev/null || { need+=(fonts-crosextra-carlito); why+=("fonts-crosextra-carlito：与 Calibri 等宽的字体，模板打印测试中的列宽与 Excel 相同"); }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { need+=(postgresql); why+=("postgresql：区里数据库的测试也在 PostgreSQL 上运行"); }

if [ ${#need[@]} -eq 0 ]; then
    echo "测试所需的系统软件包都已安装。"
    exit 0
fi
echo "需要安装以下系统软件包（首次安装约需 5–10 分钟，视网速而定）："
for line in "${why[@]}"; do
    echo "  - $line"
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "安装这些软件包需要管理员权限：请以 root 身份运行 bash scripts/system-packages.sh（或先安装 sudo），然后重新运行。" >&2
        exit 1
    fi
    SUDO="sudo"
    echo "安装需要管理员权限，将通过 sudo 运行 apt-get。"
fi
echo "如果系统正在自动更新（另一个 apt 正在运行），会等待它结束，最多 10 分钟。"
APT_WAIT_SECONDS=600
apt_get_waiting update -q
apt_get_waiting install -y -q --no-install-recommends "${need[@]}"
echo "系统软件包安装完成。"
