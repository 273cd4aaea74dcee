from django.contrib import admin
from django.http import HttpRequest

from assistant.chat.models import Conversation, Message


class MessageInline(admin.TabularInline[Message, Conversation]):
    model = Message
    fk_name = "conversation"
    fields = readonly_fields = ("created_at", "direction", "text", "intent")
    ordering = ["-created_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["user", "channel", "created_at", "updated_at"]
    list_filter = ["channel"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "channel", "last_listing", "created_at", "updated_at"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["created_at", "conversation", "direction", "intent", "short_text"]
    list_filter = ["direction", "intent", "conversation__channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["conversation__user__email", "text"]
    list_select_related = ["conversation__user"]
    readonly_fields = ["conversation", "direction", "text", "intent", "in_reply_to", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="text")
    def short_text(self, message: Message) -> str:
        return message.text[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
