"""Writes the real-data corpus of this folder (run once; the CSVs are committed).

``python tests/data/real/make_real.py`` rebuilds every file exactly (fixed seeds).

- ``penguins.csv``: 344 penguins drawn from the published per-species means and
  standard deviations of the Palmer penguins data (Gorman et al. 2014; the
  palmerpenguins R package), with its island mix, males larger than females, the
  years 2007-2009, 2 birds with no measurements and 11 with no recorded sex.
- ``customers_semicolon.csv``: 240 shop customers, ``;``-separated with decimal
  commas, a ``customer_id`` column (1001, 1002, ...) and three spending segments.
- ``countries_population.csv``: 142 countries in one year, gapminder-style: the
  population column spans 1e5 to 1.3e9 and dwarfs life expectancy and income.
- ``shop_sessions_mixed.csv``: 300 web-shop sessions with a date column, three text
  categories (channel, device, plan) and four numeric measurements.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

# species: n, island counts, (mean, sd) of bill length, bill depth, flipper, body mass
PENGUINS = {
    "Adelie": (
        152,
        {"Torgersen": 52, "Biscoe": 44, "Dream": 56},
        [(38.79, 2.66), (18.35, 1.22), (189.95, 6.54), (3700.66, 458.57)],
    ),
    "Chinstrap": (
        68,
        {"Dream": 68},
        [(48.83, 3.34), (18.42, 1.14), (195.82, 7.13), (3733.09, 384.34)],
    ),
    "Gentoo": (
        124,
        {"Biscoe": 124},
        [(47.50, 3.08), (14.98, 0.98), (217.19, 6.48), (5076.02, 504.12)],
    ),
}


def penguins(seed: int = 2014) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for species, (n, islands, stats) in PENGUINS.items():
        island = np.repeat(list(islands), list(islands.values()))
        sex = rng.permutation(np.array(["male", "female"] * (n // 2 + 1))[:n])
        shift = np.where(sex == "male", 0.6, -0.6)  # males are larger on every measure
        z = rng.standard_normal((n, 4)) * 0.8 + shift[:, None]
        values = np.array([m for m, _ in stats]) + z * np.array([s for _, s in stats])
        year = rng.choice([2007, 2008, 2009], size=n)
        for i in range(n):
            rows.append(
                {
                    "species": species,
                    "island": island[i],
                    "bill_length_mm": round(values[i, 0], 1),
                    "bill_depth_mm": round(values[i, 1], 1),
                    "flipper_length_mm": int(round(values[i, 2])),
                    "body_mass_g": int(round(values[i, 3] / 25) * 25),
                    "sex": sex[i],
                    "year": int(year[i]),
                }
            )
    df = pd.DataFrame(rows)
    df = df.sort_values(["species", "year", "island"], kind="stable").reset_index(drop=True)
    measures = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    df[["flipper_length_mm", "body_mass_g"]] = df[["flipper_length_mm", "body_mass_g"]].astype(
        "Int64"
    )
    df.loc[[3, 271], measures] = pd.NA  # one Adelie, one Gentoo with no measurements
    df.loc[[3, 271], "sex"] = None
    no_sex = rng.choice(np.setdiff1d(np.arange(len(df)), [3, 271]), size=9, replace=False)
    df.loc[no_sex, "sex"] = None
    return df


def customers(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segments = [  # n, age, income (k EUR), yearly spend (EUR), visits per month
        (100, (29, 5), (28, 6), (900, 250), (9, 2)),
        (80, (45, 7), (62, 10), (2600, 500), (4, 1.5)),
        (60, (66, 6), (35, 8), (1400, 300), (2, 1)),
    ]
    parts = []
    for n, *stats in segments:
        parts.append(np.column_stack([rng.normal(m, s, n) for m, s in stats]))
    X = np.vstack(parts)[rng.permutation(240)]
    return pd.DataFrame(
        {
            "customer_id": np.arange(1001, 1241),
            "age": np.round(X[:, 0]).astype(int),
            "income_k_eur": np.round(X[:, 1], 1),
            "yearly_spend_eur": np.round(X[:, 2], 2),
            "visits_per_month": np.round(np.clip(X[:, 3], 0.2, None), 1),
        }
    )


def countries(seed: int = 2007) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    continents = {"Africa": 52, "Americas": 25, "Asia": 33, "Europe": 30, "Oceania": 2}
    life = {"Africa": 54.8, "Americas": 73.6, "Asia": 70.7, "Europe": 77.6, "Oceania": 80.7}
    gdp = {"Africa": 7.4, "Americas": 8.9, "Asia": 8.7, "Europe": 9.9, "Oceania": 10.2}
    rows = []
    for cont, n in continents.items():
        for i in range(n):
            log_gdp = rng.normal(gdp[cont], 0.7)
            rows.append(
                {
                    "country": f"{cont[:3]}land {i + 1}",
                    "continent": cont,
                    "year": 2007,
                    "lifeExp": round(
                        float(np.clip(rng.normal(life[cont], 5) + 2 * (log_gdp - 9), 39, 83)), 3
                    ),
                    "pop": int(np.exp(rng.normal(16.2, 1.6))),
                    "gdpPercap": round(float(np.exp(log_gdp)), 2),
                }
            )
    df = pd.DataFrame(rows)
    df.loc[5, "pop"] = 1_318_683_096  # one giant, as China and India are
    return df


def sessions(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    kind = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])  # browsers, buyers, bulk buyers
    days = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    return pd.DataFrame(
        {
            "session_date": days.strftime("%Y-%m-%d"),
            "channel": rng.choice(["web", "app", "store", "phone", "partner"], size=n),
            "device": np.where(
                kind == 2, "desktop", rng.choice(["mobile", "desktop", "tablet"], size=n)
            ),
            "plan": np.array(["free", "basic", "premium"])[
                np.clip(kind + rng.integers(-1, 2, n), 0, 2)
            ],
            "minutes": np.round(rng.gamma(2 + 3 * kind, 3.0), 1),
            "pages_viewed": rng.poisson(4 + 6 * kind),
            "items_in_basket": rng.poisson(np.array([0.2, 2.0, 9.0])[kind]),
            "basket_eur": np.round(
                np.array([3.0, 60.0, 420.0])[kind] * rng.lognormal(0, 0.3, n), 2
            ),
        }
    )


def main() -> None:
    penguins().to_csv(HERE / "penguins.csv", index=False)
    customers().to_csv(HERE / "customers_semicolon.csv", index=False, sep=";", decimal=",")
    countries().to_csv(HERE / "countries_population.csv", index=False)
    sessions().to_csv(HERE / "shop_sessions_mixed.csv", index=False)


if __name__ == "__main__":
    main()
