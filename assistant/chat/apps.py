from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "assistant.chat"
    label = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from assistant.chat import data_rights, services
        from assistant.core.retention import retention_purger_register
        from assistant.planner.notifications import channel_register
        from assistant.users.data_rights import data_rights_register

        # Reminders reach users in their chat history whatever else is installed.
        channel_register("chat", services.chat_notifications_deliver)
        retention_purger_register("chat_message", services.chat_messages_purge)
        data_rights_register(data_rights.PART)
