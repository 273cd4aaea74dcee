"""The words of each language the engine understands: data only, written as users spell them.

Every phrase here goes through the same folding as the messages (see text.fold) before it is
compiled into a pattern, so accents, apostrophes and hyphens can be written naturally. Whole
messages (lists, agenda, help...) are written as templates: "{what's|what is} left" stands for
every combination of its alternatives, and an empty alternative makes a part optional.
"""

from dataclasses import dataclass
from enum import Enum, IntEnum

from assistant.chat.engine.types import Period


class Unit(IntEnum):
    """A length of time, valued in minutes where that is a fixed number."""

    SECOND = 0  # only ever refused: no reminder repeats every second
    MINUTE = 1
    HOUR = 60
    DAY = 1440
    WEEK = 10080
    MONTH = -1  # months vary in length; only calendar arithmetic handles them
    YEAR = -2


class PartOfDay(Enum):
    """Valued at the hour it means when no time is given: "tonight" is 20:00."""

    MORNING = 9
    AFTERNOON = 15
    EVENING = 20


WORKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
M, A, E = PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING
TODAY, TOMORROW, WEEK, NEXT = Period.TODAY, Period.TOMORROW, Period.WEEK, Period.NEXT


@dataclass(frozen=True)
class Lexicon:
    code: str
    # --- Time expressions ---
    numbers: dict[str, int]
    units: dict[str, Unit]
    weekdays: dict[str, int]  # Monday is 0
    plural_weekdays: dict[str, int]  # forms that mean "every ..." on their own ("mondays")
    months: dict[str, int]
    day_words: dict[str, tuple[int, PartOfDay | None]]  # days from today, and the part of day
    parts_of_day: dict[str, PartOfDay]  # "in the evening", "de la tarde", "tonight" after an hour
    part_nouns: dict[str, PartOfDay]  # what follows "every" in "every morning"; answers
    meridiem_words: dict[str, PartOfDay]  # answers to "08:00 or 20:00?": "am", "morning", "soir"
    relative_prefixes: tuple[str, ...]  # "in" of "in 20 minutes"
    fixed_delays: dict[str, int]  # "half an hour": minutes
    and_half: tuple[str, ...]  # "and a half" of "in an hour and a half"
    every: tuple[str, ...]
    and_words: tuple[str, ...]  # joining weekdays: "monday and thursday"
    recurring_adverbs: dict[str, Unit]  # "daily"
    alternate: dict[str, Unit]  # "every other day": interval 2
    every_other: tuple[str, ...]  # "every other" before a weekday
    weekday_sets: dict[str, tuple[int, ...]]
    weekly_prefixes: tuple[str, ...]  # "every" of "every monday", plus articles that mean it
    plural_prefixes: tuple[str, ...]  # "on" of "on mondays"
    weekday_prefixes: tuple[str, ...]  # "on" of "on friday"
    next_before: tuple[str, ...]  # "next" of "next monday"
    next_after: tuple[str, ...]  # "prochain" of "lundi prochain"
    date_prefixes: tuple[str, ...]  # "on" of "on 3 december"
    monthday_prefixes: tuple[str, ...]  # "the" of "the 15th", "le" of "le 15"
    time_prefixes: tuple[str, ...]  # "at" of "at 8"
    hour_words: tuple[str, ...]  # "o'clock", "heures": after a bare hour
    minutes_after: dict[str, int]  # "y media" of "a las 8 y media"
    minutes_before: dict[str, int]  # "moins le quart" of "9h moins le quart"
    minutes_prefix: dict[str, int]  # "half past" / "quarter to" before the hour (signed minutes)
    minute_joiners: tuple[str, ...]  # "y" of "a las 6 y 20"
    or_words: tuple[str, ...]  # "or" of "at 5 or 6"
    approximate: tuple[str, ...]  # "ish", "y pico": a time given roughly, to be confirmed
    noon: tuple[str, ...]
    meals: dict[str, int]  # "at lunch": the hour people mean
    regional_meals: dict[str, int]  # where a meal has another name ("dîner" is lunch in Québec)
    regional_zones: tuple[str, ...]  # the zones of that region
    midnight: tuple[str, ...]
    weekend: tuple[str, ...]  # "this weekend": the coming Saturday
    month_end: tuple[str, ...]  # "end of the month": its last day
    next_month: tuple[str, ...]  # the 1st of next month
    next_week: tuple[str, ...]  # Monday of next week
    monthly_before_day: tuple[str, ...]  # "every month on the" 15th
    monthly_after_day: tuple[str, ...]  # the 15th "of each month"
    monthly_last_day: tuple[str, ...]  # "the last day of every month"
    yearly: tuple[str, ...]  # "every year" (on a date)
    # --- Commands ---
    greetings: tuple[str, ...]  # cut at the start of a message
    ask_wrappers: tuple[str, ...]  # "can you" before a command
    politeness: tuple[str, ...]  # cut anywhere
    thanks: tuple[str, ...]  # cut at the end; alone, a thanks
    acknowledgements: tuple[str, ...]  # "ok", "cool": alone, a thanks
    yes: tuple[str, ...]  # accepts a proposed reading
    no: tuple[str, ...]
    remind_triggers: tuple[str, ...]  # found anywhere in a message
    remind_leading: tuple[str, ...]  # only at the start ("reminder: ...")
    remind_connectors: tuple[str, ...]  # "to" of "remind me to ..."
    task_prefixes: tuple[str, ...]  # "I need to", "tengo que": an implicit todo, cut from texts
    snooze_words: tuple[str, ...]
    snooze_for: tuple[str, ...]
    add_verbs: tuple[str, ...]
    add_last: tuple[str, ...]  # "note it" of "call the plumber, note it"
    list_suffixes: tuple[str, ...]  # "to my list" of "add milk to my list"
    complete_verbs: tuple[str, ...]
    complete_suffixes: tuple[str, ...]  # "milk is done"
    mark_verbs: tuple[str, ...]  # "mark" of "mark milk as done"
    mark_suffixes: tuple[str, ...]  # "as done" of "mark milk as done"
    delete_verbs: tuple[str, ...]
    cancel_verbs: tuple[str, ...]
    stop_reminding: tuple[str, ...]
    reminder_nouns: tuple[str, ...]
    todo_nouns: tuple[str, ...]
    articles: tuple[str, ...]
    ref_connectors: tuple[str, ...]  # "with" of "done with 2"
    past_markers: tuple[str, ...]  # "I", "j'ai", "ya", "já" before a past tense
    past_endings: tuple[str, ...]  # endings of a past tense verb, folded ("ed", "ei")
    past_verbs: tuple[str, ...]  # irregular past tenses ("paid", "fiz")
    undo: tuple[str, ...]
    question_words: tuple[str, ...]  # a question is not a reminder to save
    statement_starters: tuple[str, ...]  # "it's", "il": chat about the day, not a reminder to save
    abbreviations: dict[str, str]  # how people shorten words, to the word the tables know
    fillers: tuple[str, ...]  # "maybe", "just": cut after a greeting or a "can you"
    delete_suffixes: tuple[str, ...]  # "off my list" of "take milk off my list"
    # --- Questions about lists and plans, read as a bag of words ---
    query_words: tuple[str, ...]  # what such a question is made of besides its nouns
    list_nouns: tuple[str, ...]  # "list", "tasks", "left": a question about the todo list
    agenda_nouns: tuple[str, ...]  # "schedule", "plans": a question about the agenda
    period_words: dict[str, Period]  # "today", "this week"
    undo_words: tuple[str, ...]  # "undo", "oops": with only filler around, an undo
    undo_fillers: tuple[str, ...]  # "that was wrong", "c'est pas ce que je voulais" around it
    function_words: tuple[str, ...]  # articles and prepositions: no help to tell two todos apart
    clitics: tuple[str, ...]  # pronouns between "ya" / "j'ai" and a past tense: "ya le mandé"
    # --- Whole messages (templates) ---
    help: tuple[str, ...]
    list_todos: tuple[str, ...]
    list_reminders: tuple[str, ...]
    agenda: dict[str, Period]
    common_words: tuple[str, ...]  # to tell the language of a message


def _plural(words: dict[str, int], suffix: str = "s") -> dict[str, int]:
    return {word + suffix: day for word, day in words.items()}


def _counted(words: dict[str, int], before: tuple[str, ...], sign: int) -> dict[str, int]:
    """'ten past' / 'ten to' from minute counts, for 'ten past 7' and 'ten to 9'."""
    return {f"{word} {link}": sign * count for word, count in words.items() for link in before}


_EN_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_FR_WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_ES_WEEKDAYS = {"lunes": 0, "martes": 1, "miércoles": 2, "jueves": 3, "viernes": 4, "sábado": 5, "domingo": 6}
_PT_SHORT_WEEKDAYS = {"segunda": 0, "terça": 1, "quarta": 2, "quinta": 3, "sexta": 4}
_PT_WEEKDAYS = {
    **_PT_SHORT_WEEKDAYS,
    **{f"{day}-feira": number for day, number in _PT_SHORT_WEEKDAYS.items()},
    "sábado": 5,
    "domingo": 6,
}
_PT_PLURAL_WEEKDAYS = {
    **_plural(_PT_SHORT_WEEKDAYS),
    **{f"{day}s-feiras": number for day, number in _PT_SHORT_WEEKDAYS.items()},
    "sábados": 5,
    "domingos": 6,
}
_EN_MINUTES = {"five": 5, "5": 5, "ten": 10, "10": 10, "twenty": 20, "20": 20, "twenty-five": 25, "25": 25}

ENGLISH = Lexicon(
    code="en",
    numbers={
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
        "thirty": 30, "forty-five": 45, "forty five": 45, "ninety": 90,
    },
    units={
        "s": Unit.SECOND, "sec": Unit.SECOND, "secs": Unit.SECOND, "second": Unit.SECOND,
        "seconds": Unit.SECOND,
        "m": Unit.MINUTE, "min": Unit.MINUTE, "mins": Unit.MINUTE, "minute": Unit.MINUTE,
        "minutes": Unit.MINUTE, "mn": Unit.MINUTE,
        "h": Unit.HOUR, "hr": Unit.HOUR, "hrs": Unit.HOUR, "hour": Unit.HOUR, "hours": Unit.HOUR,
        "day": Unit.DAY, "days": Unit.DAY, "week": Unit.WEEK, "weeks": Unit.WEEK, "wk": Unit.WEEK,
        "wks": Unit.WEEK, "month": Unit.MONTH, "months": Unit.MONTH, "year": Unit.YEAR, "years": Unit.YEAR,
    },
    weekdays={
        **_EN_WEEKDAYS, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3,
        "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
    },
    plural_weekdays=_plural(_EN_WEEKDAYS),
    months={
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
        "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3,
        "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    },
    day_words={
        "today": (0, None), "tonight": (0, E), "this morning": (0, M), "this afternoon": (0, A),
        "this evening": (0, E), "tomorrow": (1, None), "tomorrow morning": (1, M),
        "tomorrow afternoon": (1, A), "tomorrow evening": (1, E), "tomorrow night": (1, E),
        "day after tomorrow": (2, None), "the day after tomorrow": (2, None), "yesterday": (-1, None),
        "later today": (0, None),
    },
    parts_of_day={
        "in the morning": M, "in the afternoon": A, "in the evening": E, "at night": E, "in the am": M,
        "in the pm": A,
    },
    part_nouns={
        "morning": M, "mornings": M, "afternoon": A, "afternoons": A, "evening": E, "evenings": E,
        "night": E, "nights": E,
    },
    meridiem_words={
        "am": M, "a.m.": M, "morning": M, "in the morning": M, "the morning": M, "morning one": M,
        "the first": M, "first": M, "pm": E, "p.m.": E, "evening": E, "in the evening": E, "night": E,
        "tonight": E, "at night": E, "the evening": E, "afternoon": A, "the second": E, "second": E,
    },
    relative_prefixes=("in", "within", "in about", "in like"),
    fixed_delays={"half an hour": 30, "a half hour": 30, "half hour": 30, "half an hr": 30,
                  "a quarter of an hour": 15, "quarter of an hour": 15, "quarter hour": 15,
                  "an hour and a half": 90, "a bit": 15, "a few minutes": 10, "a few mins": 10, "a sec": 5},
    and_half=("and a half",),
    every=("every", "each"),
    and_words=("and", "&"),
    recurring_adverbs={
        "daily": Unit.DAY, "everyday": Unit.DAY, "every day": Unit.DAY, "each day": Unit.DAY,
        "hourly": Unit.HOUR, "weekly": Unit.WEEK, "monthly": Unit.MONTH, "yearly": Unit.YEAR,
        "annually": Unit.YEAR, "every single day": Unit.DAY,
    },
    alternate={"every other day": Unit.DAY, "every other week": Unit.WEEK, "every second day": Unit.DAY},
    every_other=("every other", "every second"),
    weekday_sets={
        "every weekday": WORKDAYS, "every week day": WORKDAYS, "weekdays": WORKDAYS,
        "on weekdays": WORKDAYS, "monday to friday": WORKDAYS, "monday through friday": WORKDAYS,
        "mon to fri": WORKDAYS, "mon-fri": WORKDAYS, "every workday": WORKDAYS, "workdays": WORKDAYS,
        "every weekend": WEEKEND, "weekends": WEEKEND, "on weekends": WEEKEND,
        "every saturday and sunday": WEEKEND,
    },
    weekly_prefixes=("every", "each"),
    plural_prefixes=("on",),
    weekday_prefixes=("on", "this", "by", "before", "until", "for"),
    next_before=("next", "coming", "this coming"),
    next_after=("next week",),
    date_prefixes=("on", "on the", "the", "by", "before", "by the"),
    monthday_prefixes=("on the", "the"),
    time_prefixes=("at", "by", "around", "@", "at about", "at around", "about", "for"),
    hour_words=("o clock", "oclock", "o'clock"),
    minutes_after={},
    minutes_before={},
    minutes_prefix={
        "half past": 30, "half after": 30, "half": 30, "quarter past": 15, "a quarter past": 15,
        "quarter after": 15,
        "quarter to": -15, "a quarter to": -15, "quarter til": -15, "quarter till": -15,
        "quarter of": -15,
        **_counted(_EN_MINUTES, ("past", "after"), 1),
        **_counted(_EN_MINUTES, ("to", "till", "til"), -1),
    },
    minute_joiners=(),
    or_words=("or",),
    approximate=("ish", "or so", "something", "-ish", "ish or so"),
    noon=("noon", "midday"),
    meals={"at breakfast": 8, "at lunch": 12, "at lunchtime": 12, "at lunch time": 12, "at dinner": 19,
        "at dinnertime": 19,
           "at dinner time": 19, "after dinner": 20, "after lunch": 13, "before bed": 22, "at bedtime": 22,
           "before dinner": 18, "lunchtime": 12},
    regional_meals={},
    regional_zones=(),
    midnight=("midnight",),
    weekend=("this weekend", "the weekend", "this wknd", "the wknd", "on the weekend", "this week end",
             "over the weekend", "at the weekend", "weekend", "by the weekend", "sometime this weekend"),
    month_end=(
        "end of the month", "end of month", "the end of the month", "at the end of the month",
        "by the end of the month", "month end", "end of this month", "by end of month", "eom", "by eom",
        "last day of the month", "the last day of the month", "on the last day of the month",
    ),
    next_month=("next month", "beginning of next month", "start of next month"),
    next_week=("next week", "sometime next week", "early next week", "the week after"),
    monthly_before_day=("every month on the", "each month on the", "monthly on the", "every month on"),
    monthly_after_day=(
        "of each month", "of every month", "every month", "each month", "of the month every month",
        "monthly",
    ),
    monthly_last_day=(
        "the last day of every month", "the last day of each month", "last day of every month",
        "last day of each month", "end of every month", "end of each month", "at the end of every month",
        "at the end of each month", "every end of month", "every month end",
    ),
    yearly=("every year", "each year", "yearly", "annually", "every year on"),
    greetings=(
        "hi", "hey", "hello", "hiya", "yo", "hey there", "hi there", "hello there", "good morning",
        "good afternoon", "good evening", "morning", "heya", "howdy", "ok so", "so", "okay so", "um", "uh",
        "hey assistant", "hi assistant", "oh", "ah", "btw", "quick one", "also", "ok", "okay", "ugh", "uhh",
        "hmm", "wait", "well", "actually", "sorry", "omg", "oh no", "oh and", "and", "hey so",
    ),
    ask_wrappers=(
        "can you", "can u", "could you", "could u", "would you", "would u", "will you", "will u",
        "can you please", "could you please", "i want you to", "i'd like you to", "i would like you to",
        "i need you to", "please can you", "you can", "can ya", "could ya", "would you mind",
        "mind", "go ahead and", "pls can you", "plz can you",
    ),
    politeness=("please", "pls", "plz", "plse", "pleaseee", "pleeease", "kindly", "pretty please"),
    thanks=(
        "thanks", "thank you", "thx", "ty", "tysm", "thanks a lot", "thank u", "cheers", "thanks so much",
        "thank you so much", "many thanks", "tnx", "thnx", "thanx", "ta", "ok thanks", "thanks!", "tks",
    ),
    acknowledgements=(
        "ok", "okay", "k", "cool", "great", "perfect", "nice", "awesome", "got it", "alright",
        "all right", "sounds good", "perfect thanks", "great thanks", "ok cool", "okie", "okey",
    ),
    yes=("yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "exactly", "that's it",
         "thats it", "yes please", "ya", "yea", "ye", "sounds good", "perfect", "k"),
    no=("no", "nope", "nah", "n", "not really", "wrong"),
    remind_triggers=(
        "remind me", "remind", "set a reminder", "set reminder", "set me a reminder", "create a reminder",
        "add a reminder", "make a reminder", "don't let me forget", "dont let me forget",
        "do not let me forget",
        "nudge me", "ping me", "remind us", "remind me again", "give me a reminder", "send me a reminder",
        "remember to remind me", "remind me about", "set an alarm", "set alarm", "set me an alarm", "rmd me",
    ),
    remind_leading=("reminder", "reminder for", "reminder to", "rmd", "alert me", "text me"),
    remind_connectors=("to", "that", "about", "of", "re", "abt", "2", "bout", "for", "so i", "too", "t"),
    task_prefixes=(
        "i need to", "need to", "i have to", "have to", "i gotta", "gotta", "i've got to", "ive got to",
        "i got to", "got to", "i must", "must", "i should", "should", "don't forget to", "dont forget to",
        "do not forget to", "remember to", "i need 2", "need 2", "hafta", "i hafta", "i have 2",
        "i really need to", "really need to", "i still need to", "still need to", "i still have to",
        "we need to", "we have to", "we gotta", "you need to",
    ),
    snooze_words=("snooze", "later", "remind me later", "remind me again", "again later", "not now",
                  "give me", "not now in", "later in", "ask me again", "ask me again in"),
    snooze_for=("for", "by", "in", "another"),
    add_verbs=(
        "add", "todo", "to-do", "to do", "new todo", "new task", "add todo", "add task", "add to list",
        "add to my list", "put", "write down", "jot down", "note", "note to self", "note down", "save",
        "new", "task", "add a task", "add a todo", "new to do", "todo:", "put down", "remember",
    ),
    add_last=("add it", "add that", "note it", "note that", "write it down", "save it", "put it on my list",
        "add to my list", "add to list", "to my list", "on my list", "add to todos", "to do"),
    list_suffixes=(
        "to my list", "to the list", "to my todo list", "to my to-do list", "to my todos", "to the todo list",
        "on my list", "to list", "to my tasks", "on the list", "on my todo list", "on my to do list",
        "to my to do list", "in my list", "to the to do list", "to todos", "to my to dos",
    ),
    complete_verbs=(
        "done", "did", "complete", "completed", "finished", "finish", "check", "check off", "mark done",
        "mark as done", "i did", "i finished", "tick off", "tick", "cross off", "mark off", "i've done",
        "ive done", "i have done", "i completed", "finished with", "done with", "i'm done with",
        "im done with", "just did", "i just did", "just finished", "i just finished", "did it",
        "all done with",
        "all done",
    ),
    complete_suffixes=(
        "done", "is done", "are done", "is finished", "finished", "complete", "completed", "is complete",
        "was done", "all done", "is done now", "done now", "is completed", "is sorted", "sorted",
        "taken care of", "is taken care of", "handled", "is handled", "is paid", "paid", "is ok",
    ),
    mark_verbs=("mark", "tick", "cross", "check", "set"),
    mark_suffixes=(
        "done", "as done", "off", "complete", "as complete", "completed", "as completed", "as finished",
        "finished", "as done please",
    ),
    delete_verbs=(
        "delete", "remove", "del", "erase", "scratch", "forget", "forget about", "drop", "get rid of",
        "trash", "take off", "take off my list", "strike", "rm", "kill", "ditch", "nuke", "wipe",
    ),
    cancel_verbs=("cancel", "turn off", "disable", "kill", "stop"),
    stop_reminding=(
        "stop reminding me", "don't remind me", "do not remind me", "dont remind me", "no more reminders",
        "stop reminding me about", "stop the reminder", "quit reminding me", "stop reminders",
        "no need to remind me",
    ),
    reminder_nouns=("reminder", "reminders", "alarm", "alert"),
    todo_nouns=("todo", "to-do", "task", "item", "one", "thing"),
    articles=("the", "my", "a", "this", "that", "an", "number", "no", "nr", "#"),
    ref_connectors=("with", "to", "for", "about", "of", "number", "no", "it", "off", "from my list",
        "anymore",
                    "any more", "now", "thing", "please", "again", "too", "also"),
    past_markers=(
        "i", "i've", "ive", "i just", "just", "finally", "i finally", "i already", "already", "i have",
        "we", "i've just", "ive just", "i have just", "ok i", "yay i", "so i", "i did",
    ),
    past_endings=("ed",),
    past_verbs=(
        "paid", "did", "bought", "got", "took", "sent", "made", "went", "ate", "wrote", "called", "read",
        "gave", "put", "ran", "sold", "swept", "fed", "cut", "found", "brought", "drove", "met", "left",
        "done", "finished", "booked", "emailed", "texted", "cleaned", "washed", "picked", "dropped",
        "took out", "threw", "rang", "saw", "spoke", "told", "returned", "filed", "handed",
        "renewed", "scheduled", "signed", "submitted", "walked", "watered", "fixed", "changed",
        "ordered", "mailed", "posted", "cancelled", "canceled", "charged", "replied", "answered",
    ),
    undo=(
        "undo", "undo that", "undo it", "undo last", "undo the last one", "oops", "oops undo",
        "cancel that", "revert", "take that back", "never mind", "nevermind", "nvm", "scratch that",
        "undo please", "whoops", "wait undo", "oops cancel that", "no undo", "undo last thing",
        "delete that", "remove that", "cancel it", "forget that", "forget it", "not that", "my bad undo",
        "that was wrong", "wrong undo", "undo that please", "oops undo that", "undo what you just did",
        "cancel what you just did", "undo the last thing",
    ),
    question_words=(
        "what", "whats", "when", "where", "who", "why", "how", "is", "are", "do", "does", "did", "can",
        "should", "which", "will", "am",
    ),
    statement_starters=("i", "i'm", "im", "it", "it's", "its", "we", "you", "he", "she", "they", "that's",
        "thats", "this", "there", "so"),
    abbreviations={
        "tmrw": "tomorrow", "tmw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "tomoz": "tomorrow",
        "2moro": "tomorrow", "2morrow": "tomorrow", "2mrw": "tomorrow", "2mro": "tomorrow",
        "2morow": "tomorrow", "tommorow": "tomorrow", "tomorow": "tomorrow", "tommorrow": "tomorrow",
        "tmorrow": "tomorrow", "tomrrow": "tomorrow", "2nite": "tonight", "2night": "tonight",
        "tonite": "tonight", "tonigt": "tonight", "2day": "today", "tdy": "today", "u": "you", "r": "are",
        "ur": "your", "wknd": "weekend", "wkend": "weekend", "hr": "hour", "mnth": "month",
        "aft": "afternoon", "arvo": "afternoon", "eve": "evening", "nite": "night", "mornin": "morning",
        "wk": "week", "b4": "before", "rmnd": "remind", "remindme": "remind me", "pl": "please",
        "tho": "though", "bc": "because", "cuz": "because", "gonna": "going to", "wanna": "want to",
        "lemme": "let me", "dont": "don't", "im": "i'm", "ive": "i've", "thx": "thanks", "tx": "thanks",
        "mins": "minutes", "sec": "second", "gota": "gotta", "ned": "need", "hav": "have", "wht": "what",
        "wat": "what", "whats": "what is", "evry": "every", "evrey": "every", "2mo": "tomorrow",
        "nxt": "next", "oclock": "o'clock", "hlep": "help", "hepl": "help",
    },
    fillers=("maybe", "just", "quickly", "also", "pls", "please", "real quick", "like", "actually", "kindly"),
    delete_suffixes=("off my list", "off the list", "from my list", "from the list", "off",
        "off my todo list",
                     "from my todos", "off my todos"),
    query_words=(
        "what", "whats", "wat", "is", "s", "are", "do", "does", "i", "have", "got", "has", "my", "the", "for",
        "on", "in", "look", "looks", "like", "anything", "something", "any", "going", "up", "there", "am",
        "doing", "happening", "coming", "tell", "me", "show", "give", "see", "get", "can", "you", "u", "of",
        "to", "still", "need", "all", "else", "please", "pls", "today", "a", "now", "set", "check", "read",
        "list", "whole", "rest", "current", "currently", "again", "about", "did", "ask", "we",
        "this", "quick", "so", "far", "right", "yet", "remaining", "pending", "open", "outstanding", "again",
    ),
    list_nouns=("list", "todos", "todo", "tasks", "left", "plate", "stuff", "things", "checklist", "to-dos",
                "remaining", "outstanding", "pending", "items"),
    agenda_nouns=("schedule", "agenda", "calendar", "plan", "plans", "planned", "day", "week", "happening",
                  "scheduled", "events", "on", "anything", "look", "looks", "doing"),
    period_words={"today": TODAY, "tonight": TODAY, "this evening": TODAY, "tomorrow": TOMORROW, "next": NEXT,
                  "now": NEXT, "after this": NEXT,
                  "this week": WEEK, "week": WEEK, "rest of the week": WEEK, "the week": WEEK},
    undo_words=("undo", "oops", "whoops", "take that back", "revert", "my bad", "scratch that", "oopsie"),
    undo_fillers=("that", "it", "last", "one", "wrong", "thing", "sorry", "mistake", "was", "meant", "mean",
        "didn't",
                  "didnt", "i", "me", "no"),
    function_words=("the", "a", "an", "my", "to", "of", "for", "and", "with", "at", "on", "in", "i", "me"),
    clitics=(),
    help=(
        "help", "help me", "commands", "what can you do", "how does this work", "menu", "how do i use this",
        "how do i use you", "what do you do", "info", "instructions", "hi", "hey", "hello", "hiya", "yo",
        "good morning", "good evening", "good afternoon", "hey there", "hi there", "start", "sos",
        "what can i say", "how does it work", "what are the commands", "options",
        "{can you|could you|} help {me|}",
    ),
    list_todos=(
        "{list|lst|todos|to-dos|to dos|todo|tasks|stuff|my stuff|things|my things|my tasks|my todos"
        "|my to dos|my to-dos|my list|the list|todo list|to do list|my todo list|my to do list"
        "|task list|my task list|checklist|my checklist}",
        "{show|list|see|view|check|read|get|gimme|give me|send|send me|open|display|pull up|show me"
        "|let me see|can i see|i want to see} {me|} {my|the|all my|all the|all|} {list|lst|todos|to-dos"
        "|to dos|tasks|todo list|to do list|to-do list|stuff|things to do|things|task list|items"
        "|open tasks|open todos|pending tasks|todo|checklist}",
        "{what's|whats|what is|wat is|wats} {left|left to do|on my list|on the list|on my plate"
        "|on my todo list|on my to do list|pending|outstanding|still open|open|remaining|on my to-do list"
        "|still to do|on the agenda|in my list}",
        "{what do|what did|what else do|wat do|what} {i|we} {still|} {have|need|got|gotta|have got} {to do|}"
        " {left|still|}",
        "what {else|else do i have|else is there|remains|is still pending|do i still need to do}",
        "{anything|what's|whats|is there anything|what is} {left|else|left to do|still to do|on my plate}",
        "{my|the} {list|todo list|to do list|tasks|todos} {please|}",
        "what {are|r} my {tasks|todos|to dos|to-dos|things to do}",
        "what's on my plate {today|}", "whats on my plate {today|}", "what is on my plate {today|}",
        "what do i {need|have} to get done", "what needs doing", "what needs to be done",
        "remind me what i have to do", "remind me what's on my list", "remind me what i need to do",
        "{how many|how much} {tasks|todos|things} {do i have|are left|left}",
    ),
    list_reminders=(
        "{reminders|my reminders|list reminders|list my reminders|show reminders|show my reminders"
        "|what are my reminders|what reminders do i have|which reminders do i have|see my reminders"
        "|view reminders|view my reminders|all my reminders|my alarms|alarms|upcoming reminders"
        "|my upcoming reminders|reminder list|my reminder list|show me my reminders|pending reminders"
        "|what reminders|any reminders|active reminders|what did i ask you to remind me|scheduled reminders"
        "|what reminders are set|what reminders have i set|reminders set|any reminders set"
        "|what did i ask you to remind me about|what have i asked you to remind me|what are you reminding me"
        "|what are you going to remind me about}",
    ),
    agenda={
        "{what's|whats|what is} {next|up next|coming up|coming up next|my next thing|after this|the plan}":
            NEXT,
        "{next|up next|what's next?|next one|what now|what now?|and now|then what|what's up next}": NEXT,
        "{today|today?|agenda|my agenda|my day|my schedule|schedule|today's agenda|todays agenda"
        "|today's schedule|todays schedule|schedule today|agenda today|plan for today|my plan for today"
        "|today's plan|todays plan|my calendar|calendar|calendar today|my day today|the plan today}": TODAY,
        "{what|wat|whats|what's|what is} {do i have|have i got|is on|s on|on|is happening|s happening"
        "|is planned|s planned|is there|do i got|have i|do i need to do|do i have to do|have i planned"
        "|is on my calendar|is on my agenda|is on my schedule|s on my schedule|s on my agenda|s the plan"
        "|is the plan|am i doing|do i have going on|is going on|s going on|do i have on} {for|on"
        "|} today": TODAY,
        "{what|whats|what's} {my|the} {day|schedule|agenda|plan|calendar} {look like|looks like|like|}"
        " {today|}": TODAY,
        "{anything|something|what} {on|planned|scheduled|happening} today": TODAY,
        "{what's|whats|what is} today": TODAY,
        "{tomorrow|tomorrow?|tomorrow's agenda|tomorrows agenda|agenda tomorrow|schedule tomorrow"
        "|tomorrow's schedule|tomorrows schedule|my day tomorrow|plan for tomorrow|calendar tomorrow}":
            TOMORROW,
        "{what|wat|whats|what's|what is} {do i have|have i got|is on|s on|on|is happening|s happening"
        "|is planned|s planned|is there|do i got|have i|do i need to do|do i have to do|have i planned"
        "|is on my calendar|is on my agenda|is on my schedule|s the plan|is the plan|am i doing"
        "|do i have going on|is going on|do i have on} {for|on|} tomorrow": TOMORROW,
        "{what's|whats|what is} tomorrow": TOMORROW,
        "{what|whats|what's} {my|the} {day|schedule|agenda|plan|calendar} {look like|looks like|like|}"
        " tomorrow": TOMORROW,
        "{this week|week|my week|the week|agenda this week|schedule this week|this week's agenda"
        "|my week ahead|the week ahead|week ahead|this week's schedule|plan for the week|this week?}": WEEK,
        "{what|wat|whats|what's|what is} {do i have|have i got|is on|s on|on|is happening|s happening"
        "|is planned|s planned|is there|is coming up|s coming up|do i need to do|do i have to do"
        "|is the plan|s the plan|am i doing|do i have going on|is going on} {for|on|} {this week|the week"
        "|the rest of the week|the week ahead|this week ahead}": WEEK,
        "{what|whats|what's} {my|the} {week|schedule|agenda|plan} {look like|looks like|like|}"
        " {this week|}": WEEK,
    },
    common_words=(
        "the", "i", "you", "is", "are", "and", "what", "how", "hello", "hi", "hey", "thanks", "thank",
        "it", "this", "can", "yes", "why", "where", "when", "who", "to", "my", "me", "at", "on", "in", "for",
        "of", "with", "call", "buy", "pay", "get", "take", "go", "pick", "up", "out", "bills", "rent", "meds",
        "mom", "dad", "back", "about", "have", "need", "tomorrow", "tonight", "morning", "evening", "week",
        "day", "check", "make", "send", "email", "book", "doctor", "dentist", "clean", "wash", "laundry",
        "trash", "the", "from", "before", "after", "next", "done", "list", "add", "remind", "water",
        "plants", "school", "kids", "work", "do", "don't", "dont", "just", "a", "an", "be", "please", "pls",
        "u", "your", "our", "should", "gotta", "gonna", "want", "like", "some", "all", "any", "so", "but",
        "if", "or", "not", "no", "yeah", "ok", "okay", "by", "up", "off", "again", "also", "too",
    ),
)  # fmt: skip

_FR_MINUTES = {"cinq": 5, "5": 5, "dix": 10, "10": 10, "vingt": 20, "20": 20, "vingt-cinq": 25, "25": 25}

FRENCH = Lexicon(
    code="fr",
    numbers={
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
        "quarante-cinq": 45, "quarante cinq": 45,
    },
    units={
        "s": Unit.SECOND, "sec": Unit.SECOND, "seconde": Unit.SECOND, "secondes": Unit.SECOND,
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "mn": Unit.MINUTE, "minute": Unit.MINUTE,
        "minutes": Unit.MINUTE, "h": Unit.HOUR, "heure": Unit.HOUR, "heures": Unit.HOUR, "hr": Unit.HOUR,
        "j": Unit.DAY, "jour": Unit.DAY, "jours": Unit.DAY, "semaine": Unit.WEEK, "semaines": Unit.WEEK,
        "sem": Unit.WEEK, "mois": Unit.MONTH, "an": Unit.YEAR, "ans": Unit.YEAR, "année": Unit.YEAR,
    },
    weekdays={
        **_FR_WEEKDAYS, "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6,
    },
    plural_weekdays=_plural(_FR_WEEKDAYS),
    months={
        "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
        "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "janv": 1, "févr": 2,
        "fév": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "déc": 12,
    },
    day_words={
        "aujourd'hui": (0, None), "ce soir": (0, E), "cet après-midi": (0, A), "cet aprem": (0, A),
        "cet aprèm": (0, A), "ce matin": (0, M), "demain": (1, None), "demain matin": (1, M),
        "demain après-midi": (1, A), "demain aprem": (1, A), "demain soir": (1, E), "après-demain": (2, None),
        "apres demain": (2, None), "hier": (-1, None), "cette nuit": (0, E), "tout à l'heure": (0, None),
        "plus tard dans la journée": (0, None),
    },
    parts_of_day={
        "le matin": M, "du matin": M, "dans la matinée": M, "l'après-midi": A, "de l'après-midi": A,
        "dans l'après-midi": A, "le soir": E, "du soir": E, "dans la soirée": E, "de l'aprem": A,
        "de la nuit": E, "à soir": E,
    },
    part_nouns={
        "matin": M, "matins": M, "après-midi": A, "aprem": A, "soir": E, "soirs": E, "soirée": E,
        "nuit": E,
    },
    meridiem_words={
        "matin": M, "le matin": M, "du matin": M, "am": M, "le premier": M, "la première": M,
        "premier": M, "soir": E, "le soir": E, "du soir": E, "ce soir": E, "pm": E, "après-midi": A,
        "aprem": A, "l'après-midi": A, "le deuxième": E, "le second": E, "la deuxième": E, "nuit": E,
        "la nuit": E, "de la nuit": E, "demain matin": M,
    },
    relative_prefixes=("dans", "d'ici", "d'ici à", "dans environ", "dans genre"),
    fixed_delays={"une demi-heure": 30, "une demie heure": 30, "une demi heure": 30, "1/2 heure": 30,
                  "1/2h": 30, "un quart d'heure": 15, "une heure et demie": 90, "quelques minutes": 10,
                  "deux secondes": 5, "2 sec": 5},
    and_half=("et demie", "et demi"),
    every=("chaque", "tous les", "toutes les", "tout les", "toute les"),
    and_words=("et", "&"),
    recurring_adverbs={
        "quotidiennement": Unit.DAY, "quotidien": Unit.DAY, "tous les jours": Unit.DAY,
        "chaque jour": Unit.DAY,
        "tout les jours": Unit.DAY, "tlj": Unit.DAY, "tlm": Unit.MONTH, "toutes les heures": Unit.HOUR,
        "chaque heure": Unit.HOUR, "chaque semaine": Unit.WEEK, "toutes les semaines": Unit.WEEK,
        "chaque mois": Unit.MONTH, "tous les mois": Unit.MONTH, "mensuellement": Unit.MONTH,
        "hebdomadairement": Unit.WEEK, "chaque année": Unit.YEAR, "tous les ans": Unit.YEAR,
        "chaque annee": Unit.YEAR, "annuellement": Unit.YEAR, "tous les jours de la semaine": Unit.DAY,
    },
    alternate={
        "un jour sur deux": Unit.DAY, "une semaine sur deux": Unit.WEEK, "tous les deux jours": Unit.DAY,
        "toutes les deux semaines": Unit.WEEK,
    },
    every_other=("un", "une"),
    weekday_sets={
        "en semaine": WORKDAYS, "tous les jours de semaine": WORKDAYS, "les jours de semaine": WORKDAYS,
        "jours de semaine": WORKDAYS, "les jours ouvrables": WORKDAYS, "jours ouvrables": WORKDAYS,
        "les jours ouvrés": WORKDAYS, "jours ouvrés": WORKDAYS, "tous les jours ouvrables": WORKDAYS,
        "du lundi au vendredi": WORKDAYS, "le week-end": WEEKEND, "les week-ends": WEEKEND,
        "tous les week-ends": WEEKEND, "chaque week-end": WEEKEND, "le weekend": WEEKEND,
        "les weekends": WEEKEND, "tous les weekends": WEEKEND, "chaque weekend": WEEKEND,
        "tous les jours ouvrés": WORKDAYS, "lundi au vendredi": WORKDAYS,
    },
    weekly_prefixes=("chaque", "tous les", "tout les", "le"),
    plural_prefixes=("les",),
    weekday_prefixes=("ce", "le", "pour", "pour le", "dès", "avant", "d'ici", "avant le", "jusqu'à"),
    next_before=("ce",),
    next_after=("prochain", "qui vient", "de la semaine prochaine", "d'après"),
    date_prefixes=("le", "pour le", "au", "avant le", "d'ici le", "jusqu'au"),
    monthday_prefixes=("le", "pour le"),
    time_prefixes=("à", "vers", "a", "pour", "aux alentours de", "autour de", "dès", "des", "avant"),
    hour_words=("heure", "heures"),
    minutes_after={"et demie": 30, "et demi": 30, "et quart": 15, "et quart du": 15},
    minutes_before={"moins le quart": 15, "moins quart": 15, "moins 10": 10, "moins dix": 10,
                    "moins 5": 5, "moins cinq": 5, "moins 20": 20, "moins vingt": 20},
    minutes_prefix={},
    minute_joiners=(),
    or_words=("ou",),
    approximate=("et quelques", "ish", "passées", "passé", "environ", "et des poussières"),
    noon=("midi",),
    meals={"au petit-déjeuner": 8, "au petit déj": 8, "au déjeuner": 12, "à l'heure du déjeuner": 12,
        "au dîner": 20,
           "à l'heure du dîner": 20, "au souper": 19, "au goûter": 16, "avant de dormir": 22,
           "au coucher": 22},
    regional_meals={"au déjeuner": 8, "au dîner": 12, "à l'heure du dîner": 12, "au souper": 18},
    regional_zones=("America/Montreal", "America/Toronto", "America/Moncton", "America/Halifax",
        "Europe/Brussels"),
    midnight=("minuit",),
    weekend=(
        "ce week-end", "ce weekend", "ce we", "ce wknd", "le week-end", "le weekend", "ce week end",
        "cette fin de semaine", "en fin de semaine",
    ),
    month_end=(
        "fin du mois", "à la fin du mois", "en fin de mois", "fin de mois", "d'ici la fin du mois",
        "avant la fin du mois", "pour la fin du mois", "a la fin du mois", "le dernier jour du mois",
        "dernier jour du mois",
    ),
    next_month=("le mois prochain", "mois prochain", "début du mois prochain", "au début du mois prochain"),
    next_week=("la semaine prochaine", "semaine prochaine", "la semaine pro", "semaine pro",
        "début de semaine prochaine"),
    monthly_before_day=("tous les mois le", "chaque mois le", "tous les", "chaque", "tout les"),
    monthly_after_day=(
        "de chaque mois", "de tous les mois", "chaque mois", "tous les mois", "du mois", "de chaque mois",
        "de tout les mois",
    ),
    monthly_last_day=(
        "à la fin de chaque mois", "chaque fin de mois", "toutes les fins de mois", "tous les fins de mois",
        "le dernier jour de chaque mois", "le dernier jour de tous les mois", "à chaque fin de mois",
        "en fin de chaque mois", "a la fin de chaque mois",
    ),
    yearly=("tous les ans", "chaque année", "chaque annee", "annuellement", "tous les ans le"),
    greetings=(
        "bonjour", "salut", "coucou", "hello", "bonsoir", "yo", "hey", "cc", "slt", "bjr", "bsr", "allo",
        "alors", "dis", "dis moi", "euh", "bon", "ok alors", "au fait", "re", "rebonjour", "ok",
        "oh", "ah", "bref", "sinon", "du coup", "attends", "tiens", "pfff", "pff", "genre", "et", "aussi",
        "oups", "ouf", "dis donc", "eh",
    ),
    ask_wrappers=(
        "tu peux", "tu pourrais", "peux tu", "pourrais tu", "vous pouvez", "pouvez vous", "pourriez vous",
        "est ce que tu peux", "est ce que tu pourrais", "est ce que vous pouvez", "tu veux bien",
        "j'aimerais que tu", "je voudrais que tu", "merci de", "peux-tu", "tu px", "tu peu", "tu peus",
        "pourrai tu", "pourrais-tu", "tu peux stp", "stp tu peux", "sois gentil et", "tu sais", "tsé quoi",
        "tsé",
        "veuillez", "merci de bien vouloir", "je voudrais", "j'aimerais",
    ),
    politeness=(
        "s'il te plaît", "s'il te plait", "s'il vous plaît", "s'il vous plait", "stp", "svp", "steuplé",
        "steuplait", "merci d'avance", "si tu peux", "si possible", "stplait", "sil te plait",
        "sil vous plait", "sivouplé",
    ),
    thanks=(
        "merci", "merci beaucoup", "mci", "merci bcp", "thx", "merci bien", "super merci", "merci !",
        "mrc", "mercii", "merci infiniment", "ok merci", "parfait merci", "top merci", "cimer", "à tantôt",
        "a plus", "à plus", "bonne journée", "bisous", "bises", "c'est gentil", "t'es au top",
        "t'es le meilleur",
        "t'es la meilleure", "c'est gentil merci", "merci c'est gentil", "à demain", "bonne soirée",
    ),
    acknowledgements=(
        "ok", "d'accord", "dac", "daccord", "parfait", "super", "génial", "top", "cool", "nickel",
        "ça marche",
        "ca marche", "entendu", "ok super", "bien", "très bien", "okay", "oki", "okk", "ça roule", "ok cool",
    ),
    yes=("oui", "ouais", "ouai", "yes", "ok", "d'accord", "c'est ça", "exact", "exactement", "voilà",
        "oui oui",
         "ouip", "oki", "parfait", "c'est bon", "bien sûr", "carrément", "oui merci", "vi", "wi"),
    no=("non", "nan", "nope", "pas du tout", "non merci", "no"),
    remind_triggers=(
        "rappelle-moi", "rappelles-moi", "rappel moi",
        "rappelez-moi", "fais-moi penser", "fait moi penser", "fais moi penser à", "peux-tu me rappeler",
        "me rappeler", "n'oublie pas de me rappeler", "fais-moi un rappel", "mets-moi un rappel",
        "mets un rappel", "préviens-moi", "previens moi", "pense à me rappeler", "rappelle moi",
        "faire un rappel", "crée un rappel", "créer un rappel", "ajoute un rappel", "programme un rappel",
        "me le rappeler", "me le rappelles", "tu peux me le rappeler",
        "fais moi rappeler", "n'oublie pas de me dire", "tu me rappelles", "tu me rappelle",
        "mets une alarme",
        "mets-moi une alarme", "tu me le rappelles", "rappelle-le moi", "redis-moi",
        "rappelle-nous", "mets moi un rappel", "fais moi un rappel", "rapelle-moi",
    ),
    remind_leading=("rappel", "rappel pour", "rappel :", "alerte", "rappeler"),
    remind_connectors=("de", "d", "que", "qu", "à", "a", "pour", "du", "des", "qu'il faut",
        "qu'il faut que je",
                       "qu'il faut que j", "que je dois", "que je", "de ne pas oublier de"),
    task_prefixes=(
        "il faut que je", "il faut que j", "faut que je", "faut que j", "je dois", "j'dois", "jdois",
        "je doit",
        "jdoit", "j'ai besoin d", "jai besoin de",
        "il faut", "faut", "penser à", "penser a", "pense à", "pense a", "ne pas oublier de",
        "n'oublie pas de", "noublie pas de", "ne pas oublier d", "n'oublie pas d",
        "il me faut", "j'ai besoin de", "je devrais", "il faudrait que je", "faudrait que je",
        "je vais devoir",
        "je dois encore", "il faut encore que je", "on doit", "il faut qu'on", "faut qu'on",
        "il faut que je pense à", "rappelle toi de", "n'oublie pas", "pas oublier de", "oublie pas de",
    ),
    snooze_words=(
        "snooze", "reporte", "reporter", "plus tard", "rappelle-moi plus tard", "repousse", "décale",
        "repousser", "encore", "pas maintenant", "reporte de", "reporte le", "redis-moi ça dans",
        "reporte-le",
        "repousse-le", "décale-le",
        "redis moi dans", "rappelle-moi encore dans", "remets-le dans", "remets le", "décale de", "redis-moi",
        "relance-moi dans", "rappelle-moi encore", "encore dans",
    ),
    snooze_for=("de", "d", "pour", "pendant", "dans"),
    add_verbs=(
        "ajoute", "ajouter", "rajoute", "nouvelle tâche", "tâche", "mets", "note", "noter", "inscris",
        "ajoutes", "rajouter", "ajout", "à faire", "todo", "note :", "écris", "ecris", "mettre", "enregistre",
        "garde", "ajoute moi", "rajoute moi", "nouvelle tache", "note moi", "mets moi", "ne pas oublier",
        "pas oublier",
    ),
    add_last=("note-le", "note ça", "note le", "ajoute-le", "ajoute ça", "mets-le sur ma liste", "à ajouter",
        "à noter", "à faire", "note-le stp", "mets-le dans ma liste", "sur ma liste"),
    list_suffixes=(
        "à ma liste", "à la liste", "dans ma liste", "sur ma liste", "à ma liste de tâches", "à mes tâches",
        "dans la liste", "sur la liste", "dans mes tâches", "a ma liste", "dans ma todo", "à ma todo",
        "à ma to do", "sur ma todo", "dans ma to do list", "à ma to do list",
    ),
    complete_verbs=(
        "fait", "j'ai fait", "terminé", "terminée", "fini", "finie", "j'ai fini", "j'ai terminé",
        "c'est fait", "coche", "valide", "raye", "barre", "c'est fait pour", "c'est bon pour", "fait pour",
        "c fait", "c fait pour", "c'est réglé pour", "réglé", "c'est réglé", "c'est ok pour", "j'ai réglé",
        "c bon", "c'est bon", "c bon pour",
        "cocher", "marque", "marquer", "j'ai fais", "jai fait", "jai fini", "termine", "finis",
        "c fait", "c'est fini", "c'est terminé",
    ),
    complete_suffixes=(
        "fait", "c'est fait", "est fait", "est faite", "fini", "finie", "terminé", "terminée", "ok", "c fait",
        "est fini", "est terminé", "c'est bon", "réglé", "est réglé", "payé", "est payé", "fait !", "faite",
        "faites", "faits", "réglée", "payée", "terminées", "finies",
        "est fait !", "c'est fait !", "bouclé", "fais",
    ),
    mark_verbs=("marque", "coche", "mets", "passe", "marquer"),
    mark_suffixes=(
        "comme fait", "comme faite", "comme terminé", "comme terminée", "fait", "terminé", "en fait",
        "à fait", "comme fini", "en terminé", "comme réalisé",
    ),
    delete_verbs=(
        "supprime", "supprimer", "efface", "effacer", "enlève", "enlever", "retire", "retirer", "vire",
        "oublie", "supp", "suppr", "enleve", "supprimes", "laisse tomber", "supprimez", "plus besoin de",
        "plus besoin du", "plus besoin d", "pas besoin de", "efface moi", "enlevez",
    ),
    cancel_verbs=("annule", "annuler", "désactive", "arrête", "stoppe"),
    stop_reminding=(
        "arrête de me rappeler", "ne me rappelle plus", "arrete de me rappeler", "plus besoin de me rappeler",
        "stop le rappel", "arrête le rappel", "arrête les rappels", "arrete le rappel",
    ),
    reminder_nouns=("rappel", "rappels", "alarme", "alerte"),
    todo_nouns=("tâche", "todo", "truc", "chose", "élément"),
    articles=("le", "la", "les", "l", "mon", "ma", "mes", "ce", "cette", "un", "une", "numéro", "n°", "no",
        "#"),
    ref_connectors=("de", "d", "du", "des", "pour", "numéro", "n°", "avec", "à", "ça", "aussi"),
    past_markers=(
        "j'ai", "jai", "j'ai déjà", "j'ai enfin", "c'est bon j'ai", "ça y est j'ai", "ok j'ai", "on a",
        "j'ai bien", "voilà j'ai", "j'ai fini de", "je viens de",
    ),
    past_endings=("e", "i", "is", "it", "u", "ee", "es"),
    past_verbs=("fait", "pris", "mis", "écrit", "dit", "vu", "eu", "lu", "bu", "envoyé", "appelé", "payé"),
    undo=(
        "annule", "annuler", "annule ça", "annule ca", "annule le dernier", "oups", "défaire", "défais",
        "reviens en arrière", "annule ce que tu viens de faire", "annule la dernière", "oups annule",
        "non annule", "annule stp", "annule svp", "oups annule ça", "annule le", "annule tout ça",
        "c'était une erreur", "non c'est pas ça annule", "annuler ça", "efface ça", "supprime ça",
        "retire ça", "annule ca stp", "oublie ça", "laisse tomber",
    ),
    question_words=(
        "quoi", "quand", "où", "qui", "pourquoi", "comment", "est-ce", "quel", "quelle", "combien",
        "qu'est-ce", "qu", "est", "kesk", "c'est quoi",
    ),
    statement_starters=("il", "elle", "je", "j'suis", "on", "tu", "c'est", "ça", "ca", "y'a", "ya", "nous",
        "vous", "ils"),
    abbreviations={
        "dm1": "demain", "dem1": "demain", "dmain": "demain", "2main": "demain", "demin": "demain",
        "deamin": "demain", "demian": "demain", "auj": "aujourd'hui", "ajd": "aujourd'hui",
        "aujd": "aujourd'hui", "ojd": "aujourd'hui", "aujourdhui": "aujourd'hui", "tt": "tout",
        "pr": "pour", "ds": "dans", "qd": "quand", "qq": "quelque", "tjrs": "toujours",
        "tjs": "toujours", "aprem": "après-midi", "ap midi": "après-midi", "apm": "après-midi",
        "sem": "semaine", "rapl": "rappel", "rappl": "rappel", "mrc": "merci", "bcp": "beaucoup",
        "jsuis": "je suis", "chui": "je suis", "ct": "c'était",
        "kan": "quand", "rappele": "rappelle", "rapelle": "rappelle", "rapel": "rappel", "ts": "tous",
        "2m1": "demain", "rappellemoi": "rappelle-moi", "rapellemoi": "rappelle-moi",
        "rappelmoi": "rappelle-moi", "g": "j'ai", "jai": "j'ai", "fé": "fait", "kesk": "qu'est-ce que",
        "keske": "qu'est-ce que",
        "qqch": "quelque chose", "qqn": "quelqu'un", "sa": "ça", "koi": "quoi", "ki": "qui",
        "pk": "pourquoi", "pcq": "parce que",
        "stp": "s'il te plaît", "svp": "s'il vous plaît", "ce we": "ce week-end",
        "wkd": "week-end", "mat": "matin", "apres": "après",
        "rdv": "rendez-vous", "tel": "téléphone", "medoc": "médicament", "medocs": "médicaments",
    },
    fillers=("juste", "vite", "aussi", "stp", "svp", "rapidement", "vite fait", "genre", "du coup", "donc"),
    delete_suffixes=("de ma liste", "de la liste", "de mes tâches", "de ma todo"),
    query_words=(
        "qu", "est", "ce", "que", "qui", "quoi", "j", "ai", "jai", "il", "y", "a", "me", "reste", "mes", "ma",
        "mon", "la", "le", "les", "de", "du", "pour", "sur", "dans", "à", "faire", "prévu", "prévus", "au",
        "montre", "moi", "affiche", "donne", "voir", "c", "quels", "quelles", "sont", "encore", "tout",
        "toutes", "tous", "en", "cours", "on", "fait", "je", "fais", "dois", "qu'est-ce", "est-ce", "t", "as",
        "liste", "aujourd'hui", "demain", "semaine", "cette", "là", "d'autre", "autre", "programme", "alors",
        "programmés", "programmé", "programmées", "prévus",
        "m", "afficher", "montrer", "lister", "quelque", "chose", "truc", "attend", "mis", "comme", "tu",
        "vous",
        "qqch", "pouvez", "pourriez", "peux",
        "dis", "ça", "ca", "donne-moi", "déjà",
    ),
    list_nouns=("liste", "tâches", "tâche", "todo", "trucs", "choses", "reste", "faire", "taches"),
    agenda_nouns=("programme", "agenda", "planning", "prévu", "calendrier", "journée", "semaine", "emploi",
                  "temps", "rendez-vous", "rdv", "attend"),
    period_words={"aujourd'hui": TODAY, "ce soir": TODAY, "demain": TOMORROW, "cette semaine": WEEK,
                  "ensuite": NEXT, "après": NEXT, "suite": NEXT, "maintenant": NEXT, "prochain": NEXT,
                  "la semaine": WEEK, "semaine": WEEK},
    undo_words=("annule", "annuler", "oups", "défaire", "défais", "annule ça", "retour arrière", "ctrl z",
        "anule",
                "annule sa"),
    undo_fillers=("ça", "ca", "ce", "c'était", "erreur", "dernier", "dernière", "le", "la", "pas", "que",
        "je",
                  "voulais", "c'est", "non", "dire"),
    function_words=("le", "la", "les", "l", "un", "une", "de", "du", "des", "d", "mon", "ma", "mes", "à",
        "au", "aux",
                    "pour", "et", "en"),
    clitics=("lui", "leur", "le", "la", "les"),
    help=(
        "aide", "aide-moi", "commandes", "que peux-tu faire", "comment ça marche", "menu", "à l'aide", "sos",
        "qu'est-ce que tu sais faire", "tu sais faire quoi", "tu fais quoi", "comment tu marches",
        "comment ça fonctionne", "bonjour", "salut", "coucou", "bonsoir", "hello", "yo", "slt", "cc", "bjr",
        "comment t'utiliser", "comment on fait", "aide moi stp", "besoin d'aide", "que sais-tu faire",
        "comment fonctionne ce service", "comment fonctionne", "comment ça fonctionne",
        "c'est quoi ce service",
        "qu'est-ce que je peux te demander", "options",
    ),
    list_todos=(
        "{liste|ma liste|la liste|mes tâches|tâches|mes todos|todo|ma todo|ma todo list|ma to do"
        "|ma to do list"
        "|mes trucs|mes trucs à faire|trucs à faire|mes choses à faire|choses à faire|à faire|mes à faire"
        "|ma liste de tâches|liste des tâches|liste de tâches|la liste des tâches|tâches en cours"
        "|mes tâches en cours|mes taches}",
        "{affiche|montre|voir|montre-moi|affiche-moi|donne-moi|envoie-moi|envoie|donne|ouvre|je veux voir"
        "|fais voir|lis|lis-moi|liste|rappelle-moi} {moi|} {ma|la|mes|les|toute ma|toutes mes} {liste|tâches"
        "|todos|todo|to do|trucs à faire|choses à faire|liste de tâches|tâches en cours|taches}",
        "{qu'est-ce qui|qu'est ce qui|qu'est-ce qu'il|qu'est ce qu'il|quest ce qui|ke} {me reste|reste"
        "|reste à"
        " faire|me reste à faire|y a sur ma liste|y a dans ma liste|y a à faire|est sur ma liste"
        "|est dans ma liste|me reste encore}",
        "{il me reste quoi|il reste quoi|il me reste quoi à faire|reste quoi|me reste quoi|il me reste"
        " quoi à faire aujourd'hui|il reste quoi à faire|reste quoi à faire|ça en est où|j'en suis où}",
        "{qu'est-ce que|qu'est ce que|quest ce que|ke} {j'ai|jai} {à faire|encore à faire|sur ma liste"
        "|dans ma liste|de prévu sur ma liste}",
        "{j'ai quoi|jai quoi|j'ai quoi d'autre|j'ai quoi encore} {à faire|sur ma liste|dans ma liste|sur le"
        " feu|en cours|en attente}",
        "quoi {d'autre|encore|à faire|faire}", "c'est quoi ma liste", "c'est quoi la liste",
        "quelles sont mes tâches", "c'est quoi mes tâches", "où en est ma liste",
        "{qu'est-ce que je dois|qu'est ce que je dois|je dois|j'dois} {faire|encore faire} {quoi|}",
        "que me reste-t-il", "que me reste-t-il à faire", "que reste-t-il", "que reste-t-il à faire",
        "{combien de|combien} {tâches|trucs} {il me reste|me reste|j'ai}",
    ),
    list_reminders=(
        "{rappels|mes rappels|liste des rappels|liste mes rappels|affiche mes rappels|voir mes rappels"
        "|montre mes rappels|montre-moi mes rappels|mes alarmes|les rappels|mes rappels en cours"
        "|quels sont mes rappels|j'ai quels rappels|j'ai quoi comme rappels|c'est quoi mes rappels"
        "|liste des alarmes|rappels prévus|mes prochains rappels|tous mes rappels|affiche les rappels"
        "|quels rappels|quels rappels j'ai|qu'est-ce que je t'ai demandé de me rappeler}",
    ),
    agenda={
        "{qu'est-ce que|qu'est ce que|quest ce que|ke|que} {j'ai|jai|j'ai de prévu|j'ai prévu|je fais"
        "|j'ai au programme|j'ai à faire|je dois faire|il y a|il y a de prévu|y a} {aujourd'hui"
        "|auj|ajd|ce jour|pour aujourd'hui}": TODAY,
        "{aujourd'hui|programme|mon programme|agenda|mon agenda|ma journée|programme du jour"
        "|programme d'aujourd'hui|au programme aujourd'hui|planning|mon planning|planning du jour"
        "|le programme|le planning|ma journée d'aujourd'hui|mon emploi du temps|emploi du temps"
        "|mon calendrier|calendrier|agenda du jour|l'agenda|agenda aujourd'hui|aujourd'hui ?}": TODAY,
        "{j'ai quoi|jai quoi|il y a quoi|y a quoi|quoi de prévu|c'est quoi le programme|c'est quoi mon"
        " programme|quel est le programme|quel est mon programme|quoi au programme|c'est quoi le planning"
        "|on fait quoi|je fais quoi|j'ai quoi de prévu|il y a quoi de prévu|y a quoi de prévu} {aujourd'hui"
        "|auj|ajd|pour aujourd'hui|ce jour|}": TODAY,
        "{demain|programme de demain|agenda de demain|planning de demain|ma journée de demain"
        "|mon programme demain|agenda demain|demain ?}": TOMORROW,
        "{qu'est-ce que|qu'est ce que|quest ce que|ke|que} {j'ai|jai|j'ai de prévu|j'ai prévu|je fais"
        "|j'ai au programme|j'ai à faire|je dois faire|il y a|y a} {demain|dm1|pour demain}": TOMORROW,
        "{j'ai quoi|jai quoi|il y a quoi|y a quoi|quoi de prévu|c'est quoi le programme|quel est le"
        " programme|quoi au programme|je fais quoi|on fait quoi|j'ai quoi de prévu} {demain|dm1"
        "|pour demain}": TOMORROW,
        "{cette semaine|ma semaine|la semaine|programme de la semaine|agenda de la semaine"
        "|planning de la semaine|mon planning de la semaine|semaine}": WEEK,
        "{qu'est-ce que|qu'est ce que|quest ce que|ke|que} {j'ai|jai|j'ai de prévu|j'ai prévu|je fais"
        "|j'ai au programme|j'ai à faire|il y a|y a} {cette semaine|pour la semaine|dans la semaine}": WEEK,
        "{j'ai quoi|jai quoi|il y a quoi|y a quoi|quoi de prévu|c'est quoi le programme|quoi au"
        " programme|je fais quoi|j'ai quoi de prévu} {cette semaine|pour la semaine|dans la semaine}": WEEK,
        "{et ensuite|ensuite|la suite|prochain|c'est quoi la suite|quoi ensuite|et après|après|et maintenant"
        "|c'est quoi le prochain|quel est le prochain|le prochain|prochain truc|quelle est la suite"
        "|qu'est-ce qui vient|qu'est-ce qui arrive|la suite ?|prochaine étape|c'est quoi la prochaine"
        " étape|qu'est-ce qui suit}": NEXT,
    },
    common_words=(
        "je", "tu", "il", "le", "les", "est", "et", "pas", "bonjour", "salut", "merci", "oui", "non",
        "des", "qui", "quoi", "avec", "vous", "c", "j", "qu", "ne", "suis", "la", "de", "du", "mon", "ma",
        "mes", "un", "une", "pour", "appeler", "acheter", "payer", "prendre", "faire", "aller", "chercher",
        "envoyer", "au", "aux", "chez", "sur", "dans", "ce", "cette", "mais", "ou", "me", "moi", "te", "toi",
        "mettre", "sortir", "laver", "nettoyer", "maman", "papa", "loyer", "médecin", "poubelles",
        "courses", "demain", "soir", "matin", "semaine", "aujourd'hui", "faut", "dois", "encore", "fait",
        "ai", "à", "heure", "heures", "rendez-vous", "rdv", "boulot", "factures", "impôts", "linge",
        "lessive", "médicaments", "pharmacie", "école", "enfants", "banque", "voiture", "rappeler",
        "stp", "svp", "d", "l", "s", "y", "en", "ça", "ca", "tout", "plus", "bien", "très", "aussi",
    ),
)  # fmt: skip

SPANISH = Lexicon(
    code="es",
    numbers={
        "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
        "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15, "veinte": 20,
        "treinta": 30, "cuarenta y cinco": 45,
    },
    units={
        "s": Unit.SECOND, "seg": Unit.SECOND, "segundo": Unit.SECOND, "segundos": Unit.SECOND,
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "minuto": Unit.MINUTE, "minutos": Unit.MINUTE,
        "minutitos": Unit.MINUTE, "h": Unit.HOUR, "hs": Unit.HOUR, "hr": Unit.HOUR, "hrs": Unit.HOUR,
        "hora": Unit.HOUR, "horas": Unit.HOUR, "horita": Unit.HOUR, "día": Unit.DAY, "días": Unit.DAY,
        "semana": Unit.WEEK, "semanas": Unit.WEEK,
        "mes": Unit.MONTH, "meses": Unit.MONTH, "año": Unit.YEAR, "años": Unit.YEAR,
    },
    weekdays={
        **_ES_WEEKDAYS, "lun": 0, "mar": 1, "mié": 2, "mier": 2, "jue": 3, "vie": 4, "sáb": 5, "dom": 6,
        "miercoles": 2,
    },
    plural_weekdays={"sábados": 5, "domingos": 6},
    months={
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
        "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "ene": 1,
        "feb": 2, "abr": 4, "ago": 8, "sept": 9, "oct": 10, "nov": 11, "dic": 12,
    },
    day_words={
        "hoy": (0, None), "esta noche": (0, E), "esta tarde": (0, A), "esta mañana": (0, M),
        "mañana": (1, None), "pasado mañana": (2, None), "ayer": (-1, None), "mañana por la mañana": (1, M),
        "mañana en la mañana": (1, M), "mañana temprano": (1, M), "mañana por la tarde": (1, A),
        "mañana en la tarde": (1, A), "mañana a la tarde": (1, A), "mañana por la noche": (1, E),
        "mañana en la noche": (1, E), "mañana a la noche": (1, E), "hoy en la noche": (0, E),
        "hoy por la noche": (0, E), "hoy a la noche": (0, E), "hoy en la tarde": (0, A),
        "hoy por la tarde": (0, A), "hoy a la tarde": (0, A), "al rato": (0, None), "más tarde": (0, None),
    },
    parts_of_day={
        "de la mañana": M, "por la mañana": M, "en la mañana": M, "de la tarde": A, "por la tarde": A,
        "en la tarde": A, "de la noche": E, "por la noche": E, "en la noche": E, "a la noche": E,
        "a la tarde": A, "de la madrugada": M,
    },
    part_nouns={"mañana": M, "mañanas": M, "tarde": A, "tardes": A, "noche": E, "noches": E},
    meridiem_words={
        "mañana": M, "de la mañana": M, "por la mañana": M, "en la mañana": M, "am": M, "la primera": M,
        "a la mañana": M, "a la tarde": A, "a la noche": E,
        "primera": M, "tarde": A, "de la tarde": A, "por la tarde": A, "noche": E, "de la noche": E,
        "por la noche": E, "en la noche": E, "pm": E, "la segunda": E, "segunda": E, "esta noche": E,
    },
    relative_prefixes=("en", "dentro de", "en unos", "en unas", "de aquí a", "en como"),
    fixed_delays={"media hora": 30, "1/2 hora": 30, "un cuarto de hora": 15, "cuarto de hora": 15,
                  "una hora y media": 90, "unos minutos": 10, "un rato": 30, "un ratito": 15},
    and_half=("y media",),
    every=("cada", "todos los", "todas las"),
    and_words=("y", "e"),
    recurring_adverbs={
        "diariamente": Unit.DAY, "a diario": Unit.DAY, "diario": Unit.DAY, "todos los días": Unit.DAY,
        "cada día": Unit.DAY,
        "todos los dias": Unit.DAY, "todo los dias": Unit.DAY, "cada hora": Unit.HOUR,
        "cada semana": Unit.WEEK, "todas las semanas": Unit.WEEK, "semanalmente": Unit.WEEK,
        "cada mes": Unit.MONTH, "todos los meses": Unit.MONTH, "mensualmente": Unit.MONTH,
        "cada año": Unit.YEAR, "todos los años": Unit.YEAR, "anualmente": Unit.YEAR,
        "todas las horas": Unit.HOUR,
    },
    alternate={
        "día por medio": Unit.DAY, "un día sí y otro no": Unit.DAY, "semana por medio": Unit.WEEK,
        "cada dos días": Unit.DAY, "un dia si y otro no": Unit.DAY,
    },
    every_other=(),
    weekday_sets={
        "entre semana": WORKDAYS, "los días laborables": WORKDAYS, "días laborables": WORKDAYS,
        "los días hábiles": WORKDAYS, "días hábiles": WORKDAYS, "de lunes a viernes": WORKDAYS,
        "cada día laborable": WORKDAYS, "todos los días laborables": WORKDAYS, "cada día hábil": WORKDAYS,
        "los fines de semana": WEEKEND, "fines de semana": WEEKEND, "cada fin de semana": WEEKEND,
        "todos los fines de semana": WEEKEND, "los findes": WEEKEND, "cada finde": WEEKEND,
        "todos los findes": WEEKEND, "lunes a viernes": WORKDAYS,
    },
    weekly_prefixes=("cada", "todos los", "los", "todos los días"),
    plural_prefixes=("los",),
    weekday_prefixes=("el", "este", "para el", "pal", "el día", "antes del", "antes de", "hasta el", "para"),
    next_before=("próximo", "siguiente", "el próximo", "este"),
    next_after=("que viene", "próximo", "de la semana que viene", "de la próxima semana"),
    date_prefixes=("el", "para el", "el día", "antes del", "hasta el"),
    monthday_prefixes=("el", "el día", "para el"),
    time_prefixes=(
        "a las", "a la", "sobre las", "hacia las", "para las", "al", "como a las", "tipo", "a eso de las",
        "las", "la", "alrededor de las", "antes de las",
    ),
    hour_words=("en punto", "horas", "hs"),
    minutes_after={"y media": 30, "y cuarto": 15, "y 15": 15, "y quince": 15, "y 30": 30, "y diez": 10,
                   "y cinco": 5, "y veinte": 20},
    minutes_before={"menos cuarto": 15, "menos quince": 15, "menos diez": 10, "menos 10": 10,
                    "menos cinco": 5, "menos 5": 5, "menos veinte": 20},
    minutes_prefix={"cuarto para las": -15, "cuarto para la": -15, "diez para las": -10},
    minute_joiners=("y",),
    or_words=("o",),
    approximate=("y pico", "y algo", "más o menos", "ish", "y tantos"),
    noon=("mediodía", "medio día"),
    meals={"en el desayuno": 8, "al desayunar": 8, "a la hora de comer": 14, "en la comida": 14,
           "a la hora de la comida": 14, "después de comer": 15, "en la cena": 21, "a la hora de cenar": 21,
           "a la hora de la cena": 21, "antes de dormir": 22, "antes de cenar": 20},
    regional_meals={},
    regional_zones=(),
    midnight=("medianoche", "media noche"),
    weekend=(
        "este fin de semana", "este finde", "el finde", "el fin de semana", "el fin de", "este fin",
        "para el finde", "para el fin de semana", "en el finde",
    ),
    month_end=(
        "fin de mes", "a fin de mes", "a finales de mes", "final de mes", "al final del mes",
        "a fines de mes",
        "para fin de mes", "antes de fin de mes", "el fin de mes", "finales de mes", "a final de mes",
        "el último día del mes", "último día del mes",
    ),
    next_month=("el mes que viene", "el próximo mes", "mes que viene", "próximo mes", "el mes próximo"),
    next_week=("la semana que viene", "la próxima semana", "la semana próxima", "semana que viene",
        "próxima semana"),
    monthly_before_day=("cada", "todos los", "todos los meses el", "cada mes el"),
    monthly_after_day=("de cada mes", "de todos los meses", "cada mes", "todos los meses", "del mes"),
    monthly_last_day=(
        "cada fin de mes", "a fin de cada mes", "el último día de cada mes", "todos los fines de mes",
        "al final de cada mes", "el ultimo dia de cada mes", "cada final de mes",
    ),
    yearly=("cada año", "todos los años", "anualmente", "cada año el", "todos los años el"),
    greetings=(
        "hola", "buenas", "buenos días", "buenas tardes", "buenas noches", "hey", "ey", "holi", "holis",
        "oye", "eh", "qué tal", "que tal", "hola que tal", "bueno", "oiga", "mira", "oye una cosa", "che",
        "ah", "ok mira", "ok", "pues", "a ver", "ay", "vale", "y", "también", "eh oye", "uy", "uff", "ola",
        "órale",
        "orale", "ándale",
        "ahorita no", "ahora no", "uy no",
    ),
    ask_wrappers=(
        "puedes", "me puedes", "podrías", "me podrías", "podes", "me podés", "quiero que", "necesito que",
        "puedes por favor", "me puedes por favor", "podrias", "me podrias", "pudes", "me pudes",
        "serías tan amable de", "hazme el favor de", "haz el favor de", "porfa puedes",
    ),
    politeness=(
        "por favor", "porfa", "porfis", "porfi", "xfa", "x favor", "pf", "plis", "porfavor", "xfavor",
        "porfaa", "pls", "please",
    ),
    thanks=(
        "gracias", "muchas gracias", "grax", "mil gracias", "gracias!", "graciass", "gracias de antemano",
        "ok gracias", "vale gracias", "perfecto gracias", "genial gracias", "thx", "grs",
    ),
    acknowledgements=(
        "ok", "vale", "perfecto", "genial", "bien", "de acuerdo", "dale", "bueno", "okey", "okay",
        "entendido", "va", "sale", "ok perfecto", "buenísimo", "chévere", "guay", "bárbaro", "joya",
    ),
    yes=("sí", "si", "sip", "claro", "ok", "vale", "exacto", "eso", "correcto", "dale", "perfecto", "así es",
         "sí por favor", "efectivamente", "de acuerdo", "va", "sale", "ajá"),
    no=("no", "nop", "para nada", "no gracias", "nel"),
    remind_triggers=(
        "recuérdame", "recordame", "recordarme", "me recuerdas", "avísame", "puedes recordarme",
        "recuerdame", "recuerdamelo", "recuérdamelo", "pon un recordatorio", "ponme un recordatorio",
        "hazme acordar", "haceme acordar", "no me dejes olvidar", "que no se me olvide", "me recuerdes",
        "crea un recordatorio", "creame un recordatorio", "pon recordatorio", "me avisas", "avisame",
        "me recordás", "me recuerda", "recordáme", "recuerdáme", "agenda un recordatorio",
        "programa un recordatorio", "recordar", "acuérdame", "acordame", "recuerdenme", "recuérdeme",
        "me lo recuerdas", "recuérdamelo", "ponme una alarma", "pon una alarma", "poner una alarma",
        "ponme un aviso", "pon un aviso", "me lo recuerdes",
    ),
    remind_leading=("recordatorio", "recordatorio para", "recordatorio de", "aviso", "recordatorio:"),
    remind_connectors=("de", "que", "a", "para", "del", "lo de", "sobre", "q", "d"),
    task_prefixes=(
        "tengo que", "tengo q", "necesito", "hay que", "debo", "no olvidar", "no olvides", "no te olvides de",
        "acordarme de", "acuérdate de", "no olvidar de", "tendría que", "debería", "me toca", "toca",
        "tenemos que", "hay q", "necesito que", "no me olvide de", "que no se me olvide",
        "me falta", "falta", "acordarse de",
    ),
    snooze_words=(
        "snooze", "pospón", "posponer", "más tarde", "recuérdame más tarde", "aplaza", "pospon", "aplazar",
        "luego", "después", "ahora no", "recuérdamelo luego", "recuérdamelo más tarde", "dame", "aplázalo",
        "posponlo", "pospónlo", "retrásalo", "atrásalo", "aplazalo",
        "recuérdame en", "recuérdamelo en", "otra vez en",
    ),
    snooze_for=("por", "durante", "en", "unos", "otros"),
    add_verbs=(
        "añade", "añadir", "agrega", "agregar", "anota", "apunta", "nueva tarea", "tarea", "pon", "mete",
        "anotá", "apuntá", "agregá", "añademe", "agregame", "apúntame", "anótame", "añade a la lista",
        "ponme",
        "guarda", "nota", "anotar", "apuntar", "escribe", "nueva", "añadí",
    ),
    add_last=("apúntalo", "anótalo", "agrégalo", "añádelo", "apúntamelo", "anótamelo", "ponlo en la lista",
        "a la lista", "apuntalo", "anotalo"),
    list_suffixes=(
        "a mi lista", "a la lista", "en mi lista", "a mis tareas", "en la lista", "en mis tareas",
        "a mis pendientes", "en mis pendientes", "a la lista de tareas", "a mi lista de tareas",
        "en pendientes",
        "a pendientes",
    ),
    complete_verbs=(
        "hecho", "hecha", "ya hice", "hice", "terminé", "terminado", "terminada", "completar", "completado",
        "completada", "completa", "listo", "completé", "tacha", "marca", "ya está", "ya esta", "acabé",
        "ya terminé", "finalicé", "ya acabé", "tachá", "marcá", "termine", "complete",
    ),
    complete_suffixes=(
        "hecho", "hecha", "listo", "ya está", "ya esta", "terminado", "terminada", "completado",
        "completada", "está hecho", "esta hecho", "ya está hecho", "ok", "pagado", "pagada", "resuelto",
        "está listo", "ya quedó", "quedó",
    ),
    mark_verbs=("marca", "tacha", "pon", "marcá", "tachá"),
    mark_suffixes=(
        "como hecho", "como hecha", "como completado", "como completada", "como terminado",
        "como terminada", "como listo", "como lista", "hecho", "completado",
    ),
    delete_verbs=(
        "borra", "borrar", "elimina", "eliminar", "quita", "quitar", "saca", "olvida", "borrá", "eliminá",
        "quitá", "sacá", "olvídate de", "olvidate de", "ya no hace falta", "no hace falta", "ya no necesito",
        "ya no tengo que",
    ),
    cancel_verbs=("cancela", "cancelar", "anula", "anular", "desactiva", "cancelá"),
    stop_reminding=(
        "deja de recordarme", "no me recuerdes", "ya no me recuerdes", "no me recuerdes más",
        "para de recordarme", "dejá de recordarme", "ya no necesito el recordatorio",
    ),
    reminder_nouns=("recordatorio", "recordatorios", "aviso", "avisos", "alarma", "alarmas"),
    todo_nouns=("tarea", "cosa", "pendiente"),
    articles=("el", "la", "los", "las", "mi", "mis", "este", "esta", "un", "una", "lo", "número", "#", "nº"),
    ref_connectors=("de", "del", "con", "para", "número", "lo de", "eso de", "también"),
    past_markers=("ya", "ya he", "he", "por fin", "ya por fin", "acabo de", "ya lo", "listo ya", "ok ya"),
    past_endings=("e", "i", "o", "ado", "ido"),
    past_verbs=("hice", "fui", "di", "puse", "traje", "dije", "vi", "tuve", "pagué", "llamé", "compré"),
    undo=(
        "deshacer", "deshaz", "deshaz eso", "deshacelo", "cancela eso", "anula eso", "ups", "olvídalo",
        "olvidalo", "deshazlo", "deshacé", "deshace", "cancela lo último", "borra eso", "eso no",
        "ups deshaz", "me equivoqué", "me equivoque", "no era eso", "cancela", "anula", "cancelar",
        "deshaz lo último", "ups cancela", "revierte", "vuelve atrás", "deshacer eso", "quita eso",
        "anula lo que acabas de hacer", "deshaz lo que acabas de hacer", "cancela lo que acabas de hacer",
    ),
    question_words=(
        "qué", "cuándo", "dónde", "quién", "por qué", "cómo", "cuál", "cuánto", "cuanto", "cuando", "donde",
        "como",
    ),
    statement_starters=("hace", "está", "esta", "es", "yo", "estoy", "tú", "él", "ella", "hay", "va"),
    abbreviations={
        "mñn": "mañana", "mñna": "mañana", "mñana": "mañana", "mnn": "mañana", "mana": "mañana",
        "manana": "mañana", "mñ": "mañana", "q": "que", "xq": "porque", "pq": "porque", "porq": "porque",
        "tb": "también", "tmb": "también", "tmbn": "también", "xfa": "por favor",
        "finde": "fin de semana", "k": "que", "kita": "quita", "kitar": "quitar",
        "ke": "que", "nd": "nada", "desase": "deshaz", "desaz": "deshaz", "holaa": "hola", "holaaa": "hola",
        "dnd": "donde", "msj": "mensaje", "tqm": "te quiero mucho",
        "recordame": "recordame", "bn": "bien", "mxo": "mucho", "sta": "esta", "sto": "esto",
        "hoi": "hoy", "mediodia": "mediodía", "pa": "para", "pal": "para el", "dia": "día",
        "dias": "días", "recuerdame": "recuérdame", "avisame": "avísame", "ahorita": "ahora",
    },
    fillers=("solo", "sólo", "rápido", "también", "porfa", "por favor", "porfis", "nomás", "tipo"),
    delete_suffixes=("de mi lista", "de la lista", "de mis tareas", "de mis pendientes"),
    query_words=(
        "qué", "que", "k", "ke", "tengo", "hay", "me", "mi", "mis", "la", "el", "los", "las", "de", "del",
        "para", "en", "a", "por", "hacer", "queda", "quedan", "falta", "faltan", "muestra", "muéstrame",
        "dame", "ver", "cuáles", "cuales", "son", "todo", "todos", "todas", "pendiente", "pendientes", "lo",
        "es", "está", "esta", "este", "algo", "hoy", "mañana", "semana", "y", "más", "ahora", "aún",
        "todavía", "toca", "planeado", "programado", "cómo", "como", "viene", "pinta", "tú", "puedes",
        "decir", "dime", "cosas", "tenía", "tenia", "apuntadas", "apuntado", "anotadas", "anotado",
        "puestos", "puestas", "programados", "programadas", "tengo",
    ),
    list_nouns=("lista", "tareas", "tarea", "pendientes", "pendiente", "queda", "quedan", "falta", "faltan",
                "cosas"),
    agenda_nouns=("agenda", "día", "plan", "planes", "calendario", "programado", "planeado", "horario",
                  "semana", "toca", "citas", "cita"),
    period_words={"hoy": TODAY, "esta noche": TODAY, "mañana": TOMORROW, "esta semana": WEEK,
                  "siguiente": NEXT, "ahora": NEXT, "después": NEXT, "próximo": NEXT,
                  "la semana": WEEK, "semana": WEEK},
    undo_words=("deshacer", "deshaz", "deshazlo", "ups", "me equivoqué", "deshacelo", "revierte"),
    undo_fillers=("eso", "lo", "último", "error", "no", "era", "me", "equivoqué"),
    function_words=("el", "la", "los", "las", "un", "una", "de", "del", "mi", "mis", "a", "al", "para", "y",
        "con", "en",
                    "lo"),
    clitics=("le", "les", "lo", "la", "me", "te", "se", "nos"),
    help=(
        "ayuda", "ayúdame", "comandos", "qué puedes hacer", "cómo funciona", "cómo funciona esto", "menú",
        "socorro", "ayudame",
        "necesito ayuda", "qué sabes hacer", "cómo te uso", "hola", "buenas", "buenos días", "buenas tardes",
        "buenas noches", "holi", "holis", "ey", "ola", "instrucciones", "qué haces", "opciones",
        "cómo se usa",
        "qué puedo decirte", "hola qué tal", "hola que tal",
    ),
    list_todos=(
        "{lista|mi lista|la lista|mis tareas|tareas|mis pendientes|pendientes|mis cosas|mis cosas por hacer"
        "|cosas por hacer|por hacer|mi lista de tareas|lista de tareas|la lista de tareas|tareas pendientes"
        "|mis tareas pendientes|mis to do|mis todos|to do}",
        "{muestra|muéstrame|mostrame|ver|enséñame|dame|pásame|pasame|mándame|abre|quiero ver|lee|léeme"
        "|enseña|mostra|muestrame|ensename} {mi|la|mis|las|toda mi|todas mis} {lista|tareas|pendientes|cosas"
        " por hacer|cosas pendientes|lista de tareas|tareas pendientes}",
        "{qué|que|k|ke} {me queda|queda|me falta|falta|me queda por hacer|queda por hacer|hay en mi lista"
        "|hay en la lista|tengo en mi lista|tengo pendiente|tengo por hacer|tengo que hacer|me toca"
        "|tengo en la lista|hay pendiente|me queda pendiente|me falta por hacer|tengo que hacer todavía"
        "|tengo que hacer aún|tengo para hacer|tengo|me queda hoy}",
        "{qué más|que mas|qué otra cosa} {tengo|tengo que hacer|hay|me queda}",
        "{cuántas|cuantas} {tareas|cosas} {tengo|me quedan|quedan|pendientes}",
        "{cuáles|cuales} son mis {tareas|pendientes}", "y qué más", "qué hay pendiente", "lo pendiente",
        "qué me queda por hacer hoy",
    ),
    list_reminders=(
        "{recordatorios|mis recordatorios|ver mis recordatorios|muestra mis recordatorios"
        "|lista de recordatorios|muéstrame mis recordatorios|mis alarmas|los recordatorios"
        "|qué recordatorios tengo|que recordatorios tengo|cuáles son mis recordatorios|mis avisos"
        "|recordatorios pendientes|mis próximos recordatorios|todos mis recordatorios"
        "|qué me vas a recordar|que me vas a recordar}",
    ),
    agenda={
        "{qué|que|k|ke} {tengo|hay|tengo para|tengo planeado|tengo programado|hay planeado|hay para|me toca"
        "|tengo agendado|tengo previsto|hago} {hoy|para hoy|el día de hoy}": TODAY,
        "{hoy|agenda|mi agenda|mi día|agenda de hoy|mi agenda de hoy|mi día de hoy|plan de hoy"
        "|mi plan de hoy|el plan de hoy|mi calendario|calendario|programa de hoy|agenda hoy|hoy ?"
        "|mi horario|horario de hoy}": TODAY,
        "{cómo|como} {es|está|viene|pinta} {mi día|el día|mi agenda|la agenda} {hoy|de hoy|}": TODAY,
        "{qué|que|k|ke} {tengo|hay|tengo para|tengo planeado|tengo programado|hay planeado|hay para"
        "|tengo agendado|tengo previsto|hago} {mañana|para mañana|mñn}": TOMORROW,
        "{mañana|agenda de mañana|mi agenda de mañana|mi día de mañana|plan de mañana|agenda mañana"
        "|mañana ?}": TOMORROW,
        "{qué|que|k|ke} {tengo|hay|tengo para|tengo planeado|tengo programado|hay planeado|hay para"
        "|tengo agendado|tengo previsto|hago} {esta semana|para esta semana|en la semana"
        "|la semana}": WEEK,
        "{esta semana|mi semana|la semana|agenda de la semana|agenda semanal|plan de la semana"
        "|mi agenda de la semana|semana}": WEEK,
        "{próximo|qué sigue|lo próximo|qué es lo próximo|que sigue|y ahora|y ahora qué|qué viene"
        "|qué viene ahora|lo siguiente|qué toca ahora|qué toca|siguiente|y después|qué hay después"
        "|cuál es lo próximo|lo que sigue|y luego}": NEXT,
    },
    common_words=(
        "el", "los", "las", "y", "es", "hola", "gracias", "si", "yo", "pero", "como", "tengo", "estoy",
        "hay", "muy", "del", "que", "de", "la", "mi", "mis", "a", "con", "para", "por", "llamar", "comprar",
        "pagar", "tomar", "hacer", "ir", "sacar", "lavar", "limpiar", "mamá", "papá", "alquiler", "renta",
        "médico", "basura", "compras", "mañana", "noche", "tarde", "semana", "hoy", "me", "lo", "le", "se",
        "un", "una", "al", "en", "no", "ya", "hecho", "pastillas", "medicinas", "banco", "colegio", "niños",
        "trabajo", "cita", "dentista", "ropa", "cuentas", "facturas", "farmacia", "pendiente", "porfa",
        "pilas", "leche",
        "pedir", "cambiar", "poner", "traer", "revisar", "preparar", "escribir", "baño", "cocina", "pelu",
        "peluquería", "bombilla", "tienda",
        "pan", "luz", "agua", "perro", "gato", "casa", "coche", "carro", "super", "súper", "cole",
        "recoger", "llevar", "mandar", "enviar", "correo", "cumpleaños", "reunión", "tu", "te", "eso",
        "esto", "también", "más", "cuando", "donde", "qué", "cómo", "ahí", "aquí", "todo", "nada",
    ),
)  # fmt: skip

PORTUGUESE = Lexicon(
    code="pt",
    numbers={
        "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
        "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "quinze": 15, "vinte": 20, "trinta": 30,
        "quarenta e cinco": 45,
    },
    units={
        "s": Unit.SECOND, "seg": Unit.SECOND, "segundo": Unit.SECOND, "segundos": Unit.SECOND,
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "minuto": Unit.MINUTE, "minutos": Unit.MINUTE,
        "minutinhos": Unit.MINUTE, "h": Unit.HOUR, "hs": Unit.HOUR, "hr": Unit.HOUR, "hrs": Unit.HOUR,
        "hora": Unit.HOUR, "horas": Unit.HOUR, "dia": Unit.DAY, "dias": Unit.DAY, "semana": Unit.WEEK,
        "semanas": Unit.WEEK, "mês": Unit.MONTH, "meses": Unit.MONTH, "ano": Unit.YEAR, "anos": Unit.YEAR,
    },
    weekdays={
        **_PT_WEEKDAYS, "seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sáb": 5, "dom": 6,
        "2a": 0, "3a": 1, "4a": 2, "5a": 3, "6a": 4, "2ª": 0, "3ª": 1, "4ª": 2, "5ª": 3, "6ª": 4,
    },
    plural_weekdays=_PT_PLURAL_WEEKDAYS,
    months={
        "janeiro": 1, "fevereiro": 2, "março": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
        "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12, "jan": 1, "fev": 2,
        "abr": 4, "mai": 5, "jun": 6, "jul": 7, "ago": 8, "set": 9, "out": 10, "nov": 11, "dez": 12,
    },
    day_words={
        "hoje": (0, None), "hoje à noite": (0, E), "hoje de noite": (0, E), "esta noite": (0, E),
        "hoje à tarde": (0, A), "esta tarde": (0, A), "hoje de manhã": (0, M), "esta manhã": (0, M),
        "amanhã": (1, None), "amanhã de manhã": (1, M), "amanhã à tarde": (1, A), "amanhã à noite": (1, E),
        "amanhã de noite": (1, E), "amanhã cedo": (1, M), "amanhã de tarde": (1, A),
        "depois de amanhã": (2, None), "ontem": (-1, None), "hoje a noite": (0, E), "essa noite": (0, E),
        "nesta noite": (0, E), "nessa noite": (0, E), "hoje cedo": (0, M), "mais tarde": (0, None),
        "logo mais": (0, None), "hoje mais tarde": (0, None),
    },
    parts_of_day={
        "de manhã": M, "da manhã": M, "pela manhã": M, "à tarde": A, "da tarde": A, "de tarde": A,
        "pela tarde": A, "à noite": E, "da noite": E, "de noite": E, "pela noite": E, "da madrugada": M,
        "de madrugada": M,
    },
    part_nouns={"manhã": M, "manhãs": M, "tarde": A, "tardes": A, "noite": E, "noites": E},
    meridiem_words={
        "manhã": M, "de manhã": M, "da manhã": M, "pela manhã": M, "am": M, "a primeira": M,
        "primeira": M, "tarde": A, "à tarde": A, "da tarde": A, "de tarde": A, "noite": E, "à noite": E,
        "da noite": E, "de noite": E, "pm": E, "a segunda": E, "hoje à noite": E,
    },
    relative_prefixes=("em", "daqui a", "dentro de", "daqui", "em uns", "em umas", "daqui uns", "daqui umas"),
    fixed_delays={"meia hora": 30, "meia-hora": 30, "um quarto de hora": 15, "uma hora e meia": 90,
                  "uns minutos": 10, "alguns minutos": 10, "uns minutinhos": 10, "um pouquinho": 15},
    and_half=("e meia",),
    every=("a cada", "cada", "todos os", "todas as", "todo", "toda"),
    and_words=("e",),
    recurring_adverbs={
        "diariamente": Unit.DAY, "todo dia": Unit.DAY, "todos os dias": Unit.DAY, "todo santo dia": Unit.DAY,
        "cada dia": Unit.DAY, "toda hora": Unit.HOUR, "de hora em hora": Unit.HOUR,
        "toda semana": Unit.WEEK, "todas as semanas": Unit.WEEK, "semanalmente": Unit.WEEK,
        "todo mês": Unit.MONTH, "todos os meses": Unit.MONTH, "mensalmente": Unit.MONTH, "diário": Unit.DAY,
        "diária": Unit.DAY,
        "todo ano": Unit.YEAR, "todos os anos": Unit.YEAR, "anualmente": Unit.YEAR, "cada hora": Unit.HOUR,
        "a cada hora": Unit.HOUR,
    },
    alternate={
        "dia sim dia não": Unit.DAY, "dia sim, dia não": Unit.DAY, "semana sim semana não": Unit.WEEK,
        "dia sim e dia não": Unit.DAY, "a cada dois dias": Unit.DAY,
    },
    every_other=(),
    weekday_sets={
        "dias úteis": WORKDAYS, "nos dias úteis": WORKDAYS, "todos os dias úteis": WORKDAYS,
        "em dias úteis": WORKDAYS, "de segunda a sexta": WORKDAYS, "todo dia útil": WORKDAYS,
        "nos fins de semana": WEEKEND, "fins de semana": WEEKEND, "todo fim de semana": WEEKEND,
        "todos os fins de semana": WEEKEND, "segunda a sexta": WORKDAYS, "de seg a sex": WORKDAYS,
        "dia de semana": WORKDAYS, "dias de semana": WORKDAYS, "nos dias de semana": WORKDAYS,
        "todo final de semana": WEEKEND, "nos finais de semana": WEEKEND,
    },
    weekly_prefixes=("toda", "todo", "todas as", "todos os", "cada", "a cada", "toda a", "todo o"),
    plural_prefixes=("às", "nas", "aos", "as", "nos"),
    weekday_prefixes=("na", "no", "nesta", "neste", "esta", "este", "nessa", "nesse", "essa", "esse",
                      "pra", "para", "até", "ate", "até a", "até o", "antes de", "antes da", "antes do"),
    next_before=("próxima", "próximo", "na próxima", "no próximo"),
    next_after=("que vem", "próxima", "próximo", "da semana que vem"),
    date_prefixes=("no dia", "dia", "em", "no", "pro dia", "para o dia", "até o dia"),
    monthday_prefixes=("no dia", "dia", "pro dia", "para o dia", "até o dia", "até dia"),
    time_prefixes=("às", "as", "pelas", "por volta das", "para as", "ao", "lá pelas", "la pelas", "pras",
                   "a", "antes das", "até as", "até às", "tipo"),
    hour_words=("horas", "em ponto", "hrs"),
    minutes_after={"e meia": 30, "e quinze": 15, "e 15": 15, "e trinta": 30, "e 30": 30, "e dez": 10,
                   "e cinco": 5, "e vinte": 20},
    minutes_before={},
    minutes_prefix={
        "quinze para as": -15, "quinze pras": -15, "quinze para a": -15, "um quarto para as": -15,
        "dez para as": -10, "dez pras": -10, "cinco para as": -5, "cinco pras": -5, "vinte para as": -20,
        "vinte pras": -20, "15 para as": -15, "15 pras": -15, "10 pras": -10, "10 para as": -10,
    },
    minute_joiners=("e",),
    or_words=("ou",),
    approximate=("e pouco", "e pouquinho", "e tanto", "e poucos", "ish", "mais ou menos"),
    noon=("meio-dia", "meio dia", "meiodia"),
    meals={"no café da manhã": 8, "no almoço": 12, "na hora do almoço": 12, "depois do almoço": 13,
        "no jantar": 20,
           "na hora do jantar": 20, "antes de dormir": 22, "na hora de dormir": 22, "antes do jantar": 19,
           "ao pequeno-almoço": 8, "ao almoço": 12, "ao jantar": 20, "hora do almoço": 12},
    regional_meals={},
    regional_zones=(),
    midnight=("meia-noite", "meia noite"),
    weekend=(
        "nesse fim de semana", "neste fim de semana", "esse fim de semana", "este fim de semana",
        "no fim de semana", "fim de semana", "nesse final de semana", "neste final de semana",
        "no final de semana", "final de semana", "nesse fds", "no fds",
    ),
    month_end=(
        "no fim do mês", "fim do mês", "no final do mês", "final do mês", "até o fim do mês", "ao fim do mês",
        "ao final do mês",
        "até o final do mês", "fim de mês", "no fim de mês", "final de mês", "último dia do mês",
        "no último dia do mês",
    ),
    next_month=("mês que vem", "no mês que vem", "próximo mês", "no próximo mês", "o mês que vem"),
    next_week=("semana que vem", "a semana que vem", "próxima semana", "a próxima semana",
        "na semana que vem", "na próxima semana"),
    monthly_before_day=("todo dia", "todos os dias", "todo mês no dia", "todo mês dia"),
    monthly_after_day=(
        "de cada mês", "de todo mês", "de todos os meses", "todo mês", "todos os meses", "do mês",
        "de cada mes",
    ),
    monthly_last_day=(
        "todo fim de mês", "todo final de mês", "no fim de cada mês", "no último dia de cada mês",
        "todo último dia do mês", "no final de cada mês", "todos os fins de mês", "ultimo dia de cada mes",
        "no último dia do mês todo mês",
    ),
    yearly=("todo ano", "todos os anos", "anualmente", "cada ano", "todo ano no dia", "todo ano dia"),
    greetings=(
        "oi", "olá", "ola", "e aí", "eai", "e ai", "bom dia", "boa tarde", "boa noite", "opa", "oie", "oii",
        "hey", "alô", "olha", "então", "entao", "ei", "ô", "fala", "salve", "oi tudo bem", "tudo bem", "ok",
        "tipo", "ah", "ai", "ué", "bom", "bem", "pois", "eh", "e", "também",
    ),
    ask_wrappers=(
        "pode", "você pode", "voce pode", "vc pode", "poderia", "você poderia", "vc poderia", "consegue",
        "quero que você", "quero que vc", "preciso que você", "preciso que vc", "pode por favor",
        "por favor pode", "tem como", "dá pra", "da pra", "dá para", "pode pfv", "podia", "vc podia",
    ),
    politeness=(
        "por favor", "pfv", "pf", "por gentileza", "pfvr", "porfa", "plmds", "pls", "please", "pfvor",
        "porfavor", "se faz favor", "se faz favor", "faz favor", "se fazes favor",
    ),
    thanks=(
        "obrigado", "obrigada", "valeu", "brigado", "brigada", "obg", "vlw", "muito obrigado",
        "muito obrigada", "obrigadão", "obrigadinho", "valeu mesmo", "ok obrigado", "ok obrigada",
        "obgd", "brigadão", "tks", "thanks",
    ),
    acknowledgements=(
        "ok", "beleza", "blz", "show", "perfeito", "ótimo", "otimo", "joia", "jóia", "tá bom", "ta bom",
        "certo", "combinado", "fechado", "tá", "ta", "entendi", "legal", "massa", "top", "okay", "tranquilo",
    ),
    yes=("sim", "isso", "ok", "pode ser", "exato", "claro", "certo", "isso mesmo", "é", "é isso", "yes",
         "s", "aham", "uhum", "positivo", "sim sim", "beleza", "blz", "pode"),
    no=("não", "nao", "n", "nada disso", "não é isso", "negativo"),
    remind_triggers=(
        "lembre-me", "lembra-me", "me lembre", "me lembra", "me lembrar", "me avisa", "me avise",
        "pode me lembrar", "me lembrar de", "não me deixa esquecer", "nao me deixa esquecer",
        "não me deixe esquecer", "me recorda", "recorda-me", "cria um lembrete", "coloca um lembrete",
        "põe um lembrete", "poe um lembrete", "criar lembrete", "cria lembrete", "faz um lembrete",
        "lembrar-me", "me lembrem", "lembra", "me lembra de novo",
        "adiciona um lembrete", "agenda um lembrete", "marca um lembrete", "bota um lembrete",
        "me lembrando", "me lembra aí", "me lembra ai", "mi lembra", "mi lembre", "coloca um alarme",
        "põe um alarme", "bota um alarme",
        "me lembra disso", "lembra eu",
    ),
    remind_leading=("lembrete", "lembrete de", "lembrete para", "lembrete:", "aviso", "lembrar"),
    remind_connectors=("de", "que", "para", "a", "do", "da", "pra", "dos", "das", "sobre", "q", "que tem",
        "tem", "d"),
    task_prefixes=(
        "tenho que", "tenho q", "tenho de", "preciso", "preciso de", "devo", "não esquecer de",
        "nao esquecer de", "não esqueça de", "nao esqueca de", "lembrar de", "temos que", "tem que", "tem q",
        "precisa", "precisa de",
        "a gente tem que", "preciso muito", "eu preciso", "eu tenho que", "tô precisando", "to precisando",
        "não posso esquecer de", "nao posso esquecer de", "falta", "ainda tenho que", "eu devo",
    ),
    snooze_words=(
        "snooze", "adiar", "adia", "mais tarde", "me lembra mais tarde", "soneca", "depois", "agora não",
        "agora nao", "me lembra daqui", "me lembra de novo em", "adia por", "posterga", "adia isso",
        "adia aí",
    ),
    snooze_for=("por", "durante", "em", "mais", "daqui", "daqui a", "pra daqui"),
    add_verbs=(
        "adiciona", "adicionar", "adicione", "acrescenta", "anota", "nova tarefa", "tarefa", "coloca",
        "põe", "poe", "bota", "inclui", "anotar", "adc", "add", "acrescente", "anote", "coloque",
        "salva", "guarda", "escreve", "me anota", "nota", "inserir", "insere", "anota aí", "anota ai",
        "anota pra mim", "adicionar na lista", "põe na lista", "coloca na lista", "bota na lista",
        "anota isso",
    ),
    add_last=("anota aí", "anota isso", "adiciona isso", "coloca na lista", "anota pra mim", "põe na lista",
        "bota na lista", "na lista", "anota ai", "anota"),
    list_suffixes=(
        "à minha lista", "na minha lista", "na lista", "à lista", "em minha lista", "nas minhas tarefas",
        "às minhas tarefas", "pra lista", "para a lista", "pra minha lista", "para minha lista",
        "a minha lista", "na lista de tarefas", "nos meus afazeres",
    ),
    complete_verbs=(
        "feito", "feita", "já fiz", "fiz", "concluído", "concluída", "concluir", "conclui", "completar",
        "completo", "terminei", "pronto", "concluí", "risca", "riscar", "marca", "finalizei", "acabei",
        "já terminei",
        "ja fiz", "já acabei", "tá feito", "ta feito", "já foi", "completei", "fechei",
    ),
    complete_suffixes=(
        "feito", "feita", "pronto", "pronta", "concluído", "concluída", "ok", "tá feito", "ta feito",
        "já foi", "ja foi", "está feito", "esta feito", "já está feito", "resolvido", "resolvida", "pago",
        "paga", "tá pago", "finalizado", "terminado", "foi feito", "tá pronto", "ta pronto",
    ),
    mark_verbs=("marca", "risca", "coloca", "põe", "bota", "marque"),
    mark_suffixes=(
        "como feito", "como feita", "como concluído", "como concluída", "como pronto", "como pronta",
        "feito", "concluído", "como finalizado", "como resolvido",
    ),
    delete_verbs=(
        "apaga", "apagar", "remove", "remover", "exclui", "excluir", "deleta", "deletar", "tira", "esquece",
        "apague", "remova", "exclua", "tirar", "tira da lista", "esquece isso de",
    ),
    cancel_verbs=("cancela", "cancelar", "cancele", "desativa", "desliga"),
    stop_reminding=(
        "para de me lembrar", "pare de me lembrar", "não me lembre mais", "não me lembre",
        "nao me lembre mais", "não precisa mais me lembrar", "nao precisa me lembrar",
        "chega de lembrete", "para o lembrete",
    ),
    reminder_nouns=("lembrete", "lembretes", "alarme", "aviso"),
    todo_nouns=("tarefa", "coisa", "item"),
    articles=("o", "a", "os", "as", "meu", "minha", "meus", "minhas", "este", "esta", "um", "uma", "número",
              "#", "nº", "esse", "essa"),
    ref_connectors=("de", "do", "da", "com", "para", "número", "o", "a", "com o", "com a", "também", "tb",
        "tbm"),
    past_markers=("já", "ja", "acabei de", "enfim", "finalmente", "já já", "eu já", "eu ja", "pronto já"),
    past_endings=("ei", "i", "ou", "eu", "iu"),
    past_verbs=("fiz", "fui", "dei", "pus", "trouxe", "disse", "vi", "tive", "paguei", "liguei", "comprei"),
    undo=(
        "desfazer", "desfaz", "desfaz isso", "cancela isso", "ops", "esquece", "deixa pra lá", "deixa pra la",
        "desfaça", "desfaca", "cancela o último", "apaga isso", "não era isso", "nao era isso", "opa errei",
        "errei", "ops desfaz", "volta", "desfazer isso", "cancela", "cancelar", "anula", "anula isso",
        "tira isso", "remove isso", "esquece isso", "desfaz o que você acabou de fazer", "volta atrás",
        "volta atras",
    ),
    question_words=("o que", "quando", "onde", "quem", "por que", "como", "qual", "quanto", "quantos", "que"),
    statement_starters=("tá", "está", "eu", "vai", "faz", "é", "ele", "ela", "você", "vc", "tem"),
    abbreviations={
        "amn": "amanhã", "amnh": "amanhã", "amanha": "amanhã", "amanã": "amanhã", "manhã": "manhã",
        "hj": "hoje", "hje": "hoje", "vc": "você", "vce": "você", "voce": "você", "q": "que",
        "pq": "porque", "tb": "também", "tbm": "também", "fds": "fim de semana",
        "msg": "mensagem", "pfv": "por favor", "obg": "obrigado", "vlw": "valeu", "blz": "beleza",
        "cmg": "comigo", "td": "tudo", "tds": "todos", "mt": "muito", "mto": "muito", "mta": "muita",
        "dps": "depois", "nao": "não",
         "qdo": "quando", "qnd": "quando",
        "qd": "quando", "meio dia": "meio-dia", "lembra me": "lembra-me", "lembre me": "lembre-me",
        "lembrte": "lembrete", "proxima": "próxima", "proximo": "próximo", "mes": "mês",
    },
    fillers=("só", "rapidinho", "também", "pfv", "por favor", "aí", "ai", "tipo", "então"),
    delete_suffixes=("da lista", "da minha lista", "das minhas tarefas", "dos meus afazeres"),
    query_words=(
        "o", "que", "oq", "q", "tenho", "tem", "eu", "me", "meu", "minha", "meus", "minhas", "a", "as", "os",
        "de", "do", "da", "pra", "para", "em", "no", "na", "fazer", "falta", "faltam", "mostra", "mostrar",
        "ver", "quais", "são", "sao", "tudo", "todas", "todos", "pendente", "pendentes", "é", "está", "tá",
        "ta", "essa", "esta", "esse", "este", "alguma", "algo", "coisa", "hoje", "amanhã", "semana", "e",
        "mais", "agora", "ainda", "marcado", "agendado", "programado", "como", "vem", "vai", "ser", "você",
        "vc", "pode", "coisas", "aí", "ai", "cadê", "cade", "qual", "quais", "alguma", "algum", "manhã",
        "ativos", "ativo", "tão", "tao", "marcados", "marcadas", "agendados", "compromisso", "voce",
        "faltando",
        "sobrando", "faltam",
    ),
    list_nouns=("lista", "tarefas", "tarefa", "afazeres", "pendências", "pendencias", "falta", "faltam",
        "faltando",
                "pendente", "pendentes", "coisas"),
    agenda_nouns=("agenda", "dia", "plano", "planos", "calendário", "marcado", "agendado", "programado",
                  "semana", "compromissos", "compromisso", "programação"),
    period_words={"hoje": TODAY, "hoje à noite": TODAY, "amanhã": TOMORROW, "essa semana": WEEK,
                  "agora": NEXT, "depois": NEXT, "próximo": NEXT, "seguinte": NEXT,
                  "esta semana": WEEK, "semana": WEEK, "nessa semana": WEEK, "nesta semana": WEEK},
    undo_words=("desfazer", "desfaz", "desfaça", "ops", "errei", "desfaz isso", "não era isso",
        "nao era isso"),
    undo_fillers=("isso", "o", "a", "último", "erro", "foi", "engano", "não", "era"),
    function_words=("o", "a", "os", "as", "um", "uma", "de", "do", "da", "dos", "das", "meu", "minha",
        "para", "pra",
                    "pro", "e", "com", "em", "no", "na"),
    clitics=("lhe", "lhes", "me", "te", "o", "a"),
    help=(
        "ajuda", "me ajuda", "comandos", "o que você pode fazer", "como funciona", "socorro", "menu",
        "o que você faz", "o que vc faz", "o que vc pode fazer", "como te uso", "como usar", "oi", "olá",
        "ola", "e aí", "eai", "bom dia", "boa tarde", "boa noite", "opa", "oie", "oii", "preciso de ajuda",
        "instruções", "opções", "como funciona isso", "o que eu posso pedir", "ajuda aí", "ajuda ai",
        "o que você sabe fazer", "o que vc sabe fazer", "você faz o que", "vc faz o que",
    ),
    list_todos=(
        "{lista|minha lista|a lista|minhas tarefas|tarefas|meus afazeres|afazeres|minhas pendências"
        "|pendências|pendencias|minhas coisas|minhas coisas pra fazer|coisas pra fazer|coisas para fazer"
        "|pra fazer|minha lista de tarefas|lista de tarefas|a lista de tarefas|tarefas pendentes"
        "|minhas tarefas pendentes|meus to do|to do|minha to do}",
        "{mostra|mostrar|me mostra|ver|quero ver|manda|me manda|abre|lê|le|me passa|passa|exibe|mostre}"
        " {minha|a|minhas|as|toda minha|todas as minhas|meus|os} {lista|tarefas|afazeres|pendências"
        "|pendencias|coisas pra fazer|lista de tarefas|tarefas pendentes}",
        "{o que|oq|o q|que} {falta|me falta|ainda falta|falta fazer|tem na minha lista|tem na lista"
        "|tenho pra fazer|tenho para fazer|tenho que fazer|eu tenho pra fazer|eu tenho que fazer"
        "|tá pendente|ta pendente|está pendente|ficou pendente|resta|me resta|sobrou|ainda tenho"
        "|ainda tenho pra fazer|tenho pendente|falta eu fazer|eu preciso fazer|preciso fazer}",
        "{o que mais|que mais|oq mais} {tenho|falta|tem|preciso fazer}",
        "{quantas|quantos} {tarefas|coisas} {tenho|faltam|falta|restam}", "quais são minhas tarefas",
        "quais minhas tarefas", "e o que mais", "o que está pendente", "o que ta pendente",
        "o que tenho pra fazer hoje", "o que tenho pra hoje",
    ),
    list_reminders=(
        "{lembretes|meus lembretes|ver meus lembretes|mostra meus lembretes|lista de lembretes"
        "|me mostra meus lembretes|meus alarmes|os lembretes|quais são meus lembretes|quais meus lembretes"
        "|que lembretes eu tenho|quais lembretes tenho|lembretes pendentes|meus próximos lembretes"
        "|todos os meus lembretes|mostrar lembretes|o que você vai me lembrar|o que vc vai me lembrar}",
    ),
    agenda={
        "{o que|oq|o q|que} {tenho|eu tenho|tem|tem pra|tenho pra|tenho marcado|tenho agendado"
        "|tá marcado|ta marcado|está marcado|tenho programado|vou fazer|eu faço} {hoje|pra hoje|para hoje"
        "|hj}": TODAY,
        "{hoje|agenda|minha agenda|meu dia|agenda de hoje|minha agenda de hoje|meu dia de hoje"
        "|plano de hoje|programação de hoje|agenda hoje|minha programação|meu calendário|calendário"
        "|hoje ?|meu cronograma}": TODAY,
        "{como|como é|como tá|como ta|como está} {meu dia|o dia|minha agenda|a agenda} {hoje|de hoje"
        "|}": TODAY,
        "{o que|oq|o q|que} {tenho|eu tenho|tem|tem pra|tenho pra|tenho marcado|tenho agendado|tá marcado"
        "|ta marcado|está marcado|tenho programado|vou fazer} {amanhã|pra amanhã|para amanhã|amn}": TOMORROW,
        "{amanhã|agenda de amanhã|minha agenda de amanhã|meu dia de amanhã|plano de amanhã"
        "|agenda amanhã|amanhã ?}": TOMORROW,
        "{o que|oq|o q|que} {tenho|eu tenho|tem|tem pra|tenho pra|tenho marcado|tenho agendado|tá marcado"
        "|ta marcado|está marcado|tenho programado|vou fazer} {essa semana|esta semana|nesta semana"
        "|nessa semana|na semana|pra semana|para essa semana|pra essa semana}": WEEK,
        "{essa semana|esta semana|minha semana|a semana|agenda da semana|agenda semanal|plano da semana"
        "|minha agenda da semana|semana}": WEEK,
        "{próximo|o que vem agora|qual o próximo|e agora|qual é o próximo|o que vem depois|o próximo"
        "|e depois|próxima|qual a próxima|o que é o próximo|o que vem|próximo passo|qual o próximo passo"
        "|e aí o que vem|o que tem agora}": NEXT,
    },
    common_words=(
        "ola", "obrigado", "obrigada", "sim", "nao", "não", "voce", "você", "eu", "isso", "tudo", "bem", "oi",
        "tenho", "estou", "muito", "o", "os", "as", "de", "do", "da", "dos", "das", "que", "e", "meu",
        "minha", "para", "pra", "pro", "com", "ligar", "comprar", "pagar", "tomar", "fazer", "ir", "buscar",
        "levar", "lavar", "limpar", "mãe", "pai", "aluguel", "médico", "lixo", "remédio", "remédios",
        "amanhã", "noite", "tarde", "semana", "hoje", "me", "um", "uma", "no", "na", "nos", "nas", "em",
        "já", "feito", "banco", "escola", "crianças", "trabalho", "consulta", "dentista", "roupa", "contas",
        "farmácia", "reunião", "mandar", "enviar", "email", "aniversário", "tá", "está", "vai", "vou",
        "também", "mais", "quando", "onde", "como", "aqui", "aí", "nada", "lembra", "lembrete", "tô",
        "ao", "às", "à", "depois", "agora", "ainda", "ele", "ela", "seu", "sua", "renda", "pagar", "boleto",
        "condomínio", "gato", "cachorro", "luz", "pão", "leite", "mercado", "faculdade", "ração", "lista",
        "conta", "água", "carro", "pix", "vó", "vô", "tia", "tio", "síndico", "academia", "reunião",
    ),
)  # fmt: skip

LEXICONS = {lexicon.code: lexicon for lexicon in (ENGLISH, FRENCH, SPANISH, PORTUGUESE)}
