"""Runs on a real Ray cluster started on loopback by the test (``ray.init(num_cpus=2)``), stopped after.

A run on Ray equals the same run on the local backend, record for record; a worker killed mid-chunk
is retried by Ray and the run still ends complete without a duplicate; a killed driver resumes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from nppc.cli import main
from npsolver.store import Store

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                 reason='needs the ray extra (pip install -e ".[ray]")')]

OUTCOME = ("run_id", "instance_id", "sample", "model", "status", "correct", "code", "response_text", "answer_json")


def outcomes(path) -> list[tuple]:
    with Store(path, readonly=True) as store:
        return sorted(tuple(r[c] for c in OUTCOME) for r in store.records())


@pytest.fixture(scope="module")
def cluster():
    import ray

    context = ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    yield context.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture(scope="module")
def testset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ray-testset")
    assert main(["generate", "--problems", "three_sat,vertex_cover,subset_sum", "--levels", "1-3", "--count", "5",
                 "--no-fraction", "0.25", "--seed", "11", "--out", str(folder / "t.jsonl"),
                 "--key-out", str(folder / "k.jsonl")]) == 0
    return folder / "t.jsonl", folder / "k.jsonl"


def run_args(testset, store, *extra):
    return ["run", "--model", "baseline/heuristic", "--testset", str(testset[0]), "--keys", str(testset[1]),
            "--samples", "2", "--store", str(store), "--no-progress", *extra]


def test_a_ray_run_equals_the_local_run(cluster, testset, tmp_path):
    assert main(run_args(testset, tmp_path / "local.sqlite")) == 0
    assert main(run_args(testset, tmp_path / "ray.sqlite", "--backend", "ray", "--address", cluster)) == 0
    assert outcomes(tmp_path / "ray.sqlite") == outcomes(tmp_path / "local.sqlite")
    assert main(run_args(testset, tmp_path / "ray.sqlite", "--backend", "ray", "--address", cluster)) == 0
    assert outcomes(tmp_path / "ray.sqlite") == outcomes(tmp_path / "local.sqlite")  # a rerun adds nothing


def ray_worker_pids(title: str = "ray::run_chunk") -> list[int]:
    found = subprocess.run(["pgrep", "-f", title], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found if int(pid) != os.getpid()]


def test_a_killed_worker_and_a_killed_driver_lose_and_duplicate_nothing(cluster, scripted_server, tmp_path):
    server = scripted_server({"default": {"content": '{"solution": null}', "delay": 0.3}})
    store = tmp_path / "ray.sqlite"
    args = ["run", "--model", "slow-model", "--api-base", server.api_base, "--problems", "three_sat,partition",
            "--levels", "2", "--count", "12", "--store", str(store), "--no-progress", "--backend", "ray",
            "--address", cluster, "--concurrency", "2"]
    driver = subprocess.Popen([sys.executable, "-m", "nppc.cli", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not ray_worker_pids() and time.monotonic() < deadline:
        time.sleep(0.2)
    victims = ray_worker_pids()
    assert victims, "no Ray worker ran a chunk"
    os.kill(victims[0], signal.SIGKILL)  # a worker dies mid-chunk: Ray runs the chunk again
    time.sleep(2)
    driver.send_signal(signal.SIGKILL)  # and then the driver itself
    driver.communicate(timeout=60)
    assert main(args) == 0  # the same command resumes
    with Store(store, readonly=True) as opened:
        records = opened.records()
    assert len(records) == 24 == len({(r["instance_id"], r["sample"]) for r in records})
    assert all(r["status"] == "graded" for r in records)


def test_a_labelled_test_set_made_on_ray_is_byte_identical_to_the_local_one(cluster, tmp_path):
    """No-instances and tight bounds proved by Ray workers: the same files, byte for byte, as one process."""
    common = ["generate", "--problems", "three_sat,vertex_cover,subset_sum,bin_packing", "--levels", "2-4",
              "--count", "8", "--no-fraction", "0.25", "--tight", "--seed", "31"]
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main([*common, "--out", f"{local}.jsonl", "--key-out", f"{local}-key.jsonl"]) == 0
    assert main([*common, "--out", f"{remote}.jsonl", "--key-out", f"{remote}-key.jsonl", "--backend", "ray",
                 "--address", cluster]) == 0
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "ray-key.jsonl").read_bytes() == (tmp_path / "local-key.jsonl").read_bytes()
    keys = [json.loads(line) for line in (tmp_path / "ray-key.jsonl").read_text().splitlines()]
    assert len(keys) == 96 and {key["label"] for key in keys} == {"yes", "no"}


def test_a_level_with_repeats_fills_the_same_fresh_indices_on_ray(cluster, tmp_path):
    common = ["generate", "--problems", "bandwidth", "--levels", "1", "--count", "5", "--seed", "2", "--allow-fewer"]
    assert main([*common, "--out", str(tmp_path / "local.jsonl")]) == 0
    assert main([*common, "--out", str(tmp_path / "ray.jsonl"), "--backend", "ray", "--address", cluster]) == 0
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_proofs_that_run_out_of_budget_settle_the_same_way_on_ray(cluster, tmp_path):
    """A budget small enough that some optima and no-proofs run out: two workers on two busy cores (and a driver)
    still give the local file byte for byte, because budgets count solver work, not wall seconds."""
    from npgym.distributed import generate_testset_on_ray
    from npgym.testset import PlantedBoundWarning, generate_testset, write_testset

    arguments = (["tsp", "dominating_set"], [9, 10], 5, 6, 0.5, True, 0.15)
    with pytest.warns(PlantedBoundWarning):  # the edge is reached: some optima are not proved within the budget
        write_testset(generate_testset(*arguments), tmp_path / "local.jsonl", key_path=tmp_path / "local-key.jsonl")
    with pytest.warns(PlantedBoundWarning):
        write_testset(generate_testset_on_ray(*arguments, address=cluster, chunk_size=1), tmp_path / "ray.jsonl",
                      key_path=tmp_path / "ray-key.jsonl")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "ray-key.jsonl").read_bytes() == (tmp_path / "local-key.jsonl").read_bytes()
