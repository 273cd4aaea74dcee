"""What the assistant says, in the person's language (gettext, see assistant/chat/locale/).

Short: many people read it on a phone, between two other things. Whatever is saved is said back
with its absolute local date and time ("today, Tuesday 1 December at 18:00"), so a wrong reading
shows at once; every question is one short line. Callers render inside
`translation.override(language)`.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

LANGUAGES = ("en", "fr", "es", "pt")


def _weekday(day: date) -> str:
    return (
        pgettext("weekday", "Monday"),
        pgettext("weekday", "Tuesday"),
        pgettext("weekday", "Wednesday"),
        pgettext("weekday", "Thursday"),
        pgettext("weekday", "Friday"),
        pgettext("weekday", "Saturday"),
        pgettext("weekday", "Sunday"),
    )[day.weekday()]


def _month(day: date) -> str:
    return (
        pgettext("month", "January"),
        pgettext("month", "February"),
        pgettext("month", "March"),
        pgettext("month", "April"),
        pgettext("month", "May"),
        pgettext("month", "June"),
        pgettext("month", "July"),
        pgettext("month", "August"),
        pgettext("month", "September"),
        pgettext("month", "October"),
        pgettext("month", "November"),
        pgettext("month", "December"),
    )[day.month - 1]


def date_text(day: date) -> str:
    """ "Tuesday 1 December", "mardi 1 décembre", "martes 1 de diciembre"."""
    return _("%(weekday)s %(day)d %(month)s") % {
        "weekday": _weekday(day),
        "day": day.day,
        "month": _month(day),
    }


def clock_text(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def when_text(moment: datetime, *, timezone: str, now: datetime) -> str:
    """The absolute local date and time of `moment`, with "today"/"tomorrow" when it is one."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    absolute = _("%(date)s at %(time)s") % {"date": date_text(local.date()), "time": clock_text(local)}
    return _near(local.date(), now.astimezone(zone).date(), absolute)


def _near(day: date, today: date, absolute: str) -> str:
    """`absolute` (a date, or a date and time) led by "today"/"tomorrow" when `day` is one."""
    days = (day - today).days
    if days == 0:
        return _("today, %(when)s") % {"when": absolute}
    if days == 1:
        return _("tomorrow, %(when)s") % {"when": absolute}
    return absolute


_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _days_text(codes: list[str]) -> str:
    names = [
        (
            _("Mondays"),
            _("Tuesdays"),
            _("Wednesdays"),
            _("Thursdays"),
            _("Fridays"),
            _("Saturdays"),
            _("Sundays"),
        )[_DAY_CODES.index(code)]
        for code in codes
    ]
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def rule_text(rule: str, first: datetime, *, timezone: str) -> str:
    """How often a reminder repeats, in words: "every day at 08:00", "on weekdays at 09:00"."""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    freq, interval = parts.get("FREQ", ""), int(parts.get("INTERVAL", "1"))
    time = clock_text(first.astimezone(ZoneInfo(timezone)))
    if freq == "MINUTELY":
        return every_duration(interval)
    if freq == "HOURLY":
        return every_duration(interval * 60)
    if freq == "DAILY":
        if interval == 1:
            return _("every day at %(time)s") % {"time": time}
        return ngettext("every %(count)d day at %(time)s", "every %(count)d days at %(time)s", interval) % {
            "count": interval,
            "time": time,
        }
    if freq == "WEEKLY":
        days = parts.get("BYDAY", "").split(",") if parts.get("BYDAY") else [_DAY_CODES[first.weekday()]]
        if days == list(_DAY_CODES[:5]):
            named = _("on weekdays")
        elif days == list(_DAY_CODES[5:]):
            named = _("on weekends")
        else:
            named = _("on %(days)s") % {"days": _days_text(days)}
        if interval == 1:
            return _("%(days)s at %(time)s") % {"days": named, "time": time}
        return ngettext(
            "every %(count)d week, %(days)s at %(time)s",
            "every %(count)d weeks, %(days)s at %(time)s",
            interval,
        ) % {"count": interval, "days": named, "time": time}
    if freq == "MONTHLY":
        monthday = int(parts.get("BYMONTHDAY", str(first.astimezone(ZoneInfo(timezone)).day)).split(",")[0])
        if monthday == -1:
            return _("on the last day of every month at %(time)s") % {"time": time}
        return _("on day %(day)d of every month at %(time)s") % {"day": monthday, "time": time}
    if freq == "YEARLY":
        local = first.astimezone(ZoneInfo(timezone))
        return _("every year on %(day)d %(month)s at %(time)s") % {
            "day": local.day,
            "month": _month(local.date()),
            "time": time,
        }
    return _("repeating (%(rule)s)") % {"rule": rule}


def undo_hint() -> str:
    return _("Not right? Reply “undo”.")


def reminder_set(text: str, when: str) -> str:
    return _("OK, I'll remind you: %(text)s, %(when)s.") % {"text": text, "when": when}


def reminder_set_recurring(text: str, rule: str, when: str) -> str:
    return _("OK, I'll remind you: %(text)s, %(rule)s. First: %(when)s.") % {
        "text": text,
        "rule": rule,
        "when": when,
    }


def todo_added(title: str, open_count: int) -> str:
    return ngettext(
        "Added to your list: %(title)s. %(count)d open todo.",
        "Added to your list: %(title)s. %(count)d open todos.",
        open_count,
    ) % {"title": title, "count": open_count}


def todo_added_due(title: str, due: str) -> str:
    return _("Added to your list: %(title)s, due %(date)s.") % {"title": title, "date": due}


def todos_empty() -> str:
    return _("Your list is empty. Add something with “add …”.")


def todos_header() -> str:
    return _("Your list (reply “done 1” when one is done):")


def todo_done(title: str) -> str:
    return _("Done: %(title)s. Well done!") % {"title": title}


def todo_deleted(title: str) -> str:
    return _("Removed: %(title)s.") % {"title": title}


def todo_not_found() -> str:
    return _("I couldn't find that todo. Send “list” to see the numbers.")


def reminder_done(text: str) -> str:
    return _("Great, done: %(text)s.") % {"text": text}


def reminders_empty() -> str:
    return _("No reminders coming up.")


def reminders_header() -> str:
    return _("Your reminders (“cancel reminder 1” to stop one):")


def snoozed(text: str, when: str) -> str:
    return _("Snoozed: I'll remind you again (%(text)s) %(when)s.") % {"text": text, "when": when}


def nothing_to_snooze() -> str:
    return _("There is no reminder to snooze yet.")


def reminder_cancelled(text: str) -> str:
    return _("Cancelled: %(text)s.") % {"text": text}


def reminder_not_found() -> str:
    return _("I couldn't find that reminder. Send “reminders” to see the numbers.")


def period_name(period: str) -> str:
    return {"today": _("today"), "tomorrow": _("tomorrow"), "week": _("this week")}.get(period, _("today"))


def agenda_empty(period: str) -> str:
    return _("Nothing planned %(day)s. Enjoy!") % {"day": period_name(period)}


def agenda_header(period: str) -> str:
    return _("Planned %(day)s:") % {"day": period_name(period)}


def next_item(text: str, when: str) -> str:
    return _("Next: %(text)s, %(when)s.") % {"text": text, "when": when}


def all_day(title: str, day: str) -> str:
    return _("%(day)s, all day: %(title)s") % {"day": day, "title": title}


def due_todo(title: str) -> str:
    return _("todo: %(title)s") % {"title": title}


def past_time(text: str, when: str) -> str:
    return _("%(when)s has already passed. When should I remind you: %(text)s?") % {
        "when": when,
        "text": text,
    }


def missing_time(text: str) -> str:
    return _("When should I remind you: %(text)s? For example “tomorrow at 9”.") % {"text": text}


def missing_text(when: str) -> str:
    return _("What should I remind you of, %(when)s?") % {"when": when}


def missing_text_no_time() -> str:
    return _("What should I remind you of, and when?")


def which_time(text: str, options: tuple[datetime, ...], *, timezone: str, now: datetime) -> str:
    """Which of a bare hour's two readings, soonest first; their day said once when they share it."""
    zone = ZoneInfo(timezone)
    first, second = sorted(option.astimezone(zone) for option in options)
    if first.date() == second.date():
        day = _near(first.date(), now.astimezone(zone).date(), date_text(first.date()))
        return _("%(text)s: %(day)s, at %(first)s or at %(second)s?") % {
            "text": text,
            "day": day,
            "first": clock_text(first),
            "second": clock_text(second),
        }
    return _("%(text)s: %(first)s or %(second)s?") % {
        "text": text,
        "first": when_text(first, timezone=timezone, now=now),
        "second": when_text(second, timezone=timezone, now=now),
    }


def confirm_time(text: str, when: str) -> str:
    return _("%(text)s: %(when)s, is that right? Reply “yes”, or tell me the time.") % {
        "text": text,
        "when": when,
    }


def exact_time(text: str) -> str:
    return _("%(text)s: at what time exactly? For example “at 18:30”.") % {"text": text}


def too_often(limit: str) -> str:
    return _("I can repeat a reminder at most %(limit)s. How often should it come?") % {"limit": limit}


def every_duration(minutes: int) -> str:
    """ "every minute", "every 15 minutes", "every hour", "every 2 hours"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours == 1:
            return _("every hour")
        return ngettext("every %(count)d hour", "every %(count)d hours", hours) % {"count": hours}
    if minutes == 1:
        return _("every minute")
    return ngettext("every %(count)d minute", "every %(count)d minutes", minutes) % {"count": minutes}


def unknown() -> str:
    return _(
        "Sorry, I didn't get that. Try “remind me to call mom tomorrow at 9” or “add buy milk”, "
        "or send “help”."
    )


def help_text() -> str:
    return _(
        "I keep your todos and reminders. Try: “add call the dentist”, “list”, “done 1”, "
        "“remind me to take my meds every day at 8”, “remind me in 20 minutes to stretch”, "
        "“reminders”, “snooze 10”, “what's next”, “undo”."
    )


def thanks() -> str:
    return _("You're welcome! 👍")


def nothing_to_undo() -> str:
    return _("There is nothing to undo.")


def cannot_undo() -> str:
    return _("I can't undo that anymore.")


def undone_todo_added(title: str) -> str:
    return _("Undone: %(title)s is off your list.") % {"title": title}


def undone_todo_completed(title: str) -> str:
    return _("Undone: %(title)s is open again.") % {"title": title}


def undone_todo_deleted(title: str) -> str:
    return _("Undone: %(title)s is back on your list.") % {"title": title}


def undone_reminder_created(text: str) -> str:
    return _("Undone: no reminder for %(text)s.") % {"text": text}


def undone_reminder_cancelled(text: str, when: str) -> str:
    return _("Undone: I'll remind you again: %(text)s, %(when)s.") % {"text": text, "when": when}
