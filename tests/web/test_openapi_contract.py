"""The real app, with the real index and model, fuzzed against its own /openapi.json by
schemathesis: every operation, valid and invalid requests, no 5xx, and every status, content
type, header and body as the document says.

Rate limiting is off for the fuzzing app (a 429 would cut the run short); the 429's shape is
checked in tests/web/test_openapi.py. The examples, coverage and fuzzing phases run with a fixed
seed and at most EXAMPLES_PER_OPERATION fuzzed requests per operation: about 900 requests, all four
answer statuses among them, in about 30 seconds on two cores once the model is loaded."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               positive_data_acceptance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from chatbot.app import create_app

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, positive_data_acceptance]
EXAMPLES_PER_OPERATION = 100
SEED = 20241130


def fuzz_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
        "operations": [{
            # answer_id is signed by the server: no generated one is valid, so a well-formed rating of
            # an invented answer is a 400 (the accepted case is test_openapi.py's ask-then-rate test)
            "include-path": "/api/feedback",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "400"]}},
        }],
    })


# The document as the app serves it, loaded at collection (serving it needs no index); the requests
# go to the session's real app (tests/conftest.py), whose first request loads the real index.
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app({"rate_limit": "off", "TESTING": True}),
                                        config=fuzz_config())


@schema.parametrize()
def test_every_operation_conforms_to_the_document(case, real_app):
    case.call_and_validate(app=real_app, checks=CHECKS)
