"""The Schoolleidersregister PO's rules as dated, sourced data, and the module that computes with them."""

from .errors import (
    DataError,
    InvalidCount,
    InvalidInput,
    InvalidLevel,
    OutsideRegulations,
    RulesError,
    UnknownProgramme,
    UnknownTheme,
)
from .rules import (
    Activity,
    DiplomaActivity,
    Dossier,
    Evaluation,
    ProgrammeActivity,
    RuleBook,
    ValuationActivity,
    WhatIf,
    add_years,
    build,
    format_date,
    load_rules,
)

__all__ = [
    "Activity", "DataError", "DiplomaActivity", "Dossier", "Evaluation", "InvalidCount", "InvalidInput",
    "InvalidLevel", "OutsideRegulations", "ProgrammeActivity", "RuleBook", "RulesError", "UnknownProgramme",
    "UnknownTheme", "ValuationActivity", "WhatIf", "add_years", "build", "format_date", "load_rules",
]
