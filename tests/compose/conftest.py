"""Composer tests: config sets are written to tmp dirs (see harness.write); hydra-core is the oracle."""
