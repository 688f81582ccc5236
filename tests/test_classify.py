"""The classifier's contract and behaviour on short cases we wrote for each rule path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.classify.engine import Document, classify, default_classifier
from pipeline.classify.rules import EVENT_TYPES

CONTRACT_KEYS = [
    "id", "lang", "is_libya", "libya_score", "topics", "is_ceasefire_development", "event_type",
    "confidence", "entities", "evidence", "classifier_version",
]


def label(title: str, text: str = "") -> dict:
    return classify(Document("t", title, text)).to_dict()


def test_output_contract() -> None:
    out = label("Rival Libyan forces swap prisoners in Zawiya", "Forces loyal to Haftar and the GNU exchanged 12 detainees in Zawiya on Sunday, elders said.")
    assert list(out) == CONTRACT_KEYS
    assert out["event_type"] in EVENT_TYPES
    assert 0 <= out["libya_score"] <= 1 and isinstance(out["topics"], list)
    for entity in out["entities"]:
        assert set(entity) == {"id", "name", "type", "count", "salience"}
        assert entity["id"].startswith(("Q", "LM:"))
    full = "Rival Libyan forces swap prisoners in Zawiya\nForces loyal to Haftar and the GNU exchanged 12 detainees in Zawiya on Sunday, elders said."
    for item in out["evidence"]:
        assert full[item["start"] : item["end"]] == item["text"]
    assert out["classifier_version"] == default_classifier().version


DEVELOPMENTS = [
    # (event, language, title, text)
    ("agreement", "en", "Tajoura armed groups agree truce after night of fighting", "Armed groups in Tajoura, east of Tripoli, agreed a truce on Thursday after elders mediated, the municipal council said."),
    ("agreement", "ar", "التوصل إلى هدنة في الزاوية", "أعلن المجلس البلدي الزاوية التوصل إلى هدنة بين المجموعات المسلحة بعد وساطة من الأعيان."),
    ("agreement", "fr", "Libye : une trêve signée à Tripoli", "Les groupes armés de Tripoli ont signé samedi une trêve sous l'égide du Conseil présidentiel."),
    ("meeting_talks", "en", "5+5 Joint Military Commission meets in Sirte", "The Joint Military Commission met in Sirte on Monday with UNSMIL to discuss security arrangements."),
    ("meeting_talks", "ar", "اجتماع اللجنة العسكرية المشتركة 5+5 في سرت", "عقدت اللجنة العسكرية المشتركة اجتماعا في سرت بحضور البعثة الأممية."),
    ("meeting_talks", "fr", "Le Comité militaire conjoint 5+5 se réunit à Genève", "Les dix officiers du Comité militaire conjoint libyen se sont réunis mardi à Genève."),
    ("withdrawal_foreign_forces", "en", "Syrian mercenaries leave Libya on flights from Misrata", "Dozens of Syrian mercenaries left Libya on Tuesday, a monitoring group said."),
    ("withdrawal_foreign_forces", "ar", "انسحاب عناصر فاغنر من قاعدة الجفرة", "انسحبت عناصر من مجموعة فاغنر الروسية من قاعدة الجفرة الجوية نحو الجنوب."),
    ("withdrawal_foreign_forces", "fr", "Des mercenaires quittent Syrte", "Plusieurs centaines de mercenaires ont quitté Syrte ce week-end, selon des sources militaires libyennes."),
    ("monitoring_mechanism", "en", "First ceasefire monitors deploy to Sirte", "A team of unarmed UN ceasefire monitors arrived in Sirte on Sunday, UNSMIL said."),
    ("monitoring_mechanism", "ar", "تشكيل قوة مشتركة لتأمين الطريق الساحلي في ليبيا", "أصدر المجلس الرئاسي قرارا بتشكيل قوة مشتركة من الطرفين لتأمين الطريق الساحلي بين مصراتة وسرت."),
    ("prisoner_exchange", "en", "Libya's rival forces exchange bodies in Brega", "Rival Libyan forces exchanged the bodies of 14 fighters at Brega on Wednesday, the Red Crescent said."),
    ("prisoner_exchange", "ar", "تبادل المحتجزين بين مصراتة وترهونة", "جرت عملية تبادل للمحتجزين بين مصراتة وترهونة برعاية الحكماء والأعيان."),
    ("prisoner_exchange", "fr", "Libye : échange de prisonniers entre Misrata et Benghazi", "Les deux camps libyens ont procédé à un échange de prisonniers dimanche à Benghazi."),
    ("road_or_airport_reopening", "en", "Coastal road between Misrata and Sirte reopens", "The coastal road between Misrata and Sirte reopened to traffic on Friday after two years of closure."),
    ("road_or_airport_reopening", "ar", "تعليق الرحلات في مطار معيتيقة إثر سقوط قذائف", "علقت إدارة مطار معيتيقة الدولي في طرابلس الرحلات بعد سقوط قذائف قرب المدرج."),
    ("road_or_airport_reopening", "fr", "Libye : réouverture du poste-frontière de Ras Jedir", "Le poste-frontière de Ras Jedir entre la Libye et la Tunisie a rouvert lundi."),
    ("violation_or_clashes", "en", "Clashes erupt in Tripoli's Ain Zara", "Heavy clashes erupted between armed groups in Tripoli's Ain Zara district overnight, residents said."),
    ("violation_or_clashes", "ar", "اشتباكات عنيفة في طرابلس", "اندلعت اشتباكات عنيفة بين مجموعات مسلحة في منطقة صلاح الدين جنوب طرابلس الليبية."),
    ("violation_or_clashes", "fr", "Affrontements meurtriers à Tripoli", "De violents affrontements ont opposé deux groupes armés dans le sud de Tripoli, en Libye."),
    ("un_security_council", "en", "UN Security Council renews UNSMIL mandate", "The Security Council adopted a resolution extending the mandate of the UN mission in Libya for a year."),
    ("un_security_council", "ar", "مجلس الأمن يمدد ولاية البعثة الأممية في ليبيا", "اعتمد مجلس الأمن الدولي قرارا بتمديد ولاية بعثة الأمم المتحدة للدعم في ليبيا."),
]


@pytest.mark.parametrize(("event", "lang", "title", "text"), DEVELOPMENTS, ids=[f"{event}-{code}" for event, code, *_ in DEVELOPMENTS])
def test_each_event_in_each_language(event: str, lang: str, title: str, text: str) -> None:
    out = label(title, text)
    assert out["lang"] == lang
    assert (out["event_type"], out["is_ceasefire_development"]) == (event, True)
    assert any(e["label"] == f"event:{event}" for e in out["evidence"])


HARD_NEGATIVES = [
    # (expected is_libya, expected event, title, text)
    (False, "none", "Ceasefire takes effect in Gaza", "A ceasefire between Israel and Hamas took effect in Gaza on Sunday; the UN Security Council welcomed it. Libya saw a similar truce in 2020."),
    (False, "none", "هدنة في السودان بين الجيش والدعم السريع", "أعلن الجيش السوداني وقوات الدعم السريع هدنة لمدة أسبوع في الخرطوم ودارفور."),
    (False, "none", "Clashes in Tripoli, Lebanon", "Clashes erupted in Tripoli, northern Lebanon, between gunmen in Bab al-Tabbaneh and Jabal Mohsen; the Lebanese army deployed."),
    (False, "none", "اشتباكات في طرابلس شمال لبنان", "اندلعت اشتباكات في مدينة طرابلس اللبنانية بين باب التبانة وجبل محسن، وانتشر الجيش اللبناني."),
    (True, "none", "Libya's oil output hits decade high", "Libya's oil production reached 1.4 million barrels per day, the National Oil Corporation said, the longest stretch of stability since the 2020 ceasefire."),
    (True, "none", "ارتفاع إنتاج النفط الليبي", "قالت المؤسسة الوطنية للنفط إن إنتاج ليبيا من النفط بلغ مليونا و400 ألف برميل يوميا، في ظل استقرار منذ اتفاق وقف إطلاق النار الموقع في 2020."),
    (True, "statement_only", "UN envoy urges Libyan parties to respect ceasefire", "The UN envoy to Libya called on all parties to respect the ceasefire and stressed the need to unify the military institution."),
    (True, "statement_only", "الاتحاد الأوروبي يدعو إلى احترام وقف إطلاق النار في ليبيا", "دعا الاتحاد الأوروبي جميع الأطراف الليبية إلى احترام اتفاق وقف إطلاق النار وضبط النفس في طرابلس."),
    (True, "statement_only", "LNA denies mobilising near Sirte", "The Libyan National Army denied reports of any mobilisation of troops near Sirte, calling them baseless."),
]


@pytest.mark.parametrize(("is_libya", "event", "title", "text"), HARD_NEGATIVES, ids=[t[:30] for _, _, t, _ in HARD_NEGATIVES])
def test_hard_negatives(is_libya: bool, event: str, title: str, text: str) -> None:
    out = label(title, text)
    assert (out["is_libya"], out["event_type"], out["is_ceasefire_development"]) == (is_libya, event, False)


def test_tripoli_is_resolved_by_context() -> None:
    libya = {e["name"] for e in label("Clashes in Tripoli", "Armed groups clashed in Tripoli near Mitiga airport, the GNU said.")["entities"]}
    lebanon = {e["name"] for e in label("Clashes in Tripoli", "Gunmen clashed in Tripoli, Lebanon, near Beirut's north.")["entities"]}
    assert "Tripoli" in libya and "Tripoli" not in lebanon


def test_common_first_name_alone_is_not_a_mention() -> None:
    names = {e["name"] for e in label("Khalifa and Abdul Hamid opened a bakery in Sfax", "Khalifa said the bakery would open daily.")["entities"]}
    assert not names & {"Khalifa Haftar", "Abdul Hamid Dbeibah"}


def test_spelling_variants_link_one_entity() -> None:
    linked = set()
    for text in ("Haftar", "Hifter", "Hafter", "حفتر", "لحفتر"):
        ids = {e["id"] for e in label(f"{text} in Benghazi", "")["entities"] if e["type"] == "person"}
        assert len(ids) == 1
        linked |= ids
    assert len(linked) == 1, "every spelling is the same person"


def test_classify_command_keeps_order_and_reports_bad_lines(tmp_path) -> None:
    lines = [
        json.dumps({"id": "a", "title": "اشتباكات في الزاوية", "text": "اندلعت اشتباكات في مدينة الزاوية الليبية."}),
        "not json",
        json.dumps({"id": "b", "title": "Oil output rises", "text": "Libya pumped more oil."}),
        json.dumps({"id": "c", "title": 3}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "classify", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["event_type"] == "violation_or_clashes"
    assert done.returncode == 1 and "line 2" in done.stderr and "line 4" in done.stderr


def test_one_mention_of_another_war_counts_once() -> None:
    """"Gaza" inside "Gaza Strip", or a phrase listed in two languages, is one mention: the
    longer name must not weigh more against Libya than the shorter one."""
    text = "Clashes in Zawiya, western Libya, left two dead on Sunday, while a truce in {place} held. Residents of Zawiya said fighting stopped by night."
    short, long_ = (label("Clashes in Zawiya, Libya", text.format(place=p))["libya_score"] for p in ("Gaza", "the Gaza Strip"))
    assert short == long_ > 0.6
