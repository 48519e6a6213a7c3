"""AI drafting for recruiting pages: the rule-based handlers the `local` provider answers with
(job postings, department profiles, company profiles), the incremental JSON parser that lets a
streamed posting fill its form field by field, HTML-to-text for company sites and a guarded URL
fetch."""
