from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, object]:
    return {"company": getattr(request, "company", None)}
