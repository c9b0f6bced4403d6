"""Scenarios: declarative files in scenarios/ run through a fixed lifecycle into judged, reported results.

schema/strict  what a file may say        loader        files → Scenario objects
lifecycle/     prepare → start → act → stop → verify → report, driven by lifecycle.runner
workloads/     what the clients do        attackers     who sits in between (extension point)
expectations   how outcomes are judged    results       frozen results → JSON;  report: files on disk
"""
