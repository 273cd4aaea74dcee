"""What the assistant says, in the language the user wrote in. Short: many users read it on a
phone, between two other things."""

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("en", "fr", "es", "pt")

_TEXT: dict[str, dict[str, str]] = {
    "todo_added": {
        "en": "Added to your list: {title} ({count} open).",
        "fr": "Ajouté à ta liste : {title} ({count} en cours).",
        "es": "Añadido a tu lista: {title} ({count} pendientes).",
        "pt": "Adicionado à sua lista: {title} ({count} abertas).",
    },
    "todos_empty": {
        "en": 'Your list is empty. Add something with "add ...".',
        "fr": "Ta liste est vide. Ajoute quelque chose avec « ajoute ... ».",
        "es": 'Tu lista está vacía. Añade algo con "añade ...".',
        "pt": 'Sua lista está vazia. Adicione algo com "adiciona ...".',
    },
    "todos_header": {
        "en": 'Your list (reply "done 1" when one is done):',
        "fr": "Ta liste (réponds « fait 1 » quand c'est fait) :",
        "es": 'Tu lista (responde "hecho 1" cuando termines una):',
        "pt": 'Sua lista (responda "feito 1" quando terminar uma):',
    },
    "todo_done": {
        "en": "Done: {title}. Well done!",
        "fr": "Fait : {title}. Bravo !",
        "es": "Hecho: {title}. ¡Bien hecho!",
        "pt": "Feito: {title}. Muito bem!",
    },
    "todo_deleted": {
        "en": "Removed: {title}.",
        "fr": "Supprimé : {title}.",
        "es": "Eliminado: {title}.",
        "pt": "Removido: {title}.",
    },
    "todo_not_found": {
        "en": 'I couldn\'t find that todo. Send "list" to see the numbers.',
        "fr": "Je ne trouve pas cette tâche. Envoie « liste » pour voir les numéros.",
        "es": 'No encuentro esa tarea. Envía "lista" para ver los números.',
        "pt": 'Não encontrei essa tarefa. Envie "lista" para ver os números.',
    },
    "reminder_set": {
        "en": "OK, I'll remind you to {text} {when}.",
        "fr": "OK, je te rappellerai de {text} {when}.",
        "es": "Vale, te recordaré {text} {when}.",
        "pt": "Ok, vou te lembrar de {text} {when}.",
    },
    "reminder_set_recurring": {
        "en": "OK, I'll remind you to {text}, repeating; first {when}.",
        "fr": "OK, je te rappellerai de {text}, régulièrement ; la première fois {when}.",
        "es": "Vale, te recordaré {text}, de forma periódica; la primera vez {when}.",
        "pt": "Ok, vou te lembrar de {text}, repetidamente; a primeira vez {when}.",
    },
    "reminder_done": {
        "en": "Great, done: {text}.",
        "fr": "Super, c'est fait : {text}.",
        "es": "¡Genial, hecho: {text}!",
        "pt": "Ótimo, feito: {text}.",
    },
    "reminders_empty": {
        "en": "No reminders coming up.",
        "fr": "Aucun rappel à venir.",
        "es": "No tienes recordatorios pendientes.",
        "pt": "Nenhum lembrete agendado.",
    },
    "reminders_header": {
        "en": 'Your reminders ("cancel reminder 1" to stop one):',
        "fr": "Tes rappels (« annule le rappel 1 » pour en arrêter un) :",
        "es": 'Tus recordatorios ("cancela el recordatorio 1" para quitar uno):',
        "pt": 'Seus lembretes ("cancela o lembrete 1" para parar um):',
    },
    "snoozed": {
        "en": "Snoozed: I'll remind you to {text} again {when}.",
        "fr": "Reporté : je te rappellerai de {text} {when}.",
        "es": "Pospuesto: te recordaré {text} {when}.",
        "pt": "Adiado: vou te lembrar de {text} {when}.",
    },
    "nothing_to_snooze": {
        "en": "There is no reminder to snooze yet.",
        "fr": "Il n'y a pas encore de rappel à reporter.",
        "es": "Todavía no hay ningún recordatorio que posponer.",
        "pt": "Ainda não há lembrete para adiar.",
    },
    "reminder_cancelled": {
        "en": "Cancelled: {text}.",
        "fr": "Annulé : {text}.",
        "es": "Cancelado: {text}.",
        "pt": "Cancelado: {text}.",
    },
    "reminder_not_found": {
        "en": 'I couldn\'t find that reminder. Send "reminders" to see the numbers.',
        "fr": "Je ne trouve pas ce rappel. Envoie « mes rappels » pour voir les numéros.",
        "es": 'No encuentro ese recordatorio. Envía "mis recordatorios" para ver los números.',
        "pt": 'Não encontrei esse lembrete. Envie "meus lembretes" para ver os números.',
    },
    "agenda_empty": {
        "en": "Nothing planned {day}. Enjoy!",
        "fr": "Rien de prévu {day}. Profites-en !",
        "es": "Nada previsto {day}. ¡Disfruta!",
        "pt": "Nada previsto {day}. Aproveite!",
    },
    "agenda_header": {
        "en": "Planned {day}:",
        "fr": "Prévu {day} :",
        "es": "Previsto {day}:",
        "pt": "Previsto {day}:",
    },
    "next_reminder": {
        "en": "Next: {text} {when}.",
        "fr": "Prochain : {text} {when}.",
        "es": "Lo próximo: {text} {when}.",
        "pt": "Próximo: {text} {when}.",
    },
    "all_day": {
        "en": "all day: {title}",
        "fr": "toute la journée : {title}",
        "es": "todo el día: {title}",
        "pt": "o dia todo: {title}",
    },
    "due_todo": {
        "en": "todo: {title}",
        "fr": "à faire : {title}",
        "es": "tarea: {title}",
        "pt": "tarefa: {title}",
    },
    "past_time": {
        "en": "{when} has already passed. When should I remind you to {text}?",
        "fr": "{when}, c'est déjà passé. Quand veux-tu que je te rappelle de {text} ?",
        "es": "{when} ya pasó. ¿Cuándo quieres que te recuerde {text}?",
        "pt": "{when} já passou. Quando devo te lembrar de {text}?",
    },
    "missing_time": {
        "en": 'When should I remind you to {text}? For example: "remind me to {text} tomorrow at 9".',
        "fr": "Quand dois-je te rappeler de {text} ? Par exemple : « rappelle-moi de {text} demain à 9h ».",
        "es": '¿Cuándo te recuerdo {text}? Por ejemplo: "recuérdame {text} mañana a las 9".',
        "pt": 'Quando devo te lembrar de {text}? Por exemplo: "lembre-me de {text} amanhã às 9".',
    },
    "missing_text": {
        "en": "What should I remind you of?",
        "fr": "De quoi dois-je te rappeler ?",
        "es": "¿Qué quieres que te recuerde?",
        "pt": "Do que devo te lembrar?",
    },
    "help": {
        "en": 'I can keep your todos and reminders. Try: "add call the dentist", "list", "done 1", '
        '"remind me to take my meds every day at 8", "remind me in 20 minutes to stretch", '
        '"reminders", "snooze 10", "what\'s next".',
        "fr": "Je garde tes tâches et tes rappels. Essaie : « ajoute appeler le dentiste », « liste », "
        "« fait 1 », « rappelle-moi de prendre mes médicaments tous les jours à 8h », "
        "« rappelle-moi dans 20 minutes de m'étirer », « mes rappels », « reporte 10 », « aujourd'hui ».",
        "es": 'Guardo tus tareas y recordatorios. Prueba: "añade llamar al dentista", "lista", '
        '"hecho 1", "recuérdame tomar las pastillas todos los días a las 8", '
        '"recuérdame en 20 minutos estirarme", "mis recordatorios", "pospón 10", "hoy".',
        "pt": 'Eu guardo suas tarefas e lembretes. Tente: "adiciona ligar para o dentista", "lista", '
        '"feito 1", "lembre-me de tomar os remédios todos os dias às 8", '
        '"lembre-me em 20 minutos de alongar", "meus lembretes", "adiar 10", "hoje".',
    },
    "unknown": {
        "en": 'Sorry, I didn\'t get that. Send "help" to see what I can do.',
        "fr": "Désolé, je n'ai pas compris. Envoie « aide » pour voir ce que je sais faire.",
        "es": 'Perdona, no lo he entendido. Envía "ayuda" para ver lo que puedo hacer.',
        "pt": 'Desculpe, não entendi. Envie "ajuda" para ver o que posso fazer.',
    },
}

_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "pt": ("seg", "ter", "qua", "qui", "sex", "sáb", "dom"),
}
_TODAY = {"en": "today", "fr": "aujourd'hui", "es": "hoy", "pt": "hoje"}
_TOMORROW = {"en": "tomorrow", "fr": "demain", "es": "mañana", "pt": "amanhã"}
_AT = {"en": "at", "fr": "à", "es": "a las", "pt": "às"}


def say(key: str, language: str, **values: object) -> str:
    texts = _TEXT[key]
    return texts.get(language, texts["en"]).format(**values)


def day_name(language: str, days_ahead: int) -> str:
    return (_TODAY if days_ahead == 0 else _TOMORROW).get(language, "today")


def when(moment: datetime, *, timezone: str, now: datetime, language: str) -> str:
    """'today at 08:00', 'tomorrow at 08:00', 'Fri 4/12 at 08:00', in the user's zone."""
    zone = ZoneInfo(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    at = _AT.get(language, "at")
    clock = local.strftime("%H:%M")
    delta = (local.date() - today).days
    if delta in (0, 1):
        return f"{day_name(language, delta)} {at} {clock}"
    day = _DAYS.get(language, _DAYS["en"])[local.weekday()]
    return f"{day} {local.day}/{local.month} {at} {clock}"
