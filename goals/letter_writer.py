"""Writes a checked allocation letter (see goals.letter_import) into one budget year.

Rows are created or updated on their natural keys and saved only when something differs,
so importing the same letter twice changes nothing. Rows the letter does not name are
kept: they may carry a period's answers, and removing them is a decision for the admin.
The caller holds the transaction.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from goals.letter_schema import SHEET_BY_KEY
from goals.models import (
    PARENT_FIELDS,
    Activity,
    BudgetYear,
    Deliverable,
    Indicator,
    MainGoal,
    OtherReportingTopic,
    PriorityArea,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
)


@dataclass
class WriteResult:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: list[tuple[str, str, str]] = field(default_factory=list)


class LetterWriter:
    def __init__(self, budget_year: BudgetYear, plan: dict):
        self.budget_year = budget_year
        self.agency = budget_year.agency
        self.plan = plan
        self.units = {u.code: u for u in self.agency.units.all()}
        self.result = WriteResult(
            counts={
                sheet.name: {"created": 0, "updated": 0, "unchanged": 0}
                for sheet in SHEET_BY_KEY.values()
                if sheet.key != "letter"
            }
        )

    def write(self) -> WriteResult:
        self.write_priority_area()
        self.write_goals()
        self.write_topics()
        self.write_activities()
        self.write_indicators()
        self.write_settlement_requirement()
        return self.result

    def save(self, key: str, model, lookup: dict, values: dict, shown: Any):
        """Create or update by natural key; count and list what happens."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj, action = model.objects.create(**lookup, **values), "created"
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, values[name])
            if changed:
                obj.save()
            action = "updated" if changed else "unchanged"
        name = SHEET_BY_KEY[key].name
        self.result.counts[name][action] += 1
        if action != "unchanged":
            self.result.changes.append((name, str(shown), action))
        return obj

    def unit(self, code: str | None):
        return self.units.get(code) if code not in (None, self.agency.code) else None

    def letter(self) -> dict:
        rows = self.plan.get("letter") or []
        return rows[0].values if rows else {}

    def write_priority_area(self) -> None:
        letter = self.letter()
        if letter.get("priority_area"):
            # The area is not a sheet of its own; its change shows among the items.
            area, _created = PriorityArea.objects.update_or_create(
                budget_year=self.budget_year,
                position=1,
                defaults={
                    "title": letter["priority_area"],
                    "responsible_unit": self.unit(letter.get("priority_area_unit")),
                },
            )
        else:
            area = PriorityArea.objects.filter(budget_year=self.budget_year, position=1).first()
        for clean in self.plan["priority_items"]:
            v = clean.values
            self.save(
                "priority_items",
                PriorityItem,
                {"area": area, "letter": v["letter"]},
                {"text": v["text"]},
                v["letter"],
            )

    def write_goals(self) -> None:
        goals = {}
        for position, clean in enumerate(self.plan["main_goals"], start=1):
            v = clean.values
            goals[v["code"]] = self.save(
                "main_goals",
                MainGoal,
                {"budget_year": self.budget_year, "code": v["code"]},
                {"title": v["title"], "position": position},
                v["code"],
            )
        stored = MainGoal.objects.filter(budget_year=self.budget_year)
        goals.update({g.code: g for g in stored if g.code not in goals})
        positions = Counter()
        for clean in self.plan["requirements"]:
            v = clean.values
            positions[v["goal"]] += 1
            self.save(
                "requirements",
                ResultRequirement,
                {"main_goal": goals[v["goal"]], "code": v["code"]},
                {
                    "text": v["text"],
                    "responsible_unit": self.unit(v["responsible_unit"]),
                    "position": positions[v["goal"]],
                },
                v["code"],
            )
        self.goals = goals
        self.requirements = {
            r.code: r
            for r in ResultRequirement.objects.filter(main_goal__budget_year=self.budget_year)
        }
        for clean in self.plan["deliverables"]:
            v = clean.values
            self.save(
                "deliverables",
                Deliverable,
                {
                    "requirement": self.requirements[v["requirement"]],
                    "due": v["due"],
                    "title": v["title"],
                },
                {},
                f"{v['requirement']} {v['due'].isoformat()} {v['title']}",
            )

    def write_topics(self) -> None:
        for position, clean in enumerate(self.plan["special_reporting"], start=1):
            v = clean.values
            self.save(
                "special_reporting",
                SpecialReportingRequirement,
                {"budget_year": self.budget_year, "code": v["code"]},
                {
                    "text": v["text"],
                    "responsible_unit": self.unit(v["responsible_unit"]),
                    "position": position,
                    "requirement": self.requirements.get(v["requirement"]),
                    "main_goal": self.goals.get(v["goal"]) if v["goal"] else None,
                },
                v["code"],
            )
        for position, clean in enumerate(self.plan["other_reporting"], start=1):
            v = clean.values
            self.save(
                "other_reporting",
                OtherReportingTopic,
                {"budget_year": self.budget_year, "code": v["code"]},
                {
                    "title": v["title"],
                    "text": v["text"] or "",
                    "responsible_unit": self.unit(v["responsible_unit"]),
                    "position": position,
                },
                v["code"],
            )

    def parent(self, notation: str) -> dict:
        """requirement:R1-1 -> {"requirement": <R1-1>, the other parent fields None}."""
        if not hasattr(self, "parents"):
            year = self.budget_year
            self.parents = {
                "requirement": ("requirement", self.requirements),
                "priority": (
                    "priority_item",
                    {p.letter: p for p in PriorityItem.objects.filter(area__budget_year=year)},
                ),
                "special": ("special", {s.code: s for s in year.special_reporting.all()}),
                "other": ("other_topic", {o.code: o for o in year.other_reporting.all()}),
            }
        kind, _sep, code = notation.partition(":")
        name, objects = self.parents[kind]
        values = dict.fromkeys(PARENT_FIELDS)
        values[name] = objects[code]
        return values

    def write_activities(self) -> None:
        for clean in self.plan["activities"]:
            v = clean.values
            self.save(
                "activities",
                Activity,
                {"budget_year": self.budget_year, "position": v["position"]},
                {
                    **self.parent(v["parent"]),
                    "activity": v["activity"],
                    "indicator_text": v["indicator"] or "",
                },
                v["position"],
            )

    def write_indicators(self) -> None:
        activities = {a.position: a for a in Activity.objects.filter(budget_year=self.budget_year)}
        for position, clean in enumerate(self.plan["indicators"], start=1):
            v = clean.values
            baseline = v["baseline"]
            self.save(
                "indicators",
                Indicator,
                {"budget_year": self.budget_year, "code": v["code"]},
                {
                    **self.parent(v["parent"]),
                    "activity": activities.get(v["activity"]),
                    "name": v["name"],
                    "unit": v["unit"] or "",
                    "target": v["target"],
                    "target_date": v["target_date"],
                    "direction": v["direction"],
                    "baseline": baseline if isinstance(baseline, Decimal) else None,
                    "baseline_text": baseline if isinstance(baseline, str) else "",
                    "note": v["note"] or "",
                    "position": position,
                },
                v["code"],
            )

    def write_settlement_requirement(self) -> None:
        code = self.letter().get("settlement_requirement")
        if code and self.budget_year.settlement_requirement_id != self.requirements[code].pk:
            self.budget_year.settlement_requirement = self.requirements[code]
            self.budget_year.save(update_fields=["settlement_requirement"])
