from django.urls import path

from llm import views

app_name = "llm"

urlpatterns = [
    path("playground/", views.playground, name="playground"),
    path("playground/variables/", views.playground_variables, name="playground_variables"),
]
