from django.dispatch import Signal

# Sent by the API's exception handler for every refused request, with `request` and
# `reason` (unauthenticated, invalid_token or permission_denied). The users app records
# it, so this package needs to know nothing about users.
access_denied = Signal()
