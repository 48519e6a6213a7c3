from __future__ import annotations

from datetime import timedelta

from django import forms

from analytics.selectors.spend import SpendFilters

DEFAULT_DAYS = 30
MAX_DAYS = 400


class SpendFilterForm(forms.Form):
    """The dashboard's and the export's GET parameters; invalid values fall back to defaults."""

    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    company = forms.IntegerField(required=False, min_value=0)
    user = forms.IntegerField(required=False, min_value=0)
    feature = forms.CharField(required=False, max_length=80)
    model = forms.CharField(required=False, max_length=100)
    provider = forms.CharField(required=False, max_length=50)

    def spend_filters(self) -> SpendFilters:
        default = SpendFilters.last_days(DEFAULT_DAYS)
        data = self.cleaned_data if self.is_valid() else {}
        date_from = data.get("date_from") or default.date_from
        date_to = data.get("date_to") or default.date_to
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        date_from = max(date_from, date_to - timedelta(days=MAX_DAYS - 1))
        return SpendFilters(
            date_from=date_from,
            date_to=date_to,
            tenant_id=data.get("company"),
            user_id=data.get("user"),
            feature=data.get("feature") or "",
            model=data.get("model") or "",
            provider=data.get("provider") or "",
        )
