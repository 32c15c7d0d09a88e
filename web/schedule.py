"""The schedule a ``serve --cron/--interval`` process runs, as the status page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: Prefect anchors interval schedules here unless told otherwise.
INTERVAL_ANCHOR = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScheduleInfo:
    cron: str | None = None
    interval: float | None = None

    def describe(self) -> str:
        if self.interval:
            return f"every {self.interval:g} seconds"
        return f'cron "{self.cron}" (UTC)'

    def next_run(self, now: datetime | None = None) -> datetime | None:
        """When the next scheduled refresh is due (UTC)."""
        now = now or datetime.now(UTC)
        if self.interval:
            step = timedelta(seconds=self.interval)
            periods = (now - INTERVAL_ANCHOR) // step + 1
            return INTERVAL_ANCHOR + periods * step
        if self.cron:
            from cronsim import CronSim

            return next(iter(CronSim(self.cron, now.replace(microsecond=0))))
        return None

    def to_dict(self) -> dict[str, str | float | None]:
        upcoming = self.next_run()
        return {
            "cron": self.cron,
            "interval_s": self.interval,
            "next_run": upcoming.isoformat().replace("+00:00", "Z") if upcoming else None,
        }
