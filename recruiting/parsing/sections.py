"""Splitting CV text into sections by their headings, in English, German, French, Spanish and Dutch."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

# Section key -> heading phrases (lower-case, accents removed). Longest phrases are tried first.
_HEADINGS: Final[dict[str, tuple[str, ...]]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "personal profile",
        "career profile",
        "about me",
        "about",
        "objective",
        "career objective",
        "personal statement",
        "introduction",
        "overview",
        "profil",
        "kurzprofil",
        "zusammenfassung",
        "uber mich",
        "berufsprofil",
        "persoenliches profil",
        "profil professionnel",
        "a propos",
        "a propos de moi",
        "resume professionnel",
        "objectif",
        "perfil",
        "perfil profesional",
        "resumen",
        "resumen profesional",
        "sobre mi",
        "acerca de mi",
        "objetivo",
        "profiel",
        "persoonlijk profiel",
        "samenvatting",
        "over mij",
        "profiel en doelstelling",
        "doelstelling",
        "sintesi",
        "profilo",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "relevant experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "career",
        "professional background",
        "professional history",
        "experience highlights",
        "positions held",
        "berufserfahrung",
        "berufliche erfahrung",
        "beruflicher werdegang",
        "werdegang",
        "praxiserfahrung",
        "berufspraxis",
        "berufliche stationen",
        "erfahrung",
        "experience professionnelle",
        "experiences professionnelles",
        "experiences",
        "parcours professionnel",
        "emplois",
        "experiencia",
        "experiencia laboral",
        "experiencia profesional",
        "trayectoria profesional",
        "historial laboral",
        "werkervaring",
        "ervaring",
        "loopbaan",
        "arbeidsverleden",
        "relevante werkervaring",
        "esperienza",
        "esperienze lavorative",
        "esperienza professionale",
        "experiencia de trabajo",
        "internships",
        "work and leadership experience",
    ),
    "education": (
        "education",
        "academic background",
        "education and training",
        "education & training",
        "academic qualifications",
        "educational background",
        "academic history",
        "studies",
        "academics",
        "education history",
        "ausbildung",
        "bildung",
        "bildungsweg",
        "studium",
        "schulbildung",
        "akademischer werdegang",
        "schul- und berufsausbildung",
        "ausbildung und studium",
        "formation",
        "formations",
        "etudes",
        "parcours academique",
        "formation academique",
        "diplomes",
        "educacion",
        "formacion",
        "formacion academica",
        "estudios",
        "opleiding",
        "opleidingen",
        "onderwijs",
        "istruzione",
        "formazione",
        "educacao",
        "formacao",
        "education and qualifications",
        "qualifications",
    ),
    "skills": (
        "skills",
        "technical skills",
        "key skills",
        "core skills",
        "skills and tools",
        "skills & tools",
        "competencies",
        "core competencies",
        "key competencies",
        "technologies",
        "tech stack",
        "technical stack",
        "tools",
        "tools and technologies",
        "expertise",
        "areas of expertise",
        "skills and expertise",
        "skills & expertise",
        "skills summary",
        "it skills",
        "computer skills",
        "software skills",
        "professional skills",
        "hard skills",
        "soft skills",
        "technical proficiencies",
        "proficiencies",
        "kenntnisse",
        "fahigkeiten",
        "fachkenntnisse",
        "kompetenzen",
        "it-kenntnisse",
        "edv-kenntnisse",
        "fahigkeiten und kenntnisse",
        "kenntnisse und fahigkeiten",
        "technische kenntnisse",
        "skills und tools",
        "competences",
        "competences techniques",
        "competences cles",
        "savoir-faire",
        "habilidades",
        "competencias",
        "conocimientos",
        "aptitudes",
        "habilidades tecnicas",
        "conocimientos tecnicos",
        "vaardigheden",
        "competenties",
        "kennis",
        "kennis en vaardigheden",
        "technische vaardigheden",
        "competenze",
        "competencias tecnicas",
        "competencias clave",
        "outils",
        "herramientas",
    ),
    "certifications": (
        "certifications",
        "certificates",
        "certification",
        "licenses",
        "licences",
        "licenses and certifications",
        "licenses & certifications",
        "licences & certifications",
        "certifications and licenses",
        "courses",
        "training",
        "trainings",
        "professional development",
        "courses and certifications",
        "zertifikate",
        "zertifizierungen",
        "weiterbildung",
        "weiterbildungen",
        "fortbildungen",
        "certificats",
        "certifications et formations",
        "certificaciones",
        "certificados",
        "cursos",
        "certificaten",
        "certificeringen",
        "cursussen",
        "trainingen",
    ),
    "languages": (
        "languages",
        "language skills",
        "language",
        "spoken languages",
        "sprachen",
        "sprachkenntnisse",
        "langues",
        "competences linguistiques",
        "idiomas",
        "lenguas",
        "talen",
        "talenkennis",
        "lingue",
        "linguas",
    ),
    "other": (
        "projects",
        "personal projects",
        "selected projects",
        "key projects",
        "publications",
        "awards",
        "honors",
        "honours",
        "awards and honors",
        "achievements",
        "accomplishments",
        "interests",
        "hobbies",
        "hobbies and interests",
        "interests and hobbies",
        "references",
        "referees",
        "volunteering",
        "volunteer experience",
        "volunteer work",
        "activities",
        "extracurricular activities",
        "contact",
        "contact details",
        "contact information",
        "personal details",
        "personal information",
        "personal data",
        "additional information",
        "memberships",
        "affiliations",
        "conferences",
        "patents",
        "portfolio",
        "persoenliche daten",
        "personliche daten",
        "kontakt",
        "projekte",
        "interessen",
        "hobbys",
        "referenzen",
        "ehrenamt",
        "auszeichnungen",
        "sonstiges",
        "informations personnelles",
        "projets",
        "centres d'interet",
        "loisirs",
        "references professionnelles",
        "benevolat",
        "datos personales",
        "proyectos",
        "intereses",
        "aficiones",
        "referencias",
        "voluntariado",
        "premios",
        "persoonlijke gegevens",
        "projecten",
        "interesses",
        "hobby's",
        "referenties",
        "vrijwilligerswerk",
        "nevenactiviteiten",
        "informazioni personali",
    ),
}
# Titles at the top of a CV, never a person's name or a section.
DOCUMENT_TITLES: Final = frozenset(
    {
        "curriculum vitae",
        "resume",
        "cv",
        "lebenslauf",
        "tabellarischer lebenslauf",
        "curriculum",
        "c.v.",
        "hoja de vida",
        "currículum",
        "curriculum vitae et studiorum",
        "resume / cv",
        "my resume",
    }
)
_HEADING_INDEX: Final[dict[str, str]] = {
    phrase: section for section, phrases in _HEADINGS.items() for phrase in phrases
}
_MAX_HEADING_WORDS = 6
_DECORATION = re.compile(r"^[\s#*=_~>\-\u2022\u25aa\u25cf\u25a0\u2013\u2014|:.]+|[\s#*=_~<\-\u2022\u2013\u2014|:.]+$")
_SPACED_LETTERS = re.compile(r"^(?:\w ){3,}\w$")
_JOINERS = re.compile(r"\s*(?:&|\band\b|\bund\b|\bet\b|\by\b|\ben\b|/|,|\+)\s*")
_INLINE_HEADING = re.compile(r"^([^:]{3,40}):\s*(\S.*)$")


@dataclass(slots=True)
class Section:
    key: str  # "header" for the text before the first heading
    heading: str
    lines: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower-case and strip accents: "Expérience" and "EXPERIENCE" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def fold_keeping_length(text: str) -> str:
    """Like `fold`, but one character out per character in, so match positions map back to `text`."""
    folded: list[str] = []
    for character in text:
        simple = fold(character)
        folded.append(simple if len(simple) == 1 else character.lower()[:1] or character)
    return "".join(folded)


def heading_key(line: str) -> str | None:
    """The section a line announces, if the whole line is a heading."""
    stripped = line.strip()
    if not stripped or len(stripped) > 60:
        return None
    cleaned = _DECORATION.sub("", stripped)
    if _SPACED_LETTERS.match(cleaned):
        cleaned = cleaned.replace(" ", "")
    if not cleaned or len(cleaned.split()) > _MAX_HEADING_WORDS:
        return None
    folded = fold(cleaned)
    key = _HEADING_INDEX.get(folded)
    if key:
        return key
    # "Education & Certifications", "Skills / Tools": the first known part decides.
    for part in _JOINERS.split(folded):
        if part in _HEADING_INDEX:
            return _HEADING_INDEX[part]
    return None


def split_sections(lines: list[str], *, names_skills: Callable[[str], bool]) -> list[Section]:
    """Group lines under the heading that precedes them; "Skills: Python, SQL" opens a section inline.

    Inside a skills section, "Languages: Python, Go" is a sub-label, not the spoken-languages section;
    `names_skills` tells the two apart by whether the content names known skills.
    """
    sections = [Section(key="header", heading="")]
    for line in lines:
        key = heading_key(line)
        if key:
            sections.append(Section(key=key, heading=line.strip()))
            continue
        inline = _INLINE_HEADING.match(line.strip())
        if inline:
            inline_key = heading_key(inline.group(1))
            in_skills_list = sections[-1].key == "skills" and names_skills(inline.group(2))
            if inline_key and inline_key not in ("other", "summary") and not in_skills_list:
                sections.append(Section(key=inline_key, heading=inline.group(1), lines=[inline.group(2)]))
                continue
        sections[-1].lines.append(line)
    return sections
