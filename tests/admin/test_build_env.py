"""A build job runs on the web app's settings, every one of them: the environment it is started
with (jobs.child_env) reads back, in the child, to the settings of the app that started it."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from chatbot.admin import jobs
from chatbot.config import PROJECT_ROOT, Settings

CHILD = "import json; from chatbot.config import Settings; print(json.dumps(Settings().to_env()))"


def test_a_build_job_child_sees_every_setting_of_the_app(tmp_path):
    settings = Settings().with_overrides({"min_confidence": 0.37, "today": "2024-07-01", "var_dir": tmp_path,
                                          "embed_backend": "fake", "embed_model": "64", "fusion": "rrf",
                                          "rerank": False, "threads": 2})
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=PROJECT_ROOT, env=jobs.child_env(settings),
                          capture_output=True, text=True, timeout=60, check=True)
    child = Settings.from_env(json.loads(done.stdout))
    assert child == settings
    assert child.min_confidence == 0.37 and child.today == date(2024, 7, 1)
    assert child.embed_plugins == settings.embed_plugins != ""          # the tests' fake backend travels too
