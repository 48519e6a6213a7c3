"""Word lists that tell job titles, employers, schools, degrees and places apart (accent-folded)."""

from __future__ import annotations

import re
from typing import Final

TITLE_WORDS: Final = frozenset(
    """
    engineer engineering developer programmer architect manager director head lead leader chief officer
    analyst consultant specialist coordinator assistant associate intern internship trainee apprentice
    administrator designer scientist researcher owner president vice vp cto ceo cfo coo cmo cio founder
    co-founder cofounder partner executive representative rep agent advisor adviser accountant auditor
    controller clerk secretary receptionist nurse physician doctor surgeon therapist pharmacist technician
    technologist teacher lecturer professor tutor instructor trainer coach writer editor journalist
    copywriter translator interpreter marketer strategist planner buyer merchandiser cashier salesperson
    sales support operator supervisor foreman worker driver mechanic electrician plumber carpenter welder
    chef cook waiter waitress bartender barista housekeeper caregiver counselor counsellor psychologist
    paralegal lawyer attorney solicitor counsel notary recruiter sourcer hr generalist officer steward
    student volunteer freelance freelancer contractor member fellow postdoc postdoctoral staff senior junior
    principal staff expert inspector surveyor dispatcher scheduler estimator underwriter broker banker
    trader actuary economist statistician officer medic paramedic midwife dentist hygienist optician
    veterinarian manager,
    entwickler softwareentwickler ingenieur leiter leiterin berater beraterin werkstudent werkstudentin
    praktikant praktikantin mitarbeiter mitarbeiterin referent referentin sachbearbeiter sachbearbeiterin
    geschaftsfuhrer teamleiter projektleiter abteilungsleiter kaufmann kauffrau fachinformatiker
    entwicklerin ingenieurin assistentin assistenz auszubildender gesellschafter inhaber
    developpeur developpeuse ingenieur chef responsable charge chargee directeur directrice stagiaire
    consultante gestionnaire assistante technicienne commercial commerciale alternant alternante
    desarrollador desarrolladora ingeniero ingeniera gerente jefe jefa responsable director directora
    becario becaria tecnico tecnica analista consultor consultora asistente coordinador coordinadora
    ontwikkelaar medewerker adviseur stagiair beheerder projectleider teamleider directeur eigenaar
    verpleegkundige docent leraar
    """.replace(",", " ").split()
)

# Legal forms: a part carrying one is an employer, whatever other words it has.
LEGAL_FORMS: Final = frozenset(
    ["inc", "inc.", "ltd", "ltd.", "llc", "llp", "plc", "gmbh", "ag", "kg", "ug", "se", "sa", "s.a.", "sas", "sarl", "srl", "spa", "s.p.a.", "bv", "b.v.", "nv", "n.v.", "corp", "corp.", "corporation", "co", "co.", "company", "kft", "oy", "ab", "aps", "pty", "pte", "lp", "limited"]
)
# Words common in company names, but weaker: a part with job-title words is still a title.
EMPLOYER_MARKERS: Final = LEGAL_FORMS | frozenset(
    ["group", "holding", "holdings", "bank", "partners", "labs", "lab", "systems", "solutions", "technologies", "technology", "software", "consulting", "consultancy", "services", "agency", "studio", "studios", "industries", "international", "global", "ventures", "capital", "media", "networks", "foundation", "hospital", "clinic", "klinikum", "clinique", "pharma", "pharmaceuticals", "insurance", "airlines", "motors", "energy", "logistics", "retail", "stores"]
)

INSTITUTION_WORDS: Final = frozenset(
    ["university", "universitat", "universitaet", "universite", "universidad", "universiteit", "universita", "universidade", "college", "school", "institute", "institut", "instituto", "istituto", "academy", "akademie", "academie", "academia", "hochschule", "fachhochschule", "polytechnic", "politecnico", "polytechnique", "ecole", "escuela", "escola", "hogeschool", "gymnasium", "lycee", "liceo", "seminary", "conservatory", "conservatoire", "berufsschule", "realschule", "gesamtschule", "colegio", "tu", "eth", "epfl", "mit", "ucl", "lse", "kth", "insead", "hec", "essec", "wharton", "kellogg", "iese", "esade"]
)

# Degree names, matched on accent-folded text with word boundaries; longest first.
_DEGREE_PATTERNS: Final = (
    r"bachelor(?:'?s)?(?: degree)?(?: of (?:science|arts|engineering|business administration|laws|fine arts|"
    r"commerce|education|technology|applied science))?",
    r"master(?:'?s)?(?: degree)?(?: of (?:science|arts|engineering|business administration|laws|fine arts|"
    r"public health|education|technology|research|philosophy))?",
    r"doctor(?:ate)?(?: of (?:philosophy|medicine|science))?",
    r"ph\.? ?d\.?",
    r"d\.?phil",
    r"m\.?b\.?a\.?",
    r"b\.? ?sc\.?",
    r"m\.? ?sc\.?",
    r"b\.? ?eng\.?",
    r"m\.? ?eng\.?",
    r"b\.?a\.?(?=\s|,|$)",
    r"m\.?a\.?(?=\s|,|$)",
    r"b\.?s\.?(?=\s|,|$)",
    r"m\.?s\.?(?=\s|,|$)",
    r"b\.?com",
    r"m\.?d\.?(?=\s|,|$)",
    r"j\.?d\.?(?=\s|,|$)",
    r"ll\.?m\.?",
    r"ll\.?b\.?",
    r"m\.?phil",
    r"b\.?tech",
    r"m\.?tech",
    r"associate(?:'s)? degree",
    r"associate of (?:arts|science|applied science)",
    r"a\.?a\.?s\.?",
    r"high school diploma",
    r"ged",
    r"a-levels?",
    r"gcses?",
    r"international baccalaureate",
    r"hnd",
    r"diplom(?:-| )?(?:ingenieur|informatiker|kaufmann|kauffrau|betriebswirt|volkswirt|psychologe)?",
    r"dipl\.?-? ?(?:ing|inf|kfm|oec|psych)\.?(?: \(fh\))?",
    r"diploma",
    r"diplome(?: d'ingenieur)?",
    r"magister",
    r"staatsexamen",
    r"erstes staatsexamen",
    r"zweites staatsexamen",
    r"abitur",
    r"fachabitur",
    r"mittlere reife",
    r"ausbildung(?: zum| zur)?",
    r"meister",
    r"licence(?: professionnelle)?",
    r"maitrise",
    r"baccalaureat",
    r"bac(?: \+ ?\d)?",
    r"dut",
    r"bts",
    r"doctorat",
    r"master [12]",
    r"mastere specialise",
    r"titre d'ingenieur",
    r"grado(?: en)?",
    r"licenciatura",
    r"licenciado",
    r"maestria",
    r"master universitario",
    r"doctorado",
    r"ingenieria",
    r"tecnico superior",
    r"bachillerato",
    r"hbo(?: bachelor)?",
    r"wo(?: master| bachelor)",
    r"mbo(?: niveau \d)?",
    r"propedeuse",
    r"doctoraal",
    r"laurea(?: magistrale| triennale)?",
    r"dottorato",
    r"certificate(?: of| in)?",
    r"postgraduate (?:diploma|certificate)",
    r"pgce",
    r"nvq(?: level \d)?",
)
DEGREE_PATTERN: Final = re.compile(r"(?<![\w.])(?:" + "|".join(_DEGREE_PATTERNS) + r")(?![\w])", re.IGNORECASE)

COUNTRIES: Final = frozenset(
    ["germany", "deutschland", "france", "frankreich", "spain", "espana", "spanien", "netherlands", "nederland", "niederlande", "belgium", "belgique", "belgie", "austria", "osterreich", "switzerland", "schweiz", "suisse", "italy", "italia", "italien", "portugal", "poland", "polska", "uk", "usa", "us", "canada", "mexico", "brazil", "brasil", "argentina", "chile", "colombia", "india", "china", "japan", "singapore", "australia", "ireland", "sweden", "norway", "denmark", "finland", "czechia", "hungary", "romania", "greece", "turkey", "israel", "uae", "egypt", "nigeria", "kenya", "south", "africa", "england", "scotland", "wales", "luxembourg", "estonia", "latvia", "lithuania", "ukraine", "russia", "philippines", "vietnam", "indonesia", "malaysia", "thailand", "korea", "pakistan", "bangladesh", "morocco", "tunisia", "peru", "venezuela"]
) | {"united kingdom", "united states", "new zealand", "south africa", "united arab emirates", "the netherlands"}

US_STATES: Final = frozenset(
    ["al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "dc"]
)

CITIES: Final = frozenset(
    ["berlin", "munich", "munchen", "hamburg", "frankfurt", "cologne", "koln", "stuttgart", "dusseldorf", "leipzig", "dresden", "hannover", "nuremberg", "nurnberg", "bremen", "essen", "dortmund", "bonn", "mannheim", "karlsruhe", "paris", "lyon", "marseille", "toulouse", "nice", "nantes", "strasbourg", "bordeaux", "lille", "madrid", "barcelona", "valencia", "sevilla", "seville", "bilbao", "malaga", "zaragoza", "amsterdam", "rotterdam", "utrecht", "eindhoven", "groningen", "leiden", "delft", "brussels", "bruxelles", "antwerp", "antwerpen", "ghent", "gent", "vienna", "wien", "zurich", "geneva", "geneve", "basel", "bern", "lausanne", "london", "manchester", "birmingham", "edinburgh", "glasgow", "bristol", "leeds", "dublin", "new", "york", "san", "francisco", "seattle", "boston", "chicago", "austin", "denver", "los", "angeles", "atlanta", "miami", "toronto", "vancouver", "montreal", "sydney", "melbourne", "singapore", "milan", "milano", "rome", "roma", "turin", "lisbon", "lisboa", "porto", "warsaw", "krakow", "prague", "budapest", "copenhagen", "stockholm", "oslo", "helsinki", "remote"]
) | {"new york", "san francisco", "los angeles", "the hague", "den haag", "san diego", "washington"}
