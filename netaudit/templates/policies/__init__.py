"""Copies of the MIC model policy templates (α, α′, β, β′), shipped with the package."""
