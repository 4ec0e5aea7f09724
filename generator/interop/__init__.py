"""Machine-readable descriptions for other systems: ELM v3 (Europass) and Open Badges 3.0.

`elm.write_elm` and `ob3.write_ob3` are site writers: they read the typed
catalogue and write files under `api/v1/` of a site folder. Both formats take
every fact from the model, so they say the same as the catalogue's pages.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    _RIGA: dt.tzinfo = ZoneInfo("Europe/Riga")
except ZoneInfoNotFoundError:  # pragma: no cover - no tz database on this system
    _RIGA = dt.timezone(dt.timedelta(hours=2))


def start_of_day(day: dt.date) -> str:
    """A calendar date as the `xsd:dateTime` both formats require: midnight in Latvia, with its offset."""
    return dt.datetime.combine(day, dt.time(), tzinfo=_RIGA).isoformat()
