"""One configuration surface: a TOML file whose tables are the stage configs.

```toml
[read]
max_page_mb = 10
[dedup]
threshold = 0.5
[cluster]
threshold = 0.3
[storylines]
gap_days = 10
[digest.summary]
sentences = 7
[pool]
size = 8
[alerts]
webhooks = ["http://localhost:9000/marsad"]
```
Each table maps onto the config dataclass that lives next to its algorithm; derived
parameters (LSH bands, ...) are computed there, never set here.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.alerts import AlertsConfig
from marsad.cluster import ClusterConfig, StorylineConfig
from marsad.dedup import DedupConfig
from marsad.digest import DigestConfig
from marsad.read import ReadConfig
from marsad.store import PoolConfig


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    read: ReadConfig = field(default_factory=ReadConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    storylines: StorylineConfig = field(default_factory=StorylineConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    pool: PoolConfig = field(default_factory=PoolConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)


def _section(cls: type, values: Any, name: str, source: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) in [{name}]: {', '.join(unknown)}"
            f" (known: {', '.join(sorted(fields))})"
        )
    defaults = cls()
    values = {  # a sub-table ([digest.summary]) configures a nested config object
        key: _section(type(getattr(defaults, key)), value, f"{name}.{key}", source)
        if dataclasses.is_dataclass(getattr(defaults, key))
        else value
        for key, value in values.items()
    }
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: [{name}]: {exc}") from None


def load_config(path: str | Path | None = None) -> Config:
    """Defaults, overridden by the tables of a TOML file when one is given."""
    if path is None:
        return Config()
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{source}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML ({exc})") from None
    sections = {f.name: f for f in dataclasses.fields(Config)}
    unknown = sorted(set(data) - set(sections))
    if unknown:
        raise ConfigError(f"{source}: unknown table(s): {', '.join(unknown)}")
    defaults = Config()
    return Config(
        **{
            name: _section(type(getattr(defaults, name)), data[name], name, source)
            if name in data
            else getattr(defaults, name)
            for name in sections
        }
    )
