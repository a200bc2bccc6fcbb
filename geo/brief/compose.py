"""Compose the brief: the administrative header (Nghị định 30/2020/NĐ-CP) and the sections, from the store's frames."""

from __future__ import annotations

from datetime import date, datetime

from geo import AppError
from geo.area import Area
from geo.brief import sections
from geo.brief.content import Brief, Closing, Header, Inputs
from geo.brief.source import default_period
from geo.dates import now_local
from geo.evaluation.assess import Evaluation, evaluate
from geo.evaluation.current import Holding, holding
from geo.filters import IncidentFilter
from geo.words import word

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_UNIT_PREFIXES = ("thành phố", "thị xã", "thị trấn", "đặc khu", "huyện", "quận", "phường", "xã", "tỉnh")


def place_name(area_name: str) -> str:
    """Return the place of the date line: the area's own name without its unit word (Nghị định 30).

    Examples
    --------
    >>> place_name("Huyện Vĩnh Lộc, tỉnh Thanh Hóa"), place_name("Thành phố Thanh Hóa"), place_name("Springfield")
    ('Vĩnh Lộc', 'Thanh Hóa', 'Springfield')
    """
    first = area_name.split(",", maxsplit=1)[0].strip()
    lowered = first.lower()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix + " ") and len(first) > len(prefix) + 1:
            return first[len(prefix) :].strip()
    return first


def date_line(place: str, day: date, *, lang: str = "vi") -> str:
    """Return "Vĩnh Lộc, ngày 05 tháng 01 năm 2026": days below 10 and months 1 and 2 get a leading zero.

    Examples
    --------
    >>> date_line("Vĩnh Lộc", date(2026, 1, 5)), date_line("Vĩnh Lộc", date(2026, 12, 1))
    ('Vĩnh Lộc, ngày 05 tháng 01 năm 2026', 'Vĩnh Lộc, ngày 01 tháng 12 năm 2026')
    >>> date_line("", date(2026, 12, 1), lang="en")
    '1 December 2026'
    """
    if lang == "en":
        when = word("brief.date", lang, day=day.day, month=_MONTHS_EN[day.month - 1], year=day.year)
    else:
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        when = word("brief.date", lang, day=f"{day.day:02d}", month=month, year=day.year)
    return f"{place}, {when}" if place else when


def file_stem(period: IncidentFilter) -> str:
    """Return the brief's file name without its suffix: the period it covers.

    Examples
    --------
    >>> file_stem(IncidentFilter(start=date(2025, 11, 1), end=date(2026, 10, 31)))
    'bao_cao_20251101_20261031'
    """
    return f"bao_cao_{period.start:%Y%m%d}_{period.end:%Y%m%d}"


def _issuers(area: Area, *, lang: str, issuer: str) -> tuple[str, str]:
    """Return (parent body, issuing body): "CÔNG AN TỈNH THANH HÓA", "CÔNG AN HUYỆN VĨNH LỘC"."""
    if issuer:
        return "", issuer.upper()
    parts = [part.strip() for part in area.name.split(",") if part.strip()]
    if not parts:
        return "", word("app.title", lang).upper()
    own = word("brief.issuer", lang, unit=parts[0]).upper()
    parent = word("brief.issuer", lang, unit=parts[-1]).upper() if len(parts) > 1 else ""
    return parent, own


def compose(
    inputs: Inputs,
    *,
    period: IncidentFilter | None = None,
    lang: str = "vi",
    now: datetime | None = None,
    evaluation: Evaluation | None = None,
    found_now: Holding | None = None,
    issuer: str = "",
) -> Brief:
    """Return the brief of the stored data: headline, one section per target, the period, hot spots, caveats.

    Parameters
    ----------
    inputs
        The store's frames (`read_inputs`).
    period
        The period of the table by commune and the hot spots (default: the last 12 complete months).
    lang
        ``"vi"`` or ``"en"``.
    now
        The time the brief is made (default: now in Vietnam): its date line and provenance.
    evaluation
        The evaluation of the stored plan when the caller has it (the dashboard caches it); computed
        otherwise. Not used without a plan.
    found_now
        The plan's question asked of the latest months (`geo.evaluation.current.holding`) of that
        evaluation, when the caller has it; computed otherwise.
    issuer
        The issuing body's name (default: the police of the area, from the area's name).
    """
    now = now or now_local()
    counted = inputs.counts()
    period = period or default_period(counted)
    problem = ""
    if inputs.plan.is_set and evaluation is None:
        try:
            evaluation = evaluate(
                counted.evaluated(),
                inputs.communes,
                inputs.plan,
                combined_name=word("brief.combined", lang, unit=inputs.area.unit_word),
            )
        except AppError as exc:
            problem = exc.message
    if not inputs.plan.is_set:
        evaluation = found_now = None
    # Whether the change holds now: the plan's question asked of the latest 12 complete months.
    if found_now is None and evaluation is not None:
        found_now = holding(evaluation, counted.evaluated(), inputs.communes, through=inputs.declared_end)
    parent, own = _issuers(inputs.area, lang=lang, issuer=issuer)
    fmt = "%d/%m/%Y"
    header = Header(
        parent=parent,
        issuer=own,
        number=word("brief.number", lang),
        motto=word("brief.motto", lang),
        motto_sub=word("brief.motto_sub", lang),
        place_date=date_line(place_name(inputs.area.name), now.date(), lang=lang),
        title=word("brief.title", lang),
        subtitle=word(
            "brief.subtitle",
            lang,
            area=inputs.area.name or word("app.title", lang),
            start=period.start.strftime(fmt),
            end=period.end.strftime(fmt),
        ),
        demo=word("brief.demo", lang) if inputs.is_demo else "",
    )
    built = sections.build(
        inputs, period=period, evaluation=evaluation, holding=found_now, problem=problem, lang=lang, now=now
    )
    footer = word("brief.footer", lang, app=word("app.title", lang), time=now.strftime("%H:%M %d/%m/%Y"))
    if inputs.is_demo:
        footer = f"{footer} — {word('brief.demo', lang)}"
    return Brief(
        lang=lang,
        header=header,
        sections=built,
        closing=Closing(
            recipients_label=word("brief.recipients", lang),
            recipients=tuple(word("brief.recipients_list", lang).split("\n")),
            signer=word("brief.signer", lang),
            signer_note=word("brief.signer_note", lang),
        ),
        footer=footer,
        file_stem=file_stem(period),
    )
