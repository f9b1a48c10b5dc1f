"""`make bench`: how fast Bypuls computes results, serves its pages and takes answers, and how big its pages are.

Run as `python -m bench.run` from the project folder; `bench/README.md` says what
each figure means and how it is measured.
"""
