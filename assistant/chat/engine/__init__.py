"""The natural-language command engine: a message and a small context in, an intent out.

Pure: no ORM, no settings, no network, no real clock (only `context.now`), no idea which
channel the message came from. `parse` never raises; what it cannot read is UNKNOWN.
Understands English, French, Spanish and Portuguese.
"""

from assistant.chat.engine.parser import language_of, parse
from assistant.chat.engine.types import EngineContext, Intent, IntentName, Pending, Period, Problem

__all__ = ["EngineContext", "Intent", "IntentName", "Pending", "Period", "Problem", "language_of", "parse"]
