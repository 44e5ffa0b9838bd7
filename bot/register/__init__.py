"""The Schoolleidersregister PO's rules as dated, sourced data, and the module that computes with them."""

from ..dutch import format_date
from .counting import PointsModel, RegulationModel, ThemesModel
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
    load_rules,
)

__all__ = [
    "Activity", "DataError", "DiplomaActivity", "Dossier", "Evaluation", "InvalidCount", "InvalidInput",
    "InvalidLevel", "OutsideRegulations", "PointsModel", "ProgrammeActivity", "RegulationModel", "RuleBook",
    "RulesError", "ThemesModel", "UnknownProgramme", "UnknownTheme", "ValuationActivity", "WhatIf", "add_years",
    "build", "format_date", "load_rules",
]
