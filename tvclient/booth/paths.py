"""Where the booth keeps its files (no Qt).

Under the user config dir (`~/.config/tvclient/booth/` on Linux): `booth.json` (staff choices,
the staff PIN's hash and lockout, the statistics summary) and `device.json` (the settings of
the booth's device core, apart from a TV's own `settings.json`). Under the user data dir
(`~/.local/share/tvclient/booth/`, or `--data-dir`): `stack/` (the sandbox and the merchant
ledger, kept across restarts) and `visits.csv` (one line per visit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BoothPaths"]


@dataclass(frozen=True, slots=True)
class BoothPaths:
    """The booth's directories and the files in them."""

    config_dir: Path
    data_dir: Path

    @classmethod
    def for_user(cls, data_dir: Path | None = None) -> BoothPaths:
        """The current user's directories (`data_dir` replaces the data one)."""
        from platformdirs import user_config_path, user_data_path

        return cls(
            config_dir=user_config_path("tvclient") / "booth",
            data_dir=data_dir or user_data_path("tvclient") / "booth",
        )

    @property
    def state_file(self) -> Path:
        """The booth's own state store."""
        return self.config_dir / "booth.json"

    @property
    def device_settings(self) -> Path:
        """The booth device's settings store."""
        return self.config_dir / "device.json"

    @property
    def stack_dir(self) -> Path:
        """The embedded sandbox's and merchant backend's data."""
        return self.data_dir / "stack"

    @property
    def visit_log(self) -> Path:
        """The CSV visit log."""
        return self.data_dir / "visits.csv"
