"""prefect.yaml: the deployment for teams with workers points at the real flow with valid parameters."""

from __future__ import annotations

import yaml

from tests.conftest import REPO_ROOT


def test_prefect_yaml_deployment_names_the_flow_and_valid_parameters() -> None:
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())
    (deployment,) = config["deployments"]
    flow = load_flow_from_entrypoint(str(REPO_ROOT / deployment["entrypoint"]))
    assert flow.name == "wirehouse-ingest"
    validated = flow.validate_parameters(deployment["parameters"])
    assert set(deployment["parameters"]) <= set(validated)
    assert str(validated["db_path"]) == "warehouse/news.duckdb"
    from prefect.client.schemas.schedules import CronSchedule

    assert all(CronSchedule(cron=s["cron"]).cron == s["cron"] for s in deployment["schedules"])
    assert deployment["work_pool"]["name"] == "wirehouse-pool"
