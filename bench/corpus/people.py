# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Synthetic people for the labelled CV corpus: names, jobs, schools and skills from several countries
and trades, drawn deterministically from a seeded random generator."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST_NAMES = (
    "Anna",
    "Lukas",
    "Sophie",
    "Jonas",
    "Marie",
    "Léa",
    "Hugo",
    "Chloé",
    "Lucía",
    "Mateo",
    "Sofía",
    "Daan",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Amelia",
    "Oliver",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Fatima",
    "Omar",
    "Zoë",
    "Jean-Luc",
    "Anne-Marie",
    "Björn",
    "Åsa",
    "Søren",
    "Ingrid",
    "Giulia",
    "Marco",
    "Aoife",
    "Seán",
    "Kwame",
    "Amara",
    "Yuki",
    "Hiroshi",
    "Elif",
    "Mehmet",
    "Agnieszka",
    "Tomasz",
    "Nikolai",
    "Elena",
    "Pablo",
    "Camille",
    "Thijs",
    "Femke",
    "Grace",
    "Samuel",
    "Isabel",
    "Rafael",
    "Maja",
    "Jakub",
    "Chiara",
    "Ömer",
)
LAST_NAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "García",
    "Martínez",
    "López",
    "de Vries",
    "van den Berg",
    "Jansen",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Patel",
    "Sharma",
    "Chen",
    "Wang",
    "Haddad",
    "Nguyen",
    "O'Connor",
    "Kowalski",
    "Nowak",
    "Rossi",
    "Bianchi",
    "Andersson",
    "Nielsen",
    "Yılmaz",
    "Tanaka",
    "Okafor",
    "Mensah",
    "Ivanova",
    "Petrov",
    "Fernández",
    "Silva",
    "Costa",
    "Bakker",
    "Visser",
    "Dupont",
    "Schulz-Hoffmann",
    "Martin",
    "Thompson",
    "Kim",
    "Park",
    "Rahman",
    "Hughes",
)
CITIES = (
    ("Berlin", "Germany", "+49"),
    ("Munich", "Germany", "+49"),
    ("Hamburg", "Germany", "+49"),
    ("Paris", "France", "+33"),
    ("Lyon", "France", "+33"),
    ("Madrid", "Spain", "+34"),
    ("Barcelona", "Spain", "+34"),
    ("Amsterdam", "Netherlands", "+31"),
    ("Rotterdam", "Netherlands", "+31"),
    ("London", "United Kingdom", "+44"),
    ("Manchester", "United Kingdom", "+44"),
    ("Dublin", "Ireland", "+353"),
    ("Vienna", "Austria", "+43"),
    ("Zurich", "Switzerland", "+41"),
    ("Austin", "TX", "+1"),
    ("Seattle", "WA", "+1"),
    ("Toronto", "Canada", "+1"),
    ("Lisbon", "Portugal", "+351"),
)
EMAIL_DOMAINS = ("example.com", "mail.example.org", "posteo.example", "web.example.de", "outlook.example.net")


@dataclass(frozen=True)
class Trade:
    """A line of work: job titles at three levels, employers, degrees and skills people list."""

    titles: tuple[str, ...]
    employers: tuple[str, ...]
    degrees: tuple[tuple[str, str], ...]  # (degree, field)
    skills: tuple[str, ...]
    extra_skills: tuple[str, ...]  # listed skills outside the parser's vocabulary
    bullets: tuple[str, ...]  # "{skill}" is replaced by one of the person's skills


TRADES = (
    Trade(
        titles=(
            "Software Engineer",
            "Backend Developer",
            "Senior Software Engineer",
            "Full Stack Developer",
            "Lead Engineer",
            "Platform Engineer",
        ),
        employers=(
            "Zalando SE",
            "SAP SE",
            "Spotify AB",
            "Booking.com B.V.",
            "Klarna Bank AB",
            "N26 GmbH",
            "Shopify Inc.",
            "Adyen N.V.",
            "Delivery Hero",
            "Celonis",
            "Personio GmbH",
            "Contentful",
            "Mollie",
            "Doctolib SAS",
            "Glovo",
            "Bolt Technology OÜ",
        ),
        degrees=(
            ("BSc", "Computer Science"),
            ("M.Sc.", "Informatik"),
            ("Master of Science", "Software Engineering"),
            ("Bachelor of Engineering", "Computer Engineering"),
            ("Diplom-Informatiker", "Informatik"),
        ),
        skills=(
            "Python",
            "Django",
            "PostgreSQL",
            "Docker",
            "Kubernetes",
            "AWS",
            "TypeScript",
            "React",
            "Go",
            "Terraform",
            "Redis",
            "Apache Kafka",
            "GraphQL",
            "Java",
            "Spring Boot",
            "Git",
            "Linux",
            "CI/CD",
        ),
        extra_skills=("Domain modelling", "Event sourcing", "Code review culture"),
        bullets=(
            "Built and operated services in {skill} handling 2M requests per day",
            "Migrated the monolith to {skill}, cutting deployment time by 60%",
            "Mentored four junior developers and introduced {skill} best practices",
            "Designed the public API and its documentation",
        ),
    ),
    Trade(
        titles=(
            "Data Analyst",
            "Data Scientist",
            "Senior Data Scientist",
            "Analytics Engineer",
            "Machine Learning Engineer",
            "BI Developer",
        ),
        employers=(
            "Deutsche Bank AG",
            "ING Groep N.V.",
            "Allianz SE",
            "Criteo",
            "Ocado Group plc",
            "Revolut Ltd",
            "Trivago N.V.",
            "HelloFresh SE",
            "Datadog",
            "Palantir Technologies",
        ),
        degrees=(
            ("MSc", "Statistics"),
            ("BSc", "Mathematics"),
            ("PhD", "Physics"),
            ("M.Sc.", "Data Science"),
            ("Master", "Économétrie"),
        ),
        skills=(
            "Python",
            "SQL",
            "Pandas",
            "scikit-learn",
            "Tableau",
            "Power BI",
            "Apache Spark",
            "TensorFlow",
            "PyTorch",
            "Statistics",
            "A/B Testing",
            "dbt",
            "Snowflake",
            "Machine Learning",
            "R",
            "Looker",
        ),
        extra_skills=("Causal inference", "Survey design", "Uplift modelling"),
        bullets=(
            "Built churn models in {skill} that reduced cancellations by 12%",
            "Automated weekly reporting with {skill} for 40 stakeholders",
            "Ran pricing experiments and presented results to the board",
            "Owned the {skill} data model for marketing attribution",
        ),
    ),
    Trade(
        titles=(
            "Account Executive",
            "Sales Manager",
            "Key Account Manager",
            "Business Development Manager",
            "Head of Sales",
            "Sales Representative",
        ),
        employers=(
            "Salesforce",
            "Siemens AG",
            "L'Oréal S.A.",
            "Unilever PLC",
            "Henkel AG & Co. KGaA",
            "Philips N.V.",
            "Oracle Corporation",
            "Randstad",
            "Telefónica S.A.",
            "HubSpot Inc.",
        ),
        degrees=(
            ("Bachelor of Arts", "Business Administration"),
            ("BA", "Marketing"),
            ("MBA", ""),
            ("Licence", "Commerce international"),
            ("Grado", "Administración de Empresas"),
        ),
        skills=(
            "Salesforce",
            "HubSpot",
            "Negotiation",
            "Key Account Management",
            "Lead Generation",
            "Business Development",
            "Microsoft Excel",
            "B2B Sales",
            "Pipeline Management",
            "Cold Calling",
            "Customer Relationship Management",
            "Solution Selling",
        ),
        extra_skills=("Tender management", "Trade fair presence", "MEDDIC qualification"),
        bullets=(
            "Exceeded quota by 135% for three consecutive years",
            "Managed a portfolio of 45 enterprise accounts using {skill}",
            "Opened the Benelux market and signed 12 new logos",
            "Introduced {skill} to shorten the sales cycle by three weeks",
        ),
    ),
    Trade(
        titles=(
            "Registered Nurse",
            "Staff Nurse",
            "Clinical Nurse Specialist",
            "Charge Nurse",
            "Nurse Practitioner",
            "Ward Manager",
        ),
        employers=(
            "Charité Universitätsmedizin Berlin",
            "Hôpital Necker",
            "Hospital Clínic de Barcelona",
            "Guy's and St Thomas' NHS Foundation Trust",
            "Erasmus MC",
            "Mayo Clinic",
            "Vivantes Klinikum",
            "Helios Kliniken GmbH",
        ),
        degrees=(
            ("Bachelor of Science", "Nursing"),
            ("BSc", "Nursing"),
            ("Diploma", "Nursing"),
            ("Master of Science", "Advanced Practice Nursing"),
            ("Grado", "Enfermería"),
        ),
        skills=(
            "Patient Care",
            "Medication Administration",
            "Wound Care",
            "Electronic Health Records",
            "Basic Life Support",
            "Advanced Cardiac Life Support",
            "Triage",
            "Infection Control",
            "Intensive Care",
            "Phlebotomy",
            "Epic",
            "Vital Signs",
        ),
        extra_skills=("Discharge planning", "Palliative care conversations", "Ward rota planning"),
        bullets=(
            "Cared for up to 8 patients per shift on a 30-bed cardiology ward",
            "Trained new staff in {skill} and hygiene protocols",
            "Coordinated admissions with physicians and social services",
            "Documented care plans in {skill}",
        ),
    ),
    Trade(
        titles=(
            "Marketing Manager",
            "Digital Marketing Specialist",
            "Content Marketing Manager",
            "Growth Marketer",
            "SEO Specialist",
            "Head of Marketing",
        ),
        employers=(
            "Zalando SE",
            "Decathlon SA",
            "Inditex S.A.",
            "Adidas AG",
            "Ogilvy",
            "Publicis Groupe",
            "Jung von Matt AG",
            "Rituals Cosmetics B.V.",
            "Mailchimp",
            "Canva Pty Ltd",
        ),
        degrees=(
            ("Bachelor of Arts", "Communication"),
            ("MA", "Marketing"),
            ("BSc", "Business Studies"),
            ("Master", "Marketing Digital"),
            ("HBO Bachelor", "Commerciële Economie"),
        ),
        skills=(
            "Search Engine Optimization",
            "Google Analytics",
            "Google Ads",
            "Content Marketing",
            "Email Marketing",
            "HubSpot",
            "Social Media Marketing",
            "Copywriting",
            "Canva",
            "Figma",
            "Marketing Automation",
            "Market Research",
            "WordPress",
            "A/B Testing",
        ),
        extra_skills=("Brand storytelling", "Community building", "Podcast production"),
        bullets=(
            "Grew organic traffic by 80% in 12 months through {skill}",
            "Managed a yearly paid media budget of EUR 1.2M",
            "Launched the newsletter programme with {skill} (45% open rate)",
            "Led a team of three content creators",
        ),
    ),
    Trade(
        titles=(
            "Financial Analyst",
            "Accountant",
            "Senior Accountant",
            "Financial Controller",
            "Auditor",
            "FP&A Manager",
        ),
        employers=(
            "KPMG AG",
            "Deloitte LLP",
            "PwC",
            "Ernst & Young GmbH",
            "BNP Paribas S.A.",
            "Banco Santander",
            "ABN AMRO Bank N.V.",
            "Bosch GmbH",
            "Nestlé S.A.",
            "Accenture",
        ),
        degrees=(
            ("Bachelor of Science", "Accounting"),
            ("MSc", "Finance"),
            ("Master", "Finance d'entreprise"),
            ("B.A.", "Betriebswirtschaftslehre"),
            ("Máster", "Auditoría"),
        ),
        skills=(
            "Financial Reporting",
            "IFRS",
            "SAP",
            "Microsoft Excel",
            "Financial Modeling",
            "Budgeting",
            "Controlling",
            "Auditing",
            "DATEV",
            "Power BI",
            "Accounts Payable",
            "Reconciliation",
            "US GAAP",
        ),
        extra_skills=("Month-end close", "Intercompany settlements", "Transfer pricing"),
        bullets=(
            "Prepared monthly and annual statements under {skill}",
            "Reduced the month-end close from 10 to 6 days",
            "Built the group budget model in {skill}",
            "Coordinated external auditors for three subsidiaries",
        ),
    ),
    Trade(
        titles=(
            "UX Designer",
            "Product Designer",
            "Senior UI Designer",
            "Graphic Designer",
            "Design Lead",
            "UX Researcher",
        ),
        employers=(
            "IDEO",
            "Frog Design",
            "Spotify AB",
            "Miro",
            "MetaDesign GmbH",
            "Airbnb, Inc.",
            "Studio Dumbar",
            "Pentagram",
            "Mural",
            "Blablacar",
        ),
        degrees=(
            ("BA", "Graphic Design"),
            ("Master of Arts", "Interaction Design"),
            ("BFA", "Visual Communication"),
            ("Diplôme", "Design Graphique"),
            ("Bachelor", "Communication Design"),
        ),
        skills=(
            "Figma",
            "Sketch",
            "Adobe Photoshop",
            "Adobe Illustrator",
            "Prototyping",
            "User Research",
            "Wireframing",
            "Design Systems",
            "Usability Testing",
            "Adobe XD",
            "Interaction Design",
            "Accessibility",
            "Miro",
        ),
        extra_skills=("Service blueprints", "Journey mapping", "Workshop facilitation"),
        bullets=(
            "Redesigned the checkout flow in {skill}, lifting conversion by 9%",
            "Built and maintained the company design system",
            "Ran 40+ usability sessions with {skill}",
            "Worked with engineers to ship accessible components",
        ),
    ),
    Trade(
        titles=(
            "HR Business Partner",
            "Recruiter",
            "Talent Acquisition Specialist",
            "HR Manager",
            "People Operations Lead",
            "HR Generalist",
        ),
        employers=(
            "Personio GmbH",
            "Adecco Group AG",
            "Hays plc",
            "Michael Page",
            "Bayer AG",
            "Airbus SE",
            "Heineken N.V.",
            "Capgemini SE",
            "Workday, Inc.",
        ),
        degrees=(
            ("Bachelor of Arts", "Psychology"),
            ("MSc", "Human Resource Management"),
            ("Master", "Ressources Humaines"),
            ("B.A.", "Personalmanagement"),
            ("Grado", "Relaciones Laborales"),
        ),
        skills=(
            "Recruiting",
            "Onboarding",
            "Employee Relations",
            "Workday",
            "Personio",
            "Performance Management",
            "Labor Law",
            "Compensation and Benefits",
            "Talent Management",
            "Employer Branding",
            "Sourcing",
            "LinkedIn Recruiter",
            "HRIS",
        ),
        extra_skills=("Works council negotiations", "Exit interviews", "Competency frameworks"),
        bullets=(
            "Hired 60 engineers in one year with a 90% offer acceptance rate",
            "Introduced {skill} across four countries",
            "Advised managers on performance reviews and {skill}",
            "Rolled out a new onboarding programme",
        ),
    ),
)

LANGUAGES = ("English", "German", "French", "Spanish", "Dutch", "Italian", "Portuguese", "Polish", "Turkish")
LEVELS = ("native", "fluent", "C1", "B2", "B1", "basic")
CERTIFICATIONS = (
    "AWS Certified Solutions Architect",
    "PMP",
    "Scrum Master (PSM I)",
    "Google Analytics IQ",
    "CPA",
    "ACLS Provider",
    "CIPD Level 5",
    "Certified Kubernetes Administrator",
)
SCHOOLS = (
    "Technische Universität München",
    "Humboldt-Universität zu Berlin",
    "Université Paris-Saclay",
    "Universidad Complutense de Madrid",
    "Universiteit van Amsterdam",
    "University of Manchester",
    "Trinity College Dublin",
    "Universität Wien",
    "ETH Zürich",
    "University of Texas at Austin",
    "Sciences Po",
    "Hogeschool Rotterdam",
    "Universidad de Barcelona",
    "Hochschule München",
    "KTH Royal Institute of Technology",
    "Politecnico di Milano",
    "Universidade de Lisboa",
    "Freie Universität Berlin",
    "HEC Paris",
    "King's College London",
)


@dataclass
class Job:
    title: str
    employer: str
    city: str
    start: tuple[int, int]  # (year, month)
    end: tuple[int, int] | None  # None: current job
    bullets: list[str]


@dataclass
class Study:
    degree: str
    field_of_study: str
    school: str
    start: int
    end: int


@dataclass
class Person:
    first: str
    last: str
    email: str
    phone: str
    city: str
    country: str
    headline: str
    summary: str
    skills: list[str]  # as listed in the skills section
    prose_skills: list[str]  # skills that only appear in bullets
    jobs: list[Job]
    studies: list[Study]
    languages: list[tuple[str, str]]
    certifications: list[str]
    links: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def make_person(rng: random.Random) -> Person:
    trade = rng.choice(TRADES)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, country, prefix = rng.choice(CITIES)
    skills = rng.sample(trade.skills, k=rng.randint(6, min(10, len(trade.skills))))
    listed = skills[: len(skills) - 2] + rng.sample(trade.extra_skills, k=rng.randint(0, 2))
    prose_skills = skills[len(skills) - 2 :]
    jobs = _make_jobs(rng, trade, prose_skills + listed)
    studies = _make_studies(rng, trade, first_job_year=jobs[-1].start[0])
    local_name = _ascii(first).lower().replace(" ", "") + "." + _ascii(last).lower().replace(" ", "").replace("'", "")
    links = [f"linkedin.com/in/{local_name.replace('.', '-')}"] if rng.random() < 0.6 else []
    return Person(
        first=first,
        last=last,
        email=f"{local_name}@{rng.choice(EMAIL_DOMAINS)}",
        phone=_phone(rng, prefix),
        city=city,
        country=country,
        headline=jobs[0].title,
        summary=f"{jobs[0].title} with {2025 - jobs[-1].start[0]} years of experience. "
        f"Known for {rng.choice(('calm delivery', 'clear communication', 'ownership', 'curiosity'))} "
        f"and for working across teams.",
        skills=listed,
        prose_skills=prose_skills,
        jobs=jobs,
        studies=studies,
        languages=[(language, rng.choice(LEVELS)) for language in rng.sample(LANGUAGES, k=rng.randint(2, 3))],
        certifications=rng.sample(CERTIFICATIONS, k=rng.randint(0, 2)),
        links=links,
    )


def _make_jobs(rng: random.Random, trade: Trade, skills: list[str]) -> list[Job]:
    jobs: list[Job] = []
    end: tuple[int, int] | None = None
    year, month = 2025, rng.randint(1, 12)
    for _ in range(rng.randint(2, 4)):
        length = rng.randint(14, 50)
        start_index = year * 12 + month - 1 - length
        start = (start_index // 12, start_index % 12 + 1)
        bullets = [bullet.format(skill=rng.choice(skills)) for bullet in rng.sample(trade.bullets, k=rng.randint(1, 3))]
        titles = [job.title for job in jobs]
        title = rng.choice([title for title in trade.titles if title not in titles])
        employers = [job.employer for job in jobs]
        employer = rng.choice([name for name in trade.employers if name not in employers])
        city = rng.choice(CITIES)[0]
        jobs.append(Job(title, employer, city, start, end, bullets))
        gap = rng.randint(0, 4)
        end_index = start_index - gap
        end = (end_index // 12, end_index % 12 + 1)
        year, month = end
    return jobs


def _make_studies(rng: random.Random, trade: Trade, first_job_year: int) -> list[Study]:
    studies: list[Study] = []
    end = first_job_year
    for degree, field_of_study in rng.sample(trade.degrees, k=rng.randint(1, 2)):
        length = rng.randint(2, 4)
        studies.append(Study(degree, field_of_study, rng.choice(SCHOOLS), end - length, end))
        end -= length
    return studies


def _phone(rng: random.Random, prefix: str) -> str:
    digits = "".join(str(rng.randint(0, 9)) for _ in range(9))
    style = rng.randrange(6)
    if prefix == "+1":
        return rng.choice(
            (
                f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}1",
                f"({digits[:3]}) {digits[3:6]}-{digits[6:]}1",
                f"+1 {digits[:3]}.{digits[3:6]}.{digits[6:]}1",
            )
        )
    if style == 0:
        return f"{prefix} {digits[:3]} {digits[3:6]} {digits[6:]}"
    if style == 1:
        return f"{prefix} (0){digits[:2]} {digits[2:6]} {digits[6:]}"
    if style == 2:
        return f"0{digits[:3]} {digits[3:]}"
    if style == 3:
        return f"{prefix}-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if style == 4:
        return f"0{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:9]}"
    return f"00{prefix[1:]} {digits[:4]} {digits[4:]}"


def _ascii(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        character for character in decomposed if not unicodedata.combining(character) and character.isascii()
    )
