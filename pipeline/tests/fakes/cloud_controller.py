"""Cloud Controller for the cf double (pipeline/tests/fakes/cf): its world, deployments and updater.

Written from cloudfoundry/cloud_controller_ng main; each behaviour cites its file. The world (app,
processes, revisions, deployments) is one JSON file beside the double's call log, shared by every
call of one test. The deployment updater (lib/cloud_controller/deployment_updater/scheduler.rb
runs it every 30 s) is played on reads instead: a deployment a read finds DEPLOYING, PREPAUSED or
CANCELING has moved one updater step by the read after next (FAKE_CF_UPDATER_LAG). The scenario
variables are listed at the top of the double. Standard library only.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_GUID = "6f1c1e6e-0000-4000-8000-000000000001"
API = "https://api.cf.example.test"
ENV = os.environ
World = dict[str, Any]
Model = dict[str, Any]
CAPI_VERSION = "3.228.0"  # cloud_controller_ng config/version
CANARY_CAPI, STEPS_CAPI = (3, 173, 0), (3, 189, 0)


def version(text: str) -> tuple[int, ...]:
    """MAJOR.MINOR.PATCH of a semver string, build metadata ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+", 1)[0])[:3])


def capi_version() -> str:
    """The Cloud Controller v3 version this double plays."""
    return ENV.get("FAKE_CF_CAPI_VERSION") or CAPI_VERSION


def state_path() -> Path:
    """The world the calls of one test share, next to the call log."""
    return Path(ENV["FAKE_CF_LOG"] + ".state.json")


def timestamp(world: World) -> str:
    """A fresh, ordered time for created_at/updated_at (the presenters' ISO 8601 UTC)."""
    world["clock"] += 1
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=world["clock"])
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def revision(version_number: int, deployable: bool = True) -> dict[str, Any]:
    """A revision as app/presenters/v3/revision_presenter.rb shows it (the fields used here)."""
    return {"guid": f"5e0a0000-0000-4000-8000-{version_number:012d}",
            "version": version_number,
            "droplet": {"guid": f"d0000000-0000-4000-8000-{version_number:012d}"},
            "deployable": deployable, "description": "Initial revision."}


def next_version(world: World) -> int:
    """app/actions/revision_create.rb calculate_next_version: after 9999 comes 1 again."""
    latest = world["revisions"][-1]["version"] if world["revisions"] else 0
    return 1 if latest >= 9999 else latest + 1


def add_revision(world: World) -> dict[str, Any]:
    """revision_create.rb: a reused version number replaces the revision that held it."""
    created = revision(next_version(world))
    world["revisions"] = [r for r in world["revisions"] if r["version"] != created["version"]]
    world["revisions"].append(created)
    return created


def add_process(world: World, rev: dict[str, Any], instances: int,
                healthy: bool = True) -> dict[str, Any]:
    """A web process running a revision's droplet (app/models/runtime/process_model.rb; the
    deployment's own is cloned from the newest, app/actions/deployment_create.rb
    clone_existing_web_process, with type web)."""
    world["sequence"] += 1
    process = {"guid": f"0c000000-0000-4000-8000-{world['sequence']:012d}", "type": "web",
               "instances": instances, "revision": rev["guid"], "droplet": rev["droplet"]["guid"],
               "state": "STARTED", "healthy": healthy, "created_at": timestamp(world)}
    world["processes"].append(process)
    return process


def new_deployment(world: World, rev: dict[str, Any], strategy: str,
                   steps: list[int] | None) -> dict[str, Any]:
    """The row app/actions/deployment_create.rb create_deployment writes: PREPAUSED for a
    canary, else DEPLOYING; ACTIVE/DEPLOYING; the droplet before the push as previous_droplet;
    canary_current_step 1 (app/models/runtime/deployment_model.rb before_create)."""
    app = world["app"]
    created = timestamp(world)
    return {"guid": f"de000000-0000-4000-8000-{rev['version']:012d}", "app": app["guid"],
            "state": "PREPAUSED" if strategy == "canary" else "DEPLOYING",
            "status_value": "ACTIVE", "status_reason": "DEPLOYING", "strategy": strategy,
            "droplet": rev["droplet"]["guid"], "previous_droplet": app.get("droplet"),
            "revision": {"guid": rev["guid"], "version": rev["version"]},
            "new_processes": [], "deploying_process": None,
            "canary_steps": [{"instance_weight": w} for w in steps] if steps else None,
            "canary_current_step": 1 if strategy == "canary" else None, "max_in_flight": 1,
            "original_instances": web_instances(world), "created_at": created,
            "updated_at": created, "status_updated_at": created, "last_healthy_at": None,
            "error": None, "reads": 0}


def web_instances(world: World) -> int:
    """deployment_create.rb desired_instances: the oldest web process's instance count."""
    webs = [p for p in world["processes"] if p["type"] == "web"]
    return int(webs[0]["instances"]) if webs else 1


def manifest_name() -> str | None:
    """The app's name in ./manifest.yml, where the pipeline runs cf from."""
    path = Path("manifest.yml")
    found = re.search(r"-\s+name:\s*(\S+)", path.read_text(encoding="utf-8")) if path.is_file() \
        else None
    return found.group(1) if found else None


def initial_world() -> World:
    """The world before the first call, from the scenario variables."""
    world: World = {"app": None, "revisions": [], "processes": [], "deployments": [],
                    "targeted": False, "org": "", "space": "", "user": "", "sequence": 0,
                    "clock": 0, "name": manifest_name(), "droplet_urls": {}, "events": {},
                    "service_instances": {}}
    if ENV.get("FAKE_CF_SERVICE"):  # a user-provided service instance an earlier deploy made
        world["service_instances"][ENV["FAKE_CF_SERVICE"]] = {
            "type": "user-provided", "credentials": {"EARLIER": "credentials"}}
    if ENV.get("FAKE_CF_FIRST_DEPLOY") == "1":
        return world
    live = revision(int(ENV.get("FAKE_CF_REVISION", "7")), ENV.get("FAKE_CF_PRUNED") != "1")
    stopped = ENV.get("FAKE_CF_STOPPED") == "1"
    world["app"] = {"guid": APP_GUID, "state": "STOPPED" if stopped else "STARTED",
                    "lifecycle": {"type": ENV.get("FAKE_CF_LIFECYCLE", "buildpack"), "data": {}},
                    "droplet": live["droplet"]["guid"]}
    world["revisions"] = [live]
    world["droplet_urls"][live["droplet"]["guid"]] = ENV.get("FAKE_CF_OLD_URL", "")
    old = add_process(world, live, int(ENV.get("FAKE_CF_INSTANCES", "2")))
    if stopped:  # app/actions/app_stop.rb: every process of a stopped app is STOPPED
        old["state"] = "STOPPED"
    first = new_deployment(world, live, "rolling", None)
    world["deployments"] = [dict(first, state="DEPLOYED", status_value="FINALIZED",
                                 status_reason="DEPLOYED")]
    if ENV.get("FAKE_CF_ACTIVE_DEPLOYMENT") == "1":
        # app_revisions_list_fetcher.rb fetch_deployed: the revisions of every STARTED process,
        # so mid-rollout the old and the new revision are both listed.
        rolling = add_revision(world)
        world["deployments"].append(start_deployment(world, rolling, "rolling", None))
    return world


def load_world() -> World:
    """Read the shared world, creating it on the first call."""
    path = state_path()
    if path.exists():
        world: World = json.loads(path.read_text(encoding="utf-8"))
        return world
    return initial_world()


def save_world(world: World) -> None:
    """Keep the world for the next call, and tell the router stand-in which instances serve."""
    state_path().write_text(json.dumps(world), encoding="utf-8")
    table = ENV.get("FAKE_CF_ROUTER_TABLE")
    if table:
        Path(table).write_text(json.dumps(router_table(world)), encoding="utf-8")


def router_table(world: World) -> dict[str, Any]:
    """The route's endpoints as gorouter holds them: one per running instance, tagged with its
    process guid (gorouter route/pool.go Endpoint.ProcessId reads the `process_id` tag that
    cc lib/cloud_controller/diego/app_recipe_builder.rb sets) and its instance index."""
    endpoints = [{"process_guid": p["guid"], "index": index,
                  "url": world["droplet_urls"].get(p["droplet"], "")}
                 for p in world["processes"] if p["state"] == "STARTED" and p["healthy"]
                 for index in range(p["instances"])]
    return {"route": route_host(world).split(":", 1)[0], "endpoints": endpoints}


def route_host(world: World) -> str:
    """The app's one route."""
    return ENV.get("FAKE_CF_ROUTE") or f"{world['name'] or 'app'}.apps.example.com"


def present(model: Model) -> dict[str, Any]:
    """app/presenters/v3/deployment_presenter.rb to_hash, key for key: status with details (and
    canary steps for a canary), options (canary steps only when given), new_processes, and the
    cancel link only when cancelable, continue only when continuable (deployment_model.rb)."""
    status: dict[str, Any] = {
        "value": model["status_value"], "reason": model["status_reason"],
        "details": {"last_successful_healthcheck": model["last_healthy_at"],
                    "last_status_change": model["status_updated_at"]}}
    if model["error"]:
        status["details"]["error"] = model["error"]
    options: dict[str, Any] = {"max_in_flight": model["max_in_flight"]}
    if model["strategy"] == "canary":
        steps = model["canary_steps"]
        status["canary"] = {"steps": {"current": model["canary_current_step"],
                                      "total": len(steps) if steps else 1}}
        if steps:
            options["canary"] = {"steps": steps}
    base = f"{API}/v3/deployments/{model['guid']}"
    links: dict[str, Any] = {"self": {"href": base},
                             "app": {"href": f"{API}/v3/apps/{model['app']}"}}
    if model["state"] in ("DEPLOYING", "PREPAUSED", "PAUSED", "CANCELING"):  # ACTIVE_STATES
        links["cancel"] = {"href": f"{base}/actions/cancel", "method": "POST"}
    if model["state"] == "PAUSED":
        links["continue"] = {"href": f"{base}/actions/continue", "method": "POST"}
    return {"guid": model["guid"], "created_at": model["created_at"],
            "updated_at": model["updated_at"], "status": status, "strategy": model["strategy"],
            "options": options, "droplet": {"guid": model["droplet"]},
            "previous_droplet": {"guid": model["previous_droplet"]},
            "new_processes": model["new_processes"], "revision": model["revision"],
            "relationships": {"app": {"data": {"guid": model["app"]}}},
            "metadata": {"labels": {}, "annotations": {}}, "links": links}


def move(world: World, model: dict[str, Any], state: str, value: str, reason: str) -> None:
    """deployment_model.rb set_status_updated_at: last_status_change moves with the status."""
    moment = timestamp(world)
    if (value, reason) != (model["status_value"], model["status_reason"]):
        model["status_updated_at"] = moment
    model.update(state=state, status_value=value, status_reason=reason, updated_at=moment,
                 reads=0)


def canary_plan(model: dict[str, Any]) -> list[tuple[int, int]]:
    """deployment_model.rb canary_step_plan: (canary, original) instances per step; Ruby's
    round is half away from zero, so floor(x + 0.5), and never fewer than one canary."""
    original = int(model["original_instances"])
    if not model["canary_steps"]:
        return [(1, original)]
    plan = []
    for step in model["canary_steps"]:
        weight = int(step["instance_weight"])
        canary = max(1, math.floor(original * (weight / 100.0) + 0.5))
        plan.append((canary, 0 if weight == 100 else original - canary + 1))
    return plan


def by_guid(world: World, kind: str, guid: str | None) -> Model | None:
    """One process or deployment of the world."""
    return next((item for item in world[kind] if item["guid"] == guid), None)


def scale(world: World, model: dict[str, Any], canary: int, original: int) -> bool:
    """lib/cloud_controller/deployment_updater/actions/scale.rb, played to its end in one
    step: the new process up to its target, the old ones down to the rest; nothing moves while
    a new instance is unhealthy (up_scaler.rb: unhealthy == 0)."""
    new = by_guid(world, "processes", model["deploying_process"])
    if new is None or not new["healthy"]:
        return False
    new["instances"] = canary
    for process in world["processes"]:
        if process["type"] == "web" and process is not new:
            process["instances"] = original
    model["last_healthy_at"] = timestamp(world)
    return True


def finalize(world: World, model: dict[str, Any]) -> None:
    """deployment_updater/actions/finalize.rb: every other web process destroyed, DEPLOYED."""
    new = by_guid(world, "processes", model["deploying_process"])
    world["processes"] = [p for p in world["processes"] if p["type"] != "web" or p is new]
    if new is not None:
        new["instances"] = model["original_instances"]
    move(world, model, "DEPLOYED", "FINALIZED", "DEPLOYED")


def finish_cancel(world: World, model: dict[str, Any]) -> None:
    """deployment_updater/actions/cancel.rb: the app's oldest web process back to its
    original_web_process_instance_count, every other web process destroyed, FINALIZED/CANCELED."""
    webs = [p for p in world["processes"] if p["type"] == "web"]
    prior = next((p for p in webs if p["guid"] != model["deploying_process"]), webs[0])
    world["processes"] = [p for p in world["processes"] if p["type"] != "web" or p is prior]
    prior["instances"] = model["original_instances"]
    move(world, model, "CANCELED", "FINALIZED", "CANCELED")


def tick(world: World, model: dict[str, Any]) -> None:
    """One pass of deployment_updater/dispatcher.rb for this deployment: DEPLOYING scales and
    finalizes (updater.rb scale), PREPAUSED scales to the step and pauses (updater.rb canary),
    CANCELING cancels (updater.rb cancel); PAUSED and finished deployments are left alone."""
    state = model["state"]
    if state == "DEPLOYING" and scale(world, model, model["original_instances"], 0):
        finalize(world, model)
    elif state == "PREPAUSED":
        canary, original = canary_plan(model)[model["canary_current_step"] - 1]
        if scale(world, model, canary, original):
            move(world, model, "PAUSED", "ACTIVE", "PAUSED")
    elif state == "CANCELING" and ENV.get("FAKE_CF_CANCEL_STUCK") != "1":
        finish_cancel(world, model)


def start_deployment(world: World, rev: dict[str, Any], strategy: str,
                     steps: list[int] | None, healthy: bool = True) -> dict[str, Any]:
    """deployment_create.rb for a started app: a new web process (one instance to start with,
    starting_process_instances), then any ACTIVE deployment superseded (supersede_deployment:
    DEPLOYED if it was DEPLOYING, else CANCELED; FINALIZED/SUPERSEDED either way)."""
    model = new_deployment(world, rev, strategy, steps)
    process = add_process(world, rev, 1, healthy)
    model["new_processes"] = [{"guid": process["guid"], "type": "web"}]
    model["deploying_process"] = process["guid"]
    for previous in world["deployments"]:
        if previous["status_value"] == "ACTIVE":
            state = "DEPLOYED" if previous["state"] == "DEPLOYING" else "CANCELED"
            move(world, previous, state, "FINALIZED", "SUPERSEDED")
    world["app"]["droplet"] = rev["droplet"]["guid"]  # deployment_target_state.rb apply_to_app
    return model


def deploy_stopped(world: World, rev: dict[str, Any], strategy: str,
                   steps: list[int] | None, instances: int) -> dict[str, Any]:
    """deployment_create.rb for a stopped app (a first push is one): no new process, the app
    started at once with the new droplet, the deployment FINALIZED/DEPLOYED in the same request
    with new_processes []; docs-dev-guide deploy-apps/rolling-deploy.html.md.erb, "New or stopped
    applications": no deployment strategy is used."""
    model = new_deployment(world, rev, strategy, steps)
    world["app"].update(state="STARTED", droplet=rev["droplet"]["guid"])
    webs = [p for p in world["processes"] if p["type"] == "web"]
    process = webs[-1] if webs else add_process(world, rev, instances)
    process.update(state="STARTED", revision=rev["guid"], droplet=rev["droplet"]["guid"])
    model["original_instances"] = process["instances"]
    move(world, model, "DEPLOYED", "FINALIZED", "DEPLOYED")
    return model


def active_deployment(world: World) -> Model | None:
    """actor/v7action/deployment.go GetLatestActiveDeploymentForApp: status_values=ACTIVE,
    order_by=-created_at, per_page=1."""
    active = [d for d in world["deployments"] if d["status_value"] == "ACTIVE"]
    return active[-1] if active else None


def cancel_model(world: World, model: dict[str, Any]) -> None:
    """app/actions/deployment_cancel.rb: synchronously the app's droplet back to
    previous_droplet and ACTIVE/CANCELING; the updater finishes it."""
    world["app"]["droplet"] = model["previous_droplet"]
    move(world, model, "CANCELING", "ACTIVE", "CANCELING")


def unprocessable(action: str, model: dict[str, Any]) -> str:
    """deployment_continue.rb / deployment_cancel.rb reject_invalid_state!: the 422 detail,
    which cf prints verbatim (api/cloudcontroller/ccv3/errors.go handleUnprocessableEntity)."""
    return (f"Cannot {action} a deployment with status: {model['status_value']} and reason: "
            f"{model['status_reason']}")


def cc_error(status: int, detail: str | None = None) -> dict[str, Any]:
    """A v3 error body: app/presenters/v3_error_hasher.rb (errors[].code, title "CF-Name",
    detail; UnknownError 10001 when unnamed); names and codes from errors/v2.yml."""
    titles = {404: (10010, "CF-ResourceNotFound", "Resource not found"),
              403: (10003, "CF-NotAuthorized", "You are not authorized to perform the requested "
                    "action"),
              400: (10005, "CF-BadQueryParameter", "The query parameter is invalid")}
    code, title, text = titles.get(status, (10001, "UnknownError", "An unknown error occurred."))
    return {"errors": [{"code": code, "title": title, "detail": detail or text}]}


def paginated(path: str, query: dict[str, list[str]], items: list[Any]) -> dict[str, Any]:
    """app/presenters/v3/paginated_list_presenter.rb: pagination.total_results, total_pages,
    first, last, next (null on the last page), previous; then resources."""
    per_page = int(query.get("per_page", [ENV.get("FAKE_CF_PER_PAGE", "50")])[0])
    page = int(query.get("page", ["1"])[0])
    pages = max(1, -(-len(items) // per_page))

    filters = "".join(f"&{key}={','.join(values)}" for key, values in sorted(query.items())
                      if key not in ("page", "per_page"))

    def link(number: int) -> dict[str, str]:  # filter params are kept in every link
        return {"href": f"{API}{path}?page={number}&per_page={per_page}{filters}"}

    return {"pagination": {"total_results": len(items), "total_pages": pages,
                           "first": link(1), "last": link(pages),
                           "next": link(page + 1) if page < pages else None,
                           "previous": link(page - 1) if page > 1 else None},
            "resources": items[(page - 1) * per_page:page * per_page]}


def listed(query: dict[str, list[str]], key: str) -> set[str]:
    """A comma-separated list filter (app/messages/list_message.rb: array filters)."""
    return set(",".join(query.get(key, [])).split(",")) - {""}


DEPLOYMENT_FILTERS = {"app_guids", "states", "status_reasons", "status_values", "page",
                      "per_page", "order_by", "label_selector", "guids", "created_ats",
                      "updated_ats"}


def deployments(world: World, query: dict[str, list[str]]) -> list[Any]:
    """app/messages/deployments_list_message.rb: app_guids, status_values and the other
    filters; order_by created_at, `-` first for newest first (list_message.rb)."""
    values, guids = listed(query, "status_values"), listed(query, "app_guids")
    found = [present(d) for d in world["deployments"]
             if (not values or d["status_value"] in values) and (not guids or d["app"] in guids)]
    newest_first = query.get("order_by", [""])[0] == "-created_at"
    return list(reversed(found)) if newest_first else found


def instance_stats(process: dict[str, Any]) -> list[dict[str, Any]]:
    """app/presenters/v3/process_stats_presenter.rb: one entry per instance, by index; an
    instance that never turns healthy is still STARTING and not routable."""
    state = "RUNNING" if process["healthy"] else "STARTING"
    return [{"type": process["type"], "index": index, "state": state,
             "routable": process["healthy"], "uptime": 60 if process["healthy"] else 0,
             "details": None} for index in range(process["instances"])]


def root() -> dict[str, Any]:
    """app/controllers/runtime/root_controller.rb: the links, with cloud_controller_v3's
    meta.version (config/version), which cf reads (api/cloudcontroller/ccv3/root.go)."""
    return {"links": {"self": {"href": API},
                      "cloud_controller_v3": {"href": f"{API}/v3",
                                              "meta": {"version": capi_version()}},
                      "login": {"href": "https://login.cf.example.test"},
                      "uaa": {"href": "https://uaa.cf.example.test"},
                      "logging": None, "routing": {"href": f"{API}/routing"}}}


def app_lists(world: World, query: dict[str, list[str]]) -> dict[str, list[Any]]:
    """The app's own lists: deployed revisions, revisions, routes, processes."""
    app = world["app"]
    if not app:
        return {}
    app_path = f"/v3/apps/{app['guid']}"
    revisions = {r["guid"]: r for r in world["revisions"]}
    wanted = {int(v) for v in listed(query, "versions")}
    types = listed(query, "types")
    started = {p["revision"] for p in world["processes"] if p["state"] == "STARTED"}
    return {
        # app/fetchers/app_revisions_list_fetcher.rb fetch_deployed: revisions of STARTED ones
        f"{app_path}/revisions/deployed": [r for g, r in revisions.items() if g in started],
        f"{app_path}/revisions":
            [r for r in world["revisions"] if not wanted or r["version"] in wanted],
        f"{app_path}/routes": [{"guid": "a0a0", "url": route_host(world)}],
        # app/presenters/v3/process_presenter.rb (the fields used here), oldest first
        f"{app_path}/processes": [
            {"guid": p["guid"], "type": p["type"], "instances": p["instances"],
             "created_at": p["created_at"],
             "relationships": {"app": {"data": {"guid": app["guid"]}},
                               "revision": {"data": {"guid": p["revision"]}}}}
            for p in world["processes"] if not types or p["type"] in types],
    }


def read_deployment(world: World, guid: str) -> Model | None:
    """GET /v3/deployments/:guid, with the updater's progress and the rival push played."""
    model = by_guid(world, "deployments", guid)
    if model is None:
        return None
    rival_after = int(ENV.get("FAKE_CF_RIVAL_PUSH_AFTER") or "0")
    world["events"]["reads"] = world["events"].get("reads", 0) + 1
    if rival_after and world["events"]["reads"] > rival_after and "rival" not in world["events"]:
        world["events"]["rival"] = True  # someone else's push: deployment_create.rb supersedes
        rival = add_revision(world)
        world["droplet_urls"][rival["droplet"]["guid"]] = ENV.get("FAKE_CF_NEW_URL", "")
        world["deployments"].append(start_deployment(world, rival, "canary", None))
    if model["reads"] >= int(ENV.get("FAKE_CF_UPDATER_LAG") or "1"):
        tick(world, model)
    else:
        model["reads"] += 1
    save_world(world)
    return present(model)


def answer(world: World, target: str) -> tuple[int, Any]:
    """Route one GET to the Cloud Controller resource it names."""
    parts = urlsplit(target)
    path, query = parts.path, parse_qs(parts.query)
    if path in ("", "/"):
        return 200, root()
    lists = app_lists(world, query)
    if path == "/v3/deployments":
        unknown = sorted(set(query) - DEPLOYMENT_FILTERS)
        if unknown:  # app/messages/base_message.rb NoAdditionalParamsValidator
            return 400, cc_error(400, "The query parameter is invalid: Unknown query "
                                      f"parameter(s): '{', '.join(unknown)}'.")
        lists[path] = deployments(world, query)
    if path in lists:
        return 200, paginated(path, query, lists[path])
    return single(world, path)


def single(world: World, path: str) -> tuple[int, Any]:
    """One resource by its path: the app, a revision, a deployment, a process's stats."""
    app, last = world["app"], path.rsplit("/", 1)[-1]
    revisions = {r["guid"]: r for r in world["revisions"]}
    if app and path == f"/v3/apps/{app['guid']}":
        return 200, {key: app[key] for key in ("guid", "state", "lifecycle")} | {
            "name": world["name"]}
    if path.startswith("/v3/revisions/") and last in revisions:
        return 200, revisions[last]
    if path.startswith("/v3/deployments/"):
        found = read_deployment(world, last)
        return (200, found) if found else (404, cc_error(404, "Deployment not found"))
    stats = re.fullmatch(r"/v3/processes/([^/]+)/stats", path)
    process = by_guid(world, "processes", stats.group(1)) if stats else None
    if process is not None:
        return 200, {"resources": instance_stats(process)}
    return 404, cc_error(404)


def deployment_refusal(strategy: str, steps: list[int] | None) -> str | None:
    """app/messages/deployment_create_message.rb: the 422 Cloud Controller gives when the
    deployment is created (after upload and staging): canary unknown before 3.173.0 (the
    message before cloud_controller_ng d66f46a60d allowed rolling only), steps 1-100 ascending."""
    if strategy == "canary" and version(capi_version()) < CANARY_CAPI:
        return "Strategy 'canary' is not a supported deployment strategy"
    if steps and any(not 1 <= weight <= 100 for weight in steps):
        return "Options canary steps instance weight must be an Integer between 1-100 (inclusive)"
    if steps and sorted(steps) != steps:
        return "Options canary steps instance weight must be sorted in ascending order"
    return None


def continue_model(model: dict[str, Any], world: World) -> None:
    """app/actions/deployment_continue.rb: the next step (PREPAUSED, canary_current_step + 1)
    while steps remain, else DEPLOYING to full scale; ACTIVE/DEPLOYING either way."""
    steps = model["canary_steps"]
    if steps and model["canary_current_step"] < len(steps):
        model["canary_current_step"] += 1
        move(world, model, "PREPAUSED", "ACTIVE", "DEPLOYING")
        stuck = int(ENV.get("FAKE_CF_STUCK_AT_STEP") or "0")
        new = by_guid(world, "processes", model["deploying_process"])
        if new is not None and stuck and model["canary_current_step"] >= stuck:
            new["healthy"] = False
    else:
        move(world, model, "DEPLOYING", "ACTIVE", "DEPLOYING")
