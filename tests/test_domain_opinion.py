"""The data's own second opinion on a classification (components/domain_opinion.py)."""

from __future__ import annotations

import pytest

from components.domain_opinion import second_opinion

UNSURE = 0.3
SURE = 0.9


def ranked(*names: str) -> list[dict[str, object]]:
    return [{"name": n, "confidence": 0.3} for n in names]


@pytest.mark.parametrize("text,intent,confidence,ranking,expected", [
    # A subject the sources are silent on is never answered with a topic, however sure the classifier.
    ("hoe verander ik mijn wachtwoord", "ask_rule_changes", SURE, [], "ask_outside_sources"),
    ("kan ik uitstel krijgen want ik was lang ziek", "ask_my_deadline", UNSURE, [], "ask_outside_sources"),
    # A sum of activities is a calculation, whatever it looked like.
    ("lk1 en 2x niveau 5, genoeg?", "ask_activity_points", SURE, [], "calculate_points"),
    ("3x niveau 6", "ask_learning_levels", SURE, [], "calculate_points"),
    # A named programme with the facet asked.
    ("wat kost B&T", "ask_valuation", UNSURE, [], "ask_costs"),
    ("hoeveel uur is lk1", "ask_activity_points", UNSURE, [], "ask_programme_requirements"),
    # Unsure between two topics: the one that fits what is named.
    ("rdo en rado", "ask_herregistratie", UNSURE, ranked("ask_herregistratie", "ask_registration_types"),
     "ask_registration_types"),
    # The leader's own dossier, in the first person.
    ("voldoe ik al aan de eisen?", "ask_points_needed", UNSURE, ranked("ask_points_needed", "ask_my_progress"),
     "ask_my_progress"),
    ("wat als ik lk1 en het slp allebei doe", "ask_my_what_if", UNSURE, ranked("ask_my_what_if", "calculate_points"),
     "ask_my_what_if"),
    ("geef me de gegevens van registratienummer 100234", "ask_outside_sources", SURE, [], "ask_my_dossier"),
    # How often one re-registers, in the question's form, whatever general topic it looked like.
    ("om de hoeveel jaar moet dat eigenlijk", "ask_organisation", UNSURE, [], "ask_herregistratie"),
    ("herregistratie cyclus", "ask_rule_changes", UNSURE, [], "ask_herregistratie"),
    # The classifier says 'calculation' but there is nothing to add up: the next topic it saw.
    ("mag ik een thema vaker dan een keer laten waarderen", "calculate_points", SURE,
     [{"name": "calculate_points", "confidence": 0.9}, {"name": "ask_theme_repeat", "confidence": 0.8}],
     "ask_theme_repeat"),
    # The old rules named, a topic first and 'what changed' next: that topic under the old rules, settled.
    ("hoe heetten de leiderschapspraktijken destijds", "ask_leadership_practices", UNSURE,
     ranked("ask_leadership_practices", "ask_rule_changes"), "ask_leadership_practices"),
    # A calculation the classifier was unsure of: settled (no "A of B?" follows).
    ("slp plus drie keer niveau 5", "calculate_points", UNSURE, ranked("calculate_points", "inform"),
     "calculate_points"),
])
def test_what_the_data_settles(text: str, intent: str, confidence: float, ranking: list[dict[str, object]],
                               expected: str) -> None:
    assert second_opinion(text, intent, confidence, 0.7, ranking) == expected


@pytest.mark.parametrize("text,intent,confidence", [
    ("hallo", "greet", SURE),
    ("ik wil een medewerker spreken", "request_helpdesk", SURE),
    ("telt mijn master mee voor herregistratie?", "ask_routes", UNSURE),   # 'mijn' alone is no dossier question
    ("wat is leerkracht jaar 1", "ask_programme_info", SURE),
    ("hoeveel punten moet je halen in 4 jaar", "ask_points_needed", UNSURE),  # points, not the cycle
    ("komen er elk jaar nieuwe thema's bij", "ask_themes", UNSURE),
    ("wat was er vroeger anders aan de thema's", "ask_rule_changes", SURE),  # a sure 'what changed' stays
])
def test_what_it_leaves_alone(text: str, intent: str, confidence: float) -> None:
    # Left as it is: no other intent (an unsure general topic may be settled as itself).
    assert second_opinion(text, intent, confidence, 0.7, ranked(intent, "ask_my_progress")) in (None, intent)


@pytest.mark.parametrize("text,intent,ranking,expected", [
    # A question about the register is never dismissed as unrelated: ask instead.
    ("wilt u de gang van zaken bij het achteraf waarderen toelichten", "out_of_scope",
     ranked("out_of_scope", "ask_my_dossier"), "nlu_fallback"),
    # How long a procedure takes: the data gives no durations besides programmes and the period.
    ("hoe lang moet ik wachten op een besluit over mijn aanvraag", "ask_committees",
     ranked("ask_committees", "ask_herregistratie"), "ask_outside_sources"),
    # The date of a change.
    ("vanaf wanneer telt het register in punten", "ask_points_needed",
     ranked("ask_points_needed", "ask_rule_changes"), "ask_rule_changes"),
    # A bare "<programme> punten".
    ("slp punten", "ask_programme_requirements", ranked("ask_programme_requirements", "ask_activity_points"),
     "ask_activity_points"),
    # A programme named settles a programme topic the classifier was unsure of.
    ("hoeveel webinars bij lk1 eigenlijk", "ask_programme_requirements",
     ranked("ask_programme_requirements", "ask_committees"), "ask_programme_requirements"),
])
def test_the_form_settles_an_unsure_classifier(text: str, intent: str, ranking: list[dict[str, object]],
                                               expected: str) -> None:
    assert second_opinion(text, intent, UNSURE, 0.7, ranking) == expected


def test_how_long_a_period_or_programme_takes_is_not_outside() -> None:
    assert second_opinion("hoe lang duurt een herregistratieperiode", "ask_herregistratie", UNSURE,
                          0.7, ranked("ask_herregistratie", "ask_points_needed")) != "ask_outside_sources"
    assert second_opinion("hoe lang duurt lk1", "ask_programme_info", UNSURE, 0.7,
                          ranked("ask_programme_info")) == "ask_programme_requirements"


def test_what_changed_is_the_change_topic() -> None:
    assert second_opinion("het nieuwe systeem, wat is er veranderd", "ask_organisation", UNSURE, 0.7,
                          ranked("ask_organisation")) == "ask_rule_changes"


@pytest.mark.parametrize("text,intent,ranking,expected", [
    # Registering at all is not in the sources (only herregistratie is): honest, with the helpdesk.
    ("moet iedere directeur zich registreren of mag je kiezen", "ask_registration_types",
     ranked("ask_registration_types", "ask_organisation"), "ask_outside_sources"),
    ("kan ik me al registreren terwijl ik de opleiding nog volg", "ask_routes",
     ranked("ask_routes", "ask_registration_types"), "ask_outside_sources"),
    # The old rules and a subject of its own answer: that answer, not the list of changes.
    ("hoe zagen de routes er vroeger uit", "ask_rule_changes", ranked("ask_rule_changes", "ask_routes"), "ask_routes"),
    # A comparison between two topics: both sides, through the fallback's combined answer.
    ("verschil tussen de tma en begeleiding", "ask_valuation_guidance",
     [{"name": "ask_valuation_guidance", "confidence": 0.5}, {"name": "ask_tma", "confidence": 0.3}], "nlu_fallback"),
])
def test_registration_old_subjects_and_comparisons(text: str, intent: str, ranking: list[dict[str, object]],
                                                   expected: str) -> None:
    assert second_opinion(text, intent, UNSURE, 0.7, ranking) == expected


def test_herregistreren_is_not_first_registration() -> None:
    assert second_opinion("moet ik me opnieuw laten registreren na vier jaar", "ask_herregistratie", UNSURE, 0.7,
                          ranked("ask_herregistratie")) != "ask_outside_sources"
    # The old rules of the ways of learning are the change itself.
    assert second_opinion("hoe werkte informeel leren vroeger, met routes?", "ask_rule_changes", UNSURE, 0.7,
                          ranked("ask_rule_changes", "ask_routes")) is None


def test_what_is_done_is_the_dossier_and_completing_a_theme_is_the_certificate() -> None:
    assert second_opinion("welke opleidingen heb ik al gevolgd", "ask_my_suggestion", UNSURE, 0.7,
                          ranked("ask_my_suggestion")) == "ask_my_dossier"
    assert second_opinion("hoe rond ik mijn thema af na de opleiding", "ask_my_suggestion", UNSURE, 0.7,
                          ranked("ask_my_suggestion")) == "ask_certificate_upload"


def test_a_personal_alternative_needs_a_word_about_ones_own_dossier() -> None:
    ranking = ranked("ask_themes", "ask_my_deadline")
    assert second_opinion("wie bedenkt de nieuwe thema's", "ask_themes", UNSURE, 0.7, ranking) == "ask_themes"
    assert second_opinion("hoe ging herregistreren vroeger", "ask_rule_changes", UNSURE, 0.7,
                          ranked("ask_rule_changes", "ask_points_needed")) == "ask_herregistratie"


def test_re_registering_in_other_words_and_the_kinds_of_registration() -> None:
    assert second_opinion("op welke manieren kan ik me opnieuw laten registreren", "ask_outside_sources", 0.8, 0.7,
                          ranked("ask_outside_sources")) == "ask_routes"
    assert second_opinion("wat houdt het in om je weer te registreren", "ask_organisation", UNSURE, 0.7,
                          ranked("ask_organisation")) == "ask_herregistratie"
    assert second_opinion("welke soorten registratie zijn er", "ask_organisation", 0.8, 0.7,
                          ranked("ask_organisation")) == "ask_registration_types"
    assert second_opinion("welke opleidingen heb ik al afgerond", "ask_my_suggestion", 0.95, 0.7,
                          ranked("ask_my_suggestion")) == "ask_my_dossier"


def test_personal_first_needs_a_word_about_ones_own_dossier() -> None:
    ranking = ranked("ask_my_progress", "ask_points_needed")
    assert second_opinion("hoeveel punten moet ik halen voor herregistratie", "ask_my_progress", UNSURE, 0.7,
                          ranking) == "ask_points_needed"
    assert second_opinion("sta ik er goed voor", "ask_my_progress", UNSURE, 0.7, ranking) == "ask_my_progress"


def test_since_when_the_register_exists_is_not_the_change() -> None:
    assert second_opinion("vanaf wanneer bestaat het register", "ask_rule_changes", UNSURE, 0.7,
                          ranked("ask_rule_changes", "ask_organisation")) != "ask_rule_changes"


def test_a_provider_named_with_the_facet_asked() -> None:
    assert second_opinion("telt leerKRACHT mee?", "ask_activity_points", 0.29, 0.7,
                          ranked("ask_activity_points", "ask_learning_levels")) == "ask_activity_points"
