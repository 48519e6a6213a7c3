from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Resume chat"

    def ready(self) -> None:
        from chat.local_chat import resume_chat_locally
        from llm.local import register_handler

        # Offline and fallback answers: extractive, from the CV section that matches the question.
        register_handler("resume_chat", resume_chat_locally)
