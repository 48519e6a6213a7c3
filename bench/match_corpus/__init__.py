"""A labelled job/CV set for bench/match_quality.py, generated deterministically."""
