from django.urls import path

from llm.api import views

app_name = "llm_api"

urlpatterns = [
    path("run", views.run_view, name="run"),
    path("stream", views.stream_view, name="stream"),
    path("openapi.json", views.openapi_view, name="openapi"),
]
