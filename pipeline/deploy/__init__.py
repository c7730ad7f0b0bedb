"""The deploy stage on Cloud Foundry: settings, cf and its API, one deployment, and the verdict.

`rollout.run` is what `nox -s deploy` calls: settings.py checks the variables, cf.py runs cf
(stdout parsed, `cf curl -f`), deployment.py checks, pushes and rolls back, rollout.py decides.
"""
