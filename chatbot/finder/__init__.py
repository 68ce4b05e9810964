"""The finder's answer side: a question in, a typed answer out (pipeline.py lists the stages)."""
