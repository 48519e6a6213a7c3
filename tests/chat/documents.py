"""CV texts the chat tests and bench/chat_concurrency.py ask about."""

CV_TEXT = """Jane Roe
jane.roe@example.com | +49 30 1234567 | Berlin, Germany

Summary
Backend engineer with eight years of experience building payment systems.

Experience
Senior Backend Engineer, Paylane GmbH, Berlin, 2019 - present
- Led the migration of the billing platform from a monolith to Django services
- Cut checkout latency by 40% with PostgreSQL query tuning
Software Engineer, Shopware AG, 2015 - 2019
- Built order export pipelines in Python and Celery

Education
M.Sc. Computer Science, Technical University of Munich, 2015

Skills
Python, Django, PostgreSQL, Celery, Redis, Kubernetes

Languages
English (fluent), German (native)
"""

OTHER_CV_TEXT = """Max Secret
max.secret@globex.example | +1 555 0100

Experience
Chief Hacker, Globex Corporation, 2010 - present
- Wrote the doomsday device firmware in Rust
"""
