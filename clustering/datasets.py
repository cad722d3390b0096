"""Built-in real datasets: Vietnam's provinces (34 after 1 July 2025, 63 before) and communes.

Everything is read offline from package data. The provenance of every column is
shipped beside the data: :func:`provenance` returns it, and ``DATASETS.md``
(printed by ``provenance("datasets")``) says how the loaders map columns to
indicators. Read it before using a figure: in particular the 34-unit file holds
**two population series** that must not be mixed (the loaders weigh units by the
GSO series), and the 63 and 34 code lists reuse numbers for different units, so
they are joined only through :func:`merger_2025`.

Examples
--------
>>> from clustering.datasets import vietnam_provinces
>>> new = vietnam_provinces(2025)
>>> len(new), new.graph.number_of_edges()
(34, 58)
>>> new["01"].name, new["01"].indicators["grdp_per_capita"]
('Hà Nội', 162.92)
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from importlib import resources

from .errors import FairclustersError
from .io import read_edges_csv
from .islands import link_islands
from .plan import Plan
from .units import Unit, UnitSet

__all__ = [
    "COMMUNES",
    "COMMUNE_DEFAULT_INDICATORS",
    "merger_2025",
    "merger_2025_plan",
    "provenance",
    "province_communes",
    "vietnam_communes",
    "vietnam_provinces",
]

_DATA = resources.files(__package__) / "data"

# indicator name -> source column, per dataset (see DATASETS.md)
_INDICATORS = {
    2025: {
        "population": "population_2024_gso_sum",
        "population_official_2025": "population_2025_official",
        "grdp": "grdp_2024_nso_bn_vnd",
        "grdp_per_capita": "grdp_per_capita_2024_nso_mn_vnd",
        "urban_pct": "urban_pct_2024",
        "area_km2": "area_km2",
        "area_km2_polygon": "area_km2_polygon",
    },
    2024: {
        "population": "population_2024",
        "grdp": "grdp_2024_nso_bn_vnd",
        "grdp_per_capita": "grdp_per_capita_2024_nso_mn_vnd",
        "urban_pct": "urban_pct_2024",
        "area_km2_polygon": "area_km2_polygon",
        "density": "pop_density_2024",
    },
}
# Development indicators used when none are named: size, prosperity, urbanisation
# and extent, one series each (GRDP = population x GRDP per capita would count
# twice; the two population series and the two areas are versions of one quantity).
_DEFAULT_INDICATORS = {
    2025: ("population", "grdp_per_capita", "urban_pct", "area_km2"),
    2024: ("population", "grdp_per_capita", "urban_pct", "area_km2_polygon"),
}
_FILES = {2025: "vn_provinces_34.csv", 2024: "vn_provinces_63.csv"}
_EDGES = {2025: "vn_adjacency_34_edges.csv", 2024: "vn_adjacency_63_edges.csv"}
_STRUCTURAL = {"id", "name_vi", "type", "region_gso6", "lat", "lon", "neighbors", "n_neighbors"}
# Columns of a different (press) GRDP series: kept in the CSV, deliberately not loaded.
_NOT_LOADED = {"grdp_2024_bn_vnd", "grdp_per_capita_2024_mn_vnd", "grdp_2024_note", "grdp_source"}
_PROVENANCE = {
    "datasets": "DATASETS.md",
    "provinces": "PROVENANCE_provinces.md",
    "grdp63": "PROVENANCE_grdp63.md",
    "communes": "PROVENANCE_communes.md",
}


# Parsing is cached, but each public call returns a fresh UnitSet and mapping
# (callers may modify a graph or a dict without affecting later calls).
def _read_rows(filename: str) -> list[dict[str, str]]:
    with (_DATA / filename).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def provenance(topic: str = "datasets") -> str:
    """The provenance notes shipped with the data.

    Parameters
    ----------
    topic : {"datasets", "provinces", "grdp63", "communes"}
        ``"datasets"`` is the overview (column -> indicator mapping and
        warnings); the others are the full source notes.
    """
    if topic not in _PROVENANCE:
        raise FairclustersError(
            f"unknown provenance topic {topic!r}; expected one of {list(_PROVENANCE)}"
        )
    return (_DATA / _PROVENANCE[topic]).read_text(encoding="utf-8")


# The day the 34-unit map took effect (Nghị quyết 202/2025/QH15), as notes write it.
_MERGER_2025_DATE = "1 July 2025"


def merger_2025() -> dict[str, str]:
    """Map each of the 63 old unit ids to the id of the new (34-unit) unit it joined.

    From Nghị quyết 202/2025/QH15; the two code lists reuse numbers, so this
    mapping is the only safe join between them.
    """
    return dict(_merger())


@cache
def _merger() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in _read_rows("vn_merger_2025.csv"):
        if row["old_id"] in mapping:
            raise FairclustersError(f"merger table lists old id {row['old_id']!r} twice")
        mapping[row["old_id"]] = row["new_id"]
    return mapping


def _majority_regions() -> dict[str, str]:
    """GSO region holding most of the 2024 population of each new unit's constituents."""
    mapping = merger_2025()
    population: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in _read_rows(_FILES[2024]):
        population[mapping[row["id"]]][row["region_gso6"]] += float(row["population_2024"])
    return {new: max(shares, key=shares.get) for new, shares in population.items()}


def _province_unit(row: dict[str, str], year: int, extra_labels: dict[str, str]) -> Unit:
    indicators = {name: _number(row[col]) for name, col in _INDICATORS[year].items()}
    used = _STRUCTURAL | set(_INDICATORS[year].values()) | _NOT_LOADED
    labels = {k: v for k, v in row.items() if k not in used and v.strip()}
    labels.update(extra_labels)
    return Unit(
        id=row["id"],
        name=row["name_vi"],
        kind=row["type"],
        region=row["region_gso6"] or None,
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        indicators=indicators,
        weight=indicators["population"],
        labels=labels,
    )


@cache
def _provinces(year: int) -> UnitSet:
    rows = _read_rows(_FILES[year])
    extra: dict[str, dict[str, str]] = defaultdict(dict)
    if year == 2025:
        for uid, region in _majority_regions().items():
            extra[uid]["region_majority"] = region
        # The pre-merger names each unit absorbed, so that UnitSet.resolve finds
        # "Bình Dương" in the 2025 set (with a note) and the labels survive subset().
        for row in _read_rows("vn_merger_2025.csv"):
            if row["old_name_vi"] != row["new_name_vi"]:
                absorbed = extra[row["new_id"]]
                names = [n for n in absorbed.get("former_names", "").split(";") if n]
                absorbed["former_names"] = ";".join([*names, row["old_name_vi"]])
                absorbed["merged_on"] = _MERGER_2025_DATE
    units = [_province_unit(r, year, extra[r["id"]]) for r in rows]
    edges, attributes = read_edges_csv(_DATA / _EDGES[year])
    return UnitSet(
        units,
        edges,
        edge_attributes=attributes,
        name=f"vietnam-provinces-{year}",
        default_indicators=_DEFAULT_INDICATORS[year],
        provenance=(
            f"clustering/data/{_FILES[year]} (see clustering.datasets.provenance())"
        ),
    )


def vietnam_provinces(year: int = 2025) -> UnitSet:
    """Vietnam's provincial units with indicators and land borders.

    Parameters
    ----------
    year : {2025, 2024}
        ``2025``: the 34 units from 1 July 2025 (28 provinces, 6 cities).
        ``2024``: the 63 units before the merger (58 provinces, 5 cities).

    Returns
    -------
    UnitSet
        Units in file order (by GSO code). ``kind`` is ``"province"`` or
        ``"city"``; ``region`` the GSO socio-economic region (``None`` for the
        7 units of 2025 that straddle two regions; see the ``region_majority``
        label); ``weight`` the GSO average population 2024. Indicators:
        ``population``, ``grdp``, ``grdp_per_capita``, ``urban_pct``,
        ``area_km2_polygon``, plus ``area_km2`` and ``population_official_2025``
        (2025) or ``density`` (2024). See :func:`provenance`.

    Examples
    --------
    >>> old = vietnam_provinces(2024)
    >>> len(old), old.graph.number_of_edges()
    (63, 135)
    """
    if year not in _FILES:
        raise FairclustersError(
            f"no built-in province data for year {year!r}; expected 2025 (34 units) or 2024 (63)"
        )
    return _provinces(year).subset(_provinces(year).ids)  # fresh copy of the cached set


def merger_2025_plan() -> Plan:
    """The 2025 merger as a plan of the 63 old units into 34 clusters (named by new unit).

    Examples
    --------
    >>> merger_2025_plan().n_clusters
    34
    """
    old, new = vietnam_provinces(2024), vietnam_provinces(2025)
    clusters: dict[str, list[str]] = {u.name: [] for u in new}
    for old_id, new_id in merger_2025().items():
        clusters[new[new_id].name].append(old_id)
    return Plan(old, clusters, name="merger 2025 (NQ 202/2025/QH15)")


#: The built-in commune dataset's name; ``COMMUNES + ":" + province`` names one province's.
COMMUNES = "vietnam-communes-2025"
#: Indicators of the communes' default dissimilarity: size and extent, one series each. The
#: data hold two areas, the official one (``area_km2_official``, from the reform decisions,
#: known for every commune) and one computed from the drawn polygons (``area_km2_polygon``):
#: versions of one quantity, so only the official one is used (both would count area twice).
COMMUNE_DEFAULT_INDICATORS = ("population", "area_km2_official")


@cache
def _communes() -> UnitSet:
    units = []
    for row in _read_rows("communes_2025.csv"):
        population = _number(row["population"])
        units.append(
            Unit(
                id=row["id"],
                name=row["name_vi"],
                kind=row["type"],
                region=row["province_id"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                indicators={
                    "population": population,
                    "area_km2_official": _number(row["area_km2_official"]),
                    "area_km2_polygon": _number(row["area_km2_polygon"]),
                },
                weight=population,
                labels={
                    k: row[k]
                    for k in ("name_ascii", "province_id", "type_2026", "population_quality",
                              "population_flag", "area_official_flag")
                    if row[k].strip()
                },
            )
        )
    edges, attributes = read_edges_csv(_DATA / "communes_2025_edges.csv")
    return UnitSet(
        units,
        edges,
        edge_attributes=attributes,
        name=COMMUNES,
        provenance="clustering/data/communes_2025.csv (see provenance('communes'))",
        default_indicators=COMMUNE_DEFAULT_INDICATORS,
    )


def vietnam_communes(province: str | None = None) -> UnitSet:
    """The 3,321 commune-level units after the 2025 reform, with land borders.

    Parameters
    ----------
    province : str, optional
        A 2025 province id or name (e.g. ``"01"`` or ``"Ha Noi"``): only its
        communes and the borders among them. Default: the whole country.

    Returns
    -------
    UnitSet
        ``region`` holds the province id; ``weight`` and the indicator
        ``population`` hold the 2025 "quy mô dân số" (missing for 73 units,
        never filled in; grade in the ``population_quality`` label). Island
        communes have no land border: the graph has several components
        (:func:`clustering.islands.link_islands` joins them, reporting each link;
        :func:`province_communes` does it for one province). The default
        dissimilarity uses :data:`COMMUNE_DEFAULT_INDICATORS`: population and
        the official area (not also the polygon area, which would count area twice).

    Examples
    --------
    >>> hanoi = vietnam_communes("Hà Nội")
    >>> all(u.region == "01" for u in hanoi)
    True
    """
    communes = _communes()
    if province is None:
        return communes.subset(communes.ids)  # fresh copy of the cached set
    province_id = vietnam_provinces(2025).resolve(province)
    ids = [u.id for u in communes if u.region == province_id]
    return communes.subset(ids, name=f"vietnam-communes-2025-{province_id}")


def province_communes(province: str, *, islands: bool = True) -> UnitSet:
    """One province's communes as a dataset named ``vietnam-communes-2025:<province id>``.

    Parameters
    ----------
    province : str
        A 2025 province id or name, diacritics optional (``"79"``,
        ``"Hồ Chí Minh"``, ``"Ho Chi Minh"``); an unknown one is refused with
        the closest names.
    islands : bool, default True
        Join each island component to the mainland by its shortest
        great-circle link (:func:`clustering.islands.link_islands`); every
        link added is listed in the set's ``provenance`` (and so in the
        benchmark report). ``False`` keeps the land borders only.

    Returns
    -------
    UnitSet
        The province's communes (see :func:`vietnam_communes`).

    Examples
    --------
    >>> hcmc = province_communes("Ho Chi Minh")
    >>> hcmc.name, len(hcmc), "island link(s) added" in hcmc.provenance
    ('vietnam-communes-2025:79', 168, True)
    """
    province_id = vietnam_provinces(2025).resolve(province)
    units = vietnam_communes(province_id)
    name = f"{COMMUNES}:{province_id}"
    if not islands:
        return units.subset(units.ids, name=name)
    linked, links = link_islands(units)
    if not links:
        return units.subset(units.ids, name=name)
    listed = "; ".join(
        f"{linked[x.island].name} ({x.island}) - {linked[x.mainland].name} ({x.mainland}), "
        f"{x.km:.1f} km" + (f", {x.component_size} units" if x.component_size > 1 else "")
        for x in links)
    note = (f"{len(links)} island link(s) added, the shortest great-circle link of each island "
            f"component to the mainland (clustering.islands.link_islands): {listed}")
    return UnitSet(linked.units, edges=list(linked.graph.edges()),
                   edge_attributes={(a, b): dict(d) for a, b, d in linked.graph.edges(data=True)
                                    if d},
                   name=name, provenance=f"{units.provenance}; {note}",
                   default_indicators=units.default_indicators)
