"""Conversations about one CV: a recruiter's own, or an anonymous visitor's through a public link."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

DEFAULT_PUBLIC_LINK_CAP_USD = Decimal("1.00")


class PublicChatLink(models.Model):
    """A CV published at an unguessable URL: anonymous visitors may chat about that CV only."""

    company = models.ForeignKey("recruiting.Company", on_delete=models.CASCADE, related_name="public_chat_links")
    cv = models.ForeignKey("recruiting.CV", on_delete=models.CASCADE, related_name="public_chat_links")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The link's own spend budget (the tenant's budgets apply as well): held before an answer,
    # settled to its cost after.
    spend_cap_usd = models.DecimalField(max_digits=12, decimal_places=6, default=DEFAULT_PUBLIC_LINK_CAP_USD)
    spent_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    reserved_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Public chat link for CV #{self.cv_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Conversation(models.Model):
    company = models.ForeignKey("recruiting.Company", on_delete=models.CASCADE, related_name="conversations")
    # Deleting a CV (and so erasing a candidate) deletes every conversation about it.
    cv = models.ForeignKey("recruiting.CV", on_delete=models.CASCADE, related_name="conversations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    public_link = models.ForeignKey(
        PublicChatLink, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    # An anonymous visitor's random id (kept in their session): their conversations only.
    visitor_key = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["company", "user", "-updated_at"], name="chat_conv_user_recent"),
            models.Index(fields=["cv", "user"], name="chat_conv_cv_user"),
            models.Index(fields=["public_link", "visitor_key"], name="chat_conv_link_visitor"),
        ]

    def __str__(self) -> str:
        return self.title or f"Conversation #{self.pk}"


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Question"
        ASSISTANT = "assistant", "Answer"

    class Status(models.TextChoices):
        STREAMING = "streaming", "Answering"
        COMPLETE = "complete", "Complete"
        STOPPED = "stopped", "Stopped"
        INTERRUPTED = "interrupted", "Connection lost"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20, choices=Role.choices)
    content = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMPLETE)
    # The AiRun that answered (ids only: AiRun may live in another database). A stopped answer's
    # run is also found by its subject, ("chat.message", this id).
    run_id = models.BigIntegerField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    tokens_estimated = models.BooleanField(default=False)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=8, default=Decimal(0))
    model = models.CharField(max_length=100, blank=True)
    rule_based = models.BooleanField(default=False)
    cited_sections = models.JSONField(default=list, blank=True)
    notice = models.CharField(max_length=500, blank=True, help_text="e.g. the CV was too long and was shortened")
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"
