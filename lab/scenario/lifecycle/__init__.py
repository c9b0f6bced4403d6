"""The fixed lifecycle of a scenario run, one module per step; `runner` puts them in order."""
