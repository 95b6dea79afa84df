"""FTD's letter of tests/data/ftd/letter_2006.yaml as a workbook, written on demand so
that the repository holds text only. Sheet and column names as in docs/tildelingsbrev.md."""

from datetime import date
from pathlib import Path

import openpyxl

SHEETS = {
    "Brev": [
        ["Felt", "Verdi"],
        ["Virksomhet", "FTD"],
        ["År", 2006],
        ["Satsingsområde", "Styrke familievernet i hele landet"],
        ["Satsingsområde ANSV", "FTD"],
    ],
    "Satsingsområde": [
        ["Bokstav", "Tekst"],
        ["a", "Kortere ventetid til familievernet."],
    ],
    "Hovedmål": [
        ["Kode", "Tittel"],
        ["FM1", "Gode og likeverdige familietjenester"],
        ["FM2", "En effektiv og brukerrettet forvaltning"],
    ],
    "Resultatkrav": [
        ["Hovedmål", "Kode", "Tekst", "ANSV"],
        [
            "FM1",
            "K1-1",
            "FTD skal sikre at ventetiden til familievernkontorene ikke overstiger fire uker.",
            "REGION",
        ],
        ["FM1", "K1-2", "FTD skal utvikle tilbudet om foreldreveiledning.", "STAB"],
        ["FM2", "K2-1", "FTD skal ha rutiner for risikostyring.", "STAB"],
        ["FM2", "K2-2", "FTD skal gjøre sine tjenester tilgjengelige på nett.", "STAB"],
        ["FM2", "K2-3", "FTD skal redusere sykefraværet.", "STAB"],
    ],
    "Leveranser": [
        ["Resultatkrav", "Frist", "Tittel"],
        ["K1-1", date(2006, 10, 1), "Plan for kortere ventetid"],
        ["K2-1", "30.06.2006", "Beskrivelse av rutiner for risikostyring"],
    ],
    "Særskilte krav": [
        ["Kode", "Tekst", "Resultatkrav", "Hovedmål", "ANSV"],
        ["K1-1-S1", "Rapportere ventetid per kontor.", "K1-1", None, "REGION"],
        ["FM1-S1", "Rapportere om brukertilfredshet.", None, "FM1", "STAB"],
    ],
    "Andre tema": [
        ["Kode", "Tittel", "Tekst", "ANSV"],
        ["likestilling", "Likestilling", "Fremme likestilling.", "STAB"],
    ],
    "Aktiviteter": [
        ["Nr", "Hører til", "Aktivitet", "Indikator"],
        [1, "satsing:a", "Ventelistegjennomgang", "Ventetid i uker"],
        [2, "krav:K1-1", "Kartlegge ventetid ved alle kontor", "Gjennomsnittlig ventetid"],
        [3, "krav:K1-2", "Kurs for veiledere", "Antall kurs"],
        [4, "krav:K2-2", "Nye nettsider", None],
        [5, "tema:likestilling", "Likestillingsrapport", None],
    ],
    "Indikatorer": [
        [
            "Kode",
            "Hører til",
            "Aktivitet nr",
            "Navn",
            "Enhet",
            "Mål",
            "Måldato",
            "Retning",
            "Utgangsverdi",
            "Merknad",
        ],
        [
            "ventetid",
            "krav:K1-1",
            2,
            "Gjennomsnittlig ventetid",
            "uker",
            4,
            date(2006, 12, 31),
            "redusere",
            6.5,
            "Målt i desember.",
        ],
        [
            "nettbesok",
            "krav:K2-2",
            None,
            "Besøk på nettsidene",
            "besøk",
            10000,
            None,
            "minst",
            "ikke målt",
            None,
        ],
    ],
}


def write_workbook(path: Path, sheets: dict[str, list[list]] = SHEETS) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path
