"""Generate the pseudonymised 2006 settlement case set and the municipal places for 2006.

    python settlement/generate_2006.py          # writes fixtures/settlement/*_2006.csv

The output is deterministic (fixed seed) and committed; load_demo loads it. The case set is
an extract as of 30.06.2006: everyone settled in the first half of 2006 and everyone who
was waiting at 30.06.2006, built cohort by cohort so that the statistics computed from it
reproduce the settlement figures of the demo's half-year report for 2006. No case holds a name or
an identity number; case and family keys are random.

Definitions used throughout (the same as settlement/selectors.py):
- a month is 30.4375 days (365.25 / 12);
- waiting longer than the limit at a date means more than 6 months (3 for unaccompanied
  minors) since the permit, i.e. at least 183 (92) whole days;
- "in reception" means the categories reception, unaccompanied minor and family
  reunification with a ready-for-settlement date on or before the date and not settled by it.
"""

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 2006
ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "fixtures" / "settlement"

DAYS_PER_MONTH = 30.4375
START = date(2006, 1, 1)
CUT = date(2006, 6, 30)
# Over the limit at a date X means permit <= X - LIMIT_DAYS.
LIMIT_DAYS = {"other": 183, "unaccompanied_minor": 92}

R, E, F = "reception", "unaccompanied_minor", "family_reunification"
OFF, DIRECT = "transfer_refugee", "direct_settlement"

CASE_FIELDS = [
    "case_key",
    "category",
    "nationality",
    "sex",
    "birth_year",
    "family_group_key",
    "family_size",
    "permit_date",
    "ready_date",
    "searched_out_date",
    "arrived_date",
    "settled_date",
    "municipality",
    "special_legal_ground",
]

NATIONALITIES = {
    R: {
        "Somalia": 22,
        "Irak": 16,
        "Afghanistan": 13,
        "Russland": 9,
        "Iran": 8,
        "Eritrea": 7,
        "Etiopia": 6,
        "Sudan": 4,
        "Kongo (DR)": 3,
        "Serbia og Montenegro": 3,
        "Statsløs": 3,
        "Burundi": 2,
        "Sri Lanka": 2,
        "Liberia": 1,
        "Kina": 1,
    },
    E: {"Afghanistan": 30, "Somalia": 25, "Irak": 20, "Eritrea": 8, "Etiopia": 7, "Russland": 5},
    F: {"Somalia": 30, "Irak": 20, "Afghanistan": 15, "Eritrea": 10, "Etiopia": 10, "Iran": 8},
    OFF: {
        "Myanmar": 24,
        "Kongo (DR)": 18,
        "Sudan": 12,
        "Afghanistan": 10,
        "Iran": 9,
        "Eritrea": 8,
        "Somalia": 8,
        "Irak": 6,
        "Burundi": 5,
    },
    DIRECT: {"Somalia": 25, "Irak": 20, "Afghanistan": 20, "Iran": 15, "Russland": 10},
}
FAMILY_SIZES = {1: 58, 2: 10, 3: 9, 4: 9, 5: 7, 6: 4, 7: 3}


@dataclass
class Unit:
    """A family group (or a single person) that moves through the process together."""

    category: str
    size: int
    permit: date
    ready: date | None = None
    searched: date | None = None
    arrived: date | None = None
    settled: date | None = None
    municipality: str = ""
    nationality: str = ""
    special: str = ""
    cohort: str = ""
    # Bounds within which the permit and searched-out dates may be moved while the unit
    # stays in its cohort; None means the date is fixed.
    permit_bounds: tuple[date, date] | None = None
    searched_bounds: tuple[date, date] | None = None
    members: list[dict] = field(default_factory=list)


def day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def settle_day(rng: random.Random, lo: date = date(2006, 1, 2), hi: date = CUT) -> date:
    """Settlements grow slightly towards the summer, as they did in 2006."""
    while True:
        d = day(rng, lo, hi)
        if d.weekday() < 5 and rng.random() < 0.75 + 0.05 * (d.month - 1):
            return d


class ReceptionWindow:
    """Makers of the units of one reception category's cohorts: each draws its dates from
    the shared random source in a fixed order, so that the output stays the same."""

    def __init__(self, rng: random.Random, category: str):
        self.rng = rng
        self.category = category
        limit = LIMIT_DAYS["unaccompanied_minor" if category == E else "other"]
        self.over_at_start = START - timedelta(days=limit)  # permit on or before: over at 01.01
        self.over_at_cut = CUT - timedelta(days=limit)  # permit on or before: over at 30.06
        self.early = date(2004, 9, 1) if category != E else date(2005, 3, 1)

    def settled_over_start(self, searched_at_start: bool):
        rng, early, over_at_start = self.rng, self.early, self.over_at_start

        def make(size):
            permit = day(rng, early, over_at_start - timedelta(days=20))
            ready = day(rng, permit, min(permit + timedelta(days=60), START))
            settled = settle_day(rng)
            if searched_at_start:
                searched = day(rng, max(ready, START - timedelta(days=120)), START)
            else:
                searched = day(
                    rng, max(START + timedelta(days=1), settled - timedelta(90)), settled
                )
            return Unit(
                self.category,
                size,
                permit,
                ready,
                searched,
                settled=settled,
                permit_bounds=(early, min(ready, over_at_start)),
            )

        return make

    def settled_not_over_start(self, size: int) -> Unit:
        rng = self.rng
        permit = day(rng, self.over_at_start + timedelta(days=1), START - timedelta(days=20))
        ready = day(rng, permit, min(permit + timedelta(days=45), START))
        settled = settle_day(rng, max(date(2006, 1, 2), ready))
        searched = day(rng, max(ready, settled - timedelta(days=110)), settled)
        return Unit(
            self.category,
            size,
            permit,
            ready,
            searched,
            settled=settled,
            searched_bounds=(ready, settled),
        )

    def settled_new(self, size: int) -> Unit:
        rng = self.rng
        ready = day(rng, START + timedelta(days=1), date(2006, 6, 1))
        permit = day(rng, ready - timedelta(days=150 if self.category != E else 60), ready)
        settled = (
            settle_day(rng, ready + timedelta(days=14), CUT)
            if ready + timedelta(days=14) < CUT
            else CUT
        )
        searched = day(rng, max(ready, settled - timedelta(days=90)), settled)
        return Unit(
            self.category,
            size,
            permit,
            ready,
            searched,
            settled=settled,
            permit_bounds=(date(2004, 6, 1), ready),
            searched_bounds=(ready, settled),
        )

    def waiting(self, ready_lo, ready_hi, permit_lo, permit_hi, searched_at_start, searched_at_cut):
        rng = self.rng

        def make(size):
            permit = day(rng, permit_lo, permit_hi)
            ready = (
                day(rng, max(permit, ready_lo), ready_hi)
                if max(permit, ready_lo) <= ready_hi
                else permit
            )
            searched = None
            if searched_at_start:
                searched = day(rng, ready, START)
            elif searched_at_cut:
                searched = day(rng, max(ready, START + timedelta(days=1)), CUT)
            return Unit(self.category, size, permit, ready, searched)

        return make


class Generator:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.units: list[Unit] = []
        self.municipalities: list[tuple[str, str]] = []
        self.weights: dict[str, int] = {}
        self._keys: set[str] = set()

    def key(self, prefix: str) -> str:
        while True:
            value = f"{prefix}{self.rng.getrandbits(40):010x}"
            if value not in self._keys:
                self._keys.add(value)
                return value

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def sizes(self, total: int, *, families: bool) -> list[int]:
        result = []
        while total > 0:
            size = int(self.pick({str(k): v for k, v in FAMILY_SIZES.items()})) if families else 1
            size = min(size, total)
            result.append(size)
            total -= size
        return result

    # --- cohorts -----------------------------------------------------------------------

    def cohort(self, name: str, category: str, persons: int, make, *, families: bool = True):
        for size in self.sizes(persons, families=families and category != E):
            unit = make(size)
            unit.category = category
            unit.size = size
            unit.cohort = name
            self.units.append(unit)

    def reception_cohorts(self, category: str, counts: dict[str, int]) -> None:
        """Cohorts of one reception category, named after what they count towards."""
        window = ReceptionWindow(self.rng, category)
        self.settled_reception_cohorts(window, counts)
        self.waiting_reception_cohorts(window, counts)

    def settled_reception_cohorts(self, w: "ReceptionWindow", c: dict[str, int]) -> None:
        self.cohort(
            "settled, over limit at 01.01, searched at 01.01",
            w.category,
            c["s_over_searched"],
            w.settled_over_start(True),
        )
        self.cohort(
            "settled, over limit at 01.01, not searched at 01.01",
            w.category,
            c["s_over_unsearched"],
            w.settled_over_start(False),
        )
        self.cohort(
            "settled, ready at 01.01, within limit",
            w.category,
            c["s_not_over"],
            w.settled_not_over_start,
        )
        self.cohort("settled, ready during the half year", w.category, c["s_new"], w.settled_new)

    def waiting_reception_cohorts(self, w: "ReceptionWindow", c: dict[str, int]) -> None:
        """Waiting at 30.06, by when they went over the limit and whether searched out."""
        # Over the limit at 01.01 already (the long-waiting).
        long_permit = (w.early, w.over_at_start - timedelta(days=10))
        # Ready at 01.01 within the limit, over it by 30.06.
        mid_permit = (
            w.over_at_start + timedelta(days=1),
            min(w.over_at_cut, START - timedelta(days=5)),
        )
        # Ready during the half year with an old permit (health assessments, appeals).
        old_permit = (date(2005, 6, 1), w.over_at_cut)
        ready_late = (START + timedelta(days=1), date(2006, 6, 15))
        recent = (w.over_at_cut + timedelta(days=1), date(2006, 6, 20))
        for name, count, ready, permit, searched_at_start, searched_at_cut in (
            ("over at 01.01, searched at 01.01", "w1_searched_start",
             (date(2005, 1, 1), START), long_permit, True, True),
            ("over at 01.01, searched in the half year", "w1_searched_later",
             (date(2005, 1, 1), START), long_permit, False, True),
            ("over at 01.01, never searched", "w1_unsearched",
             (date(2005, 1, 1), START), long_permit, False, False),
            ("ready at 01.01, over at 30.06, searched", "w2_searched",
             (date(2005, 7, 1), START), mid_permit, False, True),
            ("ready at 01.01, over at 30.06, not searched", "w2_unsearched",
             (date(2005, 7, 1), START), mid_permit, False, False),
            ("ready in the half year, over at 30.06, searched", "w3_searched",
             ready_late, old_permit, False, True),
            ("ready in the half year, over at 30.06, not searched", "w3_unsearched",
             ready_late, old_permit, False, False),
            ("within the limit at 30.06, searched", "w4_searched",
             (START + timedelta(days=1), CUT), recent, False, True),
            ("within the limit at 30.06, not searched", "w4_unsearched",
             (START + timedelta(days=1), CUT), recent, False, False),
        ):  # fmt: skip
            self.cohort(
                f"waiting, {name}",
                w.category,
                c[count],
                w.waiting(*ready, *permit, searched_at_start, searched_at_cut),
            )

    def off_cohorts(self) -> None:
        rng = self.rng

        def settled(special: bool):
            def make(size):
                arrived = settle_day(rng)
                permit = day(rng, arrived - timedelta(days=260), arrived - timedelta(days=40))
                searched = day(rng, permit + timedelta(days=7), arrived - timedelta(days=14))
                unit = Unit(
                    OFF,
                    size,
                    permit,
                    None,
                    searched,
                    arrived=arrived,
                    settled=arrived,
                    permit_bounds=(date(2004, 6, 1), searched),
                )
                if special:
                    unit.nationality = "Vietnam"
                    unit.special = "vietnamese_philippines"
                return unit

            return make

        def not_arrived(searched: bool):
            def make(size):
                permit = day(rng, date(2005, 10, 1), date(2006, 6, 20))
                sent = day(rng, permit, CUT) if searched else None
                return Unit(OFF, size, permit, None, sent)

            return make

        self.cohort("OFF settled, special rule", OFF, 78, settled(True))
        self.cohort("OFF settled", OFF, 576 - 78, settled(False))
        self.cohort("OFF not arrived, sent to a municipality", OFF, 176, not_arrived(True))
        self.cohort("OFF not arrived, not yet sent", OFF, 291 - 176, not_arrived(False))

    def direct_cohort(self, persons: int) -> None:
        rng = self.rng

        def make(size):
            settled = settle_day(rng, date(2006, 2, 1))
            permit = day(rng, settled - timedelta(days=90), settled - timedelta(days=20))
            return Unit(DIRECT, size, permit, permit, day(rng, permit, settled), settled=settled)

        self.cohort("direct settlement", DIRECT, persons, make)

    # --- exact means ---------------------------------------------------------------------

    def settled_units(self, category: str) -> list[Unit]:
        return [
            u
            for u in self.units
            if u.category == category and u.settled and START <= u.settled <= CUT
        ]

    def tune(self, category: str, months: float, *, attribute: str) -> None:
        """Move permit (or searched-out) dates of units inside their cohort bounds until the
        mean wait for the category rounds to exactly `months`."""
        units = self.settled_units(category)
        persons = sum(u.size for u in units)
        target = round(months * DAYS_PER_MONTH * persons)
        bounds_name = f"{'permit' if attribute == 'permit' else 'searched'}_bounds"

        def total():
            return sum(u.size * (u.settled - getattr(u, attribute)).days for u in units)

        pool = [u for u in units if getattr(u, bounds_name)]
        pool.sort(key=lambda u: u.size, reverse=True)  # large steps first, singles last
        diff = target - total()
        # Small steps over many units, so that no single case becomes an outlier.
        for max_step in (3, 7, 15, 30, 60, 120):
            for unit in pool:
                if diff == 0:
                    break
                lo, hi = getattr(unit, bounds_name)
                current = getattr(unit, attribute)
                step = min(max_step, abs(diff) // unit.size)
                # A longer wait means an earlier date.
                if diff > 0:
                    step = min(step, (current - lo).days)
                    setattr(unit, attribute, current - timedelta(days=step))
                else:
                    step = min(step, (hi - current).days)
                    setattr(unit, attribute, current + timedelta(days=step))
                diff -= (1 if diff > 0 else -1) * step * unit.size
        if diff != 0:
            raise RuntimeError(f"could not tune {category} {attribute}: {diff} days left")
        if attribute == "permit":
            for unit in pool:
                # Keep the other dates in order after moving the permit.
                if unit.searched and unit.searched < unit.permit:
                    raise RuntimeError("tuning broke the date order")

    # --- people, places ------------------------------------------------------------------

    def load_municipalities(self) -> None:
        with (OUT_DIR / "municipalities.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        self.municipalities = [(row["code"], row["name"]) for row in rows]
        # Roughly how many refugees each municipality settled in those years: the cities
        # most, the small municipalities a handful each.
        known = {
            "0301": 40,
            "1201": 22,
            "1601": 18,
            "1103": 14,
            "1001": 10,
            "0602": 9,
            "1902": 8,
            "0106": 7,
            "0219": 6,
            "1102": 6,
            "0806": 5,
            "1504": 5,
            "1804": 5,
            "0105": 5,
            "0704": 4,
            "0805": 4,
            "1106": 4,
            "0709": 4,
            "0403": 4,
            "0501": 4,
            "0502": 4,
            "0104": 4,
            "0906": 4,
            "0231": 4,
            "0706": 4,
            "0220": 3,
            "0230": 3,
        }
        weights = random.Random(SEED + 1)
        for code, _name in self.municipalities:
            self.weights[code] = known.get(code, weights.randint(1, 3))

    def place(self) -> None:
        for unit in self.units:
            if not unit.nationality:
                unit.nationality = self.pick(NATIONALITIES[unit.category])
            if unit.settled or unit.searched:
                unit.municipality = self.pick(self.weights)

    def people(self) -> None:
        rng = self.rng
        for unit in self.units:
            family_key = self.key("F") if unit.size > 1 else ""
            year = unit.permit.year
            for i in range(unit.size):
                if unit.category == E:
                    age, sex = rng.randint(14, 17), "M" if rng.random() < 0.8 else "F"
                elif unit.size == 1:
                    age = rng.choice(
                        [rng.randint(18, 35)] * 6
                        + [rng.randint(36, 66)] * 3
                        + [rng.randint(67, 80)]
                    )
                    sex = "M" if rng.random() < 0.68 else "F"
                elif i < 2 and (i == 0 or unit.size > 2):
                    age, sex = rng.randint(24, 52), "MF"[i] if i < 2 else rng.choice("MF")
                elif i == 2 and unit.size > 6:
                    age, sex = rng.randint(60, 75), rng.choice("MF")
                else:
                    age, sex = rng.randint(0, 17), rng.choice("MF")
                unit.members.append(
                    {
                        "case_key": self.key("K"),
                        "sex": sex,
                        "birth_year": year - age,
                        "family_group_key": family_key,
                    }
                )

    def places_rows(self) -> list[dict]:
        settled = {}
        for unit in self.units:
            if unit.settled and unit.municipality:
                settled[unit.municipality] = settled.get(unit.municipality, 0) + unit.size
        rows = []
        for code, _name in self.municipalities:
            # Municipalities agreed to about twice their half-year settlements for the year,
            # some a little less than they were asked for.
            accepted = max(5, round(settled.get(code, 0) * self.rng.uniform(2.0, 2.5) / 5) * 5)
            requested = accepted + self.rng.choice([0, 0, 0, 5, 10, 15, 20])
            rows.append(
                {"municipality": code, "year": 2006, "requested": requested, "accepted": accepted}
            )
        return rows

    def run(self) -> tuple[list[dict], list[dict]]:
        self.load_municipalities()
        self.reception_cohorts(
            R,
            {
                "s_over_searched": 230,
                "s_over_unsearched": 150,
                "s_not_over": 200,
                "s_new": 396,
                "w1_searched_start": 105,
                "w1_searched_later": 80,
                "w1_unsearched": 40,
                "w2_searched": 105,
                "w2_unsearched": 25,
                "w3_searched": 80,
                "w3_unsearched": 20,
                "w4_searched": 280,
                "w4_unsearched": 350,
            },
        )
        self.reception_cohorts(
            E,
            {
                "s_over_searched": 7,
                "s_over_unsearched": 5,
                "s_not_over": 18,
                "s_new": 120,
                "w1_searched_start": 2,
                "w1_searched_later": 2,
                "w1_unsearched": 1,
                "w2_searched": 3,
                "w2_unsearched": 1,
                "w3_searched": 7,
                "w3_unsearched": 3,
                "w4_searched": 20,
                "w4_unsearched": 30,
            },
        )
        self.reception_cohorts(
            F,
            {
                "s_over_searched": 10,
                "s_over_unsearched": 5,
                "s_not_over": 10,
                "s_new": 26,
                "w1_searched_start": 3,
                "w1_searched_later": 5,
                "w1_unsearched": 2,
                "w2_searched": 5,
                "w2_unsearched": 1,
                "w3_searched": 4,
                "w3_unsearched": 2,
                "w4_searched": 6,
                "w4_unsearched": 8,
            },
        )
        self.off_cohorts()
        self.direct_cohort(60)
        self.tune(R, 8.6, attribute="permit")
        self.tune(R, 3.2, attribute="searched")
        self.tune(E, 5.9, attribute="permit")
        self.tune(OFF, 4.7, attribute="permit")
        self.place()
        self.people()
        cases = []
        for unit in self.units:
            for member in unit.members:
                cases.append(
                    {
                        **member,
                        "category": unit.category,
                        "nationality": unit.nationality,
                        "family_size": unit.size,
                        "permit_date": unit.permit.isoformat(),
                        "ready_date": unit.ready.isoformat() if unit.ready else "",
                        "searched_out_date": unit.searched.isoformat() if unit.searched else "",
                        "arrived_date": unit.arrived.isoformat() if unit.arrived else "",
                        "settled_date": unit.settled.isoformat() if unit.settled else "",
                        "municipality": unit.municipality,
                        "special_legal_ground": unit.special,
                    }
                )
        cases.sort(key=lambda row: row["case_key"])
        return cases, self.places_rows()


def mean_months(days: list[int]) -> Decimal:
    mean = Decimal(sum(days)) / Decimal(len(days)) / Decimal(str(DAYS_PER_MONTH))
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def main() -> None:
    cases, places = Generator().run()
    with (OUT_DIR / "cases_2006.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CASE_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: row[k] for k in CASE_FIELDS} for row in cases)
    with (OUT_DIR / "municipal_places_2006.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["municipality", "year", "requested", "accepted"],
            delimiter=";",
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(places)
    print(f"{len(cases)} cases, {len(places)} municipalities with places")  # noqa: T201


if __name__ == "__main__":
    main()
