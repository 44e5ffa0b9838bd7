"""Every fact in bot/register/data, checked against the seed document and section it cites.

Each case names the seed file (by its three-digit prefix) and the section heading in its id, and holds:
- a getter that returns (value, source) from the loaded RuleBook,
- the expected value (written here by hand from the seed, so a changed data file fails),
- the seed and section the data must cite for it,
- evidence: text that must occur in that section of the seed (so the expected value is not invented).

Seed texts are compared after folding white space, curly quotes and case.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml

from bot.register import RuleBook
from bot.register.loader import DATA_DIR
from bot.register.model import Source

# The seeds beside the checkout, or where SHARED_DIR points (as scripts/setup.sh finds them).
SEEDS = Path(os.environ.get("SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared") / "seeds"

S000 = "000_5d449a2de9efa59e.txt"
S001 = "001_90a57197bed69643.txt"
S002 = "002_93544c39d769e5ba.txt"
S003 = "003_7cb88fb7e5be7ab5.txt"
S004 = "004_07b99cfae6d442ad.txt"

# Every section name must occur literally in its seed; a fact from a page's untitled opening text
# cites the document as a whole (no section).

LK1 = "leerkracht-jaar-1"
SLP = "leerkracht-schoolleidersprogramma"
TCM = "teamcoaching-voor-managers"
CV = "coachingsvaardigheden"
DT = "leerkracht-directieteams"
BT = "bt-waarderingstraject"

P_LK1 = "Hoe is leerKRACHT jaar-1 gecertificeerd?"
P_VAL = "Validering en studiebelasting"
P_SLP = "Het Schoolleiders programma"
P_ORG = "Onafhankelijke organisatie"
P_PROC = "Procedure herregistratie Schoolleiders PO"
P_BPF = "Gecertificeerde opleidingen van Blankestijn & Partners binnen formeel leren"
P_BPC = "Onze door Schoolleidersregister PO gecertificeerde opleidingen"
P_DT = "Hoe ziet het programma eruit?"
P_W = "Wijzigingen Schoolleidersregister PO"


# -- seed helpers ----------------------------------------------------------------------------------
def fold(text: str) -> str:
    for quote in ("\u2019", "\u2018", "\u00b4", "`"):
        text = text.replace(quote, "'")
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def listed_sections() -> dict[str, list[str]]:
    raw = yaml.safe_load((DATA_DIR / "sources.yml").read_text(encoding="utf-8"))
    return {seed: list(entry["sections"]) for seed, entry in raw["sources"].items()}


def heading_position(text: str, heading: str, start: int) -> int:
    """Where `heading` starts in `text` at or after `start`: as a whole line if possible, else anywhere."""
    line = re.compile(r"^[ \t]*" + re.escape(heading) + r"[ \t]*$", re.MULTILINE)
    found = line.search(text, start)
    if found:
        return found.start()
    return text.find(heading, start)


def section_text(seed: str, section: str | None) -> str:
    """The text of one section: from its heading to the next listed heading (whole file order); the
    whole file for a citation of the document as a whole."""
    text = (SEEDS / seed).read_text(encoding="utf-8")
    if section is None:
        return text
    headings = listed_sections()[seed]
    positions: list[int] = []
    cursor = 0
    for heading in headings:
        pos = heading_position(text, heading, cursor)
        assert pos >= 0, f"heading {heading!r} not found in {seed} after position {cursor}"
        positions.append(pos)
        cursor = pos + len(heading)
    index = headings.index(section)
    end = positions[index + 1] if index + 1 < len(positions) else len(text)
    return text[positions[index]:end]


def needs_seeds() -> None:
    """Under `make test` (REGISTERWIJZER_REQUIRE_SEEDS=1) a missing seed folder fails: without it every check
    that the rules data matches the seed text would silently disappear. Elsewhere it skips."""
    if not SEEDS.is_dir():
        message = (f"seed folder {SEEDS} is absent; cannot check facts against the seeds "
                   "(put ../shared beside the checkout, or point SHARED_DIR at it)")
        if os.environ.get("REGISTERWIJZER_REQUIRE_SEEDS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


# -- getters -----------------------------------------------------------------------------------
Got = tuple[Any, Source]


def reg(book: RuleBook, reg_id: str) -> Any:
    return book.regulation(reg_id)


def rec(book: RuleBook, prog_id: str) -> Any:
    return book.programmes[prog_id].recognition[-1]


def pinfo(book: RuleBook, prog_id: str, key: str) -> Any:
    return getattr(book.programmes[prog_id], key)


def tinfo(book: RuleBook, key: str) -> Any:
    return getattr(book.trajectories[BT], key)


def has_item(items: list[str], phrase: str) -> bool:
    return sum(1 for item in items if phrase in item) == 1


@dataclass(frozen=True)
class Case:
    get: Callable[[RuleBook], Got]
    expected: Any
    seed: str
    section: str
    evidence: tuple[str, ...]


def case(name: str, get: Callable[[RuleBook], Got], expected: Any, seed: str, section: str,
         *evidence: str) -> Any:
    return pytest.param(Case(get, expected, seed, section, evidence), id=f"{seed[:3]} '{section}' :: {name}")


def validation_item(phrase: str) -> Callable[[RuleBook], Got]:
    def get(book: RuleBook) -> Got:
        info = pinfo(book, LK1, "validation")
        return has_item(info.items, phrase), info.source
    return get


def org(key: str, field: str) -> Callable[[RuleBook], Got]:
    def get(book: RuleBook) -> Got:
        info = getattr(book.texts.organisation, key)
        return getattr(info, field), info.source
    return get


def body_role(body_id: str) -> Callable[[RuleBook], Got]:
    def get(book: RuleBook) -> Got:
        info = book.texts.organisation.bodies
        return next(b.role for b in info.items if b.id == body_id), info.source
    return get


def theme_names(prog_id: str) -> Callable[[RuleBook], Got]:
    def get(book: RuleBook) -> Got:
        r = rec(book, prog_id)
        return tuple(ref.label for ref in r.themes), r.source
    return get


def theme_fact(theme_id: str) -> Callable[[RuleBook], Got]:
    def get(book: RuleBook) -> Got:
        t = book.themes[theme_id]
        return t.name, t.source
    return get


FACTS = [
    # ---- 000: leerKRACHT (her)registratie ----------------------------------------------------
    case("lk1 certified", lambda b: (b.programmes[LK1].certified.value, b.programmes[LK1].certified.source),
         True, S000, None, "Beide leergangen zijn gecertificeerd door het Schoolleidersregister PO"),
    case("lk1 certified by", lambda b: (b.programmes[LK1].certified_by, b.programmes[LK1].certified.source),
         "Schoolleidersregister PO", S000, None, "gecertificeerd door het Schoolleidersregister PO"),
    case("lk1 name", lambda b: (b.programmes[LK1].name, rec(b, LK1).source),
         "Leiding geven aan continu verbeteren – leerKRACHT jaar-1", S000, P_LK1,
         "Leiding geven aan continu verbeteren – leerKRACHT jaar-1"),
    case("lk1 = 70 points", lambda b: (rec(b, LK1).points, rec(b, LK1).source), 70, S000, P_LK1,
         "herregistratiewaarde van 70 punten"),
    case("lk1 is a vooraf gewaardeerde activiteit", lambda b: (rec(b, LK1).form, rec(b, LK1).source),
         "vooraf", S000, P_LK1, "gecertificeerd door door het SRPO voor een herregistratiewaarde"),
    case("lk1 six themes", theme_names(LK1),
         ("Persoonlijk leiderschap", "Onderwijsinrichting en schoolorganisatie", "Kwaliteitsmanagement",
          "Aandacht voor professionele ontwikkeling voor leerkrachten", "Leidinggeven aan leren",
          "Verandermanagement"), S000, P_LK1,
         "Persoonlijk leiderschap", "Onderwijsinrichting en schoolorganisatie", "Kwaliteitsmanagement",
         "Aandacht voor professionele ontwikkeling voor leerkrachten", "Leidinggeven aan leren",
         "Verandermanagement"),
    case("lk1 115 hours", lambda b: (pinfo(b, LK1, "study_load_hours").hours,
                                     pinfo(b, LK1, "study_load_hours").source),
         115, S000, P_VAL, "De (studie)belasting voor dit thema bedraagt 115 uur."),
    case("lk1 no extra costs", lambda b: ("geen extra kosten" in pinfo(b, LK1, "costs").text,
                                          pinfo(b, LK1, "costs").source),
         True, S000, "Kosten", "Stichting leerKRACHT brengt geen extra kosten in rekening"),
    case("lk1 enrolment by link at start of school year",
         lambda b: ("via de link" in pinfo(b, LK1, "enrolment").text
                    and "aan het begin van het schooljaar" in pinfo(b, LK1, "enrolment").text,
                    pinfo(b, LK1, "enrolment").source),
         True, S000, "Inschrijven",
         "aanmelden via de link die Stichting leerKRACHT aan het begin van het schooljaar"),
    case("lk1 nine validation items", lambda b: (len(pinfo(b, LK1, "validation").items),
                                                 pinfo(b, LK1, "validation").source),
         9, S000, P_VAL, "komt in aanmerking voor registratie van het thema door actieve deelname"),
    case("lk1 validation: startfase", validation_item("startfase, Startdag, Aan de slag fase en Uitbouwen"),
         True, S000, P_VAL, "startfase, Startdag, Aan de slag fase en Uitbouwen"),
    case("lk1 validation: inspiratieverhaal", validation_item("inspiratieverhaal"),
         True, S000, P_VAL, "Het schrijven en delen van het inspiratieverhaal"),
    case("lk1 validation: minimaal vier gesprekken", validation_item("minimaal vier individuele gesprekken met de expertcoach"),
         True, S000, P_VAL, "Minimaal vier individuele gesprekken met de expertcoach"),
    case("lk1 validation: bootcamp + drie teamfora", validation_item("bootcamp voor het leerKRACHT-team en de drie leerKRACHT-teamfora"),
         True, S000, P_VAL, "bootcamp voor het leerKRACHT-team en de drie leerKRACHT- teamfora"),
    case("lk1 validation: bedrijfsbezoek", validation_item("bedrijfsbezoek"),
         True, S000, P_VAL, "Deelname aan het bedrijfsbezoek"),
    case("lk1 validation: drie van de zes webinars", validation_item("drie van de zes webinars"),
         True, S000, P_VAL, "Deelname aan drie van de zes webinars"),
    case("lk1 validation: drie werksessies", validation_item("drie werksessies voorbereiden en uitvoeren: twee bij het leerKRACHT-team en één MT-sessie"),
         True, S000, P_VAL, "uitvoeren van drie werksessies; twee bij het leerKRACHT-team en één MT-sessie"),
    case("lk1 validation: zeven responses", validation_item("360 graden feedback met minimaal zeven responses"),
         True, S000, P_VAL, "360 graden feedback met minimaal zeven responses"),
    case("lk1 validation: academie", validation_item("modules op de academie"),
         True, S000, P_VAL, "Relevante modules gevolgd op de academie"),
    case("lk1 validated by expertcoaches", lambda b: (pinfo(b, LK1, "validation").validated_by,
                                                      pinfo(b, LK1, "validation").source),
         "de expertcoaches van Stichting leerKRACHT", S000, P_VAL,
         "gevalideerd door de expertcoaches van stichting leerKRACHT"),
    case("lk1 twelve learning goals", lambda b: (len(pinfo(b, LK1, "learning_goals").items),
                                                 pinfo(b, LK1, "learning_goals").source),
         12, S000, "Leerdoelen", "situationeel leiderschap", "evidence informed"),
    case("slp certified", lambda b: (b.programmes[SLP].certified.value, b.programmes[SLP].certified.source),
         True, S000, P_SLP, "ook gecertificeerd door het Schoolleidersregister PO"),
    case("slp = 35 points", lambda b: (rec(b, SLP).points, rec(b, SLP).source), 35, S000, P_SLP,
         "herregistratiewaarde van 35%, wat gelijk staat aan 35 punten"),
    case("slp value text", lambda b: (rec(b, SLP).value_text, rec(b, SLP).source),
         "35%, wat gelijk staat aan 35 punten", S000, P_SLP, "35%, wat gelijk staat aan 35 punten"),
    case("slp two themes", theme_names(SLP), ("Verandermanagement", "Visiegestuurd onderwijs"), S000, P_SLP,
         "Verandermanagement", "Visiegestuurd onderwijs"),
    case("theme persoonlijk leiderschap", theme_fact("persoonlijk-leiderschap"),
         "Persoonlijk leiderschap", S000, P_LK1, "Persoonlijk leiderschap"),
    case("theme onderwijsinrichting", theme_fact("onderwijsinrichting-en-schoolorganisatie"),
         "Onderwijsinrichting en schoolorganisatie", S000, P_LK1, "Onderwijsinrichting en schoolorganisatie"),
    case("theme kwaliteitsmanagement", theme_fact("kwaliteitsmanagement"),
         "Kwaliteitsmanagement", S000, P_LK1, "Kwaliteitsmanagement"),
    case("theme professionele ontwikkeling", theme_fact("professionele-ontwikkeling-leerkrachten"),
         "Aandacht voor professionele ontwikkeling voor leerkrachten", S000, P_LK1,
         "Aandacht voor professionele ontwikkeling voor leerkrachten"),
    case("theme leidinggeven aan leren", theme_fact("leidinggeven-aan-leren"),
         "Leidinggeven aan leren", S000, P_LK1, "Leidinggeven aan leren"),
    case("theme verandermanagement", theme_fact("verandermanagement"),
         "Verandermanagement", S000, P_LK1, "Verandermanagement"),
    case("theme visiegestuurd onderwijs", theme_fact("visiegestuurd-onderwijs"),
         "Visiegestuurd onderwijs", S000, P_SLP, "Visiegestuurd onderwijs"),

    # ---- 001: Over ons -------------------------------------------------------------------------
    case("founded 2013", org("founded", "year"), 2013, S001, P_ORG, "in 2013 opgericht vanuit de beroepsgroep zelf"),
    case("board: four delegations", lambda b: (len(b.texts.organisation.board.members),
                                               b.texts.organisation.board.source),
         4, S001, P_ORG, "Het bestuur bestaat uit schoolleiders afgevaardigd door de AVS"),
    case("board: AVS", lambda b: (has_item(b.texts.organisation.board.members, "AVS (Algemene Vereniging Schoolleiders)"),
                                  b.texts.organisation.board.source),
         True, S001, P_ORG, "AVS (Algemene Vereniging Schoolleiders)"),
    case("board: AOb", lambda b: (has_item(b.texts.organisation.board.members, "AOb"),
                                  b.texts.organisation.board.source),
         True, S001, P_ORG, "de onderwijsvakbonden AOb en CNV Onderwijs"),
    case("board: CNV Onderwijs", lambda b: (has_item(b.texts.organisation.board.members, "CNV Onderwijs"),
                                            b.texts.organisation.board.source),
         True, S001, P_ORG, "CNV Onderwijs"),
    case("board: PO-Raad bestuurder", lambda b: (has_item(b.texts.organisation.board.members, "een bestuurder afgevaardigd door de werkgeversorganisatie PO-Raad"),
                                                 b.texts.organisation.board.source),
         True, S001, P_ORG, "een bestuurder afgevaardigd door de werkgeversorganisatie PO-Raad"),
    case("bodies", lambda b: (tuple(x.name for x in b.texts.organisation.bodies.items),
                              b.texts.organisation.bodies.source),
         ("Commissie Registratie", "Commissie Certificering", "Wetenschappelijke Raad", "Adviesraad"), S001, P_ORG,
         "Commissie Registratie", "Commissie Certificering", "Wetenschappelijke Raad", "Adviesraad"),
    case("commissie registratie role", body_role("commissie-registratie"),
         "besluit over registratie- en herregistratieaanvragen", S001, P_ORG,
         "De Commissie Registratie besluit over registratie- en herregistratieaanvragen"),
    case("commissie certificering role", body_role("commissie-certificering"),
         "besluit over de certificeringsaanvragen van aanbieders van professionaliseringsaanbod", S001, P_ORG,
         "besluit over de certificeringsaanvragen van aanbieders van professionaliseringsaanbod"),
    case("wetenschappelijke raad advises", body_role("wetenschappelijke-raad"),
         "adviseert over de beroepsstandaard, criteria en professionaliseringsthema's", S001, P_ORG,
         "adviseren over de beroepsstandaard, criteria en professionaliseringsthema's"),
    case("adviesraad with stakeholders", body_role("adviesraad"),
         "adviseert, met stakeholders van de schoolleider, over de beroepsstandaard, criteria en professionaliseringsthema's",
         S001, P_ORG, "de Adviesraad met stakeholders van de schoolleider"),
    case("committees mostly school leaders", org("bodies", "composition"),
         "De commissies Registratie en Certificering bestaan, op een enkeling na, uit schoolleiders.", S001, P_ORG,
         "op een enkeling na- uit schoolleiders"),
    case("four-year cycle", lambda b: (b.texts.organisation.cycle.text.startswith("Elke vier jaar"),
                                       b.texts.organisation.cycle.source),
         True, S001, "Cyclus", "Elke vier jaar neem je de tijd", "kies je vervolgens weer nieuwe prioriteiten"),
    case("old regulation starts 2013", lambda b: (reg(b, "srpo-2013").valid_from, reg(b, "srpo-2013").source),
         date(2013, 1, 1), S001, P_ORG, "in 2013 opgericht"),

    # ---- 002: Blankestijn & Partners -----------------------------------------------------------
    case("cycle 4 years (old)", lambda b: (reg(b, "srpo-2013").cycle_years.value, reg(b, "srpo-2013").cycle_years.source),
         4, S002, P_PROC, "registreer je je iedere vier jaar opnieuw: de herregistratie"),
    case("cycle 4 years (new, inherited)", lambda b: (reg(b, "srpo-2020").cycle_years.value, reg(b, "srpo-2020").cycle_years.source),
         4, S002, P_PROC, "iedere vier jaar opnieuw"),
    case("old: themes model", lambda b: (reg(b, "srpo-2013").model.id, reg(b, "srpo-2013").min_themes.source),
         "themes", S002, P_PROC, "professionalisering op drie van de zeven professionaliseringsthema's"),
    case("old: min 3 themes", lambda b: (reg(b, "srpo-2013").min_themes.value, reg(b, "srpo-2013").min_themes.source),
         3, S002, P_PROC, "Uit deze thema's kies je er tenminste drie"),
    case("old: 7 themes", lambda b: (reg(b, "srpo-2013").theme_count.value, reg(b, "srpo-2013").theme_count.source),
         7, S002, P_PROC, "in totaal zeven professionaliseringsthema's"),
    case("old: formeel/informeel leren", lambda b: (tuple(f.name for f in reg(b, "srpo-2013").learning_forms.value),
                                                    reg(b, "srpo-2013").learning_forms.source),
         ("formeel leren", "informeel leren"), S002, P_PROC, "via formeel leren", "via informeel leren"),
    case("three routes", lambda b: (reg(b, "srpo-2013").routes.value, reg(b, "srpo-2013").routes.source),
         ("master", "vakbekwaam", "professionalisering"), S002, P_PROC,
         "een door de NVAO geaccrediteerde masteropleiding", "gecertificeerde opleiding 'vakbekwaam'",
         "professionalisering op drie van de zeven professionaliseringsthema's"),
    case("three routes also under new rules", lambda b: (reg(b, "srpo-2020").routes.value, reg(b, "srpo-2020").routes.source),
         ("master", "vakbekwaam", "professionalisering"), S002, P_PROC, "kies je één van de routes voor herregistratie"),
    case("master route: NVAO", lambda b: (b.routes["master"].name, b.routes["master"].source),
         "een door de NVAO geaccrediteerde masteropleiding", S002, P_PROC, "een door de NVAO geaccrediteerde masteropleiding"),
    case("vakbekwaam route condition", lambda b: ((b.routes["vakbekwaam"].condition.registration_type,
                                                   b.routes["vakbekwaam"].condition.level), b.routes["vakbekwaam"].source),
         ("RADO", "basisbekwaam"), S002, P_PROC, "indien je als RADO geregistreerd bent met een opleiding 'basisbekwaam'"),
    case("professionalisation route", lambda b: (b.routes["professionalisering"].professionalisation,
                                                 b.routes["professionalisering"].source),
         True, S002, P_PROC, "professionalisering op drie van de zeven"),
    case("RDO", lambda b: (b.registration_types["RDO"].name, b.registration_types["RDO"].source),
         "Registerdirecteur Onderwijs", S002, P_PROC, "Registerdirecteur Onderwijs (RDO)"),
    case("RADO", lambda b: (b.registration_types["RADO"].name, b.registration_types["RADO"].source),
         "Registeradjunct-directeur Onderwijs", S002, P_PROC, "Registeradjunct-directeur Onderwijs (RADO)"),
    case("basisbekwaam", lambda b: (b.levels["basisbekwaam"].name, b.levels["basisbekwaam"].source),
         "basisbekwaam", S002, P_PROC, "opleiding 'basisbekwaam'"),
    case("vakbekwaam", lambda b: (b.levels["vakbekwaam"].name, b.levels["vakbekwaam"].source),
         "vakbekwaam", S002, P_PROC, "opleiding 'vakbekwaam'"),
    # The period length itself is only in regulations.yml (cycle_years); this text must not repeat it.
    case("herregistratie after every period for RDO and RADO",
         lambda b: (("na elke periode opnieuw" in b.texts.herregistratie.text
                     and "vier" not in b.texts.herregistratie.text, list(b.texts.herregistratie.applies_to)),
                    b.texts.herregistratie.source),
         (True, ["RDO", "RADO"]), S002, P_PROC, "als 'Registerdirecteur Onderwijs (RDO)' of als 'Registeradjunct-directeur Onderwijs (RADO)'"),
    case("certificate uploaded in the register", lambda b: ("upload je in het register" in b.texts.certificate_upload.text,
                                                            b.texts.certificate_upload.source),
         True, S002, P_BPF, "uploaden in het register om hiermee het betreffende thema af te ronden"),
    case("teamcoaching certified", lambda b: (b.programmes[TCM].certified.value, b.programmes[TCM].certified.source),
         True, S002, P_BPC, "vier opleidingen van Blankestijn & Partners gecertificeerd binnen het formeel leren"),
    case("teamcoaching provider", lambda b: (b.programmes[TCM].provider, b.programmes[TCM].certified.source),
         "Blankestijn & Partners", S002, P_BPC, "Blankestijn & Partners"),
    case("teamcoaching is formeel leren", lambda b: (rec(b, TCM).form, rec(b, TCM).source),
         "formeel", S002, P_BPF, "gecertificeerd zijn binnen het formeel leren"),
    case("teamcoaching themes + subtheme", theme_names(TCM),
         ("Persoonlijk leiderschap", "Omgaan met verschillen (deelthema: omgaan met verschillen als team)"), S002, P_BPF,
         "Professionaliseringsthema: persoonlijk leiderschap",
         "Professionaliseringsthema: omgaan met verschillen; deelthema: omgaan met verschillen als team"),
    case("teamcoaching has no point value", lambda b: (rec(b, TCM).points, rec(b, TCM).source),
         None, S002, P_BPF, "Opleiding Teamcoaching voor managers"),
    case("theme omgaan met verschillen + subtheme", lambda b: ((b.themes["omgaan-met-verschillen"].name,
                                                               tuple(s.name for s in b.themes["omgaan-met-verschillen"].subthemes)),
                                                              b.themes["omgaan-met-verschillen"].source),
         ("Omgaan met verschillen", ("Omgaan met verschillen als team",)), S002, P_BPF,
         "omgaan met verschillen; deelthema: omgaan met verschillen als team"),
    case("coachingsvaardigheden informal", lambda b: (rec(b, CV).form, rec(b, CV).source),
         "informeel", S002, P_BPC, "Coachingsvaardigheden kan gevolgd worden in het kader van het informeel leren"),
    case("coachingsvaardigheden not certified formal", lambda b: (b.programmes[CV].certified.value,
                                                                  b.programmes[CV].certified.source),
         False, S002, P_BPC, "in het kader van het informeel leren"),
    case("foundation's five activities", lambda b: (len(b.texts.organisation.activities.items),
                                                    b.texts.organisation.activities.source),
         5, S002, "Doelstelling en activiteiten Stichting Schoolleidersregister PO",
         "beroepstandaard voor schoolleiders", "kennisbasis", "(her-)registratiecriteria",
         "de certificering van opleidingen", "kennis en best practices"),

    # ---- 003: leerKRACHT voor directieteams ----------------------------------------------------
    case("directieteams not certified", lambda b: (b.programmes[DT].certified.value, b.programmes[DT].certified.source),
         False, S003, P_DT, "Het programma heeft dezelfde vier fases"),
    case("directieteams not recognised", lambda b: (rec(b, DT).form, rec(b, DT).source),
         "none", S003, P_DT, "waarmee leerKRACHT op scholen wordt geïmplementeerd"),
    case("directieteams four phases", lambda b: (pinfo(b, DT, "phases").stated_count, pinfo(b, DT, "phases").source),
         4, S003, P_DT, "dezelfde vier fases"),
    case("directieteams phase names", lambda b: (tuple(p.name for p in pinfo(b, DT, "phases").items),
                                                 pinfo(b, DT, "phases").source),
         ("Startfase", "Trainingsfase", "Verdiepingsfase en borging"), S003, P_DT,
         "Startfase:", "Trainingsfase:", "Verdiepingsfase en borging:"),
    case("directieteam in PO/MBO/VO", lambda b: (tuple(k for k in ("PO", "MBO", "VO") if getattr(pinfo(b, DT, "directieteam"), k.lower())),
                                                 pinfo(b, DT, "directieteam").source),
         ("PO", "MBO", "VO"), S003, "Wat bedoelen wij met directieteam?",
         "Bestuur, eventuele bovenschoolse directeuren samen met de schooldirecteuren",
         "Branch- of domeindirecteur", "Bestuurder samen met de rectoren"),
    case("inspectiekader since August 2017",
         lambda b: (has_item(pinfo(b, DT, "benefits").items, "sinds augustus 2017"), pinfo(b, DT, "benefits").source),
         True, S003, "Wat levert het programma op?", "De Onderwijsinspectie is sinds augustus 2017"),
    case("directieteams costs 3400-4500", lambda b: ((pinfo(b, DT, "costs").min_eur, pinfo(b, DT, "costs").max_eur),
                                                     pinfo(b, DT, "costs").source),
         (3400, 4500), S003, "Kosten", "tussen de € 3.400,- en €4.500,-"),
    case("directieteams contact", lambda b: ((pinfo(b, DT, "contact").email, pinfo(b, DT, "contact").phone),
                                             pinfo(b, DT, "contact").source),
         ("info@stichting-leerkracht.nl", "085 - 401 57 94"), S003, "Meer weten?",
         "info@stichting-leerkracht.nl", "085 - 401 57 94"),

    # ---- 004: B&T academie, the rules from 17 November 2020 ------------------------------------
    case("new regulation from 2020-11-17", lambda b: (reg(b, "srpo-2020").valid_from, reg(b, "srpo-2020").source),
         date(2020, 11, 17), S004, P_W, "Vanaf 17 november 2020 voert het Schoolleidersregister PO"),
    case("old regulation valid until 2020-11-17", lambda b: (reg(b, "srpo-2013").valid_until, reg(b, "srpo-2020").source),
         date(2020, 11, 17), S004, P_W, "Vanaf 17 november 2020"),
    case("new: points model", lambda b: (reg(b, "srpo-2020").model.id, reg(b, "srpo-2020").points_required.source),
         "points", S004, P_W, "in totaal 100 punten"),
    case("new: 100 points", lambda b: (reg(b, "srpo-2020").points_required.value, reg(b, "srpo-2020").points_required.source),
         100, S004, P_W, "Een herregistratieperiode behelst in totaal 100 punten."),
    case("new: no minimum number of themes", lambda b: (reg(b, "srpo-2020").min_themes, reg(b, "srpo-2020").source),
         None, S004, P_W, "De verplichting van drie verschillende thema's vervalt."),
    case("old: themes must differ", lambda b: (reg(b, "srpo-2013").themes_must_differ.value,
                                               reg(b, "srpo-2013").themes_must_differ.source),
         True, S004, P_W, "ontwikkeling op drie verschillende professionaliseringsthema's per herregistratieperiode"),
    case("new: themes may repeat", lambda b: (reg(b, "srpo-2020").themes_must_differ.value,
                                              reg(b, "srpo-2020").themes_must_differ.source),
         False, S004, P_W, "hetzelfde professionaliseringsthema verder te verdiepen"),
    case("new: vooraf/achteraf", lambda b: (tuple((f.name, f.replaces) for f in reg(b, "srpo-2020").learning_forms.value),
                                            reg(b, "srpo-2020").learning_forms.source),
         (("vooraf gewaardeerde activiteiten", "formeel"), ("achteraf te waarderen activiteiten", "informeel")), S004, P_W,
         "De termen 'formeel leren' en 'informeel leren' worden niet langer gebruikt",
         "'vooraf gewaardeerde activiteiten' en 'achteraf te waarderen activiteiten'"),
    case("valuation: 10 points at level 4", lambda b: ((reg(b, "srpo-2020").valuation_points.value.min_level,
                                                        reg(b, "srpo-2020").valuation_points.value.base),
                                                       reg(b, "srpo-2020").valuation_points.source),
         (4, 10), S004, P_W, "elk thema is 10 punten bij minimaal leerniveau 4"),
    case("valuation: +10 at level 5, +20 at level 6", lambda b: (dict(reg(b, "srpo-2020").valuation_points.value.extra_by_level),
                                                                 reg(b, "srpo-2020").valuation_points.source),
         {5: 10, 6: 20}, S004, P_W, "Als leerniveau 5 wordt gehaald, kennen we 10 punten extra toe",
         "Als leerniveau 6 wordt behaald, kennen we 20 punten extra toe"),
    case("valuation: highest level 6", lambda b: (reg(b, "srpo-2020").valuation_points.value.max_level,
                                                  reg(b, "srpo-2020").valuation_points.source),
         6, S004, P_W, "leerniveau 6"),
    case("learning levels 4-6 without meaning", lambda b: ((list(b.texts.learning_levels.known),
                                                            b.texts.learning_levels.meaning_in_sources),
                                                           b.texts.learning_levels.source),
         ([4, 5, 6], False), S004, P_W, "leerniveau 4", "leerniveau 5", "leerniveau 6"),
    case("five leiderschapspraktijken", lambda b: (tuple(reg(b, "srpo-2020").standard.value.practices),
                                                   reg(b, "srpo-2020").standard.source),
         ("visiegericht werken", "ontwikkelen van mensen", "ontwikkelen van de organisatie",
          "leidinggeven aan de kwaliteit van het onderwijs", "investeren in goede relaties met de omgeving"), S004, P_W,
         "De vijf leiderschapspraktijken zijn: visiegericht werken, ontwikkelen van mensen, ontwikkelen van de organisatie, "
         "leidinggeven aan de kwaliteit van het onderwijs, en investeren in goede relaties met de omgeving"),
    case("praktijken replace competenties, plus persoonlijk leiderschap",
         lambda b: ((reg(b, "srpo-2020").standard.value.term, reg(b, "srpo-2020").standard.value.replaces,
                     reg(b, "srpo-2020").standard.value.also), reg(b, "srpo-2020").standard.source),
         ("leiderschapspraktijken", "competenties", "persoonlijk leiderschap"), S004, P_W,
         "spreekt over leiderschapspraktijken en niet langer over competenties",
         "expliciet aandacht voor persoonlijk leiderschap"),
    case("themes re-ordered, smaller, added", lambda b: ("kleiner" in reg(b, "srpo-2020").themes_reordered.value,
                                                         reg(b, "srpo-2020").themes_reordered.source),
         True, S004, P_W, "anders geordend. Ze zijn kleiner én er zijn thema's toegevoegd"),
    case("two new themes a year", lambda b: (reg(b, "srpo-2020").new_themes_per_year.value,
                                             reg(b, "srpo-2020").new_themes_per_year.source),
         2, S004, P_W, "elk jaar weer twee nieuwe thema's bij, die door schoolleiders zelf worden ontwikkeld"),
    case("transition until 2021-02-01", lambda b: (reg(b, "srpo-2020").transition.value.until,
                                                   reg(b, "srpo-2020").transition.source),
         date(2021, 2, 1), S004, P_W, "nog afronden tot 1 februari 2021"),
    case("valued by a Professioneel Beoordelaar", lambda b: (b.texts.valuation.assessor,
                                                             b.texts.valuation.source),
         "een Professioneel Beoordelaar", S004, None, "achteraf laten waarderen door een Professioneel Beoordelaar"),
    case("B&T trajectory certified", lambda b: (tinfo(b, "certified").value, tinfo(b, "certified").source),
         True, S004, None, "waarderingstraject ingericht dat door het Schoolleidersregister is gecertificeerd"),
    case("one theme per valuation", lambda b: (tinfo(b, "themes_per_valuation").value,
                                               tinfo(b, "themes_per_valuation").source),
         1, S004, "De negen stappen", "het laten waarderen van uw ontwikkeling op een professionaliseringsthema"),
    case("nine steps", lambda b: (len(tinfo(b, "steps").items), tinfo(b, "steps").source),
         9, S004, "De negen stappen", "1. U meldt zich aan", "9. U ontvangt een certificaat"),
    case("step 3: guidance optional", lambda b: ("begeleiding" in tinfo(b, "steps").items[2]
                                                 and "(optioneel)" in tinfo(b, "steps").items[2],
                                                 tinfo(b, "steps").source),
         True, S004, "De negen stappen", "gebruik wilt maken van begeleiding gedurende het waarderingstraject (optioneel)"),
    case("guidance optional", lambda b: (tinfo(b, "guidance").optional, tinfo(b, "guidance").source),
         True, S004, "Begeleiding", "B&T biedt daarom ook een traject met begeleiding aan"),
    case("reflection instrument TMA", lambda b: (tinfo(b, "reflection_instrument").name,
                                                 tinfo(b, "reflection_instrument").source),
         "Talenten Motivatie Analyse (TMA)", S004, "Reflectie-instrument", "de Talenten Motivatie Analyse (TMA)"),
    case("costs 995 / 1200 / 870", lambda b: (tuple(i.eur for i in tinfo(b, "costs").items),
                                              tinfo(b, "costs").source),
         (995, 1200, 870), S004, "Kosten", "met intake kost € 995,-", "intake én begeleiding bedraagt € 1.200,-",
         "(TMA, € 870,-)"),
    case("costs excl. btw", lambda b: (tinfo(b, "costs").vat_included, tinfo(b, "costs").source),
         False, S004, "Kosten", "Deze bedragen zijn exclusief btw."),
    case("B&T contact", lambda b: (tinfo(b, "contact").name, tinfo(b, "contact").source),
         "Pauline Zwaal-Arora", S004, "Meer informatie en aanmelden", "contact op met Pauline Zwaal-Arora"),
]


@pytest.mark.parametrize("fact", FACTS)
def test_fact_value_and_citation(book: RuleBook, fact: Case) -> None:
    value, source = fact.get(book)
    assert value == fact.expected
    assert (source.seed, source.section) == (fact.seed, fact.section)


@pytest.mark.parametrize("fact", FACTS)
def test_fact_evidence_in_cited_section(fact: Case) -> None:
    needs_seeds()
    section = fold(section_text(fact.seed, fact.section))
    for evidence in fact.evidence:
        assert fold(evidence) in section, f"{evidence!r} not in {fact.seed} section {fact.section!r}"


def test_directieteams_seed_never_calls_the_programme_certified() -> None:
    """003: the data says 'not certified' because the seed never says it is."""
    needs_seeds()
    text = fold((SEEDS / S003).read_text(encoding="utf-8"))
    assert "gecertificeerd" not in text and "certificering" not in text


def test_old_rules_name_no_point_value_for_leerkracht(book: RuleBook) -> None:
    """000 gives a value in points only; points exist from 17 November 2020 (004), so no older entry."""
    assert [r.valid_from for r in book.programmes[LK1].recognition] == [date(2020, 11, 17)]
    assert [r.valid_from for r in book.programmes[SLP].recognition] == [date(2020, 11, 17)]


# -- every source in the data points into the seeds ----------------------------------------------
def walk_sources(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "source" and isinstance(child, dict):
                yield f"{path}.source", child
            else:
                yield from walk_sources(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk_sources(child, f"{path}[{index}]")


def all_data_sources() -> list[Any]:
    params = []
    for file in sorted(DATA_DIR.glob("*.yml")):
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path, src in walk_sources(raw, file.name):
            params.append(pytest.param(src, id=path))
    return params


DATA_SOURCES = all_data_sources()


def test_data_has_many_sources() -> None:
    assert len(DATA_SOURCES) > 60


@pytest.mark.parametrize("src", DATA_SOURCES)
def test_every_source_names_a_seed_file_and_a_heading_in_it(src: dict[str, Any]) -> None:
    needs_seeds()
    seed, section = src["seed"], src.get("section")
    assert (SEEDS / seed).is_file(), f"no seed file {seed}"
    text = (SEEDS / seed).read_text(encoding="utf-8")
    if section is not None:
        assert section in text, f"section {section!r} does not occur in {seed}"


@pytest.mark.parametrize(
    "seed,section",
    [pytest.param(seed, section, id=f"{seed[:3]} {section}")
     for seed, sections in listed_sections().items() for section in sections],
)
def test_every_listed_section_occurs_in_its_seed(seed: str, section: str) -> None:
    needs_seeds()
    text = (SEEDS / seed).read_text(encoding="utf-8")
    assert section in text


def test_sources_cover_exactly_the_seed_files() -> None:
    needs_seeds()
    assert set(listed_sections()) == {p.name for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize("seed", [S000, S001, S002, S003, S004])
def test_source_title_is_the_seed_first_line(book: RuleBook, seed: str) -> None:
    needs_seeds()
    first = (SEEDS / seed).read_text(encoding="utf-8").splitlines()[0].strip()
    raw = yaml.safe_load((DATA_DIR / "sources.yml").read_text(encoding="utf-8"))
    assert raw["sources"][seed]["title"] == first
