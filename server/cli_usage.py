"""Usage errors of the command line in Chinese (Click writes them in English).

:class:`ChineseGroup` is the top command's class: it runs Click without its
standalone error handling and prints each usage error itself, built from the
exception's fields (which option, which argument, which choices), with
Click's exit codes (2 for a usage error).
"""

from __future__ import annotations

import re
import sys

import click
from click import exceptions

from .errors import ConfigurationError

_TYPE_MESSAGES = (
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$"), "“{0}”不存在"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"), "“{0}”是文件夹，这里需要一个文件"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"), "“{0}”是文件，这里需要一个文件夹"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.$"), "“{0}”无法读取（没有权限）"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not writable\.$"), "“{0}”无法写入（没有权限）"),
    (re.compile(r"^'(.*)' is not a valid integer( range)?\.$"), "“{0}”不是整数"),
    (re.compile(r"^'(.*)' is not a valid float( range)?\.$"), "“{0}”不是数字"),
)
_OPTION_MESSAGES = (
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "选项 {0} 后面需要一个值。"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "选项 {0} 后面需要 {1} 个值。"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "选项 {0} 不能带值。"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$"), "多余的参数：{0}。"),
    (re.compile(r"^Argument '(.*)' takes (\d+) values\.$"), "参数 {0} 需要 {1} 个值。"),
)


class ChineseGroup(click.Group):
    """A command group whose usage errors are printed in Chinese."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command; usage errors in Chinese, exit codes as Click's."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            click.echo(usage_error_text(error), err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"错误：{error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)
        except ConfigurationError as error:  # a SERVER_* variable the service cannot use
            click.echo(f"错误：{error.message}", err=True)
            sys.exit(2)
        sys.exit(result if isinstance(result, int) else 0)


def usage_error_text(error: click.UsageError) -> str:
    """What the terminal shows for a usage error: usage line, help hint, the reason."""
    lines = []
    ctx = error.ctx
    if ctx is not None:
        usage = ctx.get_usage()
        lines.append(re.sub(r"^Usage:\s*", "用法：", usage))
        help_names = ctx.command.get_help_option_names(ctx)
        if help_names:
            lines.append(f"运行“{ctx.command_path} {max(help_names, key=len)}”查看帮助。")
        lines.append("")
    lines.append(f"错误：{reason(error)}")
    return "\n".join(lines)


def reason(error: click.UsageError) -> str:
    """The reason of a usage error in Chinese."""
    if isinstance(error, exceptions.MissingParameter):
        kind = "选项" if error.param_type == "option" or _is_option(error.param) else "参数"
        return f"缺少{kind} {_hint(error)}。"
    if isinstance(error, exceptions.BadParameter):
        return f"{_hint(error)} 的取值无效：{_bad_value(error)}。"
    if isinstance(error, exceptions.NoSuchOption):
        return f"没有选项 {error.option_name}。" + _did_you_mean(error.possibilities)
    if isinstance(error, exceptions.NoSuchCommand):
        return f"没有命令“{error.command_name}”。" + _did_you_mean(error.possibilities)
    return _translated(error.message, _OPTION_MESSAGES) or error.message


def _is_option(param) -> bool:
    return isinstance(param, click.Option)


def _hint(error: exceptions.BadParameter) -> str:
    if error.param_hint is not None:
        hint = error.param_hint if isinstance(error.param_hint, str) else " / ".join(error.param_hint)
    elif error.param is not None:
        hint = error.param.get_error_hint(error.ctx)
    else:
        return "参数"
    return hint.replace("'", "")


def _bad_value(error: exceptions.BadParameter) -> str:
    param_type = getattr(error.param, "type", None)
    if isinstance(param_type, click.Choice):
        found = re.match(r"^'(.*)' is not", error.message)
        value = f"“{found.group(1)}”" if found else "所给的值"
        return f"{value}不是可选的值（可选：{'、'.join(map(str, param_type.choices))}）"
    return _translated(error.message, _TYPE_MESSAGES) or error.message


def _translated(message: str, table) -> str | None:
    for pattern, template in table:
        found = pattern.match(message)
        if found:
            return template.format(*found.groups())
    return None


def _did_you_mean(possibilities) -> str:
    return f"是不是想用 {'、'.join(possibilities)}？" if possibilities else ""
