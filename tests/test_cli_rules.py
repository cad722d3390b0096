"""The main job's rules on the command line: groups, rules files, per-cluster rules, the weight
tolerance with the size rule, partial proposals, one province's communes."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from benchmarks.__main__ import _completed, _rules, build_parser, main
from benchmarks.proposals import load_dataset, read_proposals
from clustering.datasets import COMMUNE_DEFAULT_INDICATORS, vietnam_provinces
from clustering.dissimilarity import default_indicators
from clustering.errors import UnknownNameError
from clustering.plan import Plan
from clustering.rules import plan_violations

ONE_MEMBER = {  # a plan of 6 clusters, two of them of one member
    "A": ["Hà Nội"],
    "B": ["Cao Bằng", "Tuyên Quang", "Điện Biên", "Lai Châu", "Sơn La", "Lào Cai",
          "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Ninh", "Phú Thọ", "Hưng Yên",
          "Ninh Bình", "Hải Phòng"],
    "C": ["Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Quảng Ngãi", "Khánh Hòa", "Huế",
          "Đà Nẵng"],
    "D": ["Gia Lai", "Đắk Lắk", "Lâm Đồng", "Đồng Nai"],
    "E": ["Tây Ninh", "Đồng Tháp", "Vĩnh Long", "An Giang", "Cà Mau", "Cần Thơ"],
    "F": ["Hồ Chí Minh"],
}


def rules_of(*argv: str, units=None):
    args = build_parser().parse_args(list(argv))
    return _rules(args, units if units is not None else vietnam_provinces(2025))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the weight tolerance keeps the size rule --------------------------------------------


@pytest.mark.parametrize("argv", [["--weight-tolerance", "0.9", "--size", "5", "6"],
                                  ["--weight-tolerance", "0.9"]])
def test_weight_tolerance_keeps_the_size_rule(argv):
    rules = rules_of(*argv)
    assert rules.size == (5, 6) and rules.weight_bounds is not None
    plan = Plan(vietnam_provinces(2025), ONE_MEMBER)
    broken = {(v.reason, v.cluster) for v in plan_violations(plan, rules)}
    assert ("count", "A") in broken and ("count", "F") in broken  # one member: not "follows"


def test_size_alone_and_tolerance_alone_differ_only_by_the_weight_rule():
    assert rules_of("--size", "4", "7").weight_bounds is None
    assert rules_of("--size", "4", "7", "--weight-tolerance", "0.5").size == (4, 7)


# -- groups on the command line ------------------------------------------------------------


def test_together_apart_fixed_and_exempt_groups():
    rules = rules_of("--together", "Hà Nội, Hưng Yên", "--together", "Huế,Đà Nẵng",
                     "--apart", "Ha Noi,Ho Chi Minh", "--fixed", "Đông Bắc=Quảng Ninh,Lạng Sơn",
                     "--fixed", "Đô thị=Hải Phòng,Cần Thơ", "--exempt", "Đô thị",
                     "--size", "2", "9")
    assert rules.together == (("01", "33"), ("46", "48"))
    assert rules.apart == (("01", "79"),)
    assert set(rules.fixed.values()) == {"Đông Bắc"}
    spec = rules.clusters["Đô thị"]
    assert spec.closed and spec.contiguous is False and spec.members == ("31", "92")


def test_rules_file_with_per_cluster_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "n_clusters: 6\nsize: [4, 7]\ncontiguous: true\npure: kind\nmax_impure: 1\n"
        "together: [[Hà Nội, Hưng Yên]]\n"
        "clusters:\n  Đô thị:\n    members: [Hải Phòng, Huế, Đà Nẵng, Hồ Chí Minh, Cần Thơ]\n"
        "    contiguous: false\n    size: [5, 5]\n    max_impure: 0\n", encoding="utf-8")
    rules = rules_of("--rules", str(path))
    assert rules.n_clusters == 6 and rules.size == (4, 7) and rules.max_impure == 1
    spec = rules.clusters["Đô thị"]
    assert spec.size == (5, 5) and spec.contiguous is False and spec.max_impure == 0
    assert rules_of("--rules", str(path), "--size", "3", "8", "--max-impure", "2").size == (3, 8)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--together", "Hà Nội,Ha Nol"], r"together: .*'Ha Nol'.*closest names: 'Hà Nội'"),
        (["--fixed", "A=Huế", "--fixed", "B=Huế"], r"'Huế' is fixed to two clusters"),
        (["--fixed", "A=Huế", "--fixed", "B=Hue"], r"'46' \(Huế\) is fixed to two clusters"),
        (["--fixed", "A=Huế,Đà Nẵng", "--exempt", "A", "--exempt", "A"], r"exempted twice"),
        (["--exempt", "Z"], r"--exempt 'Z': no --fixed cluster"),
        (["--fixed", "Huế"], r"expected LABEL=UNIT"),
    ],
)
def test_bad_rules_exit_2_before_any_work(capsys, tmp_path, argv, expected):
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "r"))
    assert code == 2 and out == ""
    assert re.search(expected, err), err
    assert not (tmp_path / "r").exists()


def test_cluster_exempted_twice_by_the_file_and_the_option(capsys, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("clusters:\n  A: {members: [Huế, Cần Thơ], contiguous: false}\n",
                    encoding="utf-8")
    code, _, err = run(capsys, "--rules", str(path), "--fixed", "A=Huế,Cần Thơ", "--exempt",
                       "A", "--out", str(tmp_path / "r"))
    assert code == 2 and "exempted twice" in err


# -- partial proposals ----------------------------------------------------------------------


def partial_file(tmp_path):
    path = tmp_path / "partial.yaml"
    path.write_text("name: Partial\ndataset: vietnam-2025\nclusters:\n"
                    "  Bắc: [Hà Nội, Bắc Ninh]\n  Nam: [Hồ Chí Minh]\n", encoding="utf-8")
    return path


def test_a_partial_proposal_needs_complete(capsys, tmp_path):
    code, _, err = run(capsys, str(partial_file(tmp_path)), "--out", str(tmp_path / "r"))
    assert code == 2 and "31 unit(s) in no cluster" in err and "--complete" in err


def test_complete_places_the_rest_without_moving_the_proposal(tmp_path):
    args = build_parser().parse_args([str(partial_file(tmp_path)), "--complete"])
    [proposal] = read_proposals(args.proposals[0], allow_unassigned=True)
    rules = _rules(args, proposal.plan.unit_set)
    plan = _completed(proposal.plan, rules, args)
    assert plan.is_complete and plan_violations(plan, rules) == []
    assert {"01", "24"} <= set(plan.clusters["Bắc"]) and "79" in plan.clusters["Nam"]
    assert "31 unit(s) placed" in plan.notes and plan.name == "Partial (completed)"


def test_year_column_gives_separate_plans(tmp_path):
    path = tmp_path / "snapshots.csv"
    path.write_text("cluster,unit,year\nCụm 1,Hà Nội,2020\nCụm 1,Bắc Ninh,2020\n"
                    "Cụm 1,Huế,2025\nCụm 1,Đà Nẵng,2025\n", encoding="utf-8")
    plans = [p.plan for p in read_proposals(path, vietnam_provinces(2025),
                                            allow_unassigned=True)]
    assert [(p.name, p.clusters) for p in plans] == [
        ("snapshots (2020)", {"Cụm 1": ["01", "24"]}),
        ("snapshots (2025)", {"Cụm 1": ["46", "48"]}),
    ]


# -- one province's communes ------------------------------------------------------------------


def test_dataset_of_one_province_with_island_links():
    hcmc = load_dataset("vietnam-communes-2025:79")
    assert hcmc.name == "vietnam-communes-2025:79" and len(hcmc) == 168
    assert all(u.region == "79" for u in hcmc)
    assert nx.is_connected(hcmc.graph)  # Côn Đảo linked to the mainland
    assert re.search(r"1 island link\(s\) added.*Côn Đảo \(\d+\) - .* km", hcmc.provenance)
    by_name = load_dataset("vietnam-communes-2025:Ho Chi Minh")
    assert by_name.ids == hcmc.ids
    unlinked = load_dataset("vietnam-communes-2025:79", islands=False)
    assert nx.number_connected_components(unlinked.graph) == 2
    args = build_parser().parse_args(["--dataset", "vietnam-communes-2025:79",
                                      "--no-island-links"])
    assert args.dataset == "vietnam-communes-2025:79" and args.island_links is False


def test_unknown_province_suggests_names():
    with pytest.raises(UnknownNameError, match="closest names: 'Hồ Chí Minh'"):
        load_dataset("vietnam-communes-2025:Ho Chi Mihn")


def test_commune_dissimilarity_counts_area_once():
    used, _ = default_indicators(load_dataset("vietnam-communes-2025:79"))
    assert used == list(COMMUNE_DEFAULT_INDICATORS) == ["population", "area_km2_official"]


# -- a start plan ------------------------------------------------------------------------


def test_start_plan_is_the_optimizers_first_incumbent(tmp_path, monkeypatch):
    import optimizer

    vn = vietnam_provinces(2025)
    best = optimizer.optimize(vn, 6, size=(5, 6), solver="highs").plan
    path = tmp_path / "start.json"
    best.to_json(path)
    seen = {}
    real = optimizer.optimize

    def spy(*args, **kwargs):
        seen["warm_start"] = kwargs.get("warm_start")
        return real(*args, **kwargs)

    monkeypatch.setattr(optimizer, "optimize", spy)
    assert main(["--start", str(path), "--out", str(tmp_path / "r"), "--samples", "50"]) == 0
    assert seen["warm_start"] is not None
    assert seen["warm_start"].clusters == best.clusters


def test_a_start_plan_breaking_the_rules_is_refused_before_solving(capsys, tmp_path):
    vn = vietnam_provinces(2025)
    scattered = Plan.from_labels(vn, [i % 6 for i in range(len(vn))], name="scattered")
    path = tmp_path / "start.json"
    scattered.to_json(path)
    code, out, err = run(capsys, "--start", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and out == "" and "--start" in err and "breaks the rules" in err
    assert not (tmp_path / "r").exists()
