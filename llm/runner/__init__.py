"""The runner: the one way to call a model. See llm/README.md for the contract.

    result = run(feature="parse_cv", context={"cv_text": text}, tenant=company, user=user, subject=cv)
    result = await arun(...)                    # same, from async code
    async for event in astream(feature="resume_chat", context={...}, tenant=company, user=user): ...
    vectors = embed(texts=[text], tenant=company, subject=cv).vectors
    guess = estimate(feature="resume_chat", context={...}, tenant=company)  # model, tokens, worst case; no call

Every call writes exactly one AiRun. Async calls on PostgreSQL return before their end is written:
`background_db_work_done()` waits for those writes (code that reads the run right after the call).
`run`/`arun`/`embed`/`aembed` return a RunResult on success (status succeeded or cached) and raise
RunError (with `.result`) otherwise.
"""

from llm.runner.answered_ends import background_db_work_done
from llm.runner.estimate import Estimate, estimate
from llm.runner.execute import aembed, arun, embed, run
from llm.runner.streaming import Event, astream
from llm.runner.types import Overrides, RunError, RunResult

__all__ = [
    "Estimate",
    "Event",
    "Overrides",
    "RunError",
    "RunResult",
    "aembed",
    "arun",
    "astream",
    "background_db_work_done",
    "embed",
    "estimate",
    "run",
]
