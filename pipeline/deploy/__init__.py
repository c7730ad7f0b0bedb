"""The deploy stage on Cloud Foundry: settings, platform, cf and its API, the canary, the verdict.

`python -m pipeline.deploy` (__main__.py) is what `nox -s deploy` runs in its own environment:
settings.py checks the variables, platform.py reads cf's and Cloud Controller's versions and
chooses the strategy, cf.py runs cf (stdout parsed, `cf curl -f`), deployment.py pushes and reads
one deployment and rolls back, canary.py steps a paused canary, checks.py measures and judges it,
report.py writes what happened for the job summary, rollout.py decides.
"""
