"""Reference pages generated from the form definitions and the rule registry.

``python -m server docs`` writes docs/cells.md and docs/rules.md; a test fails
when the committed pages differ from what the definitions produce.
"""

from __future__ import annotations

from .forms import FORMS
from .forms.model import Domain
from .forms.model import Form
from .rules.catalogue import RULES
from .workbook.layout import layout_for

_DOMAIN = {Domain.COUNT: "整数 ≥ 0", Domain.SIGNED: "整数（可为负）", Domain.AMOUNT: "金额 ≥ 0（4 位小数）"}
_SEVERITY = {"error": "错误", "warning": "提示", "info": "说明"}


def cells_markdown() -> str:
    """docs/cells.md: every cell key of every version with its template address."""
    lines = [
        "# 单元格键参考（由表格定义自动生成，请勿手工修改）",
        "",
        "每个单元格有一个稳定的键 `表.行.列`，JSON 接口、数据库和汇总都使用它。",
        "地址是标准模板中的位置。重新生成：`python -m server docs`。",
        "",
    ]
    for form in sorted(FORMS.values(), key=lambda f: f.first_year, reverse=True):
        lines += _form_section(form)
    return "\n".join(lines) + "\n"


def _form_section(form: Form) -> list[str]:
    addresses = layout_for(form.version).addresses
    lines = [f"## {form.version} 年版：{form.name}", "", f"依据 {form.basis}，适用于{form.years_text}报告。", ""]
    lines += ["### 基本信息", "", "| 键 | 名称 | 模板位置 | 必填 |", "|---|---|---|---|"]
    for field in form.header_fields:
        sheet, cell = addresses[f"header.{field.key}"]
        lines.append(f"| `header.{field.key}` | {field.label} | {sheet}!{cell} | {'是' if field.required else ''} |")
    lines.append("")
    for table in form.tables:
        lines += [
            f"### {table.name} {table.title}",
            "",
            "| 键 | 行 · 列 | 模板位置 | 取值 | 单位 | 类型 |",
            "|---|---|---|---|---|---|",
        ]
        for cell in (c for c in form.cells.values() if c.table is table):
            sheet, a1 = addresses[cell.key]
            kind = "合计 = " + " + ".join(f"`{p}`" for p in form.definitions[cell.key]) if cell.derived else "填写"
            lines.append(
                f"| `{cell.key}` | {cell.label} | {a1} | {_DOMAIN[cell.domain]} | {cell.column.unit} | {kind} |"
            )
        lines.append("")
    lines += ["### 勾稽关系", "", "| 编号 | 规则 | 内容 | 条数 |", "|---|---|---|---|"]
    seen: dict[tuple[str, str], int] = {}
    for identity in form.identities:
        seen[(identity.name, identity.rule, identity.label)] = (
            seen.get((identity.name, identity.rule, identity.label), 0) + 1
        )
    for (name, rule, label), count in seen.items():
        lines.append(f"| {name} | `{rule}` | {label} | {count} |")
    lines.append("")
    return lines


def rules_markdown() -> str:
    """docs/rules.md: every rule id with its name and severity, and the declared checks."""
    lines = [
        "# 校验规则（由规则注册表和表格定义自动生成，请勿手工修改）",
        "",
        "规则编号出现在校验结果、JSON、网页和测试中，保持稳定。类别：错误（必须改正）、提示（请核对，提交时需说明）、说明（自动处理的情况）。",
        "",
        "| 规则编号 | 名称 | 类别 |",
        "|---|---|---|",
    ]
    for info in RULES.values():
        lines.append(f"| `{info.id}` | {info.name} | {_SEVERITY[info.severity]} |")
    lines += [
        "",
        "## 表格定义中声明的比较（合理性 P、跨年 X）",
        "",
        "| 版本 | 编号 | 规则编号 | 内容 | 类别 |",
        "|---|---|---|---|---|",
    ]
    for form in FORMS.values():
        for check in form.checks:
            lines.append(
                f"| {form.version} | {check.name} | `{check.rule}` | {check.label} | {_SEVERITY[check.severity]} |"
            )
    return "\n".join(lines) + "\n"


def generated_pages() -> dict[str, str]:
    """File name under docs/ -> generated text."""
    return {"cells.md": cells_markdown(), "rules.md": rules_markdown()}
