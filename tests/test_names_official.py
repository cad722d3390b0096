"""Names as ministries write them: official prefixes, English names, former names, ambiguity."""

from __future__ import annotations

import unicodedata
import warnings

import pytest

from clustering import AmbiguousNameError, Plan, UnitSet, UnknownNameError
from clustering.datasets import merger_2025, vietnam_communes, vietnam_provinces
from clustering.names import ENGLISH_NAMES, OFFICIAL_PREFIXES, fold, without_prefix


@pytest.fixture(scope="module")
def new():
    return vietnam_provinces(2025)


@pytest.fixture(scope="module")
def communes():
    return vietnam_communes()


@pytest.mark.parametrize(
    ("written", "uid"),
    [
        ("Tỉnh Bắc Ninh", "24"),
        ("Thành phố Hà Nội", "01"),
        ("TP. Hồ Chí Minh", "79"),
        ("tp ho chi minh", "79"),
        ("Tp.Hồ Chí Minh", "79"),
        ("T.P. Hồ Chí Minh", "79"),
        ("THÀNH PHỐ HUẾ", "46"),
        ("thanh pho Da Nang", "48"),
        ("TINH  Cao Bang", "04"),
        (unicodedata.normalize("NFD", "Tỉnh Đắk Lắk"), "66"),
    ],
)
def test_official_prefixes_are_dropped(new, written, uid):
    assert new.resolve(written) == uid


def test_commune_prefixes_are_dropped(communes):
    assert communes.resolve("Phường Ngọc Hà") == communes.resolve("Ngọc Hà") == "00008"
    phu_quoc = [u.id for u in communes if u.name == "Phú Quốc"]
    assert len(phu_quoc) == 1 and communes[phu_quoc[0]].kind == "đặc khu"
    assert communes.resolve("Đặc khu Phú Quốc") == phu_quoc[0]
    assert communes.resolve("Xã Xa Dung") == "03208"


def test_prefix_word_in_a_units_own_name_is_kept():
    # "Xa Dung" is a real commune (03208); a unit "Dung" must not capture it.
    s = UnitSet([{"id": "a", "name": "Xa Dung"}, {"id": "b", "name": "Dung"}])
    assert s.resolve("Xa Dung") == "a"
    assert s.resolve("Dung") == "b"
    assert s.resolve("Phường Dung") == "b"
    only = UnitSet([{"id": "t", "name": "Thành phố Mới"}])
    assert only.resolve("thanh pho moi") == "t"


def test_real_commune_named_with_a_prefix_word(communes):
    assert communes["03208"].name == "Xa Dung"
    assert communes.resolve("Xa Dung") == "03208"


def test_prefix_alone_or_unknown_rest_is_unknown(new):
    with pytest.raises(UnknownNameError, match="no unit"):
        new.resolve("Tỉnh")
    with pytest.raises(UnknownNameError, match=r"'Tỉnh Hà Nộii'.*Hà Nội"):
        new.resolve("Tỉnh Hà Nộii")


def test_without_prefix_needs_whole_words():
    assert without_prefix("Xã Đàn") == "dan"
    assert without_prefix("Xãđàn") is None
    assert without_prefix("Tpho Huế") is None
    assert all(without_prefix(p + " X") == "x" for p in OFFICIAL_PREFIXES)


@pytest.mark.parametrize(
    ("written", "uid"),
    [("Hanoi", "01"), ("HANOI", "01"), ("Ho Chi Minh City", "79"), ("ho chi minh city", "79"),
     ("Saigon", "79"), ("Danang", "48"), ("Haiphong", "31"), ("TP Hanoi", "01")],
)
def test_english_names(new, written, uid):
    assert new.resolve(written) == uid


def test_english_names_point_at_real_2025_units(new):
    names = {u.name for u in new}
    assert set(ENGLISH_NAMES.values()) <= names
    assert all(unicodedata.is_normalized("NFC", v) for v in ENGLISH_NAMES.values())


def test_english_name_needs_its_unit():
    s = UnitSet([{"id": "x", "name": "Huế"}])
    with pytest.raises(UnknownNameError):
        s.resolve("Hanoi")


def test_former_province_resolves_with_a_note(new):
    with pytest.warns(UserWarning) as caught:
        assert new.resolve("Bình Dương") == "79"
    notes = [str(w.message) for w in caught]
    assert notes == ["Bình Dương → Hồ Chí Minh (merged 1 July 2025)"]


@pytest.mark.parametrize("written", ["binh duong", "Tỉnh Bình Dương", "BÌNH DƯƠNG"])
def test_former_province_written_loosely(new, written):
    with pytest.warns(UserWarning, match="^Bình Dương → Hồ Chí Minh"):
        assert new.resolve(written) == "79"


def test_every_former_province_resolves_to_its_absorbing_unit(new):
    old = vietnam_provinces(2024)
    mapping = merger_2025()
    for unit in old:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert new.resolve(unit.name) == mapping[unit.id], unit.name
        kept = new[mapping[unit.id]].name
        # A name still in use resolves silently; an absorbed one always with its note.
        expected = [] if fold(unit.name) == fold(kept) else [
            f"{unit.name} → {kept} (merged 1 July 2025)"
        ]
        assert [str(w.message) for w in caught] == expected


def test_former_names_agree_with_the_data_file(new):
    # The loader takes them from vn_merger_2025.csv; the 34-unit file lists them too.
    for unit in new:
        listed = {n.strip() for n in unit.labels["merged_from_names"].split(";")}
        ours = set(filter(None, unit.labels.get("former_names", "").split(";")))
        assert ours == listed - {unit.name}, unit.name


def test_former_names_survive_subset(new):
    south = new.subset(["79", "80"])
    with pytest.warns(UserWarning, match="Long An → Tây Ninh"):
        assert south.resolve("Long An") == "80"


def test_former_names_only_on_sets_that_carry_them():
    old = vietnam_provinces(2024)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no note: Bình Dương is a unit of its own here
        assert old.resolve("Bình Dương") == "74"
    plain = UnitSet([{"id": "79", "name": "Hồ Chí Minh"}])
    with pytest.raises(UnknownNameError):
        plain.resolve("Bình Dương")


def test_former_names_in_a_plan(new):
    with pytest.warns(UserWarning, match="Quảng Nam → Đà Nẵng"):
        plan = Plan(new.subset(["48", "51"]), {"centre": ["Quảng Nam", "Quảng Ngãi"]})
    assert plan.clusters == {"centre": ["48", "51"]}


def test_ba_dinh_is_ambiguous_among_communes(communes):
    matches = [(u.id, u.name) for u in communes if fold(u.name) == "ba dinh"]
    assert len(matches) == 3 and ("21499", "Ba Dinh") in matches  # one is stored in ASCII
    for written in ("Ba Dinh", "Ba Đình", "ba dinh", "Phường Ba Đình"):
        with pytest.raises(AmbiguousNameError, match="ambiguous") as info:
            communes.resolve(written)
        assert info.value.matches == tuple(matches)
        for uid, name in matches:
            assert f"{uid} ({name})" in str(info.value)
    assert isinstance(info.value, UnknownNameError) and isinstance(info.value, KeyError)


def test_plan_keeps_the_ambiguity(communes):
    members = ["Ba Dinh", *(i for i in communes.ids if i not in ("00004", "16171", "21499"))]
    with pytest.raises(AmbiguousNameError, match=r"cluster 'all'.*00004.*16171.*21499") as info:
        Plan(communes, {"all": members})
    assert len(info.value.matches) == 3


def test_every_folded_collision_among_communes_is_ambiguous(communes):
    keys: dict[str, list[str]] = {}
    for u in communes:
        keys.setdefault(fold(u.name), []).append(u.id)
    collisions = {k: ids for k, ids in keys.items() if len(ids) > 1}
    assert len(collisions) > 100
    for key, ids in collisions.items():
        with pytest.raises(AmbiguousNameError) as info:
            communes.resolve(communes[ids[0]].name)
        assert [uid for uid, _ in info.value.matches] == ids, key


def test_plan_of_all_communes_by_name(communes):
    keys: dict[str, int] = {}
    for u in communes:
        keys[fold(u.name)] = keys.get(fold(u.name), 0) + 1
    # Every commune by name where its name is unambiguous, the others by id.
    members = [u.name if keys[fold(u.name)] == 1 else u.id for u in communes]
    assert sum(m != u.id for m, u in zip(members, communes)) > 2000
    by_province: dict[str, list[str]] = {}
    for member, u in zip(members, communes):
        by_province.setdefault(u.region, []).append(member)
    plan = Plan(communes, by_province)
    for province, ids in plan.clusters.items():
        assert all(communes[i].region == province for i in ids)
    assert sorted(i for ids in plan.clusters.values() for i in ids) == sorted(communes.ids)


def test_unknown_message_keeps_diacritics(communes):
    with pytest.raises(UnknownNameError) as info:
        communes.resolve("Ngọc Hàa")
    assert not isinstance(info.value, AmbiguousNameError)
    assert "Ngọc Hà" in str(info.value)
