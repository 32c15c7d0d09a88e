"""Where data lives, resolved once: ``--data-dir`` flag, else ``OJP_SEARCH_DATA_DIR``, else the
platform's user data dir. Every path inside it is named here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "OJP_SEARCH_DATA_DIR"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, flag: str | os.PathLike[str] | None = None) -> DataDir:
        """The data dir from the flag, the environment or the platform default (in that order)."""
        if flag:
            return cls(Path(flag).expanduser())
        env = os.environ.get(ENV_VAR)
        if env:
            return cls(Path(env).expanduser())
        from platformdirs import user_data_dir

        return cls(Path(user_data_dir("ojp-search", appauthor=False)))

    @property
    def store_path(self) -> Path:
        """The SQLite record store: the source of truth."""
        return self.root / "store.sqlite3"

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

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
