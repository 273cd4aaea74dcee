"""The words of each language the engine understands: data only, written as users spell them.

Every phrase here goes through the same folding as the messages (see text.fold) before it is
compiled into a pattern, so accents, apostrophes and hyphens can be written naturally.
"""

from dataclasses import dataclass
from enum import Enum, IntEnum

from assistant.chat.engine.types import Period


class Unit(IntEnum):
    """A length of time, valued in minutes where that is a fixed number."""

    MINUTE = 1
    HOUR = 60
    DAY = 1440
    WEEK = 10080
    MONTH = -1  # months vary in length; only calendar arithmetic handles them


class PartOfDay(Enum):
    """Valued at the hour it means when no time is given: "tonight" is 20:00."""

    MORNING = 9
    AFTERNOON = 15
    EVENING = 20


WORKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
M, A, E = PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING


@dataclass(frozen=True)
class Lexicon:
    code: str
    # Time expressions.
    numbers: dict[str, int]
    units: dict[str, Unit]
    weekdays: dict[str, int]  # Monday is 0
    plural_weekdays: dict[str, int]  # forms that mean "every ..." on their own ("mondays")
    months: dict[str, int]
    day_words: dict[str, tuple[int, PartOfDay | None]]  # days from today, and the part of day
    parts_of_day: dict[str, PartOfDay]  # "in the evening", "de la tarde"
    part_nouns: dict[str, PartOfDay]  # what follows "every" in "every morning"
    relative_prefixes: tuple[str, ...]  # "in" of "in 20 minutes"
    half_hour: tuple[str, ...]
    every: tuple[str, ...]
    and_words: tuple[str, ...]  # joining weekdays: "monday and thursday"
    recurring_adverbs: dict[str, Unit]
    weekday_sets: dict[str, tuple[int, ...]]
    weekly_prefixes: tuple[str, ...]  # "every" of "every monday", plus articles that mean it
    plural_prefixes: tuple[str, ...]  # "on" of "on mondays"
    weekday_prefixes: tuple[str, ...]  # "on" of "on friday"
    next_before: tuple[str, ...]  # "next" of "next monday"
    next_after: tuple[str, ...]  # "prochain" of "lundi prochain"
    date_prefixes: tuple[str, ...]  # "on" of "on 3 december"
    time_prefixes: tuple[str, ...]  # "at" of "at 8"
    minutes_after: dict[str, int]  # "y media" of "a las 8 y media"
    noon: tuple[str, ...]
    midnight: tuple[str, ...]
    # Commands.
    politeness: tuple[str, ...]
    remind_triggers: tuple[str, ...]
    remind_connectors: tuple[str, ...]  # "to" of "remind me to ..."
    snooze_words: tuple[str, ...]
    snooze_for: tuple[str, ...]
    add_verbs: tuple[str, ...]
    list_suffixes: tuple[str, ...]  # "to my list" of "add milk to my list"
    complete_verbs: tuple[str, ...]
    delete_verbs: tuple[str, ...]
    cancel_verbs: tuple[str, ...]
    stop_reminding: tuple[str, ...]
    reminder_nouns: tuple[str, ...]
    todo_nouns: tuple[str, ...]
    articles: tuple[str, ...]
    ref_connectors: tuple[str, ...]  # "with" of "done with 2"
    # Whole messages.
    help: tuple[str, ...]
    list_todos: tuple[str, ...]
    list_reminders: tuple[str, ...]
    agenda: dict[str, Period]
    common_words: tuple[str, ...]  # to tell the language of a message no command matched


def _plural(words: dict[str, int], suffix: str = "s") -> dict[str, int]:
    return {word + suffix: day for word, day in words.items()}


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

ENGLISH = Lexicon(
    code="en",
    numbers={
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
        "thirty": 30, "forty-five": 45,
    },
    units={
        "m": Unit.MINUTE, "min": Unit.MINUTE, "mins": Unit.MINUTE, "minute": Unit.MINUTE,
        "minutes": Unit.MINUTE,
        "h": Unit.HOUR, "hr": Unit.HOUR, "hrs": Unit.HOUR, "hour": Unit.HOUR, "hours": Unit.HOUR,
        "day": Unit.DAY, "days": Unit.DAY, "week": Unit.WEEK, "weeks": Unit.WEEK,
        "month": Unit.MONTH, "months": Unit.MONTH,
    },
    weekdays={**_EN_WEEKDAYS, "tues": 1, "thurs": 3},
    plural_weekdays=_plural(_EN_WEEKDAYS),
    months={
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
        "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3,
        "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    },
    day_words={
        "today": (0, None), "tonight": (0, E), "this morning": (0, M), "this afternoon": (0, A),
        "this evening": (0, E), "tomorrow": (1, None), "tmrw": (1, None), "tmr": (1, None),
        "tomorow": (1, None), "tomorrow morning": (1, M), "tomorrow afternoon": (1, A),
        "tomorrow evening": (1, E), "tomorrow night": (1, E), "day after tomorrow": (2, None),
        "the day after tomorrow": (2, None), "yesterday": (-1, None), "next week": (7, None),
    },
    parts_of_day={"in the morning": M, "in the afternoon": A, "in the evening": E, "at night": E},
    part_nouns={
        "morning": M, "mornings": M, "afternoon": A, "afternoons": A, "evening": E, "evenings": E,
        "night": E, "nights": E,
    },
    relative_prefixes=("in", "within"),
    half_hour=("half an hour", "a half hour", "half hour"),
    every=("every", "each"),
    and_words=("and", "&"),
    recurring_adverbs={
        "daily": Unit.DAY, "everyday": Unit.DAY, "hourly": Unit.HOUR, "weekly": Unit.WEEK,
        "monthly": Unit.MONTH,
    },
    weekday_sets={
        "every weekday": WORKDAYS, "every week day": WORKDAYS, "weekdays": WORKDAYS,
        "on weekdays": WORKDAYS, "monday to friday": WORKDAYS, "monday through friday": WORKDAYS,
        "every weekend": WEEKEND, "weekends": WEEKEND, "on weekends": WEEKEND,
    },
    weekly_prefixes=("every", "each"),
    plural_prefixes=("on",),
    weekday_prefixes=("on", "this"),
    next_before=("next", "coming", "this coming"),
    next_after=(),
    date_prefixes=("on", "on the", "the"),
    time_prefixes=("at", "by", "around"),
    minutes_after={},
    noon=("noon", "midday"),
    midnight=("midnight",),
    politeness=("please", "pls", "plz"),
    remind_triggers=(
        "remind me", "remind", "reminder", "set a reminder", "set reminder", "can you remind me",
        "could you remind me",
    ),
    remind_connectors=("to", "that", "about", "of"),
    snooze_words=("snooze", "later", "remind me later"),
    snooze_for=("for",),
    add_verbs=("add", "todo", "to-do", "to do", "new todo", "new task", "add todo", "add task"),
    list_suffixes=(
        "to my list", "to the list", "to my todo list", "to my to-do list", "to my todos", "to the todo list",
        "on my list", "to list", "to my tasks",
    ),
    complete_verbs=(
        "done", "did", "complete", "completed", "finished", "finish", "check", "check off", "mark done",
        "mark as done", "i did", "i finished",
    ),
    delete_verbs=("delete", "remove", "del", "erase"),
    cancel_verbs=("cancel",),
    stop_reminding=("stop reminding me", "don't remind me", "do not remind me"),
    reminder_nouns=("reminder", "reminders", "alarm"),
    todo_nouns=("todo", "to-do", "task", "item"),
    articles=("the", "my", "a", "this", "that"),
    ref_connectors=("with", "to", "for", "about", "of", "number", "no"),
    help=("help", "help me", "commands", "what can you do", "how does this work", "menu"),
    list_todos=(
        "list", "my list", "todos", "my todos", "to-dos", "my to-dos", "todo", "todo list", "my todo list",
        "to do list", "my to do list", "show my list", "show list", "show my todos", "show todos",
        "what's on my list", "whats on my list", "what is on my list", "tasks", "my tasks", "show my tasks",
        "list todos", "list tasks", "check my list",
    ),
    list_reminders=(
        "reminders", "my reminders", "list reminders", "list my reminders", "show reminders",
        "show my reminders", "what are my reminders",
    ),
    agenda={
        "what's next": Period.NEXT, "whats next": Period.NEXT, "what is next": Period.NEXT,
        "next": Period.NEXT, "up next": Period.NEXT, "what's up next": Period.NEXT,
        "today": Period.TODAY, "agenda": Period.TODAY, "my agenda": Period.TODAY,
        "what do i have today": Period.TODAY, "what's on today": Period.TODAY, "what's today": Period.TODAY,
        "whats today": Period.TODAY, "schedule": Period.TODAY, "my schedule": Period.TODAY,
        "my day": Period.TODAY, "today's agenda": Period.TODAY,
        "tomorrow": Period.TOMORROW, "what do i have tomorrow": Period.TOMORROW,
        "what's on tomorrow": Period.TOMORROW, "what's tomorrow": Period.TOMORROW,
        "tomorrow's agenda": Period.TOMORROW,
    },
    common_words=(
        "the", "i", "you", "is", "are", "and", "what", "how", "hello", "hi", "hey", "thanks", "thank",
        "it", "this", "can", "yes", "why", "where", "when", "who",
    ),
)  # fmt: skip

FRENCH = Lexicon(
    code="fr",
    numbers={
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
        "quarante-cinq": 45,
    },
    units={
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "mn": Unit.MINUTE, "minute": Unit.MINUTE,
        "minutes": Unit.MINUTE, "h": Unit.HOUR, "heure": Unit.HOUR, "heures": Unit.HOUR,
        "j": Unit.DAY, "jour": Unit.DAY, "jours": Unit.DAY, "semaine": Unit.WEEK, "semaines": Unit.WEEK,
        "mois": Unit.MONTH,
    },
    weekdays=_FR_WEEKDAYS,
    plural_weekdays=_plural(_FR_WEEKDAYS),
    months={
        "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
        "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "janv": 1, "févr": 2, "fév": 2,
        "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "déc": 12,
    },
    day_words={
        "aujourd'hui": (0, None), "ce soir": (0, E), "cet après-midi": (0, A), "cet aprem": (0, A),
        "ce matin": (0, M), "demain": (1, None), "demain matin": (1, M), "demain après-midi": (1, A),
        "demain soir": (1, E), "après-demain": (2, None), "hier": (-1, None),
        "la semaine prochaine": (7, None),
    },
    parts_of_day={
        "le matin": M, "du matin": M, "dans la matinée": M, "l'après-midi": A, "de l'après-midi": A,
        "dans l'après-midi": A, "le soir": E, "du soir": E, "dans la soirée": E,
    },
    part_nouns={"matin": M, "matins": M, "après-midi": A, "soir": E, "soirs": E},
    relative_prefixes=("dans", "d'ici"),
    half_hour=("une demi-heure", "une demie heure"),
    every=("chaque", "tous les", "toutes les"),
    and_words=("et",),
    recurring_adverbs={"quotidiennement": Unit.DAY},
    weekday_sets={
        "en semaine": WORKDAYS, "tous les jours de semaine": WORKDAYS, "les jours de semaine": WORKDAYS,
        "jours de semaine": WORKDAYS, "les jours ouvrables": WORKDAYS, "jours ouvrables": WORKDAYS,
        "les jours ouvrés": WORKDAYS, "jours ouvrés": WORKDAYS, "tous les jours ouvrables": WORKDAYS,
        "du lundi au vendredi": WORKDAYS, "le week-end": WEEKEND, "les week-ends": WEEKEND,
        "tous les week-ends": WEEKEND, "chaque week-end": WEEKEND, "le weekend": WEEKEND,
        "les weekends": WEEKEND,
    },
    weekly_prefixes=("chaque", "tous les"),
    plural_prefixes=("les",),
    weekday_prefixes=("ce", "le"),
    next_before=(),
    next_after=("prochain", "qui vient"),
    date_prefixes=("le",),
    time_prefixes=("à", "vers"),
    minutes_after={"et demie": 30, "et demi": 30, "et quart": 15},
    noon=("midi",),
    midnight=("minuit",),
    politeness=("s'il te plaît", "s'il vous plaît", "stp", "svp"),
    remind_triggers=(
        "rappelle-moi", "rappelles-moi", "rappelez-moi", "rappel", "fais-moi penser", "peux-tu me rappeler",
        "tu peux me rappeler", "n'oublie pas de me rappeler",
    ),
    remind_connectors=("de", "d", "que", "qu", "à"),
    snooze_words=("snooze", "reporte", "reporter", "plus tard", "rappelle-moi plus tard", "repousse"),
    snooze_for=("de", "pour", "pendant"),
    add_verbs=("ajoute", "ajouter", "rajoute", "nouvelle tâche", "tâche"),
    list_suffixes=(
        "à ma liste", "à la liste", "dans ma liste", "sur ma liste", "à ma liste de tâches", "à mes tâches",
    ),
    complete_verbs=(
        "fait", "j'ai fait", "terminé", "terminée", "fini", "finie", "j'ai fini", "j'ai terminé",
        "c'est fait", "coche", "valide",
    ),
    delete_verbs=("supprime", "supprimer", "efface", "effacer", "enlève", "enlever", "retire", "retirer"),
    cancel_verbs=("annule", "annuler"),
    stop_reminding=("arrête de me rappeler", "ne me rappelle plus"),
    reminder_nouns=("rappel", "rappels"),
    todo_nouns=("tâche", "todo"),
    articles=("le", "la", "les", "l", "mon", "ma", "mes", "ce", "cette", "un", "une"),
    ref_connectors=("de", "d", "du", "des", "pour", "numéro", "n°"),
    help=("aide", "aide-moi", "commandes", "que peux-tu faire", "comment ça marche"),
    list_todos=(
        "liste", "ma liste", "mes tâches", "tâches", "affiche ma liste", "montre ma liste", "voir ma liste",
        "ma liste de tâches", "liste des tâches", "qu'est-ce qu'il y a sur ma liste", "mes todos",
    ),
    list_reminders=(
        "rappels", "mes rappels", "liste des rappels", "liste mes rappels", "affiche mes rappels",
        "voir mes rappels",
    ),
    agenda={
        "qu'est-ce que j'ai aujourd'hui": Period.TODAY, "aujourd'hui": Period.TODAY,
        "programme": Period.TODAY, "mon programme": Period.TODAY, "agenda": Period.TODAY,
        "mon agenda": Period.TODAY, "ma journée": Period.TODAY, "programme du jour": Period.TODAY,
        "j'ai quoi aujourd'hui": Period.TODAY,
        "demain": Period.TOMORROW, "qu'est-ce que j'ai demain": Period.TOMORROW,
        "programme de demain": Period.TOMORROW, "j'ai quoi demain": Period.TOMORROW,
        "et ensuite": Period.NEXT, "ensuite": Period.NEXT, "la suite": Period.NEXT, "prochain": Period.NEXT,
        "c'est quoi la suite": Period.NEXT, "quoi ensuite": Period.NEXT,
    },
    common_words=(
        "je", "tu", "il", "le", "les", "est", "et", "pas", "bonjour", "salut", "merci", "oui", "non",
        "des", "qui", "quoi", "avec", "vous", "c", "j", "qu", "ne", "suis",
    ),
)  # fmt: skip

SPANISH = Lexicon(
    code="es",
    numbers={
        "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
        "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15, "veinte": 20,
        "treinta": 30,
    },
    units={
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "minuto": Unit.MINUTE, "minutos": Unit.MINUTE,
        "h": Unit.HOUR, "hora": Unit.HOUR, "horas": Unit.HOUR, "día": Unit.DAY, "días": Unit.DAY,
        "semana": Unit.WEEK, "semanas": Unit.WEEK, "mes": Unit.MONTH, "meses": Unit.MONTH,
    },
    weekdays=_ES_WEEKDAYS,
    plural_weekdays={"sábados": 5, "domingos": 6},
    months={
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
        "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "ene": 1,
        "feb": 2, "abr": 4, "ago": 8, "sept": 9, "oct": 10, "nov": 11, "dic": 12,
    },
    day_words={
        "hoy": (0, None), "esta noche": (0, E), "esta tarde": (0, A), "esta mañana": (0, M),
        "mañana": (1, None), "pasado mañana": (2, None), "ayer": (-1, None),
        "la semana que viene": (7, None), "la próxima semana": (7, None),
    },
    parts_of_day={
        "de la mañana": M, "por la mañana": M, "en la mañana": M, "de la tarde": A, "por la tarde": A,
        "en la tarde": A, "de la noche": E, "por la noche": E, "en la noche": E,
    },
    part_nouns={"mañana": M, "mañanas": M, "tarde": A, "tardes": A, "noche": E, "noches": E},
    relative_prefixes=("en", "dentro de"),
    half_hour=("media hora",),
    every=("cada", "todos los", "todas las"),
    and_words=("y", "e"),
    recurring_adverbs={"diariamente": Unit.DAY, "a diario": Unit.DAY},
    weekday_sets={
        "entre semana": WORKDAYS, "los días laborables": WORKDAYS, "días laborables": WORKDAYS,
        "los días hábiles": WORKDAYS, "días hábiles": WORKDAYS, "de lunes a viernes": WORKDAYS,
        "cada día laborable": WORKDAYS, "todos los días laborables": WORKDAYS,
        "los fines de semana": WEEKEND, "fines de semana": WEEKEND, "cada fin de semana": WEEKEND,
        "todos los fines de semana": WEEKEND,
    },
    weekly_prefixes=("cada", "todos los", "los"),
    plural_prefixes=("los",),
    weekday_prefixes=("el", "este"),
    next_before=("próximo", "siguiente"),
    next_after=("que viene", "próximo"),
    date_prefixes=("el",),
    time_prefixes=("a las", "a la", "sobre las", "hacia las", "para las", "al"),
    minutes_after={"y media": 30, "y cuarto": 15},
    noon=("mediodía",),
    midnight=("medianoche",),
    politeness=("por favor", "porfa", "porfavor"),
    remind_triggers=(
        "recuérdame", "recordame", "recordarme", "recordatorio", "avísame", "puedes recordarme",
        "me recuerdas",
    ),
    remind_connectors=("de", "que", "a"),
    snooze_words=("snooze", "pospón", "posponer", "más tarde", "recuérdame más tarde", "aplaza"),
    snooze_for=("por", "durante"),
    add_verbs=("añade", "añadir", "agrega", "agregar", "anota", "apunta", "nueva tarea", "tarea"),
    list_suffixes=("a mi lista", "a la lista", "en mi lista", "a mis tareas"),
    complete_verbs=(
        "hecho", "hecha", "ya hice", "hice", "terminé", "terminado", "terminada", "completar", "completado",
        "completada", "completa", "listo",
    ),
    delete_verbs=("borra", "borrar", "elimina", "eliminar", "quita", "quitar"),
    cancel_verbs=("cancela", "cancelar", "anula", "anular"),
    stop_reminding=("deja de recordarme", "no me recuerdes", "ya no me recuerdes"),
    reminder_nouns=("recordatorio", "recordatorios", "aviso"),
    todo_nouns=("tarea",),
    articles=("el", "la", "los", "las", "mi", "mis", "este", "esta", "un", "una"),
    ref_connectors=("de", "del", "con", "para", "número"),
    help=("ayuda", "ayúdame", "comandos", "qué puedes hacer", "cómo funciona"),
    list_todos=(
        "lista", "mi lista", "mis tareas", "tareas", "muestra mi lista", "ver mi lista", "mis pendientes",
        "pendientes", "qué hay en mi lista",
    ),
    list_reminders=(
        "recordatorios", "mis recordatorios", "ver mis recordatorios", "muestra mis recordatorios",
        "lista de recordatorios",
    ),
    agenda={
        "qué tengo hoy": Period.TODAY, "hoy": Period.TODAY, "agenda": Period.TODAY, "mi agenda": Period.TODAY,
        "mi día": Period.TODAY, "qué hay hoy": Period.TODAY,
        "mañana": Period.TOMORROW, "qué tengo mañana": Period.TOMORROW,
        "próximo": Period.NEXT, "qué sigue": Period.NEXT, "lo próximo": Period.NEXT,
        "qué es lo próximo": Period.NEXT,
    },
    common_words=(
        "el", "los", "las", "y", "es", "hola", "gracias", "si", "yo", "pero", "como", "tengo", "estoy",
        "hay", "muy", "del",
    ),
)  # fmt: skip

PORTUGUESE = Lexicon(
    code="pt",
    numbers={
        "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
        "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "quinze": 15, "vinte": 20, "trinta": 30,
    },
    units={
        "min": Unit.MINUTE, "mins": Unit.MINUTE, "minuto": Unit.MINUTE, "minutos": Unit.MINUTE,
        "h": Unit.HOUR, "hora": Unit.HOUR, "horas": Unit.HOUR, "dia": Unit.DAY, "dias": Unit.DAY,
        "semana": Unit.WEEK, "semanas": Unit.WEEK, "mês": Unit.MONTH, "meses": Unit.MONTH,
    },
    weekdays=_PT_WEEKDAYS,
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
        "amanhã de noite": (1, E), "depois de amanhã": (2, None), "ontem": (-1, None),
        "semana que vem": (7, None), "a semana que vem": (7, None), "a próxima semana": (7, None),
        "próxima semana": (7, None),
    },
    parts_of_day={
        "de manhã": M, "da manhã": M, "pela manhã": M, "à tarde": A, "da tarde": A, "de tarde": A,
        "pela tarde": A, "à noite": E, "da noite": E, "de noite": E, "pela noite": E,
    },
    part_nouns={"manhã": M, "manhãs": M, "tarde": A, "tardes": A, "noite": E, "noites": E},
    relative_prefixes=("em", "daqui a", "dentro de"),
    half_hour=("meia hora",),
    every=("a cada", "cada", "todos os", "todas as", "todo", "toda"),
    and_words=("e",),
    recurring_adverbs={"diariamente": Unit.DAY},
    weekday_sets={
        "dias úteis": WORKDAYS, "nos dias úteis": WORKDAYS, "todos os dias úteis": WORKDAYS,
        "em dias úteis": WORKDAYS, "de segunda a sexta": WORKDAYS, "todo dia útil": WORKDAYS,
        "nos fins de semana": WEEKEND, "fins de semana": WEEKEND, "todo fim de semana": WEEKEND,
        "todos os fins de semana": WEEKEND,
    },
    weekly_prefixes=("toda", "todo", "todas as", "todos os", "cada", "a cada"),
    plural_prefixes=("às", "nas", "aos"),
    weekday_prefixes=("na", "no", "nesta", "neste", "esta", "este"),
    next_before=("próxima", "próximo"),
    next_after=("que vem", "próxima"),
    date_prefixes=("no dia", "dia", "em", "no"),
    time_prefixes=("às", "pelas", "por volta das", "para as", "ao"),
    minutes_after={"e meia": 30, "e quinze": 15},
    noon=("meio-dia",),
    midnight=("meia-noite",),
    politeness=("por favor", "por gentileza"),
    remind_triggers=(
        "lembre-me", "lembra-me", "me lembre", "me lembra", "me lembrar", "lembrete", "me avisa", "me avise",
        "pode me lembrar",
    ),
    remind_connectors=("de", "que", "para", "a", "do", "da"),
    snooze_words=("snooze", "adiar", "adia", "mais tarde", "me lembra mais tarde", "soneca"),
    snooze_for=("por", "durante"),
    add_verbs=("adiciona", "adicionar", "adicione", "acrescenta", "anota", "nova tarefa", "tarefa"),
    list_suffixes=(
        "à minha lista", "na minha lista", "na lista", "à lista", "em minha lista", "nas minhas tarefas",
        "às minhas tarefas",
    ),
    complete_verbs=(
        "feito", "feita", "já fiz", "fiz", "concluído", "concluída", "concluir", "conclui", "completar",
        "completo", "terminei", "pronto",
    ),
    delete_verbs=("apaga", "apagar", "remove", "remover", "exclui", "excluir", "deleta", "deletar", "tira"),
    cancel_verbs=("cancela", "cancelar", "cancele"),
    stop_reminding=("para de me lembrar", "pare de me lembrar", "não me lembre mais", "não me lembre"),
    reminder_nouns=("lembrete", "lembretes", "alarme"),
    todo_nouns=("tarefa",),
    articles=("o", "a", "os", "as", "meu", "minha", "meus", "minhas", "este", "esta", "um", "uma"),
    ref_connectors=("de", "do", "da", "com", "para", "número"),
    help=("ajuda", "me ajuda", "comandos", "o que você pode fazer", "como funciona"),
    list_todos=(
        "lista", "minha lista", "minhas tarefas", "tarefas", "mostra minha lista", "mostrar minha lista",
        "ver minha lista", "o que tem na minha lista", "meus afazeres", "afazeres",
    ),
    list_reminders=(
        "lembretes", "meus lembretes", "ver meus lembretes", "mostra meus lembretes", "lista de lembretes",
    ),
    agenda={
        "o que tenho hoje": Period.TODAY, "hoje": Period.TODAY, "agenda": Period.TODAY,
        "minha agenda": Period.TODAY, "meu dia": Period.TODAY, "o que tem hoje": Period.TODAY,
        "amanhã": Period.TOMORROW, "o que tenho amanhã": Period.TOMORROW,
        "próximo": Period.NEXT, "o que vem agora": Period.NEXT, "qual o próximo": Period.NEXT,
        "e agora": Period.NEXT,
    },
    common_words=(
        "ola", "obrigado", "obrigada", "sim", "nao", "voce", "eu", "isso", "tudo", "bem", "oi", "tenho",
        "estou", "muito",
    ),
)  # fmt: skip

LEXICONS = {lexicon.code: lexicon for lexicon in (ENGLISH, FRENCH, SPANISH, PORTUGUESE)}
