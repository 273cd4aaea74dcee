"""The security-event kinds this app records, registered with users' in SmsConfig.ready()
(their values are the stored strings and the metric labels)."""

from django.db import models


class SecurityKind(models.TextChoices):
    # Details name the cap: codes aimed at one number, an account asking for many codes, one
    # person's daily SMS, or the day's spend.
    SMS_CAP_REACHED = "sms_cap_reached"
