"""Ward hot spots of at-risk declarations: local Getis-Ord Gi* with permutation inference and
a false-discovery-rate correction (docs/early-warning.md, "Ward hot spots"). No database here:
per-ward counts (queries/hot_spots.py) in, one row per ward out.

The value of a ward is its at-risk share, at_risk / declarations over the window. A ward
without a declaration has no share: it is left out of the statistic (its row says so with
missing z, p and q) rather than counted as a share of 0, which would make every quiet ward
look like a cold spot. Gi* (Getis & Ord 1992, Ord & Getis 1995) is esda.G_Local with binary
queen weights and the ward itself included (star); z is its standardised value. p is a
two-sided conditional-permutation pseudo p-value: the ward's own share held, the others'
shuffled `permutations` times with a fixed seed (esda's draws), twice the smaller tail with
ties counted in both. (G_Local's own p_sim picks the tail from the data, which esda itself
advises against, and counts a tie as extreme in either direction, so a quiet ward among quiet
neighbours came out "significantly cold".) q is the Benjamini-Hochberg (1995) adjusted p-value
over the wards analysed (scipy.stats.false_discovery_control). A ward is hot when q < alpha
and z > 0, cold when q < alpha and z < 0.

With fewer than MIN_WARDS wards, or when every analysed ward has the same share (all 0, for
instance), there is no variation to test: z, p and q stay missing and no ward is hot or cold.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from esda.getisord import G_Local
from esda.significance import calculate_significance
from scipy.stats import false_discovery_control

from geo.admin_units import hcmc_districts, hcmc_wards
from geo.ward_neighbours import WardGraph, ward_weights

MIN_WARDS = 3
DIRECTED_WARNING = "The alternative hypothesis for conditional randomization"
DISCONNECTED_WARNING = "The weights matrix is not fully connected"
RESULT_COLUMNS = [
    "ward_code",
    "ward_name",
    "district_code",
    "district_name",
    "declarations",
    "at_risk",
    "share",
    "z",
    "p",
    "q",
    "hot",
    "cold",
    "island",
]


@lru_cache(maxsize=1)
def _city_wards() -> pd.DataFrame:
    districts = {d.code: d.name for d in hcmc_districts()}
    return pd.DataFrame(
        [(w.code, w.name, w.district_code, districts[w.district_code]) for w in hcmc_wards()],
        columns=["code", "name", "district_code", "district_name"],
    )


def city_wards(codes: frozenset[str] | None = None) -> pd.DataFrame:
    """code, name, district_code, district_name of the city's wards (or of codes among them)."""
    frame = _city_wards()
    if codes is not None:
        frame = frame[frame["code"].isin(codes)]
    return frame.reset_index(drop=True)


def two_sided_p(observed: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Per ward, twice the smaller one-sided pseudo p-value ((m + 1) / (R + 1), a draw equal
    to the observed value counted in both tails), at most 1."""
    greater = calculate_significance(observed, draws, alternative="greater")
    lesser = calculate_significance(observed, draws, alternative="lesser")
    return np.asarray(np.minimum(1.0, 2 * np.minimum(greater, lesser)), dtype=float)


def hot_spots(
    counts: pd.DataFrame,
    graph: WardGraph,
    wards: pd.DataFrame,
    *,
    alpha: float = 0.05,
    permutations: int = 9_999,
    seed: int = 1992,
) -> pd.DataFrame:
    """One row per ward of wards (code, name, district_code, district_name: the area analysed)
    with its counts (counts: ward_code, declarations, at_risk; a ward not in it had none), its
    share, Gi* z, permutation p, FDR q, hot, cold and island (it had no queen neighbour among
    the wards analysed and was given its nearest ones), sorted by z, highest first (wards
    without a z last), then code."""
    frame = wards.rename(columns={"code": "ward_code", "name": "ward_name"})[
        ["ward_code", "ward_name", "district_code", "district_name"]
    ].merge(counts[["ward_code", "declarations", "at_risk"]], on="ward_code", how="left")
    frame[["declarations", "at_risk"]] = (
        frame[["declarations", "at_risk"]].fillna(0).astype("int64")
    )
    analysed = (frame["declarations"] > 0).to_numpy()
    share = frame["at_risk"] / frame["declarations"].where(frame["declarations"] > 0)
    frame["share"] = share
    for column in ("z", "p", "q"):
        frame[column] = np.nan
    frame["island"] = False
    values = share[analysed].to_numpy(dtype=float)
    if len(values) >= MIN_WARDS and np.ptp(values) > 0:
        codes = frame.loc[analysed, "ward_code"].tolist()
        weighted = ward_weights(graph, codes)
        with warnings.catch_warnings():
            # G_Local's own p_sim uses esda's old "directed" alternative (and says so); it is
            # not used: p is computed from the same draws, two-sided, below.
            warnings.filterwarnings("ignore", DIRECTED_WARNING, DeprecationWarning)
            # The wards that declared may fall into separate groups (early in the day); Gi* is
            # local, so each ward's z stands on its own neighbourhood: nothing to warn of.
            warnings.filterwarnings("ignore", DISCONNECTED_WARNING, UserWarning)
            statistic = G_Local(
                values,
                weighted.weights,
                transform="B",
                star=True,
                permutations=permutations,
                seed=seed,
                n_jobs=1,
                keep_simulations=True,
            )
        p = two_sided_p(statistic.Gs, statistic.rGs)
        frame.loc[analysed, "z"] = statistic.Zs
        frame.loc[analysed, "p"] = p
        frame.loc[analysed, "q"] = false_discovery_control(p, method="bh")
        frame.loc[frame["ward_code"].isin(weighted.islands), "island"] = True
    significant = frame["q"] < alpha
    frame["hot"] = significant & (frame["z"] > 0)
    frame["cold"] = significant & (frame["z"] < 0)
    ordered = frame.sort_values(["z", "ward_code"], ascending=[False, True], na_position="last")
    return ordered[RESULT_COLUMNS].reset_index(drop=True)
