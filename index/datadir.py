"""Where data lives, resolved once: ``--data-dir`` flag, else ``OJP_SEARCH_DATA_DIR``, else the
platform's user data dir. Every path inside it is named here and nowhere else.

The store may live elsewhere (a PostgreSQL database several machines share): ``store`` is the
``--store`` flag's URL when one was given; ``index.store_file.store_location`` resolves the rest
(``OJP_SEARCH_STORE_URL``, the data dir's ``config.toml``, else the SQLite file in the data dir)."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "OJP_SEARCH_DATA_DIR"


@dataclass(frozen=True)
class DataDir:
    root: Path
    store: str | None = None

    @classmethod
    def resolve(
        cls, flag: str | os.PathLike[str] | None = None, *, store: str | None = None
    ) -> DataDir:
        """The data dir from the flag, the environment or the platform default (in that order);
        ``store`` is a ``--store`` URL, kept for ``index.store_file.store_location``."""
        if flag:
            return cls(Path(flag).expanduser(), store or None)
        env = os.environ.get(ENV_VAR)
        if env:
            return cls(Path(env).expanduser(), store or None)
        from platformdirs import user_data_dir

        return cls(Path(user_data_dir("ojp-search", appauthor=False)), store or None)

    @property
    def store_path(self) -> Path:
        """The SQLite record store: the source of truth."""
        return self.root / "store.sqlite3"

    @property
    def config_path(self) -> Path:
        """Settings kept with the data, by table: ``[store] url = "postgresql://..."``."""
        return self.root / "config.toml"

    @property
    def index_dir(self) -> Path:
        """The live Whoosh index (a symlink to the current ``indexes/<generation>`` folder)."""
        return self.root / "index"

    @property
    def indexes_dir(self) -> Path:
        """Where index generations are built before being swapped in."""
        return self.root / "indexes"

    @property
    def refresh_lock(self) -> Path:
        """Held by the one refresh allowed at a time."""
        return self.root / "refresh.lock"

    @property
    def prefect_home(self) -> Path:
        """The local Prefect server's database when ``schedule`` starts one."""
        return self.root / "prefect"

    def read_config(self) -> dict[str, dict[str, str]]:
        """The config's tables of settings ({} when there is none or it cannot be read)."""
        try:
            data = tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return {}
        return {
            name: {k: v for k, v in table.items() if isinstance(v, str)}
            for name, table in data.items()
            if isinstance(table, dict)
        }

    def remember(self, table: str, **settings: str) -> None:
        """Set ``settings`` in the config's ``[table]``, keeping everything else; written aside
        and renamed into place."""
        config = self.read_config()
        config[table] = {**config.get(table, {}), **settings}
        lines = ["# Settings ojp-search keeps for this data dir.\n"]
        for name, values in sorted(config.items()):
            lines.append(f"\n[{name}]\n")
            lines += [f"{key} = {json.dumps(value)}\n" for key, value in sorted(values.items())]
        self.ensure()
        temp = self.config_path.with_name(f".{self.config_path.name}.{os.getpid()}.tmp")
        temp.write_text("".join(lines), encoding="utf-8")
        os.replace(temp, self.config_path)

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
