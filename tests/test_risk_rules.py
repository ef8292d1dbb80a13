"""Risk at declaration, DESIGN §5: high for any exposure with any symptom, or shortness of
breath; medium for any one exposure or any symptom; none otherwise; an open case or a traced
contact is high wherever they check in, and raises an alert."""

import pytest

from rules.risk import EXPOSURES, HIGH, MEDIUM, NONE, SYMPTOMS, assess_risk, join_codes, parse_codes

CASES = [
    # (symptoms, exposures, open case, traced contact) -> (level, reasons, alert)
    ((), (), False, False, NONE, (), False),
    (("fever",), (), False, False, MEDIUM, ("symptom:fever",), False),
    (("cough",), (), False, False, MEDIUM, ("symptom:cough",), False),
    (("sore_throat",), (), False, False, MEDIUM, ("symptom:sore_throat",), False),
    (("loss_of_taste_smell",), (), False, False, MEDIUM, ("symptom:loss_of_taste_smell",), False),
    (("fatigue",), (), False, False, MEDIUM, ("symptom:fatigue",), False),
    # several symptoms without an exposure stay medium
    (("cough", "fever"), (), False, False, MEDIUM, ("symptom:fever", "symptom:cough"), False),
    ((), ("case_contact",), False, False, MEDIUM, ("exposure:case_contact",), False),
    ((), ("lockdown_area",), False, False, MEDIUM, ("exposure:lockdown_area",), False),
    ((), ("travel_abroad",), False, False, MEDIUM, ("exposure:travel_abroad",), False),
    # several exposures without a symptom stay medium
    ((), ("travel_abroad", "case_contact"), False, False, MEDIUM,
     ("exposure:case_contact", "exposure:travel_abroad"), False),
    # any exposure with any symptom
    (("fever",), ("case_contact",), False, False, HIGH,
     ("exposure:case_contact", "symptom:fever"), False),
    (("fatigue",), ("travel_abroad",), False, False, HIGH,
     ("exposure:travel_abroad", "symptom:fatigue"), False),
    # shortness of breath alone
    (("shortness_of_breath",), (), False, False, HIGH, ("symptom:shortness_of_breath",), False),
    (("fever", "shortness_of_breath"), (), False, False, HIGH,
     ("symptom:fever", "symptom:shortness_of_breath"), False),
    # open cases and traced contacts, whatever they declare
    ((), (), True, False, HIGH, ("open_case",), True),
    ((), (), False, True, HIGH, ("traced_contact",), True),
    (("cough",), (), True, True, HIGH, ("open_case", "traced_contact", "symptom:cough"), True),
    # the same answer twice counts once
    (("fever", "fever"), (), False, False, MEDIUM, ("symptom:fever",), False),
]  # fmt: skip


@pytest.mark.parametrize(
    "symptoms, exposures, open_case, traced, level, reasons, alert",
    CASES,
    ids=[f"{'+'.join(c[0]) or '-'}|{'+'.join(c[1]) or '-'}|{c[2]:d}{c[3]:d}" for c in CASES],
)
def test_risk_level_reasons_and_alert(
    symptoms, exposures, open_case, traced, level, reasons, alert
):
    assessed = assess_risk(symptoms, exposures, open_case=open_case, traced_contact=traced)
    assert (assessed.level, assessed.reasons, assessed.alert) == (level, reasons, alert)


@pytest.mark.parametrize(
    "high_risk, symptoms, level",
    [
        ((), ("shortness_of_breath",), MEDIUM),  # configured away: an ordinary symptom
        (("fever",), ("fever",), HIGH),
        (("fever",), ("cough",), MEDIUM),
        (("fever", "shortness_of_breath"), ("shortness_of_breath",), HIGH),
    ],
)
def test_high_risk_symptoms_are_a_setting(high_risk, symptoms, level):
    assert assess_risk(symptoms, (), high_risk_symptoms=high_risk).level == level


@pytest.mark.parametrize(
    "symptoms, exposures, message",
    [
        (("ho",), (), "unknown symptom ['ho']"),
        ((), ("market",), "unknown exposure ['market']"),
        (("Fever",), (), "unknown symptom ['Fever']"),  # codes, not labels: callers normalise
    ],
)
def test_unknown_answers_are_refused(symptoms, exposures, message):
    with pytest.raises(ValueError) as caught:
        assess_risk(symptoms, exposures)
    assert message in str(caught.value)


def test_levels_and_the_stored_code_lists():
    assert [assess_risk(s, ()).level for s in ((), ("fever",), ("shortness_of_breath",))] == [
        NONE,
        MEDIUM,
        HIGH,
    ]
    assert parse_codes(" fever ; cough;;") == ["fever", "cough"]
    assert join_codes(["fever", "cough"]) == "fever;cough"
    assert len(SYMPTOMS) == 6 and len(EXPOSURES) == 3
