"""Skeleton files of a policy repository (inventory, waivers, CI)."""
