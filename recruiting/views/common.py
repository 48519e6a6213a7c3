"""Constants shared by the recruiter pages."""

PAGE_SIZE = 25
MAX_FILES_PER_UPLOAD = 50
