"""Known skills, with synonyms, across trades: the dictionary the rule-based parser matches against.

Each entry is "Canonical Name" or "Canonical Name|synonym|synonym". Matching is case-folded on
word boundaries. Names that are also everyday words ("Go", "R", "Excel", "Swift") are listed in
`CASE_SENSITIVE_SKILLS` and only match with their exact capitalisation outside a skills section.
"""

from __future__ import annotations

from typing import Final

_SOFTWARE = """
Python|python3|py
Java|java se|java ee|j2ee
JavaScript|js|javascript es6|es6|ecmascript
TypeScript|ts
C|ansi c
C++|cpp|c plus plus
C#|c sharp|csharp
Go|golang
Rust
Ruby
PHP
Kotlin
Swift
Objective-C|objective c|objc
Scala
R
MATLAB
Perl
Bash|shell scripting|shell|sh
PowerShell
Haskell
Elixir
Erlang
Clojure
Dart
Lua
Julia
Fortran
COBOL
Visual Basic|vb|vb.net|vba
Assembly|assembler
Solidity
Groovy
F#
SQL|structured query language
PL/SQL|plsql
T-SQL|tsql
NoSQL
GraphQL
HTML|html5
CSS|css3
Sass|scss
Less
Tailwind CSS|tailwind|tailwindcss
Bootstrap
React|react.js|reactjs
React Native
Angular|angularjs|angular.js
Vue.js|vue|vuejs
Svelte
Next.js|nextjs
Nuxt.js|nuxt
Node.js|node|nodejs
Express.js|express|expressjs
NestJS|nest.js
jQuery
Redux
Webpack
Vite
Django|django rest framework|drf
Flask
FastAPI
Spring|spring framework
Spring Boot|springboot
Hibernate
Ruby on Rails|rails|ror
Laravel
Symfony
.NET|dotnet|.net core|asp.net|asp.net core
Entity Framework
Blazor
Qt
Unity|unity3d
Unreal Engine|unreal
Android|android sdk
iOS
SwiftUI
Flutter
Xamarin
Electron
REST|rest api|rest apis|restful|restful apis
gRPC
SOAP
WebSockets|websocket
Microservices|microservice architecture
OAuth|oauth2|oauth 2.0
JSON
XML
PostgreSQL|postgres|postgre|psql
MySQL
MariaDB
SQLite
Oracle Database|oracle db|oracle
Microsoft SQL Server|sql server|mssql|ms sql
MongoDB|mongo
Redis
Cassandra
DynamoDB
Elasticsearch|elastic search|elk
OpenSearch
Neo4j
CouchDB
Firebase
Supabase
Snowflake
BigQuery|google bigquery
Redshift|amazon redshift
Databricks
ClickHouse
InfluxDB
Memcached
RabbitMQ
Apache Kafka|kafka
Celery
ActiveMQ
Docker|docker compose|docker-compose
Kubernetes|k8s
Helm
OpenShift
Terraform
Ansible
Puppet
Chef
Vagrant
Jenkins
GitLab CI|gitlab ci/cd|gitlab-ci
GitHub Actions
CircleCI
Travis CI
Argo CD|argocd
CI/CD|ci cd|continuous integration|continuous delivery|continuous deployment
Git|git version control
GitHub
GitLab
Bitbucket
SVN|subversion
Linux|gnu/linux
Unix
Windows Server
macOS
Nginx
Apache HTTP Server|apache httpd
AWS|amazon web services
AWS Lambda|lambda
Amazon S3|s3
Amazon EC2|ec2
Microsoft Azure|azure
Google Cloud Platform|gcp|google cloud
Heroku
DigitalOcean
Cloudflare
Serverless
Prometheus
Grafana
Datadog
New Relic
Splunk
Sentry
OpenTelemetry
Kibana
Logstash
Istio
Linkerd
Vault|hashicorp vault
Consul
Nomad
Jira
Confluence
Trello
Asana
Notion
Slack
Postman
Swagger|openapi
Selenium
Cypress
Playwright
Jest
Mocha
pytest
JUnit
TestNG
Cucumber
Appium
TDD|test-driven development|test driven development
BDD|behaviour-driven development|behavior-driven development
Unit Testing|unit tests
Test Automation|automated testing
Manual Testing
QA|quality assurance
Agile|agile methodologies
Scrum
Kanban
SAFe
Lean
DevOps
SRE|site reliability engineering
Object-Oriented Programming|oop|object oriented programming
Functional Programming
Design Patterns
System Design
Distributed Systems
Data Structures
Algorithms
Embedded Systems|embedded
RTOS
FPGA
VHDL
Verilog
PLC
SCADA
IoT|internet of things
Blockchain
Web3
Cybersecurity|cyber security|information security|infosec
Penetration Testing|pentesting|pen testing
SIEM
ISO 27001
OWASP
Network Security
Firewalls
Cryptography
Identity and Access Management|iam
Active Directory
LDAP
TCP/IP
DNS
VPN
Networking|computer networking
Cisco|cisco ios
CCNA
VMware|vsphere
Hyper-V
Virtualization
Citrix
Office 365|microsoft 365|o365
SharePoint
Power Automate
Power Apps
Dynamics 365|microsoft dynamics
Salesforce|salesforce crm|sfdc
HubSpot
Zendesk
ServiceNow
ITIL
SAP|sap erp|sap s/4hana|s/4hana
SAP FI/CO|sap fico
Oracle E-Business Suite|oracle ebs
Workday
NetSuite
Shopify
WordPress
Drupal
Magento
Webflow
"""

_DATA = """
Machine Learning|ml
Deep Learning
Artificial Intelligence|ai
Natural Language Processing|nlp
Computer Vision
Large Language Models|llm|llms
Generative AI|genai
Prompt Engineering
Reinforcement Learning
Data Science
Data Analysis|data analytics
Data Engineering
Data Visualization|data visualisation
Data Mining
Data Modeling|data modelling
Data Warehousing|data warehouse
ETL|elt
Big Data
Statistics|statistical analysis
A/B Testing|ab testing|split testing
Predictive Modeling|predictive modelling
Time Series Analysis|time series
Forecasting
Pandas
NumPy
SciPy
scikit-learn|sklearn|scikit learn
TensorFlow
Keras
PyTorch
Hugging Face|huggingface|transformers
LangChain
OpenCV
spaCy
NLTK
XGBoost
LightGBM
Matplotlib
Seaborn
Plotly
Jupyter|jupyter notebook
Apache Spark|spark|pyspark
Hadoop
Hive
Apache Airflow|airflow
dbt
Apache Flink|flink
Kafka Streams
Tableau
Power BI|powerbi
Looker
Qlik|qlikview|qlik sense
Google Analytics|ga4
Google Tag Manager
Microsoft Excel|excel|ms excel|advanced excel
Microsoft Word|ms word
Microsoft PowerPoint|powerpoint|ms powerpoint
Microsoft Office|ms office|office suite
Microsoft Access|ms access
Google Sheets
Google Workspace|g suite
SPSS
SAS
Stata
Alteryx
MLOps
MLflow
Kubeflow
SageMaker|amazon sagemaker
Vertex AI
"""

_DESIGN = """
Figma
Sketch
Adobe XD
Adobe Photoshop|photoshop
Adobe Illustrator|illustrator
Adobe InDesign|indesign
Adobe Premiere Pro|premiere pro|premiere
Adobe After Effects|after effects
Adobe Lightroom|lightroom
Adobe Creative Suite|adobe creative cloud|creative cloud
Canva
InVision
Axure
Balsamiq
Miro
Framer
Blender
Cinema 4D
Maya|autodesk maya
3ds Max
AutoCAD
Revit
SolidWorks
CATIA
Fusion 360
SketchUp
Rhino
UX Design|user experience|ux
UI Design|user interface design|ui
UX Research|user research
Usability Testing
Wireframing|wireframes
Prototyping
Interaction Design
Visual Design
Graphic Design
Motion Design|motion graphics
Typography
Branding|brand identity
Illustration
Design Systems
Accessibility|wcag|a11y
Responsive Design
Information Architecture
Design Thinking
Video Editing
Photography
Copywriting
Content Writing
Technical Writing
Editing|proofreading
"""

_BUSINESS = """
Sales
B2B Sales|b2b
B2C Sales|b2c
Business Development
Account Management
Key Account Management|kam
Lead Generation
Cold Calling
Negotiation
Prospecting
Pipeline Management
Sales Forecasting
Customer Relationship Management|crm
Customer Success
Customer Service|customer support
Inside Sales
Solution Selling
Consultative Selling
Territory Management
Channel Sales
Retail Sales
Marketing
Digital Marketing|online marketing
Content Marketing
Social Media Marketing|social media
Email Marketing
Marketing Automation
Search Engine Optimization|seo
Search Engine Marketing|sem
Pay-Per-Click|ppc
Google Ads|adwords|google adwords
Facebook Ads|meta ads
LinkedIn Ads
Performance Marketing
Growth Marketing|growth hacking
Product Marketing
Brand Management
Market Research
Competitive Analysis
Public Relations|pr
Event Management|event planning
Affiliate Marketing
Influencer Marketing
Mailchimp
Marketo
Pardot
Hootsuite
SEMrush
Ahrefs
Conversion Rate Optimization|cro
Campaign Management
Product Management
Product Strategy
Roadmapping|product roadmap
User Stories
Requirements Analysis|requirements gathering|requirements engineering
Business Analysis
Stakeholder Management
Project Management
Program Management
Change Management
Risk Management
Strategic Planning|strategy
Business Strategy
Operations Management
Process Improvement|continuous improvement
Six Sigma|lean six sigma
PRINCE2
PMP
Budgeting
Vendor Management
Procurement
Supply Chain Management|supply chain
Logistics
Inventory Management
Warehouse Management
Demand Planning
Purchasing
Contract Management
Quality Management|qms
ISO 9001
Lean Manufacturing
Kaizen
5S
Production Planning
Facility Management
Fleet Management
Import/Export|foreign trade
Customs Compliance
"""

_FINANCE = """
Accounting
Financial Accounting
Management Accounting|cost accounting
Bookkeeping
Financial Analysis
Financial Modeling|financial modelling
Financial Reporting
Financial Planning|fp&a
Budget Planning
Forecasting and Budgeting
Auditing|audit|internal audit|external audit
Tax|taxation|tax accounting
Payroll
Accounts Payable
Accounts Receivable
General Ledger
Reconciliation|account reconciliation
IFRS
US GAAP|gaap
HGB
Controlling
Treasury
Cash Flow Management|cash management
Corporate Finance
Investment Banking
Mergers and Acquisitions|m&a
Due Diligence
Valuation
Private Equity
Venture Capital
Portfolio Management
Asset Management
Wealth Management
Risk Analysis
Credit Analysis|credit risk
Compliance|regulatory compliance
Anti-Money Laundering|aml
KYC|know your customer
Basel III
Solvency II
Actuarial Science
Equity Research
Trading
Derivatives
Bloomberg Terminal|bloomberg
QuickBooks
Xero
DATEV
Sage
Lexware
SAP FI
Oracle Financials
Hyperion
"""

_HEALTH = """
Patient Care
Nursing
Clinical Research
Clinical Trials
Good Clinical Practice|gcp certified
Electronic Health Records|ehr|emr|electronic medical records
Epic|epic systems
Cerner
Medical Coding|icd-10|icd10
Medical Billing
HIPAA
Phlebotomy
Vital Signs
Wound Care
Medication Administration
Triage
Basic Life Support|bls
Advanced Cardiac Life Support|acls
CPR|first aid
Infection Control
Intensive Care|icu
Emergency Medicine
Pediatrics|paediatrics
Geriatrics|elderly care
Oncology
Cardiology
Radiology
Physiotherapy|physical therapy
Occupational Therapy
Pharmacology
Pharmacy
Laboratory Techniques|lab techniques
PCR
ELISA
Cell Culture
Microbiology
Molecular Biology
Biochemistry
Bioinformatics
Biostatistics
Epidemiology
Public Health
Mental Health
Counseling|counselling
Case Management
Healthcare Management|hospital administration
Regulatory Affairs
Pharmacovigilance
GMP|good manufacturing practice
GLP|good laboratory practice
Medical Devices
Dental Care|dentistry
Nutrition|dietetics
"""

_PEOPLE = """
Recruiting|recruitment|talent acquisition
Sourcing|talent sourcing
Interviewing
Onboarding
Employee Relations
Performance Management
Compensation and Benefits|compensation & benefits|c&b
HR Management|human resources|hrm
Talent Management
Learning and Development|l&d|training and development
Employer Branding
Workforce Planning
Succession Planning
Labor Law|employment law|labour law|arbeitsrecht
HRIS
SAP SuccessFactors|successfactors
Personio
Greenhouse
Workable
BambooHR
LinkedIn Recruiter
Diversity and Inclusion|dei|diversity & inclusion
Organizational Development|organisational development
Coaching
Mentoring
Team Leadership|leadership|people management
Team Management
Training|trainer
Teaching
Curriculum Development
E-Learning|elearning
Moodle
Public Speaking|presentation skills|presentations
Communication|communication skills
Teamwork|team player
Problem Solving|problem-solving
Critical Thinking
Time Management
Conflict Resolution
Customer Focus
Attention to Detail
Multitasking
Adaptability
Creativity
Decision Making
Emotional Intelligence
Intercultural Competence|cross-cultural communication
"""

_OPERATIONS_AND_TRADES = """
Legal Research
Contract Drafting
Litigation
Corporate Law
Intellectual Property|ip law
GDPR|data protection|dsgvo
Paralegal
Real Estate
Property Management
Construction Management
Civil Engineering
Mechanical Engineering
Electrical Engineering
Structural Engineering
HVAC
CAD
CNC|cnc machining
Welding
Quality Control|qc
Quality Assurance Testing
Root Cause Analysis|rca
FMEA
Lean Management
Health and Safety|hse|occupational safety|ehs
Forklift|forklift operation
Hospitality
Food Safety|haccp
Cooking|culinary
Bartending
Housekeeping
Front Office
Reservations
Point of Sale|pos
Cash Handling
Merchandising
Visual Merchandising
Store Management
Call Center|call centre
Data Entry
Office Administration|administration
Scheduling
Travel Management
Translation
Interpreting
Journalism
Research
Grant Writing
Fundraising
Community Management
Social Work
"""

_SKILL_BLOCKS = (_SOFTWARE, _DATA, _DESIGN, _BUSINESS, _FINANCE, _HEALTH, _PEOPLE, _OPERATIONS_AND_TRADES)

# Product names that are also ordinary words: outside a skills section they match only when written
# exactly like this ("Go", "Swift"), never as the word ("go", "swift").
CASE_SENSITIVE_SKILLS: Final = frozenset(
    [
        "Go",
        "Swift",
        "Rust",
        "Ruby",
        "Spring",
        "React",
        "Chef",
        "Puppet",
        "Unity",
        "Lean",
        "Less",
        "Sage",
        "Epic",
        "Hive",
        "Vault",
        "Consul",
        "Nomad",
        "Sketch",
        "Maya",
        "Rhino",
        "Lua",
        "Julia",
        "Dart",
        "Helm",
        "Flask",
        "Django",
        "Celery",
        "Electron",
        "Angular",
        "Shopify",
        "Notion",
        "Slack",
        "Asana",
        "Trello",
        "Sentry",
        "Blazor",
        "Jest",
        "Mocha",
        "Vite",
        "Redux",
        "Bootstrap",
        "Qt",
        "Canva",
        "Miro",
        "Framer",
        "Blender",
        "Workday",
        "Xero",
        "Greenhouse",
        "Workable",
        "Assembly",
        "Kanban",
        "Scrum",
        "Agile",
        "Cucumber",
        "Consul",
        "Grafana",
        "Looker",
        "Alteryx",
        "Marketo",
        "Pardot",
        "Personio",
        "Moodle",
        "Cerner",
        "Cypress",
        "Playwright",
        "Selenium",
        "Trading",
        "Serverless",
        "Linux",
        "Unix",
        "SAS",
        "SAP",
        "Sass",
    ]
)

# Generic trade words ("Sales", "Research") and soft skills: too common in running text to count as
# a skill anywhere but inside a skills list.
SKILLS_SECTION_ONLY: Final = frozenset(
    {
        "C",
        "R",
        "Sales",
        "Marketing",
        "Tax",
        "Training",
        "Teaching",
        "Research",
        "Translation",
        "Editing",
        "Coaching",
        "Mentoring",
        "Illustration",
        "Photography",
        "Branding",
        "Nursing",
        "Pharmacy",
        "Accounting",
        "Auditing",
        "Controlling",
        "Logistics",
        "Purchasing",
        "Scheduling",
        "Forecasting",
        "Budgeting",
        "Valuation",
        "Compliance",
        "Treasury",
        "Payroll",
        "Interviewing",
        "Onboarding",
        "Sourcing",
        "Recruiting",
        "Fundraising",
        "Cooking",
        "Housekeeping",
        "Welding",
        "Team Leadership",
        "Communication",
        "Teamwork",
        "Creativity",
        "Adaptability",
        "Multitasking",
        "Prototyping",
        "Typography",
        "Journalism",
        "Interpreting",
        "Triage",
        "Oncology",
        "Cardiology",
        "Radiology",
        "Pediatrics",
        "Geriatrics",
        "Counseling",
        "Nutrition",
        "Statistics",
        "Strategic Planning",
        "Business Strategy",
        "Accessibility",
        "Office Administration",
        "Front Office",
        "Reservations",
        "Real Estate",
        "Litigation",
        "Paralegal",
        "Merchandising",
        "Procurement",
        "Bookkeeping",
        "Data Entry",
        "Social Work",
        "Public Relations",
        "Artificial Intelligence",
        "UX Design",
        "UI Design",
        "Customer Service",
        "Problem Solving",
        "Critical Thinking",
        "Time Management",
        "Decision Making",
        "Attention to Detail",
        "Customer Focus",
        "Emotional Intelligence",
        "Lean",
        "Negotiation",
        "Trading",
        "Networking",
        "Design Patterns",
        "Algorithms",
        "Data Structures",
        "Blockchain",
        "Web3",
        "Hospitality",
        "Cash Handling",
        "Customer Success",
        "Team Management",
        "Conflict Resolution",
        "Intercultural Competence",
        "Public Speaking",
        "Operations Management",
        "Change Management",
        "Risk Management",
        "Project Management",
        "Program Management",
        "Product Management",
        "Account Management",
        "Business Development",
        "Data Analysis",
        "Financial Analysis",
        "Machine Learning",
        "Data Science",
    }
)

# Synonyms that are also ordinary words: in running text they count only when spelt like this.
PROSE_SPELLINGS: Final = {
    "excel": "Excel",
    "spark": "Spark",
    "airflow": "Airflow",
    "kafka": "Kafka",
    "vue": "Vue",
    "unity": "Unity",
    "premiere": "Premiere",
    "express": "Express",
    "rails": "Rails",
    "flutter": "Flutter",
    "swagger": "Swagger",
    "looker": "Looker",
    "sage": "Sage",
    "hive": "Hive",
    "lean": "Lean",
    "puppet": "Puppet",
    "chef": "Chef",
}

# Synonyms too short or too common to trust anywhere but inside a skills list.
SKILLS_SECTION_ONLY_SYNONYMS: Final = frozenset(
    [
        "py",
        "ts",
        "sh",
        "shell",
        "vb",
        "ml",
        "ai",
        "ui",
        "ux",
        "pr",
        "node",
        "express",
        "oracle",
        "mongo",
        "lambda",
        "s3",
        "ec2",
        "premiere",
        "audit",
        "training",
        "trainer",
        "presentations",
        "rails",
        "unreal",
        "illustrator",
        "photoshop",
        "leadership",
        "elk",
        "embedded",
        "oop",
        "cro",
        "kam",
        "sem",
        "crm",
        "b2b",
        "b2c",
        "dei",
        "l&d",
        "c&b",
        "qc",
        "administration",
        "bloomberg",
        "ga4",
        "js",
        "drf",
        "psql",
        "postgre",
        "hrm",
        "icu",
        "emr",
        "ehr",
        "ror",
        "cpp",
        "genai",
        "llm",
        "llms",
        "strategy",
        "lambda",
        "tsql",
        "plsql",
        "lean",
        "audit",
        "research",
        "shell",
    ]
)


def _parse_blocks() -> dict[str, str]:
    synonyms: dict[str, str] = {}
    for block in _SKILL_BLOCKS:
        for line in block.strip().splitlines():
            names = [name.strip() for name in line.split("|") if name.strip()]
            canonical = names[0]
            for name in names:
                synonyms.setdefault(name.casefold(), canonical)
    return synonyms


# casefolded name or synonym -> canonical skill name
SKILL_SYNONYMS: Final = _parse_blocks()
CANONICAL_SKILLS: Final = frozenset(SKILL_SYNONYMS.values())
