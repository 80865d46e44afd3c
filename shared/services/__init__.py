"""Use cases: one plain function each, `Session` first, keyword-only arguments.

Each returns read models from shared.views and raises shared.errors; none commits half-way.
"""
