"""The admin CLI (`python -m bot ...`) as an operator runs it: real subprocesses, real files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.store import Store

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"

LEADERS_HEADER = "registratienummer,naam,email,registratietype,niveau,registratiedatum,periode_start,periode_eind"
ACTIVITIES_HEADER = "registratienummer,soort,opleiding,themas,niveau,diploma,punten,datum,status,certificaat"


class Cli:
    def __init__(self, tmp: Path) -> None:
        self.url = f"sqlite:///{tmp / 'cli.db'}"
        self.tmp = tmp

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": self.url, "PYTHONWARNINGS": "ignore"}
        result = subprocess.run([str(PYTHON), "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def csv(self, name: str, *lines: str) -> str:
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    def counts(self) -> dict[str, int]:
        store = Store(self.url)
        try:
            return store.counts()
        finally:
            store.close()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    assert c("db", "upgrade").returncode == 0
    return c


GOOD_LEADERS = (
    LEADERS_HEADER,
    "300001,Daan de Boer,daan@example.nl,RDO,,2018-09-01,2022-09-01,2026-09-01",
    "300002,Eva Visser,eva@example.nl,RADO,basisbekwaam,2021-02-01,2021-02-01,2025-02-01",
    "300003,Fatima El Amrani,fatima@example.nl,rado,Vakbekwaam,2020-01-15,2024-01-15,2028-01-15",
)


def test_import_good_leaders_then_show(cli: Cli) -> None:
    result = cli("leaders", "import", cli.csv("leaders.csv", *GOOD_LEADERS))
    assert result.returncode == 0, result.stderr
    assert "3 schoolleider(s) ingevoerd" in result.stdout
    assert cli.counts()["leaders"] == 3
    store = Store(cli.url)
    leader = store.leader("300003")
    assert leader is not None and (leader.registration_type, leader.level) == ("RADO", "vakbekwaam")
    store.close()
    show = cli("leaders", "show", "300001")
    assert show.returncode == 0, show.stderr
    assert "Daan de Boer" in show.stdout and "periode 2022-09-01 tot 2026-09-01" in show.stdout
    assert "je mist nog 100 punten" in show.stdout


def test_import_with_bad_rows_reports_every_line_and_changes_nothing(cli: Cli) -> None:
    assert cli("leaders", "import", cli.csv("first.csv", GOOD_LEADERS[0], GOOD_LEADERS[1])).returncode == 0
    before = cli.counts()
    path = cli.csv(
        "bad.csv",
        LEADERS_HEADER,                                                                        # line 1
        "300010,Goed Rijtje,goed@example.nl,RDO,,2020-01-01,2024-01-01,2028-01-01",            # line 2: fine
        "12ab,Nummer Fout,nf@example.nl,RDO,,2020-01-01,2024-01-01,2028-01-01",                # line 3
        "300011,Mail Fout,geen-mail,RDO,,2020-01-01,2024-01-01,2028-01-01",                    # line 4
        "300012,Type Fout,tf@example.nl,XDO,,2020-01-01,2024-01-01,2028-01-01",                # line 5
        "300013,Niveau Fout,nv@example.nl,RADO,expert,2020-01-01,2024-01-01,2028-01-01",       # line 6
        "300014,Datum Fout,df@example.nl,RDO,,01-01-2020,2024-02-30,2028-01-01",               # line 7
        "300015,Volgorde Fout,vf@example.nl,RDO,,2020-01-01,2024-01-01,2023-01-01",            # line 8
        "300010,Dubbel Bestand,db@example.nl,RDO,,2020-01-01,2024-01-01,2028-01-01",           # line 9
        "300001,Dubbel Database,dd@example.nl,RDO,,2020-01-01,2024-01-01,2028-01-01",          # line 10
        "300016,Te Weinig Velden,tw@example.nl",                                               # line 11
    )
    result = cli("leaders", "import", path)
    assert result.returncode == 1
    err = result.stderr
    expected = {
        3: "registratienummer '12ab'", 4: "e-mail 'geen-mail'", 5: "registratietype 'XDO'", 6: "niveau 'expert'",
        7: "registratiedatum '01-01-2020'", 8: "periode_eind 2023-01-01", 9: "staat ook op regel 2",
        10: "staat al in de database", 11: "3 velden, verwacht 8",
    }
    for line, fragment in expected.items():
        assert any(f"regel {line}:" in row and fragment in row for row in err.splitlines()), (line, fragment, err)
    assert "regel 7: periode_start '2024-02-30' bestaat niet" in err
    assert "regel 2:" not in err
    assert "niets ingevoerd" in err
    assert cli.counts() == before


def test_semicolon_csv_with_bom_is_accepted(cli: Cli) -> None:
    path = cli.tmp / "excel.csv"
    path.write_text(LEADERS_HEADER.replace(",", ";") + "\n"
                    + "300020;Jan Smit;jan@example.nl;RDO;;2020-01-01;2024-01-01;2028-01-01\n", encoding="utf-8-sig")
    result = cli("leaders", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert cli.counts()["leaders"] == 1


@pytest.mark.parametrize("content, fragment", [
    ("naam,email\nx,y\n", "kolom(men) ontbreken"),
    (LEADERS_HEADER + "\n", "geen rijen"),
    ("", "leeg"),
])
def test_bad_files_give_one_clear_error(cli: Cli, content: str, fragment: str) -> None:
    path = cli.tmp / "f.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("leaders", "import", str(path))
    assert result.returncode == 1 and fragment in result.stderr


def test_missing_and_binary_files(cli: Cli) -> None:
    assert "niet gevonden" in cli("leaders", "import", str(cli.tmp / "nope.csv")).stderr
    binary = cli.tmp / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = cli("leaders", "import", str(binary))
    assert result.returncode == 1 and "UTF-8" in result.stderr


def test_activities_import_good_and_bad(cli: Cli) -> None:
    assert cli("leaders", "import", cli.csv("l.csv", *GOOD_LEADERS)).returncode == 0
    good = cli.csv(
        "acts.csv", ACTIVITIES_HEADER,
        "300001,programme,LK1,,,,70,2023-06-30,goedgekeurd,CERT-1",
        "300001,waardering,,kwaliteitszorg;verandermanagement,5,,,2024-03-01,goedgekeurd,",
        "300001,valuation,,persoonlijk leiderschap,6,,,2026-01-10,ingediend,",
        "300002,diploma,,,,vakbekwaam,,2022-05-01,goedgekeurd,",
    )
    result = cli("activiteiten", "import", good)
    assert result.returncode == 0, result.stderr
    assert "4 activiteit(en) ingevoerd" in result.stdout
    show = cli("leaders", "show", "300001")
    assert "70 (leerKRACHT jaar-1)" in show.stdout
    assert "Nog niet meegeteld (gepland of ingediend): 1" in show.stdout
    before = cli.counts()
    bad = cli.csv(
        "bad-acts.csv", ACTIVITIES_HEADER,
        "300001,programme,Harvard MBA,,,,,2024-01-01,goedgekeurd,",              # 2: unknown programme
        "300001,valuation,,astrologie,5,,,2024-01-01,goedgekeurd,",              # 3: unknown theme
        "300001,valuation,,kwaliteitszorg,3,,,2024-01-01,goedgekeurd,",          # 4: level too low
        "300001,programme,LK1,,,,,2099-01-01,goedgekeurd,",                      # 5: approved in the future
        "399999,programme,LK1,,,,,2024-01-01,goedgekeurd,",                      # 6: unknown leader
        "300001,cursus,,,,,,2024-01-01,goedgekeurd,",                            # 7: unknown kind
        "300001,programme,LK1,,,,70,2023-06-30,goedgekeurd,CERT-1",              # 8: already stored
        "300002,programme,SLP,,,,,2024-01-01,gepland,",                          # 9: fine
    )
    result = cli("activities", "import", bad)
    assert result.returncode == 1
    for line, fragment in {2: "Harvard MBA", 3: "astrologie", 4: "niveau 3", 5: "in de toekomst",
                           6: "399999 staat niet in de database", 7: "soort 'cursus'",
                           8: "staat al in de database"}.items():
        assert any(f"regel {line}:" in row and fragment in row for row in result.stderr.splitlines()), \
            (line, fragment, result.stderr)
    assert "regel 9:" not in result.stderr
    assert cli.counts() == before


def test_demo_twice_is_idempotent(cli: Cli) -> None:
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    counts = cli.counts()
    assert counts == {"leaders": 3, "activities": 3, "channel_identities": 3}
    second = cli("demo")
    assert second.returncode == 0 and second.stdout.count("staat er al") == 3
    assert cli.counts() == counts
    show = cli("leaders", "show", "100234")
    assert "70 (leerKRACHT jaar-1)" in show.stdout and "rest:demo-100234" in show.stdout
    reset = cli("demo", "--reset")
    assert reset.returncode == 0 and reset.stdout.count("toegevoegd") == 3
    assert cli.counts() == counts


def test_show_unknown_and_bad_input(cli: Cli) -> None:
    result = cli("leaders", "show", "999999")
    assert result.returncode == 1 and "Geen schoolleider" in result.stderr
    assert cli("leaders", "show", "x' OR 1=1 --").returncode == 1


def test_commands_need_an_upgraded_schema(tmp_path: Path) -> None:
    fresh = Cli(tmp_path)
    result = fresh("leaders", "show", "100234")
    assert result.returncode == 1 and "db upgrade" in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    broken = Cli(tmp_path)
    broken.url = "postgresql+psycopg2://nobody@127.0.0.1:9/none"
    result = broken("db", "upgrade")
    assert result.returncode == 1 and result.stderr.startswith("Databasefout")


def test_token_is_signed_for_the_leader(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import jwt

    key = "test-secret-" + "k" * 32
    monkeypatch.setenv("REGISTERWIJZER_JWT_KEY", key)
    monkeypatch.setenv("REGISTERWIJZER_JWT_ALGORITHM", "HS256")
    result = cli("token", "100234", "--ttl", "120")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), key, algorithms=["HS256"])
    assert claims["registratienummer"] == "100234" and "exp" in claims
    bad = cli("token", "12")
    assert bad.returncode == 1 and "6 tot 10 cijfers" in bad.stderr
