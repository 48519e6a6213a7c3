"""The staff prompt playground's form: a prompt version, a model, limits and the prompt's variables."""

from __future__ import annotations

import string
from typing import Any

from django import forms
from django.urls import reverse

from llm.models import LLMModel, PromptTemplate
from llm.runner.types import Overrides

VARIABLE_FIELD_PREFIX = "var_"
MAX_PLAYGROUND_TOKENS = 8_000


def template_variables(template: PromptTemplate) -> list[str]:
    """The `${name}` placeholders of a prompt (system first), each once, in order of appearance."""
    names: list[str] = []
    for text in (template.system_template, template.user_template):
        for name in string.Template(text).get_identifiers():
            if name not in names:
                names.append(name)
    return names


class ModelWithProviderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LLMModel) -> str:
        return f"{obj.name} ({obj.provider.name})"


class PlaygroundForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=PromptTemplate.objects.order_by("slug", "-version"), label="Prompt version", empty_label=None
    )
    model = ModelWithProviderField(
        queryset=LLMModel.objects.filter(enabled=True, is_embedding=False).select_related("provider"),
        required=False,
        empty_label="As routed",
        help_text="Blank: the feature's routing decides.",
    )
    max_tokens = forms.IntegerField(required=False, min_value=1, max_value=MAX_PLAYGROUND_TOKENS)
    temperature = forms.FloatField(required=False, min_value=0.0, max_value=2.0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choosing another prompt swaps in its variable fields (llm.views.playground_variables).
        self.fields["template"].widget.attrs.update(
            {
                "hx-get": reverse("llm:playground_variables"),
                "hx-target": "#playground-variables",
                "hx-swap": "outerHTML",
            }
        )
        for name in template_variables(self._chosen_template()):
            self.fields[f"{VARIABLE_FIELD_PREFIX}{name}"] = forms.CharField(
                label=name, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def _chosen_template(self) -> PromptTemplate:
        """Which template's variables to show: the submitted one, else the initial one, else the first."""
        queryset = self.fields["template"].queryset  # type: ignore[attr-defined]
        chosen = self.data.get(self.add_prefix("template")) or self.initial.get("template")
        found = queryset.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        return found or queryset.first() or PromptTemplate(system_template="", user_template="")

    def variable_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(VARIABLE_FIELD_PREFIX)]

    def context(self) -> dict[str, str]:
        return {
            name.removeprefix(VARIABLE_FIELD_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(VARIABLE_FIELD_PREFIX)
        }

    def overrides(self) -> Overrides:
        template: PromptTemplate = self.cleaned_data["template"]
        model: LLMModel | None = self.cleaned_data["model"]
        return Overrides(
            model=model.name if model else "",
            prompt_version=template.version,
            max_tokens=self.cleaned_data["max_tokens"],
            temperature=self.cleaned_data["temperature"],
        )
