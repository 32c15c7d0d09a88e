"""The README documents every command, and its quick start is what the Makefile and CI run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

import search_cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, Any]:
    """The CLI's commands by name, as the argument parser sees them."""
    group = typer.main.get_command(search_cli.app)
    return dict(group.commands)  # type: ignore[attr-defined]


def command_names() -> list[str]:
    return sorted(commands())


def section(name: str) -> str:
    match = re.search(rf"^### {name}\n(.*?)(?=^#)", README, flags=re.S | re.M)
    assert match, f"README has no section for '{name}'"
    return match.group(1)


def test_every_command_has_a_readme_section_with_an_example_and_its_output() -> None:
    names = command_names()
    assert {"refresh", "search", "show", "export", "status", "rebuild", "demo"} <= set(names)
    for name in names:
        text = section(name)
        assert f"ojp-search {name}" in text, f"no example of '{name}'"
        blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
        assert len(blocks) >= 1, f"no code block in the '{name}' section"


def test_every_option_of_every_command_is_documented() -> None:
    for name, command in commands().items():
        for param in command.params:
            if param.param_type_name != "option" or param.name in ("help", "data_dir"):
                continue
            spelled = [rf"(?<![\w-]){re.escape(opt)}(?![\w-])" for opt in param.opts]
            found = any(re.search(pattern, section(name)) for pattern in spelled)
            assert found, f"the README's '{name}' section does not mention {param.opts}"


def test_quick_start_is_two_make_targets_that_the_makefile_and_ci_define() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick, flags=re.S)
    assert block
    commands = [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_exit_codes_table_matches_the_enum() -> None:
    table = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
    assert documented == {int(code) for code in search_cli.ExitCode}


def test_record_table_lists_every_record_field() -> None:
    from index.records import record_field_names

    table = README.split("## The record", 1)[1].split("\n## ", 1)[0]
    for name in record_field_names():
        assert f"`{name}`" in table, f"README's record table lacks '{name}'"


def test_sites_file_example_is_a_valid_sites_file(tmp_path: Path) -> None:
    from crawlers.sites import load_sites

    section_text = README.split("## Sites file", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section_text, flags=re.S)
    assert example
    path = tmp_path / "sites.toml"
    path.write_text(example.group(1), encoding="utf-8")
    config = load_sites(path)
    assert {site.name for site in config.select(None)} == {"nij", "mirror"}


def test_the_layout_names_every_module_of_index_and_flows() -> None:
    """The README's layout block lists every module the library and the flows are made of."""
    layout = README.split("## Development", 1)[1].split("```", 2)[1]
    for package in ("index", "index/fulltext", "flows"):
        for path in sorted((ROOT / package).glob("*.py")):
            if path.name != "__init__.py":
                assert path.name in layout, f"README's layout lacks {package}/{path.name}"
