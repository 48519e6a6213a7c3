# ruff: noqa: RUF001 - CVs use typographic dashes
"""Jobs in six fields and CVs labelled relevant or not per job, generated from a seed.

Positives are people of the job's field: varied titles, a random part of the job's skills written
with synonyms and other casings ("postgres", "k8s", "EHR"), sometimes only in experience bullets,
more or fewer years than asked. Hard negatives come from adjacent fields and share several of the
job's skills (a data analyst for a data-science job, a medical assistant for a nursing job). A CV
is relevant to a job exactly when it was generated as a positive of that job's field.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Role:
    titles: list[str]
    skills: dict[str, list[str]]  # canonical -> spellings a CV may use
    duties: list[str]  # "{skill}" is filled with one of the role's skills
    degrees: list[str]


@dataclass(frozen=True)
class Field:
    name: str
    job: dict[str, Any]  # title, skills, qualifications, responsibilities, description
    role: Role
    adjacent: list[Role] = field(default_factory=list)


@dataclass(frozen=True)
class LabelledCV:
    key: str
    field: str  # the field it is relevant to, or "" for adjacent-field hard negatives
    text: str


FIRST = [
    "Anna",
    "Ben",
    "Chen",
    "Dara",
    "Emeka",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jana",
    "Kofi",
    "Lea",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Adeyemi",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Huang",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Santos",
    "Tanaka",
    "Vargas",
]
CITIES = ["Berlin", "Munich", "Hamburg", "Vienna", "Zurich", "Amsterdam", "Lisbon", "Madrid", "Dublin", "Warsaw"]
EMPLOYERS = ["Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Hooli", "Vandelay"]
SUFFIXES = ["GmbH", "AG", "Ltd", "BV", "S.A.", "Inc."]

FIELDS: list[Field] = [
    Field(
        name="backend",
        job={
            "title": "Senior Backend Engineer",
            "skills": ["Python", "Django", "PostgreSQL", "Docker", "Kubernetes", "REST"],
            "qualifications": [
                "4+ years of professional backend development experience",
                "Degree in Computer Science or equivalent experience",
            ],
            "responsibilities": ["Design, build and operate REST APIs", "Own services in production"],
            "description": "Our payments platform runs on AWS; we value code review and Redis know-how.",
        },
        role=Role(
            titles=[
                "Backend Engineer",
                "Software Engineer (Backend)",
                "Python Developer",
                "Backend Developer",
                "Senior Software Engineer, Backend",
                "Software Engineer",
            ],
            skills={
                "Python": ["Python", "python3"],
                "Django": ["Django", "DRF", "django"],
                "PostgreSQL": ["PostgreSQL", "postgres", "Postgres", "psql"],
                "Docker": ["Docker", "docker"],
                "Kubernetes": ["Kubernetes", "k8s", "K8s"],
                "REST": ["REST APIs", "RESTful", "REST"],
                "Redis": ["Redis"],
                "AWS": ["AWS"],
                "Git": ["Git"],
                "FastAPI": ["FastAPI"],
            },
            duties=[
                "Built {skill} services handling 2M requests a day",
                "Migrated the monolith to {skill}",
                "Designed the billing backend with {skill}",
                "Cut API latency by 40% using {skill}",
            ],
            degrees=["B.Sc. Computer Science", "M.Sc. Software Engineering", "B.Eng. Computer Engineering"],
        ),
        adjacent=[
            Role(
                titles=["Frontend Developer", "UI Engineer"],
                skills={
                    "JavaScript": ["JavaScript"],
                    "React": ["React"],
                    "CSS": ["CSS"],
                    "Docker": ["Docker"],
                    "REST": ["REST APIs"],
                    "TypeScript": ["TypeScript"],
                    "Git": ["Git"],
                },
                duties=["Built the checkout UI in {skill}", "Consumed {skill} from the backend team"],
                degrees=["B.Sc. Media Informatics"],
            ),
            Role(
                titles=["DevOps Engineer", "Site Reliability Engineer"],
                skills={
                    "Kubernetes": ["Kubernetes"],
                    "Docker": ["Docker"],
                    "Terraform": ["Terraform"],
                    "AWS": ["AWS"],
                    "Python": ["Python"],
                    "Linux": ["Linux"],
                },
                duties=["Ran {skill} clusters for 40 teams", "Automated infrastructure with {skill}"],
                degrees=["B.Sc. Information Systems"],
            ),
        ],
    ),
    Field(
        name="data_science",
        job={
            "title": "Data Scientist",
            "skills": ["Python", "Machine Learning", "SQL", "Pandas", "scikit-learn", "Statistics"],
            "qualifications": ["Master's degree in a quantitative field", "3+ years of experience building models"],
            "responsibilities": ["Build and evaluate predictive models", "Run A/B testing with product teams"],
            "description": "You will work with deep learning and NLP on customer data.",
        },
        role=Role(
            titles=[
                "Data Scientist",
                "Machine Learning Scientist",
                "Applied Scientist",
                "Senior Data Scientist",
                "Data Scientist (ML)",
            ],
            skills={
                "Python": ["Python"],
                "Machine Learning": ["machine learning", "ML", "Machine Learning"],
                "SQL": ["SQL"],
                "Pandas": ["pandas", "Pandas"],
                "scikit-learn": ["scikit-learn", "sklearn"],
                "Statistics": ["statistics", "Statistics"],
                "Deep Learning": ["deep learning"],
                "PyTorch": ["PyTorch"],
                "A/B Testing": ["A/B testing"],
            },
            duties=[
                "Trained churn models with {skill}",
                "Built a forecasting pipeline in {skill}",
                "Improved conversion 8% through {skill}",
                "Led experiments using {skill}",
            ],
            degrees=["M.Sc. Statistics", "M.Sc. Data Science", "Ph.D. Physics", "M.Sc. Mathematics"],
        ),
        adjacent=[
            Role(
                titles=["Data Analyst", "Business Intelligence Analyst"],
                skills={
                    "SQL": ["SQL"],
                    "Microsoft Excel": ["Excel"],
                    "Tableau": ["Tableau"],
                    "Python": ["Python"],
                    "Power BI": ["Power BI"],
                    "Statistics": ["statistics"],
                },
                duties=["Built weekly dashboards in {skill}", "Answered ad-hoc questions with {skill}"],
                degrees=["B.Sc. Business Administration", "B.A. Economics"],
            ),
            Role(
                titles=["Data Engineer", "Analytics Engineer"],
                skills={
                    "Apache Spark": ["Spark"],
                    "SQL": ["SQL"],
                    "Python": ["Python"],
                    "Apache Airflow": ["Airflow"],
                    "Pandas": ["pandas"],
                    "AWS": ["AWS"],
                },
                duties=["Built ingestion pipelines with {skill}", "Modelled the warehouse in {skill}"],
                degrees=["B.Sc. Computer Science"],
            ),
        ],
    ),
    Field(
        name="nursing",
        job={
            "title": "Registered Nurse",
            "skills": [
                "Nursing",
                "Patient Care",
                "Medication Administration",
                "Electronic Health Records",
                "Basic Life Support",
            ],
            "qualifications": ["Licensed Registered Nurse", "2+ years of experience on a hospital ward"],
            "responsibilities": ["Assess and monitor patients", "Administer medication safely"],
            "description": "A busy surgical ward; wound care and infection control are part of daily work.",
        },
        role=Role(
            titles=["Registered Nurse", "Staff Nurse", "RN, Surgical Ward", "Charge Nurse", "Nurse"],
            skills={
                "Nursing": ["nursing", "Nursing"],
                "Patient Care": ["patient care", "Patient Care"],
                "Medication Administration": ["medication administration"],
                "Electronic Health Records": ["EHR", "electronic health records", "Epic EHR"],
                "Basic Life Support": ["BLS", "Basic Life Support"],
                "Wound Care": ["wound care"],
                "Infection Control": ["infection control"],
                "Triage": ["triage"],
            },
            duties=[
                "Provided {skill} for 30 post-operative patients",
                "Trained new staff in {skill}",
                "Responsible for {skill} on night shifts",
                "Audited {skill} on the ward",
            ],
            degrees=["B.Sc. Nursing", "Diploma in Nursing", "BSN Nursing"],
        ),
        adjacent=[
            Role(
                titles=["Medical Assistant", "Healthcare Assistant"],
                skills={
                    "Patient Care": ["patient care"],
                    "Vital Signs": ["vital signs"],
                    "Phlebotomy": ["phlebotomy"],
                    "Electronic Health Records": ["EHR"],
                    "Scheduling": ["scheduling"],
                },
                duties=["Handled {skill} in a GP practice", "Supported doctors with {skill}"],
                degrees=["Certificate in Medical Assisting"],
            ),
            Role(
                titles=["Pharmacy Technician", "Care Home Assistant"],
                skills={
                    "Medication Administration": ["medication administration"],
                    "Patient Care": ["patient care"],
                    "Customer Service": ["customer service"],
                    "Inventory Management": ["inventory management"],
                },
                duties=["Managed {skill} for 60 residents", "Responsible for {skill}"],
                degrees=["Vocational training, pharmacy"],
            ),
        ],
    ),
    Field(
        name="sales",
        job={
            "title": "Account Executive",
            "skills": ["Sales", "Salesforce", "Lead Generation", "Negotiation", "B2B Sales", "Pipeline Management"],
            "qualifications": ["3+ years of experience in B2B SaaS sales", "A record of meeting quota"],
            "responsibilities": ["Own the full sales cycle", "Build pipeline through cold calling"],
            "description": "Sell our HR software to mid-market customers; HubSpot experience helps.",
        },
        role=Role(
            titles=[
                "Account Executive",
                "Sales Executive",
                "Senior Account Executive",
                "Business Development Manager",
                "Sales Manager",
            ],
            skills={
                "Sales": ["sales", "Sales"],
                "Salesforce": ["Salesforce", "SFDC"],
                "Lead Generation": ["lead generation"],
                "Negotiation": ["negotiation"],
                "B2B Sales": ["B2B sales", "B2B"],
                "Pipeline Management": ["pipeline management"],
                "Cold Calling": ["cold calling"],
                "HubSpot": ["HubSpot"],
            },
            duties=[
                "Closed EUR 1.2M ARR through {skill}",
                "Exceeded quota 130% with disciplined {skill}",
                "Opened 40 new accounts via {skill}",
                "Coached juniors in {skill}",
            ],
            degrees=["B.A. Business Administration", "B.Sc. Economics", "B.A. Communication"],
        ),
        adjacent=[
            Role(
                titles=["Marketing Manager", "Growth Marketer"],
                skills={
                    "Marketing": ["marketing"],
                    "Search Engine Optimization": ["SEO"],
                    "HubSpot": ["HubSpot"],
                    "Lead Generation": ["lead generation"],
                    "Content Marketing": ["content marketing"],
                },
                duties=["Ran campaigns focused on {skill}", "Grew inbound leads through {skill}"],
                degrees=["B.A. Marketing"],
            ),
            Role(
                titles=["Customer Success Manager", "Customer Support Lead"],
                skills={
                    "Customer Success": ["customer success"],
                    "Salesforce": ["Salesforce"],
                    "Account Management": ["account management"],
                    "Negotiation": ["negotiation"],
                    "Customer Relationship Management": ["CRM"],
                },
                duties=["Renewed contracts through {skill}", "Reduced churn with proactive {skill}"],
                degrees=["B.A. Psychology"],
            ),
        ],
    ),
    Field(
        name="accounting",
        job={
            "title": "Accountant",
            "skills": ["Accounting", "Financial Reporting", "IFRS", "Reconciliation", "Microsoft Excel", "SAP"],
            "qualifications": [
                "Degree in Accounting or Finance; CPA or ACCA is a plus",
                "3+ years of experience in accounting",
            ],
            "responsibilities": ["Prepare the month-end close and financial statements", "Reconcile accounts"],
            "description": "Join the finance team of a growing retailer; accounts payable and tax support.",
        },
        role=Role(
            titles=[
                "Accountant",
                "Staff Accountant",
                "Senior Accountant",
                "General Ledger Accountant",
                "Chartered Accountant",
            ],
            skills={
                "Accounting": ["accounting", "Accounting"],
                "Financial Reporting": ["financial reporting"],
                "IFRS": ["IFRS"],
                "Reconciliation": ["account reconciliation", "reconciliations"],
                "Microsoft Excel": ["Excel", "MS Excel"],
                "SAP": ["SAP", "SAP FI"],
                "Accounts Payable": ["accounts payable"],
                "Tax": ["tax"],
            },
            duties=[
                "Prepared monthly {skill} for three entities",
                "Owned {skill} for the group",
                "Automated {skill} and saved 2 days per close",
                "Supported the audit with {skill}",
            ],
            degrees=["B.Sc. Accounting", "B.A. Finance", "M.Sc. Accounting and Finance"],
        ),
        adjacent=[
            Role(
                titles=["Financial Analyst", "FP&A Analyst"],
                skills={
                    "Financial Modeling": ["financial modeling"],
                    "Microsoft Excel": ["Excel"],
                    "Budgeting": ["budgeting"],
                    "Financial Reporting": ["financial reporting"],
                    "SQL": ["SQL"],
                },
                duties=["Built {skill} for the board", "Led the annual {skill} cycle"],
                degrees=["B.Sc. Economics"],
            ),
            Role(
                titles=["Payroll Specialist", "HR Administrator"],
                skills={
                    "Payroll": ["payroll"],
                    "Microsoft Excel": ["Excel"],
                    "SAP": ["SAP"],
                    "Reconciliation": ["reconciliations"],
                    "Human Resources": ["HR"],
                },
                duties=["Ran {skill} for 900 employees", "Handled {skill} queries"],
                degrees=["Diploma in Human Resources"],
            ),
        ],
    ),
    Field(
        name="design",
        job={
            "title": "Product Designer",
            "skills": ["Figma", "UX Design", "UI Design", "UX Research", "Prototyping", "Design Systems"],
            "qualifications": [
                "3+ years of experience designing digital products",
                "A portfolio of shipped product work",
            ],
            "responsibilities": ["Run usability testing with customers", "Design end-to-end flows"],
            "description": "Work with engineers on our web and mobile apps; wireframing and typography matter.",
        },
        role=Role(
            titles=[
                "Product Designer",
                "UX/UI Designer",
                "Senior Product Designer",
                "UX Designer",
                "Interaction Designer",
            ],
            skills={
                "Figma": ["Figma", "figma"],
                "UX Design": ["UX design", "user experience design"],
                "UI Design": ["UI design"],
                "UX Research": ["user research", "UX research"],
                "Prototyping": ["prototyping"],
                "Design Systems": ["design systems", "design system"],
                "Usability Testing": ["usability testing"],
                "Wireframing": ["wireframing"],
            },
            duties=[
                "Redesigned onboarding using {skill}",
                "Shipped the mobile app redesign with {skill}",
                "Raised task success 25% through {skill}",
                "Led {skill} for the payments team",
            ],
            degrees=["B.A. Interaction Design", "B.A. Communication Design", "M.A. Human-Computer Interaction"],
        ),
        adjacent=[
            Role(
                titles=["Graphic Designer", "Brand Designer"],
                skills={
                    "Adobe Photoshop": ["Photoshop"],
                    "Adobe Illustrator": ["Illustrator"],
                    "Typography": ["typography"],
                    "Branding": ["branding"],
                    "Figma": ["Figma"],
                },
                duties=["Created campaigns with {skill}", "Owned the {skill} guidelines"],
                degrees=["B.A. Graphic Design"],
            ),
            Role(
                titles=["Frontend Developer", "Web Developer"],
                skills={
                    "CSS": ["CSS"],
                    "HTML": ["HTML"],
                    "JavaScript": ["JavaScript"],
                    "React": ["React"],
                    "Design Systems": ["design system"],
                    "Figma": ["Figma"],
                },
                duties=["Implemented the {skill} components", "Built landing pages in {skill}"],
                degrees=["B.Sc. Computer Science"],
            ),
        ],
    ),
]
POSITIVES_PER_FIELD = 11
NEGATIVES_PER_ADJACENT_ROLE = 2


def _cv(rng: random.Random, role: Role, index: int, *, core: list[str]) -> str:
    """One CV of `role`. `core` skills (the job's own, for positives) are drawn more often."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    title = rng.choice(role.titles)
    city = rng.choice(CITIES)
    pool = list(role.skills)
    wanted = [skill for skill in pool if skill in core]
    others = [skill for skill in pool if skill not in core]
    rng.shuffle(wanted)
    rng.shuffle(others)
    at_least = min(len(wanted), max(2, len(wanted) // 2))
    chosen = wanted[: rng.randint(at_least, len(wanted))] + others[: rng.randint(1, 3)]
    rng.shuffle(chosen)
    spelled = {skill: rng.choice(role.skills[skill]) for skill in chosen}
    years = rng.randint(1, 12)
    start = 2025 - years
    in_bullets = chosen[: rng.randint(1, min(3, len(chosen)))]
    list_only = [skill for skill in chosen if skill not in in_bullets]
    bullets = [rng.choice(role.duties).format(skill=spelled[skill]) for skill in in_bullets]
    middle = start + max(1, years // 2)
    previous_title = rng.choice(role.titles)
    lines = [
        name,
        title,
        f"{city} · {name.split()[0].lower()}{index}@example.com · +49 151 {rng.randint(1000000, 9999999)}",
        "",
        "SUMMARY",
        f"{title} with {years} years of experience.",
        "",
        "EXPERIENCE",
        f"{title} — {rng.choice(EMPLOYERS)} {rng.choice(SUFFIXES)}, {city}",
        f"January {middle} – Present",
        *[f"- {bullet}" for bullet in bullets[: len(bullets) // 2 + 1]],
        "",
        f"{previous_title} — {rng.choice(EMPLOYERS)} {rng.choice(SUFFIXES)}, {rng.choice(CITIES)}",
        f"March {start} – December {middle - 1}",
        *([f"- {bullet}" for bullet in bullets[len(bullets) // 2 + 1 :]] or ["- Day-to-day work in the team."]),
        "",
        "EDUCATION",
        f"{rng.choice(role.degrees)} — University of {rng.choice(CITIES)}, {start - 1}",
    ]
    # Some people list no skills section: their skills are only in the bullets and the summary.
    if list_only and rng.random() < 0.8:
        lines += ["", "SKILLS", ", ".join(spelled[skill] for skill in list_only)]
    elif list_only:
        lines[5] += " Experienced in " + ", ".join(spelled[skill] for skill in list_only) + "."
    return "\n".join(lines) + "\n"


def build_match_corpus(*, seed: int = 7, positives: int = POSITIVES_PER_FIELD) -> tuple[list[Field], list[LabelledCV]]:
    rng = random.Random(seed)
    cvs: list[LabelledCV] = []
    for spec in FIELDS:
        core = list(spec.job["skills"])
        for index in range(positives):
            cvs.append(LabelledCV(f"{spec.name}-{index}", spec.name, _cv(rng, spec.role, len(cvs), core=core)))
        for role_index, role in enumerate(spec.adjacent):
            for index in range(NEGATIVES_PER_ADJACENT_ROLE):
                key = f"{spec.name}-adjacent{role_index}-{index}"
                cvs.append(LabelledCV(key, "", _cv(rng, role, len(cvs), core=core)))
    rng.shuffle(cvs)
    return FIELDS, cvs
