"""README examples stay runnable: the demo command, the library snippet, the CI test command."""

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from marsad.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_first_command_installs_then_runs_the_demo(tmp_path):
    first = code_blocks("bash")[0].strip()
    install, run_demo = (part.strip() for part in first.split("&&"))
    assert install == "pip install ."
    args = shlex.split(run_demo)
    assert args[:2] == ["marsad", "demo"] and args[-2] == "--out"
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, [*args[1:-1], str(out)])
    assert result.exit_code == 0, result.output
    assert "articles:" in result.output
    assert "s-" in result.output  # at least one story listed
    assert (out / "digest.html").is_file() and (out / "digest.json").is_file()


def test_ci_runs_the_readme_test_command():
    block = re.search(r"<!-- test-command -->\n```bash\n(.*?)\n```", README, flags=re.S)
    assert block and "pytest" in block.group(1)
    assert "test-command" in (ROOT / ".ci" / "run").read_text()


def test_library_snippet_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (snippet,) = code_blocks("python")
    namespace: dict = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert (tmp_path / "news.db").exists()


def test_every_documented_command_has_help():
    for cmd in re.findall(r"^marsad (\w+)", README, flags=re.M):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0, cmd


def test_config_example_loads(tmp_path):
    from marsad.config import load_config

    (example,) = code_blocks("toml")
    path = tmp_path / "marsad.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.digest.summary.sentences == 6 and config.cluster.window_hours == 48
    assert config.pool.size == 8
