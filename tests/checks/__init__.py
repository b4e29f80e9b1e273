"""Tests of the check catalog: per-check pass/fail fixtures and the catalog meta-test."""
