"""The providers, by our name for them. Adding one is adding a module and a line here."""

from integrations.providers.base import Provider
from integrations.providers.google import GoogleProvider
from integrations.providers.microsoft import MicrosoftProvider
from integrations.providers.notion import NotionProvider

PROVIDERS: dict[str, Provider] = {
    provider.name: provider for provider in (GoogleProvider(), MicrosoftProvider(), NotionProvider())
}
