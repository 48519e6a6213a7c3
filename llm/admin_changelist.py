"""What keeps the AiRun changelist fast at ten million rows.

Django's defaults each read the whole table on every page load: a list filter on a CharField
lists its values with SELECT DISTINCT, `date_hierarchy` lists the years/months/days that have
rows with another DISTINCT, and the paginator counts the filtered rows. Here the filter choices
come from the gateway's catalog, the calendar from the first and last run (two index lookups),
and the count from the planner (config.pagination).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from llm.models import FeatureFlag, LLMModel, PromptTemplate, Provider, RoutingRule


class CatalogChoicesFilter(admin.SimpleListFilter):
    """A filter on a CharField of AiRun whose choices are read from a small catalog table.

    The parameter is `<field>__exact`, as Django's own filter names it, so links built for the
    default filter (the dashboard's drill-downs) keep working. Values no longer in the catalog can
    still be filtered on by URL; they are just not listed.
    """

    field_name = ""

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        self.parameter_name = f"{self.field_name}__exact"
        super().__init__(request, params, model, model_admin)

    def catalog_values(self) -> Iterable[str]:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, value) for value in sorted(set(self.catalog_values()) - {""})]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = self.value()
        return queryset.filter(**{self.field_name: value}) if value else queryset


class FeatureFilter(CatalogChoicesFilter):
    title = "feature"
    field_name = "feature"

    def catalog_values(self) -> Iterable[str]:
        yield from PromptTemplate.objects.values_list("slug", flat=True).distinct()
        yield from FeatureFlag.objects.values_list("feature", flat=True)
        yield from RoutingRule.objects.exclude(feature="*").values_list("feature", flat=True)


class ProviderFilter(CatalogChoicesFilter):
    title = "provider"
    field_name = "provider"

    def catalog_values(self) -> Iterable[str]:
        return Provider.objects.values_list("name", flat=True)


class ModelFilter(CatalogChoicesFilter):
    title = "model"
    field_name = "model"

    def catalog_values(self) -> Iterable[str]:
        return LLMModel.objects.values_list("name", flat=True)


class CalendarFromBounds:
    """Stands in for the changelist's queryset inside Django's `date_hierarchy` tag.

    The tag asks the queryset for the distinct years, months or days that hold rows. This answers
    with every period between the first and the last row instead: a period with no runs can show
    as a link to an empty page, which is the price of not reading every row.
    """

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.queryset.aggregate(*args, **kwargs)

    def datetimes(self, field_name: str, kind: str) -> list[datetime]:
        bounds = self.queryset.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        return list(periods_between(timezone.localtime(bounds["first"]), timezone.localtime(bounds["last"]), kind))

    dates = datetimes


def periods_between(first: datetime, last: datetime, kind: str) -> Iterable[datetime]:
    """The start of each year, month or day from `first`'s to `last`'s, in order."""
    if kind == "year":
        for year in range(first.year, last.year + 1):
            yield first.replace(year=year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return
    if kind == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            yield first.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return
    for offset in range((last.date() - first.date()).days + 1):
        day = first.date() + timedelta(days=offset)
        yield datetime.combine(day, time.min, tzinfo=first.tzinfo)
