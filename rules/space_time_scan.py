"""Kulldorff's prospective space-time permutation scan statistic, on a table of cases per area
and day. Pure: numpy only, no I/O, nothing of ours.

Method (Kulldorff et al. 2005, PLoS Med 2(3):e59; Kulldorff 2001, J R Stat Soc A 164:61-72;
the SaTScan user guide): c[z, d] are the cases of area z on day d of a study window whose last
day is the day analysed, C_z and C_d the area and day totals, C the grand total.

- A cylinder is a circle of areas (an area and its nearest neighbours by centroid distance,
  added one by one while the circle holds at most max_share of the population) times the last
  1..max_days days of the window: prospective, so only clusters still going on are sought.
- Its expected cases, were where and when a case falls independent, are
  mu = sum over its areas z and days d of C_z * C_d / C.
- The evidence of an excess is the Poisson generalised likelihood ratio, as a log:
  LLR = c ln(c/mu) + (C - c) ln((C - c)/(C - mu)) where c > mu, else 0.
- Inference is by Monte-Carlo: a replicate keeps every area total and every day total and
  shuffles which day each case falls on (the permutation model). A cluster's p-value is
  (1 + replicates whose largest LLR is at least the cluster's) / (replicates + 1). Secondary
  clusters share no area with any cluster before them (SaTScan's "no geographical overlap")
  and are compared with the same maxima.
- Recurrence interval: in a daily analysis a p-value p means one such signal by chance in 1/p
  days.

How 999 replicates over 273 areas stay fast with no Python loop per replicate or cylinder:

- A replicate is drawn as its last max_days days only, each day one multivariate
  hypergeometric draw of that day's total from what is left of the areas' cases, area by area,
  every replicate at once; the earlier days matter only through their totals.
- mu does not change between replicates, so the LLR of a count c is f[c] - c*a - b with
  f[c] = c ln c + (C-c) ln(C-c) tabulated once and a, b two numbers per cylinder; and since it
  grows with c above mu, "LLR >= t" is "c >= threshold", an integer per cylinder.
- p-values need a replicate's maximum only where it reaches the smallest LLR reported, so the
  circles are grown one neighbour at a time for all centres, days and replicates together
  (a running sum), each step compared with the thresholds, and the exact LLR is computed only
  for the few counts that reach them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

_EARTH_KM = 6371.0
# Replicates per batch of the running sums: (areas, days, batch) int32 arrays that stay in cache.
_BATCH = 64
# Replicate maxima are sought exactly down to the smallest reported LLR, but not below this
# unless a reported cluster is below it and a replicate never reached it (then a second pass):
# far below any replicate's maximum, it would only make the pass slow.
_EXACT_FLOOR = 2.0
# Up to this many cases a replicate shuffles the cases' days; above, hypergeometric draws.
_SHUFFLE_CASES = 4_000
_SHUFFLE_CELLS = 4_000_000  # labels shuffled at once
_TIE = 1e-9  # relative: LLRs this close count as equal (SaTScan counts ties as exceeding)


@dataclass(frozen=True)
class Cylinders:
    """The circles of the scan: order[i] lists the areas by distance from area i (i first);
    centre i's circles are its first 1..sizes[i] areas. Each runs over the last 1..max_days
    days."""

    order: Ints  # (areas, areas)
    sizes: Ints  # (areas,)
    max_days: int

    @property
    def widest(self) -> int:
        return int(self.sizes.max()) if len(self.sizes) else 0

    def valid(self) -> NDArray[np.bool_]:
        """(widest, areas): whether circle k+1 of centre i is a circle of the scan."""
        return np.arange(self.widest)[:, None] < self.sizes[None, :]


@dataclass(frozen=True)
class Cluster:
    """A cylinder reported by the scan: its areas (indexes, the centre first, then by distance),
    its last `days` days, the cases observed and expected there, the LLR and the Monte-Carlo
    p-value."""

    areas: tuple[int, ...]
    days: int
    observed: int
    expected: float
    llr: float
    p_value: float

    @property
    def ratio(self) -> float:
        """Observed / expected."""
        return self.observed / self.expected if self.expected else float("inf")

    @property
    def recurrence_days(self) -> float:
        """In a daily prospective analysis, once in 1/p days by chance (Kulldorff 2001;
        SaTScan user guide)."""
        return 1.0 / self.p_value


@dataclass(frozen=True)
class ScanResult:
    clusters: tuple[Cluster, ...]  # primary first, then secondaries in order of LLR
    cases: int  # C: the cases of the study window
    replicates: int


def distances_km(lat: Floats, lon: Floats) -> Floats:
    """Great-circle distances between centroids (haversine), areas x areas."""
    phi, lam = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return np.asarray(2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), np.float64)


def cylinders(
    lat: Floats, lon: Floats, population: NDArray[np.number], max_share: float, max_days: int
) -> Cylinders:
    """Every area's circles: the area alone, then with its nearest neighbours (by centroid
    distance; ties to the lower index) added one at a time while the circle holds at most
    max_share of the population. The area alone is always a circle."""
    if not 0 < max_share <= 1:
        raise ValueError("max_share is a share of the population, in (0, 1]")
    if max_days < 1:
        raise ValueError("max_days is at least 1")
    n = len(lat)
    order = np.argsort(distances_km(lat, lon), axis=1, kind="stable").astype(np.int64)
    for i in np.flatnonzero(order[:, 0] != np.arange(n)):  # a centroid shared with a lower index
        order[i] = [i, *(z for z in order[i] if z != i)]
    people = np.asarray(population, np.float64)
    limit = max_share * people.sum() * (1 + 1e-12)
    within = np.cumsum(people[order], axis=1) <= limit
    within[:, 0] = True
    # Circles are nested: the first one over the limit ends the centre's list.
    sizes = np.where(within.all(axis=1), n, np.argmin(within, axis=1)).astype(np.int64)
    return Cylinders(order, sizes, max_days)


def log_likelihood_ratio(
    observed: Floats | float, expected: Floats | float, total: float
) -> Floats:
    """Kulldorff et al.'s (2005) Poisson GLR as a log: c ln(c/mu) + (C-c) ln((C-c)/(C-mu)) where
    c > mu, else 0."""
    c = np.asarray(observed, np.float64)
    mu = np.asarray(expected, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(c > 0, c * np.log(c / mu), 0.0)
        rest = np.where(total - c > 0, (total - c) * np.log((total - c) / (total - mu)), 0.0)
    return np.asarray(np.where(c > mu, inside + rest, 0.0), np.float64)


def recent_totals(cases: NDArray[np.integer], max_days: int) -> Ints:
    """Cases of each area in the last 1..max_days days of the table: (areas, max_days)."""
    table = np.asarray(cases, np.int64)
    last = table[:, ::-1][:, :max_days]
    last = np.pad(last, ((0, 0), (0, max_days - last.shape[1])))
    return np.cumsum(last, axis=1)


def expected_cases(cases: NDArray[np.integer], shape: Cylinders) -> Floats:
    """mu of every cylinder: (circle size k = 1..widest, centre, days 1..max_days); NaN where
    the centre has no circle of that size."""
    table = np.asarray(cases, np.int64)
    total = int(table.sum())
    areas = np.cumsum(table.sum(axis=1)[shape.order[:, : shape.widest]], axis=1).T  # (k, i)
    days = recent_totals(table.sum(axis=0)[None, :], shape.max_days)[0]
    mu = areas[:, :, None] * days[None, None, :] / max(total, 1)
    return np.asarray(np.where(shape.valid()[:, :, None], mu, np.nan), np.float64)


def circle_counts(recent: Ints, shape: Cylinders) -> Ints:
    """Cases of every cylinder, from the areas' cases in the last 1..max_days days
    (areas, max_days): (k, centre, days), 0 where there is no such circle."""
    grown = np.cumsum(np.asarray(recent, np.int64)[shape.order[:, : shape.widest]], axis=1)
    return np.asarray(np.where(shape.valid()[:, :, None], grown.transpose(1, 0, 2), 0), np.int64)


def draw_recent(
    rng: np.random.Generator, area_totals: Ints, day_totals: Ints, max_days: int, count: int
) -> NDArray[np.int32]:
    """count replicates of the permutation model, as each area's cases in the last
    1..max_days days: (areas, max_days, count).

    Few cases: each replicate shuffles the cases' days (only whether a day is one of the last
    max_days, and which, matters). Many: each day, the last first, is a multivariate
    hypergeometric draw of its total from what is left of every area's cases, made area by
    area, one hypergeometric draw per area for all replicates at once (the cost of a shuffle
    grows with the cases, that of the draws with the areas)."""
    areas = np.asarray(area_totals, np.int64)
    days = np.asarray(day_totals, np.int64)[::-1][:max_days]  # the last day first
    total = int(areas.sum())
    if total <= _SHUFFLE_CASES:
        out = _shuffled(rng, areas, days, total, max_days, count)
    else:
        out = _hypergeometric(rng, areas, days, max_days, count)
    return np.cumsum(out, axis=1).astype(np.int32)


def _shuffled(
    rng: np.random.Generator, areas: Ints, days: Ints, total: int, max_days: int, count: int
) -> Ints:
    """Per replicate, the cases of each area on each of the last days, by shuffling labels."""
    n = len(areas)
    area_of = np.repeat(np.arange(n), areas)
    slots = np.repeat(np.arange(max_days + 1, dtype=np.int8), [*days, total - int(days.sum())])
    out = np.zeros((count, n, max_days + 1), np.int64)
    step = max(1, _SHUFFLE_CELLS // max(total, 1))
    for start in range(0, count, step):
        rows = min(step, count - start)
        shuffled = rng.permuted(np.broadcast_to(slots, (rows, total)), axis=1)
        cells = (np.arange(rows)[:, None] * n + area_of[None, :]) * (max_days + 1) + shuffled
        out[start : start + rows] = np.bincount(
            cells.ravel(), minlength=rows * n * (max_days + 1)
        ).reshape(rows, n, max_days + 1)
    return np.ascontiguousarray(out[:, :, :max_days].transpose(1, 2, 0))


def _hypergeometric(
    rng: np.random.Generator, areas: Ints, days: Ints, max_days: int, count: int
) -> Ints:
    """The same by sequential hypergeometric draws, area by area, for all replicates at once."""
    left = np.repeat(areas[:, None], count, axis=1)  # (areas, count)
    pool = left.sum(axis=0)
    out = np.zeros((len(areas), max_days, count), np.int64)
    having = np.flatnonzero(areas > 0)
    for slot, wanted in enumerate(days):
        need = np.full(count, int(wanted), np.int64)
        rest = pool.copy()
        for number, area in enumerate(having):
            if number % 16 == 0 and not need.any():
                break
            good = left[area]
            rest -= good
            drawn = rng.hypergeometric(good, rest, need)
            out[area, slot] = drawn
            need -= drawn
        left -= out[:, slot]
        pool -= int(wanted)
    return out


class _Scorer:
    """The LLR of counts of the cylinders, f[c] - c*a - b, and the smallest count at which it
    reaches a given value."""

    def __init__(self, expected: Floats, total: int) -> None:
        self.total = total
        counts = np.arange(total + 1, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogx = np.where(counts > 0, counts * np.log(counts), 0.0)
        self.f = xlogx + xlogx[::-1]
        self.usable = np.isfinite(expected) & (expected > 0) & (expected < total)
        mu = np.where(self.usable, expected, 1.0)
        self.a = np.log(mu) - np.log(np.maximum(total - mu, 1e-300))
        self.b = total * np.log(np.maximum(total - mu, 1e-300))
        self.mu = np.where(self.usable, mu, np.inf)  # never exceeded

    def llr(self, counts: Ints, where: tuple[Ints, ...] | None = None) -> Floats:
        """LLR of counts (the cylinders' shape, or picked by `where` indexes)."""
        a, b, mu = (self.a, self.b, self.mu) if where is None else (
            self.a[where], self.b[where], self.mu[where])  # fmt: skip
        values = self.f[counts] - counts * a - b
        return np.asarray(np.where(counts > mu, values, 0.0), np.float64)

    def thresholds(self, llr: float) -> NDArray[np.int32]:
        """Per cylinder, the smallest count whose LLR is at least llr (allowing _TIE); C + 1
        where none is."""
        floor = llr * (1 - _TIE)
        low = np.where(self.usable, np.floor(np.where(self.usable, self.mu, 0)) + 1, 0)
        low = np.minimum(low, self.total + 1).astype(np.int64)
        high = np.full(low.shape, self.total + 1, np.int64)
        # Binary search: LLR(high) >= floor or high = C + 1; LLR(low - 1) < floor.
        while True:
            open_ = low < high
            if not open_.any():
                break
            middle = (low + high) // 2
            reaches = self.f[np.minimum(middle, self.total)] - middle * self.a - self.b >= floor
            reaches &= open_ & self.usable
            high = np.where(reaches, middle, high)
            low = np.where(open_ & ~reaches, middle + 1, low)
        return np.where(self.usable, high, self.total + 1).astype(np.int32)


def _maxima(
    scorer: _Scorer, shape: Cylinders, recent: NDArray[np.int32], threshold: float, out: Floats
) -> None:
    """Raise out[r] to replicate r's largest LLR among the cylinders that reach `threshold`
    (recent: (areas, max_days, replicates) as draw_recent gives)."""
    limits = scorer.thresholds(threshold)[..., None]  # (k, centre, days, 1)
    for start in range(0, recent.shape[2], _BATCH):
        batch = np.ascontiguousarray(recent[:, :, start : start + _BATCH])
        running = np.zeros(batch.shape, np.int32)
        for k in range(shape.widest):
            running += np.take(batch, shape.order[:, k], axis=0)
            reached = running >= limits[k]
            if not reached.any():
                continue
            flat = np.flatnonzero(reached)
            cylinder, replicate = np.divmod(flat, reached.shape[2])
            centre, days = np.divmod(cylinder, reached.shape[1])
            values = scorer.llr(
                running.ravel()[flat].astype(np.int64), (np.full_like(centre, k), centre, days)
            )
            np.maximum.at(out, start + replicate, values)


def scan(
    cases: NDArray[np.integer],
    population: NDArray[np.number],
    lat: Floats,
    lon: Floats,
    *,
    max_share: float = 0.5,
    max_days: int = 7,
    replicates: int = 999,
    seed: int = 0,
    max_clusters: int = 10,
) -> ScanResult:
    """The prospective space-time permutation scan of a case table (areas x days, the last
    column the day analysed): up to max_clusters clusters with more cases than expected, sharing
    no area, the most unusual first, each with its Monte-Carlo p-value from `replicates`
    replicates of a numpy Generator seeded with `seed` (same inputs and seed, same answer).
    population (per area) bounds the circles (max_share)."""
    table = np.asarray(cases, np.int64)
    if table.ndim != 2 or table.shape[0] != len(lat) or len(lat) != len(lon):
        raise ValueError("cases is areas x days, with a latitude and a longitude per area")
    if (table < 0).any():
        raise ValueError("cases are counts")
    if replicates < 1:
        raise ValueError("at least one replicate")
    total = int(table.sum())
    if total == 0:
        return ScanResult((), 0, replicates)
    shape = cylinders(lat, lon, population, max_share, max_days)
    expected = expected_cases(table, shape)
    scorer = _Scorer(expected, total)
    observed = circle_counts(recent_totals(table, max_days), shape)
    scores = scorer.llr(observed)

    found: list[tuple[tuple[int, ...], int, int, float, float]] = []
    taken = np.zeros(len(lat), bool)
    positions = np.arange(shape.widest)[:, None]
    while len(found) < max_clusters:
        best = np.unravel_index(int(np.argmax(scores)), scores.shape)
        llr = float(scores[best])
        if llr <= 0:
            break
        k, centre, days = (int(v) for v in best)
        areas = shape.order[centre, : k + 1]
        found.append((tuple(int(a) for a in areas), days + 1, int(observed[best]),
                      float(expected[best]), llr))  # fmt: skip
        taken[areas] = True
        # A circle overlaps the clusters so far when a taken area comes within it.
        hits = taken[shape.order]
        first = np.where(hits.any(axis=1), np.argmax(hits, axis=1), len(lat))
        scores[positions >= first[None, :]] = 0.0
    if not found:
        return ScanResult((), total, replicates)

    smallest = min(llr for *_, llr in found)
    rng = np.random.default_rng(seed)
    recent = draw_recent(rng, table.sum(axis=1), table.sum(axis=0), max_days, replicates)
    maxima = np.zeros(replicates)
    _maxima(scorer, shape, recent, max(smallest, _EXACT_FLOOR), maxima)
    below = np.flatnonzero(maxima < _EXACT_FLOOR * (1 - _TIE))
    if smallest < _EXACT_FLOOR and len(below):
        # Only the replicates that never reached the floor need the lower threshold.
        lower = np.zeros(len(below))
        _maxima(scorer, shape, np.ascontiguousarray(recent[:, :, below]), smallest, lower)
        maxima[below] = np.maximum(maxima[below], lower)
    reached = maxima[None, :] >= np.array([llr for *_, llr in found])[:, None] * (1 - _TIE)
    exceeded = reached.sum(axis=1)
    clusters = tuple(
        Cluster(areas, days, count, mu, llr, float(above + 1) / (replicates + 1))
        for (areas, days, count, mu, llr), above in zip(found, exceeded, strict=True)
    )
    return ScanResult(clusters, total, replicates)
