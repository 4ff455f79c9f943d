"""Default sizes of the analyses that the API and the command line share (a foundation: imports nothing), so
that ``fuelseal --help`` can print them without loading the analyses."""

ABC_DRAWS = 2000
"""``calibrate --method abc``: simulations from the prior, each in its own world."""
ABC_ACCEPT = 0.1
"""The share of them kept, the nearest to the targets."""
ABC_KEEP = 200
"""Equally likely rows written into ``[calibration]``."""
