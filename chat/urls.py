from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_index, name="index"),
    path("cv/<int:cv_id>/", views.chat_page, name="cv"),
    path("cv/<int:cv_id>/c/<int:conversation_id>/", views.chat_page, name="conversation"),
    path("c/<int:conversation_id>/log/", views.conversation_log, name="conversation_log"),
    path("c/<int:conversation_id>/delete/", views.conversation_delete, name="conversation_delete"),
    path("cv/<int:cv_id>/publish/", views.public_link_publish, name="public_link_publish"),
    path("links/<int:link_id>/revoke/", views.public_link_revoke, name="public_link_revoke"),
    path("p/<str:token>/", views.public_chat, name="public"),
    path("p/<str:token>/c/<int:conversation_id>/log/", views.public_conversation_log, name="public_log"),
]
