"""Small real CV files for the pipeline tests (TXT and DOCX built in memory)."""

from __future__ import annotations

import io

import docx

FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katrin", "Lukas"]
LAST_NAMES = ["Albers", "Brandt", "Claes", "Dorn", "Eckert", "Fuchs", "Graf", "Hahn", "Iske", "Jung", "Kraus", "Lange"]
SKILLS = ["Python", "Django", "PostgreSQL", "Kubernetes", "Terraform", "Figma", "React", "Go", "Rust", "Spark"]


def cv_text(index: int, *, extra: str = "", email: str | None = None) -> str:
    skill_a, skill_b = SKILLS[index % len(SKILLS)], SKILLS[(index + 3) % len(SKILLS)]
    return (
        f"{candidate_name(index)}\n"
        f"Software Engineer\n"
        f"Berlin, Germany · {email or f'person{index}@example.com'} · +49 30 555 {1000 + index}\n\n"
        f"SUMMARY\nEngineer with {3 + index % 7} years of experience.\n\n"
        f"SKILLS\n{skill_a}, {skill_b}, SQL\n\n"
        f"EXPERIENCE\nSoftware Engineer — Company{index} GmbH, Berlin\nMarch 2019 \u2013 Present\n- Built things.\n\n"
        f"EDUCATION\nB.Sc. Computer Science — Technische Universität Berlin, 2018\n{extra}\n"
    )


def candidate_name(index: int) -> str:
    """A distinct, realistic name per index (the parser rightly rejects names with digits)."""
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 5) % len(LAST_NAMES)]}"


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    lines = text.splitlines()
    for line in lines:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Languages"
    table.rows[0].cells[1].text = "German, English"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
