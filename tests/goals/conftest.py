"""Small goals content written as fixture YAML and loaded through the real loaders.

Figures and texts here are short excerpts in the shape of the 2006 report; the full data
lives in fixtures/goals/.
"""

import textwrap
from pathlib import Path

import pytest

from goals.loaders import load_form, load_letter, load_report
from goals.models import ReportingPeriod, ResultRequirement

LETTER = """\
agency: IMDi
year: 2006
priority_area:
  title: "Bidra til å redusere arbeidsledigheten"
  responsible: IMDi
  items:
    - letter: a
      text: "I samarbeid med Aetat arbeide for sammenhengende tiltakskjeder."
    - letter: b
      text: "Trekke inn næringslivet."
main_goals:
  - code: HM1
    title: "Effektiv og målrettet introduksjon for nyankomne innvandrere"
    requirements:
      - code: R1-1
        text: |
          Flyktninger skal være bosatt innen 6 mnd.
        responsible_unit: VEST
        deliverables: []
        special_reporting:
          - code: R1-1-S1
            text: |
              Bosettingsstatistikk.
      - code: R1-3
        text: |
          IMDi skal bidra til at kommuner har kunnskap om intro-loven.

          Andre avsnitt.
        responsible_unit: NE
        deliverables:
          - due: 2006-06-01
            title: "Utkast"
          - due: 2006-09-01
            title: "Veileder"
        special_reporting: []
    special_reporting:
      - code: HM1-S2
        text: "Rapportere om antall med rett og plikt."
        responsible_unit: NE
other_reporting:
  - code: malloven
    title: "Målloven"
    text: "Begge målformer skal være representert med minst 25 %."
    responsible_unit: ADM
"""

REPORT = """\
agency: IMDi
period: 2006-H1
front_page:
  title: "Halvårsrapport 1.1.-30.6.2006"
  heading: "Å starte et nytt direktorat"
  introduction: |
    Første avsnitt.
reading_guide: |
  Halvårsrapporten er IMDis første.
reading_guide_place_date: "Oslo, august 2006"
reading_guide_signature: {name: "Osmund Kaldheim", title: "Direktør"}
cover_letter:
  their_reference: "200503237-/LOP"
  our_reference: "06/492-9/TAA"
  date: 2006-08-09
  title: "HALVÅRSRAPPORT 1.1-30.6.2006 FOR IMDI"
  body: |
    Vi viser til departementets tildelingsbrev av 25.01.2006.
  closing: "Med hilsen"
  signatories:
    - {name: "Osmund Kaldheim", title: "direktør"}
    - {name: "Tor Arne Arnesen", title: "økonomisjef"}
  attachments:
    - "Notat med gjennomgang av resultatmål"
  case_officers: "Tor-Arne Arnesen/Henrik Lous"
priority_area_narrative: |
  Prosa om satsingsområdet.
requirement_narratives:
  R1-1:
    measures_done: ""
    status: |
      Bosettingen gikk etter planen.
    next_priorities: ""
  R1-3:
    measures_done: |
      Konferanser i alle regioner.
    status: |
      Kommunene har fått informasjon.
    next_priorities: |
      Nye kurs.
special_reporting_answers:
  HM1-S2: |
    Se Tab. 1.
other_reporting_answers:
  malloven: |
    Det er ikke foretatt registrering av nynorskandel i første halvår.
resource_priorities: |
  Ressursene gikk til etablering.
"""

FORM = """\
agency: IMDi
period: 2006-H1
form_rows:
  - parent: priority:a
    activity: "Intro 2år"
    indicator: "Samarbeid og felles rutiner Aetat"
    status: on_track
    attainment: |
      Samarbeidsavtale NAV er inngått.
    measures: ""
  - parent: requirement:R1-1
    activity: "Bosetting"
    indicator: "Bosatt innen 6 mnd"
    status: deviation
    attainment: "Ventetiden er for lang."
    measures: "Flere kommuner."
  - parent: requirement:R1-3
    activity: "Informasjon om intro-loven"
    indicator: "Konferanser"
    status: achieved
    attainment: "Gjennomført."
    measures: ""
  - parent: other:malloven
    activity: "Nynorsk"
    indicator: "Andel nynorsk"
    status: not_started
    attainment: "Ikke registrert."
    measures: ""
indicators:
  - code: tolkeregister
    parent: requirement:R1-3
    activity: "Informasjon om intro-loven"
    name: "Tolker oppført i Nasjonalt tolkeregister"
    unit: "tolker"
    target: 650
    target_date: 2006-12-31
    direction: increase
    baseline: null
    values:
      - {period: 2006-H1, value: 440, measured_on: 2006-06-30}
    note: ""
  - code: sykefravaer
    parent: other:malloven
    name: "Sykefravær"
    unit: "prosent"
    target: null
    target_date: null
    direction: at_most
    baseline: "101 statsautoriserte tolker 2005"
    values:
      - {period: 2006-H1, value: 6.1, measured_on: 2006-06-30}
    note: ""
tables:
  - code: tab1
    parent: special:HM1-S2
    title: "Tab. 1"
    columns: ["Kvinner", "Menn"]
    rows:
      - {label: "Ant med rett og plikt", values: [4664, 2518]}
      - {label: "Ant i opplæring", values: [300, 100]}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def fixture_files(tmp_path):
    return {
        "letter": write(tmp_path, "letter_2006.yaml", LETTER),
        "report": write(tmp_path, "report_2006-H1.yaml", REPORT),
        "form": write(tmp_path, "form_2006-H1.yaml", FORM),
    }


@pytest.fixture
def content(organisation, fixture_files):
    """The small letter, report and form loaded, with the 2006-H1 period locked."""
    load_letter(path=fixture_files["letter"])
    load_report(path=fixture_files["report"])
    load_form(path=fixture_files["form"])
    return fixture_files


@pytest.fixture
def h1(organisation):
    return ReportingPeriod.objects.get(kind="H1")


@pytest.fixture
def year_period(organisation):
    """The open annual period 2006 in which the editors work."""
    return ReportingPeriod.objects.get(kind="Y")


@pytest.fixture
def requirement(content):
    def get(code: str) -> ResultRequirement:
        return ResultRequirement.objects.select_related("responsible_unit").get(code=code)

    return get
