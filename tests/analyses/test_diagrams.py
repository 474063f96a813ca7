"""The cause diagram and the timeline picture: they parse, show every text, escape it, and
their computed layout never puts two text boxes on top of each other."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from riskmgmt.analyses import diagrams, services
from riskmgmt.analyses.diagrams import (
    CauseItem,
    TimelineItem,
    build_cause_diagram,
    build_timeline,
    overlapping_boxes,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"
AREAS = [("communication", "Kommunikation och information"), ("competence", "Kunskap, kompetens och utbildning"),
         ("technology", "Teknik, utrustning och IT-stöd"), ("procedures", "Procedurer, rutiner och riktlinjer"),
         ("organisation", "Organisation, ledning, bemanning och arbetsbelastning"),
         ("environment", "Omgivning och arbetsmiljö"), ("client_factors", "Klient-/brukarrelaterade faktorer"),
         ("collaboration", "Samverkan")]
WORDS = ["handläggaren", "bevakningen", "rutinen", "överlämningen", "skyddsbedömningen", "verksamhetssystemet", "arbetsbelastningen", "inkorgen", "mottagningen", "familjehemmet", "placeringen", "uppföljningen"]


def _parse(picture):
    root = ET.fromstring(str(picture.svg))  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    labelled_by = root.get("aria-labelledby").split()
    assert labelled_by
    assert set(labelled_by) <= ids
    assert root.find(f"{SVG}title").text
    assert root.find(f"{SVG}desc").text
    assert float(root.get("width")) == pytest.approx(picture.width)
    return root


def _texts(root) -> str:
    return " ".join(element.text or "" for element in root.iter(f"{SVG}text"))


def _assert_layout(picture):
    assert overlapping_boxes(picture.boxes) == []
    for box in picture.boxes:
        assert box.x >= 0
        assert box.y >= 0
        assert box.right <= picture.width
        assert box.bottom <= picture.height
        for i, line in enumerate(box.lines):
            if box.kind in ("cause", "root", "label", "effect"):
                bold = box.kind == "effect" or (box.kind == "label" and i == 0)
                assert len(line) <= diagrams.WRAP_CHARS
                assert text_width(line, 11, bold=bold) <= box.w - 2 * diagrams.PAD_X
        if box.kind in ("cause", "root", "label"):
            assert 1 <= len(box.lines) <= diagrams.MAX_LINES + (1 if box.kind == "label" else 0)


def _forty_causes() -> list[CauseItem]:
    """Eight why-chains of five, in different areas, some shared and some with long texts."""
    causes, pk = [], 0
    for chain in range(8):
        parent = None
        for level in range(5):
            pk += 1
            words = [WORDS[(chain * 5 + level + i) % len(WORDS)] for i in range(3 + (level * chain) % 9)]
            text = f"Kedja {chain} nivå {level} " + " ".join(words)
            is_root = level == 4
            areas = (AREAS[chain % len(AREAS)], AREAS[(chain + 3) % len(AREAS)]) if is_root and chain % 3 == 0 \
                else ((AREAS[chain % len(AREAS)],) if is_root and chain != 7 else ())
            causes.append(CauseItem(pk, parent, text, is_root, areas))
            parent = pk
    # A branch: a second root under chain 0's level 2, so one chain forks.
    causes.append(CauseItem(pk + 1, 3, "En andra grundorsak i samma kedja " * 4, True, (AREAS[1],)))
    return causes


# ---------------------------------------------------------------- wrapping

def test_wrap_keeps_lines_short_and_ends_cut_text_with_ellipsis():
    text = "Ingen bevakade den gemensamma inkorgen efter klockan 16 på fredagar eftersom rutinen saknades helt"
    lines = wrap(text)
    assert len(lines) == 3
    assert all(len(line) <= 30 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap("Kort text") == ["Kort text"]
    assert wrap("") == []


def test_wrap_cuts_words_longer_than_a_line_and_survives_huge_texts():
    lines = wrap("x" * 100)
    assert lines[0] == "x" * 30
    assert lines[-1].endswith("…")
    assert len(wrap("ord " * 50_000)) == 3
    assert len(wrap("y" * 100_000)) == 3


def test_wrap_measures_wide_letters():
    lines = wrap("W" * 30, max_width=196, size=11)
    assert all(text_width(line, 11) <= 196 for line in lines)
    assert len(lines) > 1


# ---------------------------------------------------------------- cause diagram

def test_no_causes_gives_a_friendly_picture():
    picture = build_cause_diagram([], effect="Händelsen")
    root = _parse(picture)
    assert "Inga orsaker ännu" in _texts(root)
    assert picture.alternative == []
    assert "Inga orsaker ännu" in picture.alternative_html
    _assert_layout(picture)


def test_one_cause_without_area_is_unclassified():
    picture = build_cause_diagram([CauseItem(1, None, "Anmälan lästes inte förrän på måndagen")],
                                  effect="Skyddsbedömning som dröjde", area_order=AREAS)
    root = _parse(picture)
    texts = _texts(root)
    assert "Anmälan lästes inte förrän på" in texts
    assert "Ej klassificerade" in texts
    assert "Skyddsbedömning som dröjde" in texts
    assert [band["label"] for band in picture.alternative] == ["Ej klassificerade"]
    _assert_layout(picture)


def test_forty_causes_all_show_and_nothing_overlaps():
    causes = _forty_causes()
    assert len(causes) == 41
    picture = build_cause_diagram(causes, effect="En lång händelse " * 10, area_order=AREAS)
    root = _parse(picture)
    texts = _texts(root)
    for cause in causes:
        assert " ".join(cause.text.split()[:3]) in texts, cause.text
    assert {box.ref for box in picture.boxes if box.kind in ("cause", "root")} == {c.pk for c in causes}
    _assert_layout(picture)
    # Every root is tagged, and the unclassified chain has its own band.
    assert texts.count("GRUNDORSAK") >= sum(1 for c in causes if c.is_root)
    labels = [band["label"] for band in picture.alternative]
    assert labels[-1] == "Ej klassificerade"
    assert labels[:-1] == [name for _code, name in AREAS if name in labels]


def test_chains_run_from_the_root_on_the_left_to_the_effect_on_the_right():
    causes = [CauseItem(1, None, "Direkt orsak"), CauseItem(2, 1, "Varför två"),
              CauseItem(3, 2, "Grundorsaken", True, (AREAS[3],))]
    picture = build_cause_diagram(causes, effect="Händelsen", area_order=AREAS)
    boxes = {box.ref: box for box in picture.boxes if box.kind in ("cause", "root")}
    effect = next(box for box in picture.boxes if box.kind == "effect")
    assert boxes[3].right < boxes[2].x < boxes[2].right < boxes[1].x < boxes[1].right < effect.x
    assert boxes[3].kind == "root"


def test_a_root_in_two_areas_is_drawn_in_both_bands():
    causes = [CauseItem(1, None, "Orsak"), CauseItem(2, 1, "Grund", True, (AREAS[0], AREAS[4]))]
    picture = build_cause_diagram(causes, effect="E", area_order=AREAS)
    assert [band["code"] for band in picture.alternative] == ["communication", "organisation"]
    assert sum(1 for box in picture.boxes if box.ref == 2) == 2
    _assert_layout(picture)


def test_text_alternative_nests_the_why_chain():
    causes = [CauseItem(1, None, "Direkt orsak"), CauseItem(2, 1, "Grund <b>", True, (AREAS[3],))]
    picture = build_cause_diagram(causes, effect="Händelsen", area_order=AREAS)
    band = picture.alternative[0]
    assert band["label"] == "Procedurer, rutiner och riktlinjer"
    assert band["items"][0]["text"] == "Direkt orsak"
    assert band["items"][0]["children"][0]["is_root"] is True
    html = str(picture.alternative_html)
    assert "<ul" in html
    assert "Varför?" in html
    assert "(grundorsak)" in html
    assert "Grund &lt;b&gt;" in html


def test_cause_text_is_escaped_and_still_parses():
    picture = build_cause_diagram([CauseItem(1, None, 'Skolan "<script>& gick hem\x07')],
                                  effect="<Händelse> & 'mer'")
    raw = str(picture.svg)
    assert "<script>" not in raw
    assert "&lt;script&gt;&amp;" in raw
    texts = _texts(_parse(picture))
    assert 'Skolan "<script>& gick hem' in texts
    assert "<Händelse> & 'mer'" in texts
    assert "&lt;script&gt;" in str(picture.alternative_html)


def test_cause_diagram_of_a_real_analysis(analysis, unit_manager, django_assert_max_num_queries):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    top = services.cause_save(analysis=analysis, actor=unit_manager, text="Anmälan lästes inte förrän på måndagen")
    services.cause_save(analysis=analysis, actor=unit_manager, parent=top, is_root=True,
                        text="Ingen rutin för bevakning av inkorgen",
                        cause_areas=services.cause_areas_by_code(["procedures"]))
    with django_assert_max_num_queries(3):
        picture = diagrams.cause_diagram_for(analysis)
    root = _parse(picture)
    assert root.get("aria-labelledby") == f"orsaksdiagram-{analysis.pk}-title orsaksdiagram-{analysis.pk}-desc"
    assert "Procedurer, rutiner och riktlinjer" in _texts(root)
    assert analysis.title in root.find(f"{SVG}title").text


def test_tall_cause_diagram_is_cut_between_bands_for_print(analysis, unit_manager):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    for code in ("communication", "competence", "technology", "procedures", "organisation"):
        top = services.cause_save(analysis=analysis, actor=unit_manager, text=f"Orsak inom {code}")
        services.cause_save(analysis=analysis, actor=unit_manager, parent=top, is_root=True, text=f"Grund {code}",
                            cause_areas=services.cause_areas_by_code([code]))
    whole = diagrams.cause_diagram_for(analysis)
    parts = diagrams.cause_diagram_parts_for(analysis, max_height=whole.height / 2)
    assert len(parts) >= 2
    assert all(part.height <= whole.height / 2 for part in parts)
    shown = [box.ref for part in parts for box in part.boxes if box.kind in ("cause", "root")]
    assert sorted(shown) == sorted(analysis.causes.values_list("pk", flat=True))
    assert len({_parse(part).get("aria-labelledby") for part in parts}) == len(parts)  # ids stay unique
    assert len(diagrams.cause_diagram_parts_for(analysis, max_height=10_000)) == 1


# ---------------------------------------------------------------- timeline

def _entries(n: int, *, start=None) -> list[TimelineItem]:
    """`n` entries: a tight cluster (minutes apart), then hours, then days; every third approximate."""
    start = start or timezone.now() - datetime.timedelta(days=30)
    entries, at = [], start
    for i in range(n):
        at += datetime.timedelta(minutes=3) if i < n // 3 else datetime.timedelta(hours=5 + i)
        text = f"Händelse {i + 1} " + " ".join(WORDS[(i + j) % len(WORDS)] for j in range(2 + i % 10))
        entries.append(TimelineItem(i + 100, at, text, approximate=i % 3 == 2, source="Journal"))
    return entries


def test_empty_timeline_gives_a_friendly_picture():
    picture = build_timeline([])
    assert "Inga händelser i tidslinjen ännu" in _texts(_parse(picture))
    _assert_layout(picture)


def test_one_entry_timeline():
    entry = TimelineItem(1, timezone.now(), "Skolan ringer mottagningen", source="Journalanteckning")
    picture = build_timeline([entry])
    root = _parse(picture)
    texts = _texts(root)
    assert "Skolan ringer mottagningen" in texts
    assert f"1. {diagrams.format_when(entry.at)}" in texts
    assert [tick for tick in picture.boxes if tick.kind == "tick"]
    _assert_layout(picture)
    assert "Journalanteckning" in picture.alternative_html


def test_thirty_entries_all_show_and_no_labels_overlap():
    entries = _entries(30)
    picture = build_timeline(entries)
    root = _parse(picture)
    texts = _texts(root)
    for number, entry in enumerate(entries, start=1):
        assert " ".join(entry.description.split()[:2]) in texts
        assert f"{number}. " in texts
    labels = [box for box in picture.boxes if box.kind == "label"]
    assert {box.ref for box in labels} == {e.pk for e in entries}
    _assert_layout(picture)
    assert len(picture.sections) == 5  # six entries a row
    assert picture.width <= 673  # fits a portrait A4 page at full size
    assert [entry["number"] for entry in picture.alternative] == list(range(1, 31))


def test_labels_alternate_above_and_below_the_axis():
    picture = build_timeline(_entries(6))
    labels = sorted((box for box in picture.boxes if box.kind == "label"), key=lambda b: b.ref)
    ticks = [box for box in picture.boxes if box.kind == "tick"]
    axis = min(t.y for t in ticks)
    assert [box.bottom <= axis for box in labels] == [True, False] * 3


def test_entries_at_the_same_moment_do_not_overlap():
    now = timezone.now()
    picture = build_timeline([TimelineItem(i, now, f"Samtidigt {i}") for i in range(12)])
    _assert_layout(picture)


def test_approximate_times_are_marked():
    entry = TimelineItem(1, timezone.now(), "Ungefär då", approximate=True)
    picture = build_timeline([entry])
    raw = str(picture.svg)
    assert "stroke-dasharray" in raw
    assert "ca " in _texts(_parse(picture))
    assert "ungefärlig tidpunkt" in picture.alternative_html


@pytest.mark.parametrize("span", [datetime.timedelta(seconds=1), datetime.timedelta(hours=3),
                                  datetime.timedelta(days=9), datetime.timedelta(days=400),
                                  datetime.timedelta(days=365 * 80)])
def test_ticks_fit_any_span(span):
    start = timezone.now() - span
    picture = build_timeline([TimelineItem(1, start, "Först"), TimelineItem(2, start + span, "Sist")])
    ticks = [box for box in picture.boxes if box.kind == "tick"]
    assert ticks
    _assert_layout(picture)


def test_far_away_dates_do_not_break_the_picture():
    early = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
    late = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)
    picture = build_timeline([TimelineItem(1, early, "Tidigt"), TimelineItem(2, late, "Sent")])
    assert "Tidigt" in _texts(_parse(picture))
    _assert_layout(picture)


def test_timeline_text_is_escaped():
    picture = build_timeline([TimelineItem(1, timezone.now(), "<script>&\x00", source="<b>")])
    raw = str(picture.svg)
    assert "<script>" not in raw
    assert "<script>&" in _texts(_parse(picture))
    assert "&lt;b&gt;" in picture.alternative_html


def test_timeline_of_a_real_analysis_and_its_print_parts(analysis, unit_manager, django_assert_max_num_queries):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    for entry in _entries(14):
        services.timeline_entry_save(analysis=analysis, actor=unit_manager, at=entry.at,
                                     description=entry.description, approximate=entry.approximate)
    with django_assert_max_num_queries(1):
        whole = diagrams.timeline_picture_for(analysis)
    _parse(whole)
    parts = diagrams.timeline_parts_for(analysis, max_height=whole.height * 0.7)
    assert len(parts) >= 2
    assert all(part.height <= whole.height * 0.7 for part in parts)
    numbers = [entry["number"] for part in parts for entry in part.alternative]
    assert numbers == list(range(1, 15))
    for part in parts:
        _assert_layout(part)
