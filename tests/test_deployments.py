from deployments.schedules import build_deployments


def test_deployments_have_vietnam_time_schedules() -> None:
    deployments = {d.name: d for d in build_deployments()}
    assert set(deployments) == {"bao-cao-thang", "thu-nhan-hang-ngay"}
    monthly = deployments["bao-cao-thang"]
    assert "period" not in monthly.parameters  # derived from the run date
    assert monthly.schedules is not None
    [schedule] = monthly.schedules
    assert schedule.schedule.cron == "0 7 19 * *"
    assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh"
