"""Placeholder until the JSON import/export lands (being written now)."""
class ImportProblem(ValueError):
    pass
